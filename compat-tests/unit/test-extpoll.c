/*
 * The external poll API, from an application's own poll loop:
 *
 *  - the ADD / DEL / CHANGE_MODE_POLL_FD notifications describe the poll
 *    set exactly: no fd added twice, none deleted or changed that is not in
 *    the set, CHANGE_MODE's prev_events always the events last announced
 *    for that fd, each notification between a LOCK_POLL and an UNLOCK_POLL
 *    which strictly alternate, and after libwebsocket_context_destroy every
 *    fd ever added has been deleted exactly once; through connections that
 *    come and go, HTTP, flow control and writes the socket cannot take;
 *  - libwebsocket_service_fd zeroes revents of our fds and leaves a
 *    foreign fd (a pipe of the test's own) alone, returning 0;
 *  - libwebsocket_service_fd(ctx, NULL) runs the timeouts: a connection
 *    armed with libwebsocket_set_timeout(wsi, PENDING_TIMEOUT_AWAITING_PING,
 *    1) is closed within about two seconds although no fd of it ever polls
 *    ready and only service_fd(NULL) is called, once a second.
 */
#include "serverkit.h"

#define MAX_CONNS 16

struct session {
	int index;
};

static struct libwebsocket *conns[MAX_CONNS];
static int established, closed, closed_http, http_requests, received;
static int wsi_created, wsi_destroyed;
static int big_writes, big_partial_seen, writeable;
static double closed_at[MAX_CONNS];
static int arm_timeout;         /* ESTABLISHED arms a 1 s AWAITING_PING */

#define BIG (4 * 1024 * 1024)
static unsigned char *big_buffer;

static int http_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		   enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)user; (void)len;
	if (kit_poll_callback(wsi, reason, in))
		return 0;
	switch (reason) {
	case LWS_CALLBACK_WSI_CREATE:
		wsi_created++;
		break;
	case LWS_CALLBACK_WSI_DESTROY:
		wsi_destroyed++;
		break;
	case LWS_CALLBACK_HTTP:
		http_requests++;
		libwebsockets_return_http_status(context, wsi, HTTP_STATUS_NOT_FOUND, NULL);
		return 0;
	case LWS_CALLBACK_CLOSED_HTTP:
		closed_http++;
		break;
	default:
		break;
	}
	return 0;
}

static int ep_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		 enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	struct session *s = (struct session *)user;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		s->index = established++;
		if (s->index < MAX_CONNS)
			conns[s->index] = wsi;
		if (arm_timeout)
			libwebsocket_set_timeout(wsi, PENDING_TIMEOUT_AWAITING_PING, 1);
		break;
	case LWS_CALLBACK_RECEIVE:
		received++;
		if (len == 3 && !memcmp(in, "big", 3)) {
			/* More than the socket takes: the rest waits for POLLOUT. */
			big_writes++;
			if (libwebsocket_write(wsi, big_buffer + LWS_SEND_BUFFER_PRE_PADDING, BIG,
					       LWS_WRITE_BINARY) != BIG)
				big_writes = -1000;
			if (lws_partial_buffered(wsi))
				big_partial_seen++;
			libwebsocket_callback_on_writable(context, wsi);
		} else if (len == 3 && !memcmp(in, "off", 3)) {
			libwebsocket_rx_flow_control(wsi, 0);
		}
		break;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		writeable++;
		break;
	case LWS_CALLBACK_CLOSED:
		closed++;
		if (s->index < MAX_CONNS) {
			closed_at[s->index] = kit_now_ms();
			conns[s->index] = NULL;
		}
		break;
	default:
		break;
	}
	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	{ "http-only", http_cb, 0, 0, 0, NULL, NULL, 0 },
	{ "ep", ep_cb, sizeof(struct session), 0, 0, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

static int start(void)
{
	struct lws_context_creation_info info;

	kit_server_info(&info, protocols);
	kit_use_extpoll(1);
	established = closed = closed_http = http_requests = received = 0;
	wsi_created = wsi_destroyed = big_writes = big_partial_seen = writeable = 0;
	memset(conns, 0, sizeof(conns));
	return kit_listen(&info);
}

/* No rule of the notification protocol broken so far. */
static void check_poll_rules(void)
{
	CHECK_INT(kit_poll.double_add, 0);
	CHECK_INT(kit_poll.unknown_del, 0);
	CHECK_INT(kit_poll.unknown_change, 0);
	CHECK_INT(kit_poll.prev_mismatch, 0);
	CHECK_INT(kit_poll.unlocked_change, 0);
	CHECK_INT(kit_poll.nested_lock, 0);
	CHECK_INT(kit_poll.stray_unlock, 0);
	CHECK_INT(kit_poll.wrong_wsi_fd, 0);
	CHECK_INT(kit_poll.revents_left, 0);
	CHECK_INT(kit_poll.locked, 0);
	CHECK_INT(kit_poll.locks, kit_poll.unlocks);
}

static int in_set(int fd)
{
	return kit_poll_index(fd) >= 0;
}

static int events_of(struct libwebsocket *wsi)
{
	int i = kit_poll_index(libwebsocket_get_socket_fd(wsi));

	return i < 0 ? -1 : kit_poll.fds[i].events;
}

/* The fd in the set that listens on port, or -1. */
static int listening_fd(int port)
{
	int i;

	for (i = 0; i < kit_poll.count; i++) {
		struct sockaddr_in sin;
		socklen_t len = sizeof(sin);
		int listening = 0;
		socklen_t optlen = sizeof(listening);

		if (getsockopt(kit_poll.fds[i].fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &optlen) ||
		    !listening)
			continue;
		if (!getsockname(kit_poll.fds[i].fd, (struct sockaddr *)&sin, &len) &&
		    ntohs(sin.sin_port) == port)
			return kit_poll.fds[i].fd;
	}
	return -1;
}

static void test_bookkeeping(void)
{
	int port = start(), fds[8], http_fd, i, conn_fds[8];
	long total = 0;
	char head[2048];

	CHECK(port > 0);
	if (port <= 0)
		return;
	/* Listening: the listen socket is in the set, watched for POLLIN. */
	CHECK(listening_fd(port) >= 0);
	if (listening_fd(port) >= 0)
		CHECK(kit_poll.fds[kit_poll_index(listening_fd(port))].events & POLLIN);
	check_poll_rules();

	for (i = 0; i < 8; i++) {
		fds[i] = kit_ws_open(port, "ep");
		CHECK(fds[i] >= 0);
	}
	CHECK(kit_until_count(&established, 8, 3000));
	for (i = 0; i < 8; i++) {
		conn_fds[i] = conns[i] ? libwebsocket_get_socket_fd(conns[i]) : -1;
		CHECK(conns[i] && in_set(conn_fds[i]));
		CHECK(conns[i] && (events_of(conns[i]) & POLLIN));
	}
	check_poll_rules();

	/* HTTP, answered and kept alive, then closed by the client. */
	http_fd = kit_connect(port);
	CHECK(!kit_send_str(http_fd, "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n"));
	CHECK(kit_read_head(http_fd, head, sizeof(head), 3000) > 0);
	CHECK_INT(kit_status(head), 404);
	close(http_fd);
	CHECK(kit_until(&closed_http, 3000));

	/* Traffic; our fds get their revents zeroed by service_fd. */
	for (i = 0; i < 8; i++)
		CHECK(!kit_send_frame(fds[i], 0x81, "hello", 5));
	CHECK(kit_until_count(&received, 8, 3000));

	/* Flow control off: POLLIN leaves the fd's events, announced with
	 * the right prev_events. */
	CHECK(!kit_send_frame(fds[1], 0x81, "off", 3));
	CHECK(kit_until_count(&received, 9, 3000));
	kit_pump(20);
	CHECK(conns[1] && !(events_of(conns[1]) & POLLIN));
	if (conns[1])
		libwebsocket_rx_flow_control(conns[1], 1);
	kit_pump(20);
	CHECK(conns[1] && (events_of(conns[1]) & POLLIN));

	/* A write the socket cannot take at once: POLLOUT until it is out,
	 * then the WRITEABLE asked for; POLLOUT dropped again. */
	CHECK(!kit_send_frame(fds[2], 0x81, "big", 3));
	CHECK(kit_until(&big_writes, 3000));
	CHECK_INT(big_writes, 1);
	CHECK_INT(big_partial_seen, 1);
	CHECK(conns[2] && (events_of(conns[2]) & POLLOUT));
	{
		unsigned char first;
		static unsigned char sink[64];

		total = kit_read_frame(fds[2], &first, sink, sizeof(sink), 5000);
		CHECK_INT(total, BIG);
		CHECK_INT(first, 0x82);
	}
	CHECK(kit_until(&writeable, 3000));
	kit_pump(20);
	CHECK(conns[2] && !(events_of(conns[2]) & POLLOUT));
	check_poll_rules();

	/* Two clients leave: their fds leave the set. */
	close(fds[0]);
	close(fds[1]);
	CHECK(kit_until_count(&closed, 2, 3000));
	kit_pump(50);
	kit_pump(50);
	CHECK(!in_set(conn_fds[0]) && !in_set(conn_fds[1]));
	check_poll_rules();

	/* Destroy with six connections live: everything added is deleted. */
	CHECK(kit_poll.count >= 2 + 6);
	kit_destroy();
	check_poll_rules();
	CHECK_INT(kit_poll.count, 0);
	CHECK_INT(kit_poll.adds, kit_poll.dels);
	CHECK(kit_poll.adds >= 2 + 9);
	CHECK(kit_poll.changes >= 4);
	CHECK_INT(closed, 8);
	CHECK_INT(wsi_created, 9);
	CHECK_INT(wsi_destroyed, 9);
	for (i = 2; i < 8; i++)
		close(fds[i]);
}

static void test_service_fd_foreign(void)
{
	int port = start(), fd, p[2], q[2], i, r;
	struct pollfd pfd;
	char c = 0;

	CHECK(port > 0);
	if (port <= 0)
		return;
	CHECK(!pipe(p));
	CHECK(!pipe(q));
	close(q[0]);

	/* A foreign readable fd: untouched, not read, 0 returned. */
	CHECK_INT(write(p[1], "x", 1), 1);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	pfd.revents = 0;
	CHECK_INT(poll(&pfd, 1, 1000), 1);
	CHECK_INT(pfd.revents, POLLIN);
	CHECK_INT(libwebsocket_service_fd(kit_context, &pfd), 0);
	CHECK_INT(pfd.revents, POLLIN);
	CHECK_INT(pfd.fd, p[0]);
	CHECK_INT(pfd.events, POLLIN);
	CHECK_INT(read(p[0], &c, 1), 1);
	CHECK_INT(c, 'x');

	/* A foreign fd in error, and an fd number nobody has open. */
	pfd.fd = q[1];
	pfd.events = POLLOUT;
	pfd.revents = 0;
	CHECK_INT(poll(&pfd, 1, 1000), 1);
	CHECK(pfd.revents & POLLERR);
	r = pfd.revents;
	CHECK_INT(libwebsocket_service_fd(kit_context, &pfd), 0);
	CHECK_INT(pfd.revents, r);
	CHECK(fcntl(q[1], F_GETFD) >= 0); /* still open */
	pfd.fd = 987;
	pfd.events = POLLIN;
	pfd.revents = POLLIN | POLLHUP;
	CHECK_INT(libwebsocket_service_fd(kit_context, &pfd), 0);
	CHECK_INT(pfd.revents, POLLIN | POLLHUP);

	/* One of ours with data: handled, revents zeroed. */
	fd = kit_ws_open(port, "ep");
	CHECK(fd >= 0);
	CHECK(kit_until(&established, 3000));
	CHECK(!kit_send_frame(fd, 0x81, "hey", 3));
	pfd.fd = conns[0] ? libwebsocket_get_socket_fd(conns[0]) : -1;
	pfd.events = POLLIN;
	pfd.revents = 0;
	CHECK_INT(poll(&pfd, 1, 2000), 1);
	CHECK(pfd.revents & POLLIN);
	CHECK_INT(libwebsocket_service_fd(kit_context, &pfd), 0);
	CHECK_INT(pfd.revents, 0);
	CHECK_INT(received, 1);

	/* The listen socket too: a pending connection accepted, zeroed. */
	i = kit_connect(port);
	pfd.fd = listening_fd(port);
	pfd.events = POLLIN;
	pfd.revents = 0;
	CHECK_INT(poll(&pfd, 1, 2000), 1);
	r = wsi_created;
	CHECK_INT(libwebsocket_service_fd(kit_context, &pfd), 0);
	CHECK_INT(pfd.revents, 0);
	CHECK_INT(wsi_created, r + 1);

	/* Our fd with nothing reported: fine, nothing happens. */
	pfd.fd = conns[0] ? libwebsocket_get_socket_fd(conns[0]) : -1;
	pfd.revents = 0;
	CHECK_INT(libwebsocket_service_fd(kit_context, &pfd), 0);
	CHECK_INT(received, 1);
	check_poll_rules();

	kit_destroy();
	check_poll_rules();
	CHECK_INT(kit_poll.count, 0);
	/* The pipe is still the test's. */
	CHECK_INT(write(p[1], "y", 1), 1);
	CHECK_INT(read(p[0], &c, 1), 1);
	CHECK_INT(c, 'y');
	close(p[0]);
	close(p[1]);
	close(q[1]);
	close(fd);
	close(i);
}

static void test_service_fd_null_timeouts(void)
{
	int port = start(), fd, other, r;
	double t0, next_tick, end;
	int ticks = 0;

	CHECK(port > 0);
	if (port <= 0)
		return;
	/* One connection with the timeout armed, one without. */
	other = kit_ws_open(port, "ep");
	CHECK(kit_until(&established, 3000));
	arm_timeout = 1;
	fd = kit_ws_open(port, "ep");
	CHECK(fd >= 0);
	CHECK(kit_until_count(&established, 2, 3000));
	arm_timeout = 0;
	t0 = kit_now_ms();

	/* The application's loop: poll, service what is ready, and once a
	 * second service_fd(NULL). The clients are silent, so none of the
	 * connection's fds polls ready before the timeout closes it. */
	next_tick = t0 + 1000;
	end = t0 + 4000;
	while (!closed && kit_now_ms() < end) {
		int wait = (int)(next_tick - kit_now_ms());

		kit_extpoll_round(wait > 0 ? wait : 0);
		if (kit_now_ms() >= next_tick) {
			r = libwebsocket_service_fd(kit_context, NULL);
			CHECK_INT(r, 0);
			ticks++;
			next_tick += 1000;
		}
	}
	CHECK_INT(closed, 1);
	CHECK(conns[0] != NULL);
	CHECK(conns[1] == NULL);
	if (closed_at[1] - t0 > 2200 || closed_at[1] - t0 < 900)
		fprintf(stderr, "timeout after %.0f ms\n", closed_at[1] - t0);
	CHECK(closed_at[1] - t0 >= 900);
	CHECK(closed_at[1] - t0 <= 2200);
	CHECK(ticks <= 3);
	/* The client sees the connection end. */
	CHECK(kit_wait_eof(fd, 3000));
	check_poll_rules();
	kit_destroy();
	CHECK_INT(closed, 2);
	CHECK_INT(kit_poll.count, 0);
	check_poll_rules();
	close(fd);
	close(other);
}

int main(void)
{
	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
	big_buffer = calloc(1, LWS_SEND_BUFFER_PRE_PADDING + BIG + LWS_SEND_BUFFER_POST_PADDING);
	if (!big_buffer)
		return 1;
	test_bookkeeping();
	test_service_fd_foreign();
	test_service_fd_null_timeouts();
	free(big_buffer);
	return unit_finish("test-extpoll");
}
