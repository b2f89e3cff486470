/*
 * libwebsockets-test-server-extpoll - the test server on an external poll()
 *
 * Same protocols as libwebsockets-test-server (test-server-common.c), but
 * the program owns the poll loop, as an application that integrates
 * libwebsockets into its own event loop would:
 *
 *  - the library reports every socket it wants watched through the
 *    protocols[0] callback: LWS_CALLBACK_ADD_POLL_FD, DEL_POLL_FD and
 *    CHANGE_MODE_POLL_FD, with a struct libwebsocket_pollargs in `in`;
 *  - we keep those in a pollfd array, with an fd -> index table so that
 *    removing or changing an fd costs O(1);
 *  - we poll() ourselves and hand each pollfd with events to
 *    libwebsocket_service_fd(); once a second libwebsocket_service_fd()
 *    with NULL lets the library run its timeouts.
 *
 * SIGINT or SIGTERM ends the loop and destroys the context.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test-server-common.h"

static struct pollfd *pollfds;	/* the sockets the library wants watched */
static int *fd_to_index;	/* fd -> index in pollfds, -1 if absent */
static int count_pollfds;
static int max_fds;		/* size of both tables */

static int
callback_http_extpoll(struct libwebsocket_context *context,
		      struct libwebsocket *wsi,
		      enum libwebsocket_callback_reasons reason, void *user,
		      void *in, size_t len);

static struct libwebsocket_protocols protocols[] = {
	[PROTOCOL_HTTP] = {
		.name = "http-only",
		.callback = callback_http_extpoll,
		.per_session_data_size =
			sizeof(struct per_session_data__http),
	},
	[PROTOCOL_DUMB_INCREMENT] = {
		.name = "dumb-increment-protocol",
		.callback = callback_dumb_increment,
		.per_session_data_size =
			sizeof(struct per_session_data__dumb_increment),
		.rx_buffer_size = 10,
	},
	[PROTOCOL_LWS_MIRROR] = {
		.name = "lws-mirror-protocol",
		.callback = callback_lws_mirror,
		.per_session_data_size =
			sizeof(struct per_session_data__lws_mirror),
		.rx_buffer_size = 128,
	},
	[PROTOCOL_COUNT] = { .name = NULL, .callback = NULL }	/* end */
};

static int
poll_add(const struct libwebsocket_pollargs *pa)
{
	if (pa->fd < 0 || pa->fd >= max_fds || count_pollfds >= max_fds) {
		lwsl_err("extpoll: no room for fd %d\n", pa->fd);
		return 1;
	}
	if (fd_to_index[pa->fd] >= 0) {
		lwsl_err("extpoll: fd %d added twice\n", pa->fd);
		return 1;
	}
	fd_to_index[pa->fd] = count_pollfds;
	pollfds[count_pollfds].fd = pa->fd;
	pollfds[count_pollfds].events = (short)pa->events;
	pollfds[count_pollfds].revents = 0;
	count_pollfds++;

	return 0;
}

/* Removes by moving the last entry into the hole: the array stays dense. */
static int
poll_del(const struct libwebsocket_pollargs *pa)
{
	int index, last;

	if (pa->fd < 0 || pa->fd >= max_fds || fd_to_index[pa->fd] < 0) {
		lwsl_err("extpoll: removing unknown fd %d\n", pa->fd);
		return 1;
	}
	index = fd_to_index[pa->fd];
	last = --count_pollfds;
	if (index != last) {
		pollfds[index] = pollfds[last];
		fd_to_index[pollfds[index].fd] = index;
	}
	fd_to_index[pa->fd] = -1;

	return 0;
}

static int
poll_change(const struct libwebsocket_pollargs *pa)
{
	if (pa->fd < 0 || pa->fd >= max_fds || fd_to_index[pa->fd] < 0) {
		lwsl_err("extpoll: changing unknown fd %d\n", pa->fd);
		return 1;
	}
	pollfds[fd_to_index[pa->fd]].events = (short)pa->events;

	return 0;
}

/*
 * The poll-array callbacks only ever come to protocols[0]; everything else
 * is the shared HTTP handler.
 */
static int
callback_http_extpoll(struct libwebsocket_context *context,
		      struct libwebsocket *wsi,
		      enum libwebsocket_callback_reasons reason, void *user,
		      void *in, size_t len)
{
	switch (reason) {
	case LWS_CALLBACK_ADD_POLL_FD:
		return poll_add(in);
	case LWS_CALLBACK_DEL_POLL_FD:
		return poll_del(in);
	case LWS_CALLBACK_CHANGE_MODE_POLL_FD:
		return poll_change(in);
	case LWS_CALLBACK_LOCK_POLL:
	case LWS_CALLBACK_UNLOCK_POLL:
		return 0;	/* single-threaded: nothing to lock */
	default:
		return callback_http(context, wsi, reason, user, in, len);
	}
}

/* Sized by the fd limit, so any fd the process can open fits. */
static int
poll_tables_init(void)
{
	long limit = sysconf(_SC_OPEN_MAX);
	int n;

	if (limit <= 0 || limit > 1 << 24)
		return -1;
	max_fds = (int)limit;
	pollfds = calloc((size_t)max_fds, sizeof(*pollfds));
	fd_to_index = malloc((size_t)max_fds * sizeof(*fd_to_index));
	if (!pollfds || !fd_to_index)
		return -1;
	for (n = 0; n < max_fds; n++)
		fd_to_index[n] = -1;

	return 0;
}

/* One round: poll, service what is ready.  -1 if the library failed. */
static int
service_round(struct libwebsocket_context *context)
{
	int n, i;

	n = poll(pollfds, (nfds_t)count_pollfds, 50);
	if (n < 0)
		return errno == EINTR ? 0 : -1;

	/*
	 * Servicing may add or remove fds.  A removal moves the last entry
	 * into the hole, so an entry can be skipped this round; poll() is
	 * level-triggered and reports it again next round.
	 */
	for (i = 0; n > 0 && i < count_pollfds; i++) {
		if (!pollfds[i].revents)
			continue;
		n--;
		if (libwebsocket_service_fd(context, &pollfds[i]) < 0)
			return -1;
	}

	return 0;
}

int
main(int argc, char **argv)
{
	struct test_server_options opts;
	struct lws_context_creation_info info;
	struct libwebsocket_context *context;
	long long last_timeout_ms;
	int n;

	n = test_server_parse_options("libwebsockets-test-server-extpoll",
				      argc, argv, &opts);
	if (n)
		return n > 0 ? 0 : 1;

	lws_set_log_level(opts.debug_level, NULL);
	lwsl_notice("libwebsockets-test-server-extpoll, library %s\n",
		    lws_get_library_version());
	n = test_workers_start("test-server-extpoll", opts.workers, opts.port);
	if (n >= 0)
		return n;

	/* The listen socket is announced during context creation. */
	if (poll_tables_init()) {
		fprintf(stderr, "test-server-extpoll: out of memory\n");
		return 1;
	}

	test_server_fill_info(&info, &opts, protocols);
	test_exit_on_signals();

	context = libwebsocket_create_context(&info);
	if (!context) {
		fprintf(stderr, "test-server-extpoll: "
			"libwebsocket_create_context failed (port %d)\n",
			opts.port);
		return 1;
	}
	test_workers_listening("test-server-extpoll", opts.port);

	last_timeout_ms = test_monotonic_ms();
	n = 0;
	while (n >= 0 && !test_force_exit) {
		test_server_tick(&protocols[PROTOCOL_DUMB_INCREMENT]);
		n = service_round(context);
		if (n >= 0 && test_monotonic_ms() - last_timeout_ms >= 1000) {
			last_timeout_ms = test_monotonic_ms();
			n = libwebsocket_service_fd(context, NULL);
		}
	}

	libwebsocket_context_destroy(context);
	test_workers_report("test-server-extpoll");
	free(pollfds);
	free(fd_to_index);
	if (n < 0) {
		fprintf(stderr, "test-server-extpoll: service failed\n");
		return 1;
	}
	fprintf(stderr, "test-server-extpoll: exited cleanly\n");

	return 0;
}
