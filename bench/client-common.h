/*
 * client-common.h - what the two benchmark clients share
 *
 * bench/client-ours.c (our libwebsockets 1.4 API) and bench/client-lws4.c
 * (libwebsockets 4.x) do the same thing with their library: open one
 * connection to an echo server, send --count binary messages of --size
 * bytes keeping --window of them in flight, check every echo byte for byte
 * against what was sent, and report.  Everything that is not a library call
 * lives here, so the two differ only where the libraries do.
 *
 * The measurement runs from LWS_CALLBACK_CLIENT_ESTABLISHED to the last
 * echo: messages per second, the round trip of each message (from the
 * write call to the end of its echo), and the client's own CPU time, utime
 * + stime from /proc/self/stat, divided by the messages.
 *
 * The last line of output is machine-readable:
 *   RESULT mode=client impl=... msgs=... msgs_per_s=... client_cpu_us_per_msg=...
 */

#ifndef BENCH_CLIENT_COMMON_H
#define BENCH_CLIENT_COMMON_H

#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define POOL_SLICES 8192	/* payloads: slices of a random pool */
#define POOL_STRIDE 8

static struct {
	const char *host;
	int port;
	size_t size;
	unsigned long count;
	unsigned window;
	int debug;
} opt = {
	.host = "127.0.0.1",
	.port = 7681,
	.size = 64,
	.count = 10000,
	.window = 1,
	.debug = 3,	/* errors and warnings */
};

static struct {
	unsigned char *pool;
	unsigned char *send_buf;	/* pre + payload + post; masked in place */
	unsigned char *rx;		/* the echo being assembled */
	size_t rx_len;
	unsigned long sent, received, errors;
	uint64_t *sent_ns;		/* ring of send times, `window` long */
	uint32_t *rtt_ns;		/* one per message */
	uint64_t t_start, t_end;
	double cpu_start, cpu_end;
	int established, done, failed;
} run;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Our own utime + stime in microseconds, as /proc/self/stat has them. */
static double
self_cpu_us(void)
{
	char buf[2048], *p;
	unsigned long long utime, stime;
	ssize_t n;
	int fd, field;

	fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	p++;
	for (field = 3; field < 14; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -1;
	}
	if (sscanf(p, " %llu %llu", &utime, &stime) != 2)
		return -1;
	return (double)(utime + stime) * 1e6 / (double)sysconf(_SC_CLK_TCK);
}

static const unsigned char *
payload_of(unsigned long seq)
{
	return run.pool + ((seq * 4099u) & (POOL_SLICES - 1)) * POOL_STRIDE;
}

static void
usage(FILE *out, const char *name)
{
	fprintf(out,
		"Usage: %s [options]\n"
		"  -H, --host ADDR     echo server (default 127.0.0.1)\n"
		"  -p, --port N        its port (default 7681)\n"
		"  -s, --size BYTES    message size (default 64)\n"
		"  -n, --count N       messages to send (default 10000)\n"
		"  -w, --window N      messages in flight (default 1)\n"
		"  -d, --debug LEVEL   library log level (default 3)\n",
		name);
}

/* 0 to go on, 1 after --help, -1 on a bad command line. */
static int
parse_options(int argc, char **argv, const char *name)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "size", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "window", required_argument, NULL, 'w' },
		{ "debug", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "H:p:s:n:w:d:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'H': opt.host = optarg; break;
		case 'p': opt.port = atoi(optarg); break;
		case 's': opt.size = strtoul(optarg, NULL, 0); break;
		case 'n': opt.count = strtoul(optarg, NULL, 0); break;
		case 'w': opt.window = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'd': opt.debug = atoi(optarg); break;
		case 'h': usage(stdout, name); return 1;
		default: usage(stderr, name); return -1;
		}
	}
	if (optind < argc || opt.port < 1 || opt.port > 65535 ||
	    !opt.size || opt.size > 16u * 1024 * 1024 || !opt.count ||
	    opt.count > 100000000 || !opt.window) {
		usage(stderr, name);
		return -1;
	}
	return 0;
}

/* Buffers; pre and post are the library's padding around a payload. */
static int
setup(size_t pre, size_t post)
{
	uint64_t x = now_ns() | 1;
	size_t i, len = opt.size + POOL_SLICES * POOL_STRIDE;

	run.pool = malloc(len);
	run.send_buf = malloc(pre + opt.size + post);
	run.rx = malloc(opt.size);
	run.sent_ns = calloc(opt.window, sizeof(*run.sent_ns));
	run.rtt_ns = calloc(opt.count, sizeof(*run.rtt_ns));
	if (!run.pool || !run.send_buf || !run.rx || !run.sent_ns ||
	    !run.rtt_ns) {
		fprintf(stderr, "client: out of memory\n");
		return -1;
	}
	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		run.pool[i] = (unsigned char)x;
	}
	return 0;
}

/* The connection is up: the clock starts. */
static void
on_established(void)
{
	run.established = 1;
	run.t_start = now_ns();
	run.cpu_start = self_cpu_us();
}

/* 1 if another message may go out now. */
static int
may_send(void)
{
	return !run.done && run.sent < opt.count &&
	       run.sent - run.received < opt.window;
}

/*
 * The next message's payload, copied to where the library wants it (the
 * libraries mask client frames in place, so the pool is not handed over).
 */
static unsigned char *
next_payload(size_t pre)
{
	memcpy(run.send_buf + pre, payload_of(run.sent), opt.size);
	return run.send_buf + pre;
}

static void
on_sent(void)
{
	run.sent_ns[run.sent % opt.window] = now_ns();
	run.sent++;
}

/*
 * A piece of an echo.  Returns 1 once the echo is complete (and checked),
 * 0 for more to come, -1 if it can only be wrong (too long).
 */
static int
on_piece(const void *in, size_t len, int last)
{
	if (run.rx_len + len > opt.size) {
		fprintf(stderr, "client: echo longer than %lu bytes\n",
			(unsigned long)opt.size);
		run.errors++;
		return -1;
	}
	memcpy(run.rx + run.rx_len, in, len);
	run.rx_len += len;
	if (!last)
		return 0;

	if (run.received >= run.sent) {
		fprintf(stderr, "client: echo of nothing sent\n");
		run.errors++;
		return -1;
	}
	if (run.rx_len != opt.size ||
	    memcmp(run.rx, payload_of(run.received), opt.size)) {
		if (run.errors < 5)
			fprintf(stderr, "client: echo %lu differs (%lu bytes)\n",
				run.received, (unsigned long)run.rx_len);
		run.errors++;
	}
	run.rtt_ns[run.received] =
		(uint32_t)(now_ns() - run.sent_ns[run.received % opt.window]);
	run.received++;
	run.rx_len = 0;
	if (run.received == opt.count) {
		run.t_end = now_ns();
		run.cpu_end = self_cpu_us();
		run.done = 1;
	}
	return 1;
}

/*
 * 1 once nothing has moved for 10 s: a hung connection ends the run
 * instead of the benchmark.
 */
static int
stalled(void)
{
	static unsigned long last_received = (unsigned long)-1;
	static uint64_t since;
	uint64_t t = now_ns();

	if (run.received != last_received) {
		last_received = run.received;
		since = t;
		return 0;
	}
	if (t - since < 10000000000ull)
		return 0;
	fprintf(stderr, "client: no echo for 10 s (%lu sent, %lu echoed)\n",
		run.sent, run.received);
	return 1;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Prints the report; the exit status. */
static int
report(const char *impl, const char *library)
{
	double secs = run.t_end > run.t_start ?
		(double)(run.t_end - run.t_start) / 1e9 : 0;
	double cpu = run.cpu_end >= 0 && run.cpu_start >= 0 ?
		run.cpu_end - run.cpu_start : -1;
	double p50 = 0, p99 = 0;
	unsigned long errors = run.errors;

	if (!run.done) {
		fprintf(stderr, "client: %s after %lu of %lu echoes\n",
			run.established ? "connection ended" :
					  "no connection",
			run.received, opt.count);
		errors += opt.count - run.received;
	}
	if (run.received) {
		qsort(run.rtt_ns, run.received, sizeof(*run.rtt_ns), cmp_u32);
		p50 = run.rtt_ns[(run.received - 1) / 2] / 1e3;
		p99 = run.rtt_ns[(run.received - 1) * 99 / 100] / 1e3;
	}
	printf("client %s (%s): %lu x %lu bytes, window %u: %.3f s, "
	       "%.0f msg/s, rtt p50 %.1f us p99 %.1f us, "
	       "CPU %.0f ms (%.2f us per message)\n",
	       impl, library, run.received, (unsigned long)opt.size,
	       opt.window, secs, secs > 0 ? run.received / secs : 0, p50, p99,
	       cpu / 1000, cpu >= 0 && run.received ? cpu / run.received : -1);
	printf("RESULT mode=client impl=%s size=%lu window=%u msgs=%lu "
	       "seconds=%.3f msgs_per_s=%.0f p50_us=%.1f p99_us=%.1f "
	       "client_cpu_us=%.0f client_cpu_us_per_msg=%.3f "
	       "client_cpu_pct=%.0f errors=%lu\n",
	       impl, (unsigned long)opt.size, opt.window, run.received, secs,
	       secs > 0 ? run.received / secs : 0, p50, p99, cpu,
	       cpu >= 0 && run.received ? cpu / run.received : -1,
	       secs > 0 && cpu >= 0 ? cpu / 1e4 / secs : 0, errors);
	return errors ? 1 : 0;
}

#endif
