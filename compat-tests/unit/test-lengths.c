/*
 * Sizes and lengths no buffer can have, passed to every API that takes
 * one: each call fails the documented way (-1, 1, NULL) and the process
 * goes on; nothing traps inside the library. The huge values are beyond
 * any address space (1 << 57 and up, SIZE_MAX and its neighbours), or
 * int lengths that do not fit the output the caller also described.
 *
 * Each group runs in a child process, so a trap in one is reported as a
 * failure of that group and the others still run.
 *
 * Also: a protocol whose rx_buffer_size or per_session_data_size cannot
 * be allocated is served or refused cleanly (never a callback with a NULL
 * per-session pointer), and other_headers_len larger than the headers
 * string reads no further than its NUL.
 */
#include "serverkit.h"

#include <limits.h>
#include <stdint.h>
#include <sys/wait.h>

#define HUGE_COUNT 6
static const size_t huge[HUGE_COUNT] = {
	(size_t)1 << 57, (size_t)1 << 62, (size_t)1 << 63,
	SIZE_MAX / 2, SIZE_MAX - 1, SIZE_MAX,
};

static unsigned char padded[LWS_SEND_BUFFER_PRE_PADDING + 64 + LWS_SEND_BUFFER_POST_PADDING];
#define PAYLOAD (padded + LWS_SEND_BUFFER_PRE_PADDING)

/* libwebsocket_write with every huge length and a protocol; then a real one. */
static void check_writes(struct libwebsocket *wsi, enum libwebsocket_write_protocol protocol)
{
	int i;

	for (i = 0; i < HUGE_COUNT; i++)
		CHECK_INT(libwebsocket_write(wsi, PAYLOAD, huge[i], protocol), -1);
}

static int http_done, ws_done, client_done, null_user, huge_rx_bytes, huge_rx_calls;
static char file_path[64];

/* The HTTP API from inside LWS_CALLBACK_HTTP. */
static void check_http_api(struct libwebsocket_context *context, struct libwebsocket *wsi)
{
	char dest[64];
	int i;

	CHECK_INT(lws_hdr_copy(wsi, dest, -1, WSI_TOKEN_HOST), -1);
	CHECK_INT(lws_hdr_copy(wsi, dest, INT_MIN, WSI_TOKEN_HOST), -1);
	/* A larger buffer than needed is fine: only the value is written. */
	CHECK_INT(lws_hdr_copy(wsi, dest, INT_MAX, WSI_TOKEN_HOST), 9);
	CHECK_INT(lws_hdr_copy(wsi, dest, sizeof(dest), (enum lws_token_indexes)100000), 0);
	CHECK_INT(lws_hdr_copy(wsi, dest, sizeof(dest), (enum lws_token_indexes)-1), 0);
	CHECK_INT(lws_hdr_total_length(wsi, (enum lws_token_indexes)INT_MAX), 0);
	CHECK_INT(lws_hdr_total_length(wsi, (enum lws_token_indexes)-1), 0);
	check_writes(wsi, LWS_WRITE_HTTP);
	for (i = 0; i < HUGE_COUNT; i++)
		CHECK_INT(libwebsocket_read(context, wsi, PAYLOAD, huge[i]), -1);
}

static int http_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		   enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)len;
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		if (!user)
			null_user++;
		if (!strcmp((const char *)in, "/file")) {
			/* other_headers_len far beyond the string's NUL. */
			libwebsockets_serve_http_file(context, wsi, file_path, "text/plain",
						      "X-Extra: yes\r\n", INT_MAX);
			http_done = 1;
			return 0;
		}
		check_http_api(context, wsi);
		libwebsockets_return_http_status(context, wsi, 200, NULL);
		http_done = 1;
		return 1;
	default:
		break;
	}
	return 0;
}

static int ws_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		 enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	int i;

	(void)in;
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (!user)
			null_user++;
		if (reason == LWS_CALLBACK_CLIENT_ESTABLISHED) {
			/* The client masks in place: refused before touching it. */
			check_writes(wsi, LWS_WRITE_BINARY);
			memcpy(PAYLOAD, "ok", 2);
			CHECK_INT(libwebsocket_write(wsi, PAYLOAD, 2, LWS_WRITE_TEXT), 2);
			client_done = 1;
		}
		break;
	case LWS_CALLBACK_RECEIVE:
		if (!user)
			null_user++;
		if (libwebsockets_get_protocol(wsi)->rx_buffer_size > 4096) {
			huge_rx_calls++;
			huge_rx_bytes += (int)len;
			break;
		}
		check_writes(wsi, LWS_WRITE_TEXT);
		check_writes(wsi, LWS_WRITE_PING);
		for (i = 0; i < HUGE_COUNT; i++)
			CHECK_INT(libwebsocket_read(context, wsi, PAYLOAD, huge[i]), -1);
		memcpy(PAYLOAD, "ok", 2);
		CHECK_INT(libwebsocket_write(wsi, PAYLOAD, 2, LWS_WRITE_TEXT), 2);
		ws_done = 1;
		break;
	default:
		break;
	}
	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	{ "http-only", http_cb, 16, 0, 0, NULL, NULL, 0 },
	{ "ws", ws_cb, 16, 0, 0, NULL, NULL, 0 },
	{ "huge-pss", ws_cb, (size_t)1 << 62, 0, 0, NULL, NULL, 0 },
	{ "huge-rx", ws_cb, 16, (size_t)1 << 62, 0, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

/* The client's own array: a context writes into the one it is given. */
static struct libwebsocket_protocols client_protocols[] = {
	{ "http-only", kit_no_http, 0, 0, 0, NULL, NULL, 0 },
	{ "ws", ws_cb, 16, 0, 0, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};


/* ------------------------------------------------------------------------
 * The groups
 * ------------------------------------------------------------------------ */

/* Requests path from a new server; the response head is left in head. */
static void get(const char *path, char *head, size_t size)
{
	char request[128];
	int port = kit_serve(protocols), fd;

	CHECK(port > 0);
	fd = kit_connect(port);
	snprintf(request, sizeof(request), "GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", path);
	CHECK(!kit_send_str(fd, request));
	CHECK(kit_until(&http_done, 3000));
	CHECK(kit_read_head(fd, head, size, 3000) > 0);
	CHECK_INT(kit_status(head), 200);
	close(fd);
	kit_destroy();
}

static void group_http(void)
{
	char head[1024];

	get("/", head, sizeof(head));
}

static void group_file_headers(void)
{
	char head[1024];
	int file;

	snprintf(file_path, sizeof(file_path), "/tmp/lws-lengths-%d", (int)getpid());
	file = open(file_path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	CHECK(write(file, "body", 4) == 4);
	close(file);
	get("/file", head, sizeof(head));
	CHECK(strstr(head, "\r\nX-Extra: yes\r\n\r\n") != NULL);
	unlink(file_path);
}

static void group_websocket(void)
{
	int port = kit_serve(protocols), fd;
	unsigned char first, buf[16];

	CHECK(port > 0);
	fd = kit_ws_open(port, "ws");
	CHECK(fd >= 0);
	CHECK(!kit_send_frame(fd, 0x81, "go", 2));
	CHECK(kit_until(&ws_done, 3000));
	CHECK_INT(kit_read_frame(fd, &first, buf, sizeof(buf), 3000), 2);
	CHECK_INT(first, 0x81);
	close(fd);
	kit_destroy();
}

static void group_client(void)
{
	struct lws_context_creation_info info;
	struct libwebsocket_context *clients;
	int port = kit_serve(protocols);
	double end = kit_now_ms() + 5000;

	CHECK(port > 0);
	kit_server_info(&info, client_protocols);
	info.port = CONTEXT_PORT_NO_LISTEN;
	clients = libwebsocket_create_context(&info);
	CHECK(clients != NULL);
	if (!clients)
		return;
	CHECK(libwebsocket_client_connect(clients, "127.0.0.1", port, 0, "/", "localhost",
					  "localhost", "ws", -1) != NULL);
	while (!ws_done && kit_now_ms() < end) {
		libwebsocket_service(clients, 0);
		kit_pump(5);
	}
	CHECK(client_done);
	CHECK(ws_done);
	libwebsocket_context_destroy(clients);
	kit_destroy();
}

/* per_session_data_size no allocator can give: the upgrade is refused. */
static void group_huge_session(void)
{
	int port = kit_serve(protocols), fd;

	CHECK(port > 0);
	fd = kit_connect(port);
	CHECK_INT(kit_upgrade(fd, "huge-pss", NULL), 500);
	CHECK_INT(null_user, 0);
	close(fd);
	kit_destroy();
}

/* rx_buffer_size beyond any allocation: a frame split across reads still
 * arrives, in pieces the library could allocate. */
static void group_huge_receive_buffer(void)
{
	enum { SIZE = 60000 };
	static unsigned char message[SIZE];
	int port = kit_serve(protocols), fd;

	CHECK(port > 0);
	fd = kit_ws_open(port, "huge-rx");
	CHECK(fd >= 0);
	/* A masked frame (zero mask) of SIZE bytes after its 8-byte header:
	 * the header and the first half are read, then the rest. */
	memset(message, 'x', sizeof(message));
	message[0] = 0x82;
	message[1] = 0x80 | 126;
	message[2] = (SIZE - 8) >> 8;
	message[3] = (SIZE - 8) & 0xff;
	memset(message + 4, 0, 4);
	CHECK(!kit_send(fd, message, SIZE / 2));
	kit_pump(20);
	kit_pump(20);
	CHECK(!kit_send(fd, message + SIZE / 2, SIZE - SIZE / 2));
	CHECK(kit_until_count(&huge_rx_bytes, SIZE - 8, 3000));
	CHECK(huge_rx_calls >= 1);
	printf("huge rx: %d bytes in %d calls\n", huge_rx_bytes, huge_rx_calls);
	CHECK_INT(null_user, 0);
	close(fd);
	kit_destroy();
}

static void group_utilities(void)
{
	unsigned char md[20], data[16] = "abc";
	char out[64], in[] = "YWJj";
	int i;

	for (i = 0; i < HUGE_COUNT; i++)
		CHECK(libwebsockets_SHA1(data, huge[i], md) == NULL);
	CHECK(libwebsockets_SHA1(data, 3, md) == md);

	/* Input longer than the output could take: refused before reading. */
	CHECK_INT(lws_b64_encode_string((const char *)data, INT_MAX, out, sizeof(out)), -1);
	CHECK_INT(lws_b64_encode_string((const char *)data, -1, out, sizeof(out)), -1);
	CHECK_INT(lws_b64_encode_string((const char *)data, INT_MIN, out, sizeof(out)), -1);
	CHECK_INT(lws_b64_encode_string((const char *)data, 3, out, -1), -1);
	CHECK_INT(lws_b64_encode_string((const char *)data, 3, out, INT_MIN), -1);
	CHECK_INT(lws_b64_decode_string(in, out, -1), -1);
	CHECK_INT(lws_b64_decode_string(in, out, INT_MIN), -1);
	CHECK_INT(lws_b64_decode_string(in, out, INT_MAX), 3);

	CHECK_INT(libwebsockets_get_random(NULL, data, -1), -1);
	CHECK_INT(libwebsockets_get_random(NULL, data, INT_MIN), -1);

	/* Only dumped at debug level: turned on for these. The parentheses
	 * reach the function past the macro of builds without _DEBUG. */
	lws_set_log_level(LLL_DEBUG, capture_emit);
	for (i = 0; i < HUGE_COUNT; i++)
		(lwsl_hexdump)(data, huge[i]);
	(lwsl_hexdump)(data, 3);
	CHECK(capture_count_level(LLL_DEBUG) >= 1);
	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
}

static void group_header_building(void)
{
	unsigned char buf[64], *p;
	unsigned char *end = buf + sizeof(buf);
	/* An end no real buffer has: past the middle of the address space. */
	unsigned char *far_end = (unsigned char *)(uintptr_t)0x8000000000000005ull;

	p = buf;
	CHECK_INT(lws_add_http_header_by_name(NULL, NULL, (const unsigned char *)"x-a:",
					      (const unsigned char *)"v", INT_MAX, &p, end), 1);
	CHECK(p == buf);
	CHECK_INT(lws_add_http_header_by_name(NULL, NULL, (const unsigned char *)"x-a:",
					      (const unsigned char *)"v", -1, &p, end), 1);
	CHECK_INT(lws_add_http_header_by_name(NULL, NULL, (const unsigned char *)"x-a:",
					      (const unsigned char *)"v", INT_MIN, &p, end), 1);
	CHECK_INT(lws_add_http_header_by_token(NULL, NULL, WSI_TOKEN_HOST,
					       (const unsigned char *)"v", INT_MAX, &p, end), 1);
	CHECK_INT(lws_add_http_header_by_token(NULL, NULL, (enum lws_token_indexes)-1,
					       (const unsigned char *)"v", 1, &p, end), 1);
	CHECK_INT(lws_add_http_header_by_token(NULL, NULL, (enum lws_token_indexes)INT_MAX,
					       (const unsigned char *)"v", 1, &p, end), 1);
	CHECK(p == buf);
	CHECK_INT(lws_add_http_header_content_length(NULL, NULL, ULONG_MAX, &p, end), 0);
	CHECK(p > buf && strstr((const char *)buf, "18446744073709551615") != NULL);
	p = buf;
	CHECK_INT(lws_add_http_header_status(NULL, NULL, UINT_MAX, &p, end), 0);
	p = buf;
	CHECK_INT(lws_finalize_http_header(NULL, NULL, &p, far_end), 0);
	CHECK(p == buf + 2);
	/* end before p: nothing fits. */
	p = buf + 10;
	CHECK_INT(lws_finalize_http_header(NULL, NULL, &p, buf), 1);
	CHECK_INT(lws_add_http_header_by_name(NULL, NULL, (const unsigned char *)"x-a:",
					      (const unsigned char *)"v", 1, &p, far_end), 0);
}

/* ------------------------------------------------------------------------
 * Isolation
 * ------------------------------------------------------------------------ */

/*
 * Runs group in a child process; a child that dies (a trap, a crash) or
 * reports failures fails the group here.
 */
static void run_isolated(const char *name, void (*group)(void))
{
	int status = 0;
	pid_t child;

	fflush(stdout);
	fflush(stderr);
	child = fork();
	if (child == 0) {
		unit_passed = unit_failed = 0;
		lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
		group();
		fflush(stdout);
		_exit(unit_failed ? 1 : 0);
	}
	CHECK(child > 0);
	if (child <= 0 || waitpid(child, &status, 0) != child)
		return;
	if (WIFSIGNALED(status))
		fprintf(stderr, "%s: killed by signal %d\n", name, WTERMSIG(status));
	else if (WEXITSTATUS(status))
		fprintf(stderr, "%s: failed\n", name);
	unit_record(WIFEXITED(status) && WEXITSTATUS(status) == 0, __FILE__, __LINE__, name);
}

int main(void)
{
	run_isolated("utilities", group_utilities);
	run_isolated("header building", group_header_building);
	run_isolated("HTTP connection", group_http);
	run_isolated("file with other headers", group_file_headers);
	run_isolated("WebSocket server", group_websocket);
	run_isolated("WebSocket client", group_client);
	run_isolated("unallocatable per-session data", group_huge_session);
	run_isolated("unallocatable receive buffer", group_huge_receive_buffer);
	return unit_finish("lengths");
}
