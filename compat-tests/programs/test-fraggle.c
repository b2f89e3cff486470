/*
 * libwebsockets-test-fraggle - messages in many fragments, checked end to end
 *
 * Client mode (--client ADDRESS): for each of --messages messages, sends
 * random bytes as a binary message split into many frames of random sizes
 * (the first LWS_WRITE_BINARY | LWS_WRITE_NO_FIN, then
 * LWS_WRITE_CONTINUATION | LWS_WRITE_NO_FIN, the last LWS_WRITE_CONTINUATION),
 * one frame per WRITEABLE callback so the message spans many service
 * rounds.  Then a small text message says what was sent:
 *
 *   "sum XXXXXXXX len N frames F"        (CRC-32 of the whole message)
 *
 * Server mode (default): reassembles each fragmented message from its
 * RECEIVE pieces, computing CRC-32, length and frame count as they come,
 * compares them with the client's text message and answers
 *
 *   "ok sum XXXXXXXX len N frames F"   or   "bad sum ... (client: ...)"
 *
 * Both sides print what they found on stderr.  The client exits 0 when
 * every answer was "ok"; the server, on SIGINT/SIGTERM, exits 0 when no
 * message failed its check.  Extensions are never offered, so the frames
 * the server counts are exactly the frames the client wrote.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "test-crc32.h"
#include "test-program.h"

#define SUM_TEXT_MAX	96

static struct {
	int port;
	const char *client_address;
	int ssl;
	unsigned int messages;
	unsigned int fragments;		/* 0: random per message */
	size_t max_fragment;
	unsigned int seed;
	int debug_level;
} opts;

/* ---------------------------------------------------------------------- */
/* Server                                                                  */
/* ---------------------------------------------------------------------- */

/* Server-side state of one connection. */
struct per_session_data__fraggle {
	uint32_t crc;			/* of the binary message so far */
	unsigned long len;
	unsigned int frames;
	int have_data;			/* a binary message is complete */
	int in_message;			/* pieces of a message still due */
	int in_text;			/* ...of the "sum" text message */
	char text[SUM_TEXT_MAX + 1];
	size_t text_len;
	char reply[2 * SUM_TEXT_MAX];
	int reply_pending;
};

static struct {
	unsigned long checked;
	unsigned long failed;
} server;

/* The "sum" message is complete: compare and queue the answer. */
static void
server_check(struct per_session_data__fraggle *pss)
{
	unsigned long sum, len;
	unsigned int frames;
	int ok;

	pss->text[pss->text_len] = '\0';
	ok = pss->have_data &&
	     sscanf(pss->text, "sum %lx len %lu frames %u", &sum, &len,
		    &frames) == 3 &&
	     sum == pss->crc && len == pss->len && frames == pss->frames;

	snprintf(pss->reply, sizeof(pss->reply),
		 "%s sum %08lx len %lu frames %u%s%s%s", ok ? "ok" : "bad",
		 (unsigned long)pss->crc, pss->len, pss->frames,
		 ok ? "" : " (client: ", ok ? "" : pss->text, ok ? "" : ")");
	fprintf(stderr, "test-fraggle: server: message of %lu bytes in %u "
		"frames, sum %08lx: %s\n", pss->len, pss->frames,
		(unsigned long)pss->crc, ok ? "match" : "MISMATCH");
	server.checked++;
	if (!ok) {
		server.failed++;
		fprintf(stderr, "test-fraggle: server: client said '%s'\n",
			pss->text);
	}

	pss->reply_pending = 1;
	pss->crc = 0;
	pss->len = 0;
	pss->frames = 0;
	pss->have_data = 0;
}

static int
server_receive(struct libwebsocket_context *context, struct libwebsocket *wsi,
	       struct per_session_data__fraggle *pss, const void *in,
	       size_t len)
{
	int frame_done = !libwebsockets_remaining_packet_payload(wsi);
	int message_done = frame_done && libwebsocket_is_final_fragment(wsi);

	if (!pss->in_message) {
		/* First piece of a message: its opcode says which kind. */
		pss->in_message = 1;
		pss->in_text = !lws_frame_is_binary(wsi);
		pss->text_len = 0;
		if (!pss->in_text) {
			pss->crc = 0;
			pss->len = 0;
			pss->frames = 0;
			pss->have_data = 0;
		}
	}

	if (pss->in_text) {
		if (len > SUM_TEXT_MAX - pss->text_len) {
			lwsl_err("fraggle: sum message too long\n");
			return -1;
		}
		memcpy(pss->text + pss->text_len, in, len);
		pss->text_len += len;
	} else {
		pss->crc = test_crc32(pss->crc, in, len);
		pss->len += (unsigned long)len;
		if (frame_done)
			pss->frames++;
	}

	if (!message_done)
		return 0;
	pss->in_message = 0;
	if (!pss->in_text) {
		pss->have_data = 1;
		return 0;
	}
	server_check(pss);
	libwebsocket_callback_on_writable(context, wsi);

	return 0;
}

static int
server_send_reply(struct libwebsocket *wsi,
		  struct per_session_data__fraggle *pss)
{
	unsigned char buf[LWS_SEND_BUFFER_PRE_PADDING + sizeof(pss->reply) +
			  LWS_SEND_BUFFER_POST_PADDING];
	unsigned char *p = buf + LWS_SEND_BUFFER_PRE_PADDING;
	size_t n;

	if (!pss->reply_pending)
		return 0;
	pss->reply_pending = 0;
	n = strlen(pss->reply);
	memcpy(p, pss->reply, n);

	return libwebsocket_write(wsi, p, n, LWS_WRITE_TEXT) < (int)n ? -1 : 0;
}

/* ---------------------------------------------------------------------- */
/* Client                                                                  */
/* ---------------------------------------------------------------------- */

static struct {
	struct libwebsocket *wsi;
	int done;
	int failed;			/* exit 1 */
	unsigned int bad;		/* answers that were not "ok" */
	unsigned int answered;
	unsigned int message;		/* index of the message being sent */
	/* The message being sent. */
	unsigned int frames_total;
	unsigned int frames_sent;
	unsigned long len;
	uint32_t crc;
	int sum_sent;
	int closing;
} client;

static void
client_begin_message(void)
{
	client.frames_total = opts.fragments ? opts.fragments :
			      2 + (unsigned int)(random() % 199);
	client.frames_sent = 0;
	client.len = 0;
	client.crc = 0;
	client.sum_sent = 0;
}

/* One frame of the message, or the "sum" message after the last one. */
static int
client_send_next(struct libwebsocket *wsi)
{
	unsigned char *buf, *p;
	size_t size, i;
	int type, n;

	if (client.frames_sent == client.frames_total) {
		unsigned char text[LWS_SEND_BUFFER_PRE_PADDING + SUM_TEXT_MAX +
				   LWS_SEND_BUFFER_POST_PADDING];

		p = text + LWS_SEND_BUFFER_PRE_PADDING;
		n = snprintf((char *)p, SUM_TEXT_MAX,
			     "sum %08lx len %lu frames %u",
			     (unsigned long)client.crc, client.len,
			     client.frames_total);
		if (libwebsocket_write(wsi, p, (size_t)n, LWS_WRITE_TEXT) < n)
			return -1;
		client.sum_sent = 1;
		return 0;
	}

	size = 1 + (size_t)random() % opts.max_fragment;
	buf = malloc(LWS_SEND_BUFFER_PRE_PADDING + size +
		     LWS_SEND_BUFFER_POST_PADDING);
	if (!buf)
		return -1;
	p = buf + LWS_SEND_BUFFER_PRE_PADDING;
	for (i = 0; i < size; i++)
		p[i] = (unsigned char)random();
	/* Before the write: a client write masks the payload in place. */
	client.crc = test_crc32(client.crc, p, size);
	client.len += (unsigned long)size;

	type = client.frames_sent ? LWS_WRITE_CONTINUATION : LWS_WRITE_BINARY;
	if (client.frames_sent + 1 < client.frames_total)
		type |= LWS_WRITE_NO_FIN;
	n = libwebsocket_write(wsi, p, size,
			       (enum libwebsocket_write_protocol)type);
	free(buf);
	if (n < 0 || (size_t)n < size)
		return -1;
	client.frames_sent++;

	return 0;
}

static int
client_answer(struct libwebsocket_context *context, struct libwebsocket *wsi,
	      const char *in, size_t len)
{
	int ok = len >= 3 && !memcmp(in, "ok ", 3);

	/* The answer is a short text: one piece. */
	fprintf(stderr, "test-fraggle: client: message %u, %lu bytes in %u "
		"frames, sum %08lx; server: %.*s\n", client.message,
		client.len, client.frames_total, (unsigned long)client.crc,
		(int)len, in);
	client.answered++;
	if (!ok)
		client.bad++;

	if (++client.message == opts.messages) {
		client.closing = 1;
		return -1;
	}
	client_begin_message();
	libwebsocket_callback_on_writable(context, wsi);

	return 0;
}

/* ---------------------------------------------------------------------- */
/* The protocol (both roles)                                               */
/* ---------------------------------------------------------------------- */

static int
callback_fraggle(struct libwebsocket_context *context,
		 struct libwebsocket *wsi,
		 enum libwebsocket_callback_reasons reason, void *user,
		 void *in, size_t len)
{
	struct per_session_data__fraggle *pss = user;

	switch (reason) {
	/* --- server --- */
	case LWS_CALLBACK_HTTP:
		libwebsockets_return_http_status(context, wsi,
						 HTTP_STATUS_NOT_FOUND, NULL);
		return -1;

	case LWS_CALLBACK_ESTABLISHED:
		fprintf(stderr, "test-fraggle: server: client connected\n");
		break;

	case LWS_CALLBACK_RECEIVE:
		return server_receive(context, wsi, pss, in, len);

	case LWS_CALLBACK_SERVER_WRITEABLE:
		return server_send_reply(wsi, pss);

	/* --- client --- */
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		fprintf(stderr, "test-fraggle: client: connected, seed %u\n",
			opts.seed);
		client_begin_message();
		libwebsocket_callback_on_writable(context, wsi);
		break;

	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		fprintf(stderr, "test-fraggle: client: connection failed: %s\n",
			in ? (const char *)in : "?");
		client.wsi = NULL;
		client.failed = 1;
		client.done = 1;
		break;

	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (client.sum_sent)
			break;
		if (client_send_next(wsi))
			return -1;
		if (!client.sum_sent)
			libwebsocket_callback_on_writable(context, wsi);
		break;

	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (libwebsockets_remaining_packet_payload(wsi) ||
		    !libwebsocket_is_final_fragment(wsi)) {
			fprintf(stderr, "test-fraggle: client: answer in "
				"pieces\n");
			client.bad++;
			return -1;
		}
		return client_answer(context, wsi, in, len);

	/* --- both --- */
	case LWS_CALLBACK_CLOSED:
		if (opts.client_address && wsi == client.wsi) {
			if (!client.closing) {
				fprintf(stderr, "test-fraggle: client: server "
					"closed the connection\n");
				client.failed = 1;
			}
			client.wsi = NULL;
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
		.name = "fraggle-protocol",
		.callback = callback_fraggle,
		.per_session_data_size =
			sizeof(struct per_session_data__fraggle),
	},
	{ .name = NULL, .callback = NULL }	/* end */
};

/* ---------------------------------------------------------------------- */
/* Command line and main loop                                              */
/* ---------------------------------------------------------------------- */

static const struct option long_options[] = {
	{ "help",		no_argument,		NULL, 'h' },
	{ "port",		required_argument,	NULL, 'p' },
	{ "client",		required_argument,	NULL, 'c' },
	{ "ssl",		no_argument,		NULL, 's' },
	{ "messages",		required_argument,	NULL, 'n' },
	{ "fragments",		required_argument,	NULL, 'f' },
	{ "max-fragment",	required_argument,	NULL, 'm' },
	{ "seed",		required_argument,	NULL, 'S' },
	{ "debug",		required_argument,	NULL, 'd' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: libwebsockets-test-fraggle [options]\n"
		"  -p, --port N            listen port, or the server's port "
		"with\n"
		"                          --client (default 7681)\n"
		"  -c, --client ADDRESS    client mode: connect to ADDRESS\n"
		"  -s, --ssl               client: wss://, self-signed ok\n"
		"  -n, --messages N        client: messages to send (1)\n"
		"  -f, --fragments N       client: frames per message\n"
		"                          (default random, 2..200)\n"
		"  -m, --max-fragment B    client: largest frame (4000)\n"
		"  -S, --seed N            client: random seed\n"
		"  -d, --debug LEVEL       lws_set_log_level bitmask (7)\n"
		"  -h, --help              this text\n");
}

/* One option of the command line (see test_parse_command_line). */
static int
take_option(int c, char *arg)
{
	switch (c) {
	case 'p':
		return test_parse_int(arg, 1, 65535, &opts.port);
	case 'c':
		opts.client_address = arg;
		break;
	case 's':
		opts.ssl = 2;
		break;
	case 'n':
		return test_parse_uint(arg, 1, 1u << 20, &opts.messages);
	case 'f':
		return test_parse_uint(arg, 1, 1u << 20, &opts.fragments);
	case 'm':
		return test_parse_size(arg, 1, 1u << 24, &opts.max_fragment);
	case 'S':
		return test_parse_uint(arg, 0, 0x7fffffffu, &opts.seed);
	case 'd':
		return test_parse_int(arg, 0, 0xffff, &opts.debug_level);
	}

	return TEST_OPTION_TAKEN;
}

static int
parse_options(int argc, char **argv)
{
	int n;

	opts.port = 7681;
	opts.messages = 1;
	opts.max_fragment = 4000;
	opts.seed = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	opts.debug_level = LLL_ERR | LLL_WARN | LLL_NOTICE;

	n = test_parse_command_line(argc, argv, "test-fraggle",
				    "hp:c:sn:f:m:S:d:", long_options,
				    usage, take_option);
	if (n)
		return n;
	if (optind < argc) {
		fprintf(stderr, "test-fraggle: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}

	return 0;
}

static int
run_server(struct libwebsocket_context *context)
{
	int n = 0;

	fprintf(stderr, "test-fraggle: listening on port %d\n", opts.port);
	while (n >= 0 && !test_force_exit)
		n = libwebsocket_service(context, 100);
	fprintf(stderr, "test-fraggle: server: %lu messages checked, %lu "
		"failed\n", server.checked, server.failed);

	return n < 0 || server.failed ? 1 : 0;
}

static int
run_client(struct libwebsocket_context *context)
{
	char host[300];
	int n = 0;

	srandom(opts.seed);
	/* An IPv6 literal goes in brackets in a Host header. */
	snprintf(host, sizeof(host),
		 strchr(opts.client_address, ':') ? "[%s]:%d" : "%s:%d",
		 opts.client_address, opts.port);
	client.wsi = libwebsocket_client_connect(context, opts.client_address,
						 opts.port, opts.ssl, "/",
						 host, host,
						 protocols[0].name, -1);
	if (!client.wsi) {
		fprintf(stderr, "test-fraggle: client: connect to %s failed\n",
			host);
		return 1;
	}
	while (n >= 0 && !test_force_exit && !client.done)
		n = libwebsocket_service(context, 10);

	fprintf(stderr, "test-fraggle: client: %u of %u messages answered, "
		"%u bad\n", client.answered, opts.messages, client.bad);
	if (n < 0 || client.failed)
		return 1;

	return client.bad || client.answered < opts.messages ? 2 : 0;
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
	info.port = opts.client_address ? CONTEXT_PORT_NO_LISTEN : opts.port;
	info.protocols = protocols;
	info.extensions = NULL;	/* frames must reach the peer as written */
	info.gid = -1;
	info.uid = -1;

	context = libwebsocket_create_context(&info);
	if (!context) {
		fprintf(stderr, "test-fraggle: libwebsocket_create_context "
			"failed\n");
		return 1;
	}
	n = opts.client_address ? run_client(context) : run_server(context);
	libwebsocket_context_destroy(context);

	return n;
}
