/*
 * libwebsockets-test-ext - websocket extensions end to end
 *
 * A test aid for compat-tests/py/test_ext_*.py.  It carries a user-written
 * extension, "x-xor-test", implemented in C through the 1.4 extension API
 * exactly as an application would: it XORs every payload byte with 0x5a on
 * PAYLOAD_TX and again on PAYLOAD_RX, so two ends that both run it see
 * their messages intact while the wire carries the XORed bytes.  Next to it
 * the context may hold any of the library's built-in extensions
 * (libwebsocket_get_internal_extensions()), picked by name with --ext.
 *
 * Server mode (default): listens on --port; every message is sent back with
 * the same opcode, as --fragments frames (LWS_WRITE_NO_FIN + CONTINUATION).
 * Client mode (--client ADDRESS): sends one message per --sizes entry, each
 * as --fragments frames, waits for its echo and checks it, then closes
 * (after --hold ms).  Message K of size N is the pattern test-client-
 * scenario uses for connection 0: text byte i = 32 + (i + K) % 95, binary
 * byte i = ((i + K) % 256) * 131 + 7 (mod 256).
 *
 * Event lines (server: stderr, client: stdout):
 *
 *   CONFIRM_EXTENSION_OKAY name=X veto=V          server, protocols[0]
 *   CLIENT_CONFIRM_EXTENSION_SUPPORTED name=X veto=V   client, protocols[0]
 *   ESTABLISHED role=R extensions=VALUE   server: the client's offer;
 *                                         client: the server's answer
 *   RECEIVED index=K len=N binary=B crc=XXXXXXXX    server, per message
 *   MESSAGE index=K len=N binary=B crc=XXXXXXXX ok=0|1   client, per echo
 *   EXT_SESSION role=R construct=N client_construct=N payload_rx=N
 *       payload_tx=N rx_bytes=N tx_bytes=N one_hz=N user_ok=0|1
 *                                         x-xor-test's per-session counts,
 *                                         printed at its DESTROY
 *   CLOSED role=R
 *   CONNECTION_ERROR reason=TEXT
 *   TIMEOUT                               client: --timeout expired
 *   EXT_CONTEXT name=value ...            every extension callback reason
 *                                         x-xor-test saw on this context,
 *                                         printed after the context is gone
 *   SUMMARY sent=N received=N bad=N
 *
 * Exit status (client): 0 every echo matched; 1 the connection failed;
 * 2 an echo did not match or the connection closed early; 3 timeout;
 * 64 bad command line.  The server exits 0 on SIGINT / SIGTERM.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "test-crc32.h"
#include "test-message.h"
#include "test-program.h"

#define XOR_NAME	"x-xor-test"
#define XOR_BYTE	0x5a
#define XOR_MAGIC	0x584f5221u
#define MAX_EXTENSIONS	8
#define MAX_SIZES	64
#define MAX_VETOES	4
#define MAX_MESSAGE	(64u * 1024 * 1024)

/* ---------------------------------------------------------------------- */
/* Options and state                                                       */
/* ---------------------------------------------------------------------- */

static struct {
	int port;
	const char *client_address;	/* NULL: server mode */
	const char *ext_list;		/* names, comma separated */
	const char *vetoes[MAX_VETOES];
	unsigned int veto_count;
	size_t sizes[MAX_SIZES];
	unsigned int size_count;
	unsigned int fragments;
	int binary;
	int xor_copy;			/* x-xor-test repoints lws_tokens */
	int rx_buffer;
	int hold_ms;
	int timeout_s;
	int debug_level;
} opts;

static FILE *out;			/* stderr (server) or stdout */
static const char *role_name;

/* Client progress. */
static struct {
	struct libwebsocket *wsi;
	unsigned int sent;
	unsigned int received;
	unsigned int bad;
	int closed;
	int failed;
	int closing;			/* close at the next WRITEABLE */
	long long close_at;		/* ms; 0: not yet due */
} client;

/* Per connection, for the protocol. */
struct per_session_data__ext {
	struct test_assembler incoming;
	struct test_queue outgoing;
	unsigned int received;
};

/* ---------------------------------------------------------------------- */
/* The x-xor-test extension                                                */
/* ---------------------------------------------------------------------- */

/*
 * Everything x-xor-test sees on one context, reached through the
 * extension's per_context_private_data: finding it there proves the
 * library hands the application's own extension entry to the callback.
 */
struct xor_context {
	unsigned long reasons[LWS_EXT_CALLBACK_PAYLOAD_RX + 1];
	unsigned long unknown;		/* a reason outside the enum */
	unsigned long bad_user;		/* per-session data not as expected */
};

static struct xor_context xor_counts;

/* The per_session_data_size block of one connection using x-xor-test. */
struct xor_session {
	unsigned int magic;		/* set at (CLIENT_)CONSTRUCT */
	int zeroed;			/* the block was all zero at CONSTRUCT */
	unsigned int construct;
	unsigned int client_construct;
	unsigned int payload_rx;
	unsigned int payload_tx;
	unsigned long rx_bytes;
	unsigned long tx_bytes;
	unsigned int one_hz;
	unsigned char *copy;		/* --xor-copy: the repointed buffer */
	size_t copy_size;
};

static int
all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return 0;

	return 1;
}

/*
 * XORs the payload in lws_tokens: in place, or (--xor-copy) into a buffer
 * of the extension's own that the tokens are repointed to, as an extension
 * that changes the length would have to.
 */
static int
xor_tokens(struct xor_session *s, struct lws_tokens *tokens)
{
	unsigned char *src = (unsigned char *)tokens->token;
	unsigned char *dst = src;
	size_t n, i;

	if (tokens->token_len < 0)
		return -1;
	n = (size_t)tokens->token_len;
	if (opts.xor_copy && n) {
		if (s->copy_size < n) {
			unsigned char *grown = realloc(s->copy, n);

			if (!grown)
				return -1;
			s->copy = grown;
			s->copy_size = n;
		}
		dst = s->copy;
	}
	for (i = 0; i < n; i++)
		dst[i] = src[i] ^ XOR_BYTE;
	if (dst != src)
		tokens->token = (char *)dst;

	return 0;
}

static int
callback_xor(struct libwebsocket_context *context,
	     struct libwebsocket_extension *ext, struct libwebsocket *wsi,
	     enum libwebsocket_extension_callback_reasons reason, void *user,
	     void *in, size_t len)
{
	struct xor_context *counts = ext->per_context_private_data;
	struct xor_session *s = user;
	struct lws_tokens *tokens = in;

	(void)context;
	(void)len;

	if (counts != &xor_counts) {
		fprintf(out, "XOR_BAD_CONTEXT_DATA reason=%d\n", (int)reason);
		return 0;
	}
	if ((unsigned int)reason <= LWS_EXT_CALLBACK_PAYLOAD_RX)
		counts->reasons[reason]++;
	else
		counts->unknown++;

	switch (reason) {
	case LWS_EXT_CALLBACK_CONSTRUCT:
	case LWS_EXT_CALLBACK_CLIENT_CONSTRUCT:
		if (!s || !wsi) {
			counts->bad_user++;
			break;
		}
		s->zeroed = all_zero(s, sizeof(*s));
		s->magic = XOR_MAGIC;
		if (reason == LWS_EXT_CALLBACK_CONSTRUCT)
			s->construct++;
		else
			s->client_construct++;
		break;

	case LWS_EXT_CALLBACK_PAYLOAD_TX:
	case LWS_EXT_CALLBACK_PAYLOAD_RX:
		if (!s || s->magic != XOR_MAGIC || !tokens) {
			counts->bad_user++;
			return -1;
		}
		if (reason == LWS_EXT_CALLBACK_PAYLOAD_TX) {
			s->payload_tx++;
			s->tx_bytes += (unsigned long)tokens->token_len;
		} else {
			s->payload_rx++;
			s->rx_bytes += (unsigned long)tokens->token_len;
		}
		return xor_tokens(s, tokens);

	case LWS_EXT_CALLBACK_1HZ:
		if (!s || s->magic != XOR_MAGIC) {
			counts->bad_user++;
			break;
		}
		s->one_hz++;
		break;

	case LWS_EXT_CALLBACK_DESTROY:
		if (!s || s->magic != XOR_MAGIC) {
			counts->bad_user++;
			break;
		}
		fprintf(out, "EXT_SESSION role=%s construct=%u "
			"client_construct=%u payload_rx=%u payload_tx=%u "
			"rx_bytes=%lu tx_bytes=%lu one_hz=%u user_ok=%d\n",
			role_name, s->construct, s->client_construct,
			s->payload_rx, s->payload_tx, s->rx_bytes, s->tx_bytes,
			s->one_hz, s->zeroed);
		fflush(out);
		free(s->copy);
		s->copy = NULL;
		s->magic = 0;
		break;

	default:
		break;
	}

	return 0;
}

static const char *const reason_names[] = {
	"server_context_construct", "client_context_construct",
	"server_context_destruct", "client_context_destruct",
	"construct", "client_construct", "check_ok_to_really_close",
	"check_ok_to_propose_extension", "destroy", "destroy_any_wsi_closing",
	"any_wsi_established", "packet_rx_preparse", "packet_tx_presend",
	"packet_tx_do_send", "handshake_reply_tx", "flush_pending_tx",
	"extended_payload_rx", "can_proxy_client_connection", "1hz",
	"request_on_writeable", "is_writeable", "payload_tx", "payload_rx",
};

static void
print_xor_context(void)
{
	unsigned int i;

	fprintf(out, "EXT_CONTEXT");
	for (i = 0; i <= LWS_EXT_CALLBACK_PAYLOAD_RX; i++)
		fprintf(out, " %s=%lu", reason_names[i], xor_counts.reasons[i]);
	fprintf(out, " unknown=%lu bad_user=%lu\n", xor_counts.unknown,
		xor_counts.bad_user);
	fflush(out);
}

/* The context's extension array, built from --ext. */
static struct libwebsocket_extension extensions[MAX_EXTENSIONS + 1];

static int
add_extension(const char *name, size_t n)
{
	struct libwebsocket_extension *builtin;
	unsigned int count = 0;

	while (extensions[count].name)
		count++;
	if (count == MAX_EXTENSIONS)
		return -1;

	if (strlen(XOR_NAME) == n && !strncmp(name, XOR_NAME, n)) {
		extensions[count].name = XOR_NAME;
		extensions[count].callback = callback_xor;
		extensions[count].per_session_data_size =
			sizeof(struct xor_session);
		extensions[count].per_context_private_data = &xor_counts;
		return 0;
	}
	for (builtin = libwebsocket_get_internal_extensions();
	     builtin && builtin->name; builtin++)
		if (strlen(builtin->name) == n &&
		    !strncmp(name, builtin->name, n)) {
			extensions[count] = *builtin;
			return 0;
		}

	fprintf(stderr, "test-ext: unknown extension '%.*s'\n", (int)n, name);
	return -1;
}

static int
is_vetoed(const char *name)
{
	unsigned int i;

	for (i = 0; name && i < opts.veto_count; i++)
		if (!strcmp(name, opts.vetoes[i]))
			return 1;

	return 0;
}

/* ---------------------------------------------------------------------- */
/* Messages                                                                */
/* ---------------------------------------------------------------------- */

static unsigned char
pattern_byte(size_t i, unsigned int k, int binary)
{
	size_t j = i + k;

	if (binary)
		return (unsigned char)((j % 256) * 131 + 7);

	return (unsigned char)(32 + j % 95);
}

/*
 * Writes len bytes as --fragments frames, each from its own padded copy:
 * a write may use the padding around its payload, and x-xor-test changes
 * the payload in place.  pattern: the bytes are message K's pattern
 * (client); otherwise they are copied from data (server echo).
 */
static int
write_message(struct libwebsocket *wsi, const unsigned char *data,
	      size_t len, int binary, int pattern, unsigned int k)
{
	unsigned int f, frames = opts.fragments ? opts.fragments : 1;
	size_t piece, offset = 0, n, i;
	unsigned char *buf, *p;
	int type, written;

	if (frames > len)
		frames = len ? (unsigned int)len : 1;
	piece = len / frames;
	buf = malloc(LWS_SEND_BUFFER_PRE_PADDING + len - piece * (frames - 1) +
		     LWS_SEND_BUFFER_POST_PADDING);
	if (!buf)
		return -1;
	p = buf + LWS_SEND_BUFFER_PRE_PADDING;

	for (f = 0; f < frames; f++) {
		n = f == frames - 1 ? len - offset : piece;
		if (pattern)
			for (i = 0; i < n; i++)
				p[i] = pattern_byte(offset + i, k, binary);
		else
			memcpy(p, data + offset, n);
		type = f ? LWS_WRITE_CONTINUATION :
		       binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT;
		if (f != frames - 1)
			type |= LWS_WRITE_NO_FIN;
		written = libwebsocket_write(wsi, p, n,
				(enum libwebsocket_write_protocol)type);
		if (written < 0 || (size_t)written < n) {
			free(buf);
			return -1;
		}
		offset += n;
	}
	free(buf);

	return 0;
}

static int
matches_pattern(const struct test_message *msg, unsigned int k)
{
	const unsigned char *p = test_message_payload(msg);
	size_t i;

	for (i = 0; i < msg->len; i++)
		if (p[i] != pattern_byte(i, k, msg->binary))
			return 0;

	return 1;
}

/* ---------------------------------------------------------------------- */
/* The protocol                                                            */
/* ---------------------------------------------------------------------- */

static void
print_extensions_header(struct libwebsocket *wsi)
{
	static char value[1024];

	if (lws_hdr_copy(wsi, value, sizeof(value), WSI_TOKEN_EXTENSIONS) < 0)
		value[0] = '\0';
	fprintf(out, "ESTABLISHED role=%s extensions=%s\n", role_name, value);
}

static int
server_message(struct libwebsocket_context *context,
	       struct libwebsocket *wsi, struct per_session_data__ext *pss)
{
	struct test_message *msg = test_assembler_take(&pss->incoming);

	if (!msg)
		return -1;
	fprintf(out, "RECEIVED index=%u len=%lu binary=%d crc=%08lx\n",
		pss->received++, (unsigned long)msg->len, msg->binary,
		(unsigned long)test_crc32(0, test_message_payload(msg),
					  msg->len));
	test_queue_push(&pss->outgoing, msg);
	libwebsocket_callback_on_writable(context, wsi);

	return 0;
}

static int
client_message(struct per_session_data__ext *pss)
{
	struct test_message *msg = test_assembler_take(&pss->incoming);
	unsigned int k = client.received;
	int ok;

	if (!msg)
		return -1;
	ok = k < opts.size_count && msg->len == opts.sizes[k] &&
	     msg->binary == opts.binary && matches_pattern(msg, k);
	fprintf(out, "MESSAGE index=%u len=%lu binary=%d crc=%08lx ok=%d\n",
		k, (unsigned long)msg->len, msg->binary,
		(unsigned long)test_crc32(0, test_message_payload(msg),
					  msg->len), ok);
	test_message_free(msg);
	client.received++;
	if (!ok)
		client.bad++;

	return 0;
}

static int
callback_ext(struct libwebsocket_context *context, struct libwebsocket *wsi,
	     enum libwebsocket_callback_reasons reason, void *user, void *in,
	     size_t len)
{
	struct per_session_data__ext *pss = user;
	struct test_message *msg;
	int veto;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		libwebsockets_return_http_status(context, wsi,
						 HTTP_STATUS_NOT_FOUND, NULL);
		return -1;

	case LWS_CALLBACK_CONFIRM_EXTENSION_OKAY:
	case LWS_CALLBACK_CLIENT_CONFIRM_EXTENSION_SUPPORTED:
		veto = is_vetoed(in);
		fprintf(out, "%s name=%s veto=%d\n",
			reason == LWS_CALLBACK_CONFIRM_EXTENSION_OKAY ?
			"CONFIRM_EXTENSION_OKAY" :
			"CLIENT_CONFIRM_EXTENSION_SUPPORTED",
			in ? (const char *)in : "(null)", veto);
		return veto;

	case LWS_CALLBACK_ESTABLISHED:
		print_extensions_header(wsi);
		break;

	case LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH:
		print_extensions_header(wsi);
		break;

	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		libwebsocket_callback_on_writable(context, wsi);
		break;

	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		fprintf(out, "CONNECTION_ERROR reason=%s\n",
			in ? (const char *)in : "(none)");
		client.failed = 1;
		client.wsi = NULL;
		break;

	case LWS_CALLBACK_RECEIVE:
	case LWS_CALLBACK_CLIENT_RECEIVE:
		switch (test_assembler_add(&pss->incoming, wsi, in, len,
					   MAX_MESSAGE)) {
		case TEST_ASSEMBLER_ERROR:
			return -1;
		case TEST_ASSEMBLER_PARTIAL:
			return 0;
		case TEST_ASSEMBLER_COMPLETE:
			break;
		}
		if (reason == LWS_CALLBACK_RECEIVE)
			return server_message(context, wsi, pss);
		if (client_message(pss))
			return -1;
		if (client.received < opts.size_count)
			libwebsocket_callback_on_writable(context, wsi);
		else
			client.close_at = test_monotonic_ms() + opts.hold_ms;
		break;

	case LWS_CALLBACK_SERVER_WRITEABLE:
		msg = test_queue_pop(&pss->outgoing);
		if (!msg)
			break;
		if (write_message(wsi, test_message_payload(msg), msg->len,
				  msg->binary, 0, 0)) {
			test_message_free(msg);
			return -1;
		}
		test_message_free(msg);
		if (pss->outgoing.count)
			libwebsocket_callback_on_writable(context, wsi);
		break;

	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (client.closing)
			return -1;
		/* One message in flight: the next goes once its echo is in. */
		if (client.sent > client.received ||
		    client.sent >= opts.size_count)
			break;
		if (write_message(wsi, NULL, opts.sizes[client.sent],
				  opts.binary, 1, client.sent))
			return -1;
		client.sent++;
		break;

	case LWS_CALLBACK_CLOSED:
		fprintf(out, "CLOSED role=%s\n", role_name);
		test_assembler_reset(&pss->incoming);
		test_queue_clear(&pss->outgoing);
		if (wsi == client.wsi) {
			client.closed = 1;
			client.wsi = NULL;
		}
		break;

	default:
		break;
	}
	fflush(out);

	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	{ .name = "ext-test", .callback = callback_ext,
	  .per_session_data_size = sizeof(struct per_session_data__ext) },
	{ .name = NULL, .callback = NULL }
};

/* ---------------------------------------------------------------------- */
/* Command line                                                            */
/* ---------------------------------------------------------------------- */

static const struct option long_options[] = {
	{ "help",	no_argument,		NULL, 'h' },
	{ "port",	required_argument,	NULL, 'p' },
	{ "client",	required_argument,	NULL, 'c' },
	{ "ext",	required_argument,	NULL, 'e' },
	{ "veto",	required_argument,	NULL, 'V' },
	{ "sizes",	required_argument,	NULL, 'z' },
	{ "fragments",	required_argument,	NULL, 'f' },
	{ "binary",	no_argument,		NULL, 'b' },
	{ "xor-copy",	no_argument,		NULL, 'X' },
	{ "rx-buffer",	required_argument,	NULL, 'B' },
	{ "hold",	required_argument,	NULL, 'H' },
	{ "timeout",	required_argument,	NULL, 't' },
	{ "debug",	required_argument,	NULL, 'd' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: libwebsockets-test-ext [options]\n"
		"  -p, --port N          listen on / connect to port N (7681)\n"
		"  -c, --client ADDRESS  client mode\n"
		"  -e, --ext LIST        extensions of the context, in order:\n"
		"                        " XOR_NAME " and/or built-in names\n"
		"                        (default none)\n"
		"  -V, --veto NAME       protocols[0] vetoes extension NAME\n"
		"                        (server: CONFIRM_EXTENSION_OKAY,\n"
		"                        client: CLIENT_CONFIRM_EXTENSION_"
		"SUPPORTED)\n"
		"  -z, --sizes LIST      client: message sizes to send (16)\n"
		"  -f, --fragments N     frames per message sent (1)\n"
		"  -b, --binary          client: binary messages\n"
		"  -X, --xor-copy        " XOR_NAME " repoints lws_tokens to\n"
		"                        its own buffer instead of XORing in "
		"place\n"
		"  -B, --rx-buffer N     the protocol's rx_buffer_size\n"
		"  -H, --hold MS         client: stay connected MS after the "
		"last echo\n"
		"  -t, --timeout S       client: give up after S seconds (30)\n"
		"  -d, --debug LEVEL     lws_set_log_level bitmask (3)\n");
}

static int
parse_sizes(const char *list)
{
	const char *p = list;
	char *end;
	long v;

	opts.size_count = 0;
	while (*p) {
		if (opts.size_count == MAX_SIZES)
			return -1;
		v = strtol(p, &end, 0);
		if (end == p || v < 0 || v > (long)MAX_MESSAGE)
			return -1;
		opts.sizes[opts.size_count++] = (size_t)v;
		p = end;
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
	}

	return 0;
}

static int
parse_extensions(const char *list)
{
	const char *p = list, *end;
	size_t n;

	while (*p) {
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		if (n && !(n == 4 && !strncmp(p, "none", 4)) &&
		    add_extension(p, n))
			return -1;
		if (!end)
			break;
		p = end + 1;
	}

	return 0;
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
	case 'e':
		if (parse_extensions(arg))
			return TEST_OPTION_BAD_VALUE;
		break;
	case 'V':
		if (opts.veto_count == MAX_VETOES)
			return TEST_OPTION_BAD_VALUE;
		opts.vetoes[opts.veto_count++] = arg;
		break;
	case 'z':
		if (parse_sizes(arg))
			return TEST_OPTION_BAD_VALUE;
		break;
	case 'f':
		return test_parse_uint(arg, 1, 1u << 20, &opts.fragments);
	case 'b':
		opts.binary = 1;
		break;
	case 'X':
		opts.xor_copy = 1;
		break;
	case 'B':
		return test_parse_int(arg, 0, 1 << 24, &opts.rx_buffer);
	case 'H':
		return test_parse_int(arg, 0, 600000, &opts.hold_ms);
	case 't':
		return test_parse_int(arg, 1, 3600, &opts.timeout_s);
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
	opts.sizes[0] = 16;
	opts.size_count = 1;
	opts.timeout_s = 30;
	opts.debug_level = LLL_ERR | LLL_WARN;

	n = test_parse_command_line(argc, argv, "test-ext",
				    "hp:c:e:V:z:f:bXB:H:t:d:", long_options,
				    usage, take_option);
	if (n)
		return n;
	if (optind < argc) {
		fprintf(stderr, "test-ext: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}

	return 0;
}

/* ---------------------------------------------------------------------- */
/* Main loop                                                               */
/* ---------------------------------------------------------------------- */

static int
run_server(struct libwebsocket_context *context)
{
	int n = 0;

	fprintf(stderr, "test-ext: listening on port %d\n", opts.port);
	while (n >= 0 && !test_force_exit)
		n = libwebsocket_service(context, 100);

	return n < 0 ? 1 : 0;
}

static int
run_client(struct libwebsocket_context *context)
{
	long long deadline = test_monotonic_ms() + opts.timeout_s * 1000LL;
	int n = 0;

	client.wsi = libwebsocket_client_connect(context, opts.client_address,
			opts.port, 0, "/", opts.client_address,
			opts.client_address, protocols[0].name, -1);
	if (!client.wsi) {
		fprintf(out, "CONNECTION_ERROR reason=connect returned NULL\n");
		return 1;
	}
	while (n >= 0 && !test_force_exit && !client.closed && !client.failed) {
		if (test_monotonic_ms() > deadline) {
			fprintf(out, "TIMEOUT\n");
			return 3;
		}
		if (client.close_at && !client.closing &&
		    test_monotonic_ms() >= client.close_at && client.wsi) {
			client.closing = 1;
			libwebsocket_callback_on_writable(context, client.wsi);
		}
		n = libwebsocket_service(context, 10);
	}
	if (client.failed)
		return 1;
	if (client.bad || client.received < opts.size_count)
		return 2;

	return n < 0 ? 3 : 0;
}

int
main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	struct libwebsocket_context *context;
	int n;

	out = stderr;
	n = parse_options(argc, argv);
	if (n)
		return n > 0 ? 0 : 64;
	out = opts.client_address ? stdout : stderr;
	role_name = opts.client_address ? "client" : "server";
	protocols[0].rx_buffer_size = (size_t)opts.rx_buffer;

	lws_set_log_level(opts.debug_level, NULL);
	test_exit_on_signals();

	memset(&info, 0, sizeof(info));
	info.port = opts.client_address ? CONTEXT_PORT_NO_LISTEN : opts.port;
	info.protocols = protocols;
	info.extensions = extensions[0].name ? extensions : NULL;
	info.gid = -1;
	info.uid = -1;

	context = libwebsocket_create_context(&info);
	if (!context) {
		fprintf(stderr, "test-ext: libwebsocket_create_context "
			"failed\n");
		return 1;
	}

	n = opts.client_address ? run_client(context) : run_server(context);

	libwebsocket_context_destroy(context);
	print_xor_context();
	fprintf(out, "SUMMARY sent=%u received=%u bad=%u\n", client.sent,
		client.received, client.bad);
	fflush(out);

	return n;
}
