/*
 * legacy-style: does a program written the way 1.4 programs were written
 * still build warning-free against our header?
 *
 * Real 1.4 applications are built with -Wall -Werror (1.4's own build used
 * those flags), and were warning-free against 1.4's header, whose _lws_log
 * carried no printf format attribute. So this program does what they do:
 * size_t and sizeof values logged with %d, protocol tables initialised
 * positionally with the trailing members left out, the 1.4 function
 * signatures (serve_http_file with other_headers and its length, the
 * callback prototype, get_peer_addresses with int lengths), a service loop
 * with a signal handler. It is compiled with
 *
 *   gcc -std=gnu99 -Wall -Wextra -Wno-missing-field-initializers -Werror
 *
 * -Wno-missing-field-initializers because -Wextra flags the positional
 * { "name", callback, size, rx } idiom against 1.4's header just as much:
 * a program built with it never was warning-free. Everything else is
 * warning-free against 1.4's header, and must stay so against ours.
 *
 * Linked as well (every symbol it uses must exist); it is never run.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#define MAX_ECHO_PAYLOAD 1024

static volatile int force_exit;

struct per_session_data__http {
	int fd;
};

struct per_session_data__echo {
	size_t len;
	unsigned char buf[LWS_SEND_BUFFER_PRE_PADDING + MAX_ECHO_PAYLOAD +
			  LWS_SEND_BUFFER_POST_PADDING];
};

static void dump_handshake_info(struct libwebsocket *wsi)
{
	char buf[256];
	int n;

	for (n = 0; n < WSI_TOKEN_COUNT; n++) {
		const unsigned char *name;

		if (!lws_hdr_total_length(wsi, n))
			continue;
		name = lws_token_to_string(n);
		lws_hdr_copy(wsi, buf, sizeof buf, n);
		fprintf(stderr, "    %s = %s\n", (const char *)name, buf);
	}
}

static int callback_http(struct libwebsocket_context *context,
			 struct libwebsocket *wsi,
			 enum libwebsocket_callback_reasons reason, void *user,
			 void *in, size_t len)
{
	struct per_session_data__http *pss = user;
	char client_name[128];
	char client_ip[128];
	static const char headers[] = "Cache-Control: no-cache\x0d\x0a";

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		dump_handshake_info(wsi);
		if (len < 1) {
			libwebsockets_return_http_status(context, wsi,
						HTTP_STATUS_BAD_REQUEST, NULL);
			return -1;
		}
		/* The 1.4 habit: a size_t straight into %d. */
		lwsl_notice("HTTP request for %s, uri length %d\n",
			    (char *)in, len);
		pss->fd = -1;
		lwsl_info("session data is %d bytes\n",
			  sizeof(struct per_session_data__http));
		if (libwebsockets_serve_http_file(context, wsi, "/dev/null",
						  "text/plain", headers,
						  sizeof(headers) - 1))
			return -1;
		break;
	case LWS_CALLBACK_HTTP_BODY:
		lwsl_notice("body chunk of %d bytes\n", len);
		break;
	case LWS_CALLBACK_HTTP_FILE_COMPLETION:
		return -1;
	case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
		libwebsockets_get_peer_addresses(context, wsi, (int)(long)user,
						 client_name,
						 sizeof(client_name),
						 client_ip, sizeof(client_ip));
		lwsl_notice("Received network connect from %s (%s)\n",
			    client_name, client_ip);
		break;
	default:
		break;
	}
	return 0;
}

static int callback_echo(struct libwebsocket_context *context,
			 struct libwebsocket *wsi,
			 enum libwebsocket_callback_reasons reason, void *user,
			 void *in, size_t len)
{
	struct per_session_data__echo *pss = user;
	int n;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		lwsl_notice("echo connection established, buffer %d\n",
			    sizeof(pss->buf));
		break;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		n = libwebsocket_write(wsi,
				&pss->buf[LWS_SEND_BUFFER_PRE_PADDING],
				pss->len, LWS_WRITE_TEXT);
		if (n < 0) {
			lwsl_err("ERROR %d writing to socket\n", n);
			return 1;
		}
		if (n < (int)pss->len)
			lwsl_err("Partial write: %d vs %d\n", n, pss->len);
		break;
	case LWS_CALLBACK_RECEIVE:
		if (len > MAX_ECHO_PAYLOAD) {
			lwsl_err("Server received packet bigger than %u, "
				 "hanging up\n", MAX_ECHO_PAYLOAD);
			return 1;
		}
		memcpy(&pss->buf[LWS_SEND_BUFFER_PRE_PADDING], in, len);
		pss->len = (unsigned int)len;
		lwsl_debug("rx %d, remaining %d, final %d\n", len,
			   libwebsockets_remaining_packet_payload(wsi),
			   libwebsocket_is_final_fragment(wsi));
		libwebsocket_callback_on_writable(context, wsi);
		break;
	default:
		break;
	}
	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	/* first protocol must always be the HTTP handler */
	{ "http-only", callback_http, sizeof(struct per_session_data__http), 0 },
	{ "lws-echo", callback_echo, sizeof(struct per_session_data__echo), 0 },
	{ NULL, NULL, 0, 0 }
};

static void sighandler(int sig)
{
	(void)sig;
	force_exit = 1;
}

int main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	struct libwebsocket_context *context;
	int debug_level = 7;
	int n = 0;

	memset(&info, 0, sizeof info);
	info.port = 7681;
	if (argc > 1)
		info.port = atoi(argv[1]);
	info.iface = NULL;
	info.protocols = protocols;
#ifndef LWS_NO_EXTENSIONS
	info.extensions = libwebsocket_get_internal_extensions();
#endif
	info.ssl_cert_filepath = NULL;
	info.ssl_private_key_filepath = NULL;
	info.gid = -1;
	info.uid = -1;
	info.options = 0;

	lws_set_log_level(debug_level, lwsl_emit_syslog);
	lwsl_notice("libwebsockets %s, protocols table of %d bytes\n",
		    lws_get_library_version(), sizeof(protocols));

	signal(SIGINT, sighandler);

	context = libwebsocket_create_context(&info);
	if (context == NULL) {
		lwsl_err("libwebsocket init failed\n");
		return -1;
	}

	while (n >= 0 && !force_exit) {
		n = libwebsocket_service(context, 50);
		libwebsocket_callback_on_writable_all_protocol(&protocols[1]);
	}

	libwebsocket_context_destroy(context);
	lwsl_notice("exited cleanly\n");
	return 0;
}
