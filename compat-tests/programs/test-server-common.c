/*
 * test-server-common.c - protocols, command line and helpers shared by
 * libwebsockets-test-server and libwebsockets-test-server-extpoll
 *
 * The three protocols:
 *
 *  "http-only"                protocols[0]: serves the files of the resource
 *                             directory, answers POST /formtest with the
 *                             length of the body it received, and any
 *                             method on /headers with what the library
 *                             parsed out of the request (for the tests).
 *  "dumb-increment-protocol"  sends each client an increasing decimal counter
 *                             every 50 ms; "reset\n" from the client sets it
 *                             back to 0.
 *  "lws-mirror-protocol"      every message from any client goes to every
 *                             client, in order, through a ring of 256
 *                             messages; senders are throttled with rx flow
 *                             control while the slowest reader lags.
 *
 * The options a program was started with reach the callbacks through the
 * context's user pointer (libwebsocket_context_user).
 */

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test-server-common.h"

/* ---------------------------------------------------------------------- */
/* Command line                                                            */
/* ---------------------------------------------------------------------- */

static const struct option long_options[] = {
	{ "help",		no_argument,		NULL, 'h' },
	{ "port",		required_argument,	NULL, 'p' },
	{ "interface",		required_argument,	NULL, 'i' },
	{ "resource-path",	required_argument,	NULL, 'r' },
	{ "debug",		required_argument,	NULL, 'd' },
	{ "closetest",		no_argument,		NULL, 'c' },
	{ "ssl",		no_argument,		NULL, 's' },
	{ "ssl-cert",		required_argument,	NULL, 'C' },
	{ "ssl-key",		required_argument,	NULL, 'K' },
	{ "no-extensions",	no_argument,		NULL, 'n' },
	{ "workers",		required_argument,	NULL, 'W' },
	{ NULL, 0, NULL, 0 }
};

/*
 * The program being parsed and where its options go: test_parse_command_line()
 * calls usage() and take_option() without either.
 */
static const char *program_name;
static struct test_server_options *parsed;

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [options]\n"
		"  -p, --port N            port to listen on (default 7681)\n"
		"  -i, --interface NAME    listen on this interface only\n"
		"  -r, --resource-path DIR directory served over HTTP\n"
		"                          (default " LWS_TEST_RESOURCE_DIR ")\n"
		"  -d, --debug LEVEL       lws_set_log_level bitmask (default 7)\n"
		"  -c, --closetest         dumb-increment closes after 50 values\n"
		"  -s, --ssl               serve over TLS\n"
		"      --ssl-cert FILE     certificate (default in the resource "
		"dir)\n"
		"      --ssl-key FILE      private key (default in the resource "
		"dir)\n"
		"  -n, --no-extensions     offer no websocket extensions\n"
		"  -W, --workers N         N processes on the port\n"
		"  -h, --help              this text\n",
		program_name);
}

/* One option of the command line (see test_parse_command_line). */
static int
take_option(int c, char *arg)
{
	switch (c) {
	case 'p':
		if (test_parse_int(arg, 1, 65535, &parsed->port)) {
			fprintf(stderr, "%s: bad port '%s'\n", program_name,
				arg);
			return TEST_OPTION_REPORTED;
		}
		break;
	case 'i':
		parsed->iface = arg;
		break;
	case 'r':
		parsed->resource_path = arg;
		break;
	case 'd':
		if (test_parse_int(arg, 0, 0xffff, &parsed->debug_level)) {
			fprintf(stderr, "%s: bad debug level '%s'\n",
				program_name, arg);
			return TEST_OPTION_REPORTED;
		}
		break;
	case 'c':
		parsed->close_testing = 1;
		break;
	case 's':
		parsed->use_ssl = 1;
		break;
	case 'C':
		parsed->cert_path = arg;
		break;
	case 'K':
		parsed->key_path = arg;
		break;
	case 'n':
		parsed->no_extensions = 1;
		break;
	case 'W':
		if (test_parse_int(arg, 1, TEST_WORKERS_MAX,
				   &parsed->workers)) {
			fprintf(stderr, "%s: bad worker count '%s'\n",
				program_name, arg);
			return TEST_OPTION_REPORTED;
		}
		break;
	}

	return TEST_OPTION_TAKEN;
}

int
test_server_parse_options(const char *name, int argc, char **argv,
			  struct test_server_options *opts)
{
	int n;

	memset(opts, 0, sizeof(*opts));
	opts->port = 7681;
	opts->resource_path = LWS_TEST_RESOURCE_DIR;
	opts->debug_level = LLL_ERR | LLL_WARN | LLL_NOTICE;

	program_name = name;
	parsed = opts;
	n = test_parse_command_line(argc, argv, name,
				    "hp:i:r:d:csC:K:nW:", long_options,
				    usage, take_option);
	if (n)
		return n;
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", name,
			argv[optind]);
		usage(stderr);
		return -1;
	}

	/* The certificate pair installed next to test.html by default. */
	if (!opts->cert_path) {
		snprintf(opts->default_cert_path,
			 sizeof(opts->default_cert_path),
			 "%s/libwebsockets-test-server.pem",
			 opts->resource_path);
		opts->cert_path = opts->default_cert_path;
	}
	if (!opts->key_path) {
		snprintf(opts->default_key_path,
			 sizeof(opts->default_key_path),
			 "%s/libwebsockets-test-server.key.pem",
			 opts->resource_path);
		opts->key_path = opts->default_key_path;
	}

	return 0;
}

void
test_server_fill_info(struct lws_context_creation_info *info,
		      const struct test_server_options *opts,
		      struct libwebsocket_protocols *protocols)
{
	memset(info, 0, sizeof(*info));
	info->port = opts->port;
	info->iface = opts->iface;
	info->protocols = protocols;
	info->extensions = opts->no_extensions ?
			   NULL : libwebsocket_get_internal_extensions();
	if (opts->use_ssl) {
		info->ssl_cert_filepath = opts->cert_path;
		info->ssl_private_key_filepath = opts->key_path;
	}
	info->gid = -1;
	info->uid = -1;
	if (opts->workers)
		info->options |= LWS_SERVER_OPTION_ALLOW_LISTEN_SHARE;
	/* The callbacks read resource path and closetest from here. */
	info->user = (void *)opts;
}

void
test_server_tick(const struct libwebsocket_protocols *dumb_increment)
{
	static long long last_ms;
	long long ms = test_monotonic_ms();

	if (ms - last_ms < 50)
		return;
	last_ms = ms;

	libwebsocket_callback_on_writable_all_protocol(dumb_increment);
}

/* ---------------------------------------------------------------------- */
/* http-only                                                               */
/* ---------------------------------------------------------------------- */

#define FORM_URI "/formtest"
#define HEADERS_URI "/headers"

static const struct {
	const char *extension;
	const char *content_type;
} mimetypes[] = {
	{ ".html",	"text/html" },
	{ ".js",	"application/javascript" },
	{ ".css",	"text/css" },
	{ ".ico",	"image/x-icon" },
	{ ".png",	"image/png" },
	{ ".jpg",	"image/jpeg" },
};

/*
 * Content type by extension.  Only the kinds of file the test page uses are
 * served, so nothing else that sits in the resource directory (the TLS key,
 * say) can be fetched.
 */
static const char *
mimetype_for(const char *uri)
{
	const char *dot = strrchr(uri, '.');
	size_t n;

	if (!dot || strchr(dot, '/'))
		return NULL;
	for (n = 0; n < sizeof(mimetypes) / sizeof(mimetypes[0]); n++)
		if (!strcmp(dot, mimetypes[n].extension))
			return mimetypes[n].content_type;

	return NULL;
}

/* 1 if a '/'-separated segment of uri is "..", i.e. it climbs out. */
static int
climbs_out(const char *uri)
{
	const char *seg = uri;

	while (seg) {
		if (*seg == '/')
			seg++;
		if (seg[0] == '.' && seg[1] == '.' &&
		    (seg[2] == '/' || seg[2] == '\0'))
			return 1;
		seg = strchr(seg, '/');
	}

	return 0;
}

/*
 * Answers with a status page and closes the connection.  Closing is what
 * keeps this simple: whatever the library's status page says about its
 * length, the end of the connection ends the body, and an unread request
 * body cannot be mistaken for the next request.
 */
static int
http_fail(struct libwebsocket_context *context, struct libwebsocket *wsi,
	  unsigned int code)
{
	libwebsockets_return_http_status(context, wsi, code, NULL);

	return -1;
}

/* After a complete answer: wait for the next request, or close. */
static int
http_transaction_done(struct libwebsocket *wsi)
{
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* The Content-Length of the request: 0 if absent, -1 if unreadable. */
static long
request_content_length(struct libwebsocket *wsi)
{
	char value[24];
	char *end;
	long n;

	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0)
		return 0;
	if (lws_hdr_copy(wsi, value, sizeof(value),
			 WSI_TOKEN_HTTP_CONTENT_LENGTH) < 0)
		return -1;
	n = strtol(value, &end, 10);
	if (end == value || *end || n < 0)
		return -1;

	return n;
}

/* 200 "length=N" for POST /formtest, built with the header helpers. */
static int
send_form_result(struct libwebsocket_context *context,
		 struct libwebsocket *wsi, struct per_session_data__http *pss)
{
	unsigned char buf[LWS_SEND_BUFFER_PRE_PADDING + 512];
	unsigned char *start = buf + LWS_SEND_BUFFER_PRE_PADDING;
	unsigned char *p = start;
	unsigned char *end = buf + sizeof(buf) - 1;
	char body[40];
	int body_len;

	pss->reading_form = 0;
	body_len = snprintf(body, sizeof(body), "length=%lu",
			    (unsigned long)pss->body_len);

	if (lws_add_http_header_status(context, wsi, HTTP_STATUS_OK, &p, end) ||
	    lws_add_http_header_by_token(context, wsi,
					 WSI_TOKEN_HTTP_CONTENT_TYPE,
					 (const unsigned char *)"text/plain",
					 10, &p, end) ||
	    lws_add_http_header_content_length(context, wsi,
					       (unsigned long)body_len,
					       &p, end) ||
	    lws_finalize_http_header(context, wsi, &p, end) ||
	    end - p < body_len) {
		lwsl_err("formtest: response headers do not fit\n");
		return -1;
	}
	memcpy(p, body, (size_t)body_len);
	p += body_len;

	if (libwebsocket_write(wsi, start, (size_t)(p - start),
			       LWS_WRITE_HTTP) < 0)
		return -1;

	return http_transaction_done(wsi);
}

/* Appends what fits of a formatted line to the report being built. */
static void
report_append(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, size - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used += (size_t)n < size - *used ? (size_t)n : size - *used - 1;
}

/*
 * The /headers report: text/plain, one line per stored token, so that the
 * tests see exactly what lws_hdr_total_length() and lws_hdr_copy() give
 * the application.  First the URI the callback got ("uri\t<in>"), then for
 * each token with a value:
 *
 *   index TAB name TAB total_length TAB copy TAB tight TAB value
 *
 * where copy is what lws_hdr_copy() returned into a roomy buffer and tight
 * what it returned into one byte too few (no room for the NUL: must be -1).
 * A token that is absent or empty must copy as "" with length 0; one that
 * does not gets a line "bad-empty TAB index TAB copy".
 */
static int
send_headers_report(struct libwebsocket_context *context,
		    struct libwebsocket *wsi, const char *uri)
{
	/*
	 * The request head is at most a few KB; this holds any of them.  The
	 * value buffer has a second half for the tight copy, so that even a
	 * copy that overran would stay inside it.
	 */
	enum { REPORT_SIZE = 64 * 1024, VALUE_MAX = 8192 };
	unsigned char head[LWS_SEND_BUFFER_PRE_PADDING + 256];
	unsigned char *p = head + LWS_SEND_BUFFER_PRE_PADDING;
	unsigned char *end = head + sizeof(head) - 1;
	char *report, *value;
	const unsigned char *name;
	size_t used = 0;
	int token, total, copied, tight, ok = -1;

	report = malloc(REPORT_SIZE);
	value = malloc(2 * VALUE_MAX);
	if (!report || !value)
		goto done;

	report_append(report, REPORT_SIZE, &used, "uri\t%s\n", uri);
	for (token = 0; token < WSI_TOKEN_COUNT; token++) {
		total = lws_hdr_total_length(wsi, (enum lws_token_indexes)token);
		if (total <= 0) {
			value[0] = 'x';
			copied = lws_hdr_copy(wsi, value, VALUE_MAX,
					      (enum lws_token_indexes)token);
			if (copied || value[0])
				report_append(report, REPORT_SIZE, &used,
					      "bad-empty\t%d\t%d\n", token,
					      copied);
			continue;
		}
		if (total >= VALUE_MAX)
			continue;
		copied = lws_hdr_copy(wsi, value, VALUE_MAX,
				      (enum lws_token_indexes)token);
		/* Exactly the value's length: no room for the NUL. */
		tight = lws_hdr_copy(wsi, value + VALUE_MAX, total,
				     (enum lws_token_indexes)token);
		name = lws_token_to_string((enum lws_token_indexes)token);
		report_append(report, REPORT_SIZE, &used,
			      "%d\t%s\t%d\t%d\t%d\t%s\n", token,
			      name ? (const char *)name : "-", total, copied,
			      tight, copied >= 0 ? value : "");
	}

	if (lws_add_http_header_status(context, wsi, HTTP_STATUS_OK, &p, end) ||
	    lws_add_http_header_by_token(context, wsi,
					 WSI_TOKEN_HTTP_CONTENT_TYPE,
					 (const unsigned char *)"text/plain",
					 10, &p, end) ||
	    lws_add_http_header_content_length(context, wsi,
					       (unsigned long)used, &p, end) ||
	    lws_finalize_http_header(context, wsi, &p, end)) {
		lwsl_err("headers: response headers do not fit\n");
		goto done;
	}
	if (libwebsocket_write(wsi, head + LWS_SEND_BUFFER_PRE_PADDING,
			       (size_t)(p - head - LWS_SEND_BUFFER_PRE_PADDING),
			       LWS_WRITE_HTTP_HEADERS) < 0 ||
	    libwebsocket_write(wsi, (unsigned char *)report, used,
			       LWS_WRITE_HTTP) < 0)
		goto done;
	ok = 0;
done:
	free(report);
	free(value);

	return ok ? -1 : http_transaction_done(wsi);
}

/* GET: a file of the resource directory ("/" is test.html). */
static int
serve_file(struct libwebsocket_context *context, struct libwebsocket *wsi,
	   const char *uri)
{
	const struct test_server_options *opts =
		libwebsocket_context_user(context);
	const char *content_type;
	struct stat st;
	char path[4096];
	int n;

	if (uri[0] != '/')
		return http_fail(context, wsi, HTTP_STATUS_BAD_REQUEST);
	if (climbs_out(uri))
		return http_fail(context, wsi, HTTP_STATUS_FORBIDDEN);
	if (!strcmp(uri, "/"))
		uri = "/test.html";

	content_type = mimetype_for(uri);
	if (!content_type)
		return http_fail(context, wsi, HTTP_STATUS_NOT_FOUND);

	n = snprintf(path, sizeof(path), "%s%s", opts->resource_path, uri);
	if (n < 0 || (size_t)n >= sizeof(path))
		return http_fail(context, wsi, HTTP_STATUS_REQ_URI_TOO_LONG);
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return http_fail(context, wsi, HTTP_STATUS_NOT_FOUND);

	n = libwebsockets_serve_http_file(context, wsi, path, content_type,
					  NULL, 0);
	if (n < 0)
		return -1;		/* failed: close */
	if (n > 0)
		return http_transaction_done(wsi);	/* all sent at once */

	return 0;	/* the library sends the rest from its service loop */
}

int
callback_http(struct libwebsocket_context *context, struct libwebsocket *wsi,
	      enum libwebsocket_callback_reasons reason, void *user,
	      void *in, size_t len)
{
	struct per_session_data__http *pss = user;
	const char *uri = in;
	long content_length;

	switch (reason) {
	case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
		test_workers_count_connection();
		return 0;

	case LWS_CALLBACK_HTTP:
		/* in is the NUL-terminated URI; the callback owns the reply. */
		if (!pss || !uri)
			return http_fail(context, wsi,
					 HTTP_STATUS_INTERNAL_SERVER_ERROR);
		pss->body_len = 0;
		pss->reading_form = 0;

		if (!strcmp(uri, HEADERS_URI))
			return send_headers_report(context, wsi, uri);
		if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) <= 0)
			return serve_file(context, wsi, uri);

		if (strcmp(uri, FORM_URI))
			return http_fail(context, wsi, HTTP_STATUS_NOT_FOUND);
		content_length = request_content_length(wsi);
		if (content_length < 0)
			return http_fail(context, wsi,
					 HTTP_STATUS_BAD_REQUEST);
		if (!content_length)	/* no body will come: answer now */
			return send_form_result(context, wsi, pss);
		/* The body arrives through HTTP_BODY / HTTP_BODY_COMPLETION. */
		pss->reading_form = 1;
		return 0;

	case LWS_CALLBACK_HTTP_BODY:
		/*
		 * A body nobody asked for (a GET with Content-Length, say) is
		 * read and dropped, so the file being sent is not cut short.
		 * If the answer is done before the body is, the library closes
		 * the connection: the rest is never taken for a request.
		 */
		if (pss && pss->reading_form)
			pss->body_len += len;
		return 0;

	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (!pss || !pss->reading_form)
			return 0;
		return send_form_result(context, wsi, pss);

	case LWS_CALLBACK_HTTP_FILE_COMPLETION:
		/*
		 * A file that needed more than one write is done; the library
		 * finishes the transaction itself, as it does when
		 * libwebsockets_serve_http_file() returns > 0.
		 */
		return 0;

	default:
		return 0;
	}
}

/* ---------------------------------------------------------------------- */
/* dumb-increment-protocol                                                 */
/* ---------------------------------------------------------------------- */

/* With --closetest the server closes each connection after this many. */
#define CLOSETEST_LIMIT 50

int
callback_dumb_increment(struct libwebsocket_context *context,
			struct libwebsocket *wsi,
			enum libwebsocket_callback_reasons reason, void *user,
			void *in, size_t len)
{
	const struct test_server_options *opts =
		libwebsocket_context_user(context);
	struct per_session_data__dumb_increment *pss = user;
	unsigned char buf[LWS_SEND_BUFFER_PRE_PADDING + 16 +
			  LWS_SEND_BUFFER_POST_PADDING];
	unsigned char *p = buf + LWS_SEND_BUFFER_PRE_PADDING;
	int n, m;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		pss->number = 0;
		break;

	case LWS_CALLBACK_SERVER_WRITEABLE:
		n = snprintf((char *)p, 16, "%d", pss->number++);
		m = libwebsocket_write(wsi, p, (size_t)n, LWS_WRITE_TEXT);
		if (m < n) {
			lwsl_err("dumb-increment: write failed (%d)\n", m);
			return -1;
		}
		if (opts->close_testing && pss->number == CLOSETEST_LIMIT) {
			lwsl_notice("dumb-increment: closetest limit, "
				    "closing\n");
			return -1;
		}
		break;

	case LWS_CALLBACK_RECEIVE:
		/*
		 * Only a whole message "reset\n" counts, not a piece of a
		 * longer one that happens to look like it.
		 */
		if (!pss->mid_message && len == 6 &&
		    !memcmp(in, "reset\n", 6) &&
		    !libwebsockets_remaining_packet_payload(wsi) &&
		    libwebsocket_is_final_fragment(wsi))
			pss->number = 0;
		pss->mid_message =
			libwebsockets_remaining_packet_payload(wsi) ||
			!libwebsocket_is_final_fragment(wsi);
		break;

	default:
		break;
	}

	return 0;
}

/* ---------------------------------------------------------------------- */
/* lws-mirror-protocol                                                     */
/* ---------------------------------------------------------------------- */

/*
 * The ring holds the last MIRROR_RING messages.  Each session's tail is the
 * next slot it has to be sent; the head is where the next message goes.  A
 * slot is only reused once every session is past it, so no reader ever
 * loses a message: instead, when the slowest reader lags by
 * MIRROR_THROTTLE_AT messages the sender's input is paused, and all senders
 * resume once every reader is back within MIRROR_RESUME_AT.  The slack
 * between the two limits absorbs what other senders deliver before their
 * own pause.  A test program serves one context, so the ring is global.
 */
#define MIRROR_RING		256	/* a power of two */
#define MIRROR_THROTTLE_AT	(MIRROR_RING - 16)
#define MIRROR_RESUME_AT	(MIRROR_RING / 2)
#define MIRROR_MAX_MESSAGE	(64 * 1024)

static struct test_message *mirror_ring[MIRROR_RING];
static unsigned int mirror_head;
static struct per_session_data__lws_mirror *mirror_sessions;
static int mirror_throttled;

/* Messages stored but not yet sent to pss. */
static unsigned int
mirror_pending(const struct per_session_data__lws_mirror *pss)
{
	return (mirror_head - pss->tail) & (MIRROR_RING - 1);
}

/* How far the slowest reader lags behind the head. */
static unsigned int
mirror_backlog(void)
{
	const struct per_session_data__lws_mirror *pss;
	unsigned int worst = 0;

	for (pss = mirror_sessions; pss; pss = pss->next)
		if (mirror_pending(pss) > worst)
			worst = mirror_pending(pss);

	return worst;
}

static void
mirror_link(struct per_session_data__lws_mirror *pss)
{
	pss->prev = NULL;
	pss->next = mirror_sessions;
	if (mirror_sessions)
		mirror_sessions->prev = pss;
	mirror_sessions = pss;
}

static void
mirror_unlink(struct per_session_data__lws_mirror *pss)
{
	if (pss->prev)
		pss->prev->next = pss->next;
	else if (mirror_sessions == pss)
		mirror_sessions = pss->next;
	else
		return;		/* never linked */
	if (pss->next)
		pss->next->prev = pss->prev;
	pss->prev = pss->next = NULL;
}

/* Lets every sender talk again once the readers have caught up enough. */
static void
mirror_maybe_resume(const struct libwebsocket_protocols *protocol)
{
	if (!mirror_throttled || mirror_backlog() > MIRROR_RESUME_AT)
		return;
	mirror_throttled = 0;
	libwebsocket_rx_flow_allow_all_protocol(protocol);
}

/* Stores one complete message at the head; its sender is wsi. */
static void
mirror_store(struct libwebsocket *wsi, struct test_message *msg)
{
	if (mirror_backlog() >= MIRROR_RING - 1) {
		/* Only reachable if many senders overran the slack at once. */
		lwsl_warn("mirror: ring full, dropping a message\n");
		test_message_free(msg);
		return;
	}
	/* Every session is past the slot being reused (backlog < RING-1). */
	test_message_free(mirror_ring[mirror_head]);
	mirror_ring[mirror_head] = msg;
	mirror_head = (mirror_head + 1) & (MIRROR_RING - 1);

	if (mirror_backlog() >= MIRROR_THROTTLE_AT) {
		libwebsocket_rx_flow_control(wsi, 0);
		mirror_throttled = 1;
	}
}

/* Sends pss what it has pending, until the connection would block. */
static int
mirror_send_pending(struct libwebsocket_context *context,
		    struct libwebsocket *wsi,
		    struct per_session_data__lws_mirror *pss)
{
	const struct test_message *msg;
	int n;

	while (pss->tail != mirror_head) {
		msg = mirror_ring[pss->tail];
		n = libwebsocket_write(wsi, test_message_payload(msg),
				       msg->len, test_message_write_type(msg));
		if (n < 0 || (size_t)n < msg->len) {
			lwsl_err("mirror: write failed (%d)\n", n);
			return -1;
		}
		pss->tail = (pss->tail + 1) & (MIRROR_RING - 1);

		if (lws_partial_buffered(wsi) || lws_send_pipe_choked(wsi)) {
			if (pss->tail != mirror_head)
				libwebsocket_callback_on_writable(context, wsi);
			break;
		}
	}

	return 0;
}

int
callback_lws_mirror(struct libwebsocket_context *context,
		    struct libwebsocket *wsi,
		    enum libwebsocket_callback_reasons reason, void *user,
		    void *in, size_t len)
{
	struct per_session_data__lws_mirror *pss = user;
	struct test_message *msg;
	unsigned int n;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		/* A new reader starts with the next message, not the past. */
		pss->tail = mirror_head;
		mirror_link(pss);
		break;

	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (mirror_send_pending(context, wsi, pss))
			return -1;
		mirror_maybe_resume(libwebsockets_get_protocol(wsi));
		break;

	case LWS_CALLBACK_RECEIVE:
		switch (test_assembler_add(&pss->incoming, wsi, in, len,
					   MIRROR_MAX_MESSAGE)) {
		case TEST_ASSEMBLER_ERROR:
			lwsl_err("mirror: message too big or out of memory\n");
			return -1;
		case TEST_ASSEMBLER_PARTIAL:
			return 0;
		case TEST_ASSEMBLER_COMPLETE:
			break;
		}
		msg = test_assembler_take(&pss->incoming);
		if (!msg)
			return -1;
		mirror_store(wsi, msg);
		libwebsocket_callback_on_writable_all_protocol(
			libwebsockets_get_protocol(wsi));
		break;

	case LWS_CALLBACK_CLOSED:
		mirror_unlink(pss);
		test_assembler_reset(&pss->incoming);
		/* The departed reader may have been the one holding us up. */
		mirror_maybe_resume(libwebsockets_get_protocol(wsi));
		break;

	case LWS_CALLBACK_PROTOCOL_DESTROY:
		for (n = 0; n < MIRROR_RING; n++) {
			test_message_free(mirror_ring[n]);
			mirror_ring[n] = NULL;
		}
		mirror_head = 0;
		break;

	default:
		break;
	}

	return 0;
}
