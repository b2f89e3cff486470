/*
 * libwebsockets-test-client - the client of libwebsockets-test-server
 *
 * Two connections from one client-only context (CONTEXT_PORT_NO_LISTEN):
 *
 *  dumb-increment-protocol  the server's counter; every value received is
 *                           printed ("dumb-increment: N") and must be the
 *                           previous one plus one.
 *  lws-mirror-protocol      opened once the first is up; draws random
 *                           strokes "d #rrggbb x1 y1 x2 y2;" (the format
 *                           test.html draws) every --interval ms and checks
 *                           that each comes back, in order, from the
 *                           server's mirror.  Strokes drawn by other
 *                           clients of the same server are counted apart.
 *
 * Without --longlived the program exits once --number strokes have come
 * back: it closes both connections and exits 0.  With --longlived it stays
 * connected (drawing until --number strokes, forever if 0) until SIGINT or
 * SIGTERM, then waits up to 2 s for strokes still in flight and exits.
 *
 * --ssl connects with ssl_connection 2: wss:// that accepts a self-signed
 * server certificate (the test server's own); --ssl-verify uses 1 instead,
 * which verifies the certificate chain and the host name, with --ssl-ca
 * naming the CA file to trust (ssl_ca_filepath).
 *
 * Exit status: 0 all good; 1 a connection failed or the server closed one;
 * 2 the counter skipped a value or a stroke did not come back.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "test-message.h"
#include "test-program.h"

/* Strokes sent and not back yet, at most; drawing waits beyond that. */
#define MIRROR_IN_FLIGHT	256
#define STROKE_MAX		48
/* How long to wait for strokes in flight after SIGINT. */
#define DRAIN_MS		2000

enum protocol_index {
	PROTOCOL_DUMB_INCREMENT,
	PROTOCOL_LWS_MIRROR,
};

static struct {
	const char *address;
	int port;
	const char *path;
	int ssl;
	const char *ca_path;
	unsigned int number;
	int number_given;
	int longlived;
	int undeflated;
	int interval_ms;
	int verbose;
	int debug_level;
} opts;

static struct {
	struct libwebsocket *wsi;
	int established;
	int closing;		/* we asked it to close */
	int have_last;
	long last;
	unsigned long values;
	long first;
	unsigned long gaps;
} dumb;

static struct {
	struct libwebsocket *wsi;
	int established;
	int closing;
	int closed;
	struct test_assembler incoming;
	char pending[MIRROR_IN_FLIGHT][STROKE_MAX];
	unsigned int head, count;	/* FIFO of strokes in flight */
	unsigned long sent;
	unsigned long returned;
	unsigned long foreign;
	long long next_draw_ms;
} mirror;

static int failed;		/* exit 1 */

/* 1 while the mirror connection still has strokes to draw. */
static int
mirror_wants_to_draw(void)
{
	return !test_force_exit && !mirror.closing &&
	       (!opts.number || mirror.sent < opts.number);
}

/* 1 once the run without --longlived has all it came for. */
static int
run_complete(void)
{
	return !opts.longlived && opts.number &&
	       mirror.returned >= opts.number;
}

/* ---------------------------------------------------------------------- */
/* dumb-increment-protocol                                                 */
/* ---------------------------------------------------------------------- */

static int
callback_dumb_increment(struct libwebsocket_context *context,
			struct libwebsocket *wsi,
			enum libwebsocket_callback_reasons reason, void *user,
			void *in, size_t len)
{
	char text[24];
	char *end;
	long value;

	(void)context;
	(void)user;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		fprintf(stderr, "test-client: dumb-increment connected\n");
		dumb.established = 1;
		break;

	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		fprintf(stderr, "test-client: dumb-increment connection "
			"failed: %s\n", in ? (const char *)in : "?");
		dumb.wsi = NULL;
		failed = 1;
		break;

	case LWS_CALLBACK_CLIENT_RECEIVE:
		/* The counter is short text: one whole message per call. */
		if (len >= sizeof(text) || !libwebsocket_is_final_fragment(wsi)
		    || libwebsockets_remaining_packet_payload(wsi)) {
			fprintf(stderr, "test-client: odd dumb-increment "
				"message (%lu bytes)\n", (unsigned long)len);
			dumb.gaps++;
			break;
		}
		memcpy(text, in, len);
		text[len] = '\0';
		value = strtol(text, &end, 10);
		if (end == text || *end) {
			fprintf(stderr, "test-client: not a number: '%s'\n",
				text);
			dumb.gaps++;
			break;
		}
		printf("dumb-increment: %ld\n", value);
		if (dumb.have_last && value != dumb.last + 1) {
			fprintf(stderr, "test-client: counter went from %ld "
				"to %ld\n", dumb.last, value);
			dumb.gaps++;
		}
		if (!dumb.have_last)
			dumb.first = value;
		dumb.have_last = 1;
		dumb.last = value;
		dumb.values++;
		break;

	case LWS_CALLBACK_CLIENT_WRITEABLE:
		/* Only asked for to close from inside the service loop. */
		return dumb.closing ? -1 : 0;

	case LWS_CALLBACK_CLOSED:
		if (!dumb.closing) {
			fprintf(stderr, "test-client: server closed "
				"dumb-increment\n");
			failed = 1;
		}
		dumb.wsi = NULL;
		break;

	default:
		break;
	}

	return 0;
}

/* ---------------------------------------------------------------------- */
/* lws-mirror-protocol                                                     */
/* ---------------------------------------------------------------------- */

static int
mirror_draw(struct libwebsocket *wsi)
{
	unsigned char buf[LWS_SEND_BUFFER_PRE_PADDING + STROKE_MAX +
			  LWS_SEND_BUFFER_POST_PADDING];
	unsigned char *p = buf + LWS_SEND_BUFFER_PRE_PADDING;
	char *slot;
	int n;

	slot = mirror.pending[(mirror.head + mirror.count) % MIRROR_IN_FLIGHT];
	n = snprintf(slot, STROKE_MAX, "d #%06x %d %d %d %d;",
		     (unsigned int)(random() & 0xffffff),
		     (int)(random() % 500), (int)(random() % 300),
		     (int)(random() % 500), (int)(random() % 300));
	memcpy(p, slot, (size_t)n);	/* the write masks p in place */
	if (libwebsocket_write(wsi, p, (size_t)n, LWS_WRITE_TEXT) < n) {
		fprintf(stderr, "test-client: mirror write failed\n");
		return -1;
	}
	if (opts.verbose)
		printf("mirror tx: %s\n", slot);
	mirror.count++;
	mirror.sent++;

	return 0;
}

/* A whole message from the mirror: ours (the oldest in flight) or not. */
static void
mirror_received(const struct test_message *msg)
{
	const char *text = (const char *)test_message_payload(msg);
	const char *oldest = mirror.pending[mirror.head];

	if (mirror.count && !msg->binary && msg->len == strlen(oldest) &&
	    !memcmp(text, oldest, msg->len)) {
		mirror.head = (mirror.head + 1) % MIRROR_IN_FLIGHT;
		mirror.count--;
		mirror.returned++;
		if (opts.verbose)
			printf("mirror rx: %.*s\n", (int)msg->len, text);
		return;
	}
	mirror.foreign++;
	if (opts.verbose)
		printf("mirror rx (not ours): %.*s\n", (int)msg->len, text);
}

static int
callback_lws_mirror(struct libwebsocket_context *context,
		    struct libwebsocket *wsi,
		    enum libwebsocket_callback_reasons reason, void *user,
		    void *in, size_t len)
{
	struct test_message *msg;

	(void)context;
	(void)user;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		fprintf(stderr, "test-client: lws-mirror connected\n");
		mirror.established = 1;
		mirror.next_draw_ms = 0;
		break;

	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		fprintf(stderr, "test-client: lws-mirror connection failed: "
			"%s\n", in ? (const char *)in : "?");
		mirror.wsi = NULL;
		mirror.closed = 1;
		failed = 1;
		break;

	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (mirror.closing)
			return -1;
		if (mirror_wants_to_draw() &&
		    mirror.count < MIRROR_IN_FLIGHT)
			return mirror_draw(wsi);
		break;

	case LWS_CALLBACK_CLIENT_RECEIVE:
		switch (test_assembler_add(&mirror.incoming, wsi, in, len,
					   4096)) {
		case TEST_ASSEMBLER_ERROR:
			return -1;
		case TEST_ASSEMBLER_PARTIAL:
			return 0;
		case TEST_ASSEMBLER_COMPLETE:
			break;
		}
		msg = test_assembler_take(&mirror.incoming);
		if (!msg)
			return -1;
		mirror_received(msg);
		test_message_free(msg);
		break;

	case LWS_CALLBACK_CLOSED:
		if (!mirror.closing) {
			fprintf(stderr, "test-client: server closed "
				"lws-mirror\n");
			failed = 1;
		}
		test_assembler_reset(&mirror.incoming);
		mirror.wsi = NULL;
		mirror.closed = 1;
		break;

	default:
		break;
	}

	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	[PROTOCOL_DUMB_INCREMENT] = {
		.name = "dumb-increment-protocol",
		.callback = callback_dumb_increment,
	},
	[PROTOCOL_LWS_MIRROR] = {
		.name = "lws-mirror-protocol",
		.callback = callback_lws_mirror,
	},
	{ .name = NULL, .callback = NULL }	/* end */
};

/* ---------------------------------------------------------------------- */
/* Command line and main loop                                              */
/* ---------------------------------------------------------------------- */

static const struct option long_options[] = {
	{ "help",	no_argument,		NULL, 'h' },
	{ "port",	required_argument,	NULL, 'p' },
	{ "path",	required_argument,	NULL, 'P' },
	{ "ssl",	no_argument,		NULL, 's' },
	{ "ssl-verify",	no_argument,		NULL, 'S' },
	{ "ssl-ca",	required_argument,	NULL, 'A' },
	{ "number",	required_argument,	NULL, 'n' },
	{ "longlived",	no_argument,		NULL, 'l' },
	{ "undeflated",	no_argument,		NULL, 'u' },
	{ "interval",	required_argument,	NULL, 'i' },
	{ "verbose",	no_argument,		NULL, 'v' },
	{ "debug",	required_argument,	NULL, 'd' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: libwebsockets-test-client [options] ADDRESS\n"
		"  -p, --port N        server port (default 7681)\n"
		"  -P, --path PATH     request path (default /)\n"
		"  -s, --ssl           wss://, accepting a self-signed server\n"
		"                      certificate (ssl_connection 2)\n"
		"  -S, --ssl-verify    wss://, verifying certificate and host\n"
		"                      name (ssl_connection 1)\n"
		"  -A, --ssl-ca FILE   CA certificates to verify with\n"
		"  -n, --number N      mirror strokes to draw (default 100;\n"
		"                      with --longlived 0: no limit)\n"
		"  -l, --longlived     stay connected until SIGINT/SIGTERM\n"
		"  -u, --undeflated    offer no extensions\n"
		"  -i, --interval MS   ms between strokes (default 10)\n"
		"  -v, --verbose       print every stroke\n"
		"  -d, --debug LEVEL   lws_set_log_level bitmask (default 3)\n"
		"  -h, --help          this text\n");
}

/* One option of the command line (see test_parse_command_line). */
static int
take_option(int c, char *arg)
{
	switch (c) {
	case 'p':
		return test_parse_int(arg, 1, 65535, &opts.port);
	case 'P':
		opts.path = arg;
		break;
	case 's':
		opts.ssl = 2;
		break;
	case 'S':
		opts.ssl = 1;
		break;
	case 'A':
		opts.ca_path = arg;
		break;
	case 'n':
		opts.number_given = 1;
		return test_parse_uint(arg, 0, 1u << 30, &opts.number);
	case 'l':
		opts.longlived = 1;
		break;
	case 'u':
		opts.undeflated = 1;
		break;
	case 'i':
		return test_parse_int(arg, 0, 3600000, &opts.interval_ms);
	case 'v':
		opts.verbose = 1;
		break;
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
	opts.path = "/";
	opts.interval_ms = 10;
	opts.debug_level = LLL_ERR | LLL_WARN;

	n = test_parse_command_line(argc, argv, "test-client",
				    "hp:P:sSA:n:lui:vd:", long_options,
				    usage, take_option);
	if (n)
		return n;
	if (optind != argc - 1) {
		usage(stderr);
		return -1;
	}
	opts.address = argv[optind];
	if (!opts.number_given)
		opts.number = opts.longlived ? 0 : 100;
	if (!opts.longlived && !opts.number) {
		fprintf(stderr, "test-client: --number 0 needs --longlived\n");
		return -1;
	}

	return 0;
}

static struct libwebsocket *
connect_protocol(struct libwebsocket_context *context, enum protocol_index i)
{
	char host[300];

	/* An IPv6 literal goes in brackets in a Host header. */
	snprintf(host, sizeof(host), strchr(opts.address, ':') ? "[%s]:%d" :
		 "%s:%d", opts.address, opts.port);

	return libwebsocket_client_connect(context, opts.address, opts.port,
					   opts.ssl, opts.path, host, host,
					   protocols[i].name, -1);
}

/*
 * Asks both connections to close (from their WRITEABLE callbacks); one not
 * started yet never will be.
 */
static void
close_both(struct libwebsocket_context *context)
{
	if (!dumb.closing) {
		dumb.closing = 1;
		if (dumb.wsi)
			libwebsocket_callback_on_writable(context, dumb.wsi);
	}
	if (!mirror.closing) {
		mirror.closing = 1;
		if (mirror.wsi)
			libwebsocket_callback_on_writable(context, mirror.wsi);
	}
}

static int
run(struct libwebsocket_context *context)
{
	long long drain_until = 0, now;
	int n = 0;

	dumb.wsi = connect_protocol(context, PROTOCOL_DUMB_INCREMENT);
	if (!dumb.wsi) {
		fprintf(stderr, "test-client: connect to %s:%d failed\n",
			opts.address, opts.port);
		return -1;
	}

	while (n >= 0 && !failed) {
		now = test_monotonic_ms();

		/* The mirror connection follows once dumb-increment is up. */
		if (dumb.established && !mirror.wsi && !mirror.closed &&
		    !mirror.closing) {
			mirror.wsi = connect_protocol(context,
						      PROTOCOL_LWS_MIRROR);
			if (!mirror.wsi) {
				fprintf(stderr, "test-client: mirror connect "
					"failed\n");
				return -1;
			}
		}

		if (mirror.established && mirror.wsi &&
		    mirror_wants_to_draw() && now >= mirror.next_draw_ms) {
			libwebsocket_callback_on_writable(context, mirror.wsi);
			mirror.next_draw_ms = now + opts.interval_ms;
		}

		if (test_force_exit && !drain_until)
			drain_until = now + DRAIN_MS;
		if (run_complete() ||
		    (drain_until && (!mirror.count || now > drain_until)))
			close_both(context);
		if (dumb.closing && mirror.closing && !dumb.wsi &&
		    !mirror.wsi)
			break;

		n = libwebsocket_service(context, 10);
	}

	return n;
}

int
main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	struct libwebsocket_context *context;
	int n, status;

	n = parse_options(argc, argv);
	if (n)
		return n > 0 ? 0 : 1;

	lws_set_log_level(opts.debug_level, NULL);
	srandom((unsigned int)time(NULL) ^ (unsigned int)getpid());

	test_exit_on_signals();

	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.extensions = opts.undeflated ?
			  NULL : libwebsocket_get_internal_extensions();
	info.ssl_ca_filepath = opts.ca_path;
	info.gid = -1;
	info.uid = -1;

	context = libwebsocket_create_context(&info);
	if (!context) {
		fprintf(stderr, "test-client: libwebsocket_create_context "
			"failed\n");
		return 1;
	}

	n = run(context);
	libwebsocket_context_destroy(context);

	printf("test-client: dumb-increment %lu values (%ld..%ld), "
	       "%lu gaps; mirror %lu strokes sent, %lu came back, "
	       "%lu in flight, %lu from others\n",
	       dumb.values, dumb.values ? dumb.first : 0L,
	       dumb.values ? dumb.last : 0L, dumb.gaps, mirror.sent,
	       mirror.returned, (unsigned long)mirror.count, mirror.foreign);

	if (n < 0 || failed)
		status = 1;
	else if (dumb.gaps || mirror.count || !dumb.values ||
		 mirror.returned < mirror.sent ||
		 (opts.number && !opts.longlived &&
		  mirror.returned < opts.number))
		status = 2;
	else
		status = 0;
	fprintf(stderr, "test-client: exit status %d\n", status);

	return status;
}
