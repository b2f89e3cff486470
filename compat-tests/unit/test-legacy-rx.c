/*
 * What 1.4 programs rely on at RECEIVE, beyond the API text:
 *
 *  - libwebsocket_rx_flow_control(wsi, 0) inside RECEIVE stops RECEIVE at
 *    once, also for the rest of a frame already read from the socket; the
 *    rest arrives, in order and intact, once the application turns the
 *    flow on again (here from WRITEABLE, as 1.4's mirror protocol does:
 *    its ring buffer overflowed when more chunks kept coming);
 *  - the data handed to RECEIVE is NUL-terminated (1.4's test server does
 *    strcmp(in, "reset\n")), whether it sits in the middle of a read, at
 *    its end, or was put together from several reads, and the byte used
 *    for the NUL is given back (the next frame arrives intact).
 *
 * Both run once with libwebsocket_service and once with an external poll
 * loop; flow control also with permessage-deflate, whose inflated output
 * must pause and resume the same way (including the message's last piece,
 * which waits for the end of the frame).
 */
#include <zlib.h>

#include "serverkit.h"

#define RX_SIZE 128
#define BIG 5000
#define RECORD_MAX (2 * BIG + 64)

static unsigned char received[RECORD_MAX];
static size_t received_len;
static int receives, receives_while_paused, unterminated, paused, resumed;
static int reset_seen, writeables;
static int flow_control_on_receive;
static struct libwebsocket *the_wsi;

static int rx_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		 enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)user;
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		the_wsi = wsi;
		break;
	case LWS_CALLBACK_RECEIVE:
		receives++;
		if (paused)
			receives_while_paused++;
		if (((const char *)in)[len] != '\0')
			unterminated++;
		if (!strcmp((const char *)in, "reset\n"))
			reset_seen++;
		if (received_len + len <= RECORD_MAX) {
			memcpy(received + received_len, in, len);
			received_len += len;
		}
		if (flow_control_on_receive) {
			/* The mirror pattern: stop taking input, resume from WRITEABLE. */
			paused = 1;
			libwebsocket_rx_flow_control(wsi, 0);
			libwebsocket_callback_on_writable(context, wsi);
		}
		break;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		writeables++;
		if (paused) {
			paused = 0;
			resumed++;
			libwebsocket_rx_flow_control(wsi, 1);
		}
		break;
	default:
		break;
	}
	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	{ "http-only", kit_no_http_polled, 0, 0, 0, NULL, NULL, 0 },
	{ "rx", rx_cb, 0, RX_SIZE, 0, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 }
};

static void reset_state(void)
{
	received_len = 0;
	receives = receives_while_paused = unterminated = paused = resumed = 0;
	reset_seen = writeables = 0;
	the_wsi = NULL;
}

static int open_server(int extpoll)
{
	struct lws_context_creation_info info;

	kit_server_info(&info, protocols);
	info.extensions = libwebsocket_get_internal_extensions();
	kit_use_extpoll(extpoll);
	return kit_listen(&info);
}

/* One wire frame as kit_send_frame would send it, into out; returns its size. */
static size_t masked_frame(unsigned char *out, unsigned char first, const unsigned char *payload, size_t len)
{
	static const unsigned char mask[4] = { 1, 2, 3, 4 };
	size_t h = 0, i;

	out[h++] = first;
	if (len < 126) {
		out[h++] = (unsigned char)(0x80 | len);
	} else {
		out[h++] = 0x80 | 126;
		out[h++] = (unsigned char)(len >> 8);
		out[h++] = (unsigned char)len;
	}
	memcpy(out + h, mask, 4);
	h += 4;
	for (i = 0; i < len; i++)
		out[h + i] = payload[i] ^ mask[i & 3];
	return h + len;
}

/*
 * A permessage-deflate message: raw DEFLATE, sync-flushed, its final
 * 00 00 ff ff cut off (RFC 7692 7.2.1); z keeps the window between messages.
 */
static size_t deflate_message(z_stream *z, const unsigned char *in, size_t len,
			      unsigned char *out, size_t cap)
{
	z->next_in = (unsigned char *)in;
	z->avail_in = (uInt)len;
	z->next_out = out;
	z->avail_out = (uInt)cap;
	if (deflate(z, Z_SYNC_FLUSH) != Z_OK || z->avail_in)
		return 0;
	return cap - z->avail_out - 4;
}

static void test_flow_control_mid_frame(int extpoll, int compressed)
{
	static unsigned char big[BIG], wire[BIG + 64 + 32], packed[BIG + 64];
	static const unsigned char tail[] = "after the big one";
	unsigned char first = compressed ? 0xc2 : 0x82;	/* RSV1: compressed */
	size_t n = 0, i, m;
	int port, fd, pumps;
	z_stream z;

	reset_state();
	flow_control_on_receive = 1;
	port = open_server(extpoll);
	CHECK(port > 0);
	fd = kit_connect(port);
	CHECK(fd >= 0);
	if (fd < 0 || kit_upgrade(fd, "rx", compressed ? "Sec-WebSocket-Extensions: permessage-deflate\r\n" : NULL) != 101) {
		CHECK(0);
		kit_destroy();
		return;
	}
	for (i = 0; i < BIG; i++)
		big[i] = (unsigned char)(i * 7 + (i >> 8));
	memset(&z, 0, sizeof(z));
	CHECK_INT(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	/*
	 * The big frame alone first: all of it must arrive although nothing
	 * follows it (its last piece must not wait for more input).
	 */
	if (compressed) {
		m = deflate_message(&z, big, BIG, packed, sizeof(packed));
		CHECK(m > 0);
		n = masked_frame(wire, first, packed, m);
	} else {
		n = masked_frame(wire, first, big, BIG);
	}
	CHECK_INT(kit_send(fd, wire, n), 0);
	for (pumps = 0; pumps < 20000 && (paused || received_len < BIG); pumps++)
		kit_pump(10);
	CHECK_INT((int)received_len, BIG);
	/* Then two frames in one send: the server reads them in one go. */
	n = 0;
	if (compressed) {
		m = deflate_message(&z, big, BIG, packed, sizeof(packed));
		CHECK(m > 0);
		n += masked_frame(wire + n, first, packed, m);
		m = deflate_message(&z, tail, sizeof(tail) - 1, packed, sizeof(packed));
		CHECK(m > 0);
		n += masked_frame(wire + n, first, packed, m);
	} else {
		n += masked_frame(wire + n, first, big, BIG);
		n += masked_frame(wire + n, first, tail, sizeof(tail) - 1);
	}
	deflateEnd(&z);
	CHECK_INT(kit_send(fd, wire, n), 0);

	for (pumps = 0; pumps < 20000 && (paused || received_len < 2 * BIG + sizeof(tail) - 1); pumps++)
		kit_pump(10);

	/* 40 pieces of 5000 bytes at 128 each, twice, then the last frame. */
	CHECK_INT((int)received_len, 2 * BIG + (int)sizeof(tail) - 1);
	CHECK_INT(receives, 2 * ((BIG + RX_SIZE - 1) / RX_SIZE) + 1);
	CHECK_INT(receives_while_paused, 0);
	CHECK_INT(resumed, receives);
	CHECK(received_len >= BIG && !memcmp(received, big, BIG));
	CHECK(received_len >= 2 * BIG && !memcmp(received + BIG, big, BIG));
	CHECK(received_len == 2 * BIG + sizeof(tail) - 1 &&
	      !memcmp(received + 2 * BIG, tail, sizeof(tail) - 1));
	CHECK_INT(unterminated, 0);
	close(fd);
	kit_destroy();
	flow_control_on_receive = 0;
}

static void test_nul_terminated(int extpoll)
{
	static const unsigned char reset[] = "reset\n", next[] = "ABCDEFGH";
	unsigned char wire[256], split[RX_SIZE + 64], text[RX_SIZE - 3];
	size_t n = 0, h;
	int port, fd;

	reset_state();
	port = open_server(extpoll);
	CHECK(port > 0);
	fd = kit_ws_open(port, "rx");
	CHECK(fd >= 0);
	if (fd < 0) {
		kit_destroy();
		return;
	}
	/*
	 * "reset\n" in the middle of a read (the next frame's first byte
	 * follows it in memory), then a frame that ends the read.
	 */
	n += masked_frame(wire + n, 0x81, reset, sizeof(reset) - 1);
	n += masked_frame(wire + n, 0x82, next, sizeof(next) - 1);
	CHECK_INT(kit_send(fd, wire, n), 0);
	kit_until_count(&receives, 2, 3000);
	CHECK_INT(receives, 2);
	CHECK_INT(reset_seen, 1);
	CHECK_INT((int)received_len, 6 + 8);
	CHECK(!memcmp(received, "reset\nABCDEFGH", 14));

	/* A message put together from two reads (the library's own chunk). */
	memset(text, 'x', sizeof(text));
	h = masked_frame(split, 0x81, text, sizeof(text));
	CHECK_INT(kit_send(fd, split, h / 2), 0);
	kit_pump(50);
	kit_pump(50);
	CHECK_INT(kit_send(fd, split + h / 2, h - h / 2), 0);
	kit_until_count(&receives, 3, 3000);
	CHECK_INT(receives, 3);
	CHECK_INT((int)received_len, 14 + (int)sizeof(text));
	CHECK_INT(unterminated, 0);
	close(fd);
	kit_destroy();
}

int main(void)
{
	int extpoll;

	lws_set_log_level(LLL_ERR, NULL);
	for (extpoll = 0; extpoll < 2; extpoll++) {
		test_flow_control_mid_frame(extpoll, 0);
		test_flow_control_mid_frame(extpoll, 1);
		test_nul_terminated(extpoll);
	}
	return unit_finish("test-legacy-rx");
}
