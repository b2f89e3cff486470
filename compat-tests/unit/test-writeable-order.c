/*
 * When WRITEABLE comes, as 1.4 programs depend on it.
 *
 * The producer below sends the way 1.4-era brokers (mosquitto's websockets
 * listener among them) send: data is released in RECEIVE (an acknowledgement
 * frees a slot) without asking for a writable callback; WRITEABLE sends what
 * is ready and asks again only if it sent something; a WRITEABLE that finds
 * nothing ready does not ask again. That works because 1.4 delivered a
 * writable request on a later poll round, after the input already waiting
 * had been read: between a WRITEABLE and the one it asked for there is
 * always a round of input, which releases the next messages. A library that
 * delivers the second WRITEABLE before reading stalls the producer for good.
 *
 * Server and raw clients run in lock step in one thread (one service call,
 * then every client reads what arrived and answers it), so the test
 * needs no timing: it counts messages, with a bound on service calls that
 * only catches a stall. Run with libwebsocket_service and with an external
 * poll loop, one and several clients.
 */
#define _GNU_SOURCE /* memmem */
#include "serverkit.h"

#define TOTAL 64
#define BATCH 4
#define CLIENTS 8

struct producer {
	int released, ready, sent;
};

static void release(struct producer *p, int n)
{
	if (n > TOTAL - p->released)
		n = TOTAL - p->released;
	p->released += n;
	p->ready += n;
}

static int producer_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		       enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	struct producer *p = (struct producer *)user;
	unsigned char buf[LWS_SEND_BUFFER_PRE_PADDING + 16 + LWS_SEND_BUFFER_POST_PADDING];
	int n, sent = 0;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		release(p, BATCH);
		libwebsocket_callback_on_writable(context, wsi);
		break;
	case LWS_CALLBACK_RECEIVE:
		/* "hello" releases a batch, each "ack" one more: no request. */
		release(p, len == 5 && !memcmp(in, "hello", 5) ? BATCH : 1);
		break;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		while (p->ready && !lws_send_pipe_choked(wsi)) {
			n = sprintf((char *)buf + LWS_SEND_BUFFER_PRE_PADDING, "m%d", p->sent);
			if (libwebsocket_write(wsi, buf + LWS_SEND_BUFFER_PRE_PADDING, (size_t)n,
					       LWS_WRITE_BINARY) < 0)
				return -1;
			p->sent++;
			p->ready--;
			sent++;
		}
		if (sent)
			libwebsocket_callback_on_writable(context, wsi);
		break;
	default:
		break;
	}
	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	{ "http-only", kit_no_http_polled, 0, 0, 0, NULL, NULL, 0 },
	{ "producer", producer_cb, sizeof(struct producer), 0, 0, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 }
};

struct client {
	int fd, upgraded, received;
	unsigned char in[4096];
	size_t len;
};

/*
 * Reads what the server sent so far: the 101 (then says "hello"), and data
 * messages, each acknowledged.
 */
static void client_step(struct client *c)
{
	ssize_t n;
	size_t used = 0, plen;
	unsigned char *end;

	while ((n = recv(c->fd, c->in + c->len, sizeof(c->in) - c->len, MSG_DONTWAIT)) > 0)
		c->len += (size_t)n;
	if (!c->upgraded) {
		end = memmem(c->in, c->len, "\r\n\r\n", 4);
		if (!end)
			return;
		CHECK(!memcmp(c->in, "HTTP/1.1 101", 12));
		used = (size_t)(end + 4 - c->in);
		c->upgraded = 1;
		kit_send_frame(c->fd, 0x82, "hello", 5);
	}
	while (c->len - used >= 2) {
		plen = c->in[used + 1] & 0x7f;
		if (plen > 125 || c->len - used < 2 + plen)
			break;
		if ((c->in[used] & 0x0f) == 2) {
			c->received++;
			kit_send_frame(c->fd, 0x82, "ack", 3);
		}
		used += 2 + plen;
	}
	memmove(c->in, c->in + used, c->len - used);
	c->len -= used;
}

static void run(int extpoll, int clients)
{
	struct client c[CLIENTS];
	int port, i, calls, received = 0;

	kit_use_extpoll(extpoll);
	port = kit_serve(protocols);
	CHECK(port > 0);
	if (port <= 0)
		return;
	memset(c, 0, sizeof(c));
	/* Every handshake is read by the first service call. */
	for (i = 0; i < clients; i++) {
		c[i].fd = kit_connect(port);
		CHECK(c[i].fd >= 0);
		if (c[i].fd < 0 || kit_send_upgrade(c[i].fd, "producer", NULL))
			goto out;
	}
	/* Lock step; a stall stops moving long before the bound. */
	for (calls = 0; calls < 20 * TOTAL && received < clients * TOTAL; calls++) {
		kit_pump(0);
		kit_sleep_ms(1);
		received = 0;
		for (i = 0; i < clients; i++) {
			client_step(&c[i]);
			received += c[i].received;
		}
	}
	if (received != clients * TOTAL)
		printf("%s, %d client(s): %d of %d after %d service calls\n",
		       extpoll ? "external poll" : "libwebsocket_service", clients,
		       received, clients * TOTAL, calls);
	CHECK_INT(received, clients * TOTAL);
out:
	for (i = 0; i < clients; i++)
		if (c[i].fd > 0)
			close(c[i].fd);
	kit_destroy();
}

int main(void)
{
	lws_set_log_level(LLL_ERR, NULL);
	run(0, 1);
	run(0, CLIENTS);
	run(1, 1);
	run(1, CLIENTS);
	return unit_finish("test-writeable-order");
}
