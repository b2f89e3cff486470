/*
 * LWS_SERVER_OPTION_ALLOW_LISTEN_SHARE: two contexts listen on one port
 * when both ask for it, and the kernel spreads the connections over them;
 * when either does not ask, the second fails to bind, as it always did.
 * Each connection stays with the context that accepted it (its callbacks
 * name that context), and once one context is gone the other takes every
 * new connection. Two contexts of one process stand in for two processes
 * here (the kernel treats both alike); compat-tests/py/test_workers.py
 * forks real workers.
 */
#include "serverkit.h"

#define CONNS 32

struct listener {
	struct libwebsocket_context *context;
	int established;        /* ESTABLISHED callbacks of this context */
	int echoed;             /* messages it wrote back */
	int wrong_context;      /* callbacks naming another context */
};

static struct listener listeners[2];

static int echo_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		   enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	struct listener *l = (struct listener *)libwebsocket_context_user(context);
	unsigned char buf[LWS_SEND_BUFFER_PRE_PADDING + 64 + LWS_SEND_BUFFER_POST_PADDING];

	(void)user;
	if (l->context && l->context != context)
		l->wrong_context++;
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		l->established++;
		break;
	case LWS_CALLBACK_RECEIVE:
		if (len > 64)
			return -1;
		memcpy(buf + LWS_SEND_BUFFER_PRE_PADDING, in, len);
		if (libwebsocket_write(wsi, buf + LWS_SEND_BUFFER_PRE_PADDING, len,
				       LWS_WRITE_TEXT) != (int)len)
			return -1;
		l->echoed++;
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

/* A context on port for listener i, sharing the port if share is set. */
static struct libwebsocket_context *listen_on(int i, int port, int share)
{
	struct lws_context_creation_info info;

	kit_server_info(&info, protocols);
	info.port = port;
	info.user = &listeners[i];
	if (share)
		info.options |= LWS_SERVER_OPTION_ALLOW_LISTEN_SHARE;
	memset(&listeners[i], 0, sizeof(listeners[i]));
	listeners[i].context = libwebsocket_create_context(&info);
	return listeners[i].context;
}

static void destroy(int i)
{
	if (listeners[i].context)
		libwebsocket_context_destroy(listeners[i].context);
	listeners[i].context = NULL;
}

/* Services both contexts (one thread, turn by turn) until *a + *b reach
 * target or ms pass. */
static int pump_both_until(const int *a, const int *b, int target, int ms)
{
	double end = kit_now_ms() + ms;
	int i;

	while (*a + *b < target && kit_now_ms() < end)
		for (i = 0; i < 2; i++)
			if (listeners[i].context)
				libwebsocket_service(listeners[i].context, 1);
	return *a + *b >= target;
}

/* The new bit is none of 1.4's (1 to 64), so no 1.4 program sets it by
 * accident. */
static void test_bit_is_new(void)
{
	CHECK_INT(LWS_SERVER_OPTION_ALLOW_LISTEN_SHARE & 0x7f, 0);
	CHECK(LWS_SERVER_OPTION_ALLOW_LISTEN_SHARE != 0);
}

/* Without the bit on both listeners the port stays exclusive. */
static void test_exclusive_without_the_bit(void)
{
	static const int first_shares[] = { 0, 1, 0 }, second_shares[] = { 0, 0, 1 };
	int round, port;

	for (round = 0; round < 3; round++) {
		port = kit_free_port();
		CHECK(listen_on(0, port, first_shares[round]) != NULL);
		capture_start(LLL_ERR);
		CHECK(listen_on(1, port, second_shares[round]) == NULL);
		CHECK(capture_find("bind") != NULL);
		lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
		destroy(1);
		destroy(0);
	}
}

/* Connects CONNS clients and upgrades them all; returns how many got 101. */
static int open_all(int port, int *fds)
{
	char head[1024];
	int i, upgraded = 0;

	for (i = 0; i < CONNS; i++) {
		fds[i] = kit_connect(port);
		if (fds[i] < 0 || kit_send_upgrade(fds[i], "echo", NULL))
			return 0;
	}
	if (!pump_both_until(&listeners[0].established, &listeners[1].established, CONNS, 5000))
		return 0;
	for (i = 0; i < CONNS; i++)
		if (kit_read_head(fds[i], head, sizeof(head), 3000) &&
		    kit_status(head) == 101 && strstr(head, kit_key_accept))
			upgraded++;
	return upgraded;
}

/* Each client sends "m<i>" and reads exactly that back. */
static int echo_all(int *fds)
{
	unsigned char first, payload[16];
	char sent[16];
	int i, ok = 0, before = listeners[0].echoed + listeners[1].echoed;
	long n;

	for (i = 0; i < CONNS; i++) {
		snprintf(sent, sizeof(sent), "m%d", i);
		if (kit_send_frame(fds[i], 0x81, sent, strlen(sent)))
			return 0;
	}
	if (!pump_both_until(&listeners[0].echoed, &listeners[1].echoed, before + CONNS, 5000))
		return 0;
	for (i = 0; i < CONNS; i++) {
		snprintf(sent, sizeof(sent), "m%d", i);
		n = kit_read_frame(fds[i], &first, payload, sizeof(payload), 3000);
		if (first == 0x81 && n == (long)strlen(sent) && !memcmp(payload, sent, (size_t)n))
			ok++;
	}
	return ok;
}

static void test_shared_port(void)
{
	int fds[CONNS], more[CONNS], port, i;

	port = kit_free_port();
	CHECK(listen_on(0, port, 1) != NULL);
	CHECK(listen_on(1, port, 1) != NULL);
	if (!listeners[0].context || !listeners[1].context) {
		destroy(1);
		destroy(0);
		return;
	}
	/* What the kit's reads pump while waiting; the data they wait for
	 * is already sent by then (pump_both_until). */
	kit_context = listeners[0].context;
	CHECK_INT(open_all(port, fds), CONNS);
	/* Both took a share (each of 32 connections goes either way: all on
	 * one side would have odds of 2 in 2^32). */
	printf("connections: %d on the first context, %d on the second\n",
	       listeners[0].established, listeners[1].established);
	CHECK(listeners[0].established > 0);
	CHECK(listeners[1].established > 0);
	CHECK_INT(listeners[0].established + listeners[1].established, CONNS);
	CHECK_INT(echo_all(fds), CONNS);
	CHECK(listeners[0].echoed > 0);
	CHECK(listeners[1].echoed > 0);

	/* The first context goes: its connections end, the second one
	 * serves every new connection. */
	destroy(0);
	for (i = 0; i < CONNS; i++)
		close(fds[i]);
	listeners[1].established = 0;
	kit_context = listeners[1].context;
	CHECK_INT(open_all(port, more), CONNS);
	CHECK_INT(listeners[1].established, CONNS);
	CHECK_INT(echo_all(more), CONNS);
	CHECK_INT(listeners[0].wrong_context + listeners[1].wrong_context, 0);
	kit_context = NULL;
	destroy(1);
	for (i = 0; i < CONNS; i++)
		close(more[i]);
}

int main(void)
{
	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
	test_bit_is_new();
	test_exclusive_without_the_bit();
	test_shared_port();
	return unit_finish("test-reuseport");
}
