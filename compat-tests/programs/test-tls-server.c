/*
 * libwebsockets-test-tls-server - a wss:// / https:// server whose every TLS
 * knob is a command-line option, for the TLS tests
 *
 * It exists so that the tests can reach the parts of the TLS API that the
 * demo servers do not use: the CA file, the cipher list, an encrypted key,
 * client certificates and the callback that judges them, plain clients on
 * the TLS port, and the three OpenSSL callbacks that hand the application
 * an SSL_CTX.  Whatever the library tells the application through those
 * callbacks is printed on stderr (one "test-tls-server: ..." line each), so
 * the tests can check it.
 *
 * Protocols:
 *
 *  "http-only"  protocols[0]: answers every GET with a short text/plain
 *               page "lws_is_ssl=N uri=URI", so a test sees whether its
 *               connection was TLS (1) or plain on the TLS port (0).
 *  "lws-echo"   sends every message back; the text message "lws_is_ssl"
 *               is answered with "lws_is_ssl=N" instead.
 *
 * Exit status: 0 after SIGINT/SIGTERM, 1 when the context cannot be created
 * (bad certificate, key, password, cipher list ...) or on a bad option.
 */

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <libwebsockets.h>

#include "test-message.h"
#include "test-program.h"

#define MAX_MESSAGE (1024 * 1024)

enum verify_answer {
	VERIFY_ACCEPT,		/* return 0: what an unhandled callback does */
	VERIFY_REJECT,		/* return 1: fail every certificate */
	VERIFY_PREVERIFY,	/* return !preverify_ok: trust OpenSSL */
};

static struct {
	int port;
	int debug_level;
	const char *cert;
	const char *key;
	const char *key_password;
	const char *key_in_callback;	/* loaded on REQUIRES_PRIVATE_KEY */
	const char *ca;
	const char *extra_ca;		/* loaded on LOAD_EXTRA_SERVER_... */
	const char *cipher_list;
	int require_client_cert;
	int allow_plain;
	enum verify_answer verify_answer;
} opts;

/* The server SSL_CTX as LOAD_EXTRA_SERVER_VERIFY_CERTS handed it over. */
static SSL_CTX *server_ssl_ctx;

struct per_session_data__echo {
	struct test_assembler incoming;
	struct test_queue outgoing;
};

static void
report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
report(const char *fmt, ...)
{
	va_list ap;

	fputs("test-tls-server: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/* ---------------------------------------------------------------------- */
/* OpenSSL callbacks (protocols[0])                                         */
/* ---------------------------------------------------------------------- */

/*
 * LWS_CALLBACK_OPENSSL_PERFORM_CLIENT_CERT_VERIFICATION: prints what the
 * library passed (context and wsi must be NULL, user the X509_STORE_CTX, in
 * the SSL of our server context, len preverify_ok) and answers as told.
 */
static int
perform_client_cert_verification(struct libwebsocket_context *context,
				 struct libwebsocket *wsi, void *user,
				 void *in, size_t len)
{
	X509_STORE_CTX *store = user;
	SSL *ssl = in;
	X509 *cert = store ? X509_STORE_CTX_get_current_cert(store) : NULL;
	char subject[256] = "-";
	int err = store ? X509_STORE_CTX_get_error(store) : -1;
	int answer;

	if (cert)
		X509_NAME_oneline(X509_get_subject_name(cert), subject,
				  sizeof(subject));
	switch (opts.verify_answer) {
	case VERIFY_REJECT:
		answer = 1;
		break;
	case VERIFY_PREVERIFY:
		answer = !len;
		break;
	default:
		answer = 0;
		break;
	}
	/* The two texts with spaces last: "reason=(...) subject=..." */
	report("verify preverify_ok=%lu depth=%d error=%d context=%s wsi=%s "
	       "fd=%d ssl_ctx=%s answer=%d reason=(%s) subject=%s",
	       (unsigned long)len,
	       store ? X509_STORE_CTX_get_error_depth(store) : -1, err,
	       context ? "set" : "NULL", wsi ? "set" : "NULL",
	       ssl ? SSL_get_fd(ssl) : -1,
	       ssl && server_ssl_ctx && SSL_get_SSL_CTX(ssl) == server_ssl_ctx ?
	       "server" : "other", answer,
	       err >= 0 ? X509_verify_cert_error_string(err) : "-", subject);

	return answer;
}

static int
load_extra_server_verify_certs(void *user)
{
	server_ssl_ctx = user;
	report("LOAD_EXTRA_SERVER_VERIFY_CERTS ssl_ctx=%s",
	       user ? "set" : "NULL");
	if (!opts.extra_ca)
		return 0;
	if (SSL_CTX_load_verify_locations(user, opts.extra_ca, NULL) != 1) {
		report("cannot load extra CA %s", opts.extra_ca);
		return 1;
	}

	return 0;
}

static int
context_requires_private_key(void *user)
{
	report("CONTEXT_REQUIRES_PRIVATE_KEY ssl_ctx=%s",
	       user ? "set" : "NULL");
	if (!opts.key_in_callback)
		return 1;	/* we have no key to give */
	if (SSL_CTX_use_PrivateKey_file(user, opts.key_in_callback,
					SSL_FILETYPE_PEM) != 1) {
		report("cannot load key %s in the callback",
		       opts.key_in_callback);
		return 1;
	}

	return 0;
}

/* ---------------------------------------------------------------------- */
/* http-only                                                               */
/* ---------------------------------------------------------------------- */

static int
serve_info_page(struct libwebsocket_context *context,
		struct libwebsocket *wsi, const char *uri)
{
	unsigned char head[LWS_SEND_BUFFER_PRE_PADDING + 256];
	unsigned char *p = head + LWS_SEND_BUFFER_PRE_PADDING;
	unsigned char *end = head + sizeof(head) - 1;
	char body[300];
	int n;

	n = snprintf(body, sizeof(body), "lws_is_ssl=%d uri=%.200s\n",
		     lws_is_ssl(wsi), uri ? uri : "-");
	if (lws_add_http_header_status(context, wsi, HTTP_STATUS_OK, &p, end) ||
	    lws_add_http_header_by_token(context, wsi,
					 WSI_TOKEN_HTTP_CONTENT_TYPE,
					 (const unsigned char *)"text/plain",
					 10, &p, end) ||
	    lws_add_http_header_content_length(context, wsi,
					       (unsigned long)n, &p, end) ||
	    lws_finalize_http_header(context, wsi, &p, end))
		return -1;
	if (libwebsocket_write(wsi, head + LWS_SEND_BUFFER_PRE_PADDING,
			       (size_t)(p - head - LWS_SEND_BUFFER_PRE_PADDING),
			       LWS_WRITE_HTTP_HEADERS) < 0 ||
	    libwebsocket_write(wsi, (unsigned char *)body, (size_t)n,
			       LWS_WRITE_HTTP) < 0)
		return -1;

	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int
callback_http(struct libwebsocket_context *context, struct libwebsocket *wsi,
	      enum libwebsocket_callback_reasons reason, void *user, void *in,
	      size_t len)
{
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return serve_info_page(context, wsi, in);
	case LWS_CALLBACK_OPENSSL_PERFORM_CLIENT_CERT_VERIFICATION:
		return perform_client_cert_verification(context, wsi, user, in,
							len);
	case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS:
		return load_extra_server_verify_certs(user);
	case LWS_CALLBACK_OPENSSL_CONTEXT_REQUIRES_PRIVATE_KEY:
		return context_requires_private_key(user);
	default:
		return 0;
	}
}

/* ---------------------------------------------------------------------- */
/* lws-echo                                                                */
/* ---------------------------------------------------------------------- */

/* The reply to the text "lws_is_ssl", as a message of its own. */
static struct test_message *
is_ssl_reply(struct libwebsocket *wsi)
{
	struct test_message *msg = calloc(1, sizeof(*msg));
	char text[32];
	int n = snprintf(text, sizeof(text), "lws_is_ssl=%d", lws_is_ssl(wsi));

	if (!msg)
		return NULL;
	msg->storage = malloc(LWS_SEND_BUFFER_PRE_PADDING + (size_t)n +
			      LWS_SEND_BUFFER_POST_PADDING);
	if (!msg->storage) {
		free(msg);
		return NULL;
	}
	memcpy(test_message_payload(msg), text, (size_t)n);
	msg->len = (size_t)n;

	return msg;
}

static int
callback_echo(struct libwebsocket_context *context, struct libwebsocket *wsi,
	      enum libwebsocket_callback_reasons reason, void *user, void *in,
	      size_t len)
{
	struct per_session_data__echo *pss = user;
	struct test_message *msg;
	int n;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		report("established lws_is_ssl=%d", lws_is_ssl(wsi));
		break;

	case LWS_CALLBACK_RECEIVE:
		switch (test_assembler_add(&pss->incoming, wsi, in, len,
					   MAX_MESSAGE)) {
		case TEST_ASSEMBLER_ERROR:
			return -1;
		case TEST_ASSEMBLER_PARTIAL:
			return 0;
		case TEST_ASSEMBLER_COMPLETE:
			break;
		}
		msg = test_assembler_take(&pss->incoming);
		if (!msg)
			return -1;
		if (!msg->binary && msg->len == 10 &&
		    !memcmp(test_message_payload(msg), "lws_is_ssl", 10)) {
			test_message_free(msg);
			msg = is_ssl_reply(wsi);
			if (!msg)
				return -1;
		}
		test_queue_push(&pss->outgoing, msg);
		libwebsocket_callback_on_writable(context, wsi);
		break;

	case LWS_CALLBACK_SERVER_WRITEABLE:
		msg = test_queue_pop(&pss->outgoing);
		if (!msg)
			break;
		n = libwebsocket_write(wsi, test_message_payload(msg),
				       msg->len, test_message_write_type(msg));
		test_message_free(msg);
		if (n < 0)
			return -1;
		if (pss->outgoing.count)
			libwebsocket_callback_on_writable(context, wsi);
		break;

	case LWS_CALLBACK_CLOSED:
		test_assembler_reset(&pss->incoming);
		test_queue_clear(&pss->outgoing);
		break;

	default:
		break;
	}

	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	{
		.name = "http-only",
		.callback = callback_http,
	},
	{
		.name = "lws-echo",
		.callback = callback_echo,
		.per_session_data_size = sizeof(struct per_session_data__echo),
	},
	{ .name = NULL, .callback = NULL }	/* end */
};

/* ---------------------------------------------------------------------- */
/* Command line and main loop                                              */
/* ---------------------------------------------------------------------- */

static const struct option long_options[] = {
	{ "help",		no_argument,		NULL, 'h' },
	{ "port",		required_argument,	NULL, 'p' },
	{ "debug",		required_argument,	NULL, 'd' },
	{ "cert",		required_argument,	NULL, 'C' },
	{ "key",		required_argument,	NULL, 'K' },
	{ "key-password",	required_argument,	NULL, 'P' },
	{ "key-in-callback",	required_argument,	NULL, 'k' },
	{ "ca",			required_argument,	NULL, 'A' },
	{ "extra-ca",		required_argument,	NULL, 'E' },
	{ "cipher-list",	required_argument,	NULL, 'L' },
	{ "require-client-cert", no_argument,		NULL, 'r' },
	{ "verify-answer",	required_argument,	NULL, 'v' },
	{ "allow-plain",	no_argument,		NULL, 'a' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: libwebsockets-test-tls-server --cert FILE [options]\n"
		"  -p, --port N              port (default 7681)\n"
		"  -d, --debug LEVEL         lws_set_log_level bitmask "
		"(default 7)\n"
		"      --cert FILE           ssl_cert_filepath (chain file)\n"
		"      --key FILE            ssl_private_key_filepath\n"
		"      --key-password TEXT   ssl_private_key_password\n"
		"      --key-in-callback FILE  no key file: load FILE on\n"
		"                            OPENSSL_CONTEXT_REQUIRES_PRIVATE_KEY\n"
		"      --ca FILE             ssl_ca_filepath\n"
		"      --extra-ca FILE       load FILE on\n"
		"                            OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS\n"
		"      --cipher-list TEXT    ssl_cipher_list\n"
		"      --require-client-cert LWS_SERVER_OPTION_REQUIRE_VALID_"
		"OPENSSL_CLIENT_CERT\n"
		"      --verify-answer WHAT  PERFORM_CLIENT_CERT_VERIFICATION "
		"returns:\n"
		"                            accept (0, default), reject (1),\n"
		"                            preverify (!preverify_ok)\n"
		"      --allow-plain         LWS_SERVER_OPTION_ALLOW_NON_SSL_ON_"
		"SSL_PORT\n"
		"  -h, --help                this text\n");
}

/* One option of the command line (see test_parse_command_line). */
static int
take_option(int c, char *arg)
{
	long v;

	switch (c) {
	case 'p':
	case 'd':
		if (test_parse_long(arg, 0, 65535, &v)) {
			fprintf(stderr, "test-tls-server: bad number '%s'\n",
				arg);
			return TEST_OPTION_REPORTED;
		}
		if (c == 'p')
			opts.port = (int)v;
		else
			opts.debug_level = (int)v;
		break;
	case 'C':
		opts.cert = arg;
		break;
	case 'K':
		opts.key = arg;
		break;
	case 'P':
		opts.key_password = arg;
		break;
	case 'k':
		opts.key_in_callback = arg;
		break;
	case 'A':
		opts.ca = arg;
		break;
	case 'E':
		opts.extra_ca = arg;
		break;
	case 'L':
		opts.cipher_list = arg;
		break;
	case 'r':
		opts.require_client_cert = 1;
		break;
	case 'v':
		if (!strcmp(arg, "accept"))
			opts.verify_answer = VERIFY_ACCEPT;
		else if (!strcmp(arg, "reject"))
			opts.verify_answer = VERIFY_REJECT;
		else if (!strcmp(arg, "preverify"))
			opts.verify_answer = VERIFY_PREVERIFY;
		else {
			fprintf(stderr, "test-tls-server: bad --verify-answer "
				"'%s'\n", arg);
			return TEST_OPTION_REPORTED;
		}
		break;
	case 'a':
		opts.allow_plain = 1;
		break;
	}

	return TEST_OPTION_TAKEN;
}

static int
parse_options(int argc, char **argv)
{
	int n;

	opts.port = 7681;
	opts.debug_level = LLL_ERR | LLL_WARN | LLL_NOTICE;

	n = test_parse_command_line(argc, argv, "test-tls-server",
				    "hp:d:", long_options, usage, take_option);
	if (n)
		return n;
	if (optind < argc) {
		fprintf(stderr, "test-tls-server: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	if (!opts.cert) {
		fprintf(stderr, "test-tls-server: --cert is required\n");
		return -1;
	}

	return 0;
}

int
main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	struct libwebsocket_context *context;
	int n;

	n = parse_options(argc, argv);
	if (n)
		return n > 0 ? 0 : 1;

	lws_set_log_level(opts.debug_level, NULL);

	test_exit_on_signals();

	memset(&info, 0, sizeof(info));
	info.port = opts.port;
	info.protocols = protocols;
	info.ssl_cert_filepath = opts.cert;
	info.ssl_private_key_filepath = opts.key;
	info.ssl_private_key_password = opts.key_password;
	info.ssl_ca_filepath = opts.ca;
	info.ssl_cipher_list = opts.cipher_list;
	if (opts.require_client_cert)
		info.options |= LWS_SERVER_OPTION_REQUIRE_VALID_OPENSSL_CLIENT_CERT;
	if (opts.allow_plain)
		info.options |= LWS_SERVER_OPTION_ALLOW_NON_SSL_ON_SSL_PORT;
	info.gid = -1;
	info.uid = -1;

	context = libwebsocket_create_context(&info);
	if (!context) {
		fprintf(stderr, "test-tls-server: libwebsocket_create_context "
			"failed\n");
		return 1;
	}
	fprintf(stderr, "test-tls-server: listening on port %d\n", opts.port);

	n = 0;
	while (n >= 0 && !test_force_exit)
		n = libwebsocket_service(context, 100);

	libwebsocket_context_destroy(context);
	fprintf(stderr, "test-tls-server: exited%s\n",
		n < 0 ? " with an error" : " cleanly");

	return n < 0 ? 1 : 0;
}
