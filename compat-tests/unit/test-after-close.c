/*
 * Writing to a connection that is closing: from LWS_CALLBACK_CLOSED (and
 * CLOSED_HTTP), libwebsocket_write() and
 * libwebsocket_callback_on_writable() return -1, as in 1.4, and nothing
 * follows our close frame on the wire (RFC 6455 5.5.1: no data after a
 * Close) -- whoever closed: the client with a close frame, the server by
 * a callback's return value, the client by a reset, or
 * libwebsocket_context_destroy().
 *
 * Once the client's close has been answered, the close handshake is
 * complete and the server closes its plain socket at once, as 1.4 did and
 * RFC 6455 7.1.1 asks of a server: the connection is destroyed while the
 * client still holds its end open, not after the client's FIN (or the 5 s
 * close timeout) as a lingering socket would be.
 */
#include "serverkit.h"

static struct {
	int closed, write_result, writable_result, destroyed;
} late;

/* Writes and asks for WRITEABLE from inside the close callbacks. */
static void write_while_closing(struct libwebsocket_context *context, struct libwebsocket *wsi,
				enum libwebsocket_write_protocol protocol)
{
	unsigned char buf[LWS_SEND_BUFFER_PRE_PADDING + 8 + LWS_SEND_BUFFER_POST_PADDING];

	memcpy(buf + LWS_SEND_BUFFER_PRE_PADDING, "late", 4);
	late.write_result = libwebsocket_write(wsi, buf + LWS_SEND_BUFFER_PRE_PADDING, 4, protocol);
	late.writable_result = libwebsocket_callback_on_writable(context, wsi);
	late.closed++;
}

static int http_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		   enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)user; (void)in; (void)len;
	if (reason == LWS_CALLBACK_CLOSED_HTTP)
		write_while_closing(context, wsi, LWS_WRITE_HTTP);
	if (reason == LWS_CALLBACK_WSI_DESTROY)
		late.destroyed++;
	return 0;
}

static int late_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		   enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)user;
	switch (reason) {
	case LWS_CALLBACK_RECEIVE:
		/* "bye": the server closes. */
		return len == 3 && !memcmp(in, "bye", 3);
	case LWS_CALLBACK_CLOSED:
		write_while_closing(context, wsi, LWS_WRITE_TEXT);
		break;
	default:
		break;
	}
	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	{ "http-only", http_cb, 0, 0, 0, NULL, NULL, 0 },
	{ "late", late_cb, 0, 0, 0, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

static int start(void)
{
	memset(&late, 0, sizeof(late));
	return kit_serve(protocols);
}

static void check_refused(void)
{
	CHECK_INT(late.closed, 1);
	CHECK_INT(late.write_result, -1);
	CHECK_INT(late.writable_result, -1);
}

/* Reads our close frame, then checks that only the end of the stream follows. */
static void check_close_is_last(int fd)
{
	unsigned char first, buf[16];
	char rest[256];
	size_t extra = 0;
	double end = kit_now_ms() + 3000;

	kit_read_frame(fd, &first, buf, sizeof(buf), 3000);
	CHECK_INT(first, 0x88);
	while (kit_now_ms() < end && kit_wait_readable(fd, 100)) {
		ssize_t n = recv(fd, rest, sizeof(rest), MSG_DONTWAIT);

		if (n == 0)
			break;
		if (n > 0)
			extra += (size_t)n;
	}
	CHECK_INT(extra, 0);
}

static void test_client_closes(void)
{
	static const unsigned char normal[] = { 0x03, 0xe8 };
	int port = start(), fd;

	CHECK(port > 0);
	fd = kit_ws_open(port, "late");
	CHECK(fd >= 0);
	CHECK(!kit_send_frame(fd, 0x88, normal, sizeof(normal)));
	check_close_is_last(fd);
	check_refused();
	close(fd);
	kit_destroy();
}

static void test_server_closes(void)
{
	int port = start(), fd;

	CHECK(port > 0);
	fd = kit_ws_open(port, "late");
	CHECK(fd >= 0);
	CHECK(!kit_send_frame(fd, 0x81, "bye", 3));
	check_close_is_last(fd);
	check_refused();
	close(fd);
	kit_destroy();
}

/* The client closes, reads our answer and keeps its socket open. */
static void test_closed_without_waiting_for_fin(void)
{
	static const unsigned char normal[] = { 0x03, 0xe8 };
	unsigned char first, buf[16];
	int port = start(), fd;

	CHECK(port > 0);
	fd = kit_ws_open(port, "late");
	CHECK(fd >= 0);
	CHECK(!kit_send_frame(fd, 0x88, normal, sizeof(normal)));
	kit_read_frame(fd, &first, buf, sizeof(buf), 3000);
	CHECK_INT(first, 0x88);
	/* Well inside the 5 s a lingering socket would wait for our FIN. */
	CHECK(kit_until(&late.destroyed, 3000));
	CHECK_INT(late.closed, 1);
	close(fd);
	kit_destroy();
}

static void test_client_resets(void)
{
	struct linger hard = { 1, 0 };
	int port = start(), fd;

	CHECK(port > 0);
	fd = kit_ws_open(port, "late");
	CHECK(fd >= 0);
	kit_pump(10);
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
	close(fd);
	CHECK(kit_until(&late.closed, 3000));
	check_refused();
	kit_destroy();
}

static void test_context_destroyed(void)
{
	int port = start(), fd;

	CHECK(port > 0);
	fd = kit_ws_open(port, "late");
	CHECK(fd >= 0);
	kit_pump(10);
	kit_destroy();
	check_close_is_last(fd);
	check_refused();
	close(fd);
}

static void test_http_client_leaves(void)
{
	int port = start(), fd;

	CHECK(port > 0);
	fd = kit_connect(port);
	CHECK(!kit_send_str(fd, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
	kit_pump(10);
	close(fd);
	CHECK(kit_until(&late.closed, 3000));
	check_refused();
	kit_destroy();
}

int main(void)
{
	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
	test_client_closes();
	test_server_closes();
	test_closed_without_waiting_for_fin();
	test_client_resets();
	test_context_destroyed();
	test_http_client_leaves();
	return unit_finish("after-close");
}
