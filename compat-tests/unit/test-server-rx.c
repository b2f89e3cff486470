/*
 * Established server connections, observed from their callbacks:
 *
 *  - per_session_data: zeroed before ESTABLISHED, the same pointer (and
 *    what the application stored in it) in every callback through CLOSED;
 *  - RECEIVE in chunks of at most rx_buffer_size (4096 when 0), with
 *    libwebsockets_remaining_packet_payload counting down,
 *    libwebsocket_is_final_fragment only on the last chunk of the last
 *    fragment, lws_frame_is_binary right;
 *  - the paddings around RECEIVE's in are the application's: a reply
 *    written from in itself, after scribbling over both paddings, goes
 *    out intact, and a frame that followed in the same read still
 *    decodes;
 *  - a callback returning non-zero closes that connection once the
 *    callback has returned (what it wrote first still goes out), the
 *    others carry on;
 *  - lws_partial_buffered / lws_send_pipe_choked truthful around a 64 MiB
 *    write to a client that does not read, and WRITEABLE only once all of
 *    it has gone; choked answers without a poll(2) (an application asking
 *    before every message must not pay a syscall per message);
 *  - libwebsocket_set_timeout closes after about secs for every
 *    pending_timeout reason; re-arming replaces, NO_PENDING_TIMEOUT
 *    cancels.
 */
#define _GNU_SOURCE
#include <dlfcn.h>

#include "serverkit.h"

#define PSS 256
#define MAX_CONNS 32

struct session {
	unsigned char bytes[PSS];
};

struct chunk {
	size_t len;
	size_t remaining;
	int final, binary;
};

#define MAX_CHUNKS 64

static struct {
	struct libwebsocket *wsi;
	void *pss;
	int zeroed_at_established, pss_changed, pss_corrupt;
	int closed, receives;
	double closed_at;
	struct chunk chunks[MAX_CHUNKS];
	int nchunks;
} conns[MAX_CONNS];
static int established, closed_total;

/* What the next ESTABLISHED does: arm a timeout with these. */
static int arm_reason = -1, arm_secs;

/* The flood: measured inside the callbacks. */
#define FLOOD (64 * 1024 * 1024)
static unsigned char *flood_buffer;
static struct {
	int partial_before, choked_before, written, partial_after, choked_after;
	int writeable, partial_at_writeable, choked_at_writeable;
} flood;
static long long client_bytes_read;

/*
 * poll() as the library sees it: counts the calls made from inside
 * lws_send_pipe_choked (the test's own loop polls too, outside that window).
 */
static int in_choked, polls_in_choked;

int poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	static int (*real_poll)(struct pollfd *, nfds_t, int);

	if (in_choked)
		polls_in_choked++;
	if (!real_poll)
		real_poll = (int (*)(struct pollfd *, nfds_t, int))dlsym(RTLD_NEXT, "poll");
	return real_poll(fds, nfds, timeout);
}

static int choked(struct libwebsocket *wsi)
{
	int n;

	in_choked = 1;
	n = lws_send_pipe_choked(wsi);
	in_choked = 0;
	return n;
}

static int index_of(struct libwebsocket *wsi)
{
	int i;

	for (i = 0; i < established && i < MAX_CONNS; i++)
		if (conns[i].wsi == wsi && !conns[i].closed)
			return i;
	return -1;
}

static int is_marked(const unsigned char *p, int index)
{
	int i;

	for (i = 0; i < PSS; i++)
		if (p[i] != (unsigned char)(index + i))
			return 0;
	return 1;
}

static int rx_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		 enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	unsigned char *pss = (unsigned char *)user;
	unsigned char out[LWS_SEND_BUFFER_PRE_PADDING + 16 + LWS_SEND_BUFFER_POST_PADDING];
	int i, c;

	if (reason == LWS_CALLBACK_ESTABLISHED) {
		c = established++;
		if (c >= MAX_CONNS)
			return -1;
		conns[c].wsi = wsi;
		conns[c].pss = user;
		conns[c].zeroed_at_established = 1;
		for (i = 0; i < PSS; i++)
			if (pss[i])
				conns[c].zeroed_at_established = 0;
		/* Marked so later callbacks can tell it was not touched. */
		for (i = 0; i < PSS; i++)
			pss[i] = (unsigned char)(c + i);
		if (arm_reason >= 0)
			libwebsocket_set_timeout(wsi, (enum pending_timeout)arm_reason, arm_secs);
		return 0;
	}
	c = index_of(wsi);
	if (c < 0)
		return 0;
	if (user != conns[c].pss)
		conns[c].pss_changed++;
	else if (!is_marked(pss, c))
		conns[c].pss_corrupt++;

	switch (reason) {
	case LWS_CALLBACK_RECEIVE:
		conns[c].receives++;
		if (conns[c].nchunks < MAX_CHUNKS) {
			struct chunk *k = &conns[c].chunks[conns[c].nchunks++];

			k->len = len;
			k->remaining = libwebsockets_remaining_packet_payload(wsi);
			k->final = libwebsocket_is_final_fragment(wsi);
			k->binary = lws_frame_is_binary(wsi);
		}
		if (len == 3 && !memcmp(in, "die", 3)) {
			/* Written, then the connection closes after we return. */
			memcpy(out + LWS_SEND_BUFFER_PRE_PADDING, "last", 4);
			libwebsocket_write(wsi, out + LWS_SEND_BUFFER_PRE_PADDING, 4, LWS_WRITE_TEXT);
			return 1;
		}
		if (len == 4 && !memcmp(in, "wdie", 4)) {
			libwebsocket_callback_on_writable(context, wsi);
			break;
		}
		if (len >= 7 && !memcmp(in, "inplace", 7)) {
			unsigned char *p = in;

			memset(p - LWS_SEND_BUFFER_PRE_PADDING, 0xAA, LWS_SEND_BUFFER_PRE_PADDING);
			memset(p + len, 0xBB, LWS_SEND_BUFFER_POST_PADDING);
			libwebsocket_write(wsi, p, len, LWS_WRITE_TEXT);
			break;
		}
		if (len == 4 && !memcmp(in, "echo", 4)) {
			memcpy(out + LWS_SEND_BUFFER_PRE_PADDING, "echo", 4);
			libwebsocket_write(wsi, out + LWS_SEND_BUFFER_PRE_PADDING, 4, LWS_WRITE_TEXT);
			break;
		}
		if (len == 5 && !memcmp(in, "flood", 5)) {
			flood.partial_before = lws_partial_buffered(wsi);
			flood.choked_before = choked(wsi);
			flood.written = libwebsocket_write(wsi, flood_buffer + LWS_SEND_BUFFER_PRE_PADDING,
							   FLOOD, LWS_WRITE_BINARY);
			flood.partial_after = lws_partial_buffered(wsi);
			flood.choked_after = choked(wsi);
			libwebsocket_callback_on_writable(context, wsi);
		}
		break;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (flood.written && !flood.writeable) {
			flood.writeable++;
			flood.partial_at_writeable = lws_partial_buffered(wsi);
			flood.choked_at_writeable = choked(wsi);
			break;
		}
		/* "wdie": WRITEABLE returning non-zero closes too. */
		return 1;
	case LWS_CALLBACK_CLOSED:
		conns[c].closed = 1;
		conns[c].closed_at = kit_now_ms();
		closed_total++;
		break;
	default:
		break;
	}
	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	{ "http-only", unit_noop_callback, 0, 0, 0, NULL, NULL, 0 },
	{ "small", rx_cb, PSS, 100, 0, NULL, NULL, 0 },
	{ "default", rx_cb, PSS, 0, 0, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

static int start(void)
{
	struct lws_context_creation_info info;

	kit_server_info(&info, protocols);
	memset(conns, 0, sizeof(conns));
	established = closed_total = 0;
	return kit_listen(&info);
}

static void check_sessions(void)
{
	int i, zeroed = 0, changed = 0, corrupt = 0;

	for (i = 0; i < established && i < MAX_CONNS; i++) {
		zeroed += conns[i].zeroed_at_established;
		changed += conns[i].pss_changed;
		corrupt += conns[i].pss_corrupt;
	}
	CHECK_INT(zeroed, established);
	CHECK_INT(changed, 0);
	CHECK_INT(corrupt, 0);
}

/* Pumps until conns[c] received n chunks. */
static int until_chunks(int c, int n)
{
	return kit_until_count(&conns[c].nchunks, n, 3000);
}

static void test_chunks(void)
{
	static unsigned char message[10000];
	int port = start(), small, dflt, i, ok, max;
	size_t sum;

	CHECK(port > 0);
	if (port <= 0)
		return;
	for (i = 0; i < (int)sizeof(message); i++)
		message[i] = (unsigned char)('A' + i % 26);
	small = kit_ws_open(port, "small");
	CHECK(kit_until_count(&established, 1, 3000));
	dflt = kit_ws_open(port, "default");
	CHECK(kit_until_count(&established, 2, 3000));
	CHECK(small >= 0 && dflt >= 0);

	/* rx_buffer_size 100: 1000 bytes as 10 chunks of <= 100. */
	CHECK(!kit_send_frame(small, 0x82, message, 1000));
	CHECK(until_chunks(0, 10));
	kit_pump(20);
	CHECK_INT(conns[0].nchunks, 10);
	sum = 0;
	ok = 1;
	for (i = 0; i < conns[0].nchunks; i++) {
		struct chunk *k = &conns[0].chunks[i];

		sum += k->len;
		if (k->len > 100 || k->remaining != 1000 - sum || !k->binary ||
		    k->final != (i == conns[0].nchunks - 1))
			ok = 0;
	}
	CHECK(ok);
	CHECK_INT(sum, 1000);

	/* Text, fragmented: 150 + 150. Final only at the very end;
	 * remaining counts down per frame. */
	conns[0].nchunks = 0;
	CHECK(!kit_send_frame(small, 0x01, message, 150));
	CHECK(!kit_send_frame(small, 0x80, message + 150, 150));
	CHECK(until_chunks(0, 4));
	kit_pump(20);
	CHECK_INT(conns[0].nchunks, 4);
	{
		static const size_t remaining[4] = { 50, 0, 50, 0 };

		ok = 1;
		for (i = 0; i < 4; i++) {
			struct chunk *k = &conns[0].chunks[i];

			if (k->len != (i & 1 ? 50 : 100) || k->remaining != remaining[i] ||
			    k->binary || k->final != (i == 3))
				ok = 0;
		}
		CHECK(ok);
	}

	/* A small message: one chunk, final, remaining 0. */
	conns[0].nchunks = 0;
	CHECK(!kit_send_frame(small, 0x81, "hi", 2));
	CHECK(until_chunks(0, 1));
	CHECK_INT(conns[0].chunks[0].len, 2);
	CHECK_INT(conns[0].chunks[0].remaining, 0);
	CHECK_INT(conns[0].chunks[0].final, 1);
	CHECK_INT(conns[0].chunks[0].binary, 0);

	/* rx_buffer_size 0 means 4096: 10000 bytes sent at once arrive as
	 * 4096 + 4096 + 1808. */
	CHECK(!kit_send_frame(dflt, 0x82, message, 10000));
	CHECK(until_chunks(1, 3));
	kit_pump(20);
	CHECK_INT(conns[1].nchunks, 3);
	sum = 0;
	max = 0;
	ok = 1;
	for (i = 0; i < conns[1].nchunks; i++) {
		struct chunk *k = &conns[1].chunks[i];

		sum += k->len;
		if ((int)k->len > max)
			max = (int)k->len;
		if (k->remaining != 10000 - sum || k->final != (i == conns[1].nchunks - 1))
			ok = 0;
	}
	CHECK(ok);
	CHECK_INT(sum, 10000);
	CHECK_INT(max, 4096);

	check_sessions();
	close(small);
	close(dflt);
	CHECK(kit_until_count(&closed_total, 2, 3000));
	check_sessions();
	kit_destroy();
}

static void test_in_place(void)
{
	static const char *const messages[2] = { "inplace one", "inplace two, right behind" };
	unsigned char wire[128], first, buf[64];
	int port = start(), fd, i;
	size_t n = 0;
	long got;

	CHECK(port > 0);
	if (port <= 0)
		return;
	fd = kit_ws_open(port, "default");
	CHECK(kit_until_count(&established, 1, 3000));
	/* Both frames in one send, so the second lies right after the first
	 * one's payload in the server's read. */
	for (i = 0; i < 2; i++)
		n += kit_put_frame(wire + n, 0x81, messages[i]);
	CHECK(!kit_send(fd, wire, n));
	for (i = 0; i < 2; i++) {
		got = kit_read_frame(fd, &first, buf, sizeof(buf), 3000);
		CHECK_INT(first, 0x81);
		CHECK_INT(got, (long)strlen(messages[i]));
		CHECK(got == (long)strlen(messages[i]) && !memcmp(buf, messages[i], (size_t)got));
	}
	CHECK_INT(conns[0].closed, 0);
	check_sessions();
	close(fd);
	CHECK(kit_until_count(&closed_total, 1, 3000));
	kit_destroy();
}

static void test_nonzero_return(void)
{
	int port = start(), fds[4], i;
	unsigned char first, buf[16];
	long n;

	CHECK(port > 0);
	if (port <= 0)
		return;
	for (i = 0; i < 4; i++) {
		fds[i] = kit_ws_open(port, "default");
		CHECK(kit_until_count(&established, i + 1, 3000));
	}

	/* RECEIVE returns 1 after writing: the write arrives, then the close
	 * (a close frame, then EOF). */
	CHECK(!kit_send_frame(fds[1], 0x81, "die", 3));
	n = kit_read_frame(fds[1], &first, buf, sizeof(buf), 3000);
	CHECK_INT(n, 4);
	CHECK_INT(first, 0x81);
	CHECK(n == 4 && !memcmp(buf, "last", 4));
	n = kit_read_frame(fds[1], &first, buf, sizeof(buf), 3000);
	CHECK_INT(first, 0x88);
	CHECK(kit_wait_eof(fds[1], 3000));
	CHECK_INT(conns[1].closed, 1);

	/* SERVER_WRITEABLE returns 1: closes too. */
	CHECK(!kit_send_frame(fds[2], 0x81, "wdie", 4));
	n = kit_read_frame(fds[2], &first, buf, sizeof(buf), 3000);
	CHECK_INT(first, 0x88);
	CHECK(kit_wait_eof(fds[2], 3000));
	CHECK_INT(conns[2].closed, 1);

	/* The others carry on. */
	for (i = 0; i < 4; i += 3) {
		CHECK(!kit_send_frame(fds[i], 0x81, "echo", 4));
		n = kit_read_frame(fds[i], &first, buf, sizeof(buf), 3000);
		CHECK_INT(n, 4);
		CHECK_INT(first, 0x81);
		CHECK_INT(conns[i].closed, 0);
	}
	CHECK_INT(closed_total, 2);
	check_sessions();
	kit_destroy();
	CHECK_INT(closed_total, 4);
	for (i = 0; i < 4; i++)
		close(fds[i]);
}

static void test_flood(void)
{
	int port = start(), fd, i, ok = 1;
	static unsigned char buf[1 << 16];
	unsigned char head[10];
	int sndbuf = 64 * 1024;

	CHECK(port > 0);
	if (port <= 0)
		return;
	for (i = 0; i < FLOOD; i += 4093)
		flood_buffer[LWS_SEND_BUFFER_PRE_PADDING + i] = (unsigned char)(i / 4093);
	memset(&flood, 0, sizeof(flood));
	client_bytes_read = 0;
	fd = kit_connect(port);
	/* A small receive window so the server's kernel buffers fill fast. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sndbuf, sizeof(sndbuf));
	CHECK_INT(kit_upgrade(fd, "default", NULL), 101);
	CHECK(kit_until(&established, 3000));

	CHECK(!kit_send_frame(fd, 0x81, "flood", 5));
	CHECK(kit_until(&flood.written, 5000));
	CHECK_INT(flood.written, FLOOD);
	CHECK_INT(flood.partial_before, 0);
	CHECK_INT(flood.choked_before, 0);
	CHECK_INT(flood.partial_after, 1);
	CHECK_INT(flood.choked_after, 1);
	/* The client does not read: no WRITEABLE however long we service. */
	for (i = 0; i < 20; i++)
		kit_pump(10);
	CHECK_INT(flood.writeable, 0);

	/* Now it drains, checking the frame. */
	CHECK_INT(kit_read_exact(fd, head, 10, 5000), 10);
	CHECK_INT(head[0], 0x82);
	CHECK_INT(head[1], 127);
	{
		unsigned long long len = 0;

		for (i = 2; i < 10; i++)
			len = (len << 8) | head[i];
		CHECK_INT(len, FLOOD);
	}
	while (client_bytes_read < FLOOD) {
		size_t want = FLOOD - client_bytes_read < (long long)sizeof(buf) ?
			      (size_t)(FLOOD - client_bytes_read) : sizeof(buf);
		size_t got = kit_read_exact(fd, buf, want, 5000), j;

		if (!got)
			break;
		for (j = 0; j < got; j++) {
			long long at = client_bytes_read + (long long)j;

			if (at % 4093 == 0 && buf[j] != (unsigned char)(at / 4093))
				ok = 0;
		}
		client_bytes_read += (long long)got;
	}
	CHECK(ok);
	CHECK_INT(client_bytes_read, FLOOD);
	CHECK(kit_until(&flood.writeable, 3000));
	CHECK_INT(flood.partial_at_writeable, 0);
	CHECK_INT(flood.choked_at_writeable, 0);
	CHECK_INT(polls_in_choked, 0);
	check_sessions();
	kit_destroy();
	close(fd);
}

static void test_timeouts(void)
{
	int port = start(), fds[16], n = 0, reason, i;
	double t0;

	CHECK(port > 0);
	if (port <= 0)
		return;
	/* Every reason, 1 s. */
	for (reason = PENDING_TIMEOUT_AWAITING_PROXY_RESPONSE;
	     reason <= PENDING_TIMEOUT_AWAITING_CLIENT_HS_SEND; reason++) {
		arm_reason = reason;
		arm_secs = 1;
		fds[n] = kit_ws_open(port, "default");
		CHECK(kit_until_count(&established, n + 1, 3000));
		n++;
	}
	t0 = kit_now_ms();
	/* 5 s re-armed to 1 s: the last one counts. */
	arm_reason = PENDING_TIMEOUT_AWAITING_PING;
	arm_secs = 5;
	fds[n] = kit_ws_open(port, "default");
	CHECK(kit_until_count(&established, n + 1, 3000));
	libwebsocket_set_timeout(conns[n].wsi, PENDING_TIMEOUT_CLOSE_ACK, 1);
	n++;
	/* Armed, then cancelled. */
	arm_reason = PENDING_TIMEOUT_AWAITING_PING;
	arm_secs = 1;
	fds[n] = kit_ws_open(port, "default");
	CHECK(kit_until_count(&established, n + 1, 3000));
	libwebsocket_set_timeout(conns[n].wsi, NO_PENDING_TIMEOUT, 0);
	n++;
	/* Never armed. */
	arm_reason = -1;
	fds[n] = kit_ws_open(port, "default");
	CHECK(kit_until_count(&established, n + 1, 3000));
	n++;

	CHECK(kit_until_count(&closed_total, n - 2, 3000));
	kit_pump(300);
	CHECK_INT(closed_total, n - 2);
	for (i = 0; i < n - 2; i++) {
		double after = conns[i].closed_at - t0;

		if (!conns[i].closed || after < 700 || after > 2300)
			fprintf(stderr, "connection %d: closed %d after %.0f ms\n", i,
				conns[i].closed, after);
		CHECK(conns[i].closed && after >= 700 && after <= 2300);
		CHECK(kit_wait_eof(fds[i], 2000));
	}
	CHECK_INT(conns[n - 2].closed, 0);
	CHECK_INT(conns[n - 1].closed, 0);
	/* The survivors still work. */
	for (i = n - 2; i < n; i++) {
		unsigned char first, buf[8];

		CHECK(!kit_send_frame(fds[i], 0x81, "echo", 4));
		CHECK_INT(kit_read_frame(fds[i], &first, buf, sizeof(buf), 3000), 4);
	}
	check_sessions();
	kit_destroy();
	for (i = 0; i < n; i++)
		close(fds[i]);
}

int main(void)
{
	lws_set_log_level(LLL_ERR, NULL);
	flood_buffer = calloc(1, LWS_SEND_BUFFER_PRE_PADDING + FLOOD + LWS_SEND_BUFFER_POST_PADDING);
	if (!flood_buffer)
		return 1;
	test_chunks();
	test_in_place();
	test_nonzero_return();
	test_flood();
	test_timeouts();
	free(flood_buffer);
	return unit_finish("test-server-rx");
}
