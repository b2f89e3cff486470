/*
 * Several contexts in one process, each serviced by a thread of its own
 * (the 1.4 model: a context belongs to the thread that services it, the
 * process-wide settings are shared): four server contexts, two plain and
 * two TLS, and four client contexts, each driving one server with CONNS
 * connections that send msgs messages of 1 byte to 96 KiB, text and
 * binary, every echo checked byte for byte. Every context is created,
 * serviced and destroyed by its own thread, all of them at once.
 *
 * Meanwhile the main thread keeps changing the log level (the emitter
 * counts lines from every thread), and every block the library hands to C
 * comes from a counting allocator (lws_set_allocator).
 *
 * At the end: every message came back intact, every connection was
 * established and closed on both sides, every thread destroyed its
 * context, and every block allocated was freed.
 *
 * Under helgrind (tests.cmake, LWS_TEST_TOOL=helgrind) a data race fails
 * the run. There one TLS pair first runs on the main thread alone: helgrind
 * cannot see the atomics that make one-time initialisation thread-safe
 * (Swift's lazily initialised globals, OpenSSL's own set-up), so it would
 * report every first use of them from two threads; after the warm-up,
 * thread creation orders them before everything the threads do.
 * LWS_TEST_SLOW=1 (the valgrind runs) sends fewer messages.
 */
#define _GNU_SOURCE             /* pthread_tryjoin_np */
#include <pthread.h>

#include "serverkit.h"

#define PAIRS 4                 /* server contexts, and client contexts */
#define CONNS 4                 /* connections per pair */

static int msgs = 400;          /* per connection */
static int slow = 1;            /* factor for time bounds */

static const size_t sizes[] = { 1, 125, 126, 1000, 4096, 4097, 20000, 65535, 65536, 98304 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))
#define MAX_SIZE 98304

/* ------------------------------------------------------------------------
 * Process-wide state the threads share: allocator and log emitter
 * ------------------------------------------------------------------------ */

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static long blocks_allocated, blocks_freed, log_lines;
static int stop_servers;

static void *counting_realloc(void *ptr, size_t size)
{
	void *block = realloc(ptr, size);

	pthread_mutex_lock(&shared_lock);
	if (!ptr && block)
		blocks_allocated++;
	else if (ptr && !size)
		blocks_freed++;
	pthread_mutex_unlock(&shared_lock);
	return size ? block : NULL;
}

static void counting_emit(int level, const char *line)
{
	(void)level; (void)line;
	pthread_mutex_lock(&shared_lock);
	log_lines++;
	pthread_mutex_unlock(&shared_lock);
}

static int servers_stopped(void)
{
	int stop;

	pthread_mutex_lock(&shared_lock);
	stop = stop_servers;
	pthread_mutex_unlock(&shared_lock);
	return stop;
}

/* ------------------------------------------------------------------------
 * Messages: what connection conn sends as its message k
 * ------------------------------------------------------------------------ */

static size_t message_size(int conn, int k)
{
	return sizes[(size_t)(conn + k) % NSIZES];
}

static int message_is_text(int k)
{
	return !(k & 1);
}

static unsigned char message_byte(int conn, int k, size_t i)
{
	unsigned v = (unsigned)(conn * 131 + k * 7) + (unsigned)i * 13;

	return message_is_text(k) ? (unsigned char)('a' + v % 26) : (unsigned char)v;
}

/* ------------------------------------------------------------------------
 * The server side: whole messages written back as they came
 * ------------------------------------------------------------------------ */

struct server {
	int index;
	int tls;
	int port;
	struct libwebsocket_context *context;
	/* Each context its own: creation writes into the array. */
	struct libwebsocket_protocols protocols[3];
	pthread_t thread;
	/* Written by the server thread only; read by main after it joined,
	 * or under ready_lock. */
	int established, closed, echoed, errors;
	int ready;              /* context created (or failed: port -1) */
	pthread_mutex_t ready_lock;
	pthread_cond_t ready_cond;
};

struct server_session {
	unsigned char *buf;     /* LWS_SEND_BUFFER_PRE_PADDING, message, POST */
	size_t len;
	int binary;
};

static int server_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		     enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	struct server *s = (struct server *)libwebsocket_context_user(context);
	struct server_session *ss = (struct server_session *)user;
	unsigned char *payload;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		s->established++;
		ss->buf = malloc(LWS_SEND_BUFFER_PRE_PADDING + MAX_SIZE + LWS_SEND_BUFFER_POST_PADDING);
		if (!ss->buf)
			return -1;
		break;
	case LWS_CALLBACK_RECEIVE:
		if (ss->len + len > MAX_SIZE) {
			s->errors++;
			return -1;
		}
		payload = ss->buf + LWS_SEND_BUFFER_PRE_PADDING;
		memcpy(payload + ss->len, in, len);
		ss->len += len;
		ss->binary = lws_frame_is_binary(wsi);
		if (!libwebsocket_is_final_fragment(wsi) || libwebsockets_remaining_packet_payload(wsi))
			break;
		if (libwebsocket_write(wsi, payload, ss->len,
				       ss->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT) != (int)ss->len)
			s->errors++;
		s->echoed++;
		ss->len = 0;
		break;
	case LWS_CALLBACK_CLOSED:
		pthread_mutex_lock(&s->ready_lock);
		s->closed++;
		pthread_mutex_unlock(&s->ready_lock);
		free(ss->buf);
		ss->buf = NULL;
		break;
	default:
		break;
	}
	return 0;
}

static const struct libwebsocket_protocols server_protocols[] = {
	{ "http-only", kit_no_http, 0, 0, 0, NULL, NULL, 0 },
	{ "echo", server_cb, sizeof(struct server_session), 0, 0, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

static void server_ready(struct server *s, int port)
{
	pthread_mutex_lock(&s->ready_lock);
	s->port = port;
	s->ready = 1;
	pthread_cond_signal(&s->ready_cond);
	pthread_mutex_unlock(&s->ready_lock);
}

static void server_init(struct server *s, int index, int tls)
{
	s->index = index;
	s->tls = tls;
	pthread_mutex_init(&s->ready_lock, NULL);
	pthread_cond_init(&s->ready_cond, NULL);
}

/* Creates the server's context on a free port (-1 if it cannot). */
static void server_open(struct server *s)
{
	struct lws_context_creation_info info;
	int attempt;

	memcpy(s->protocols, server_protocols, sizeof(s->protocols));
	kit_server_info(&info, s->protocols);
	info.user = s;
	info.extensions = libwebsocket_get_internal_extensions();
	if (s->tls) {
		info.ssl_cert_filepath = kit_cert_path;
		info.ssl_private_key_filepath = kit_key_path;
	}
	for (attempt = 0; attempt < 10 && !s->context; attempt++) {
		info.port = kit_free_port();
		s->context = libwebsocket_create_context(&info);
	}
	server_ready(s, s->context ? info.port : -1);
}

/* The server thread: creates its context, services it until told to
 * stop, destroys it. */
static void *server_thread(void *arg)
{
	struct server *s = (struct server *)arg;

	server_open(s);
	if (!s->context)
		return NULL;
	while (!servers_stopped())
		libwebsocket_service(s->context, 20);
	libwebsocket_context_destroy(s->context);
	return NULL;
}

/* ------------------------------------------------------------------------
 * The client side: one message in flight per connection
 * ------------------------------------------------------------------------ */

struct client {
	struct server *server;
	struct libwebsocket_context *context;
	struct libwebsocket_protocols protocols[2];
	pthread_t thread;
	int next_conn;
	/* Written by the client thread only; read by main after it joined. */
	int established, closed, echoes, corrupt, failed;
};

struct client_session {
	int conn;
	int k;                  /* message in flight */
	size_t received;        /* bytes of its echo so far */
	int bad;                /* this echo differed */
};

static int send_message(struct libwebsocket *wsi, struct client_session *cs)
{
	size_t size = message_size(cs->conn, cs->k), i;
	unsigned char *buf = malloc(LWS_SEND_BUFFER_PRE_PADDING + size + LWS_SEND_BUFFER_POST_PADDING);
	unsigned char *payload = buf + LWS_SEND_BUFFER_PRE_PADDING;
	int n;

	if (!buf)
		return -1;
	for (i = 0; i < size; i++)
		payload[i] = message_byte(cs->conn, cs->k, i);
	n = libwebsocket_write(wsi, payload, size,
			       message_is_text(cs->k) ? LWS_WRITE_TEXT : LWS_WRITE_BINARY);
	free(buf);
	return n == (int)size ? 0 : -1;
}

/* One piece of an echo: checked against what was sent; a whole echo sends
 * the next message, or ends the connection after the last one. */
static int receive_piece(struct client *c, struct libwebsocket *wsi, struct client_session *cs,
			 const unsigned char *in, size_t len)
{
	size_t size = message_size(cs->conn, cs->k), i;

	if (cs->received + len > size || lws_frame_is_binary(wsi) == message_is_text(cs->k))
		cs->bad = 1;
	for (i = 0; i < len && !cs->bad; i++)
		if (in[i] != message_byte(cs->conn, cs->k, cs->received + i))
			cs->bad = 1;
	cs->received += len;
	if (!libwebsocket_is_final_fragment(wsi) || libwebsockets_remaining_packet_payload(wsi))
		return 0;
	if (cs->bad || cs->received != size)
		c->corrupt++;
	else
		c->echoes++;
	cs->received = 0;
	cs->bad = 0;
	if (++cs->k == msgs)
		return -1;      /* done: close */
	return send_message(wsi, cs);
}

static int client_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		     enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	struct client *c = (struct client *)libwebsocket_context_user(context);
	struct client_session *cs = (struct client_session *)user;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		c->established++;
		cs->conn = c->server->index * CONNS + c->next_conn++;
		return send_message(wsi, cs);
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return receive_piece(c, wsi, cs, (const unsigned char *)in, len);
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		c->failed++;
		break;
	case LWS_CALLBACK_CLOSED:
		c->closed++;
		break;
	default:
		break;
	}
	return 0;
}

static const struct libwebsocket_protocols client_protocols[] = {
	{ "echo", client_cb, sizeof(struct client_session), 0, 0, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

/* Creates the client's context and starts its connections. */
static void client_open(struct client *c)
{
	struct lws_context_creation_info info;
	int i;

	memcpy(c->protocols, client_protocols, sizeof(c->protocols));
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = c->protocols;
	info.extensions = libwebsocket_get_internal_extensions();
	info.gid = -1;
	info.uid = -1;
	info.user = c;
	/* The clients accept the self-signed certificate (ssl_connection
	 * 2), so the system's CA bundle would only cost time. */
	info.options = LWS_SERVER_OPTION_SKIP_SERVER_CANONICAL_NAME |
		       LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
	c->context = libwebsocket_create_context(&info);
	for (i = 0; c->context && i < CONNS; i++)
		if (!libwebsocket_client_connect(c->context, "127.0.0.1", c->server->port,
						 c->server->tls ? 2 : 0, "/", "localhost",
						 "localhost", "echo", -1))
			c->failed++;
}

static int client_finished(const struct client *c)
{
	return c->closed + c->failed >= CONNS;
}

/* The client thread: creates its context, connects, services until every
 * connection has ended (or the time is up), destroys it. */
static void *client_thread(void *arg)
{
	struct client *c = (struct client *)arg;
	double end = kit_now_ms() + 60000.0 * slow;

	client_open(c);
	if (!c->context)
		return NULL;
	while (!client_finished(c) && kit_now_ms() < end)
		libwebsocket_service(c->context, 20);
	libwebsocket_context_destroy(c->context);
	return NULL;
}

/* ------------------------------------------------------------------------
 * The test
 * ------------------------------------------------------------------------ */

/* The server side has seen every connection close (read under its lock:
 * the server thread is still running). */
static int server_all_closed(struct server *s)
{
	int closed;

	pthread_mutex_lock(&s->ready_lock);
	closed = s->closed;
	pthread_mutex_unlock(&s->ready_lock);
	return closed >= CONNS;
}

/* One TLS pair serviced by the main thread alone, turn by turn, checked
 * like the others. */
static void warm_up(void)
{
	static struct server s;
	static struct client c = { .server = &s };
	double end = kit_now_ms() + 60000.0 * slow;

	server_init(&s, PAIRS, 1);
	server_open(&s);
	CHECK(s.context != NULL);
	if (!s.context)
		return;
	client_open(&c);
	CHECK(c.context != NULL);
	while (c.context && !client_finished(&c) && kit_now_ms() < end) {
		libwebsocket_service(s.context, 1);
		libwebsocket_service(c.context, 1);
	}
	if (c.context)
		libwebsocket_context_destroy(c.context);
	libwebsocket_context_destroy(s.context);
	CHECK_INT(c.echoes, CONNS * msgs);
	CHECK_INT(c.corrupt + c.failed + s.errors, 0);
}

int main(void)
{
	static struct server servers[PAIRS];
	static struct client clients[PAIRS];
	const char *env = getenv("LWS_TEST_SLOW"), *tool = getenv("LWS_TEST_TOOL");
	int levels[2] = { LLL_ERR | LLL_WARN, LLL_ERR | LLL_WARN | LLL_NOTICE | LLL_INFO };
	int i, all_done, turn = 0;
	double end;

	if (env && *env && *env != '0') {
		slow = 10;
		msgs = 8;
	}
	lws_set_allocator(counting_realloc);
	lws_set_log_level(levels[1], counting_emit);
	if (!kit_make_certificate()) {
		CHECK(!"openssl req made a certificate");
		return unit_finish("test-contexts");
	}

	if (tool && !strcmp(tool, "helgrind"))
		warm_up();
	for (i = 0; i < PAIRS; i++) {
		server_init(&servers[i], i, i >= PAIRS / 2);
		CHECK(!pthread_create(&servers[i].thread, NULL, server_thread, &servers[i]));
	}
	for (i = 0; i < PAIRS; i++) {
		pthread_mutex_lock(&servers[i].ready_lock);
		while (!servers[i].ready)
			pthread_cond_wait(&servers[i].ready_cond, &servers[i].ready_lock);
		pthread_mutex_unlock(&servers[i].ready_lock);
		CHECK(servers[i].port > 0);
		clients[i].server = &servers[i];
		CHECK(!pthread_create(&clients[i].thread, NULL, client_thread, &clients[i]));
	}

	/* The load runs; the log level changes under it, again and again. */
	for (i = 0; i < PAIRS; i++) {
		while (pthread_tryjoin_np(clients[i].thread, NULL)) {
			lws_set_log_level(levels[turn ^= 1], counting_emit);
			kit_sleep_ms(1);
		}
	}
	end = kit_now_ms() + 10000.0 * slow;
	do {
		all_done = 1;
		for (i = 0; i < PAIRS; i++)
			all_done &= server_all_closed(&servers[i]);
		if (!all_done)
			kit_sleep_ms(10);
	} while (!all_done && kit_now_ms() < end);
	pthread_mutex_lock(&shared_lock);
	stop_servers = 1;
	pthread_mutex_unlock(&shared_lock);
	for (i = 0; i < PAIRS; i++)
		pthread_join(servers[i].thread, NULL);

	for (i = 0; i < PAIRS; i++) {
		printf("pair %d (%s): %d echoes, %d connections\n", i,
		       servers[i].tls ? "TLS" : "plain", clients[i].echoes, clients[i].established);
		CHECK_INT(clients[i].failed, 0);
		CHECK_INT(clients[i].established, CONNS);
		CHECK_INT(clients[i].corrupt, 0);
		CHECK_INT(clients[i].echoes, CONNS * msgs);
		CHECK_INT(clients[i].closed, CONNS);
		CHECK_INT(servers[i].established, CONNS);
		CHECK_INT(servers[i].echoed, CONNS * msgs);
		CHECK_INT(servers[i].errors, 0);
		CHECK_INT(servers[i].closed, CONNS);
	}
	/* Every block the library took from the allocator it gave back. */
	printf("allocator: %ld blocks allocated, %ld freed; %ld log lines\n",
	       blocks_allocated, blocks_freed, log_lines);
	CHECK(blocks_allocated >= 2 * PAIRS * CONNS);
	CHECK_INT(blocks_freed, blocks_allocated);
	CHECK(log_lines > 0);

	lws_set_allocator(NULL);
	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
	kit_remove_certificate();
	return unit_finish("test-contexts");
}
