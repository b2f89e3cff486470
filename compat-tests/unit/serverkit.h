/*
 * A raw-socket WebSocket client and an external poll loop for the C tests
 * of the server: the test process is both the server (a context of the
 * library under test) and its clients (plain sockets it drives by hand), so
 * every callback can be observed from the inside while the bytes on the
 * wire are checked from the outside.
 *
 * Waiting always "pumps" the server in between: kit_pump() runs one
 * libwebsocket_service() by default, or the external poll loop below once
 * kit_use_extpoll() was called.
 */
#ifndef SERVERKIT_H
#define SERVERKIT_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"

static struct libwebsocket_context *kit_context;

static inline double kit_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static inline void kit_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------------------
 * The external poll loop: the poll set mirrored from ADD / DEL /
 * CHANGE_MODE_POLL_FD, with every rule of the protocol checked as the
 * notifications arrive.
 * ------------------------------------------------------------------------ */

#define KIT_MAX_FDS 512

struct kit_pollset {
	struct pollfd fds[KIT_MAX_FDS];
	int count;
	int adds, dels, changes, locks, unlocks;
	int locked;             /* between LOCK_POLL and UNLOCK_POLL */
	int double_add;         /* ADD of an fd already in the set */
	int unknown_del;        /* DEL of an fd not in the set */
	int unknown_change;     /* CHANGE_MODE of an fd not in the set */
	int prev_mismatch;      /* CHANGE_MODE prev_events != last announced */
	int unlocked_change;    /* ADD/DEL/CHANGE outside LOCK/UNLOCK */
	int nested_lock;        /* LOCK while locked */
	int stray_unlock;       /* UNLOCK while not locked */
	int wrong_wsi_fd;       /* pollargs fd != libwebsocket_get_socket_fd(wsi) */
	int revents_left;       /* service_fd left revents of our fd non-zero */
};

static struct kit_pollset kit_poll;
static int kit_extpoll;

static inline int kit_poll_index(int fd)
{
	int i;

	for (i = 0; i < kit_poll.count; i++)
		if (kit_poll.fds[i].fd == fd)
			return i;
	return -1;
}

/*
 * Call from protocols[0]'s callback for every reason; returns 1 when the
 * reason was one of the poll reasons (and was recorded).
 */
static inline int kit_poll_callback(struct libwebsocket *wsi,
				    enum libwebsocket_callback_reasons reason, void *in)
{
	struct libwebsocket_pollargs *pa = (struct libwebsocket_pollargs *)in;
	int i;

	switch (reason) {
	case LWS_CALLBACK_LOCK_POLL:
		kit_poll.locks++;
		if (kit_poll.locked)
			kit_poll.nested_lock++;
		kit_poll.locked = 1;
		return 1;
	case LWS_CALLBACK_UNLOCK_POLL:
		kit_poll.unlocks++;
		if (!kit_poll.locked)
			kit_poll.stray_unlock++;
		kit_poll.locked = 0;
		return 1;
	case LWS_CALLBACK_ADD_POLL_FD:
	case LWS_CALLBACK_DEL_POLL_FD:
	case LWS_CALLBACK_CHANGE_MODE_POLL_FD:
		break;
	default:
		return 0;
	}
	if (!kit_poll.locked)
		kit_poll.unlocked_change++;
	if (wsi && libwebsocket_get_socket_fd(wsi) != pa->fd)
		kit_poll.wrong_wsi_fd++;
	i = kit_poll_index(pa->fd);
	switch (reason) {
	case LWS_CALLBACK_ADD_POLL_FD:
		kit_poll.adds++;
		if (i >= 0) {
			kit_poll.double_add++;
			kit_poll.fds[i].events = (short)pa->events;
		} else if (kit_poll.count < KIT_MAX_FDS) {
			kit_poll.fds[kit_poll.count].fd = pa->fd;
			kit_poll.fds[kit_poll.count].events = (short)pa->events;
			kit_poll.fds[kit_poll.count].revents = 0;
			kit_poll.count++;
		}
		break;
	case LWS_CALLBACK_DEL_POLL_FD:
		kit_poll.dels++;
		if (i < 0) {
			kit_poll.unknown_del++;
		} else {
			kit_poll.fds[i] = kit_poll.fds[kit_poll.count - 1];
			kit_poll.count--;
		}
		break;
	default:
		kit_poll.changes++;
		if (i < 0) {
			kit_poll.unknown_change++;
		} else {
			if (kit_poll.fds[i].events != (short)pa->prev_events)
				kit_poll.prev_mismatch++;
			kit_poll.fds[i].events = (short)pa->events;
		}
		break;
	}
	return 1;
}

/*
 * One round of the external loop: poll our copy of the set, hand every fd
 * with events to libwebsocket_service_fd, and check it zeroed revents.
 * A copy is polled because servicing may change the set.
 */
static inline void kit_extpoll_round(int timeout_ms)
{
	struct pollfd ready[KIT_MAX_FDS];
	int n = kit_poll.count, i;

	memcpy(ready, kit_poll.fds, sizeof(ready[0]) * (size_t)n);
	if (poll(ready, (nfds_t)n, timeout_ms) <= 0)
		return;
	for (i = 0; i < n; i++) {
		if (!ready[i].revents || kit_poll_index(ready[i].fd) < 0)
			continue;
		libwebsocket_service_fd(kit_context, &ready[i]);
		if (ready[i].revents)
			kit_poll.revents_left++;
	}
}

static inline void kit_use_extpoll(int on)
{
	kit_extpoll = on;
	if (on)
		memset(&kit_poll, 0, sizeof(kit_poll));
}

/* Lets the server work for up to ms milliseconds (one wait). */
static inline void kit_pump(int ms)
{
	if (kit_extpoll)
		kit_extpoll_round(ms);
	else
		libwebsocket_service(kit_context, ms);
}

static inline double kit_cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/*
 * Pumps for ms milliseconds in 50 ms waits and returns how often the wait
 * returned: about ms / 50 when nothing is ready, millions when the server
 * spins. Prints the count and the CPU time, labelled what.
 */
static inline long kit_service_returns(const char *what, int ms)
{
	double end = kit_now_ms() + ms, cpu = kit_cpu_seconds();
	long n = 0;

	while (kit_now_ms() < end) {
		kit_pump(50);
		n++;
	}
	printf("%s: %ld service returns, %.2f s CPU in %d ms\n", what, n, kit_cpu_seconds() - cpu, ms);
	return n;
}

/* A generous bound on kit_service_returns() for a server that is idle. */
#define KIT_QUIET(ms) ((ms) / 5)

/* Pumps until *flag is non-zero or ms have passed; returns *flag. */
static inline int kit_until(const volatile int *flag, int ms)
{
	double end = kit_now_ms() + ms;

	while (!*flag && kit_now_ms() < end)
		kit_pump(10);
	return *flag;
}

/* Pumps until *counter reaches at least target or ms have passed. */
static inline int kit_until_count(const volatile int *counter, int target, int ms)
{
	double end = kit_now_ms() + ms;

	while (*counter < target && kit_now_ms() < end)
		kit_pump(10);
	return *counter >= target;
}

/* ------------------------------------------------------------------------
 * Server set-up
 * ------------------------------------------------------------------------ */

/* This process's resident set in bytes (the test process is the server). */
static inline long kit_rss_bytes(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * sysconf(_SC_PAGESIZE);
}

/* A port that nobody listens on right now. */
static inline int kit_free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (!bind(fd, (struct sockaddr *)&sin, sizeof(sin)) &&
	    !getsockname(fd, (struct sockaddr *)&sin, &len))
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/*
 * A self-signed certificate for CN=localhost (EC P-256, made by the openssl
 * command line) in a fresh directory under /tmp: kit_cert_path and
 * kit_key_path name its files. Returns 1 when it was made.
 */
static char kit_cert_dir[] = "/tmp/lws-unit-cert-XXXXXX";
static char kit_cert_path[256], kit_key_path[256];

static inline int kit_make_certificate(void)
{
	char command[1024];

	if (!mkdtemp(kit_cert_dir))
		return 0;
	snprintf(kit_cert_path, sizeof(kit_cert_path), "%s/cert.pem", kit_cert_dir);
	snprintf(kit_key_path, sizeof(kit_key_path), "%s/key.pem", kit_cert_dir);
	snprintf(command, sizeof(command),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		 "-keyout %s -out %s -days 2 -subj /CN=localhost >/dev/null 2>&1",
		 kit_key_path, kit_cert_path);
	return system(command) == 0;
}

static inline void kit_remove_certificate(void)
{
	unlink(kit_cert_path);
	unlink(kit_key_path);
	rmdir(kit_cert_dir);
}

/* A protocols[0] callback for servers that serve no HTTP. */
static inline int kit_no_http(struct libwebsocket_context *context, struct libwebsocket *wsi,
			      enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)context; (void)wsi; (void)reason; (void)user; (void)in; (void)len;
	return 0;
}

/*
 * The same, keeping kit_poll's copy of the poll set up to date, for
 * servers that kit_use_extpoll() may drive.
 */
static inline int kit_no_http_polled(struct libwebsocket_context *context, struct libwebsocket *wsi,
				     enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)context; (void)user; (void)len;
	kit_poll_callback(wsi, reason, in);
	return 0;
}

/*
 * The creation info of a test server: loopback only, no privileges to
 * drop, no host name lookup.
 */
static inline void kit_server_info(struct lws_context_creation_info *info,
				   struct libwebsocket_protocols *protocols)
{
	memset(info, 0, sizeof(*info));
	info->iface = "127.0.0.1";
	info->protocols = protocols;
	info->gid = -1;
	info->uid = -1;
	info->options = LWS_SERVER_OPTION_SKIP_SERVER_CANONICAL_NAME;
}

/*
 * Creates a listening context from info (port chosen here, retried if
 * another process takes it meanwhile) and makes it the one kit_pump()
 * serves. Returns the port, or -1.
 */
static inline int kit_listen(struct lws_context_creation_info *info)
{
	int attempt;

	kit_context = NULL;
	for (attempt = 0; attempt < 10 && !kit_context; attempt++) {
		info->port = kit_free_port();
		if (info->port > 0)
			kit_context = libwebsocket_create_context(info);
	}
	return kit_context ? info->port : -1;
}

/* A test server for protocols with the usual creation info; its port, or -1. */
static inline int kit_serve(struct libwebsocket_protocols *protocols)
{
	struct lws_context_creation_info info;

	kit_server_info(&info, protocols);
	return kit_listen(&info);
}

static inline void kit_destroy(void)
{
	if (kit_context)
		libwebsocket_context_destroy(kit_context);
	kit_context = NULL;
}

/* ------------------------------------------------------------------------
 * The client side: plain blocking sockets, read with poll + pumping
 * ------------------------------------------------------------------------ */

static inline int kit_connect_addr(int family, const char *address, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		if (inet_pton(AF_INET6, address, &s6->sin6_addr) != 1)
			return -1;
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		if (inet_pton(AF_INET, address, &s4->sin_addr) != 1)
			return -1;
		len = sizeof(*s4);
	}
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len)) {
		close(fd);
		return -1;
	}
	return fd;
}

static inline int kit_connect(int port)
{
	return kit_connect_addr(AF_INET, "127.0.0.1", port);
}

static inline int kit_send(int fd, const void *data, size_t len)
{
	const char *p = (const char *)data;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static inline int kit_send_str(int fd, const char *s)
{
	return kit_send(fd, s, strlen(s));
}

/*
 * Waits (pumping) until fd has something to read or reached EOF.
 * Returns 1 when readable, 0 on timeout.
 */
static inline int kit_wait_readable(int fd, int ms)
{
	double end = kit_now_ms() + ms;

	do {
		struct pollfd pfd = { fd, POLLIN, 0 };

		if (poll(&pfd, 1, 0) == 1)
			return 1;
		kit_pump(5);
	} while (kit_now_ms() < end);
	return 0;
}

/*
 * Reads exactly len bytes, pumping while waiting. Returns len, or what was
 * read before EOF / error / timeout.
 */
static inline size_t kit_read_exact(int fd, void *buf, size_t len, int ms)
{
	double end = kit_now_ms() + ms;
	size_t got = 0;

	while (got < len) {
		ssize_t n;
		double left = end - kit_now_ms();

		if (!kit_wait_readable(fd, left > 0 ? (int)left : 0))
			break;
		n = recv(fd, (char *)buf + got, len - got, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

/*
 * Reads an HTTP response head (up to and including the blank line, nothing
 * beyond it) into buf, NUL-terminated. Returns its length, 0 on EOF or
 * timeout before a complete head.
 */
static inline size_t kit_read_head(int fd, char *buf, size_t size, int ms)
{
	size_t got = 0;

	buf[0] = 0;
	while (got + 1 < size) {
		if (kit_read_exact(fd, buf + got, 1, ms) != 1)
			return 0;
		got++;
		buf[got] = 0;
		if (got >= 4 && !memcmp(buf + got - 4, "\r\n\r\n", 4))
			return got;
	}
	return 0;
}

/* The status code of an HTTP response head, or -1. */
static inline int kit_status(const char *head)
{
	int status;

	if (sscanf(head, "HTTP/1.1 %d", &status) != 1)
		return -1;
	return status;
}

/*
 * Waits (pumping) for the server to close fd: returns 1 when recv()
 * reports EOF or a reset, discarding whatever data comes before it.
 */
static inline int kit_wait_eof(int fd, int ms)
{
	double end = kit_now_ms() + ms;
	char scratch[4096];

	while (kit_now_ms() < end) {
		ssize_t n;

		if (!kit_wait_readable(fd, (int)(end - kit_now_ms()) + 1))
			return 0;
		n = recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return 1;
	}
	return 0;
}

static const char kit_key_accept[] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/*
 * Sends an upgrade request for protocol (NULL: no Sec-WebSocket-Protocol)
 * with extra header lines (each ending in \r\n, or NULL). Returns 0 when
 * it was sent.
 */
static inline int kit_send_upgrade(int fd, const char *protocol, const char *extra)
{
	char request[2048];

	snprintf(request, sizeof(request),
		 "GET /ws HTTP/1.1\r\n"
		 "Host: localhost\r\n"
		 "Upgrade: websocket\r\n"
		 "Connection: Upgrade\r\n"
		 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
		 "Sec-WebSocket-Version: 13\r\n"
		 "%s%s%s"
		 "%s"
		 "\r\n",
		 protocol ? "Sec-WebSocket-Protocol: " : "", protocol ? protocol : "",
		 protocol ? "\r\n" : "", extra ? extra : "");
	return kit_send_str(fd, request);
}

/*
 * kit_send_upgrade, then reads the response head. Returns the HTTP status,
 * -1 when none arrived, -2 for a 101 with the wrong accept key.
 */
static inline int kit_upgrade(int fd, const char *protocol, const char *extra)
{
	char head[4096];

	if (kit_send_upgrade(fd, protocol, extra))
		return -1;
	if (!kit_read_head(fd, head, sizeof(head), 3000))
		return -1;
	if (kit_status(head) == 101 && !strstr(head, kit_key_accept))
		return -2;
	return kit_status(head);
}

/* Connects and upgrades; returns the fd of an open WebSocket or -1. */
static inline int kit_ws_open(int port, const char *protocol)
{
	int fd = kit_connect(port);

	if (fd < 0)
		return -1;
	if (kit_upgrade(fd, protocol, NULL) != 101) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Writes one masked frame with a short text payload (under 126 bytes) to
 * out, so several can go in one send; returns its length.
 */
static inline size_t kit_put_frame(unsigned char *out, unsigned char first_byte, const char *text)
{
	static const unsigned char mask[4] = { 0x11, 0x22, 0x33, 0x44 };
	size_t len = strlen(text), i;

	out[0] = first_byte;
	out[1] = (unsigned char)(0x80 | len);
	memcpy(out + 2, mask, 4);
	for (i = 0; i < len; i++)
		out[6 + i] = (unsigned char)text[i] ^ mask[i & 3];
	return 6 + len;
}

/* Sends one masked frame: first_byte is FIN | RSV | opcode. */
static inline int kit_send_frame(int fd, unsigned char first_byte, const void *payload, size_t len)
{
	static const unsigned char mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
	unsigned char head[14];
	size_t h = 0, i;
	unsigned char *frame;
	int r;

	head[h++] = first_byte;
	if (len < 126) {
		head[h++] = (unsigned char)(0x80 | len);
	} else if (len < 65536) {
		head[h++] = 0x80 | 126;
		head[h++] = (unsigned char)(len >> 8);
		head[h++] = (unsigned char)len;
	} else {
		head[h++] = 0x80 | 127;
		for (i = 0; i < 8; i++)
			head[h++] = (unsigned char)((unsigned long long)len >> (56 - 8 * i));
	}
	memcpy(head + h, mask, 4);
	h += 4;
	frame = malloc(h + len + 1);
	if (!frame)
		return -1;
	memcpy(frame, head, h);
	for (i = 0; i < len; i++)
		frame[h + i] = ((const unsigned char *)payload)[i] ^ mask[i & 3];
	r = kit_send(fd, frame, h + len);
	free(frame);
	return r;
}

/*
 * Reads one (unmasked) frame from the server into buf (at most cap bytes
 * are kept; the rest of the payload is discarded). Returns the payload
 * length and sets *first_byte, or -1 on EOF / timeout. ms bounds the wait
 * for the frame to start; once it has, the rest gets at least a second.
 */
static inline long kit_read_frame(int fd, unsigned char *first_byte, void *buf, size_t cap, int ms)
{
	unsigned char h[8];
	unsigned long long len;
	size_t ext = 0, kept, i;
	char scratch[4096];

	*first_byte = 0;
	if (kit_read_exact(fd, h, 1, ms) != 1)
		return -1;
	if (ms < 1000)
		ms = 1000;
	if (kit_read_exact(fd, h + 1, 1, ms) != 1)
		return -1;
	*first_byte = h[0];
	len = h[1] & 0x7f;
	if (len == 126)
		ext = 2;
	else if (len == 127)
		ext = 8;
	if (ext) {
		unsigned char e[8];

		if (kit_read_exact(fd, e, ext, ms) != ext)
			return -1;
		len = 0;
		for (i = 0; i < ext; i++)
			len = (len << 8) | e[i];
	}
	kept = len < cap ? (size_t)len : cap;
	if (kit_read_exact(fd, buf, kept, ms) != kept)
		return -1;
	for (i = kept; i < len;) {
		size_t chunk = len - i < sizeof(scratch) ? (size_t)(len - i) : sizeof(scratch);

		if (kit_read_exact(fd, scratch, chunk, ms) != chunk)
			return -1;
		i += chunk;
	}
	return (long)len;
}

#endif
