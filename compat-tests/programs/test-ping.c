/*
 * libwebsockets-test-ping - websocket ping round trips, like ping(8)
 *
 * Connects to a server (by default with lws-mirror-protocol, so the test
 * server accepts it; any RFC 6455 server answers pings whatever the
 * protocol) and sends ping frames carrying, in network byte order, an 8-byte
 * sequence number and the 8-byte send time in microseconds, padded to
 * --size with a pattern derived from the sequence number.  Each pong
 * (LWS_CALLBACK_CLIENT_RECEIVE_PONG) must carry exactly the payload of a
 * ping sent and not answered yet; the round trip time comes from the
 * timestamp it carries.  Output, as ping(8) prints it:
 *
 *   64 bytes from 127.0.0.1: seq=3 time=0.123 ms        (unless -q or -f)
 *   --- 127.0.0.1 websocket ping statistics ---
 *   10 packets transmitted, 10 received, 0% packet loss, rtt min/avg/max =
 *   0.081/0.104/0.162 ms
 *
 * (the last two lines are one).  --flood sends the next ping as soon as the
 * previous pong is back (or after 1 s without one) instead of every
 * --interval ms.  After the last ping, or on SIGINT/SIGTERM, pongs still
 * due are waited for up to --wait ms; what has not come by then is lost.
 *
 * Exit status: 0 every ping was answered correctly; 1 the connection failed
 * or the server closed it; 2 pongs were lost or wrong.
 */

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "test-program.h"

#define PING_HEADER		16	/* sequence number + timestamp */
#define PING_MAX		125	/* RFC 6455 5.5: control payload limit */
#define FLOOD_RESEND_MS		1000

static struct {
	const char *address;
	int port;
	const char *protocol;
	int ssl;
	unsigned long count;	/* 0: until SIGINT */
	int interval_ms;
	size_t size;
	int flood;
	int quiet;
	int wait_ms;
	int debug_level;
} opts;

static struct {
	struct libwebsocket *wsi;
	int established;
	int closing;
	int closed;
	int failed;
	unsigned long sent;
	unsigned long received;
	unsigned long bad;
	unsigned char *answered;	/* one flag per sequence number */
	size_t answered_size;
	double rtt_min, rtt_max, rtt_sum;
	long long last_send_ms;
} ping;

static void
put_be64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (unsigned char)v;
		v >>= 8;
	}
}

static uint64_t
get_be64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];

	return v;
}

static unsigned char
padding_byte(uint64_t seq, size_t i)
{
	return (unsigned char)(seq * 7 + i);
}

/* Remembers that seq was sent; -1 if out of memory. */
static int
note_sent(uint64_t seq)
{
	unsigned char *grown;
	size_t size;

	if (seq < ping.answered_size)
		return 0;
	size = ping.answered_size ? ping.answered_size * 2 : 1024;
	while (size <= seq)
		size *= 2;
	grown = realloc(ping.answered, size);
	if (!grown)
		return -1;
	memset(grown + ping.answered_size, 0, size - ping.answered_size);
	ping.answered = grown;
	ping.answered_size = size;

	return 0;
}

static int
send_ping(struct libwebsocket *wsi)
{
	unsigned char buf[LWS_SEND_BUFFER_PRE_PADDING + PING_MAX +
			  LWS_SEND_BUFFER_POST_PADDING];
	unsigned char *p = buf + LWS_SEND_BUFFER_PRE_PADDING;
	uint64_t seq = ping.sent;
	size_t i;

	if (note_sent(seq))
		return -1;
	put_be64(p, seq);
	put_be64(p + 8, (uint64_t)test_monotonic_us());
	for (i = PING_HEADER; i < opts.size; i++)
		p[i] = padding_byte(seq, i);

	if (libwebsocket_write(wsi, p, opts.size, LWS_WRITE_PING) <
	    (int)opts.size) {
		fprintf(stderr, "test-ping: write failed\n");
		return -1;
	}
	ping.sent++;
	ping.last_send_ms = test_monotonic_ms();
	if (opts.flood && !opts.quiet) {
		putchar('.');
		fflush(stdout);
	}

	return 0;
}

static void
receive_pong(const unsigned char *p, size_t len)
{
	uint64_t seq;
	double rtt;
	size_t i;

	if (!p || len != opts.size) {
		fprintf(stderr, "test-ping: pong of %lu bytes, expected %lu\n",
			(unsigned long)len, (unsigned long)opts.size);
		ping.bad++;
		return;
	}
	seq = get_be64(p);
	if (seq >= ping.sent || seq >= ping.answered_size ||
	    ping.answered[seq]) {
		fprintf(stderr, "test-ping: pong for a ping never sent or "
			"already answered (seq %llu)\n",
			(unsigned long long)seq);
		ping.bad++;
		return;
	}
	for (i = PING_HEADER; i < len; i++)
		if (p[i] != padding_byte(seq, i)) {
			fprintf(stderr, "test-ping: pong %llu payload differs "
				"at byte %lu\n", (unsigned long long)seq,
				(unsigned long)i);
			ping.bad++;
			return;
		}
	ping.answered[seq] = 1;

	rtt = (double)(test_monotonic_us() - (long long)get_be64(p + 8)) /
	      1000.0;
	if (!ping.received || rtt < ping.rtt_min)
		ping.rtt_min = rtt;
	if (!ping.received || rtt > ping.rtt_max)
		ping.rtt_max = rtt;
	ping.rtt_sum += rtt;
	ping.received++;

	if (opts.quiet)
		return;
	if (opts.flood) {
		fputs("\b \b", stdout);
		fflush(stdout);
		return;
	}
	printf("%lu bytes from %s: seq=%llu time=%.3f ms\n",
	       (unsigned long)len, opts.address, (unsigned long long)seq, rtt);
	fflush(stdout);
}

static int
callback_ping(struct libwebsocket_context *context, struct libwebsocket *wsi,
	      enum libwebsocket_callback_reasons reason, void *user, void *in,
	      size_t len)
{
	(void)context;
	(void)user;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		fprintf(stderr, "test-ping: connected to %s:%d (%s)\n",
			opts.address, opts.port, opts.protocol);
		ping.established = 1;
		break;

	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		fprintf(stderr, "test-ping: connection failed: %s\n",
			in ? (const char *)in : "?");
		ping.wsi = NULL;
		ping.failed = 1;
		ping.closed = 1;
		break;

	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (ping.closing)
			return -1;
		if (!opts.count || ping.sent < opts.count)
			return send_ping(wsi) ? -1 : 0;
		break;

	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		receive_pong(in, len);
		break;

	case LWS_CALLBACK_CLIENT_RECEIVE:
		/* Whatever the protocol sends (a mirror, a counter): ignored. */
		break;

	case LWS_CALLBACK_CLOSED:
		if (!ping.closing) {
			fprintf(stderr, "test-ping: server closed the "
				"connection\n");
			ping.failed = 1;
		}
		ping.wsi = NULL;
		ping.closed = 1;
		break;

	default:
		break;
	}

	return 0;
}

/* protocols[0].name is replaced by --protocol before the context exists. */
static struct libwebsocket_protocols protocols[] = {
	{ .name = "lws-mirror-protocol", .callback = callback_ping },
	{ .name = NULL, .callback = NULL }	/* end */
};

/* ---------------------------------------------------------------------- */
/* Command line and main loop                                              */
/* ---------------------------------------------------------------------- */

static const struct option long_options[] = {
	{ "help",	no_argument,		NULL, 'h' },
	{ "port",	required_argument,	NULL, 'p' },
	{ "protocol",	required_argument,	NULL, 'P' },
	{ "ssl",	no_argument,		NULL, 't' },
	{ "count",	required_argument,	NULL, 'n' },
	{ "interval",	required_argument,	NULL, 'i' },
	{ "size",	required_argument,	NULL, 's' },
	{ "flood",	no_argument,		NULL, 'f' },
	{ "quiet",	no_argument,		NULL, 'q' },
	{ "wait",	required_argument,	NULL, 'w' },
	{ "debug",	required_argument,	NULL, 'd' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: libwebsockets-test-ping [options] ADDRESS\n"
		"  -p, --port N          server port (default 7681)\n"
		"  -P, --protocol NAME   subprotocol to ask for\n"
		"                        (default lws-mirror-protocol)\n"
		"  -t, --ssl             wss://, accepting a self-signed "
		"certificate\n"
		"  -n, --count N         pings to send (default 0: until "
		"SIGINT)\n"
		"  -i, --interval MS     ms between pings (default 1000)\n"
		"  -s, --size BYTES      ping payload, %d..%d (default 64)\n"
		"  -f, --flood           next ping as soon as the pong is back\n"
		"  -q, --quiet           only the summary\n"
		"  -w, --wait MS         wait for late pongs (default 2000)\n"
		"  -d, --debug LEVEL     lws_set_log_level bitmask (default 3)\n"
		"  -h, --help            this text\n", PING_HEADER, PING_MAX);
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
		opts.protocol = arg;
		break;
	case 't':
		opts.ssl = 2;
		break;
	case 'n':
		if (test_parse_long(arg, 0, 1L << 30, &v))
			return TEST_OPTION_BAD_VALUE;
		opts.count = (unsigned long)v;
		break;
	case 'i':
		return test_parse_int(arg, 0, 3600000, &opts.interval_ms);
	case 's':
		return test_parse_size(arg, PING_HEADER, PING_MAX, &opts.size);
	case 'f':
		opts.flood = 1;
		break;
	case 'q':
		opts.quiet = 1;
		break;
	case 'w':
		return test_parse_int(arg, 0, 3600000, &opts.wait_ms);
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
	opts.protocol = protocols[0].name;
	opts.interval_ms = 1000;
	opts.size = 64;
	opts.wait_ms = 2000;
	opts.debug_level = LLL_ERR | LLL_WARN;

	n = test_parse_command_line(argc, argv, "test-ping",
				    "hp:P:tn:i:s:fqw:d:", long_options,
				    usage, take_option);
	if (n)
		return n;
	if (optind != argc - 1) {
		usage(stderr);
		return -1;
	}
	opts.address = argv[optind];

	return 0;
}

/* 1 when the next ping is due now. */
static int
ping_due(long long now_ms)
{
	if (test_force_exit || (opts.count && ping.sent >= opts.count))
		return 0;
	if (!ping.sent)
		return 1;
	if (opts.flood)
		return ping.received + ping.bad >= ping.sent ||
		       now_ms - ping.last_send_ms >= FLOOD_RESEND_MS;

	return now_ms - ping.last_send_ms >= opts.interval_ms;
}

static int
run(struct libwebsocket_context *context)
{
	long long now, stop_waiting = 0;
	char host[300];
	int n = 0;

	/* An IPv6 literal goes in brackets in a Host header. */
	snprintf(host, sizeof(host), strchr(opts.address, ':') ? "[%s]:%d" :
		 "%s:%d", opts.address, opts.port);
	ping.wsi = libwebsocket_client_connect(context, opts.address,
					       opts.port, opts.ssl, "/", host,
					       host, opts.protocol, -1);
	if (!ping.wsi) {
		fprintf(stderr, "test-ping: connect to %s failed\n", host);
		ping.failed = 1;
		return -1;
	}

	while (n >= 0 && !ping.closed) {
		now = test_monotonic_ms();
		if (!ping.established) {
			if (test_force_exit)
				break;
		} else if (ping_due(now)) {
			libwebsocket_callback_on_writable(context, ping.wsi);
		} else if (!ping.closing &&
			   (test_force_exit || (opts.count &&
					   ping.sent >= opts.count))) {
			/* All sent: wait for the last pongs, then close. */
			if (!stop_waiting)
				stop_waiting = now + opts.wait_ms;
			if (ping.received + ping.bad >= ping.sent ||
			    now >= stop_waiting) {
				ping.closing = 1;
				libwebsocket_callback_on_writable(context,
								  ping.wsi);
			}
		}
		n = libwebsocket_service(context, opts.flood ? 1 : 10);
	}

	return n;
}

int
main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	struct libwebsocket_context *context;
	unsigned long lost;
	int n, status;

	n = parse_options(argc, argv);
	if (n)
		return n > 0 ? 0 : 1;
	protocols[0].name = opts.protocol;

	lws_set_log_level(opts.debug_level, NULL);
	test_exit_on_signals();

	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.gid = -1;
	info.uid = -1;

	context = libwebsocket_create_context(&info);
	if (!context) {
		fprintf(stderr, "test-ping: libwebsocket_create_context "
			"failed\n");
		return 1;
	}
	n = run(context);
	libwebsocket_context_destroy(context);

	lost = ping.sent - ping.received;
	if (opts.flood && !opts.quiet)
		putchar('\n');
	printf("--- %s websocket ping statistics ---\n", opts.address);
	printf("%lu packets transmitted, %lu received, %g%% packet loss, "
	       "rtt min/avg/max = %.3f/%.3f/%.3f ms\n", ping.sent,
	       ping.received,
	       ping.sent ? (double)lost * 100.0 / (double)ping.sent : 0.0,
	       ping.rtt_min,
	       ping.received ? ping.rtt_sum / (double)ping.received : 0.0,
	       ping.rtt_max);
	if (ping.bad)
		printf("%lu bad pongs\n", ping.bad);
	free(ping.answered);

	if (n < 0 || ping.failed)
		status = 1;
	else if (lost || ping.bad || !ping.sent)
		status = 2;
	else
		status = 0;

	return status;
}
