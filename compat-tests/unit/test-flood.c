/*
 * Clients that send without ever reading (a small receive buffer, so what
 * the server answers backs up at once), 300,000 frames each:
 *
 *  - pings: the pongs are coalesced (RFC 6455 5.5.3: only the latest
 *    ping needs its pong), so the server owes one pong, not one per ping;
 *  - text messages the server echoes: it stops reading the client once it
 *    owes it too much, so the client stalls instead of the server
 *    buffering every echo.
 *
 * Either way the server's memory stays bounded (measured as the RSS of
 * this process, which is the server), it does not spin, and another client
 * is served meanwhile. Once the flooder reads, the rest of its frames are
 * taken; the echoes all arrive, in order; the last pong answers the last
 * ping; and the close handshake completes.
 */
#include "serverkit.h"

#define FRAMES 300000
#define PAYLOAD 125
#define FRAME (6 + PAYLOAD)  /* masked, 7-bit length */
#define BATCH 1000

static int established, closed;

static int echo_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		   enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	unsigned char out[LWS_SEND_BUFFER_PRE_PADDING + 256 + LWS_SEND_BUFFER_POST_PADDING];

	(void)context; (void)user;
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		established++;
		break;
	case LWS_CALLBACK_RECEIVE:
		if (len <= 256) {
			memcpy(out + LWS_SEND_BUFFER_PRE_PADDING, in, len);
			libwebsocket_write(wsi, out + LWS_SEND_BUFFER_PRE_PADDING, len, LWS_WRITE_TEXT);
		}
		break;
	case LWS_CALLBACK_CLOSED:
		closed++;
		break;
	default:
		break;
	}
	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	{ "http-only", kit_no_http, 0, 0, 0, NULL, NULL, 0 },
	{ "echo", echo_cb, 0, 0, 0, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

/* The payload of frame i: its number, then padding. */
static void frame_payload(unsigned char *p, int i)
{
	memset(p, '.', PAYLOAD);
	snprintf((char *)p, PAYLOAD, "frame %08d", i);
	p[14] = '.';
}

/* The flooder's side: what it sent and what came back. */
static struct {
	int fd;
	unsigned char opcode;    /* 0x89 ping or 0x81 text */
	unsigned char frames[BATCH * FRAME];
	size_t batch_sent;       /* bytes of the current batch sent */
	int frames_sent;         /* whole frames sent */
	unsigned char in[1 << 16];
	size_t in_len;
	int pongs, echoes, echoes_in_order, close_seen, other_frames;
	unsigned char last_pong[PAYLOAD];
	size_t last_pong_len;
} flood;

/* BATCH masked frames, from frame first on. */
static void build_batch(int first)
{
	static const unsigned char mask[4] = { 0x11, 0x22, 0x33, 0x44 };
	unsigned char payload[PAYLOAD];
	int i, j;

	for (i = 0; i < BATCH; i++) {
		unsigned char *f = flood.frames + (size_t)i * FRAME;

		frame_payload(payload, first + i);
		f[0] = flood.opcode;
		f[1] = 0x80 | PAYLOAD;
		memcpy(f + 2, mask, 4);
		for (j = 0; j < PAYLOAD; j++)
			f[6 + j] = payload[j] ^ mask[j & 3];
	}
}

/* Sends what the socket takes without blocking; returns bytes sent. */
static size_t send_some(void)
{
	size_t total = 0;

	while (flood.frames_sent < FRAMES) {
		size_t batch_bytes = (size_t)BATCH * FRAME;
		ssize_t n;

		if (flood.batch_sent == 0)
			build_batch(flood.frames_sent);
		n = send(flood.fd, flood.frames + flood.batch_sent, batch_bytes - flood.batch_sent,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n <= 0)
			break;
		total += (size_t)n;
		flood.batch_sent += (size_t)n;
		if (flood.batch_sent == batch_bytes) {
			flood.batch_sent = 0;
			flood.frames_sent += BATCH;
		}
	}
	return total;
}

static void take_frame(unsigned char opcode, const unsigned char *payload, size_t len)
{
	unsigned char expected[PAYLOAD];

	switch (opcode) {
	case 0xa:
		flood.pongs++;
		memcpy(flood.last_pong, payload, len < PAYLOAD ? len : PAYLOAD);
		flood.last_pong_len = len;
		break;
	case 0x1:
		frame_payload(expected, flood.echoes++);
		if (len == PAYLOAD && !memcmp(payload, expected, PAYLOAD))
			flood.echoes_in_order++;
		break;
	case 0x8:
		flood.close_seen = 1;
		break;
	default:
		flood.other_frames++;
		break;
	}
}

/* Reads what has arrived and parses the server's (unmasked) frames;
 * -1 at the end of the stream. */
static int read_some(void)
{
	ssize_t n = recv(flood.fd, flood.in + flood.in_len, sizeof(flood.in) - flood.in_len, MSG_DONTWAIT);
	size_t at = 0;

	if (n == 0)
		return -1;
	if (n > 0)
		flood.in_len += (size_t)n;
	for (;;) {
		size_t head = 2, len;

		if (flood.in_len - at < 2)
			break;
		len = flood.in[at + 1] & 0x7f;
		if (len == 126) {
			if (flood.in_len - at < 4)
				break;
			len = (size_t)flood.in[at + 2] << 8 | flood.in[at + 3];
			head = 4;
		}
		if (flood.in_len - at < head + len)
			break;
		take_frame(flood.in[at] & 0x0f, flood.in + at + head, len);
		at += head + len;
	}
	memmove(flood.in, flood.in + at, flood.in_len - at);
	flood.in_len -= at;
	return 0;
}

/* Another client, served while the flooder is held. */
static void check_other_client(int port)
{
	unsigned char first, buf[64];
	int fd = kit_ws_open(port, "echo");

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(!kit_send_frame(fd, 0x89, "hi", 2));
	CHECK_INT(kit_read_frame(fd, &first, buf, sizeof(buf), 3000), 2);
	CHECK_INT(first, 0x8a);
	CHECK(!kit_send_frame(fd, 0x81, "hello", 5));
	CHECK_INT(kit_read_frame(fd, &first, buf, sizeof(buf), 3000), 5);
	CHECK_INT(first, 0x81);
	CHECK(!memcmp(buf, "hello", 5));
	close(fd);
}

/* Connects with a small receive buffer and upgrades. */
static int connect_flooder(int port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0), rcvbuf = 4096;

	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) || kit_upgrade(fd, "echo", NULL) != 101) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Floods until everything is sent or the server stops taking it (for two
 * seconds); returns the RSS the server grew by meanwhile. */
static long flood_until_stalled(void)
{
	long before;
	double idle_since;

	build_batch(0);
	kit_pump(10);
	before = kit_rss_bytes();
	idle_since = kit_now_ms();
	while (flood.frames_sent < FRAMES && kit_now_ms() - idle_since < 2000) {
		if (send_some())
			idle_since = kit_now_ms();
		kit_pump(5);
	}
	/* What arrived is processed before measuring. */
	for (idle_since = kit_now_ms(); kit_now_ms() - idle_since < 500;)
		kit_pump(10);
	return kit_rss_bytes() - before;
}

/* The flooder reads at last and sends the rest, then closes. */
static void read_rest_and_close(void)
{
	static const unsigned char close_frame[] = { 0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8 };
	size_t close_sent = 0;
	double end = kit_now_ms() + 60000;

	while (!flood.close_seen && kit_now_ms() < end) {
		send_some();
		if (flood.frames_sent == FRAMES && close_sent < sizeof(close_frame)) {
			ssize_t n = send(flood.fd, close_frame + close_sent, sizeof(close_frame) - close_sent,
					 MSG_DONTWAIT | MSG_NOSIGNAL);

			if (n > 0)
				close_sent += (size_t)n;
		}
		if (read_some())
			break;
		kit_pump(1);
	}
	CHECK_INT(flood.frames_sent, FRAMES);
	CHECK(flood.close_seen);
	CHECK_INT(flood.other_frames, 0);
	CHECK(kit_wait_eof(flood.fd, 3000));
	CHECK(kit_until(&closed, 3000));
}

static void test_flood(unsigned char opcode, const char *what)
{
	unsigned char expected[PAYLOAD];
	int port, sent_unread;
	long growth;

	port = kit_serve(protocols);
	CHECK(port > 0);
	if (port <= 0)
		return;
	memset(&flood, 0, sizeof(flood));
	established = closed = 0;
	flood.opcode = opcode;
	flood.fd = connect_flooder(port);
	CHECK(flood.fd >= 0);
	CHECK(kit_until(&established, 3000));

	growth = flood_until_stalled();
	sent_unread = flood.frames_sent;
	printf("%s: %d of %d sent without reading, server RSS grew %ld KiB\n",
	       what, sent_unread, FRAMES, growth / 1024);
	CHECK(growth < 20L * 1024 * 1024);
	CHECK_INT(closed, 0);
	CHECK(kit_service_returns("  then, held", 1000) < KIT_QUIET(1000));
	check_other_client(port);

	read_rest_and_close();
	printf("  then %d pongs, %d echoes (%d in order)\n", flood.pongs, flood.echoes, flood.echoes_in_order);
	if (opcode == 0x89) {
		CHECK(flood.pongs > 0);
		CHECK(flood.pongs < FRAMES / 10);
		frame_payload(expected, FRAMES - 1);
		CHECK_INT(flood.last_pong_len, PAYLOAD);
		CHECK(!memcmp(flood.last_pong, expected, PAYLOAD));
	} else {
		/* The server stopped reading: the flood stalled. */
		CHECK(sent_unread < FRAMES);
		CHECK_INT(flood.echoes, FRAMES);
		CHECK_INT(flood.echoes_in_order, FRAMES);
	}
	close(flood.fd);
	kit_destroy();
}

int main(void)
{
	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
	test_flood(0x89, "pings");
	test_flood(0x81, "echoed messages");
	return unit_finish("flood");
}
