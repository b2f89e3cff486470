/*
 * loadgen - a WebSocket echo load generator (RFC 6455 client, by hand)
 *
 * One thread, one epoll set, every socket non-blocking and edge-triggered.
 * Each connection does its own opening handshake (and checks the server's
 * Sec-WebSocket-Accept), then keeps up to -w binary messages of -s bytes in
 * flight: a new one goes out whenever an echo comes back.  Client frames are
 * masked with a fresh key each, as RFC 6455 section 5.3 requires of clients.
 *
 * Every echo is checked against the message it answers (echoes come back in
 * order on a connection, so the oldest in-flight message is the one): same
 * length, same opcode, same checksum of the payload.  The round trip of each
 * message, from the moment its frame was queued for sending to the moment
 * its echo was complete, goes into a log-linear histogram, from which the
 * percentiles are read.
 *
 * Load mode (default): connect -c connections; once all are open the clock
 * starts; run for -d seconds (or until -n messages were sent); wait for the
 * echoes still in flight; close every connection with a close handshake.
 *
 * Idle mode (--idle N): open N connections, hold them for --hold seconds,
 * read the server's VmRSS, then send one message on each to prove they
 * still work, close them and report.
 *
 * Handshake mode (--handshakes): -c connections at a time, each one opening
 * (TCP, TLS with --tls, the WebSocket upgrade), closing with a close
 * handshake and starting over, for -d seconds; reports opening handshakes
 * per second and the server's CPU per handshake.
 *
 * --tls speaks wss:// (OpenSSL, non-blocking, no certificate check, no
 * session resumption: every handshake is a full one).  --deflate offers
 * permessage-deflate (RFC 7692, "client_no_context_takeover", zlib): the
 * connection fails unless the server accepts it; every message goes out
 * compressed and every echo must come back compressed and inflate to the
 * bytes sent.  --payload json sends text messages of JSON-like records
 * (compressible) instead of random bytes.  Bytes on the wire (frame headers
 * and payload, as sent and received) are counted per message.
 *
 * With --server-pid PID the server's CPU time (utime + stime from
 * /proc/PID/stat) is read when the clock starts and again once every echo is
 * in, and its VmRSS from /proc/PID/status, so the costs are measured over
 * exactly the messages counted here.
 *
 * The last line of output is machine-readable:
 *   RESULT mode=load msgs=... msgs_per_s=... p50_us=... errors=... ...
 * Exit status: 0 if there were no errors, 1 if there were, 2 on bad usage.
 */

#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <zlib.h>

/* ---------------------------------------------------------------------- */
/* Options                                                                 */
/* ---------------------------------------------------------------------- */

static struct {
	const char *host;
	const char *port;
	const char *path;
	const char *protocol;	/* Sec-WebSocket-Protocol to ask for, or NULL */
	int conns;
	size_t size;
	int window;
	double duration;	/* seconds of load */
	uint64_t count;		/* or stop after this many messages sent */
	int idle;		/* idle mode: this many connections */
	double hold;		/* idle mode: seconds to hold them */
	int server_pid;		/* 0: do not read the server's /proc */
	int max_connecting;	/* handshakes in progress at once */
	double timeout;		/* seconds for handshakes, drain, close */
	double wait;		/* --wait: only wait for the port to accept */
	int quiet;
	int handshakes;		/* handshake mode */
	int tls;		/* wss:// */
	int deflate;		/* offer and require permessage-deflate */
	int json;		/* --payload json: compressible text messages */
	const char *deflate_offer;	/* Sec-WebSocket-Extensions we send */
} opt = {
	.deflate_offer = "permessage-deflate; client_no_context_takeover; "
			 "client_max_window_bits",
	.host = "127.0.0.1",
	.port = "7681",
	.path = "/",
	.conns = 1,
	.size = 64,
	.window = 1,
	.duration = 5.0,
	.hold = 2.0,
	.max_connecting = 128,
	.timeout = 10.0,
};

/* Largest frame we accept from the server: far above anything we send. */
#define MAX_FRAME_PAYLOAD (64u * 1024 * 1024)

/* ---------------------------------------------------------------------- */
/* Small helpers: time, random numbers                                      */
/* ---------------------------------------------------------------------- */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t rng_state;

/* xorshift64*: plenty for masking keys and handshake nonces. */
static uint64_t
rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* ---------------------------------------------------------------------- */
/* SHA-1 (FIPS 180-4) and base64 (RFC 4648), for the opening handshake      */
/* ---------------------------------------------------------------------- */

struct sha1 {
	uint32_t h[5];
	unsigned char block[64];
	size_t fill;
	uint64_t total;
};

static uint32_t
rol32(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static void
sha1_compress(struct sha1 *s, const unsigned char *p)
{
	uint32_t w[80], a, b, c, d, e, f, k, t;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 80; i++)
		w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);

	a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3]; e = s->h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5A827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ED9EBA1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8F1BBCDC;
		} else {
			f = b ^ c ^ d;
			k = 0xCA62C1D6;
		}
		t = rol32(a, 5) + f + e + k + w[i];
		e = d; d = c; c = rol32(b, 30); b = a; a = t;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d; s->h[4] += e;
}

static void
sha1_init(struct sha1 *s)
{
	static const uint32_t iv[5] = {
		0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0
	};

	memcpy(s->h, iv, sizeof(iv));
	s->fill = 0;
	s->total = 0;
}

static void
sha1_update(struct sha1 *s, const void *data, size_t len)
{
	const unsigned char *p = data;

	s->total += len;
	while (len) {
		size_t n = 64 - s->fill;

		if (n > len)
			n = len;
		memcpy(s->block + s->fill, p, n);
		s->fill += n;
		p += n;
		len -= n;
		if (s->fill == 64) {
			sha1_compress(s, s->block);
			s->fill = 0;
		}
	}
}

static void
sha1_final(struct sha1 *s, unsigned char out[20])
{
	uint64_t bits = s->total * 8;
	unsigned char pad = 0x80, len[8];
	int i;

	sha1_update(s, &pad, 1);
	pad = 0;
	while (s->fill != 56)
		sha1_update(s, &pad, 1);
	for (i = 0; i < 8; i++)
		len[i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_update(s, len, 8);
	for (i = 0; i < 20; i++)
		out[i] = (unsigned char)(s->h[i / 4] >> (24 - 8 * (i % 4)));
}

/* Writes the base64 of in[0..len) and a NUL to out (4*ceil(len/3)+1 bytes). */
static void
base64_encode(const unsigned char *in, size_t len, char *out)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
			     in[i + 2];
		*out++ = alphabet[v >> 18];
		*out++ = alphabet[(v >> 12) & 63];
		*out++ = alphabet[(v >> 6) & 63];
		*out++ = alphabet[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		*out++ = alphabet[v >> 18];
		*out++ = alphabet[(v >> 12) & 63];
		*out++ = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
		*out++ = '=';
	}
	*out = '\0';
}

/* ---------------------------------------------------------------------- */
/* Payload checksum                                                        */
/* ---------------------------------------------------------------------- */

/*
 * A streaming 64-bit checksum: the payload as little-endian 64-bit words,
 * dealt round-robin to four lanes (so the multiplies do not wait on each
 * other), each word multiplied into its lane; then the lanes and the length
 * are folded together.  Streaming because an echo may come back split over
 * several frames: the result depends only on the bytes, never on where
 * they were split.
 */
#define CK_BLOCK 32

struct cksum {
	uint64_t lane[4];
	unsigned char carry[CK_BLOCK];	/* bytes of a block not yet complete */
	unsigned ncarry;
	uint64_t len;
};

static inline uint64_t
cksum_mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x100000001B3ULL;
	return h ^ (h >> 31);
}

static void
cksum_init(struct cksum *c)
{
	c->lane[0] = 0xCBF29CE484222325ULL;
	c->lane[1] = 0x84222325CBF29CE4ULL;
	c->lane[2] = 0x9E3779B97F4A7C15ULL;
	c->lane[3] = 0xC2B2AE3D27D4EB4FULL;
	c->ncarry = 0;
	c->len = 0;
}

static inline uint64_t
load_le64(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

static inline void
cksum_block(struct cksum *c, const unsigned char *p)
{
	c->lane[0] = cksum_mix(c->lane[0], load_le64(p));
	c->lane[1] = cksum_mix(c->lane[1], load_le64(p + 8));
	c->lane[2] = cksum_mix(c->lane[2], load_le64(p + 16));
	c->lane[3] = cksum_mix(c->lane[3], load_le64(p + 24));
}

static void
cksum_update(struct cksum *c, const unsigned char *p, size_t n)
{
	c->len += n;
	if (c->ncarry) {
		size_t take = CK_BLOCK - c->ncarry;

		if (take > n)
			take = n;
		memcpy(c->carry + c->ncarry, p, take);
		c->ncarry += (unsigned)take;
		p += take;
		n -= take;
		if (c->ncarry < CK_BLOCK)
			return;
		cksum_block(c, c->carry);
		c->ncarry = 0;
	}
	for (; n >= CK_BLOCK; n -= CK_BLOCK, p += CK_BLOCK)
		cksum_block(c, p);
	memcpy(c->carry, p, n);
	c->ncarry = (unsigned)n;
}

static uint64_t
cksum_final(struct cksum *c)
{
	uint64_t h;

	if (c->ncarry) {
		/* Zero-pad the last block; the length tells the padding apart. */
		memset(c->carry + c->ncarry, 0, CK_BLOCK - c->ncarry);
		cksum_block(c, c->carry);
	}
	h = cksum_mix(c->lane[0], c->lane[1]);
	h = cksum_mix(h, c->lane[2]);
	h = cksum_mix(h, c->lane[3]);
	return cksum_mix(h, c->len);
}

/* ---------------------------------------------------------------------- */
/* Latency histogram                                                       */
/* ---------------------------------------------------------------------- */

/*
 * Log-linear buckets over nanoseconds: values below 64 exactly, above that
 * 64 buckets per power of two, so any value is within 1/64 (1.6 %) of its
 * bucket's bounds.  Fixed size, no allocation per sample.
 */
#define HIST_SUB_BITS	6
#define HIST_SUB	(1u << HIST_SUB_BITS)
#define HIST_BUCKETS	(HIST_SUB + (64 - HIST_SUB_BITS) * HIST_SUB)

static struct {
	uint64_t bucket[HIST_BUCKETS];
	uint64_t count;
	uint64_t sum;
	uint64_t max;
} hist;

static unsigned
hist_index(uint64_t v)
{
	unsigned e, shift;

	if (v < HIST_SUB)
		return (unsigned)v;
	e = 63u - (unsigned)__builtin_clzll(v);
	shift = e - HIST_SUB_BITS;
	return HIST_SUB + shift * HIST_SUB +
	       (unsigned)((v >> shift) - HIST_SUB);
}

/* The middle of bucket i's range. */
static double
hist_value(unsigned i)
{
	unsigned shift;
	uint64_t mant;

	if (i < HIST_SUB)
		return i;
	shift = (i - HIST_SUB) / HIST_SUB;
	mant = HIST_SUB + (i - HIST_SUB) % HIST_SUB;
	return ((double)mant + 0.5) * (double)(1ULL << shift);
}

static void
hist_add(uint64_t v)
{
	hist.bucket[hist_index(v)]++;
	hist.count++;
	hist.sum += v;
	if (v > hist.max)
		hist.max = v;
}

/* The q-quantile (0 < q <= 1) in microseconds; 0 with no samples. */
static double
hist_quantile_us(double q)
{
	uint64_t rank, seen = 0;
	unsigned i;

	if (!hist.count)
		return 0;
	rank = (uint64_t)(q * (double)hist.count + 0.999999);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += hist.bucket[i];
		if (seen >= rank) {
			double v = hist_value(i);

			/* Never report beyond what was actually seen. */
			return (v > (double)hist.max ? (double)hist.max : v) /
			       1000.0;
		}
	}
	return (double)hist.max / 1000.0;
}

/* ---------------------------------------------------------------------- */
/* Server-side measurements through /proc                                   */
/* ---------------------------------------------------------------------- */

/* utime + stime of the process, in microseconds; -1 if unreadable. */
static double
server_cpu_us(void)
{
	char path[64], buf[2048], *p;
	unsigned long long utime, stime;
	ssize_t n;
	int fd, field;

	if (!opt.server_pid)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/stat", opt.server_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* The command name may hold spaces; fields resume after its ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	p++;
	/* After ')': field 3 (state) ... utime is field 14, stime 15. */
	for (field = 3; field < 14; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -1;
	}
	if (sscanf(p, " %llu %llu", &utime, &stime) != 2)
		return -1;
	return (double)(utime + stime) * 1e6 / (double)sysconf(_SC_CLK_TCK);
}

/* A "Name:  N kB" line of /proc/PID/status, in kB; -1 if unreadable. */
static long
server_status_kb(const char *name)
{
	char path[64], buf[4096], *p;
	size_t namelen = strlen(name);
	ssize_t n;
	int fd;

	if (!opt.server_pid)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/status", opt.server_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (p = buf; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (!strncmp(p, name, namelen) && p[namelen] == ':')
			return strtol(p + namelen + 1, NULL, 10);
	}
	return -1;
}

/* ---------------------------------------------------------------------- */
/* Connections                                                             */
/* ---------------------------------------------------------------------- */

enum conn_state {
	CS_UNUSED,
	CS_CONNECTING,		/* TCP connect in progress */
	CS_TLS,			/* TLS handshake in progress */
	CS_HANDSHAKE,		/* upgrade request sent, waiting for 101 */
	CS_OPEN,
	CS_CLOSING,		/* our close frame sent, waiting for theirs */
	CS_DONE,		/* closed cleanly */
	CS_FAILED,
};

/* A sent message whose echo has not come back yet. */
struct inflight {
	uint64_t sent_ns;
	uint64_t cksum;
	uint64_t len;
};

struct conn {
	int fd;
	int id;
	enum conn_state state;
	int writable;		/* last write did not hit EAGAIN */
	SSL *ssl;		/* with --tls */
	uint64_t started_ns;	/* connect() time, for the handshake timeout */
	char accept[32];	/* the Sec-WebSocket-Accept we expect */

	unsigned char *rbuf;
	size_t rlen, rcap;
	unsigned char *obuf;
	size_t ooff, olen, ocap;

	/* ring of in-flight messages, oldest at head */
	struct inflight *ring;
	unsigned head, inflight;
	uint64_t seq;

	/* the echo being received, possibly over several frames */
	int in_message;
	int message_opcode;
	struct cksum rx;

	/* permessage-deflate, once negotiated */
	int pmd;
	int pmd_reset_rx;	/* server_no_context_takeover: fresh each time */
	int rx_compressed;	/* the echo being received has RSV1 */
	int inflate_ready;
	z_stream inflater;
};

static struct conn *conns;
static int nconns;		/* connections this run uses */
static int epfd;

enum phase {
	PH_CONNECT,		/* opening connections */
	PH_RUN,			/* load: sending; idle: holding */
	PH_DRAIN,		/* waiting for the echoes still in flight */
	PH_CLOSE,		/* close handshakes */
	PH_END,
};

static enum phase phase = PH_CONNECT;
static int sending;		/* may queue new messages */

static struct {
	int opened;		/* connect() attempted */
	int connecting;		/* in CS_CONNECTING, CS_TLS or CS_HANDSHAKE */
	int established;
	int resolved;		/* established or failed before that */
	int closed_ok;
	uint64_t sent;
	uint64_t received;
	uint64_t received_in_window;	/* echoes completed while the clock ran */
	uint64_t bytes_in_window;
	/* frames as they crossed the wire: headers and (compressed) payload */
	uint64_t wire_tx, wire_rx;
	uint64_t payload_rx;	/* echoed payload after inflating */
	uint64_t rx_uncompressed;	/* echoes without RSV1 despite --deflate */
	/* handshake mode: open + close cycles completed */
	uint64_t cycles, cycles_in_window;
	/* errors, by kind */
	uint64_t err_connect;	/* TCP connect failed */
	uint64_t err_handshake;	/* bad or missing 101 / accept */
	uint64_t err_protocol;	/* malformed or unexpected frame */
	uint64_t err_mismatch;	/* echo differs from what was sent */
	uint64_t err_closed;	/* server closed or reset unexpectedly */
	uint64_t err_lost;	/* in flight when the connection or run ended */
	uint64_t err_timeout;	/* handshake or close not done in time */
} st;

static struct addrinfo *server_addr;
/*
 * Where payloads come from: a connection's message number seq is slice
 * (seq * pool_step + id * 131) mod pool_slices, which starts
 * pool_stride * slice bytes into the pool.  Random bytes: 8192 slices 8
 * bytes apart, step 4099.  JSON: 1024 slices 1 KiB apart in a 1 MiB text,
 * step 389, so that a message never overlaps the two before it on its
 * connection (389 and 778 KiB away, modulo 1 MiB) and a compressor with
 * a 32 KiB window finds the records' structure, not repeats.
 */
static unsigned char *pool;
static size_t pool_len, pool_slices, pool_stride, pool_step;
/* The checksum of each slice of the pool, worked out on first use. */
static uint64_t *pool_cksum;
static unsigned char *pool_cksum_known;
/*
 * With --deflate, each slice compressed on its own (we offer
 * client_no_context_takeover, so a message never refers to an earlier
 * one): worked out before the run, so the load generator spends its time
 * on the wire, not in zlib.
 */
static unsigned char **pool_deflated;
static size_t *pool_deflated_len;
static SSL_CTX *tls_ctx;
/* What the first TLS connection negotiated, for the report. */
static char tls_version[32] = "-", tls_cipher[64] = "-", tls_group[32] = "-";
/* The first Sec-WebSocket-Extensions the server answered, for the report. */
static char pmd_response[160] = "-";
/* Room for what one inflate() call writes. */
static unsigned char inflate_out[65536];

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static uint64_t
total_errors(void)
{
	return st.err_connect + st.err_handshake + st.err_protocol +
	       st.err_mismatch + st.err_closed + st.err_lost +
	       st.err_timeout;
}

static void
note(const struct conn *c, const char *what)
{
	/* The first few of each run are worth seeing; after that, counts. */
	static int shown;

	if (opt.quiet || shown >= 10)
		return;
	shown++;
	fprintf(stderr, "loadgen: conn %d: %s\n", c->id, what);
}

static int
grow(unsigned char **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 1024;
	unsigned char *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*buf, n);
	if (!p)
		return -1;
	*buf = p;
	*cap = n;
	return 0;
}

/* Frees what a connection holds besides its socket and buffers. */
static void
conn_release(struct conn *c)
{
	if (c->ssl)
		SSL_free(c->ssl);
	c->ssl = NULL;
	if (c->inflate_ready)
		inflateEnd(&c->inflater);
	c->inflate_ready = 0;
	c->pmd = c->pmd_reset_rx = c->rx_compressed = 0;
}

/* Ends a connection that went wrong; whatever was in flight is lost. */
static void
conn_fail(struct conn *c)
{
	if (c->state == CS_CONNECTING || c->state == CS_TLS ||
	    c->state == CS_HANDSHAKE) {
		st.connecting--;
		st.resolved++;
	}
	st.err_lost += c->inflight;
	c->inflight = 0;
	conn_release(c);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = CS_FAILED;
	free(c->rbuf);
	free(c->obuf);
	c->rbuf = c->obuf = NULL;
	c->rlen = c->rcap = c->ooff = c->olen = c->ocap = 0;
}

static void
conn_finish(struct conn *c)
{
	/* TLS: our close_notify, without waiting for the server's. */
	if (c->ssl)
		(void)SSL_shutdown(c->ssl);
	conn_release(c);
	close(c->fd);
	c->fd = -1;
	c->state = CS_DONE;
	st.closed_ok++;
	if (opt.handshakes) {
		st.cycles++;
		if (phase == PH_RUN)
			st.cycles_in_window++;
	}
}

/*
 * send() or SSL_write(): > 0 bytes taken; -1 with errno EAGAIN when it
 * would block, another errno on failure.
 */
static ssize_t
io_send(struct conn *c, const unsigned char *p, size_t len)
{
	int n;

	if (!c->ssl)
		return send(c->fd, p, len, MSG_NOSIGNAL);
	n = SSL_write(c->ssl, p, len > 1u << 30 ? 1 << 30 : (int)len);
	if (n > 0)
		return n;
	switch (SSL_get_error(c->ssl, n)) {
	case SSL_ERROR_WANT_WRITE:
	case SSL_ERROR_WANT_READ:
		errno = EAGAIN;
		break;
	default:
		ERR_clear_error();
		errno = EPIPE;
		break;
	}
	return -1;
}

/* recv() or SSL_read(): bytes, 0 at the end, -1 with errno as io_send. */
static ssize_t
io_recv(struct conn *c, unsigned char *p, size_t len)
{
	int n;

	if (!c->ssl)
		return recv(c->fd, p, len, 0);
	n = SSL_read(c->ssl, p, len > 1u << 30 ? 1 << 30 : (int)len);
	if (n > 0)
		return n;
	switch (SSL_get_error(c->ssl, n)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:	/* close_notify */
		return 0;
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		if (n == 0 || errno == 0)
			return 0;	/* plain EOF */
		return -1;
	default:
		ERR_clear_error();
		errno = ECONNRESET;
		return -1;
	}
}

/* Writes what is queued, until done or the socket is full. */
static void
conn_flush(struct conn *c)
{
	while (c->writable && c->ooff < c->olen) {
		ssize_t n = io_send(c, c->obuf + c->ooff, c->olen - c->ooff);

		if (n > 0) {
			c->ooff += (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			c->writable = 0;
		} else {
			note(c, "send failed");
			st.err_closed++;
			conn_fail(c);
			return;
		}
	}
	if (c->ooff == c->olen)
		c->ooff = c->olen = 0;
}

/*
 * Queues one frame, masked with a fresh key; `head` is its first byte (FIN,
 * RSV and opcode).  Returns 0, or -1 if out of memory (the connection has
 * then failed).
 */
static int
queue_frame_head(struct conn *c, unsigned char head,
		 const unsigned char *payload, size_t len)
{
	unsigned char *p;
	uint32_t key = (uint32_t)rng_next();
	unsigned char k[4];
	uint64_t k64;
	size_t i;

	if (grow(&c->obuf, &c->ocap, c->olen + 14 + len)) {
		conn_fail(c);
		return -1;
	}
	p = c->obuf + c->olen;
	*p++ = head;
	if (len < 126) {
		*p++ = (unsigned char)(0x80 | len);
	} else if (len <= 0xFFFF) {
		*p++ = 0x80 | 126;
		*p++ = (unsigned char)(len >> 8);
		*p++ = (unsigned char)len;
	} else {
		*p++ = 0x80 | 127;
		for (i = 0; i < 8; i++)
			*p++ = (unsigned char)((uint64_t)len >> (56 - 8 * i));
	}
	memcpy(k, &key, 4);
	memcpy(p, k, 4);
	p += 4;

	/* Masking: payload byte i is XORed with key byte i % 4. */
	memcpy(&k64, k, 4);
	memcpy((unsigned char *)&k64 + 4, k, 4);
	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, payload + i, 8);
		w ^= k64;
		memcpy(p + i, &w, 8);
	}
	for (; i < len; i++)
		p[i] = payload[i] ^ k[i & 3];
	p += len;

	c->olen = (size_t)(p - c->obuf);
	return 0;
}

/* A whole message or control frame in one frame, uncompressed. */
static int
queue_frame(struct conn *c, int opcode, const unsigned char *payload,
	    size_t len)
{
	return queue_frame_head(c, (unsigned char)(0x80 | opcode), payload,
				len);
}

/* Sends one test message and remembers it in the in-flight ring. */
static int
send_message(struct conn *c)
{
	/* Each message a different slice of the pool. */
	size_t slice = (size_t)((c->seq * pool_step + (uint64_t)c->id * 131u) &
				(pool_slices - 1));
	const unsigned char *payload = pool + slice * pool_stride;
	unsigned char opcode = opt.json ? 0x1 : 0x2;
	size_t before = c->olen;
	struct inflight *m;

	if (!pool_cksum_known[slice]) {
		struct cksum ck;

		cksum_init(&ck);
		cksum_update(&ck, payload, opt.size);
		pool_cksum[slice] = cksum_final(&ck);
		pool_cksum_known[slice] = 1;
	}
	if (c->pmd) {
		/* RSV1: compressed (RFC 7692 section 6). */
		if (queue_frame_head(c, (unsigned char)(0x80 | 0x40 | opcode),
				     pool_deflated[slice],
				     pool_deflated_len[slice]))
			return -1;
	} else if (queue_frame(c, opcode, payload, opt.size)) {
		return -1;
	}
	st.wire_tx += c->olen - before;

	m = &c->ring[(c->head + c->inflight) % (unsigned)opt.window];
	m->cksum = pool_cksum[slice];
	m->len = opt.size;
	m->sent_ns = now_ns();
	c->inflight++;
	c->seq++;
	st.sent++;
	return 0;
}

/* Tops the connection's window up and writes. */
static void
conn_pump(struct conn *c)
{
	while (sending && c->state == CS_OPEN &&
	       c->inflight < (unsigned)opt.window &&
	       (!opt.count || st.sent < opt.count))
		if (send_message(c))
			return;
	if (c->state == CS_OPEN && opt.count && st.sent >= opt.count)
		sending = 0;
	if (c->state != CS_FAILED)
		conn_flush(c);
}

static void
conn_send_close(struct conn *c)
{
	/* Status 1000, normal closure. */
	static const unsigned char normal[2] = { 0x03, 0xE8 };

	if (queue_frame(c, 0x8, normal, sizeof(normal)))
		return;
	c->state = CS_CLOSING;
	conn_flush(c);
}

/* A complete echo arrived: check it against the oldest message sent. */
static void
on_echo(struct conn *c, uint64_t t)
{
	struct inflight *m;
	uint64_t ck = cksum_final(&c->rx);

	if (!c->inflight) {
		note(c, "message from the server that answers nothing");
		st.err_protocol++;
		return;
	}
	m = &c->ring[c->head];
	c->head = (c->head + 1) % (unsigned)opt.window;
	c->inflight--;

	if (c->rx.len != m->len || ck != m->cksum ||
	    c->message_opcode != (opt.json ? 1 : 2)) {
		char what[200];
		unsigned k, match = 0;
		int n;

		/* Is it another in-flight message's echo, out of order? */
		for (k = 1; k <= c->inflight && !match; k++)
			if (c->ring[(c->head + k - 1) %
				    (unsigned)opt.window].cksum == ck)
				match = k;
		n = snprintf(what, sizeof(what),
			     "echo %llu differs: %llu bytes (sent %llu), "
			     "opcode %d, checksum %s",
			     (unsigned long long)st.received,
			     (unsigned long long)c->rx.len,
			     (unsigned long long)m->len, c->message_opcode,
			     ck == m->cksum ? "same" : "differs");
		if (match && n > 0 && (size_t)n < sizeof(what))
			snprintf(what + n, sizeof(what) - (size_t)n,
				 "; it is the echo of the message sent %u "
				 "later", match);
		note(c, what);
		st.err_mismatch++;
	}
	hist_add(t - m->sent_ns);
	st.received++;
	st.payload_rx += c->rx.len;
	if (phase == PH_RUN || (opt.count && phase == PH_DRAIN)) {
		st.received_in_window++;
		st.bytes_in_window += c->rx.len;
	}
}

/*
 * Inflates a piece of a compressed echo into the running checksum.  0, or
 * -1 if the data is not valid DEFLATE (the connection has then failed).
 */
static int
inflate_piece(struct conn *c, const unsigned char *p, size_t len)
{
	z_stream *z = &c->inflater;

	z->next_in = (unsigned char *)p;
	z->avail_in = (uInt)len;
	do {
		int r;

		z->next_out = inflate_out;
		z->avail_out = sizeof(inflate_out);
		r = inflate(z, Z_SYNC_FLUSH);
		if (r != Z_OK && r != Z_BUF_ERROR) {
			char what[120];

			snprintf(what, sizeof(what), "echo does not inflate "
				 "(zlib %d: %s)", r, z->msg ? z->msg : "-");
			note(c, what);
			st.err_protocol++;
			conn_fail(c);
			return -1;
		}
		cksum_update(&c->rx, inflate_out,
			     sizeof(inflate_out) - z->avail_out);
		if (r == Z_BUF_ERROR)	/* nothing more to do with this input */
			break;
	} while (z->avail_in || !z->avail_out);
	return 0;
}

/*
 * Parses whole frames at the front of rbuf.  Returns the bytes consumed, or
 * -1 if the connection failed or finished.
 */
static ssize_t
parse_frames(struct conn *c, uint64_t t)
{
	size_t off = 0;

	for (;;) {
		unsigned char *p = c->rbuf + off;
		size_t avail = c->rlen - off, hlen = 2, i;
		uint64_t len;
		int fin, rsv1, opcode;

		if (avail < 2)
			break;
		fin = p[0] & 0x80;
		rsv1 = (p[0] & 0x40) != 0;
		opcode = p[0] & 0x0F;
		/* RSV1 is permessage-deflate's, on a message's first frame. */
		if (p[0] & (c->pmd ? 0x30 : 0x70) ||
		    (p[0] & 0x40 && (opcode == 0 || opcode >= 8))) {
			note(c, "frame with reserved bits set");
			goto protocol_error;
		}
		if (p[1] & 0x80) {
			note(c, "masked frame from the server");
			goto protocol_error;
		}
		len = p[1] & 0x7F;
		if (len == 126) {
			hlen = 4;
			if (avail < hlen)
				break;
			len = (uint64_t)p[2] << 8 | p[3];
		} else if (len == 127) {
			hlen = 10;
			if (avail < hlen)
				break;
			for (len = 0, i = 0; i < 8; i++)
				len = len << 8 | p[2 + i];
		}
		if (len > MAX_FRAME_PAYLOAD) {
			note(c, "frame too large");
			goto protocol_error;
		}
		if (avail < hlen + len) {
			/* Wait for the rest; make room for the whole frame. */
			if (grow(&c->rbuf, &c->rcap, hlen + (size_t)len)) {
				conn_fail(c);
				return -1;
			}
			break;
		}
		p += hlen;
		off += hlen + (size_t)len;

		if (opcode >= 8) {
			if (!fin || len > 125) {
				note(c, "bad control frame");
				goto protocol_error;
			}
			switch (opcode) {
			case 0x8:	/* close */
				if (c->state == CS_CLOSING) {
					conn_finish(c);
					return -1;
				}
				{
					char what[200];

					snprintf(what, sizeof(what),
						 "server closed the connection "
						 "(code %d%s%.*s)",
						 len >= 2 ? p[0] << 8 | p[1] : -1,
						 len > 2 ? ", reason: " : "",
						 len > 2 ? (int)len - 2 : 0,
						 (const char *)p + 2);
					note(c, what);
				}
				st.err_closed++;
				conn_fail(c);
				return -1;
			case 0x9:	/* ping: answer with its payload */
				if (queue_frame(c, 0xA, p, (size_t)len))
					return -1;
				break;
			case 0xA:	/* pong: unsolicited is fine */
				break;
			default:
				note(c, "unknown control opcode");
				goto protocol_error;
			}
			continue;
		}

		if (opcode == 0) {
			if (!c->in_message) {
				note(c, "continuation without a message");
				goto protocol_error;
			}
		} else if (opcode == 1 || opcode == 2) {
			if (c->in_message) {
				note(c, "new message inside a fragmented one");
				goto protocol_error;
			}
			c->in_message = 1;
			c->message_opcode = opcode;
			c->rx_compressed = rsv1;
			cksum_init(&c->rx);
		} else {
			note(c, "unknown data opcode");
			goto protocol_error;
		}
		st.wire_rx += hlen + len;
		if (!c->rx_compressed) {
			/* Allowed (RFC 7692 section 6), but counted. */
			if (c->pmd && opcode)
				st.rx_uncompressed++;
			cksum_update(&c->rx, p, (size_t)len);
		} else if (inflate_piece(c, p, (size_t)len)) {
			return -1;
		}
		if (fin) {
			if (c->rx_compressed) {
				/* The flush marker the sender left off. */
				static const unsigned char tail[4] = {
					0x00, 0x00, 0xFF, 0xFF
				};

				if (inflate_piece(c, tail, sizeof(tail)))
					return -1;
				if (c->pmd_reset_rx)
					inflateReset(&c->inflater);
			}
			c->in_message = 0;
			on_echo(c, t);
		}
	}
	return (ssize_t)off;

protocol_error:
	st.err_protocol++;
	conn_fail(c);
	return -1;
}

/* Checks the server's handshake response once its head is complete. */
static void
check_handshake(struct conn *c)
{
	char *head = (char *)c->rbuf, *end, *line, *eol;
	size_t headlen;
	int accepted = 0, pmd = 0, pmd_reset_rx = 0, bad_ext = 0;

	end = memmem(c->rbuf, c->rlen, "\r\n\r\n", 4);
	if (!end) {
		if (c->rlen > 16384) {
			note(c, "handshake response head too long");
			st.err_handshake++;
			conn_fail(c);
		}
		return;
	}
	headlen = (size_t)(end - head) + 4;
	*end = '\0';

	if (strncmp(head, "HTTP/1.1 101", 12)) {
		char what[160];

		snprintf(what, sizeof(what), "handshake refused: %.100s", head);
		note(c, what);
		st.err_handshake++;
		conn_fail(c);
		return;
	}
	for (line = strstr(head, "\r\n"); line; line = eol) {
		line += 2;
		eol = strstr(line, "\r\n");
		if (eol)
			*eol = '\0';
		if (!strncasecmp(line, "Sec-WebSocket-Accept:", 21)) {
			char *v = line + 21;
			size_t n;

			while (*v == ' ' || *v == '\t')
				v++;
			n = strlen(v);
			while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
				n--;
			accepted = n == strlen(c->accept) &&
				   !memcmp(v, c->accept, n);
		} else if (!strncasecmp(line, "Sec-WebSocket-Extensions:", 25)) {
			/*
			 * We offer one thing, so one thing may come back:
			 * permessage-deflate with parameters.  A smaller
			 * client window than 15 we do not do.
			 */
			const char *v = line + 25, *w;

			while (*v == ' ' || *v == '\t')
				v++;
			if (!opt.deflate || pmd ||
			    strncasecmp(v, "permessage-deflate", 18) ||
			    strchr(v, ',')) {
				bad_ext = 1;
				continue;
			}
			pmd = 1;
			if (!strcmp(pmd_response, "-")) {
				char *q;

				snprintf(pmd_response, sizeof(pmd_response),
					 "%s", v);
				/* One word for the RESULT line. */
				for (q = pmd_response; *q; q++)
					if (*q == ' ')
						*q = '_';
			}
			pmd_reset_rx = strstr(v, "server_no_context_takeover") !=
				       NULL;
			w = strstr(v, "client_max_window_bits=");
			if (w && atoi(w + 23) != 15)
				bad_ext = 1;
		}
	}
	if (bad_ext || (opt.deflate && !pmd)) {
		note(c, bad_ext ? "unexpected Sec-WebSocket-Extensions" :
			"server did not accept permessage-deflate");
		st.err_handshake++;
		conn_fail(c);
		return;
	}
	if (!accepted) {
		note(c, "missing or wrong Sec-WebSocket-Accept");
		st.err_handshake++;
		conn_fail(c);
		return;
	}

	if (pmd) {
		/* The server's window may be anything up to 15 bits. */
		memset(&c->inflater, 0, sizeof(c->inflater));
		if (inflateInit2(&c->inflater, -15) != Z_OK) {
			note(c, "inflateInit2 failed");
			st.err_protocol++;
			conn_fail(c);
			return;
		}
		c->inflate_ready = 1;
		c->pmd = 1;
		c->pmd_reset_rx = pmd_reset_rx;
	}
	if (c->ssl && !strcmp(tls_version, "-")) {
		int group = SSL_get_negotiated_group(c->ssl);

		snprintf(tls_version, sizeof(tls_version), "%s",
			 SSL_get_version(c->ssl));
		snprintf(tls_cipher, sizeof(tls_cipher), "%s",
			 SSL_get_cipher_name(c->ssl));
		snprintf(tls_group, sizeof(tls_group), "%s",
			 group > 0 && OBJ_nid2sn(group) ? OBJ_nid2sn(group) :
			 "-");
	}

	/* Anything after the head is already frame data. */
	memmove(c->rbuf, c->rbuf + headlen, c->rlen - headlen);
	c->rlen -= headlen;
	c->state = CS_OPEN;
	st.connecting--;
	st.established++;
	st.resolved++;

	/* Handshake mode: that was it; the close handshake follows. */
	if (opt.handshakes) {
		hist_add(now_ns() - c->started_ns);
		conn_send_close(c);
	}
}

/* Reads everything the socket has, and acts on it. */
static void
conn_read(struct conn *c)
{
	for (;;) {
		ssize_t n, used;
		uint64_t t;

		/* Small for idle connections, roomy for busy ones. */
		if (c->rcap - c->rlen < 1024 &&
		    grow(&c->rbuf, &c->rcap,
			 c->rlen + (opt.idle ? 2048 : 16384))) {
			conn_fail(c);
			return;
		}
		n = io_recv(c, c->rbuf + c->rlen, c->rcap - c->rlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			note(c, n ? "connection reset" : "server hung up");
			if (c->state == CS_HANDSHAKE)
				st.err_handshake++;
			else
				st.err_closed++;
			conn_fail(c);
			return;
		}
		t = now_ns();
		c->rlen += (size_t)n;

		if (c->state == CS_HANDSHAKE) {
			check_handshake(c);
			if (c->state == CS_HANDSHAKE)
				continue;	/* head not complete yet */
			/* (Handshake mode is already CS_CLOSING.) */
			if (c->state != CS_OPEN && c->state != CS_CLOSING)
				return;
		}
		if (c->state != CS_OPEN && c->state != CS_CLOSING) {
			/* Bytes after we gave up on it: drop them. */
			c->rlen = 0;
			continue;
		}
		used = parse_frames(c, t);
		if (used < 0)
			return;
		memmove(c->rbuf, c->rbuf + used, c->rlen - (size_t)used);
		c->rlen -= (size_t)used;
	}
	/* New echoes free window slots; pongs may be queued: write. */
	if (c->state == CS_OPEN)
		conn_pump(c);
	else if (c->state == CS_CLOSING)
		conn_flush(c);
}

static void
conn_start(struct conn *c)
{
	unsigned char nonce[16], digest[20];
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	char key[32], req[512];
	struct epoll_event ev;
	struct sha1 sha;
	uint64_t r;
	int n, one = 1;

	st.opened++;
	st.connecting++;
	c->state = CS_CONNECTING;
	c->started_ns = now_ns();
	/* Handshake mode starts each slot over and over. */
	c->rlen = c->ooff = c->olen = 0;
	c->head = c->inflight = 0;
	c->in_message = 0;
	c->writable = 0;
	c->fd = socket(server_addr->ai_family,
		       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		note(c, "socket() failed");
		st.err_connect++;
		conn_fail(c);
		return;
	}
	/* Small frames go out at once, as a latency test needs. */
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, server_addr->ai_addr, server_addr->ai_addrlen) &&
	    errno != EINPROGRESS) {
		note(c, "connect() failed");
		st.err_connect++;
		conn_fail(c);
		return;
	}

	/* The request is queued now and goes out once connect() completes. */
	r = rng_next();
	memcpy(nonce, &r, 8);
	r = rng_next();
	memcpy(nonce + 8, &r, 8);
	base64_encode(nonce, 16, key);
	sha1_init(&sha);
	sha1_update(&sha, key, strlen(key));
	sha1_update(&sha, guid, strlen(guid));
	sha1_final(&sha, digest);
	base64_encode(digest, 20, c->accept);

	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\n"
		     "Host: %s:%s\r\n"
		     "Upgrade: websocket\r\n"
		     "Connection: Upgrade\r\n"
		     "Sec-WebSocket-Key: %s\r\n"
		     "Sec-WebSocket-Version: 13\r\n"
		     "%s%s%s%s%s%s"
		     "\r\n",
		     opt.path, opt.host, opt.port, key,
		     opt.protocol ? "Sec-WebSocket-Protocol: " : "",
		     opt.protocol ? opt.protocol : "",
		     opt.protocol ? "\r\n" : "",
		     opt.deflate ? "Sec-WebSocket-Extensions: " : "",
		     opt.deflate ? opt.deflate_offer : "",
		     opt.deflate ? "\r\n" : "");
	if (grow(&c->obuf, &c->ocap, (size_t)n)) {
		conn_fail(c);
		return;
	}
	memcpy(c->obuf, req, (size_t)n);
	c->olen = (size_t)n;

	ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
	ev.data.ptr = c;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev)) {
		note(c, "epoll_ctl failed");
		st.err_connect++;
		conn_fail(c);
	}
}

/* Moves the TLS handshake on; once done, the upgrade request goes out. */
static void
conn_tls_step(struct conn *c)
{
	int n = SSL_connect(c->ssl);

	if (n != 1) {
		int err = SSL_get_error(c->ssl, n);
		char what[200];

		if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
			return;		/* the next event goes on */
		snprintf(what, sizeof(what), "TLS handshake failed: %s",
			 ERR_error_string(ERR_get_error(), NULL));
		ERR_clear_error();
		note(c, what);
		st.err_handshake++;
		conn_fail(c);
		return;
	}
	c->state = CS_HANDSHAKE;
	c->writable = 1;
	conn_flush(c);
	if (c->state != CS_FAILED)
		conn_read(c);	/* may hold what the handshake read ahead */
}

static void
conn_event(struct conn *c, uint32_t events)
{
	if (c->state == CS_TLS) {
		conn_tls_step(c);
		return;
	}
	if (c->state == CS_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err || (events & (EPOLLERR | EPOLLHUP))) {
			note(c, "connect failed");
			st.err_connect++;
			conn_fail(c);
			return;
		}
		if (opt.tls) {
			c->ssl = SSL_new(tls_ctx);
			if (!c->ssl || !SSL_set_fd(c->ssl, c->fd)) {
				note(c, "SSL_new failed");
				st.err_connect++;
				conn_fail(c);
				return;
			}
			c->state = CS_TLS;
			conn_tls_step(c);
			return;
		}
		c->state = CS_HANDSHAKE;
		c->writable = 1;
		conn_flush(c);
		/* The response may already be here. */
		events |= EPOLLIN;
	}
	if (c->state == CS_FAILED || c->state == CS_DONE)
		return;
	/* TLS may want to write after a read and the other way round. */
	if (events & EPOLLOUT || (c->ssl && events)) {
		c->writable = 1;
		conn_flush(c);
		if (c->state == CS_FAILED)
			return;
	}
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		conn_read(c);
}

/* ---------------------------------------------------------------------- */
/* The run                                                                 */
/* ---------------------------------------------------------------------- */

static int
wait_for_port(void)
{
	uint64_t deadline = now_ns() + (uint64_t)(opt.wait * 1e9);

	do {
		int fd = socket(server_addr->ai_family,
				SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd >= 0 && !connect(fd, server_addr->ai_addr,
					server_addr->ai_addrlen)) {
			close(fd);
			return 0;
		}
		if (fd >= 0)
			close(fd);
		usleep(20000);
	} while (now_ns() < deadline && !interrupted);
	fprintf(stderr, "loadgen: nothing accepts on %s:%s\n", opt.host,
		opt.port);
	return 1;
}

/* Counts connections still short of `state` past the timeout as failed. */
static void
expire(enum conn_state below, uint64_t since, uint64_t t)
{
	int i;

	if (t - since < (uint64_t)(opt.timeout * 1e9))
		return;
	for (i = 0; i < nconns; i++) {
		struct conn *c = &conns[i];

		if (c->state == CS_UNUSED || c->state == CS_FAILED ||
		    c->state == CS_DONE || c->state >= below)
			continue;
		note(c, "timed out");
		st.err_timeout++;
		conn_fail(c);
	}
}

/*
 * Handshake mode: fails the connections whose cycle has taken longer than
 * the timeout; returns how many cycles are still under way.
 */
static int
expire_cycles(uint64_t t)
{
	int i, active = 0;

	for (i = 0; i < nconns; i++) {
		struct conn *c = &conns[i];

		if (c->state < CS_CONNECTING || c->state > CS_CLOSING)
			continue;
		if (t - c->started_ns < (uint64_t)(opt.timeout * 1e9)) {
			active++;
			continue;
		}
		note(c, "timed out");
		st.err_timeout++;
		conn_fail(c);
	}
	return active;
}

static int
count_in(enum conn_state state)
{
	int i, n = 0;

	for (i = 0; i < nconns; i++)
		n += conns[i].state == state;
	return n;
}

static uint64_t
inflight_total(void)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < nconns; i++)
		if (conns[i].state == CS_OPEN)
			n += conns[i].inflight;
	return n;
}

/* Fills p[0..n) with JSON-like records: compressible, as real JSON is. */
static void
fill_json(unsigned char *p, size_t n)
{
	static const char *const words[] = {
		"alpha", "bravo", "charlie", "delta", "echo", "foxtrot",
		"golf", "hotel", "india", "juliet", "kilo", "lima",
	};
	size_t off = 0;

	while (off < n) {
		uint64_t a = rng_next(), b = rng_next();
		unsigned user = (unsigned)(a % 10000);
		char rec[400];
		int k;

		k = snprintf(rec, sizeof(rec),
			     "{\"id\":%llu,\"user\":\"user_%04u\","
			     "\"email\":\"user_%04u@example.com\","
			     "\"active\":%s,\"score\":%u.%02u,"
			     "\"tags\":[\"%s\",\"%s\"],"
			     "\"updated\":\"2026-%02u-%02uT%02u:%02u:%02uZ\"},\n",
			     (unsigned long long)(a >> 24), user, user,
			     b & 1 ? "true" : "false",
			     (unsigned)(b >> 8) % 100, (unsigned)(b >> 16) % 100,
			     words[(b >> 24) % 12], words[(b >> 28) % 12],
			     (unsigned)(b >> 32) % 12 + 1,
			     (unsigned)(b >> 36) % 28 + 1,
			     (unsigned)(b >> 41) % 24, (unsigned)(b >> 46) % 60,
			     (unsigned)(b >> 52) % 60);
		if (k <= 0)
			break;
		if ((size_t)k > n - off)
			k = (int)(n - off);
		memcpy(p + off, rec, (size_t)k);
		off += (size_t)k;
	}
}

/*
 * Compresses every slice of the pool on its own, as permessage-deflate
 * with client_no_context_takeover sends it: raw DEFLATE, sync flush, the
 * final 00 00 ff ff left off (RFC 7692 section 7.2.1).
 */
static int
deflate_pool(void)
{
	z_stream z;
	size_t k, cap;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		goto oom;
	cap = deflateBound(&z, opt.size) + 16;
	pool_deflated = calloc(pool_slices, sizeof(*pool_deflated));
	pool_deflated_len = calloc(pool_slices, sizeof(*pool_deflated_len));
	if (!pool_deflated || !pool_deflated_len)
		goto oom;
	for (k = 0; k < pool_slices; k++) {
		unsigned char *out = malloc(cap);
		size_t len;

		if (!out)
			goto oom;
		deflateReset(&z);
		z.next_in = pool + k * pool_stride;
		z.avail_in = (uInt)opt.size;
		z.next_out = out;
		z.avail_out = (uInt)cap;
		if (deflate(&z, Z_SYNC_FLUSH) != Z_OK || z.avail_in) {
			fprintf(stderr, "loadgen: deflate failed\n");
			return -1;
		}
		len = cap - z.avail_out;
		if (len >= 4 && !memcmp(out + len - 4, "\0\0\xff\xff", 4))
			len -= 4;
		pool_deflated[k] = out;
		pool_deflated_len[k] = len;
	}
	deflateEnd(&z);
	return 0;
oom:
	fprintf(stderr, "loadgen: out of memory (deflate)\n");
	return -1;
}

static void
usage(FILE *out)
{
	fprintf(out,
"Usage: loadgen [options]\n"
"  -H, --host ADDR       server address (default 127.0.0.1)\n"
"  -p, --port N          server port (default 7681)\n"
"      --path PATH       request path (default /)\n"
"  -P, --protocol NAME   ask for this subprotocol (default: none)\n"
"  -c, --conns N         connections (default 1)\n"
"  -s, --size BYTES      message size (default 64)\n"
"  -w, --window N        messages in flight per connection (default 1)\n"
"  -d, --duration SECS   seconds of load (default 5)\n"
"  -n, --count N         stop after N messages instead\n"
"      --idle N          idle mode: hold N connections, then report\n"
"      --hold SECS       idle mode: how long to hold them (default 2)\n"
"      --server-pid PID  read the server's CPU time and RSS from /proc\n"
"      --max-connecting N  handshakes in progress at once (default 128)\n"
"      --timeout SECS    for handshakes, draining, closing (default 10)\n"
"      --wait SECS       only wait until the port accepts, then exit\n"
"      --handshakes      handshake mode: -c at a time open, close, repeat\n"
"      --tls             wss:// (OpenSSL; any certificate)\n"
"      --deflate         offer and require permessage-deflate\n"
"      --payload KIND    random (default, binary) or json (text)\n"
"  -q, --quiet           no per-connection error notes\n"
"  -h, --help            this text\n");
}

static int
parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "path", required_argument, NULL, 'A' },
		{ "protocol", required_argument, NULL, 'P' },
		{ "conns", required_argument, NULL, 'c' },
		{ "size", required_argument, NULL, 's' },
		{ "window", required_argument, NULL, 'w' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "idle", required_argument, NULL, 'I' },
		{ "hold", required_argument, NULL, 'O' },
		{ "server-pid", required_argument, NULL, 'S' },
		{ "max-connecting", required_argument, NULL, 'M' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "wait", required_argument, NULL, 'W' },
		{ "handshakes", no_argument, NULL, 'K' },
		{ "tls", no_argument, NULL, 'L' },
		{ "deflate", no_argument, NULL, 'D' },
		{ "payload", required_argument, NULL, 'Y' },
		{ "deflate-offer", required_argument, NULL, 'F' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "H:p:P:c:s:w:d:n:qh", longopts,
				NULL)) != -1) {
		double v = 0;

		if (optarg && c != 'H' && c != 'p' && c != 'A' && c != 'P' &&
		    c != 'Y' && c != 'F') {
			v = strtod(optarg, &end);
			if (end == optarg || *end || v < 0) {
				fprintf(stderr, "loadgen: bad value '%s'\n",
					optarg);
				return -1;
			}
		}
		switch (c) {
		case 'H': opt.host = optarg; break;
		case 'p': opt.port = optarg; break;
		case 'A': opt.path = optarg; break;
		case 'P': opt.protocol = optarg; break;
		case 'c': opt.conns = (int)v; break;
		case 's': opt.size = (size_t)v; break;
		case 'w': opt.window = (int)v; break;
		case 'd': opt.duration = v; break;
		case 'n': opt.count = (uint64_t)v; break;
		case 'I': opt.idle = (int)v; break;
		case 'O': opt.hold = v; break;
		case 'S': opt.server_pid = (int)v; break;
		case 'M': opt.max_connecting = (int)v; break;
		case 'T': opt.timeout = v; break;
		case 'W': opt.wait = v; break;
		case 'K': opt.handshakes = 1; break;
		case 'L': opt.tls = 1; break;
		case 'D': opt.deflate = 1; break;
		case 'F': opt.deflate = 1; opt.deflate_offer = optarg; break;
		case 'Y':
			if (!strcmp(optarg, "json")) {
				opt.json = 1;
			} else if (strcmp(optarg, "random")) {
				fprintf(stderr, "loadgen: --payload is random "
					"or json\n");
				return -1;
			}
			break;
		case 'q': opt.quiet = 1; break;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc || opt.conns < 1 || opt.window < 1 ||
	    opt.max_connecting < 1 || opt.size > MAX_FRAME_PAYLOAD ||
	    (opt.handshakes && (opt.idle || opt.count))) {
		usage(stderr);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct epoll_event events[1024];
	struct addrinfo hints;
	struct rusage ru0, ru1;
	uint64_t t_phase, t_start = 0, t_end = 0, t_drained = 0;
	double cpu0 = -1, cpu1 = -1;
	long rss0 = -1, rss1 = -1, rss2 = -1, hwm = -1;
	int i, n, rc;

	rc = parse_options(argc, argv);
	if (rc)
		return rc > 0 ? 0 : 2;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rng_state = now_ns() ^ ((uint64_t)getpid() << 32) ^ 0x9E3779B97F4A7C15ULL;
	if (!rng_state)
		rng_state = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(opt.host, opt.port, &hints, &server_addr);
	if (rc) {
		fprintf(stderr, "loadgen: %s:%s: %s\n", opt.host, opt.port,
			gai_strerror(rc));
		return 2;
	}
	if (opt.wait > 0)
		return wait_for_port();

	nconns = opt.idle ? opt.idle : opt.conns;
	conns = calloc((size_t)nconns, sizeof(*conns));
	if (opt.json) {
		pool_slices = 1024;
		pool_stride = 1024;
		pool_step = 389;
	} else {
		pool_slices = 8192;
		pool_stride = 8;
		pool_step = 4099;
	}
	pool_len = opt.size + pool_slices * pool_stride;
	pool = malloc(pool_len);
	pool_cksum = calloc(pool_slices, sizeof(*pool_cksum));
	pool_cksum_known = calloc(pool_slices, 1);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!conns || !pool || !pool_cksum || !pool_cksum_known || epfd < 0) {
		fprintf(stderr, "loadgen: out of memory\n");
		return 2;
	}
	if (opt.json) {
		fill_json(pool, pool_len);
	} else {
		size_t k;

		for (k = 0; k < pool_len; k++)
			pool[k] = (unsigned char)(rng_next() >> 56);
	}
	if (opt.deflate && deflate_pool())
		return 2;
	if (opt.tls) {
		tls_ctx = SSL_CTX_new(TLS_client_method());
		if (!tls_ctx) {
			fprintf(stderr, "loadgen: SSL_CTX_new failed\n");
			return 2;
		}
		/* Self-signed test certificates; no resumption, full handshakes. */
		SSL_CTX_set_verify(tls_ctx, SSL_VERIFY_NONE, NULL);
		SSL_CTX_set_session_cache_mode(tls_ctx, SSL_SESS_CACHE_OFF);
		SSL_CTX_set_options(tls_ctx, SSL_OP_NO_TICKET);
		SSL_CTX_set_mode(tls_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
				 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	}
	for (i = 0; i < nconns; i++) {
		conns[i].fd = -1;
		conns[i].id = i;
		conns[i].ring = calloc((size_t)opt.window,
				       sizeof(struct inflight));
		if (!conns[i].ring) {
			fprintf(stderr, "loadgen: out of memory\n");
			return 2;
		}
	}

	rss0 = server_status_kb("VmRSS");
	getrusage(RUSAGE_SELF, &ru0);
	t_phase = now_ns();

	while (phase != PH_END) {
		uint64_t t = now_ns();
		int timeout_ms = 10;

		if (interrupted && phase < PH_DRAIN) {
			fprintf(stderr, "loadgen: interrupted\n");
			sending = 0;
			phase = PH_DRAIN;
			t_end = t;
			t_phase = t;
		}

		switch (phase) {
		case PH_CONNECT:
			if (opt.handshakes) {
				/* The clock runs from the first connect(). */
				phase = PH_RUN;
				t_start = t_phase = now_ns();
				cpu0 = server_cpu_us();
				for (i = 0; i < nconns; i++)
					conn_start(&conns[i]);
				break;
			}
			while (st.opened < nconns &&
			       st.connecting < opt.max_connecting)
				conn_start(&conns[st.opened]);
			expire(CS_OPEN, t_phase, t);
			if (st.resolved < nconns) {
				/* Progress resets the handshake timeout. */
				static int last;

				if (st.resolved != last) {
					last = st.resolved;
					t_phase = t;
				}
				break;
			}
			/* Every connection is open (or has failed). */
			phase = PH_RUN;
			t_start = t_phase = now_ns();
			cpu0 = server_cpu_us();
			if (!opt.idle) {
				sending = 1;
				for (i = 0; i < nconns; i++)
					if (conns[i].state == CS_OPEN)
						conn_pump(&conns[i]);
			}
			break;

		case PH_RUN:
			if (opt.handshakes) {
				expire_cycles(t);
				if (t - t_start < (uint64_t)(opt.duration * 1e9)) {
					/* Each slot that is through starts over. */
					for (i = 0; i < nconns; i++)
						if (conns[i].state == CS_DONE ||
						    conns[i].state == CS_FAILED)
							conn_start(&conns[i]);
					break;
				}
				t_end = t;
			} else if (opt.idle) {
				if (t - t_start < (uint64_t)(opt.hold * 1e9))
					break;
				/* Held long enough: measure, then probe. */
				rss1 = server_status_kb("VmRSS");
				t_end = t;
				sending = 1;
				for (i = 0; i < nconns; i++)
					if (conns[i].state == CS_OPEN &&
					    !send_message(&conns[i]))
						conn_flush(&conns[i]);
				sending = 0;
			} else {
				/*
				 * Timed runs end on the clock, counted runs
				 * once the last message is out (conn_pump
				 * clears `sending`); either ends early if no
				 * connection is left.
				 */
				int over = opt.count ? !sending :
					t - t_start >=
						(uint64_t)(opt.duration * 1e9);

				if (!over && count_in(CS_OPEN))
					break;
				sending = 0;
				t_end = t;
			}
			phase = PH_DRAIN;
			t_phase = t;
			break;

		case PH_DRAIN:
			if (opt.handshakes) {
				/* Let the cycles under way finish. */
				if (expire_cycles(t))
					break;
				t_drained = t;
				cpu1 = server_cpu_us();
				phase = PH_END;
				continue;
			}
			if (inflight_total() &&
			    t - t_phase < (uint64_t)(opt.timeout * 1e9))
				break;
			/* Whatever is still out now counts as lost. */
			for (i = 0; i < nconns; i++)
				if (conns[i].state == CS_OPEN &&
				    conns[i].inflight) {
					note(&conns[i], "echo never came");
					st.err_lost += conns[i].inflight;
					conns[i].inflight = 0;
				}
			t_drained = t;
			/* A counted run's clock stops at its last echo. */
			if (opt.count)
				t_end = t;
			if (!opt.idle)
				cpu1 = server_cpu_us();
			if (opt.idle)
				rss2 = server_status_kb("VmRSS");
			else
				rss1 = server_status_kb("VmRSS");
			hwm = server_status_kb("VmHWM");
			for (i = 0; i < nconns; i++)
				if (conns[i].state == CS_OPEN)
					conn_send_close(&conns[i]);
			phase = PH_CLOSE;
			t_phase = t;
			break;

		case PH_CLOSE:
			if (count_in(CS_CLOSING)) {
				expire(CS_DONE, t_phase, t);
				break;
			}
			phase = PH_END;
			continue;

		case PH_END:
			break;
		}

		n = epoll_wait(epfd, events, 1024, timeout_ms);
		if (n < 0 && errno != EINTR) {
			perror("loadgen: epoll_wait");
			return 2;
		}
		for (i = 0; i < n; i++)
			conn_event(events[i].data.ptr, events[i].events);
	}
	getrusage(RUSAGE_SELF, &ru1);

	for (i = 0; i < nconns; i++)
		if (conns[i].fd >= 0)
			close(conns[i].fd);

	{
		double secs = (double)(t_end - t_start) / 1e9;
		double client_cpu =
			(double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec +
				 ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
			(double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec +
				 ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) /
				1e6;
		double wall = (double)(t_drained - t_start) / 1e9;
		double server_cpu = cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1;

		if (opt.handshakes) {
			double rate = secs > 0 ?
				(double)st.cycles_in_window / secs : 0;
			double per_hs = server_cpu >= 0 && st.cycles ?
				server_cpu / (double)st.cycles : -1;

			printf("handshakes: %d at a time%s, %.2f s: %llu opened "
			       "and closed (%llu total), %.0f per second\n",
			       nconns, opt.tls ? " over TLS" : "", secs,
			       (unsigned long long)st.cycles_in_window,
			       (unsigned long long)st.cycles, rate);
			printf("connect to 101 us: p50 %.1f  p99 %.1f  max %.1f\n",
			       hist_quantile_us(0.50), hist_quantile_us(0.99),
			       (double)hist.max / 1000.0);
			if (opt.tls)
				printf("tls: %s %s %s\n", tls_version,
				       tls_cipher, tls_group);
			if (server_cpu >= 0)
				printf("server: %.0f ms CPU over %.2f s (%.0f %%), "
				       "%.1f us per handshake\n",
				       server_cpu / 1000, wall,
				       wall > 0 ? server_cpu / 1e4 / wall : 0,
				       per_hs);
			printf("client: %.0f %% CPU\n",
			       wall > 0 ? client_cpu * 100 / wall : 0);
			printf("RESULT mode=handshake conns=%d tls=%d "
			       "tls_version=%s tls_cipher=%s tls_group=%s "
			       "seconds=%.3f handshakes=%llu "
			       "handshakes_total=%llu handshakes_per_s=%.0f "
			       "p50_us=%.1f p99_us=%.1f server_cpu_us=%.0f "
			       "server_cpu_us_per_hs=%.1f client_cpu_pct=%.0f "
			       "errors=%llu",
			       nconns, opt.tls, tls_version, tls_cipher,
			       tls_group, secs,
			       (unsigned long long)st.cycles_in_window,
			       (unsigned long long)st.cycles, rate,
			       hist_quantile_us(0.50), hist_quantile_us(0.99),
			       server_cpu, per_hs,
			       wall > 0 ? client_cpu * 100 / wall : 0,
			       (unsigned long long)total_errors());
		} else if (opt.idle) {
			double per_conn = rss0 >= 0 && rss1 >= 0 &&
					  st.established ?
				(double)(rss1 - rss0) * 1024.0 /
					st.established : -1;
			/* After every connection echoed once: lazy buffers. */
			double per_used = rss0 >= 0 && rss2 >= 0 &&
					  st.established ?
				(double)(rss2 - rss0) * 1024.0 /
					st.established : -1;

			printf("idle: %d/%d connections established and held "
			       "%.1f s; %llu/%d answered a probe message; "
			       "%d closed cleanly\n",
			       st.established, nconns, opt.hold,
			       (unsigned long long)st.received,
			       st.established, st.closed_ok);
			if (rss0 >= 0)
				printf("server VmRSS: %ld kB before, %ld kB "
				       "held idle (%.0f bytes per connection), "
				       "%ld kB after one echo each (%.0f bytes "
				       "per connection)\n",
				       rss0, rss1, per_conn, rss2, per_used);
			printf("RESULT mode=idle conns=%d established=%d "
			       "probe_ok=%llu closed_ok=%d errors=%llu "
			       "server_rss0_kb=%ld server_rss_kb=%ld "
			       "rss_per_conn_b=%.0f server_rss_used_kb=%ld "
			       "rss_per_used_conn_b=%.0f",
			       nconns, st.established,
			       (unsigned long long)st.received, st.closed_ok,
			       (unsigned long long)total_errors(), rss0, rss1,
			       per_conn, rss2, per_used);
		} else {
			double rate = secs > 0 ?
				(double)st.received_in_window / secs : 0;
			double per_msg = server_cpu >= 0 && st.received ?
				server_cpu / (double)st.received : -1;

			printf("load: %d conns x window %d, %zu-byte messages, "
			       "%.2f s: %llu echoes (%llu total), %.0f msg/s, "
			       "%.1f MB/s each way\n",
			       nconns, opt.window, opt.size, secs,
			       (unsigned long long)st.received_in_window,
			       (unsigned long long)st.received, rate,
			       secs > 0 ? (double)st.bytes_in_window / secs /
					  1e6 : 0);
			printf("latency us: p50 %.1f  p99 %.1f  p99.9 %.1f  "
			       "max %.1f  mean %.1f\n",
			       hist_quantile_us(0.50), hist_quantile_us(0.99),
			       hist_quantile_us(0.999),
			       (double)hist.max / 1000.0,
			       hist.count ? (double)hist.sum / hist.count /
					    1000.0 : 0);
			if (server_cpu >= 0)
				printf("server: %.0f ms CPU over %.2f s "
				       "(%.0f %%), %.2f us per message; "
				       "VmRSS %ld kB, VmHWM %ld kB\n",
				       server_cpu / 1000, wall,
				       wall > 0 ? server_cpu / 1e4 / wall : 0,
				       per_msg, rss1, hwm);
			printf("client: %.0f %% CPU\n",
			       wall > 0 ? client_cpu * 100 / wall : 0);
			printf("wire: %.0f bytes per message sent, %.0f per echo "
			       "received (payload %zu)%s%s\n",
			       st.sent ? (double)st.wire_tx / st.sent : 0,
			       st.received ? (double)st.wire_rx / st.received : 0,
			       opt.size, opt.deflate ? ", negotiated " : "",
			       opt.deflate ? pmd_response : "");
			if (opt.tls)
				printf("tls: %s %s %s\n", tls_version,
				       tls_cipher, tls_group);
			printf("RESULT mode=load conns=%d established=%d "
			       "size=%zu window=%d seconds=%.3f msgs=%llu "
			       "msgs_total=%llu msgs_per_s=%.0f p50_us=%.1f "
			       "p99_us=%.1f p999_us=%.1f max_us=%.1f "
			       "server_cpu_us=%.0f server_cpu_us_per_msg=%.3f "
			       "server_rss_kb=%ld server_hwm_kb=%ld "
			       "client_cpu_pct=%.0f closed_ok=%d tls=%d "
			       "tls_version=%s tls_cipher=%s deflate=%d "
			       "payload=%s extensions=%s wire_tx_per_msg=%.0f "
			       "wire_rx_per_msg=%.0f rx_uncompressed=%llu "
			       "errors=%llu",
			       nconns, st.established, opt.size, opt.window,
			       secs, (unsigned long long)st.received_in_window,
			       (unsigned long long)st.received, rate,
			       hist_quantile_us(0.50), hist_quantile_us(0.99),
			       hist_quantile_us(0.999),
			       (double)hist.max / 1000.0, server_cpu, per_msg,
			       rss1, hwm,
			       wall > 0 ? client_cpu * 100 / wall : 0,
			       st.closed_ok, opt.tls, tls_version, tls_cipher,
			       opt.deflate, opt.json ? "json" : "random",
			       pmd_response,
			       st.sent ? (double)st.wire_tx / st.sent : 0,
			       st.received ? (double)st.wire_rx / st.received : 0,
			       (unsigned long long)st.rx_uncompressed,
			       (unsigned long long)total_errors());
		}
		/* The error breakdown ends the RESULT line, which ends it all. */
		printf(" err_connect=%llu err_handshake=%llu err_protocol=%llu "
		       "err_mismatch=%llu err_closed=%llu err_lost=%llu "
		       "err_timeout=%llu\n",
		       (unsigned long long)st.err_connect,
		       (unsigned long long)st.err_handshake,
		       (unsigned long long)st.err_protocol,
		       (unsigned long long)st.err_mismatch,
		       (unsigned long long)st.err_closed,
		       (unsigned long long)st.err_lost,
		       (unsigned long long)st.err_timeout);
	}

	return total_errors() ? 1 : 0;
}
