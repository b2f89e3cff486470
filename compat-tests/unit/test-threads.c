/*
 * The calls that are safe from other threads, made from other threads
 * while the service thread is blocked in libwebsocket_service(ctx, 10000):
 * libwebsocket_cancel_service wakes it promptly, and
 * libwebsocket_callback_on_writable / _all_protocol make the WRITEABLE
 * callback happen promptly, on the service thread, for exactly the
 * connections asked for. Then a storm of such calls from a second thread.
 * Then servicing moves to another thread (as when an application hands its
 * loop to a worker): the thread that serviced before is now the foreign
 * one, and its requests must wake the new service thread.
 *
 * Then LWS_CALLBACK_GET_THREAD_ID, on an external poll loop where the
 * effect of a request is visible: one the library takes as coming from the
 * service thread changes the poll set at once (CHANGE_MODE_POLL_FD to
 * POLLOUT inside the call); one it takes as foreign only wakes the service
 * thread (an fd of the set turns readable) and leaves the poll set alone.
 * pthread identity decides: a request from another pthread is foreign
 * whatever id the application gives it (a wrong answer must not turn a
 * race into a local call); a different id on the service thread makes its
 * request foreign too, as 1.4 honoured; an application answering 0 gets
 * pthread identity alone.
 *
 * Then the two ways a handle reaches the library from outside the loop:
 * before the first service call every thread is foreign (the request is
 * queued and the context's wake fd signalled, nothing changes on the
 * caller's thread), and a handle whose connection is gone is refused (-1)
 * from any thread, without the library reading the freed object.
 *
 * LWS_TEST_SLOW=1 in the environment (the valgrind run) widens every
 * "promptly" bound by 10.
 */
#include <pthread.h>

#include "serverkit.h"

static int slow = 1;            /* factor for time bounds */
/*
 * "Promptly": a service call caps its wait at one second, so a request
 * whose wake-up was lost would still be served within a second. Bounds
 * stay below that (to catch a lost wake-up) but far above a real wake-up
 * (well under a millisecond), so a loaded machine does not fail them.
 */
#define PROMPT_MS 600
static pthread_t service_thread;
/* Guards what a worker service thread shares with the main thread. */
static pthread_mutex_t worker_lock = PTHREAD_MUTEX_INITIALIZER;

/* ------------------------------------------------------------------------
 * Callbacks
 * ------------------------------------------------------------------------ */

#define CONNS 2

struct session {
	int index;
};

static struct libwebsocket *conn[CONNS];
static int established;
static volatile int writeable[CONNS];
static double writeable_at[CONNS];
static int writeable_off_thread;
static int write_failures;

/* GET_THREAD_ID: what protocols[0] answers (mode), and how often asked. */
enum tid_mode { TID_NONE, TID_PER_THREAD, TID_ZERO };
static enum tid_mode tid_mode;
static __thread int my_tid;     /* the application's id of this thread */
static volatile int tid_calls;
/* Connections destroyed (WSI_DESTROY); client callbacks and their thread. */
static volatile int destroyed;
static volatile int client_established;
static int client_calls_off_thread;

static int http_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		   enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)context; (void)user; (void)len;
	if (reason == LWS_CALLBACK_GET_THREAD_ID) {
		if (tid_mode == TID_NONE)
			return 0;
		__sync_fetch_and_add(&tid_calls, 1);
		return tid_mode == TID_PER_THREAD ? my_tid : 0;
	}
	if (reason == LWS_CALLBACK_WSI_DESTROY)
		destroyed++;
	if (kit_extpoll)
		kit_poll_callback(wsi, reason, in);
	return 0;
}

static int threads_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		      enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	struct session *s = (struct session *)user;
	unsigned char buf[LWS_SEND_BUFFER_PRE_PADDING + 8 + LWS_SEND_BUFFER_POST_PADDING];

	(void)context; (void)in; (void)len;
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		s->index = established++;
		if (s->index < CONNS)
			conn[s->index] = wsi;
		break;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (!pthread_equal(pthread_self(), service_thread))
			writeable_off_thread++;
		if (s->index >= CONNS)
			break;
		/* Under the lock: the service thread may be a worker. */
		pthread_mutex_lock(&worker_lock);
		writeable_at[s->index] = kit_now_ms();
		writeable[s->index]++;
		pthread_mutex_unlock(&worker_lock);
		buf[LWS_SEND_BUFFER_PRE_PADDING] = 'w';
		buf[LWS_SEND_BUFFER_PRE_PADDING + 1] = (unsigned char)('0' + s->index);
		if (libwebsocket_write(wsi, buf + LWS_SEND_BUFFER_PRE_PADDING, 2, LWS_WRITE_TEXT) != 2)
			write_failures++;
		break;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (!pthread_equal(pthread_self(), service_thread))
			client_calls_off_thread++;
		if (reason == LWS_CALLBACK_CLIENT_ESTABLISHED)
			client_established = 1;
		break;
	case LWS_CALLBACK_CLOSED:
		if (s->index < CONNS)
			conn[s->index] = NULL;
		break;
	default:
		break;
	}
	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	{ "http-only", http_cb, 0, 0, 0, NULL, NULL, 0 },
	{ "threads", threads_cb, sizeof(struct session), 0, 0, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

static int start_server(int extpoll)
{
	struct lws_context_creation_info info;

	kit_server_info(&info, protocols);
	kit_use_extpoll(extpoll);
	established = 0;
	memset(conn, 0, sizeof(conn));
	return kit_listen(&info);
}

/* Opens CONNS WebSockets; fds[i] is the client of conn[i]. */
static int open_clients(int port, int *fds)
{
	int i;

	for (i = 0; i < CONNS; i++) {
		fds[i] = kit_ws_open(port, "threads");
		if (fds[i] < 0 || !kit_until_count(&established, i + 1, 3000))
			return -1;
	}
	return 0;
}

/* "w<index>" frames the client of connection index reads: returns how many
 * arrived within ms (others or bad frames count as -100). */
static int read_w_frames(int fd, int index, int ms)
{
	unsigned char first, payload[8];
	int frames = 0;
	long n;

	while ((n = kit_read_frame(fd, &first, payload, sizeof(payload), ms)) >= 0) {
		if (first != 0x81 || n != 2 || payload[0] != 'w' || payload[1] != '0' + index)
			return -100;
		frames++;
		ms = 50;
	}
	return frames;
}

/* Services until nothing happens for a while (no wake, no pending work). */
static void settle(void)
{
	int i;

	for (i = 0; i < 20; i++)
		libwebsocket_service(kit_context, 5);
}

/* ------------------------------------------------------------------------
 * 1. cancel_service and callback_on_writable from another thread
 * ------------------------------------------------------------------------ */

enum action { CANCEL, WRITABLE_0, WRITABLE_ALL };

struct delayed {
	enum action action;
	int delay_ms;
	double at;
	int result;
};

static void *delayed_call(void *arg)
{
	struct delayed *d = (struct delayed *)arg;

	kit_sleep_ms(d->delay_ms);
	d->at = kit_now_ms();
	switch (d->action) {
	case CANCEL:
		libwebsocket_cancel_service(kit_context);
		break;
	case WRITABLE_0:
		d->result = libwebsocket_callback_on_writable(kit_context, conn[0]);
		break;
	case WRITABLE_ALL:
		d->result = libwebsocket_callback_on_writable_all_protocol(&protocols[1]);
		break;
	}
	return NULL;
}

static void test_cancel_service(void)
{
	struct delayed d;
	pthread_t t;
	double t0, t1;
	int round;

	for (round = 0; round < 2; round++) {
		settle();
		memset(&d, 0, sizeof(d));
		d.action = CANCEL;
		d.delay_ms = 150;
		CHECK(!pthread_create(&t, NULL, delayed_call, &d));
		t0 = kit_now_ms();
		CHECK_INT(libwebsocket_service(kit_context, 10000), 0);
		t1 = kit_now_ms();
		pthread_join(t, NULL);
		/* It really waited for the cancel, and woke promptly after it. */
		CHECK(t1 - t0 >= 140);
		if (t1 - d.at >= PROMPT_MS * slow)
			fprintf(stderr, "cancel took %.0f ms\n", t1 - d.at);
		CHECK(t1 - d.at < PROMPT_MS * slow);
	}

	/* A cancel made before the call makes the next call return at once. */
	settle();
	libwebsocket_cancel_service(kit_context);
	t0 = kit_now_ms();
	libwebsocket_service(kit_context, 10000);
	CHECK(kit_now_ms() - t0 < PROMPT_MS * slow);

	/* Once consumed, the next call waits again (no busy loop). */
	t0 = kit_now_ms();
	libwebsocket_service(kit_context, 300);
	CHECK(kit_now_ms() - t0 >= 250);
}

/* Services with a long timeout until WRITEABLE count of conn[index] grows. */
static int service_until_writeable(int index, int before, int ms)
{
	double end = kit_now_ms() + ms;

	while (writeable[index] == before && kit_now_ms() < end)
		libwebsocket_service(kit_context, 10000);
	return writeable[index] > before;
}

static void test_writable_from_thread(const int *fds)
{
	struct delayed d;
	pthread_t t;
	int before0, before1, round;

	for (round = 0; round < 2; round++) {
		settle();
		before0 = writeable[0];
		before1 = writeable[1];
		memset(&d, 0, sizeof(d));
		d.action = WRITABLE_0;
		d.delay_ms = 150;
		CHECK(!pthread_create(&t, NULL, delayed_call, &d));
		CHECK(service_until_writeable(0, before0, 3000 * slow));
		pthread_join(t, NULL);
		CHECK_INT(d.result, 1);
		CHECK_INT(writeable[0], before0 + 1);
		if (writeable_at[0] - d.at >= PROMPT_MS * slow)
			fprintf(stderr, "WRITEABLE came %.0f ms after the request\n",
				writeable_at[0] - d.at);
		CHECK(writeable_at[0] - d.at < PROMPT_MS * slow);
		CHECK(writeable_at[0] >= d.at);
		/* Only the connection asked for. */
		settle();
		CHECK_INT(writeable[1], before1);
		CHECK_INT(read_w_frames(fds[0], 0, 1000), 1);
		CHECK_INT(read_w_frames(fds[1], 1, 50), 0);
	}

	/* _all_protocol: every connection of the protocol, once each. */
	for (round = 0; round < 2; round++) {
		settle();
		before0 = writeable[0];
		before1 = writeable[1];
		memset(&d, 0, sizeof(d));
		d.action = WRITABLE_ALL;
		d.delay_ms = 150;
		CHECK(!pthread_create(&t, NULL, delayed_call, &d));
		CHECK(service_until_writeable(0, before0, 3000 * slow));
		if (writeable[1] == before1)
			service_until_writeable(1, before1, 1000 * slow);
		pthread_join(t, NULL);
		CHECK_INT(d.result, 0);
		CHECK(writeable_at[0] - d.at < PROMPT_MS * slow);
		CHECK(writeable_at[1] - d.at < PROMPT_MS * slow);
		settle();
		CHECK_INT(writeable[0], before0 + 1);
		CHECK_INT(writeable[1], before1 + 1);
		CHECK_INT(read_w_frames(fds[0], 0, 1000), 1);
		CHECK_INT(read_w_frames(fds[1], 1, 1000), 1);
	}
	CHECK_INT(writeable_off_thread, 0);
	CHECK_INT(write_failures, 0);
}

/* ------------------------------------------------------------------------
 * A storm: thousands of requests from another thread while servicing
 * ------------------------------------------------------------------------ */

/* A mutex, not a bare flag, so helgrind sees the hand-over. */
static pthread_mutex_t storm_lock = PTHREAD_MUTEX_INITIALIZER;
static int storm_done;

static int storm_finished(void)
{
	int done;

	pthread_mutex_lock(&storm_lock);
	done = storm_done;
	pthread_mutex_unlock(&storm_lock);
	return done;
}

static void *storm(void *arg)
{
	int i, n = *(int *)arg;

	for (i = 0; i < n; i++) {
		if (i % 10 == 9)
			libwebsocket_callback_on_writable_all_protocol(&protocols[1]);
		else
			libwebsocket_callback_on_writable(kit_context, conn[i & 1]);
		if (i % 100 == 0)
			libwebsocket_cancel_service(kit_context);
	}
	pthread_mutex_lock(&storm_lock);
	storm_done = 1;
	pthread_mutex_unlock(&storm_lock);
	return NULL;
}

static void test_storm(const int *fds)
{
	pthread_t t;
	int before0 = writeable[0], before1 = writeable[1], n = 20000 / slow;
	int got0 = 0, got1 = 0, r;

	settle();
	storm_done = 0;
	CHECK(!pthread_create(&t, NULL, storm, &n));
	while (!storm_finished()) {
		libwebsocket_service(kit_context, 10000);
		/* Keep the clients' receive buffers from filling up. */
		r = read_w_frames(fds[0], 0, 0);
		got0 += r > 0 ? r : 0;
		CHECK(r >= 0);
		r = read_w_frames(fds[1], 1, 0);
		got1 += r > 0 ? r : 0;
		CHECK(r >= 0);
	}
	pthread_join(t, NULL);
	settle();
	r = read_w_frames(fds[0], 0, 200);
	CHECK(r >= 0);
	got0 += r > 0 ? r : 0;
	r = read_w_frames(fds[1], 1, 200);
	CHECK(r >= 0);
	got1 += r > 0 ? r : 0;
	/* Requests coalesce, but each connection was served, and every
	 * WRITEABLE's frame arrived. */
	CHECK(writeable[0] > before0);
	CHECK(writeable[1] > before1);
	CHECK(writeable[0] - before0 <= n);
	CHECK_INT(got0, writeable[0] - before0);
	CHECK_INT(got1, writeable[1] - before1);
	CHECK_INT(writeable_off_thread, 0);
	CHECK_INT(write_failures, 0);

	/* Quiet again: a request still produces exactly one more. */
	before0 = writeable[0];
	CHECK_INT(libwebsocket_callback_on_writable(kit_context, conn[0]), 1);
	settle();
	CHECK_INT(writeable[0], before0 + 1);
	CHECK_INT(read_w_frames(fds[0], 0, 1000), 1);
}

/* ------------------------------------------------------------------------
 * Servicing moves to another thread
 * ------------------------------------------------------------------------ */

static int worker_stop, worker_started;

static int worker_flag(int *flag)
{
	int v;

	pthread_mutex_lock(&worker_lock);
	v = *flag;
	pthread_mutex_unlock(&worker_lock);
	return v;
}

static void set_worker_flag(int *flag)
{
	pthread_mutex_lock(&worker_lock);
	*flag = 1;
	pthread_mutex_unlock(&worker_lock);
}

/* The new service thread: services with a long timeout until told to stop. */
static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&worker_lock);
	service_thread = pthread_self();
	worker_started = 1;
	pthread_mutex_unlock(&worker_lock);
	while (!worker_flag(&worker_stop))
		libwebsocket_service(kit_context, 10000);
	return NULL;
}

static void test_service_moves(const int *fds)
{
	pthread_t t;
	double at = 0, latency = -1, end;
	int before, n;

	settle();
	before = writeable[0];
	worker_stop = worker_started = 0;
	CHECK(!pthread_create(&t, NULL, worker, NULL));
	while (!worker_flag(&worker_started))
		kit_sleep_ms(1);
	/* The worker is blocked in its service call now. */
	kit_sleep_ms(150);
	pthread_mutex_lock(&worker_lock);
	at = kit_now_ms();
	pthread_mutex_unlock(&worker_lock);
	CHECK_INT(libwebsocket_callback_on_writable(kit_context, conn[0]), 1);
	end = at + 3000 * slow;
	/* WRITEABLE runs on the worker; watch for it without servicing. */
	for (;;) {
		pthread_mutex_lock(&worker_lock);
		n = writeable[0];
		if (n > before)
			latency = writeable_at[0] - at;
		pthread_mutex_unlock(&worker_lock);
		if (n > before || kit_now_ms() > end)
			break;
		kit_sleep_ms(2);
	}
	set_worker_flag(&worker_stop);
	libwebsocket_cancel_service(kit_context);
	pthread_join(t, NULL);
	service_thread = pthread_self();

	CHECK_INT(n, before + 1);
	if (latency < 0 || latency >= PROMPT_MS * slow)
		fprintf(stderr, "after the move, WRITEABLE came %.0f ms after the request\n", latency);
	CHECK(latency >= 0 && latency < PROMPT_MS * slow);
	CHECK_INT(writeable_off_thread, 0);
	/* The main thread services again. */
	CHECK_INT(read_w_frames(fds[0], 0, 1000), 1);
}

static void test_internal_service(void)
{
	int fds[CONNS], i, port;

	tid_mode = TID_NONE;
	service_thread = pthread_self();
	port = start_server(0);
	CHECK(port > 0);
	if (port <= 0)
		return;
	CHECK(!open_clients(port, fds));
	if (!conn[0] || !conn[1]) {
		kit_destroy();
		return;
	}
	test_cancel_service();
	test_writable_from_thread(fds);
	test_storm(fds);
	test_service_moves(fds);
	kit_destroy();
	for (i = 0; i < CONNS; i++)
		close(fds[i]);
}

/* ------------------------------------------------------------------------
 * 2. LWS_CALLBACK_GET_THREAD_ID
 * ------------------------------------------------------------------------ */

struct request_result {
	int tid;                /* the application id of the calling thread */
	int changes_during;     /* CHANGE_MODE_POLL_FD made inside the call */
	int pollout_after;      /* the connection's events include POLLOUT */
	int result;
};

static int conn_fd_events(void)
{
	int i = kit_poll_index(libwebsocket_get_socket_fd(conn[0]));

	return i < 0 ? 0 : kit_poll.fds[i].events;
}

static void *request_writable(void *arg)
{
	struct request_result *r = (struct request_result *)arg;
	int before = kit_poll.changes;

	my_tid = r->tid;
	r->result = libwebsocket_callback_on_writable(kit_context, conn[0]);
	r->changes_during = kit_poll.changes - before;
	r->pollout_after = (conn_fd_events() & POLLOUT) != 0;
	return NULL;
}

/* Fds of the poll set that poll readable, leaving out except (-1: none). */
static int readable_fds_except(int except)
{
	struct pollfd copy[KIT_MAX_FDS];
	int n = kit_poll.count, i, readable = 0;

	memcpy(copy, kit_poll.fds, sizeof(copy[0]) * (size_t)n);
	for (i = 0; i < n; i++)
		copy[i].events = POLLIN;
	poll(copy, (nfds_t)n, 0);
	for (i = 0; i < n; i++)
		if (copy[i].fd != except && (copy[i].revents & POLLIN))
			readable++;
	return readable;
}

/* Fds of the poll set other than the connection's that poll readable. */
static int woken_fds(void)
{
	return readable_fds_except(libwebsocket_get_socket_fd(conn[0]));
}

/*
 * One request for conn[0], from the main thread (other_thread 0) or a new
 * one, with the application thread id tid; expect_local says whether the
 * library should take it as made on the service thread. Then the external
 * loop runs (as service thread, id 1) until the WRITEABLE.
 */
static void one_request(int other_thread, int tid, int expect_local, int client_fd)
{
	struct request_result r;
	int before = writeable[0];
	pthread_t t;

	memset(&r, 0, sizeof(r));
	r.tid = tid;
	if (other_thread) {
		CHECK(!pthread_create(&t, NULL, request_writable, &r));
		pthread_join(t, NULL);
	} else {
		request_writable(&r);
		my_tid = 1;
	}
	CHECK_INT(r.result, 1);
	if (expect_local) {
		/* Applied at once by the caller: POLLOUT asked for, nobody woken. */
		CHECK_INT(r.changes_during, 1);
		CHECK(r.pollout_after);
		CHECK_INT(woken_fds(), 0);
	} else {
		/* Handed over: the poll set untouched, the service thread woken. */
		CHECK_INT(r.changes_during, 0);
		CHECK(!r.pollout_after);
		CHECK_INT(woken_fds(), 1);
	}
	CHECK(kit_until_count(&writeable[0], before + 1, 2000 * slow));
	CHECK_INT(writeable[0], before + 1);
	CHECK_INT(read_w_frames(client_fd, 0, 1000), 1);
	/* Nothing left over: POLLOUT dropped again, no wake pending. */
	kit_pump(20);
	CHECK(!(conn_fd_events() & POLLOUT));
	CHECK_INT(woken_fds(), 0);
}

static void test_thread_id(enum tid_mode mode)
{
	int fd, port, calls_before;

	tid_mode = mode;
	tid_calls = 0;
	my_tid = 1;
	service_thread = pthread_self();
	memset((void *)writeable, 0, sizeof(writeable));
	port = start_server(1);
	CHECK(port > 0);
	if (port <= 0)
		return;
	fd = kit_ws_open(port, "threads");
	CHECK(fd >= 0);
	CHECK(kit_until(&established, 3000));
	if (fd < 0 || !conn[0]) {
		kit_destroy();
		return;
	}
	kit_pump(20);
	CHECK_INT(woken_fds(), 0);
	/* The library asked protocols[0] once it was serviced. */
	CHECK(tid_calls > 0);

	calls_before = tid_calls;
	if (mode == TID_PER_THREAD) {
		/* Ids agreeing with the threads. */
		one_request(0, 1, 1, fd);
		one_request(1, 2, 0, fd);
		/* The service thread calling as another application thread
		 * (id 3): foreign, although it is the same pthread. */
		one_request(0, 3, 0, fd);
		/* Another pthread the application calls the service thread
		 * (id 1): still foreign, queued. Only pthread identity can
		 * make a call local. */
		one_request(1, 1, 0, fd);
		/* The requests made on the service thread asked who is
		 * calling; the other pthreads needed no answer. */
		CHECK(tid_calls >= calls_before + 2);
	} else {
		/* 0 from the callback: pthread identity decides. */
		one_request(0, 5, 1, fd);
		one_request(1, 5, 0, fd);
		one_request(1, 1, 0, fd);
		one_request(0, 0, 1, fd);
	}
	CHECK_INT(writeable_off_thread, 0);
	kit_destroy();
	close(fd);
	/* Every fd the library added, it deleted; LOCK/UNLOCK paired. */
	CHECK_INT(kit_poll.count, 0);
	CHECK_INT(kit_poll.adds, kit_poll.dels);
	CHECK_INT(kit_poll.locks, kit_poll.unlocks);
	CHECK_INT(kit_poll.prev_mismatch, 0);
	CHECK_INT(kit_poll.revents_left, 0);
	kit_use_extpoll(0);
}

/* ------------------------------------------------------------------------
 * 3. Before the first service call; a handle that is gone
 * ------------------------------------------------------------------------ */

static void *writable_from_thread(void *arg)
{
	struct libwebsocket *wsi = (struct libwebsocket *)arg;

	return (void *)(long)libwebsocket_callback_on_writable(kit_context, wsi);
}

/* libwebsocket_callback_on_writable(wsi) from a new thread. */
static int request_from_thread(struct libwebsocket *wsi)
{
	pthread_t t;
	void *result = NULL;

	if (pthread_create(&t, NULL, writable_from_thread, wsi))
		return -100;
	pthread_join(t, &result);
	return (int)(long)result;
}

/*
 * An application that connects, starts a worker, then enters its loop: the
 * worker's request, made before the loop ever ran, is queued for the loop
 * (the wake fd turns readable, the poll set is not touched from the
 * worker); the loop then takes the request and connects, every callback
 * on its own thread.
 */
static void test_before_first_service(void)
{
	struct libwebsocket *client;
	int port, readable_before, changes_before;

	tid_mode = TID_NONE;
	service_thread = pthread_self();
	client_established = 0;
	client_calls_off_thread = 0;
	port = start_server(1);
	CHECK(port > 0);
	if (port <= 0)
		return;
	client = libwebsocket_client_connect(kit_context, "127.0.0.1", port, 0, "/", "localhost",
					     "localhost", "threads", -1);
	CHECK(client != NULL);
	if (!client) {
		kit_destroy();
		kit_use_extpoll(0);
		return;
	}
	readable_before = readable_fds_except(-1);
	changes_before = kit_poll.changes;
	CHECK_INT(request_from_thread(client), 1);
	CHECK_INT(kit_poll.changes, changes_before);
	CHECK_INT(readable_fds_except(-1), readable_before + 1);
	/* _all_protocol from a worker before the loop: queued as well. */
	CHECK_INT(libwebsocket_callback_on_writable_all_protocol(&protocols[1]), 0);
	CHECK(kit_until(&client_established, 3000 * slow));
	/* The wake was consumed: only what polled readable before remains
	 * (the listener's connection, accepted meanwhile, no longer). */
	kit_pump(20);
	CHECK(readable_fds_except(-1) < readable_before + 1);
	CHECK_INT(client_calls_off_thread, 0);
	kit_destroy();
	kit_use_extpoll(0);
}

/* A connection closed and destroyed: its old handle is refused. */
static void test_stale_handle(void)
{
	struct libwebsocket *gone;
	int fd, port;

	tid_mode = TID_NONE;
	service_thread = pthread_self();
	destroyed = 0;
	port = start_server(0);
	CHECK(port > 0);
	if (port <= 0)
		return;
	fd = kit_ws_open(port, "threads");
	CHECK(fd >= 0);
	CHECK(kit_until(&established, 3000 * slow));
	gone = conn[0];
	CHECK(gone != NULL);
	if (fd < 0 || !gone) {
		kit_destroy();
		return;
	}
	close(fd);
	CHECK(kit_until(&destroyed, 3000 * slow));
	/* From another thread and from the service thread alike. */
	CHECK_INT(request_from_thread(gone), -1);
	CHECK_INT(libwebsocket_callback_on_writable(kit_context, gone), -1);
	kit_destroy();
}

int main(void)
{
	const char *s = getenv("LWS_TEST_SLOW");

	if (s && *s && *s != '0')
		slow = 10;
	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
	test_internal_service();
	test_thread_id(TID_PER_THREAD);
	test_thread_id(TID_ZERO);
	test_before_first_service();
	test_stale_handle();
	tid_mode = TID_NONE;
	return unit_finish("test-threads");
}
