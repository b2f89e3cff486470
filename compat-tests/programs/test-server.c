/*
 * libwebsockets-test-server - HTTP + dumb-increment + mirror demo server
 *
 * Serves test.html and its images over HTTP and two websocket protocols
 * (see test-server-common.c), with the library running the poll loop:
 * the main loop is just libwebsocket_service() plus the 50 ms tick that
 * drives the dumb-increment counter.
 *
 * Run it and open http://localhost:7681/ in a browser; --help lists the
 * options.  SIGINT or SIGTERM ends the loop and destroys the context.
 */

#include <stdio.h>
#include <stdlib.h>

#include "test-server-common.h"

static struct libwebsocket_protocols protocols[] = {
	[PROTOCOL_HTTP] = {
		.name = "http-only",
		.callback = callback_http,
		.per_session_data_size =
			sizeof(struct per_session_data__http),
	},
	[PROTOCOL_DUMB_INCREMENT] = {
		.name = "dumb-increment-protocol",
		.callback = callback_dumb_increment,
		.per_session_data_size =
			sizeof(struct per_session_data__dumb_increment),
		.rx_buffer_size = 10,	/* "reset\n" is all it ever reads */
	},
	[PROTOCOL_LWS_MIRROR] = {
		.name = "lws-mirror-protocol",
		.callback = callback_lws_mirror,
		.per_session_data_size =
			sizeof(struct per_session_data__lws_mirror),
		.rx_buffer_size = 128,	/* small on purpose: messages span */
	},				/* several RECEIVE callbacks */
	[PROTOCOL_COUNT] = { .name = NULL, .callback = NULL }	/* end */
};

int
main(int argc, char **argv)
{
	struct test_server_options opts;
	struct lws_context_creation_info info;
	struct libwebsocket_context *context;
	int n;

	n = test_server_parse_options("libwebsockets-test-server", argc, argv,
				      &opts);
	if (n)
		return n > 0 ? 0 : 1;

	lws_set_log_level(opts.debug_level, NULL);
	lwsl_notice("libwebsockets-test-server, library %s\n",
		    lws_get_library_version());
	n = test_workers_start("test-server", opts.workers, opts.port);
	if (n >= 0)
		return n;

	test_server_fill_info(&info, &opts, protocols);
	test_exit_on_signals();

	context = libwebsocket_create_context(&info);
	if (!context) {
		fprintf(stderr, "test-server: libwebsocket_create_context "
			"failed (port %d)\n", opts.port);
		return 1;
	}
	test_workers_listening("test-server", opts.port);

	n = 0;
	while (n >= 0 && !test_force_exit) {
		test_server_tick(&protocols[PROTOCOL_DUMB_INCREMENT]);
		/* 50 ms keeps the tick on time and notices SIGINT quickly. */
		n = libwebsocket_service(context, 50);
	}

	libwebsocket_context_destroy(context);
	test_workers_report("test-server");
	if (n < 0) {
		fprintf(stderr, "test-server: libwebsocket_service failed\n");
		return 1;
	}
	fprintf(stderr, "test-server: exited cleanly\n");

	return 0;
}
