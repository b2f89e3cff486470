/*
 * client-lws4 - the benchmark's echo client on libwebsockets 4.x
 *
 * Built against the system's libwebsockets (Debian's libwebsockets-dev),
 * never against this project.  It does what bench/client-ours.c does with
 * our library, the same way: one connection (lws_client_connect_via_info);
 * on CLIENT_WRITEABLE messages are written until --window are in flight
 * (stopping early at lws_partial_buffered() or lws_send_pipe_choked() and
 * asking for another WRITEABLE); each echo's pieces are collected on
 * CLIENT_RECEIVE until lws_remaining_packet_payload() is 0 and
 * lws_is_final_fragment() says the message is over.  No extensions.
 * client-common.h has the rest.
 */

#include <libwebsockets.h>

#include "client-common.h"

#if LWS_LIBRARY_VERSION_MAJOR < 4
#error "client-lws4 must be built against libwebsockets 4.x (the system's)"
#endif

static int
callback_echo(struct lws *wsi, enum lws_callback_reasons reason, void *user,
	      void *in, size_t len)
{
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		on_established();
		lws_callback_on_writable(wsi);
		break;

	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		fprintf(stderr, "client-lws4: connection failed: %s\n",
			in ? (const char *)in : "-");
		run.failed = 1;
		run.done = 1;
		break;

	case LWS_CALLBACK_CLIENT_WRITEABLE:
		while (may_send()) {
			unsigned char *p = next_payload(LWS_PRE);
			int n = lws_write(wsi, p, opt.size, LWS_WRITE_BINARY);

			if (n < 0 || (size_t)n < opt.size) {
				fprintf(stderr, "client-lws4: write failed "
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
			lws_callback_on_writable(wsi);
		break;

	case LWS_CALLBACK_CLIENT_RECEIVE:
		switch (on_piece(in, len,
				 lws_remaining_packet_payload(wsi) == 0 &&
				 lws_is_final_fragment(wsi))) {
		case -1:
			return -1;
		case 1:
			if (may_send())
				lws_callback_on_writable(wsi);
			break;
		}
		break;

	case LWS_CALLBACK_CLIENT_CLOSED:
		if (!run.done) {
			fprintf(stderr, "client-lws4: connection closed\n");
			run.failed = 1;
			run.done = 1;
		}
		break;

	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
	/* rx_buffer_size and tx_packet_size 0: the library's defaults */
	{ "lws-echo", callback_echo, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

int
main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	struct lws_client_connect_info cc;
	struct lws_context *context;
	int n;

	n = parse_options(argc, argv, "client-lws4");
	if (n)
		return n > 0 ? 0 : 2;
	if (setup(LWS_PRE, 0))
		return 2;
	lws_set_log_level(opt.debug, NULL);

	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.gid = -1;
	info.uid = -1;
	context = lws_create_context(&info);
	if (!context) {
		fprintf(stderr, "client-lws4: lws_create_context failed\n");
		return 2;
	}

	memset(&cc, 0, sizeof(cc));
	cc.context = context;
	cc.address = opt.host;
	cc.port = opt.port;
	cc.path = "/";
	cc.host = opt.host;
	cc.origin = opt.host;
	cc.protocol = protocols[0].name;
	if (!lws_client_connect_via_info(&cc)) {
		fprintf(stderr, "client-lws4: lws_client_connect_via_info "
			"failed\n");
		run.failed = 1;
		run.done = 1;
	}
	n = 0;
	while (n >= 0 && !run.done && !stalled())
		n = lws_service(context, 0);

	n = report("lws4", lws_get_library_version());
	lws_context_destroy(context);
	return n;
}
