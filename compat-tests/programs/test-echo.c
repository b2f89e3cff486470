/*
 * libwebsockets-test-echo - echo server, or a client that talks to one
 *
 * Server mode (default): one protocol, "lws-echo", which is also what a
 * client that asks for no protocol gets (it is protocols[0]).  Every
 * message is sent back exactly as it came: same bytes, same opcode, any
 * size, however it was fragmented.  Pieces are collected into whole
 * messages (test-message.c), whole messages wait in a per-connection queue
 * until the connection is writeable, and while that queue is long the
 * connection's input is paused with libwebsocket_rx_flow_control(), so a
 * peer that sends faster than it reads loses nothing and cannot make the
 * server buffer without bound.
 *
 * --workers N forks N server processes sharing the port (test-workers.h).
 *
 * Client mode (--client ADDRESS): connects to an echo server, sends a text
 * message every --interval ms (or --rate per second) and prints each reply
 * on stdout; with --count N it exits after N replies.
 *
 * SIGINT or SIGTERM ends the loop and destroys the context.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "test-message.h"
#include "test-program.h"
#include "test-workers.h"

#ifndef LWS_TEST_RESOURCE_DIR
/* The build passes the install share dir, where the test certificate is. */
#define LWS_TEST_RESOURCE_DIR "."
#endif

/* Pause a connection's input above this many queued replies... */
#define ECHO_QUEUE_PAUSE	64
/* ...and let it go on once the queue is down to this many. */
#define ECHO_QUEUE_RESUME	16
/*
 * RECEIVE pieces of up to this much; also how much the library lets one
 * service call write to a connection before lws_send_pipe_choked says
 * stop, which is what keeps one busy peer from hogging the loop.  64 KiB:
 * at 16 KiB a peer keeping eight 16 KiB messages in flight got one echo
 * per service call straight from RECEIVE, and every other message went
 * through the queue (a malloc and a copy, then a send from cold memory).
 */
#define ECHO_RX_BUFFER		65536

/* State of one echo connection (server side, or our one client). */
struct per_session_data__echo {
	struct test_assembler incoming;	/* message being received */
	struct test_queue outgoing;	/* complete messages to send back */
	int rx_paused;			/* input paused by flow control */
};

/* Command line. */
static struct {
	int port;
	const char *iface;
	int debug_level;
	int use_ssl;
	int no_extensions;
	const char *cert_path;
	const char *key_path;
	size_t max_message;
	const char *client_address;	/* NULL: server mode */
	int interval_ms;
	unsigned int count;		/* client: exit after this many replies */
	int workers;			/* 0: no worker processes */
} opts;

/* Progress of client mode. */
static struct {
	struct libwebsocket *wsi;
	int established;
	int done;			/* leave the loop */
	int failed;			/* ... with exit status 1 */
	unsigned int sent;
	unsigned int received;
} client;

/* ---------------------------------------------------------------------- */
/* Server side                                                             */
/* ---------------------------------------------------------------------- */

/*
 * Whether a reply may go out now rather than wait in the queue: nothing is
 * queued ahead of it and the socket takes more (the writes of one service
 * call go out together, so a burst of pipelined messages costs one send).
 */
static int
echo_can_send_now(struct libwebsocket *wsi, struct per_session_data__echo *pss)
{
	return !pss->outgoing.count && !lws_partial_buffered(wsi) &&
	       !lws_send_pipe_choked(wsi);
}

/* p has LWS_SEND_BUFFER_PRE_PADDING before it, as libwebsocket_write wants. */
static int
echo_send(struct libwebsocket *wsi, unsigned char *p, size_t len, int binary)
{
	int n = libwebsocket_write(wsi, p, len,
				   binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);

	/* The library keeps what the kernel did not take. */
	if (n < 0 || (size_t)n < len) {
		lwsl_err("echo: write failed (%d of %lu)\n", n,
			 (unsigned long)len);
		return -1;
	}
	return 0;
}

/* A whole message was assembled: send it back now, or queue it for WRITEABLE. */
static int
echo_reply(struct libwebsocket_context *context,
	   struct libwebsocket *wsi, struct per_session_data__echo *pss)
{
	struct test_assembler *a = &pss->incoming;
	struct test_message *msg;
	int n;

	if (echo_can_send_now(wsi, pss)) {
		n = echo_send(wsi, test_assembler_payload(a), a->len, a->binary);
		test_assembler_reset(a);
		return n;
	}

	msg = test_assembler_take(a);

	if (!msg)
		return -1;
	test_queue_push(&pss->outgoing, msg);
	libwebsocket_callback_on_writable(context, wsi);

	/*
	 * The peer is ahead of us.  Stop reading from it until we catch up;
	 * what it sends meanwhile waits in the kernel, not in our memory.
	 */
	if (!pss->rx_paused && pss->outgoing.count > ECHO_QUEUE_PAUSE) {
		libwebsocket_rx_flow_control(wsi, 0);
		pss->rx_paused = 1;
	}

	return 0;
}

/* Writes queued replies until the queue is empty or the socket is full. */
static int
echo_send_replies(struct libwebsocket_context *context,
		  struct libwebsocket *wsi, struct per_session_data__echo *pss)
{
	struct test_message *msg;
	int n;

	while ((msg = test_queue_pop(&pss->outgoing))) {
		n = echo_send(wsi, test_message_payload(msg), msg->len,
			      msg->binary);
		test_message_free(msg);
		if (n)
			return -1;

		if (lws_partial_buffered(wsi) || lws_send_pipe_choked(wsi))
			break;
	}

	if (pss->rx_paused && pss->outgoing.count <= ECHO_QUEUE_RESUME) {
		libwebsocket_rx_flow_control(wsi, 1);
		pss->rx_paused = 0;
	}
	if (pss->outgoing.count)
		libwebsocket_callback_on_writable(context, wsi);

	return 0;
}

/* ---------------------------------------------------------------------- */
/* Client side                                                             */
/* ---------------------------------------------------------------------- */

static int
client_send_next(struct libwebsocket *wsi)
{
	unsigned char buf[LWS_SEND_BUFFER_PRE_PADDING + 128 +
			  LWS_SEND_BUFFER_POST_PADDING];
	unsigned char *p = buf + LWS_SEND_BUFFER_PRE_PADDING;
	int n, m;

	n = snprintf((char *)p, 128, "test-echo message %u", client.sent);
	m = libwebsocket_write(wsi, p, (size_t)n, LWS_WRITE_TEXT);
	if (m < n) {
		lwsl_err("echo client: write failed (%d)\n", m);
		return -1;
	}
	client.sent++;

	return 0;
}

static void
client_print_reply(const struct test_message *msg)
{
	client.received++;
	if (msg->binary)
		printf("rx %u: (%lu binary bytes)\n", client.received,
		       (unsigned long)msg->len);
	else
		printf("rx %u: %.*s\n", client.received, (int)msg->len,
		       (const char *)test_message_payload(msg));
	fflush(stdout);

	if (opts.count && client.received >= opts.count)
		client.done = 1;
}

/* ---------------------------------------------------------------------- */
/* The protocol                                                            */
/* ---------------------------------------------------------------------- */

static int
callback_echo(struct libwebsocket_context *context, struct libwebsocket *wsi,
	      enum libwebsocket_callback_reasons reason, void *user, void *in,
	      size_t len)
{
	struct per_session_data__echo *pss = user;
	struct test_message *msg;

	switch (reason) {
	/* --- server --- */
	case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
		test_workers_count_connection();
		break;

	case LWS_CALLBACK_HTTP:
		/* Nothing to serve here: this server only speaks websocket. */
		libwebsockets_return_http_status(context, wsi,
						 HTTP_STATUS_NOT_FOUND, NULL);
		return -1;

	case LWS_CALLBACK_RECEIVE:
		if (!pss->incoming.collecting &&
		    !libwebsockets_remaining_packet_payload(wsi) &&
		    libwebsocket_is_final_fragment(wsi) &&
		    echo_can_send_now(wsi, pss)) {
			/*
			 * A message that arrived in one RECEIVE goes back
			 * from where it lies: in has the send paddings around
			 * it, as in 1.4, so no copy is needed.
			 */
			return echo_send(wsi, in, len,
					 lws_frame_is_binary(wsi));
		}
		switch (test_assembler_add(&pss->incoming, wsi, in, len,
					   opts.max_message)) {
		case TEST_ASSEMBLER_ERROR:
			lwsl_err("echo: message over %lu bytes or out of "
				 "memory\n", (unsigned long)opts.max_message);
			return -1;
		case TEST_ASSEMBLER_PARTIAL:
			return 0;
		case TEST_ASSEMBLER_COMPLETE:
			break;
		}
		return echo_reply(context, wsi, pss);

	case LWS_CALLBACK_SERVER_WRITEABLE:
		return echo_send_replies(context, wsi, pss);

	/* --- client --- */
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		fprintf(stderr, "test-echo: connected to %s:%d\n",
			opts.client_address, opts.port);
		client.established = 1;
		break;

	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		fprintf(stderr, "test-echo: connection to %s:%d failed\n",
			opts.client_address, opts.port);
		client.wsi = NULL;
		client.failed = 1;
		client.done = 1;
		break;

	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return client_send_next(wsi);

	case LWS_CALLBACK_CLIENT_RECEIVE:
		switch (test_assembler_add(&pss->incoming, wsi, in, len,
					   opts.max_message)) {
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
		client_print_reply(msg);
		test_message_free(msg);
		break;

	/* --- both --- */
	case LWS_CALLBACK_CLOSED:
		test_assembler_reset(&pss->incoming);
		test_queue_clear(&pss->outgoing);
		if (opts.client_address && wsi == client.wsi) {
			fprintf(stderr, "test-echo: connection closed\n");
			client.wsi = NULL;
			client.failed = !opts.count ||
					client.received < opts.count;
			client.done = 1;
		}
		break;

	default:
		break;
	}

	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	{
		.name = "lws-echo",
		.callback = callback_echo,
		.per_session_data_size = sizeof(struct per_session_data__echo),
		.rx_buffer_size = ECHO_RX_BUFFER,
	},
	{ .name = NULL, .callback = NULL }	/* end */
};

/* ---------------------------------------------------------------------- */
/* Command line and main loop                                              */
/* ---------------------------------------------------------------------- */

static const struct option long_options[] = {
	{ "help",		no_argument,		NULL, 'h' },
	{ "port",		required_argument,	NULL, 'p' },
	{ "interface",		required_argument,	NULL, 'i' },
	{ "debug",		required_argument,	NULL, 'd' },
	{ "ssl",		no_argument,		NULL, 's' },
	{ "ssl-cert",		required_argument,	NULL, 'C' },
	{ "ssl-key",		required_argument,	NULL, 'K' },
	{ "no-extensions",	no_argument,		NULL, 'n' },
	{ "max-message",	required_argument,	NULL, 'M' },
	{ "client",		required_argument,	NULL, 'c' },
	{ "interval",		required_argument,	NULL, 't' },
	{ "rate",		required_argument,	NULL, 'R' },
	{ "count",		required_argument,	NULL, 'N' },
	{ "workers",		required_argument,	NULL, 'W' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: libwebsockets-test-echo [options]\n"
		"  -p, --port N            listen port, or the server's port "
		"with --client\n"
		"                          (default 7681)\n"
		"  -i, --interface NAME    listen on this interface only\n"
		"  -d, --debug LEVEL       lws_set_log_level bitmask (default 7)\n"
		"  -s, --ssl               use TLS (client: accept self-signed)\n"
		"      --ssl-cert FILE     server certificate (default\n"
		"                          " LWS_TEST_RESOURCE_DIR
		"/libwebsockets-test-server.pem)\n"
		"      --ssl-key FILE      server private key (default\n"
		"                          " LWS_TEST_RESOURCE_DIR
		"/libwebsockets-test-server.key.pem)\n"
		"  -n, --no-extensions     offer no websocket extensions\n"
		"  -M, --max-message BYTES largest message echoed "
		"(default 64 MiB)\n"
		"  -c, --client ADDRESS    client mode: connect to ADDRESS\n"
		"  -t, --interval MS       client: ms between messages "
		"(default 1000)\n"
		"  -R, --rate N            client: N messages per second\n"
		"  -N, --count N           client: exit after N replies\n"
		"  -W, --workers N         server: N processes on the port\n"
		"  -h, --help              this text\n");
}

/* One option of the command line (see test_parse_command_line). */
static int
take_option(int c, char *arg)
{
	long v;

	switch (c) {
	case 'p':
		return test_parse_int(arg, 1, 65535, &opts.port);
	case 'i':
		opts.iface = arg;
		break;
	case 'd':
		return test_parse_int(arg, 0, 0xffff, &opts.debug_level);
	case 's':
		opts.use_ssl = 1;
		break;
	case 'C':
		opts.cert_path = arg;
		break;
	case 'K':
		opts.key_path = arg;
		break;
	case 'n':
		opts.no_extensions = 1;
		break;
	case 'M':
		return test_parse_size(arg, 0, 1u << 30, &opts.max_message);
	case 'c':
		opts.client_address = arg;
		break;
	case 't':
		return test_parse_int(arg, 1, 3600000, &opts.interval_ms);
	case 'R':
		if (test_parse_long(arg, 1, 1000, &v))
			return TEST_OPTION_BAD_VALUE;
		opts.interval_ms = (int)(1000 / v);
		break;
	case 'N':
		return test_parse_uint(arg, 1, 1u << 30, &opts.count);
	case 'W':
		return test_parse_int(arg, 1, TEST_WORKERS_MAX, &opts.workers);
	}

	return TEST_OPTION_TAKEN;
}

/* 0 to go on, 1 after --help, -1 on a bad command line. */
static int
parse_options(int argc, char **argv)
{
	int n;

	opts.port = 7681;
	opts.debug_level = LLL_ERR | LLL_WARN | LLL_NOTICE;
	opts.max_message = 64u * 1024 * 1024;
	opts.interval_ms = 1000;
	opts.cert_path = LWS_TEST_RESOURCE_DIR "/libwebsockets-test-server.pem";
	opts.key_path = LWS_TEST_RESOURCE_DIR
			"/libwebsockets-test-server.key.pem";

	n = test_parse_command_line(argc, argv, "test-echo",
				    "hp:i:d:snM:c:t:R:N:W:", long_options,
				    usage, take_option);
	if (n)
		return n;
	if (optind < argc) {
		fprintf(stderr, "test-echo: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	if (opts.workers && opts.client_address) {
		fprintf(stderr, "test-echo: --workers is for the server\n");
		return -1;
	}
	return 0;
}

static int
run_server(struct libwebsocket_context *context)
{
	int n = 0;

	test_workers_listening("test-echo", opts.port);
	while (n >= 0 && !test_force_exit)
		n = libwebsocket_service(context, 100);
	test_workers_report("test-echo");

	return n < 0 ? 1 : 0;
}

static int
run_client(struct libwebsocket_context *context)
{
	long long next_send = 0;
	int n = 0;

	/* ssl_connection 2: wss:// that accepts the self-signed test cert. */
	client.wsi = libwebsocket_client_connect(context, opts.client_address,
						 opts.port,
						 opts.use_ssl ? 2 : 0, "/",
						 opts.client_address,
						 opts.client_address,
						 protocols[0].name, -1);
	if (!client.wsi) {
		fprintf(stderr, "test-echo: client connect to %s:%d failed\n",
			opts.client_address, opts.port);
		return 1;
	}

	while (n >= 0 && !test_force_exit && !client.done) {
		if (client.established && client.wsi &&
		    test_monotonic_ms() >= next_send) {
			libwebsocket_callback_on_writable(context, client.wsi);
			next_send = test_monotonic_ms() + opts.interval_ms;
		}
		n = libwebsocket_service(context, 10);
	}

	return n < 0 || client.failed ? 1 : 0;
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

	n = test_workers_start("test-echo", opts.workers, opts.port);
	if (n >= 0)
		return n;

	test_exit_on_signals();

	memset(&info, 0, sizeof(info));
	info.port = opts.client_address ? CONTEXT_PORT_NO_LISTEN : opts.port;
	info.iface = opts.iface;
	info.protocols = protocols;
	info.extensions = opts.no_extensions ?
			  NULL : libwebsocket_get_internal_extensions();
	if (opts.use_ssl && !opts.client_address) {
		info.ssl_cert_filepath = opts.cert_path;
		info.ssl_private_key_filepath = opts.key_path;
	}
	info.gid = -1;
	info.uid = -1;
	if (opts.workers)
		info.options |= LWS_SERVER_OPTION_ALLOW_LISTEN_SHARE;

	context = libwebsocket_create_context(&info);
	if (!context) {
		fprintf(stderr, "test-echo: libwebsocket_create_context "
			"failed\n");
		return 1;
	}

	n = opts.client_address ? run_client(context) : run_server(context);

	libwebsocket_context_destroy(context);
	fprintf(stderr, "test-echo: exited%s\n", n ? " with an error" : "");

	return n;
}
