/*
 * A crowd of clients each send part of a large frame, so the server keeps
 * a receive chunk for each; then the crowd leaves while one client that
 * came last stays connected, its own chunk above theirs in the heap. The
 * crowd's chunks are now free memory in the middle of the C heap, which
 * glibc does not give back by itself. Within a few seconds of service the
 * server must have returned it: this process's RSS (the process is the
 * server) falls back near what it was before the crowd came.
 */
#include "serverkit.h"

#define CROWD 128
#define FRAME_LEN 60000
#define SENT 40000
#define MiB (1024L * 1024L)

static int established, closed;

static int quiet_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		    enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)context; (void)wsi; (void)user; (void)in; (void)len;
	if (reason == LWS_CALLBACK_ESTABLISHED)
		established++;
	if (reason == LWS_CALLBACK_CLOSED)
		closed++;
	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	{ "http-only", kit_no_http, 0, 0, 0, NULL, NULL, 0 },
	{ "big", quiet_cb, 0, 65536, 0, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

/* Opens a WebSocket and sends the header and first SENT bytes of a
 * FRAME_LEN-byte binary frame; returns the fd or -1. */
static int open_with_partial_frame(int port)
{
	static unsigned char frame[10 + SENT];
	int fd = kit_ws_open(port, "big");

	if (fd < 0)
		return -1;
	frame[0] = 0x82;
	frame[1] = 0x80 | 126;
	frame[2] = (unsigned char)(FRAME_LEN >> 8);
	frame[3] = (unsigned char)FRAME_LEN;
	memset(frame + 4, 0x5a, 4 + SENT);  /* key, then the masked payload */
	if (kit_send(fd, frame, 8 + SENT)) {
		close(fd);
		return -1;
	}
	return fd;
}

int main(void)
{
	int crowd[CROWD], last, port, i, opened = 0;
	long before, full, after = 0;
	double until;

	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
	port = kit_serve(protocols);
	CHECK(port > 0);
	if (port <= 0)
		return unit_finish("heap-trim");

	kit_pump(50);
	before = kit_rss_bytes();
	for (i = 0; i < CROWD; i++) {
		crowd[i] = open_with_partial_frame(port);
		opened += crowd[i] >= 0;
		kit_pump(5);
	}
	last = open_with_partial_frame(port);
	CHECK_INT(opened, CROWD);
	CHECK(last >= 0);
	kit_until_count(&established, CROWD + 1, 5000);
	kit_pump(200);
	full = kit_rss_bytes();
	/* The chunks are there: 128 of them, 40,000 bytes written into each. */
	CHECK(full - before > 2 * MiB);

	for (i = 0; i < CROWD; i++)
		if (crowd[i] >= 0)
			close(crowd[i]);
	until = kit_now_ms() + 10000;
	while (kit_now_ms() < until) {
		kit_pump(50);
		after = kit_rss_bytes();
		if (closed >= CROWD && after - before < (full - before) / 2)
			break;
	}
	CHECK_INT(closed, CROWD);
	/* What may stay: the last client's chunk and the spare blocks the
	 * context keeps (at most 1 MiB), not the bulk of the crowd's. */
	fprintf(stderr, "heap-trim: RSS %ld KiB before the crowd, %ld with it, %ld after it left\n",
		before / 1024, full / 1024, after / 1024);
	CHECK(after - before < (full - before) / 2);

	close(last);
	kit_destroy();
	return unit_finish("heap-trim");
}
