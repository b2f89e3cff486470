/*
 * Connections whose input the server cannot use yet: an HTTP request the
 * application has not answered (it returned 0 from LWS_CALLBACK_HTTP and
 * answers later, or never) with the next request already pipelined behind
 * it.
 *
 *  - Holding such input costs nothing: libwebsocket_service(ctx, 50) waits
 *    its 50 ms (about 40 returns in 2 s; a server that kept asking for the
 *    input it cannot use returned some 1.5 million times), with the
 *    internal loop, with an external poll loop and over TLS, where
 *    OpenSSL may hold a decrypted record epoll cannot see.
 *  - The held requests are answered in order once the application has
 *    answered the one before.
 *  - A peer that hangs up (FIN or RST) is closed at once, and so are many
 *    connections that send a request and garbage and leave.
 *  - Under flow control a FIN is noticed without a busy loop, and the
 *    messages before it are still delivered once the flow is back on.
 *  - A request the application never answers is closed by the documented
 *    timeout (30 s), not earlier, stray input behind it or not; so is a
 *    file being served to a peer that stopped reading (30 s without taking
 *    a piece).
 */
#include "serverkit.h"

#include <openssl/ssl.h>

#define MAX_REQUESTS 64

static int requests, closed_http, destroyed;
static struct libwebsocket *pending[MAX_REQUESTS];
static char uris[MAX_REQUESTS][32];
static double closed_at;
/* A file larger than any socket buffer, served as /big. */
static char big_file[64];

static int http_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		   enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)context; (void)user; (void)len;
	if (kit_poll_callback(wsi, reason, in))
		return 0;
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		if (!strcmp((const char *)in, "/big") && big_file[0])
			return libwebsockets_serve_http_file(context, wsi, big_file, "application/octet-stream",
							     NULL, 0) < 0 ? -1 : 0;
		/* Taken, not answered: the test answers later, or never. */
		if (requests < MAX_REQUESTS) {
			pending[requests] = wsi;
			snprintf(uris[requests], sizeof(uris[0]), "%s", (const char *)in);
		}
		requests++;
		break;
	case LWS_CALLBACK_CLOSED_HTTP:
		closed_http++;
		closed_at = kit_now_ms();
		break;
	case LWS_CALLBACK_WSI_DESTROY:
		destroyed++;
		break;
	default:
		break;
	}
	return 0;
}

/* A WebSocket protocol whose "stop" message turns the receive flow off. */
static int ws_receives, ws_closed;
static struct libwebsocket *ws_wsi;

static int flow_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		   enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)context; (void)user;
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		ws_wsi = wsi;
		break;
	case LWS_CALLBACK_RECEIVE:
		ws_receives++;
		if (len == 4 && !memcmp(in, "stop", 4))
			libwebsocket_rx_flow_control(wsi, 0);
		break;
	case LWS_CALLBACK_CLOSED:
		ws_closed++;
		break;
	default:
		break;
	}
	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	{ "http-only", http_cb, 0, 0, 0, NULL, NULL, 0 },
	{ "flow", flow_cb, 0, 0, 0, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

static int start(int tls)
{
	struct lws_context_creation_info info;

	kit_server_info(&info, protocols);
	if (tls) {
		info.ssl_cert_filepath = kit_cert_path;
		info.ssl_private_key_filepath = kit_key_path;
	}
	requests = closed_http = destroyed = 0;
	ws_receives = ws_closed = 0;
	ws_wsi = NULL;
	memset(pending, 0, sizeof(pending));
	return kit_listen(&info);
}

/*
 * The second request is sent once the first was taken: arriving later, it
 * stays in the kernel where epoll sees it.
 */
static const char first_request[] = "GET /one HTTP/1.1\r\nHost: localhost\r\n\r\n";
static const char second_request[] = "GET /two HTTP/1.1\r\nHost: localhost\r\n\r\n";
static const char third_request[] = "GET /three HTTP/1.1\r\nHost: localhost\r\n\r\n";

/*
 * Answers request i and completes its transaction: the request held
 * behind it, uri, is taken next.
 */
static void answer_then_take(int i, const char *uri)
{
	CHECK(!libwebsockets_return_http_status(kit_context, pending[i], 200, NULL));
	CHECK_INT(lws_http_transaction_completed(pending[i]), 0);
	CHECK(kit_until_count(&requests, i + 2, 3000));
	CHECK_STR(uris[i + 1], uri);
}

/*
 * Connects, has /one taken and /two held behind it, and checks that
 * holding it costs nothing. Returns the client's socket.
 */
static int hold_second_request(int port, const char *what)
{
	int fd = kit_connect(port);

	CHECK(!kit_send_str(fd, first_request));
	CHECK(kit_until_count(&requests, 1, 3000));
	CHECK(!kit_send_str(fd, second_request));
	CHECK(kit_service_returns(what, 2000) < KIT_QUIET(2000));
	return fd;
}

static void reset_peer(int fd)
{
	struct linger hard = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
	close(fd);
}

static void test_held_then_answered_then_fin(void)
{
	int port = start(0), fd;

	CHECK(port > 0);
	if (port <= 0)
		return;
	fd = hold_second_request(port, "plain, request held");
	/* One more segment changes nothing. */
	CHECK(!kit_send_str(fd, third_request));
	CHECK(kit_service_returns("plain, one more segment", 1000) < KIT_QUIET(1000));
	CHECK_INT(requests, 1);

	/* Answered: the held requests follow, in order. */
	answer_then_take(0, "/two");
	answer_then_take(1, "/three");
	CHECK_INT(closed_http, 0);

	/* The peer's FIN while /three waits for its answer: closed now. */
	shutdown(fd, SHUT_WR);
	CHECK(kit_until_count(&closed_http, 1, 3000));
	CHECK_INT(destroyed, 1);
	CHECK(kit_wait_eof(fd, 3000));
	close(fd);
	kit_destroy();
}

static void test_reset_while_held(int extpoll)
{
	int port, fd;

	kit_use_extpoll(extpoll);
	port = start(0);
	CHECK(port > 0);
	if (port <= 0)
		return;
	fd = hold_second_request(port, extpoll ? "external poll, request held" : "plain, request held");
	reset_peer(fd);
	CHECK(kit_until_count(&closed_http, 1, 3000));
	CHECK_INT(destroyed, 1);
	if (extpoll) {
		CHECK_INT(kit_poll.count, 2);  /* the listener and the wake fd are left */
		CHECK_INT(kit_poll.revents_left, 0);
	}
	kit_destroy();
	kit_use_extpoll(0);
}

/* Many clients send a request and garbage behind it, and leave. */
static void test_garbage_and_leave(void)
{
	enum { CLIENTS = 100 };
	static const char garbage[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n\x01\x02 garbage \xff\r\n";
	int port = start(0), fds[CLIENTS], i;

	CHECK(port > 0);
	if (port <= 0)
		return;
	for (i = 0; i < CLIENTS; i++) {
		fds[i] = kit_connect(port);
		CHECK(fds[i] >= 0);
		CHECK(!kit_send(fds[i], garbage, sizeof(garbage) - 1));
		kit_pump(0);
	}
	CHECK(kit_until_count(&requests, CLIENTS, 5000));
	for (i = 0; i < CLIENTS; i++)
		close(fds[i]);
	CHECK(kit_until_count(&destroyed, CLIENTS, 5000));
	CHECK_INT(closed_http, CLIENTS);
	CHECK(kit_service_returns("after 100 clients left", 1000) < KIT_QUIET(1000));
	kit_destroy();
}

static void test_fin_under_flow_control(void)
{
	int port = start(0), fd;

	CHECK(port > 0);
	if (port <= 0)
		return;
	fd = kit_ws_open(port, "flow");
	CHECK(fd >= 0);
	CHECK(!kit_send_frame(fd, 0x81, "stop", 4));
	CHECK(kit_until_count(&ws_receives, 1, 3000));
	CHECK(!kit_send_frame(fd, 0x81, "a", 1));
	CHECK(!kit_send_frame(fd, 0x81, "b", 1));
	shutdown(fd, SHUT_WR);
	CHECK(kit_service_returns("flow control off, peer finished", 1000) < KIT_QUIET(1000));
	CHECK_INT(ws_receives, 1);
	CHECK_INT(ws_closed, 0);
	/* Back on: both messages, then the end of the stream. */
	libwebsocket_rx_flow_control(ws_wsi, 1);
	CHECK(kit_until_count(&ws_closed, 1, 3000));
	CHECK_INT(ws_receives, 3);
	close(fd);
	kit_destroy();
}

/* ------------------------------------------------------------------------
 * TLS: the test is its own client through OpenSSL
 * ------------------------------------------------------------------------ */

/* Connects and completes the handshake, pumping the server meanwhile. */
static SSL *tls_connect(SSL_CTX *ctx, int port, int *fd_out)
{
	int fd = kit_connect(port);
	double end = kit_now_ms() + 5000;
	SSL *ssl;

	*fd_out = fd;
	if (fd < 0)
		return NULL;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	while (kit_now_ms() < end) {
		int r = SSL_connect(ssl), e;

		if (r == 1)
			return ssl;
		e = SSL_get_error(ssl, r);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			break;
		kit_pump(10);
	}
	SSL_free(ssl);
	return NULL;
}

static int tls_send(SSL *ssl, const char *s)
{
	double end = kit_now_ms() + 3000;

	while (kit_now_ms() < end) {
		int r = SSL_write(ssl, s, (int)strlen(s));

		if (r > 0)
			return 0;
		kit_pump(10);
	}
	return -1;
}

static void test_tls(void)
{
	SSL_CTX *ctx;
	SSL *ssl;
	int port, fd;

	if (!kit_make_certificate()) {
		CHECK(!"openssl req made a certificate");
		return;
	}
	port = start(1);
	CHECK(port > 0);
	ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	ssl = port > 0 ? tls_connect(ctx, port, &fd) : NULL;
	CHECK(ssl != NULL);
	if (ssl) {
		CHECK(!tls_send(ssl, first_request));
		CHECK(kit_until_count(&requests, 1, 3000));
		/* Two records at once: read ahead, the second sits decrypted
		 * inside OpenSSL once the first is taken. */
		CHECK(!tls_send(ssl, second_request));
		CHECK(!tls_send(ssl, third_request));
		CHECK(kit_service_returns("TLS, requests held", 2000) < KIT_QUIET(2000));
		CHECK_INT(requests, 1);
		answer_then_take(0, "/two");
		CHECK(kit_service_returns("TLS, third request held", 1000) < KIT_QUIET(1000));
		CHECK_INT(requests, 2);
		answer_then_take(1, "/three");

		/* The peer leaves while /three waits for its answer. */
		shutdown(fd, SHUT_WR);
		CHECK(kit_until_count(&closed_http, 1, 3000));
		CHECK_INT(destroyed, 1);
		SSL_free(ssl);
		close(fd);
	}
	SSL_CTX_free(ctx);
	kit_destroy();
	kit_remove_certificate();
}

/* ------------------------------------------------------------------------
 * The application never answers
 * ------------------------------------------------------------------------ */

static void test_unanswered_times_out(void)
{
	int port = start(0), fd, reader, file;
	double asked, first_closed;

	CHECK(port > 0);
	if (port <= 0)
		return;
	strcpy(big_file, "/tmp/lws-held-big-XXXXXX");
	file = mkstemp(big_file);
	CHECK(file >= 0 && !ftruncate(file, 64 << 20));
	if (file >= 0)
		close(file);
	fd = kit_connect(port);
	CHECK(!kit_send_str(fd, "GET /never HTTP/1.1\r\nHost: localhost\r\n\r\n"));
	CHECK(kit_until_count(&requests, 1, 3000));
	asked = kit_now_ms();
	/* Stray bytes behind the unanswered request change nothing. */
	CHECK(!kit_send_str(fd, "stray bytes, no request"));
	/* Meanwhile a peer asks for a big file and never reads it. */
	reader = kit_connect(port);
	CHECK(!kit_send_str(reader, "GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n"));
	/* Still open after 1.4's five seconds: answering late is allowed. */
	kit_until(&closed_http, 6000);
	CHECK_INT(closed_http, 0);
	CHECK(kit_until(&closed_http, 45000));
	first_closed = closed_at;
	CHECK(kit_until_count(&closed_http, 2, 10000));
	printf("unanswered request and stalled file closed after %.1f and %.1f s\n",
	       (first_closed - asked) / 1000, (closed_at - asked) / 1000);
	CHECK(first_closed - asked >= 29000);
	CHECK(kit_wait_eof(fd, 3000));
	close(fd);
	close(reader);
	unlink(big_file);
	big_file[0] = 0;
	kit_destroy();
}

int main(void)
{
	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
	test_held_then_answered_then_fin();
	test_reset_while_held(0);
	test_reset_while_held(1);
	test_garbage_and_leave();
	test_fin_under_flow_control();
	test_tls();
	test_unanswered_times_out();
	return unit_finish("held-input");
}
