/*
 * Context lifetime: create/destroy with CONTEXT_PORT_NO_LISTEN (protocol
 * callbacks, fields written into the protocols array, context user,
 * canonical hostname), creation failures (port in use, unknown interface,
 * invalid port), and lws_set_allocator: per-session data of real HTTP and
 * WebSocket connections, made from this process with raw sockets, goes
 * through the application's allocator and is all given back.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"

#define PROTOCOLS 3

static int init_calls[PROTOCOLS], destroy_calls[PROTOCOLS];
static struct libwebsocket_context *init_context[PROTOCOLS];
static int init_wsi_null = 1;

static int count_lifecycle(int index, struct libwebsocket_context *context,
			   struct libwebsocket *wsi,
			   enum libwebsocket_callback_reasons reason)
{
	if (reason == LWS_CALLBACK_PROTOCOL_INIT) {
		init_calls[index]++;
		init_context[index] = context;
		if (wsi)
			init_wsi_null = 0;
	}
	if (reason == LWS_CALLBACK_PROTOCOL_DESTROY)
		destroy_calls[index]++;
	return 0;
}

static int cb0(struct libwebsocket_context *context, struct libwebsocket *wsi,
	       enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)user; (void)in; (void)len;
	return count_lifecycle(0, context, wsi, reason);
}

static int cb1(struct libwebsocket_context *context, struct libwebsocket *wsi,
	       enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)user; (void)in; (void)len;
	return count_lifecycle(1, context, wsi, reason);
}

static int cb2(struct libwebsocket_context *context, struct libwebsocket *wsi,
	       enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)user; (void)in; (void)len;
	return count_lifecycle(2, context, wsi, reason);
}

static void reset_lifecycle(void)
{
	memset(init_calls, 0, sizeof(init_calls));
	memset(destroy_calls, 0, sizeof(destroy_calls));
	memset(init_context, 0, sizeof(init_context));
	init_wsi_null = 1;
}

static void test_no_listen_lifecycle(void)
{
	struct libwebsocket_protocols protocols[PROTOCOLS + 1];
	struct lws_context_creation_info info;
	struct libwebsocket_context *context;
	char host[256];
	const char *canonical;
	int user_marker, i, round;

	for (round = 0; round < 3; round++) {
		memset(protocols, 0, sizeof(protocols));
		protocols[0].name = "http-only";
		protocols[0].callback = cb0;
		protocols[1].name = "first";
		protocols[1].callback = cb1;
		protocols[1].per_session_data_size = 64;
		protocols[2].name = "second";
		protocols[2].callback = cb2;
		protocols[3].protocol_index = 12345; /* the terminator: left alone */

		memset(&info, 0, sizeof(info));
		info.port = CONTEXT_PORT_NO_LISTEN;
		info.protocols = protocols;
		info.gid = -1;
		info.uid = -1;
		info.user = &user_marker;

		reset_lifecycle();
		context = libwebsocket_create_context(&info);
		CHECK(context != NULL);
		if (!context)
			return;
		for (i = 0; i < PROTOCOLS; i++) {
			CHECK_INT(init_calls[i], 1);
			CHECK_INT(destroy_calls[i], 0);
			CHECK(init_context[i] == context);
			CHECK(protocols[i].owning_server == context);
			CHECK_INT(protocols[i].protocol_index, i);
		}
		CHECK(init_wsi_null);
		CHECK(protocols[PROTOCOLS].owning_server == NULL);
		CHECK_INT(protocols[PROTOCOLS].protocol_index, 12345);
		CHECK(libwebsocket_context_user(context) == &user_marker);

		canonical = libwebsocket_canonical_hostname(context);
		CHECK(canonical != NULL && canonical[0] != 0);
		if (canonical && !gethostname(host, sizeof(host) - 1)) {
			host[sizeof(host) - 1] = 0;
			/* The host's own name (1.4 took it from gethostname()). */
			CHECK_STR(canonical, host);
		}

		/* Servicing an idle client-only context is fine. */
		CHECK(libwebsocket_service(context, 0) >= 0);
		CHECK(libwebsocket_service(context, 10) >= 0);

		libwebsocket_context_destroy(context);
		for (i = 0; i < PROTOCOLS; i++) {
			CHECK_INT(init_calls[i], 1);
			CHECK_INT(destroy_calls[i], 1);
		}
	}

	/* With SKIP_SERVER_CANONICAL_NAME there is still a string. */
	info.options = LWS_SERVER_OPTION_SKIP_SERVER_CANONICAL_NAME;
	info.user = NULL;
	context = libwebsocket_create_context(&info);
	CHECK(context != NULL);
	if (context) {
		CHECK(libwebsocket_canonical_hostname(context) != NULL);
		CHECK(libwebsocket_context_user(context) == NULL);
		libwebsocket_context_destroy(context);
	}
}

/* ------------------------------------------------------------------------ */

/* A port that nobody listens on right now. */
static int free_port(void)
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

static struct libwebsocket_protocols simple_protocols[] = {
	{ "http-only", cb0, 0, 0, 0, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

static struct libwebsocket_context *listen_on(int port, const char *iface)
{
	struct lws_context_creation_info info;

	memset(&info, 0, sizeof(info));
	info.port = port;
	info.iface = iface;
	info.protocols = simple_protocols;
	info.gid = -1;
	info.uid = -1;
	info.options = LWS_SERVER_OPTION_SKIP_SERVER_CANONICAL_NAME;
	return libwebsocket_create_context(&info);
}

static void test_creation_failures(void)
{
	struct libwebsocket_context *first = NULL, *second;
	struct sockaddr_in sin;
	int port = -1, attempt, fd;

	/* A port already taken by another context. */
	for (attempt = 0; attempt < 10 && !first; attempt++) {
		port = free_port();
		if (port > 0)
			first = listen_on(port, NULL);
	}
	CHECK(first != NULL);
	if (first) {
		capture_start(LLL_ERR);
		reset_lifecycle();
		second = listen_on(port, NULL);
		CHECK(second == NULL);
		CHECK(capture_count_level(LLL_ERR) >= 1);
		CHECK(capture_find("bind") != NULL);
		/* A context that failed never started its protocols. */
		CHECK_INT(init_calls[0], 0);
		CHECK_INT(destroy_calls[0], 0);
		if (second)
			libwebsocket_context_destroy(second);
		libwebsocket_context_destroy(first);
	}

	/* A port taken by a plain socket of this process. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	CHECK(fd >= 0 && !bind(fd, (struct sockaddr *)&sin, sizeof(sin)) && !listen(fd, 1));
	{
		socklen_t len = sizeof(sin);

		getsockname(fd, (struct sockaddr *)&sin, &len);
	}
	capture_start(LLL_ERR);
	second = listen_on(ntohs(sin.sin_port), NULL);
	CHECK(second == NULL);
	CHECK_INT(capture_count_level(LLL_ERR), 1);
	if (second)
		libwebsocket_context_destroy(second);
	close(fd);

	/* An interface that does not exist. */
	capture_start(LLL_ERR);
	second = listen_on(free_port(), "no-such-if9");
	CHECK(second == NULL);
	CHECK_INT(capture_count_level(LLL_ERR), 1);
	CHECK(capture_find("no-such-if9") != NULL);
	if (second)
		libwebsocket_context_destroy(second);

	/* Ports outside 0..65535. */
	capture_start(LLL_ERR);
	second = listen_on(65536, NULL);
	CHECK(second == NULL);
	second = listen_on(-2, NULL);
	CHECK(second == NULL);
	CHECK_INT(capture_count_level(LLL_ERR), 2);

	/* An address literal as iface is fine. */
	capture_start(LLL_ERR);
	second = listen_on(free_port(), "127.0.0.1");
	CHECK(second != NULL);
	CHECK_INT(capture_count_level(LLL_ERR), 0);
	if (second)
		libwebsocket_context_destroy(second);
	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
}

/* ------------------------------------------------------------------------
 * lws_set_allocator
 * ------------------------------------------------------------------------ */

#define TRACKED 64

static int allocs, frees, frees_unknown;
static void *live[TRACKED];
static size_t live_size[TRACKED];

/* realloc(3) semantics, counting allocations and frees. */
static void *counting_realloc(void *ptr, size_t size)
{
	int i;

	if (ptr) {
		for (i = 0; i < TRACKED; i++)
			if (live[i] == ptr)
				break;
		if (i == TRACKED)
			frees_unknown++;
		else
			live[i] = NULL;
	}
	if (!size) {
		if (ptr) {
			frees++;
			free(ptr);
		}
		return NULL;
	}
	if (!ptr)
		allocs++;
	ptr = realloc(ptr, size);
	for (i = 0; ptr && i < TRACKED; i++)
		if (!live[i]) {
			live[i] = ptr;
			live_size[i] = size;
			break;
		}
	return ptr;
}

static size_t live_block_size(const void *p)
{
	int i;

	for (i = 0; i < TRACKED; i++)
		if (live[i] && live[i] == p)
			return live_size[i];
	return 0;
}

#define PSS_HTTP 48
#define PSS_WS 200

static struct {
	int established, closed, closed_http, http, received;
	void *established_user, *received_user;
	size_t established_user_size;
	int established_user_zeroed;
	char received_text[16];
	/* Header access from ESTABLISHED, with buffers of various sizes. */
	int host_length, copy_exact, copy_short, copy_zero, copy_absent;
	int absent_length, out_of_range_length, copy_out_of_range;
	char host[16], absent[4], out_of_range[4];
	int write_null, write_null_err_lines;
} events;

/* The request's headers as seen by the server, probed from ESTABLISHED. */
static void probe_headers(struct libwebsocket *wsi)
{
	char small[9];

	events.host_length = lws_hdr_total_length(wsi, WSI_TOKEN_HOST);
	memset(events.host, 0x55, sizeof(events.host));
	events.copy_exact = lws_hdr_copy(wsi, events.host, 10, WSI_TOKEN_HOST);
	events.copy_short = lws_hdr_copy(wsi, small, sizeof(small), WSI_TOKEN_HOST);
	events.copy_zero = lws_hdr_copy(wsi, small, 0, WSI_TOKEN_HOST);
	strcpy(events.absent, "xyz");
	events.copy_absent = lws_hdr_copy(wsi, events.absent, sizeof(events.absent), WSI_TOKEN_HTTP_COOKIE);
	events.absent_length = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_COOKIE);
	events.out_of_range_length = lws_hdr_total_length(wsi, (enum lws_token_indexes)1000);
	strcpy(events.out_of_range, "xyz");
	events.copy_out_of_range = lws_hdr_copy(wsi, events.out_of_range, sizeof(events.out_of_range),
						(enum lws_token_indexes)-1);

	/* No buffer to send. */
	capture_start(LLL_ERR | LLL_WARN);
	events.write_null = libwebsocket_write(wsi, NULL, 10, LWS_WRITE_TEXT);
	events.write_null_err_lines = capture_count_level(LLL_ERR);
}

static int alloc_http_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
			 enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)in; (void)len;
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		events.http++;
		/* The per-session data of protocol 0, from our allocator. */
		if (user && live_block_size(user) == PSS_HTTP)
			memset(user, 0x5a, PSS_HTTP);
		libwebsockets_return_http_status(context, wsi, HTTP_STATUS_NOT_FOUND, NULL);
		return 1;
	case LWS_CALLBACK_CLOSED_HTTP:
		events.closed_http++;
		break;
	default:
		break;
	}
	return 0;
}

static int alloc_ws_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		       enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	size_t i;

	(void)context; (void)wsi;
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		events.established++;
		events.established_user = user;
		events.established_user_size = live_block_size(user);
		events.established_user_zeroed = 1;
		for (i = 0; user && i < PSS_WS; i++)
			if (((unsigned char *)user)[i])
				events.established_user_zeroed = 0;
		if (user)
			memset(user, 0xa5, PSS_WS);
		if (events.established == 1)
			probe_headers(wsi);
		break;
	case LWS_CALLBACK_RECEIVE:
		events.received++;
		events.received_user = user;
		if (len < sizeof(events.received_text)) {
			memcpy(events.received_text, in, len);
			events.received_text[len] = 0;
		}
		break;
	case LWS_CALLBACK_CLOSED:
		events.closed++;
		break;
	default:
		break;
	}
	return 0;
}

static struct libwebsocket_protocols alloc_protocols[] = {
	{ "http-only", alloc_http_cb, PSS_HTTP, 0, 0, NULL, NULL, 0 },
	{ "counter", alloc_ws_cb, PSS_WS, 0, 0, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

static int connect_to(int port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int send_all(int fd, const void *data, size_t len)
{
	return send(fd, data, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* Services the context until *flag becomes non-zero (up to ~5 s). */
static int service_until(struct libwebsocket_context *context, const int *flag)
{
	int i;

	for (i = 0; i < 250 && !*flag; i++)
		libwebsocket_service(context, 20);
	return *flag;
}

/* Reads what the server sent so far (services while waiting). */
static size_t read_reply(struct libwebsocket_context *context, int fd, char *buf, size_t size,
			 const char *until)
{
	size_t got = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < 250 && got + 1 < size; i++) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;

		libwebsocket_service(context, 10);
		if (poll(&pfd, 1, 10) != 1)
			continue;
		n = recv(fd, buf + got, size - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = 0;
		if (strstr(buf, until))
			break;
	}
	return got;
}

static const char upgrade_request[] =
	"GET / HTTP/1.1\r\n"
	"Host: localhost\r\n"
	"Upgrade: websocket\r\n"
	"Connection: Upgrade\r\n"
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	"Sec-WebSocket-Version: 13\r\n"
	"Sec-WebSocket-Protocol: counter\r\n"
	"\r\n";

static void test_allocator(void)
{
	struct lws_context_creation_info info;
	struct libwebsocket_context *context = NULL;
	static const unsigned char mask[4] = { 0x11, 0x22, 0x33, 0x44 };
	unsigned char frame[8];
	char reply[2048];
	int port = -1, attempt, fd, fd2;

	memset(&info, 0, sizeof(info));
	info.iface = "127.0.0.1";
	info.protocols = alloc_protocols;
	info.gid = -1;
	info.uid = -1;
	info.options = LWS_SERVER_OPTION_SKIP_SERVER_CANONICAL_NAME;

	lws_set_allocator(counting_realloc);
	for (attempt = 0; attempt < 10 && !context; attempt++) {
		port = free_port();
		info.port = port;
		if (port > 0)
			context = libwebsocket_create_context(&info);
	}
	CHECK(context != NULL);
	if (!context) {
		lws_set_allocator(NULL);
		return;
	}
	/* No connection, no per-session data. */
	CHECK_INT(allocs, 0);

	/* A WebSocket connection: its protocol's per-session data. */
	memset(&events, 0, sizeof(events));
	fd = connect_to(port);
	CHECK(fd >= 0);
	CHECK(send_all(fd, upgrade_request, strlen(upgrade_request)) == 0);
	CHECK(service_until(context, &events.established));
	read_reply(context, fd, reply, sizeof(reply), "\r\n\r\n");
	CHECK(strstr(reply, "HTTP/1.1 101") == reply);
	CHECK(strstr(reply, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") != NULL);
	CHECK(allocs >= 1);
	CHECK(events.established_user != NULL);
	CHECK_INT(events.established_user_size, PSS_WS);
	CHECK(events.established_user_zeroed);

	/* lws_hdr_* on a live connection: "localhost" is 9 bytes + NUL. */
	CHECK_INT(events.host_length, 9);
	CHECK_INT(events.copy_exact, 9);
	CHECK_STR(events.host, "localhost");
	CHECK_INT(events.copy_short, -1);
	CHECK_INT(events.copy_zero, -1);
	CHECK_INT(events.copy_absent, 0);
	CHECK_STR(events.absent, "");
	CHECK_INT(events.absent_length, 0);
	CHECK_INT(events.out_of_range_length, 0);
	CHECK(events.copy_out_of_range <= 0);
	CHECK_INT(events.write_null, -1);
	CHECK_INT(events.write_null_err_lines, 1);

	/* A masked text frame "hi": RECEIVE sees the same per-session data. */
	frame[0] = 0x81;
	frame[1] = 0x80 | 2;
	memcpy(frame + 2, mask, 4);
	frame[6] = 'h' ^ mask[0];
	frame[7] = 'i' ^ mask[1];
	CHECK(send_all(fd, frame, sizeof(frame)) == 0);
	CHECK(service_until(context, &events.received));
	CHECK_STR(events.received_text, "hi");
	CHECK(events.received_user == events.established_user);

	/* The peer goes away: CLOSED, then the block is given back. */
	close(fd);
	CHECK(service_until(context, &events.closed));
	libwebsocket_service(context, 0);
	CHECK_INT(frees, allocs);
	CHECK(live_block_size(events.established_user) == 0);

	/* A plain HTTP request: protocol 0's per-session data. */
	memset(&events, 0, sizeof(events));
	fd = connect_to(port);
	CHECK(send_all(fd, "GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n", 36) == 0);
	CHECK(service_until(context, &events.http));
	read_reply(context, fd, reply, sizeof(reply), "\r\n\r\n");
	CHECK(strstr(reply, "HTTP/1.1 404") == reply);
	close(fd);
	CHECK(service_until(context, &events.closed_http));
	libwebsocket_service(context, 0);
	CHECK(allocs >= 2);
	CHECK_INT(frees, allocs);

	/* Connections still open when the context is destroyed. */
	memset(&events, 0, sizeof(events));
	fd = connect_to(port);
	fd2 = connect_to(port);
	CHECK(send_all(fd, upgrade_request, strlen(upgrade_request)) == 0);
	CHECK(send_all(fd2, upgrade_request, strlen(upgrade_request)) == 0);
	for (attempt = 0; attempt < 250 && events.established < 2; attempt++)
		libwebsocket_service(context, 20);
	CHECK_INT(events.established, 2);
	CHECK(frees < allocs);
	libwebsocket_context_destroy(context);
	CHECK_INT(events.closed, 2);
	CHECK_INT(frees, allocs);
	CHECK_INT(frees_unknown, 0);
	close(fd);
	close(fd2);

	/* NULL restores malloc/free: the counter sees nothing more. */
	lws_set_allocator(NULL);
	{
		int before = allocs;

		context = NULL;
		for (attempt = 0; attempt < 10 && !context; attempt++) {
			port = free_port();
			info.port = port;
			if (port > 0)
				context = libwebsocket_create_context(&info);
		}
		CHECK(context != NULL);
		if (!context)
			return;
		memset(&events, 0, sizeof(events));
		fd = connect_to(port);
		CHECK(send_all(fd, upgrade_request, strlen(upgrade_request)) == 0);
		CHECK(service_until(context, &events.established));
		CHECK(events.established_user != NULL);
		CHECK_INT(events.established_user_size, 0); /* not one of ours */
		CHECK_INT(allocs, before);
		close(fd);
		CHECK(service_until(context, &events.closed));
		libwebsocket_context_destroy(context);
		CHECK_INT(frees, before);
	}
}

int main(void)
{
	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
	test_no_listen_lifecycle();
	test_creation_failures();
	test_allocator();
	return unit_finish("test-context");
}
