/*
 * Bad input into the API: NULL pointers, negative lengths, buffers that are
 * too small, objects that do not exist. Each call must return its
 * documented failure value and must not crash; where the library logs the
 * mistake, exactly one line is logged.
 */
#include "unit.h"

/* Counts ERR lines logged by one call. */
#define ERR_LINES(call) (capture_reset(), (void)(call), capture_count_level(LLL_ERR))

static void test_utilities(void)
{
	unsigned char md[20];
	char out[64];
	int r = 0;

	/* SHA1: somewhere to put the digest is required; data only if n > 0. */
	CHECK_INT(ERR_LINES(r = (libwebsockets_SHA1((const unsigned char *)"abc", 3, NULL) == NULL)), 1);
	CHECK(r);
	CHECK_INT(ERR_LINES(r = (libwebsockets_SHA1(NULL, 5, md) == NULL)), 1);
	CHECK(r);
	CHECK_INT(ERR_LINES(r = (libwebsockets_SHA1(NULL, 0, md) == md)), 0);
	CHECK(r);

	/* Base64 encode. */
	CHECK_INT(ERR_LINES(r = lws_b64_encode_string(NULL, 3, out, sizeof(out))), 1);
	CHECK_INT(r, -1);
	CHECK_INT(ERR_LINES(r = lws_b64_encode_string("abc", 3, NULL, 64)), 1);
	CHECK_INT(r, -1);
	CHECK_INT(ERR_LINES(r = lws_b64_encode_string("abc", -1, out, sizeof(out))), 1);
	CHECK_INT(r, -1);
	CHECK_INT(ERR_LINES(r = lws_b64_encode_string("abc", -100000, out, sizeof(out))), 1);
	CHECK_INT(r, -1);
	CHECK_INT(ERR_LINES(r = lws_b64_encode_string("abc", 3, out, 0)), 1);
	CHECK_INT(r, -1);
	CHECK_INT(ERR_LINES(r = lws_b64_encode_string("abc", 3, out, -5)), 1);
	CHECK_INT(r, -1);
	/* Too small is not a programming error; it is reported by -1 only. */
	out[0] = 'x';
	CHECK_INT(ERR_LINES(r = lws_b64_encode_string("abc", 3, out, 4)), 0);
	CHECK_INT(r, -1);
	/* Nothing to encode: NULL input is acceptable. */
	CHECK_INT(lws_b64_encode_string(NULL, 0, out, 1), 0);
	CHECK_INT(out[0], 0);

	/* Base64 decode. */
	CHECK_INT(ERR_LINES(r = lws_b64_decode_string(NULL, out, sizeof(out))), 1);
	CHECK_INT(r, -1);
	CHECK_INT(ERR_LINES(r = lws_b64_decode_string("Zm9v", NULL, 64)), 1);
	CHECK_INT(r, -1);
	CHECK_INT(ERR_LINES(r = lws_b64_decode_string("Zm9v", out, 0)), 1);
	CHECK_INT(r, -1);
	CHECK_INT(ERR_LINES(r = lws_b64_decode_string("Zm9v", out, -1)), 1);
	CHECK_INT(r, -1);
	CHECK_INT(ERR_LINES(r = lws_b64_decode_string("Zm9v", out, 3)), 0);
	CHECK_INT(r, -1);

	/* Random. */
	CHECK_INT(ERR_LINES(r = libwebsockets_get_random(NULL, NULL, 16)), 1);
	CHECK(r != 16);
	CHECK_INT(ERR_LINES(r = libwebsockets_get_random(NULL, out, -1)), 1);
	CHECK(r < 0);

	/* Tokens: out of range is NULL, not a crash. */
	CHECK(lws_token_to_string((enum lws_token_indexes)-5) == NULL);
	CHECK(lws_token_to_string((enum lws_token_indexes)WSI_TOKEN_COUNT) == NULL);
}

static void test_connection_calls(void)
{
	struct libwebsocket_protocols orphan = { "orphan", unit_noop_callback, 0, 0, 0, NULL, NULL, 0 };
	unsigned char buf[LWS_SEND_BUFFER_PRE_PADDING + 16 + LWS_SEND_BUFFER_POST_PADDING];
	char dest[32], name[32], rip[32];

	/* Headers of no connection. */
	dest[0] = 'x';
	CHECK_INT(lws_hdr_copy(NULL, dest, sizeof(dest), WSI_TOKEN_HOST), -1);
	CHECK_INT(lws_hdr_copy(NULL, NULL, 0, WSI_TOKEN_HOST), -1);
	CHECK_INT(lws_hdr_total_length(NULL, WSI_TOKEN_HOST), 0);
	CHECK_INT(lws_hdr_total_length(NULL, (enum lws_token_indexes)-1), 0);

	/* Writing to no connection. */
	memset(buf, 0, sizeof(buf));
	CHECK_INT(libwebsocket_write(NULL, buf + LWS_SEND_BUFFER_PRE_PADDING, 5, LWS_WRITE_TEXT), -1);
	CHECK_INT(libwebsocket_write(NULL, NULL, 0, LWS_WRITE_BINARY), -1);
	CHECK_INT(libwebsocket_write(NULL, buf, 5, LWS_WRITE_HTTP), -1);
	CHECK_INT(libwebsocket_callback_on_writable(NULL, NULL), -1);
	CHECK_INT(libwebsocket_callback_on_writable_all_protocol(NULL), -1);
	/* A protocols entry never given to a context. */
	CHECK_INT(libwebsocket_callback_on_writable_all_protocol(&orphan), -1);
	CHECK_INT(libwebsocket_callback_all_protocol(NULL, LWS_CALLBACK_USER), -1);
	CHECK_INT(libwebsocket_callback_all_protocol(&orphan, LWS_CALLBACK_USER), -1);
	libwebsocket_rx_flow_allow_all_protocol(NULL);
	libwebsocket_rx_flow_allow_all_protocol(&orphan);
	CHECK_INT(libwebsocket_rx_flow_control(NULL, 0), -1);
	CHECK_INT(lws_partial_buffered(NULL), 0);
	CHECK(lws_send_pipe_choked(NULL) != 0);
	libwebsocket_set_timeout(NULL, PENDING_TIMEOUT_HTTP_CONTENT, 5);

	/* Questions about no connection. */
	CHECK(libwebsockets_get_protocol(NULL) == NULL);
	CHECK_INT(libwebsocket_get_socket_fd(NULL), -1);
	CHECK_INT(libwebsockets_remaining_packet_payload(NULL), 0);
	CHECK_INT(libwebsocket_is_final_fragment(NULL), 0);
	CHECK_INT(lws_frame_is_binary(NULL), 0);
	CHECK_INT(libwebsocket_get_reserved_bits(NULL), 0);
	CHECK_INT(lws_is_ssl(NULL), 0);
	CHECK(libwebsocket_read(NULL, NULL, buf, 4) < 0);

	/* Peer addresses of something that is not a socket: empty strings. */
	strcpy(name, "junk");
	strcpy(rip, "junk");
	libwebsockets_get_peer_addresses(NULL, NULL, -1, name, sizeof(name), rip, sizeof(rip));
	CHECK_STR(name, "");
	CHECK_STR(rip, "");
	libwebsockets_get_peer_addresses(NULL, NULL, 0, name, sizeof(name), rip, sizeof(rip));
	CHECK_STR(name, "");
	CHECK_STR(rip, "");
	libwebsockets_get_peer_addresses(NULL, NULL, -1, NULL, 0, NULL, 0);
	strcpy(name, "junk");
	libwebsockets_get_peer_addresses(NULL, NULL, -1, name, 0, rip, -3);
	CHECK_STR(name, "junk"); /* no room at all: untouched */

	/* HTTP answers on no connection. */
	CHECK(libwebsockets_serve_http_file(NULL, NULL, "/etc/hostname", "text/plain", NULL, 0) < 0);
	CHECK(libwebsockets_serve_http_file(NULL, NULL, NULL, NULL, NULL, 0) < 0);
	CHECK(libwebsockets_serve_http_file_fragment(NULL, NULL) < 0);
	CHECK(libwebsockets_return_http_status(NULL, NULL, 404, NULL) < 0);
	CHECK(libwebsockets_return_http_status(NULL, NULL, 404, "<b>x</b>") < 0);
	CHECK_INT(lws_http_transaction_completed(NULL), 1);
}

/* lws_add_http_header_*: buffers too small, end before p, NULLs. */
static void test_header_building(void)
{
	unsigned char buf[128], *p, *end, *start;
	const unsigned char *value = (const unsigned char *)"text/html";
	size_t need;
	int i, untouched;

	/* The good path, for reference. */
	p = buf;
	end = buf + sizeof(buf);
	CHECK_INT(lws_add_http_header_status(NULL, NULL, 200, &p, end), 0);
	CHECK_INT(lws_add_http_header_by_token(NULL, NULL, WSI_TOKEN_HTTP_CONTENT_TYPE, value, 9, &p, end), 0);
	CHECK_INT(lws_add_http_header_by_name(NULL, NULL, (const unsigned char *)"x-thing:",
					      (const unsigned char *)"yes", 3, &p, end), 0);
	CHECK_INT(lws_add_http_header_content_length(NULL, NULL, 1234, &p, end), 0);
	CHECK_INT(lws_finalize_http_header(NULL, NULL, &p, end), 0);
	*p = 0;
	CHECK_STR(buf, "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\nx-thing: yes\r\n"
		       "content-length: 1234\r\n\r\n");

	/* end before p: 1, p unchanged, nothing written. */
	memset(buf, 0x77, sizeof(buf));
	start = p = buf + 64;
	end = buf + 10;
	CHECK_INT(lws_add_http_header_status(NULL, NULL, 200, &p, end), 1);
	CHECK_INT(lws_add_http_header_by_token(NULL, NULL, WSI_TOKEN_HOST, value, 9, &p, end), 1);
	CHECK_INT(lws_add_http_header_by_name(NULL, NULL, (const unsigned char *)"a:", value, 9, &p, end), 1);
	CHECK_INT(lws_add_http_header_content_length(NULL, NULL, 5, &p, end), 1);
	CHECK_INT(lws_finalize_http_header(NULL, NULL, &p, end), 1);
	CHECK(p == start);
	untouched = 1;
	for (i = 0; i < (int)sizeof(buf); i++)
		if (buf[i] != 0x77)
			untouched = 0;
	CHECK(untouched);

	/* p == end: no room at all. */
	p = end = buf + 20;
	CHECK_INT(lws_finalize_http_header(NULL, NULL, &p, end), 1);
	CHECK(p == end);

	/* Exactly enough room works, one byte less does not (and writes nothing). */
	need = strlen("content-type: text/html\r\n");
	memset(buf, 0x77, sizeof(buf));
	p = buf;
	CHECK_INT(lws_add_http_header_by_token(NULL, NULL, WSI_TOKEN_HTTP_CONTENT_TYPE, value, 9, &p, buf + need), 0);
	CHECK(p == buf + need);
	CHECK(buf[need] == 0x77);
	memset(buf, 0x77, sizeof(buf));
	p = buf;
	CHECK_INT(lws_add_http_header_by_token(NULL, NULL, WSI_TOKEN_HTTP_CONTENT_TYPE, value, 9, &p, buf + need - 1), 1);
	CHECK(p == buf);
	CHECK(buf[0] == 0x77);
	p = buf;
	CHECK_INT(lws_finalize_http_header(NULL, NULL, &p, buf + 1), 1);
	CHECK(p == buf);
	CHECK_INT(lws_finalize_http_header(NULL, NULL, &p, buf + 2), 0);
	CHECK(p == buf + 2);

	/* NULLs and nonsense. */
	p = buf;
	end = buf + sizeof(buf);
	CHECK_INT(lws_add_http_header_status(NULL, NULL, 200, NULL, end), 1);
	CHECK_INT(lws_add_http_header_status(NULL, NULL, 200, &p, NULL), 1);
	CHECK_INT(lws_finalize_http_header(NULL, NULL, NULL, end), 1);
	CHECK_INT(lws_add_http_header_by_name(NULL, NULL, NULL, value, 9, &p, end), 1);
	CHECK_INT(lws_add_http_header_by_name(NULL, NULL, (const unsigned char *)"a:", NULL, 9, &p, end), 1);
	CHECK_INT(lws_add_http_header_by_name(NULL, NULL, (const unsigned char *)"a:", value, -1, &p, end), 1);
	CHECK_INT(lws_add_http_header_by_token(NULL, NULL, WSI_TOKEN_HOST, value, -9, &p, end), 1);
	CHECK_INT(lws_add_http_header_by_token(NULL, NULL, (enum lws_token_indexes)WSI_TOKEN_COUNT, value, 9, &p, end), 1);
	CHECK_INT(lws_add_http_header_by_token(NULL, NULL, (enum lws_token_indexes)-1, value, 9, &p, end), 1);
	CHECK_INT(lws_add_http_header_by_token(NULL, NULL, _WSI_TOKEN_CLIENT_URI, value, 9, &p, end), 1);
	CHECK(p == buf);
	/* An empty value with a NULL pointer is an empty header. */
	CHECK_INT(lws_add_http_header_by_name(NULL, NULL, (const unsigned char *)"x-empty:", NULL, 0, &p, end), 0);
	*p = 0;
	CHECK_STR(buf, "x-empty: \r\n");
	/* A status code without a standard reason phrase still makes a line. */
	p = buf;
	CHECK_INT(lws_add_http_header_status(NULL, NULL, 799, &p, end), 0);
	*p = 0;
	CHECK(!strncmp((char *)buf, "HTTP/1.1 799", 12));
	CHECK(p > buf + 2 && p[-2] == '\r' && p[-1] == '\n');
}

static void test_context_calls(void)
{
	struct libwebsocket_protocols empty[] = { { NULL, NULL, 0, 0, 0, NULL, NULL, 0 } };
	struct libwebsocket_protocols named_but_no_callback[] = {
		{ "ghost", NULL, 0, 0, 0, NULL, NULL, 0 },
	};
	struct libwebsocket_protocols protocols[] = {
		{ "http-only", unit_noop_callback, 0, 0, 0, NULL, NULL, 0 },
		{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
	};
	struct lws_context_creation_info info;
	struct libwebsocket_context *context = NULL;
	struct pollfd pfd;
	int r = 0;

	CHECK_INT(ERR_LINES(context = libwebsocket_create_context(NULL)), 1);
	CHECK(context == NULL);

	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.gid = -1;
	info.uid = -1;
	info.protocols = NULL;
	CHECK_INT(ERR_LINES(context = libwebsocket_create_context(&info)), 1);
	CHECK(context == NULL);
	info.protocols = empty;
	CHECK_INT(ERR_LINES(context = libwebsocket_create_context(&info)), 1);
	CHECK(context == NULL);
	info.protocols = named_but_no_callback;
	CHECK_INT(ERR_LINES(context = libwebsocket_create_context(&info)), 1);
	CHECK(context == NULL);

	/* Calls on no context. */
	libwebsocket_context_destroy(NULL);
	CHECK(libwebsocket_context_user(NULL) == NULL);
	CHECK(libwebsocket_canonical_hostname(NULL) == NULL);
	CHECK(libwebsocket_service(NULL, 0) < 0);
	CHECK(libwebsocket_service(NULL, 10) < 0);
	CHECK(libwebsocket_service_fd(NULL, NULL) < 0);
	pfd.fd = 0;
	pfd.events = POLLIN;
	pfd.revents = POLLIN;
	CHECK(libwebsocket_service_fd(NULL, &pfd) < 0);
	libwebsocket_cancel_service(NULL);
	CHECK_INT(ERR_LINES(r = libwebsocket_set_proxy(NULL, "proxy.example:3128")), 1);
	CHECK_INT(r, -1);
	CHECK_INT(ERR_LINES(r = libwebsocket_set_proxy(NULL, NULL)), 1);
	CHECK_INT(r, -1);
	CHECK(libwebsocket_client_connect(NULL, "127.0.0.1", 80, 0, "/", "h", "o", NULL, -1) == NULL);
	CHECK(libwebsocket_client_connect_extended(NULL, "127.0.0.1", 80, 0, "/", "h", "o", NULL, -1, NULL) == NULL);

	/* A real context, with bad arguments. */
	info.protocols = protocols;
	context = libwebsocket_create_context(&info);
	CHECK(context != NULL);
	if (!context)
		return;
	CHECK_INT(ERR_LINES(r = libwebsocket_set_proxy(context, NULL)), 1);
	CHECK_INT(r, -1);
	{
		static const char *const bad[] = {
			"", "host", "host:", ":80", "host:0", "host:65536", "host:80x",
			"host:123456", "http://", "http://host",
		};
		size_t i;

		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			int lines = ERR_LINES(r = libwebsocket_set_proxy(context, bad[i]));

			if (r != -1 || lines != 1) {
				unit_failed++;
				fprintf(stderr, "FAIL: set_proxy(\"%s\") gave %d with %d ERR lines\n",
					bad[i], r, lines);
			} else {
				unit_passed++;
			}
		}
	}
	CHECK_INT(libwebsocket_set_proxy(context, "proxy.example:3128"), 0);
	CHECK_INT(libwebsocket_set_proxy(context, "http://127.0.0.1:8080/"), 0);
	CHECK_INT(libwebsocket_set_proxy(context, "[::1]:8080"), 0);

	/* A client connection without an address. */
	CHECK_INT(ERR_LINES(r = (libwebsocket_client_connect(context, NULL, 80, 0, "/", "h", "o", NULL, -1) == NULL)), 1);
	CHECK(r);

	/* Servicing with odd arguments. */
	CHECK(libwebsocket_service_fd(context, NULL) >= 0);
	/* A pollfd that is not the context's: revents left alone. */
	pfd.fd = 0;
	pfd.events = POLLIN;
	pfd.revents = POLLIN;
	CHECK(libwebsocket_service_fd(context, &pfd) >= 0);
	CHECK_INT(pfd.revents, POLLIN);
	pfd.fd = -1;
	CHECK(libwebsocket_service_fd(context, &pfd) >= 0);
	libwebsocket_context_destroy(context);
}

int main(void)
{
	capture_start(LLL_ERR | LLL_WARN | LLL_NOTICE);
	test_utilities();
	test_connection_calls();
	test_header_building();
	test_context_calls();
	return unit_finish("test-bad-input");
}
