/*
 * echo-lws4 - the benchmark's reference echo server, on libwebsockets 4.x
 *
 * Built against the system's libwebsockets (Debian's libwebsockets-dev),
 * never against this project.  It does what our libwebsockets-test-echo
 * does, the same way, so that a difference in cost is the library's and not
 * the program's:
 *
 *  - one protocol, protocols[0], which a client asking for no subprotocol
 *    gets;
 *  - a message that arrives in one RECEIVE goes straight back from RECEIVE,
 *    copied into one static buffer with LWS_PRE bytes of headroom, when no
 *    reply waits in the queue and neither lws_partial_buffered() nor
 *    lws_send_pipe_choked() objects;
 *  - otherwise the RECEIVE pieces of a message are collected into one buffer
 *    (with LWS_PRE bytes of headroom) until lws_remaining_packet_payload()
 *    is 0 and lws_is_final_fragment() says the message is over, then sent
 *    back at once under the same condition, or queued;
 *  - queued messages are written back with their own opcode on WRITEABLE
 *    until the queue is empty, lws_partial_buffered() or
 *    lws_send_pipe_choked();
 *  - while more than 64 messages wait, the connection's input is paused with
 *    lws_rx_flow_control(), and resumed at 16;
 *  - rx_buffer_size is 64 KiB.
 *
 * Options: -p/--port N (default 7681), -d/--debug LEVEL (lws log bitmask,
 * default errors and warnings), --rx-buffer N and --tx-packet N (the
 * protocol's rx_buffer_size, default 65536 as our test-echo uses, and
 * tx_packet_size, default 0: the library's).  SIGINT/SIGTERM end it
 * cleanly.
 *
 * --ssl-cert FILE --ssl-key FILE serve wss:// with that certificate, as our
 * test-echo --ssl does.  --deflate offers the library's own
 * permessage-deflate (RFC 7692), as our test-echo does by default with
 * libwebsocket_get_internal_extensions(); --deflate-option NAME=VALUE
 * (repeatable) sets one of its options on each connection with
 * lws_set_extension_option(), e.g. compression_level=6 (lws 4.x uses 1
 * unless told, zlib's own default and ours is 6) to compare like for like,
 * or rx_buf_size=16 (a power of two; 10, i.e. 1 KiB, by default).
 */

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#if LWS_LIBRARY_VERSION_MAJOR < 4
#error "echo-lws4 must be built against libwebsockets 4.x (the system's)"
#endif

#define QUEUE_PAUSE		64
#define QUEUE_RESUME		16
#define RX_BUFFER		65536
#define MAX_MESSAGE		(64u * 1024 * 1024)

struct message {
	struct message *next;
	unsigned char *storage;		/* LWS_PRE + payload */
	size_t len;
	int binary;
};

struct session {
	/* the message being received */
	unsigned char *storage;
	size_t len, capacity;
	int binary;
	int collecting;
	/* complete messages waiting to go back */
	struct message *head, *tail;
	unsigned int count;
	int rx_paused;
};

static volatile int force_exit;
/* Where a one-piece message is echoed from (the server is single-threaded). */
static unsigned char scratch[LWS_PRE + RX_BUFFER];
/* --deflate-option NAME=VALUE, split, for lws_set_extension_option() */
#define MAX_DEFLATE_OPTIONS 8
static struct {
	char *name;
	const char *value;
} deflate_options[MAX_DEFLATE_OPTIONS];
static int n_deflate_options;

/* The extensions --deflate offers: permessage-deflate only. */
static const struct lws_extension extensions[] = {
	{
		"permessage-deflate",
		lws_extension_callback_pm_deflate,
		"permessage-deflate; client_max_window_bits"
	},
	{ NULL, NULL, NULL }
};

static void
message_free(struct message *m)
{
	free(m->storage);
	free(m);
}

static void
session_clear(struct session *s)
{
	struct message *m;

	while ((m = s->head)) {
		s->head = m->next;
		message_free(m);
	}
	s->tail = NULL;
	s->count = 0;
	free(s->storage);
	s->storage = NULL;
	s->len = s->capacity = 0;
	s->collecting = 0;
}

/* Appends one RECEIVE piece; 1 when the message is complete, -1 on error. */
static int
collect(struct session *s, struct lws *wsi, const void *in, size_t len)
{
	if (!s->collecting) {
		s->collecting = 1;
		s->binary = lws_frame_is_binary(wsi);
	}
	if (len > MAX_MESSAGE || s->len > MAX_MESSAGE - len)
		return -1;
	if (!s->storage || s->len + len > s->capacity) {
		size_t cap = s->capacity ? s->capacity : 256;
		unsigned char *p;

		while (cap < s->len + len)
			cap *= 2;
		p = realloc(s->storage, LWS_PRE + cap);
		if (!p)
			return -1;
		s->storage = p;
		s->capacity = cap;
	}
	if (len)
		memcpy(s->storage + LWS_PRE + s->len, in, len);
	s->len += len;

	return lws_remaining_packet_payload(wsi) == 0 &&
	       lws_is_final_fragment(wsi);
}

/* Whether a reply may be written now rather than queued. */
static int
can_send_now(struct session *s, struct lws *wsi)
{
	return !s->count && !lws_partial_buffered(wsi) &&
	       !lws_send_pipe_choked(wsi);
}

/* p has LWS_PRE bytes before it; lws keeps what the socket did not take. */
static int
send_back(struct lws *wsi, unsigned char *p, size_t len, int binary)
{
	int n = lws_write(wsi, p, len,
			  binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);

	if (n < 0 || (size_t)n < len) {
		lwsl_err("echo: write failed (%d of %lu)\n", n,
			 (unsigned long)len);
		return -1;
	}
	return 0;
}

/* Sends the collected message back now, or moves it to the send queue. */
static int
enqueue(struct session *s, struct lws *wsi)
{
	struct message *m;
	int n;

	if (can_send_now(s, wsi)) {
		n = send_back(wsi, s->storage + LWS_PRE, s->len, s->binary);
		free(s->storage);
		s->storage = NULL;
		s->len = s->capacity = 0;
		s->collecting = 0;
		return n;
	}
	m = malloc(sizeof(*m));
	if (!m)
		return -1;
	m->next = NULL;
	m->storage = s->storage;
	m->len = s->len;
	m->binary = s->binary;
	s->storage = NULL;
	s->len = s->capacity = 0;
	s->collecting = 0;

	if (s->tail)
		s->tail->next = m;
	else
		s->head = m;
	s->tail = m;
	s->count++;
	lws_callback_on_writable(wsi);

	if (!s->rx_paused && s->count > QUEUE_PAUSE) {
		lws_rx_flow_control(wsi, 0);
		s->rx_paused = 1;
	}
	return 0;
}

static int
write_queued(struct session *s, struct lws *wsi)
{
	struct message *m;
	int n;

	while ((m = s->head)) {
		s->head = m->next;
		if (!s->head)
			s->tail = NULL;
		s->count--;

		n = send_back(wsi, m->storage + LWS_PRE, m->len, m->binary);
		message_free(m);
		if (n)
			return -1;

		if (lws_partial_buffered(wsi) || lws_send_pipe_choked(wsi))
			break;
	}

	if (s->rx_paused && s->count <= QUEUE_RESUME) {
		lws_rx_flow_control(wsi, 1);
		s->rx_paused = 0;
	}
	if (s->count)
		lws_callback_on_writable(wsi);
	return 0;
}

static int
callback_echo(struct lws *wsi, enum lws_callback_reasons reason, void *user,
	      void *in, size_t len)
{
	struct session *s = user;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		/* Nothing to serve: this server only speaks websocket. */
		lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, NULL);
		return -1;

	case LWS_CALLBACK_ESTABLISHED: {
		int i;

		/*
		 * Before the first message: the zlib streams are set up when
		 * the first message goes through.  Not an error if the
		 * client did not negotiate the extension.
		 */
		for (i = 0; i < n_deflate_options; i++)
			(void)lws_set_extension_option(wsi, "permessage-deflate",
						       deflate_options[i].name,
						       deflate_options[i].value);
		return 0;
	}

	case LWS_CALLBACK_RECEIVE:
		if (!s->collecting && len <= RX_BUFFER &&
		    !lws_remaining_packet_payload(wsi) &&
		    lws_is_final_fragment(wsi) && can_send_now(s, wsi)) {
			memcpy(scratch + LWS_PRE, in, len);
			return send_back(wsi, scratch + LWS_PRE, len,
					 lws_frame_is_binary(wsi));
		}
		switch (collect(s, wsi, in, len)) {
		case 0:
			return 0;
		case 1:
			return enqueue(s, wsi);
		default:
			lwsl_err("echo: message too large or out of memory\n");
			return -1;
		}

	case LWS_CALLBACK_SERVER_WRITEABLE:
		return write_queued(s, wsi);

	case LWS_CALLBACK_CLOSED:
		session_clear(s);
		return 0;

	default:
		break;
	}
	/* HTTP plumbing (bind protocol, headers, ...) as lws does by default. */
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/* Not const: --rx-buffer and --tx-packet fill in the sizes. */
static struct lws_protocols protocols[] = {
	{
		.name = "lws-echo",
		.callback = callback_echo,
		.per_session_data_size = sizeof(struct session),
		.rx_buffer_size = RX_BUFFER,
		/* tx_packet_size 0: the library's default */
	},
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static void
on_signal(int sig)
{
	(void)sig;
	force_exit = 1;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "debug", required_argument, NULL, 'd' },
		{ "rx-buffer", required_argument, NULL, 'r' },
		{ "tx-packet", required_argument, NULL, 't' },
		{ "ssl-cert", required_argument, NULL, 'C' },
		{ "ssl-key", required_argument, NULL, 'K' },
		{ "deflate", no_argument, NULL, 'z' },
		{ "deflate-option", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const char usage[] =
		"Usage: echo-lws4 [-p PORT] [-d LOGLEVEL] [--rx-buffer N] "
		"[--tx-packet N]\n"
		"                 [--ssl-cert FILE --ssl-key FILE] [--deflate] "
		"[--deflate-option NAME=VALUE]...\n";
	const char *cert = NULL, *key = NULL;
	int deflate = 0;
	struct lws_context_creation_info info;
	struct lws_context *context;
	int port = 7681, level = LLL_ERR | LLL_WARN, c, n = 0;

	while ((c = getopt_long(argc, argv, "p:d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			port = atoi(optarg);
			break;
		case 'd':
			level = atoi(optarg);
			break;
		case 'r':
			protocols[0].rx_buffer_size = strtoul(optarg, NULL, 0);
			break;
		case 't':
			protocols[0].tx_packet_size = strtoul(optarg, NULL, 0);
			break;
		case 'C':
			cert = optarg;
			break;
		case 'K':
			key = optarg;
			break;
		case 'z':
			deflate = 1;
			break;
		case 'O': {
			char *eq = strchr(optarg, '=');

			if (!eq || n_deflate_options == MAX_DEFLATE_OPTIONS) {
				fprintf(stderr, "%s", usage);
				return 1;
			}
			*eq = '\0';
			deflate_options[n_deflate_options].name = optarg;
			deflate_options[n_deflate_options++].value = eq + 1;
			deflate = 1;
			break;
		}
		case 'h':
			printf("%s", usage);
			return 0;
		default:
			fprintf(stderr, "%s", usage);
			return 1;
		}
	}
	if (port < 1 || port > 65535) {
		fprintf(stderr, "echo-lws4: bad port\n");
		return 1;
	}
	if (!cert != !key) {
		fprintf(stderr, "echo-lws4: --ssl-cert and --ssl-key go "
			"together\n");
		return 1;
	}

	lws_set_log_level(level, NULL);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	memset(&info, 0, sizeof(info));
	info.port = port;
	info.protocols = protocols;
	info.gid = -1;
	info.uid = -1;
	if (cert) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = cert;
		info.ssl_private_key_filepath = key;
	}
	if (deflate)
		info.extensions = extensions;

	context = lws_create_context(&info);
	if (!context) {
		fprintf(stderr, "echo-lws4: lws_create_context failed\n");
		return 1;
	}
	fprintf(stderr, "echo-lws4: libwebsockets %s, listening on port %d%s%s\n",
		lws_get_library_version(), port, cert ? ", TLS" : "",
		deflate ? ", permessage-deflate" : "");

	while (n >= 0 && !force_exit)
		n = lws_service(context, 0);

	lws_context_destroy(context);
	fprintf(stderr, "echo-lws4: exited\n");
	return 0;
}
