/*
 * client-ours - the benchmark's echo client on our libwebsockets (1.4 API)
 *
 * One connection with libwebsocket_client_connect(); on CLIENT_WRITEABLE
 * it writes messages until --window are in flight (stopping early if the
 * library holds a partial write or the socket is full, and asking for
 * another WRITEABLE); each echo's pieces are collected on CLIENT_RECEIVE
 * until libwebsockets_remaining_packet_payload() is 0 and
 * libwebsocket_is_final_fragment() says the message is over.  No
 * extensions.  bench/client-lws4.c does the same on libwebsockets 4.x;
 * client-common.h has the rest.
 */

#include <libwebsockets.h>

#include "client-common.h"

static int
callback_echo(struct libwebsocket_context *context, struct libwebsocket *wsi,
	      enum libwebsocket_callback_reasons reason, void *user, void *in,
	      size_t len)
{
	(void)user;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		on_established();
		libwebsocket_callback_on_writable(context, wsi);
		break;

	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		fprintf(stderr, "client-ours: connection failed\n");
		run.failed = 1;
		run.done = 1;
		break;

	case LWS_CALLBACK_CLIENT_WRITEABLE:
		while (may_send()) {
			unsigned char *p =
				next_payload(LWS_SEND_BUFFER_PRE_PADDING);
			int n = libwebsocket_write(wsi, p, opt.size,
						   LWS_WRITE_BINARY);

			if (n < 0 || (size_t)n < opt.size) {
				fprintf(stderr, "client-ours: write failed "
					"(%d)\n", n);
				run.errors++;
				return -1;
			}
			on_sent();
			if (lws_partial_buffered(wsi) ||
			    lws_send_pipe_choked(wsi))
				break;
		}
		if (may_send())
			libwebsocket_callback_on_writable(context, wsi);
		break;

	case LWS_CALLBACK_CLIENT_RECEIVE:
		switch (on_piece(in, len,
				 libwebsockets_remaining_packet_payload(wsi) == 0 &&
				 libwebsocket_is_final_fragment(wsi))) {
		case -1:
			return -1;
		case 1:
			if (may_send())
				libwebsocket_callback_on_writable(context, wsi);
			break;
		}
		break;

	case LWS_CALLBACK_CLOSED:
		if (!run.done) {
			fprintf(stderr, "client-ours: connection closed\n");
			run.failed = 1;
			run.done = 1;
		}
		break;

	default:
		break;
	}
	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	{
		.name = "lws-echo",
		.callback = callback_echo,
		.per_session_data_size = 0,
		/* rx_buffer_size 0: the library's default */
	},
	{ .name = NULL, .callback = NULL }
};

int
main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	struct libwebsocket_context *context;
	struct libwebsocket *wsi;
	int n;

	n = parse_options(argc, argv, "client-ours");
	if (n)
		return n > 0 ? 0 : 2;
	if (setup(LWS_SEND_BUFFER_PRE_PADDING, LWS_SEND_BUFFER_POST_PADDING))
		return 2;
	lws_set_log_level(opt.debug, NULL);

	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.gid = -1;
	info.uid = -1;
	context = libwebsocket_create_context(&info);
	if (!context) {
		fprintf(stderr, "client-ours: libwebsocket_create_context "
			"failed\n");
		return 2;
	}

	wsi = libwebsocket_client_connect(context, opt.host, opt.port, 0, "/",
					  opt.host, opt.host, protocols[0].name,
					  -1);
	if (!wsi) {
		fprintf(stderr, "client-ours: libwebsocket_client_connect "
			"failed\n");
		run.failed = 1;
		run.done = 1;
	}
	n = 0;
	while (n >= 0 && !run.done && !stalled())
		n = libwebsocket_service(context, 1000);

	n = report("ours", lws_get_library_version());
	libwebsocket_context_destroy(context);
	return n;
}
