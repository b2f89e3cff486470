/*
 * Closes that must not wait, be lost, or hold the service thread:
 *
 *  - An echo the application queued for WRITEABLE from RECEIVE still goes
 *    out when the next frame of the same read breaks the protocol
 *    (reserved bits, a reserved opcode, a continuation with no message):
 *    the client reads the echo, then the 1002 close, as an RFC 6455
 *    conformance suite expects of a strict server.
 *  - A close requested outside any callback (here by
 *    libwebsocket_callback_all_protocol, whose callback answers non-zero)
 *    is carried out by an external poll loop without the peer sending
 *    anything: the library wakes the loop.
 *  - A closed connection whose peer keeps sending (here an endless stream
 *    that recv() below makes up) must not hold the service call: other
 *    connections are served meanwhile, and the close-ack timeout ends it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>

#include "serverkit.h"

/* ------------------------------------------------------------------------
 * recv() seen by the library: endless input on one chosen fd
 * ------------------------------------------------------------------------ */

static volatile int endless_fd = -1;

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	static ssize_t (*real_recv)(int, void *, size_t, int);

	if (fd == endless_fd && len) {
		memset(buf, 'x', len);
		return (ssize_t)len;
	}
	if (!real_recv)
		real_recv = (ssize_t (*)(int, void *, size_t, int))dlsym(RTLD_NEXT, "recv");
	return real_recv(fd, buf, len, flags);
}

/* ------------------------------------------------------------------------
 * An echo protocol that answers from WRITEABLE, as 1.4 test-echo does
 * ------------------------------------------------------------------------ */

struct session {
	unsigned char buf[LWS_SEND_BUFFER_PRE_PADDING + 128 + LWS_SEND_BUFFER_POST_PADDING];
	size_t len;
	int fd;
};

static struct libwebsocket *last_wsi;
static int last_fd = -1;
static volatile int closed, destroyed, established;
static int close_only_fd = -1;

static int echo_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		   enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	struct session *s = (struct session *)user;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		s->fd = libwebsocket_get_socket_fd(wsi);
		last_wsi = wsi;
		last_fd = s->fd;
		established++;
		break;
	case LWS_CALLBACK_RECEIVE:
		if (len > 128)
			return -1;
		memcpy(s->buf + LWS_SEND_BUFFER_PRE_PADDING, in, len);
		s->len = len;
		libwebsocket_callback_on_writable(context, wsi);
		break;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (libwebsocket_write(wsi, s->buf + LWS_SEND_BUFFER_PRE_PADDING, s->len, LWS_WRITE_TEXT) < 0)
			return -1;
		break;
	case LWS_CALLBACK_USER:
		/* Asked through libwebsocket_callback_all_protocol: close
		 * (every connection, or only the one on close_only_fd). */
		return close_only_fd < 0 || s->fd == close_only_fd ? -1 : 0;
	case LWS_CALLBACK_CLOSED:
		closed++;
		break;
	default:
		break;
	}
	return 0;
}

static int http_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		   enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	if (reason == LWS_CALLBACK_WSI_DESTROY)
		destroyed++;
	return kit_no_http_polled(context, wsi, reason, user, in, len);
}

static struct libwebsocket_protocols protocols[] = {
	{ "http-only", http_cb, 0, 0, 0, NULL, NULL, 0 },
	{ "echo", echo_cb, sizeof(struct session), 0, 0, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

static int open_echo(int *port)
{
	int fd;

	closed = destroyed = established = 0;
	*port = kit_serve(protocols);
	if (*port <= 0)
		return -1;
	fd = kit_ws_open(*port, "echo");
	if (fd >= 0 && !kit_until(&established, 3000)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The close code of a close frame's payload, or -1. */
static int close_code(unsigned char first, const unsigned char *payload, long n)
{
	if (first != 0x88 || n < 2)
		return -1;
	return payload[0] << 8 | payload[1];
}

/* ------------------------------------------------------------------------
 * 1. The echo of a good message survives the bad frame behind it
 * ------------------------------------------------------------------------ */

static void test_echo_before_failure(unsigned char bad_first_byte, const char *what)
{
	unsigned char wire[64], first, payload[128];
	size_t n;
	long got;
	int port, fd = open_echo(&port);

	CHECK(fd >= 0);
	if (fd < 0) {
		kit_destroy();
		return;
	}
	/* One send, one read on the server: the good message and the bad frame. */
	n = kit_put_frame(wire, 0x81, "hello");
	n += kit_put_frame(wire + n, bad_first_byte, "bad");
	CHECK(!kit_send(fd, wire, n));
	got = kit_read_frame(fd, &first, payload, sizeof(payload), 3000);
	if (got != 5 || first != 0x81 || memcmp(payload, "hello", 5))
		fprintf(stderr, "%s: first frame 0x%02x, %ld bytes\n", what, first, got);
	CHECK(got == 5 && first == 0x81 && !memcmp(payload, "hello", 5));
	if (first == 0x81)
		got = kit_read_frame(fd, &first, payload, sizeof(payload), 3000);
	CHECK_INT(close_code(first, payload, got), 1002);
	CHECK(kit_until(&closed, 3000));
	close(fd);
	kit_destroy();
}

/* ------------------------------------------------------------------------
 * 2. A close asked for outside any callback, on an external poll loop
 * ------------------------------------------------------------------------ */

static void test_close_from_outside(void)
{
	unsigned char first, payload[128];
	long got;
	int port, fd;

	kit_use_extpoll(1);
	fd = open_echo(&port);
	CHECK(fd >= 0);
	if (fd >= 0) {
		/* Not inside a service call: the callback's -1 asks for a close. */
		CHECK_INT(libwebsocket_callback_all_protocol(&protocols[1], LWS_CALLBACK_USER), 0);
		/* The peer sends nothing; the loop only services what polls ready. */
		got = kit_read_frame(fd, &first, payload, sizeof(payload), 2000);
		CHECK_INT(close_code(first, payload, got), 1000);
		CHECK_INT(closed, 1);
		close(fd);
	}
	kit_destroy();
	kit_use_extpoll(0);
}

/* ------------------------------------------------------------------------
 * 3. A closed connection's peer that never stops sending
 * ------------------------------------------------------------------------ */

/* Fails the test at once if one service call takes far too long. */
static volatile double service_started;

static void *watchdog(void *arg)
{
	(void)arg;
	for (;;) {
		kit_sleep_ms(200);
		if (service_started && kit_now_ms() - service_started > 10000) {
			fprintf(stderr, "FAIL: one service call has run for 10 s\n");
			_exit(1);
		}
	}
	return NULL;
}

static void test_endless_peer_after_close(void)
{
	unsigned char first, payload[128];
	long got;
	int port, flooder, other, other_established, i;
	double end;
	pthread_t dog;

	flooder = open_echo(&port);
	CHECK(flooder >= 0);
	if (flooder < 0) {
		kit_destroy();
		return;
	}
	endless_fd = last_fd;
	other = kit_ws_open(port, "echo");
	other_established = established;
	CHECK(other >= 0 && other_established == 2);
	/* The server closes the first connection (it lingers for the peer's
	 * close), then its peer sends without end. */
	close_only_fd = endless_fd;
	libwebsocket_callback_all_protocol(&protocols[1], LWS_CALLBACK_USER);
	close_only_fd = -1;
	CHECK(!kit_send_str(flooder, "more"));
	CHECK(!pthread_create(&dog, NULL, watchdog, NULL));
	pthread_detach(dog);
	end = kit_now_ms() + 30000;
	/* The other connection is served meanwhile, a few times over. */
	for (i = 0; i < 3 && other >= 0; i++) {
		service_started = kit_now_ms();
		CHECK(!kit_send_frame(other, 0x81, "ping", 4));
		got = kit_read_frame(other, &first, payload, sizeof(payload), 3000);
		CHECK(got == 4 && first == 0x81 && !memcmp(payload, "ping", 4));
	}
	/* The close-ack timeout ends the lingering connection. */
	while (destroyed < 1 && kit_now_ms() < end) {
		service_started = kit_now_ms();
		libwebsocket_service(kit_context, 50);
	}
	service_started = 0;
	CHECK_INT(destroyed, 1);
	endless_fd = -1;
	close(flooder);
	if (other >= 0)
		close(other);
	kit_destroy();
}

int main(void)
{
	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
	test_echo_before_failure(0xc1, "RSV1 without an extension");
	test_echo_before_failure(0x83, "reserved opcode 3");
	test_echo_before_failure(0x80, "continuation with no message");
	test_close_from_outside();
	test_endless_peer_after_close();
	return unit_finish("closing");
}
