/*
 * libwebsockets-test-client-scenario - a scriptable websocket client
 *
 * A test aid, not a demo: the peer tests drive the library's client side
 * through it against servers written in the test scripts (well-behaved,
 * misbehaving, behind a proxy).  The command line says what to do; stdout
 * says, one line per event, what the library reported, so a test can
 * assert on exactly what happened:
 *
 *   CONNECTING conn=C                     libwebsocket_client_connect_extended
 *   CONNECT_FAILED conn=C                 ...returned NULL
 *   APPEND_HANDSHAKE_HEADER conn=C room=N
 *   FILTER_PRE_ESTABLISH conn=C protocol=P   (the server's answer header)
 *   ESTABLISHED conn=C protocol=P via=V   P: libwebsockets_get_protocol()
 *                                         V: whose callback was called
 *   RECEIVE conn=C len=N remaining=R final=F binary=B     (with --pieces)
 *   MESSAGE conn=C index=K len=N binary=B crc=XXXXXXXX ok=0|1 via=V
 *   PONG conn=C len=N payload=TEXT
 *   CLOSED conn=C received=K
 *   CONNECTION_ERROR conn=C reason=TEXT
 *   SET_PROXY rc=N
 *   ALL_ESTABLISHED / ALL_DONE connections=N            (with --together)
 *   TIMEOUT
 *   SUMMARY connections=N established=E errors=F closed=X messages=M
 *           bad=B incomplete=I max_open=O      (one line; O: most open at
 *                                               the same time)
 *
 * crc is the CRC-32 (zlib's) of the whole message.  Message K of
 * connection C (sent or, with --verify, expected) is a fixed pattern of its
 * length: text is printable ASCII, byte i = 32 + (i + C + K) % 95; binary
 * byte i = ((i + C + K) % 256) * 131 + 7 (mod 256).  A test script builds
 * the same bytes to check what a server received, or to send what --verify
 * checks.
 *
 * Each connection: connect, then send --ping pings and --send messages of
 * --size bytes (as --fragments frames each), then close itself (callback
 * returns -1, so the server gets close code 1000) once --close-after
 * messages and every pong have arrived.  --close-after -1 waits for the
 * server to close instead; 0 closes right in CLIENT_ESTABLISHED.  With
 * --together no connection starts before all are established, and all
 * close together once every one is done.
 *
 * Exit status: 0 all connections established and nothing failed; 1 a
 * connection failed (NULL or CONNECTION_ERROR); 2 a message did not match,
 * or a connection closed before it had what --close-after asked for;
 * 3 --timeout expired; 5 libwebsocket_set_proxy refused the proxy;
 * 64 bad command line.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "test-crc32.h"
#include "test-message.h"
#include "test-program.h"

#define MAX_PROTOCOLS 16

/* One client connection and its progress through the script. */
struct conn {
	unsigned int index;
	struct libwebsocket *wsi;
	int finished;		/* closed or failed: nothing more will happen */
	unsigned int pings_sent;
	unsigned int pongs;
	unsigned int sent;
	unsigned int received;
	int closing;		/* --together: close at the next WRITEABLE */
	struct test_assembler incoming;
};

static struct {
	const char *address;
	int port;
	const char *path;
	const char *host;
	const char *origin;
	const char *protocols;	/* offered, NULL: no Sec-WebSocket-Protocol */
	const char *serve;	/* names in the context's protocols array */
	int ssl;
	const char *ca_path;
	const char *proxy;
	int ietf_version;
	const char *header;	/* appended in APPEND_HANDSHAKE_HEADER */
	int refuse_pre_establish;
	int extensions;		/* offer the library's extensions */
	const char *extension;	/* only this one of them */
	unsigned int connections;
	unsigned int parallel;
	int together;
	unsigned int send;
	size_t size;
	unsigned int fragments;
	int binary;
	int unmasked;
	unsigned int pings;
	long close_after;
	int close_after_given;
	int verify;
	int pieces;
	int quiet;
	int rx_buffer;
	int timeout_s;
	int debug_level;
	size_t max_message;
} opts;

static struct conn *conns;
static struct libwebsocket_protocols protocols[MAX_PROTOCOLS + 1];
static char protocol_names[MAX_PROTOCOLS][64];

/* Totals for the summary and the exit status. */
static struct {
	unsigned int established;
	unsigned int errors;
	unsigned int closed;
	unsigned int messages;
	unsigned int bad;
	unsigned int incomplete;
	unsigned int finished;
	unsigned int in_handshake;
	unsigned int open;
	unsigned int max_open;
} totals;

/* ---------------------------------------------------------------------- */
/* Message content                                                         */
/* ---------------------------------------------------------------------- */

static unsigned char
pattern_byte(size_t i, unsigned int conn, unsigned int k, int binary)
{
	size_t j = i + conn + k;

	if (binary)
		return (unsigned char)((j % 256) * 131 + 7);

	return (unsigned char)(32 + j % 95);
}

/* Bytes [from, from + n) of message k's pattern into p. */
static void
fill_pattern(unsigned char *p, size_t from, size_t n, unsigned int conn,
	     unsigned int k, int binary)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = pattern_byte(from + i, conn, k, binary);
}

static int
matches_pattern(const unsigned char *p, size_t n, unsigned int conn,
		unsigned int k, int binary)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != pattern_byte(i, conn, k, binary))
			return 0;

	return 1;
}

/* ---------------------------------------------------------------------- */
/* The script                                                              */
/* ---------------------------------------------------------------------- */

static void
conn_finish(struct conn *c)
{
	if (c->finished)
		return;
	c->finished = 1;
	c->wsi = NULL;
	totals.finished++;
	test_assembler_reset(&c->incoming);
}

/* 1 once the connection has everything it waits for before closing. */
static int
conn_done(const struct conn *c)
{
	if (opts.close_after < 0)
		return 0;

	return c->received >= (unsigned long)opts.close_after &&
	       c->pongs >= opts.pings && c->sent >= opts.send;
}

static int
send_ping(struct libwebsocket *wsi, struct conn *c)
{
	unsigned char buf[LWS_SEND_BUFFER_PRE_PADDING + 64 +
			  LWS_SEND_BUFFER_POST_PADDING];
	unsigned char *p = buf + LWS_SEND_BUFFER_PRE_PADDING;
	int n;

	n = snprintf((char *)p, 64, "ping %u of conn %u", c->pings_sent,
		     c->index);
	if (libwebsocket_write(wsi, p, (size_t)n, LWS_WRITE_PING) < n)
		return -1;
	c->pings_sent++;

	return 0;
}

/*
 * Sends message c->sent, as --fragments frames: the first with the
 * message's opcode and NO_FIN, the others CONTINUATION, the last with FIN.
 * Every frame gets its own padded buffer: a client write masks the payload
 * in place and may use the padding on both sides.
 */
static int
send_message(struct libwebsocket *wsi, struct conn *c)
{
	unsigned int f, frames = opts.fragments ? opts.fragments : 1;
	size_t piece = opts.size / frames, offset = 0, len;
	unsigned char *buf, *payload;
	int type, n;

	buf = malloc(LWS_SEND_BUFFER_PRE_PADDING + opts.size - piece *
		     (frames - 1) + LWS_SEND_BUFFER_POST_PADDING);
	if (!buf)
		return -1;
	payload = buf + LWS_SEND_BUFFER_PRE_PADDING;

	for (f = 0; f < frames; f++) {
		len = f == frames - 1 ? opts.size - offset : piece;
		fill_pattern(payload, offset, len, c->index, c->sent,
			     opts.binary);
		type = f ? LWS_WRITE_CONTINUATION :
		       opts.binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT;
		if (f != frames - 1)
			type |= LWS_WRITE_NO_FIN;
		if (opts.unmasked)
			type |= LWS_WRITE_CLIENT_IGNORE_XOR_MASK;
		n = libwebsocket_write(wsi, payload, len,
				       (enum libwebsocket_write_protocol)type);
		if (n < 0 || (size_t)n < len) {
			free(buf);
			return -1;
		}
		offset += len;
	}
	free(buf);
	c->sent++;

	return 0;
}

/* 1 once the connection may close by itself (--together: never). */
static int
conn_may_close(const struct conn *c)
{
	return !opts.together && conn_done(c);
}

static int
on_writeable(struct libwebsocket_context *context, struct libwebsocket *wsi,
	     struct conn *c)
{
	if (c->closing)
		return -1;
	if (c->pings_sent < opts.pings) {
		if (send_ping(wsi, c))
			return -1;
	} else if (c->sent < opts.send) {
		if (send_message(wsi, c))
			return -1;
	}
	if (c->pings_sent < opts.pings || c->sent < opts.send)
		libwebsocket_callback_on_writable(context, wsi);
	else if (conn_may_close(c))
		return -1;

	return 0;
}

static int
on_message(struct conn *c, const char *via)
{
	struct test_message *msg = test_assembler_take(&c->incoming);
	const unsigned char *p;
	int ok = 1;

	if (!msg)
		return -1;
	p = test_message_payload(msg);
	if (opts.verify) {
		ok = matches_pattern(p, msg->len, c->index, c->received,
				     msg->binary);
		if (opts.send && (msg->len != opts.size ||
				  msg->binary != opts.binary))
			ok = 0;
	}
	if (!opts.quiet)
		printf("MESSAGE conn=%u index=%u len=%lu binary=%d crc=%08lx "
		       "ok=%d via=%s\n", c->index, c->received,
		       (unsigned long)msg->len, msg->binary,
		       (unsigned long)test_crc32(0, p, msg->len), ok, via);
	test_message_free(msg);
	c->received++;
	totals.messages++;
	if (!ok)
		totals.bad++;

	return conn_may_close(c) ? -1 : 0;
}

/*
 * The connection's struct conn: its user pointer (connect_extended), or,
 * for APPEND_HANDSHAKE_HEADER, which like 1.4 passes user NULL, a search.
 */
static struct conn *
conn_of(struct libwebsocket *wsi, void *user)
{
	unsigned int i;

	if (user || !wsi)
		return user;
	for (i = 0; i < opts.connections; i++)
		if (conns[i].wsi == wsi)
			return &conns[i];

	return NULL;
}

/*
 * Every protocol of the context gets its own callback (below), which passes
 * its own name as `via`: a line shows which protocol's callback the library
 * actually called, not just what libwebsockets_get_protocol() says.
 */
static int
scenario_event(const char *via, struct libwebsocket_context *context,
	       struct libwebsocket *wsi,
	       enum libwebsocket_callback_reasons reason, void *user,
	       void *in, size_t len)
{
	struct conn *c = conn_of(wsi, user);
	char value[256];
	char **cursor;
	int n;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		if (!c)
			break;
		if (!opts.quiet)
			printf("APPEND_HANDSHAKE_HEADER conn=%u room=%lu\n",
			       c->index, (unsigned long)len);
		if (opts.header && in) {
			cursor = in;
			n = snprintf(*cursor, len, "%s\r\n", opts.header);
			if (n > 0 && (size_t)n < len)
				*cursor += n;
		}
		break;

	case LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH:
		if (!c)
			break;
		if (lws_hdr_copy(wsi, value, sizeof(value),
				 WSI_TOKEN_PROTOCOL) < 0)
			value[0] = '\0';
		if (!opts.quiet)
			printf("FILTER_PRE_ESTABLISH conn=%u protocol=%s\n",
			       c->index, value);
		return opts.refuse_pre_establish;

	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (!c)
			return -1;
		totals.established++;
		totals.in_handshake--;
		if (++totals.open > totals.max_open)
			totals.max_open = totals.open;
		if (!opts.quiet)
			printf("ESTABLISHED conn=%u protocol=%s via=%s\n",
			       c->index, libwebsockets_get_protocol(wsi)->name,
			       via);
		if (opts.together)
			break;	/* the main loop starts everyone at once */
		if (opts.close_after == 0 && !opts.pings && !opts.send)
			return -1;
		if (opts.pings || opts.send)
			libwebsocket_callback_on_writable(context, wsi);
		break;

	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (!c)
			break;
		printf("CONNECTION_ERROR conn=%u reason=%s\n", c->index,
		       in ? (const char *)in : "(none)");
		totals.errors++;
		totals.in_handshake--;
		conn_finish(c);
		break;

	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (!c)
			return -1;
		return on_writeable(context, wsi, c);

	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (!c)
			return -1;
		if (opts.pieces)
			printf("RECEIVE conn=%u len=%lu remaining=%lu final=%d "
			       "binary=%d\n", c->index, (unsigned long)len,
			       (unsigned long)
			       libwebsockets_remaining_packet_payload(wsi),
			       libwebsocket_is_final_fragment(wsi),
			       lws_frame_is_binary(wsi));
		switch (test_assembler_add(&c->incoming, wsi, in, len,
					   opts.max_message)) {
		case TEST_ASSEMBLER_ERROR:
			printf("TOO_BIG conn=%u\n", c->index);
			return -1;
		case TEST_ASSEMBLER_PARTIAL:
			return 0;
		case TEST_ASSEMBLER_COMPLETE:
			break;
		}
		return on_message(c, via);

	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		if (!c)
			break;
		c->pongs++;
		if (!opts.quiet)
			printf("PONG conn=%u len=%lu payload=%.*s\n", c->index,
			       (unsigned long)len, (int)len,
			       in ? (const char *)in : "");
		if (conn_may_close(c))
			return -1;
		break;

	case LWS_CALLBACK_CLOSED:
		if (!c)
			break;
		if (!opts.quiet)
			printf("CLOSED conn=%u received=%u\n", c->index,
			       c->received);
		totals.closed++;
		totals.open--;
		if (opts.close_after > 0 &&
		    c->received < (unsigned long)opts.close_after)
			totals.incomplete++;
		conn_finish(c);
		break;

	default:
		break;
	}
	fflush(stdout);

	return 0;
}

#define SCENARIO_CALLBACK(n)						\
static int								\
callback_##n(struct libwebsocket_context *context,			\
	     struct libwebsocket *wsi,					\
	     enum libwebsocket_callback_reasons reason, void *user,	\
	     void *in, size_t len)					\
{									\
	return scenario_event(protocol_names[n], context, wsi, reason,	\
			      user, in, len);				\
}

SCENARIO_CALLBACK(0)  SCENARIO_CALLBACK(1)  SCENARIO_CALLBACK(2)
SCENARIO_CALLBACK(3)  SCENARIO_CALLBACK(4)  SCENARIO_CALLBACK(5)
SCENARIO_CALLBACK(6)  SCENARIO_CALLBACK(7)  SCENARIO_CALLBACK(8)
SCENARIO_CALLBACK(9)  SCENARIO_CALLBACK(10) SCENARIO_CALLBACK(11)
SCENARIO_CALLBACK(12) SCENARIO_CALLBACK(13) SCENARIO_CALLBACK(14)
SCENARIO_CALLBACK(15)

static callback_function *const callbacks[MAX_PROTOCOLS] = {
	callback_0, callback_1, callback_2, callback_3, callback_4,
	callback_5, callback_6, callback_7, callback_8, callback_9,
	callback_10, callback_11, callback_12, callback_13, callback_14,
	callback_15,
};

/* ---------------------------------------------------------------------- */
/* Command line                                                            */
/* ---------------------------------------------------------------------- */

static const struct option long_options[] = {
	{ "help",		no_argument,		NULL, 'h' },
	{ "port",		required_argument,	NULL, 'p' },
	{ "path",		required_argument,	NULL, 'P' },
	{ "host",		required_argument,	NULL, 'H' },
	{ "origin",		required_argument,	NULL, 'O' },
	{ "protocols",		required_argument,	NULL, 'r' },
	{ "serve",		required_argument,	NULL, 'S' },
	{ "ssl",		required_argument,	NULL, 's' },
	{ "ca",			required_argument,	NULL, 'A' },
	{ "proxy",		required_argument,	NULL, 'x' },
	{ "ietf-version",	required_argument,	NULL, 'V' },
	{ "header",		required_argument,	NULL, 'e' },
	{ "refuse-pre-establish", no_argument,		NULL, 'R' },
	{ "extensions",		no_argument,		NULL, 'E' },
	{ "extension",		required_argument,	NULL, 'X' },
	{ "connections",	required_argument,	NULL, 'c' },
	{ "parallel",		required_argument,	NULL, 'j' },
	{ "together",		no_argument,		NULL, 'T' },
	{ "send",		required_argument,	NULL, 'n' },
	{ "size",		required_argument,	NULL, 'z' },
	{ "fragments",		required_argument,	NULL, 'f' },
	{ "binary",		no_argument,		NULL, 'b' },
	{ "unmasked",		no_argument,		NULL, 'u' },
	{ "ping",		required_argument,	NULL, 'g' },
	{ "close-after",	required_argument,	NULL, 'a' },
	{ "verify",		no_argument,		NULL, 'v' },
	{ "pieces",		no_argument,		NULL, 'i' },
	{ "quiet",		no_argument,		NULL, 'q' },
	{ "rx-buffer",		required_argument,	NULL, 'B' },
	{ "timeout",		required_argument,	NULL, 't' },
	{ "debug",		required_argument,	NULL, 'd' },
	{ "max-message",	required_argument,	NULL, 'M' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: libwebsockets-test-client-scenario [options] ADDRESS\n"
		"  -p, --port N            server port (default 80)\n"
		"  -P, --path PATH         request path (default /)\n"
		"  -H, --host VALUE        Host header (default: NULL, the\n"
		"                          library's own ADDRESS:PORT)\n"
		"  -O, --origin VALUE      Origin header (default none)\n"
		"  -r, --protocols LIST    Sec-WebSocket-Protocol to offer\n"
		"  -S, --serve LIST        protocols the context has "
		"(default: --protocols; split at ';' if it has one)\n"
		"  -s, --ssl N             ssl_connection: 0 ws://, 1 wss://\n"
		"                          verified, 2 wss:// self-signed ok\n"
		"  -A, --ca FILE           CA certificates (ssl_ca_filepath)\n"
		"  -x, --proxy HOST:PORT   libwebsocket_set_proxy()\n"
		"  -V, --ietf-version N    ietf_version_or_minus_one (-1)\n"
		"  -e, --header LINE       header appended to the handshake\n"
		"  -R, --refuse-pre-establish  FILTER_PRE_ESTABLISH refuses\n"
		"  -E, --extensions        offer the library's extensions\n"
		"  -X, --extension NAME    offer only this one of them\n"
		"  -c, --connections N     connections from one context (1)\n"
		"  -j, --parallel N        handshakes in flight at once (64)\n"
		"  -T, --together          all connections open before any\n"
		"                          sends; all close together at the end\n"
		"  -n, --send N            messages each connection sends (0)\n"
		"  -z, --size BYTES        size of each message (16)\n"
		"  -f, --fragments N       frames per message (1)\n"
		"  -b, --binary            binary messages (default text)\n"
		"  -u, --unmasked          LWS_WRITE_CLIENT_IGNORE_XOR_MASK\n"
		"  -g, --ping N            pings each connection sends first\n"
		"  -a, --close-after N     close after N messages in (default\n"
		"                          --send; -1: wait for the server)\n"
		"  -v, --verify            messages in must be the pattern\n"
		"  -i, --pieces            a RECEIVE line per callback\n"
		"  -q, --quiet             only errors and the summary\n"
		"  -B, --rx-buffer BYTES   the protocols' rx_buffer_size\n"
		"  -t, --timeout S         give up after S seconds (30)\n"
		"  -d, --debug LEVEL       lws_set_log_level bitmask (3)\n"
		"  -M, --max-message BYTES largest message (default 64 MiB)\n"
		"  -h, --help              this text\n");
}

/* The library's extensions, or only the one --extension names. */
static struct libwebsocket_extension *
offered_extensions(void)
{
	static struct libwebsocket_extension one[2];
	struct libwebsocket_extension *e = libwebsocket_get_internal_extensions();

	if (!opts.extension)
		return e;
	for (; e->callback; e++)
		if (!strcmp(e->name, opts.extension)) {
			one[0] = *e;
			return one;
		}
	return one;	/* none: the name is not built in */
}

/*
 * Splits a comma-separated list into the context's protocols array; a list
 * with a ';' is split at ';' instead, so that an entry can be named with a
 * comma list, as 1.4's test client names its first protocol.
 */
static int
fill_protocols(const char *list)
{
	const char *p = list, *end;
	char separator = list && strchr(list, ';') ? ';' : ',';
	size_t n;
	int count = 0;

	while (list && *p) {
		end = strchr(p, separator);
		n = end ? (size_t)(end - p) : strlen(p);
		while (n && *p == ' ') {
			p++;
			n--;
		}
		while (n && p[n - 1] == ' ')
			n--;
		if (n) {
			if (count == MAX_PROTOCOLS ||
			    n >= sizeof(protocol_names[0]))
				return -1;
			memcpy(protocol_names[count], p, n);
			protocol_names[count][n] = '\0';
			count++;
		}
		if (!end)
			break;
		p = end + 1;
	}
	if (!count)
		strcpy(protocol_names[count++], "scenario");

	for (n = 0; n < (size_t)count; n++) {
		protocols[n].name = protocol_names[n];
		protocols[n].callback = callbacks[n];
		/* connect_extended hands each connection its struct conn. */
		protocols[n].per_session_data_size = 0;
		protocols[n].rx_buffer_size = (size_t)opts.rx_buffer;
	}

	return 0;
}

/* One option of the command line (see test_parse_command_line). */
static int
take_option(int c, char *arg)
{
	long v;

	switch (c) {
	case 'p':
		return test_parse_int(arg, 1, 65535, &opts.port);
	case 'P':
		opts.path = arg;
		break;
	case 'H':
		opts.host = arg;
		break;
	case 'O':
		opts.origin = arg;
		break;
	case 'r':
		opts.protocols = arg;
		break;
	case 'S':
		opts.serve = arg;
		break;
	case 's':
		return test_parse_int(arg, 0, 2, &opts.ssl);
	case 'A':
		opts.ca_path = arg;
		break;
	case 'x':
		opts.proxy = arg;
		break;
	case 'V':
		return test_parse_int(arg, -1, 1000, &opts.ietf_version);
	case 'e':
		opts.header = arg;
		break;
	case 'R':
		opts.refuse_pre_establish = 1;
		break;
	case 'E':
		opts.extensions = 1;
		break;
	case 'X':
		opts.extensions = 1;
		opts.extension = arg;
		break;
	case 'c':
		return test_parse_uint(arg, 1, 100000, &opts.connections);
	case 'j':
		return test_parse_uint(arg, 1, 100000, &opts.parallel);
	case 'T':
		opts.together = 1;
		break;
	case 'n':
		return test_parse_uint(arg, 0, 1u << 24, &opts.send);
	case 'z':
		return test_parse_size(arg, 0, 1u << 30, &opts.size);
	case 'f':
		return test_parse_uint(arg, 1, 1u << 20, &opts.fragments);
	case 'b':
		opts.binary = 1;
		break;
	case 'u':
		opts.unmasked = 1;
		break;
	case 'g':
		return test_parse_uint(arg, 0, 1u << 20, &opts.pings);
	case 'a':
		if (test_parse_long(arg, -1, 1L << 30, &v))
			return TEST_OPTION_BAD_VALUE;
		opts.close_after = v;
		opts.close_after_given = 1;
		break;
	case 'v':
		opts.verify = 1;
		break;
	case 'i':
		opts.pieces = 1;
		break;
	case 'q':
		opts.quiet = 1;
		break;
	case 'B':
		return test_parse_int(arg, 0, 1 << 24, &opts.rx_buffer);
	case 't':
		return test_parse_int(arg, 1, 3600, &opts.timeout_s);
	case 'd':
		return test_parse_int(arg, 0, 0xffff, &opts.debug_level);
	case 'M':
		return test_parse_size(arg, 0, 1u << 30, &opts.max_message);
	}

	return TEST_OPTION_TAKEN;
}

static int
parse_options(int argc, char **argv)
{
	int n;

	opts.port = 80;
	opts.path = "/";
	opts.ietf_version = -1;
	opts.connections = 1;
	opts.parallel = 64;
	opts.size = 16;
	opts.timeout_s = 30;
	opts.debug_level = LLL_ERR | LLL_WARN;
	opts.max_message = 64u * 1024 * 1024;

	/* NULL: its messages have no "test-..." prefix. */
	n = test_parse_command_line(argc, argv, NULL,
				    "hp:P:H:O:r:S:s:A:x:V:e:REX:c:j:Tn:z:f:"
				    "bug:a:viqB:t:d:M:", long_options, usage,
				    take_option);
	if (n)
		return n;
	if (optind != argc - 1) {
		usage(stderr);
		return -1;
	}
	opts.address = argv[optind];
	if (!opts.close_after_given)
		opts.close_after = opts.send || opts.pings ?
				   (long)opts.send : -1;
	if (opts.fragments > 1 && opts.size < opts.fragments) {
		fprintf(stderr, "--size must be at least --fragments\n");
		return -1;
	}
	if (fill_protocols(opts.serve ? opts.serve : opts.protocols)) {
		fprintf(stderr, "too many or too long protocol names\n");
		return -1;
	}

	return 0;
}

/* ---------------------------------------------------------------------- */
/* Main loop                                                               */
/* ---------------------------------------------------------------------- */

static void
start_connection(struct libwebsocket_context *context, struct conn *c)
{
	if (!opts.quiet)
		printf("CONNECTING conn=%u\n", c->index);
	totals.in_handshake++;
	c->wsi = libwebsocket_client_connect_extended(context, opts.address,
			opts.port, opts.ssl, opts.path, opts.host,
			opts.origin, opts.protocols, opts.ietf_version, c);
	if (!c->wsi) {
		printf("CONNECT_FAILED conn=%u\n", c->index);
		totals.errors++;
		totals.in_handshake--;
		conn_finish(c);
	}
	fflush(stdout);
}

/*
 * --together: once every connection is established, all start their
 * script; once every one has done it, all are closed.  So all of them are
 * open at the same time, however the handshakes and echoes interleave.
 */
static void
together_step(struct libwebsocket_context *context)
{
	static int started, closing;
	unsigned int i;

	if (!started && totals.established == opts.connections) {
		started = 1;
		printf("ALL_ESTABLISHED connections=%u\n", opts.connections);
		fflush(stdout);
		for (i = 0; i < opts.connections; i++)
			libwebsocket_callback_on_writable(context,
							  conns[i].wsi);
		return;
	}
	if (!started || closing)
		return;
	for (i = 0; i < opts.connections; i++)
		if (!conns[i].wsi || !conn_done(&conns[i]))
			return;
	closing = 1;
	printf("ALL_DONE connections=%u\n", opts.connections);
	fflush(stdout);
	for (i = 0; i < opts.connections; i++) {
		conns[i].closing = 1;
		libwebsocket_callback_on_writable(context, conns[i].wsi);
	}
}

int
main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	struct libwebsocket_context *context;
	unsigned int next = 0, i;
	long long deadline;
	int n = 0, status, timed_out = 0;

	n = parse_options(argc, argv);
	if (n)
		return n > 0 ? 0 : 64;

	lws_set_log_level(opts.debug_level, NULL);
	test_exit_on_signals();

	conns = calloc(opts.connections, sizeof(*conns));
	if (!conns)
		return 1;
	for (i = 0; i < opts.connections; i++)
		conns[i].index = i;

	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.extensions = opts.extensions ? offered_extensions() : NULL;
	info.ssl_ca_filepath = opts.ca_path;
	info.gid = -1;
	info.uid = -1;

	context = libwebsocket_create_context(&info);
	if (!context) {
		fprintf(stderr, "libwebsocket_create_context failed\n");
		return 1;
	}
	if (opts.proxy) {
		n = libwebsocket_set_proxy(context, opts.proxy);
		printf("SET_PROXY rc=%d\n", n);
		if (n) {
			libwebsocket_context_destroy(context);
			return 5;
		}
	}

	deadline = test_monotonic_ms() + opts.timeout_s * 1000LL;
	n = 0;
	while (n >= 0 && !test_force_exit &&
	       totals.finished < opts.connections) {
		while (next < opts.connections &&
		       totals.in_handshake < opts.parallel)
			start_connection(context, &conns[next++]);
		if (opts.together)
			together_step(context);
		if (test_monotonic_ms() > deadline) {
			timed_out = 1;
			break;
		}
		n = libwebsocket_service(context, 10);
	}
	if (timed_out)
		printf("TIMEOUT\n");

	printf("SUMMARY connections=%u established=%u errors=%u closed=%u "
	       "messages=%u bad=%u incomplete=%u max_open=%u\n",
	       opts.connections, totals.established, totals.errors,
	       totals.closed, totals.messages, totals.bad, totals.incomplete,
	       totals.max_open);
	fflush(stdout);

	libwebsocket_context_destroy(context);
	for (i = 0; i < opts.connections; i++)
		test_assembler_reset(&conns[i].incoming);
	free(conns);

	if (totals.errors)
		status = 1;
	else if (totals.bad || totals.incomplete)
		status = 2;
	else if (timed_out || test_force_exit || n < 0)
		status = 3;
	else
		status = 0;

	return status;
}
