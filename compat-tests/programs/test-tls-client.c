/*
 * libwebsockets-test-tls-client - one wss:// (or ws://) connection to an
 * echo server, with every client-side TLS knob as a command-line option,
 * for the TLS tests
 *
 * It connects with the ssl_connection given by --ssl (0 ws://, 1 wss://
 * verifying the server certificate and host name, 2 wss:// accepting any
 * certificate), asks for the "lws-echo" protocol, sends --count text
 * messages one after another and waits for each to come back.
 *
 * stdout, one line per event:
 *
 *   established lws_is_ssl=N       the websocket is open
 *   rx: TEXT                       a reply
 *   connection error: REASON       LWS_CALLBACK_CLIENT_CONNECTION_ERROR
 *   closed                         LWS_CALLBACK_CLOSED
 *   LOAD_EXTRA_CLIENT_VERIFY_CERTS ssl_ctx=set
 *   provided ssl_ctx still usable  (--provided-ctx, after context destroy)
 *
 * Exit status:
 *   0  every reply arrived
 *   1  bad option, or the context or the connect call failed at once
 *   2  LWS_CALLBACK_CLIENT_CONNECTION_ERROR
 *   3  --timeout seconds passed
 *   4  the connection closed before every reply arrived
 *   5  the provided SSL_CTX was unusable after libwebsocket_context_destroy
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include <libwebsockets.h>

#include "test-message.h"
#include "test-program.h"

enum exit_status {
	EXIT_OK = 0,
	EXIT_SETUP = 1,
	EXIT_CONNECTION_ERROR = 2,
	EXIT_TIMEOUT = 3,
	EXIT_CLOSED_EARLY = 4,
	EXIT_PROVIDED_CTX_FREED = 5,
};

static struct {
	const char *address;
	const char *host;
	const char *protocol;
	int port;
	int ssl_connection;
	int debug_level;
	const char *ca;
	const char *extra_ca;		/* loaded on LOAD_EXTRA_CLIENT_... */
	const char *client_cert;
	const char *client_key;
	const char *key_password;
	const char *provided_ca;	/* --provided-ctx: our own SSL_CTX */
	int no_os_ca;
	unsigned int count;
	int timeout_s;
} opts;

static struct {
	struct libwebsocket *wsi;
	unsigned int sent;
	unsigned int received;
	int awaiting_reply;
	int done;
	enum exit_status status;
} client;

struct per_session_data__client {
	struct test_assembler incoming;
};

static void
finish(enum exit_status status)
{
	if (client.done)
		return;
	client.done = 1;
	client.status = status;
}

static int
send_next(struct libwebsocket *wsi)
{
	unsigned char buf[LWS_SEND_BUFFER_PRE_PADDING + 64 +
			  LWS_SEND_BUFFER_POST_PADDING];
	unsigned char *p = buf + LWS_SEND_BUFFER_PRE_PADDING;
	int n;

	n = snprintf((char *)p, 64, "tls message %u", client.sent);
	if (libwebsocket_write(wsi, p, (size_t)n, LWS_WRITE_TEXT) < n)
		return -1;
	client.sent++;
	client.awaiting_reply = 1;

	return 0;
}

static int
callback_client(struct libwebsocket_context *context,
		struct libwebsocket *wsi,
		enum libwebsocket_callback_reasons reason, void *user,
		void *in, size_t len)
{
	struct per_session_data__client *pss = user;
	struct test_message *msg;

	switch (reason) {
	case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS:
		printf("LOAD_EXTRA_CLIENT_VERIFY_CERTS ssl_ctx=%s\n",
		       user ? "set" : "NULL");
		fflush(stdout);
		if (opts.extra_ca &&
		    SSL_CTX_load_verify_locations(user, opts.extra_ca,
						  NULL) != 1) {
			fprintf(stderr, "test-tls-client: cannot load extra "
				"CA %s\n", opts.extra_ca);
			return 1;
		}
		break;

	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		printf("established lws_is_ssl=%d\n", lws_is_ssl(wsi));
		fflush(stdout);
		libwebsocket_callback_on_writable(context, wsi);
		break;

	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		printf("connection error: %.*s\n", in ? (int)len : 1,
		       in ? (const char *)in : "-");
		fflush(stdout);
		client.wsi = NULL;
		finish(EXIT_CONNECTION_ERROR);
		break;

	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (client.awaiting_reply || client.sent >= opts.count)
			break;
		return send_next(wsi);

	case LWS_CALLBACK_CLIENT_RECEIVE:
		switch (test_assembler_add(&pss->incoming, wsi, in, len,
					   4096)) {
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
		printf("rx: %.*s\n", (int)msg->len,
		       (const char *)test_message_payload(msg));
		fflush(stdout);
		test_message_free(msg);
		client.awaiting_reply = 0;
		if (++client.received >= opts.count)
			finish(EXIT_OK);
		else
			libwebsocket_callback_on_writable(context, wsi);
		break;

	case LWS_CALLBACK_CLOSED:
		test_assembler_reset(&pss->incoming);
		printf("closed\n");
		fflush(stdout);
		client.wsi = NULL;
		finish(EXIT_CLOSED_EARLY);
		break;

	default:
		break;
	}

	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	{
		.name = "lws-echo",
		.callback = callback_client,
		.per_session_data_size =
			sizeof(struct per_session_data__client),
	},
	{ .name = NULL, .callback = NULL }	/* end */
};

/* ---------------------------------------------------------------------- */
/* Command line and main loop                                              */
/* ---------------------------------------------------------------------- */

static const struct option long_options[] = {
	{ "help",		no_argument,		NULL, 'h' },
	{ "address",		required_argument,	NULL, 'a' },
	{ "host",		required_argument,	NULL, 'H' },
	{ "protocol",		required_argument,	NULL, 'P' },
	{ "port",		required_argument,	NULL, 'p' },
	{ "ssl",		required_argument,	NULL, 's' },
	{ "debug",		required_argument,	NULL, 'd' },
	{ "ca",			required_argument,	NULL, 'A' },
	{ "extra-ca",		required_argument,	NULL, 'E' },
	{ "client-cert",	required_argument,	NULL, 'C' },
	{ "client-key",		required_argument,	NULL, 'K' },
	{ "key-password",	required_argument,	NULL, 'W' },
	{ "provided-ctx",	required_argument,	NULL, 'X' },
	{ "no-os-ca",		no_argument,		NULL, 'o' },
	{ "count",		required_argument,	NULL, 'n' },
	{ "timeout",		required_argument,	NULL, 't' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: libwebsockets-test-tls-client --port N [options]\n"
		"  -a, --address A         server address (default 127.0.0.1);\n"
		"                          also the name the certificate is\n"
		"                          checked against and the SNI name\n"
		"  -H, --host NAME         Host header (default: the address)\n"
		"  -P, --protocol NAME     protocol asked for (default "
		"lws-echo)\n"
		"  -p, --port N            server port\n"
		"  -s, --ssl 0|1|2         ssl_connection (default 1)\n"
		"  -d, --debug LEVEL       lws_set_log_level bitmask "
		"(default 7)\n"
		"      --ca FILE           ssl_ca_filepath\n"
		"      --extra-ca FILE     load FILE on\n"
		"                          OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS\n"
		"      --client-cert FILE  ssl_cert_filepath (client certificate)\n"
		"      --client-key FILE   ssl_private_key_filepath\n"
		"      --key-password TEXT ssl_private_key_password\n"
		"      --provided-ctx CA   use our own SSL_CTX trusting CA as\n"
		"                          provided_client_ssl_ctx\n"
		"      --no-os-ca          LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS\n"
		"  -n, --count N           messages to echo (default 3)\n"
		"  -t, --timeout S         give up after S seconds (default 10)\n"
		"  -h, --help              this text\n");
}

/* test_parse_int, saying on stderr (in this program's words) what is wrong. */
static int
parse_number(const char *s, int min, int max, int *out)
{
	if (!test_parse_int(s, min, max, out))
		return TEST_OPTION_TAKEN;
	fprintf(stderr, "test-tls-client: bad number '%s'\n", s);

	return TEST_OPTION_REPORTED;
}

/* One option of the command line (see test_parse_command_line). */
static int
take_option(int c, char *arg)
{
	int count;

	switch (c) {
	case 'a':
		opts.address = arg;
		break;
	case 'H':
		opts.host = arg;
		break;
	case 'P':
		opts.protocol = arg;
		break;
	case 'p':
		return parse_number(arg, 1, 65535, &opts.port);
	case 's':
		return parse_number(arg, 0, 2, &opts.ssl_connection);
	case 'd':
		return parse_number(arg, 0, 0xffff, &opts.debug_level);
	case 'A':
		opts.ca = arg;
		break;
	case 'E':
		opts.extra_ca = arg;
		break;
	case 'C':
		opts.client_cert = arg;
		break;
	case 'K':
		opts.client_key = arg;
		break;
	case 'W':
		opts.key_password = arg;
		break;
	case 'X':
		opts.provided_ca = arg;
		break;
	case 'o':
		opts.no_os_ca = 1;
		break;
	case 'n':
		if (parse_number(arg, 1, 100000, &count))
			return TEST_OPTION_REPORTED;
		opts.count = (unsigned int)count;
		break;
	case 't':
		return parse_number(arg, 1, 3600, &opts.timeout_s);
	}

	return TEST_OPTION_TAKEN;
}

static int
parse_options(int argc, char **argv)
{
	int n;

	opts.address = "127.0.0.1";
	opts.protocol = "lws-echo";
	opts.ssl_connection = 1;
	opts.debug_level = LLL_ERR | LLL_WARN | LLL_NOTICE;
	opts.count = 3;
	opts.timeout_s = 10;

	n = test_parse_command_line(argc, argv, "test-tls-client",
				    "ha:H:P:p:s:d:n:t:", long_options,
				    usage, take_option);
	if (n)
		return n;
	if (optind < argc || !opts.port) {
		usage(stderr);
		return -1;
	}
	if (!opts.host)
		opts.host = opts.address;

	return 0;
}

/* The caller's own client SSL_CTX for provided_client_ssl_ctx. */
static SSL_CTX *
make_provided_ctx(const char *ca)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx)
		return NULL;
	if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}

	return ctx;
}

int
main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	struct libwebsocket_context *context;
	SSL_CTX *provided = NULL;
	long long deadline;
	SSL *probe;
	int n;

	n = parse_options(argc, argv);
	if (n)
		return n > 0 ? 0 : EXIT_SETUP;

	lws_set_log_level(opts.debug_level, NULL);

	test_exit_on_signals();

	if (opts.provided_ca) {
		provided = make_provided_ctx(opts.provided_ca);
		if (!provided) {
			fprintf(stderr, "test-tls-client: cannot make an "
				"SSL_CTX trusting %s\n", opts.provided_ca);
			return EXIT_SETUP;
		}
	}

	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.ssl_ca_filepath = opts.ca;
	info.ssl_cert_filepath = opts.client_cert;
	info.ssl_private_key_filepath = opts.client_key;
	info.ssl_private_key_password = opts.key_password;
	info.provided_client_ssl_ctx = provided;
	if (opts.no_os_ca)
		info.options |= LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
	info.gid = -1;
	info.uid = -1;

	context = libwebsocket_create_context(&info);
	if (!context) {
		fprintf(stderr, "test-tls-client: libwebsocket_create_context "
			"failed\n");
		if (provided)
			SSL_CTX_free(provided);
		return EXIT_SETUP;
	}

	client.wsi = libwebsocket_client_connect(context, opts.address,
						 opts.port,
						 opts.ssl_connection, "/",
						 opts.host, opts.host,
						 opts.protocol, -1);
	if (!client.wsi && !client.done) {
		fprintf(stderr, "test-tls-client: libwebsocket_client_connect "
			"returned NULL\n");
		finish(EXIT_SETUP);
	}

	deadline = test_monotonic_ms() + opts.timeout_s * 1000LL;
	n = 0;
	while (n >= 0 && !client.done && !test_force_exit) {
		if (test_monotonic_ms() >= deadline) {
			printf("timeout\n");
			finish(EXIT_TIMEOUT);
			break;
		}
		n = libwebsocket_service(context, 50);
	}
	if (!client.done)
		finish(n < 0 ? EXIT_SETUP : EXIT_TIMEOUT);

	libwebsocket_context_destroy(context);

	/* Ours, not the library's: it must still be alive and usable. */
	if (provided) {
		probe = SSL_new(provided);
		if (!probe) {
			printf("provided ssl_ctx unusable\n");
			client.status = EXIT_PROVIDED_CTX_FREED;
		} else {
			printf("provided ssl_ctx still usable\n");
			SSL_free(probe);
		}
		SSL_CTX_free(provided);
	}
	fflush(stdout);

	return client.status;
}
