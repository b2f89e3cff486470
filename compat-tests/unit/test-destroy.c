/*
 * libwebsocket_context_destroy with 50 live connections of every kind:
 * WebSockets idle, mid-message and with megabytes buffered for a client
 * that does not read, WebSockets already closing (lingering for the
 * peer), HTTP connections kept alive after a response, one in the middle
 * of sending a large file, and accepted sockets that never sent a whole
 * request. Afterwards:
 *
 *  - every established connection got exactly one CLOSED, with the
 *    per-session data it had since ESTABLISHED, and nothing after it;
 *  - every connection that made an HTTP request got exactly one
 *    CLOSED_HTTP; none got both, none got CLOSED without ESTABLISHED;
 *  - WSI_CREATE and WSI_DESTROY are balanced, once per connection, and
 *    WSI_DESTROY is each connection's last callback;
 *  - each protocol got PROTOCOL_DESTROY exactly once, after all of that;
 *  - every client sees its connection end, and the process has exactly the
 *    file descriptors it had before the context was created.
 *
 * ctest also runs this program under valgrind: the per-session data holds
 * malloc()ed buffers that only the CLOSED callback frees, so a connection
 * that missed it leaks; any definite or indirect leak fails the run.
 */
#include <dirent.h>
#include <stdint.h>

#include "serverkit.h"

#define MAX_WSI 128

struct record {
	struct libwebsocket *wsi;
	int created, destroyed, established, closed, http, closed_http;
	int after_destroy;      /* callbacks after WSI_DESTROY */
	void *pss;              /* user at ESTABLISHED */
	int pss_mismatch;       /* CLOSED saw another user pointer */
};

static struct record records[MAX_WSI];
static int record_count, record_overflow;
static int protocol_destroy[4], protocol_destroy_early;
static int closed_total, closed_http_total, established_total;
static int echoed, big_sent, bye_sent, file_started;

/* The newest record of wsi (a freed wsi's address may be reused). */
static struct record *record_of(struct libwebsocket *wsi)
{
	int i;

	for (i = record_count - 1; i >= 0; i--)
		if (records[i].wsi == wsi)
			return &records[i];
	return NULL;
}

static int unknown_wsi;         /* callbacks for a wsi never created */

/* Notes a callback for wsi and returns its record. */
static struct record *seen(struct libwebsocket *wsi, enum libwebsocket_callback_reasons reason)
{
	struct record *r;

	if (!wsi || reason == LWS_CALLBACK_FILTER_NETWORK_CONNECTION)
		return NULL;
	if (reason == LWS_CALLBACK_WSI_CREATE) {
		if (record_count == MAX_WSI) {
			record_overflow++;
			return NULL;
		}
		r = &records[record_count++];
		r->wsi = wsi;
		r->created++;
		return r;
	}
	r = record_of(wsi);
	if (!r)
		unknown_wsi++;
	else if (r->destroyed)
		r->after_destroy++;
	return r;
}

static const char *file_path;

static int http_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		   enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	struct record *r = seen(wsi, reason);

	(void)user; (void)len;
	switch (reason) {
	case LWS_CALLBACK_WSI_DESTROY:
		if (r)
			r->destroyed++;
		break;
	case LWS_CALLBACK_HTTP:
		if (r)
			r->http++;
		if (!strcmp((const char *)in, "/file")) {
			file_started++;
			return libwebsockets_serve_http_file(context, wsi, file_path,
							     "application/octet-stream", NULL, 0) < 0;
		}
		libwebsockets_return_http_status(context, wsi, HTTP_STATUS_NOT_FOUND, NULL);
		return lws_http_transaction_completed(wsi);
	case LWS_CALLBACK_CLOSED_HTTP:
		closed_http_total++;
		if (r)
			r->closed_http++;
		break;
	case LWS_CALLBACK_PROTOCOL_DESTROY:
		protocol_destroy[0]++;
		if (closed_total < established_total)
			protocol_destroy_early++;
		break;
	default:
		break;
	}
	return 0;
}

/* Per-session data: a heap copy of the last message, freed in CLOSED. */
struct echo_session {
	unsigned char *pending;
	size_t pending_len;
	int binary;
};

#define BIG (2 * 1024 * 1024)
static unsigned char *big_buffer;

static int echo_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		   enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	struct echo_session *s = (struct echo_session *)user;
	struct record *r = seen(wsi, reason);
	unsigned char *buf;
	size_t have;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		established_total++;
		if (r) {
			r->established++;
			r->pss = user;
		}
		break;
	case LWS_CALLBACK_RECEIVE:
		if (len == 3 && !memcmp(in, "big", 3)) {
			/* Megabytes for a client that does not read. */
			libwebsocket_write(wsi, big_buffer + LWS_SEND_BUFFER_PRE_PADDING, BIG,
					   LWS_WRITE_BINARY);
			big_sent++;
			break;
		}
		if (len == 3 && !memcmp(in, "bye", 3)) {
			bye_sent++;
			return -1;
		}
		/* Gather the message (it may come in pieces); echo when whole. */
		have = s->pending_len;
		buf = realloc(s->pending, LWS_SEND_BUFFER_PRE_PADDING + have + len +
			      LWS_SEND_BUFFER_POST_PADDING);
		if (!buf)
			return -1;
		s->pending = buf;
		memcpy(buf + LWS_SEND_BUFFER_PRE_PADDING + have, in, len);
		s->pending_len = have + len;
		s->binary = lws_frame_is_binary(wsi);
		if (!libwebsockets_remaining_packet_payload(wsi) && libwebsocket_is_final_fragment(wsi))
			libwebsocket_callback_on_writable(context, wsi);
		break;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (!s->pending)
			break;
		if (libwebsocket_write(wsi, s->pending + LWS_SEND_BUFFER_PRE_PADDING, s->pending_len,
				       s->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT) !=
		    (int)s->pending_len)
			return -1;
		echoed++;
		/* Kept until the next message or CLOSED, whichever first. */
		s->pending_len = 0;
		break;
	case LWS_CALLBACK_CLOSED:
		closed_total++;
		if (r) {
			r->closed++;
			if (r->pss != user)
				r->pss_mismatch++;
		}
		free(s->pending);
		s->pending = NULL;
		break;
	default:
		break;
	}
	return 0;
}

static int echo_a(struct libwebsocket_context *c, struct libwebsocket *w,
		  enum libwebsocket_callback_reasons reason, void *u, void *in, size_t len)
{
	if (reason == LWS_CALLBACK_PROTOCOL_DESTROY) {
		protocol_destroy[1]++;
		if (closed_total < established_total)
			protocol_destroy_early++;
	}
	return echo_cb(c, w, reason, u, in, len);
}

static int echo_b(struct libwebsocket_context *c, struct libwebsocket *w,
		  enum libwebsocket_callback_reasons reason, void *u, void *in, size_t len)
{
	if (reason == LWS_CALLBACK_PROTOCOL_DESTROY) {
		protocol_destroy[2]++;
		if (closed_total < established_total)
			protocol_destroy_early++;
	}
	return echo_cb(c, w, reason, u, in, len);
}

static int unused_cb(struct libwebsocket_context *c, struct libwebsocket *w,
		     enum libwebsocket_callback_reasons reason, void *u, void *in, size_t len)
{
	(void)c; (void)w; (void)u; (void)in; (void)len;
	if (reason == LWS_CALLBACK_PROTOCOL_DESTROY)
		protocol_destroy[3]++;
	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	{ "http-only", http_cb, 16, 0, 0, NULL, NULL, 0 },
	{ "echo-a", echo_a, sizeof(struct echo_session), 0, 0, NULL, NULL, 0 },
	{ "echo-b", echo_b, sizeof(struct echo_session), 1000, 0, NULL, NULL, 0 },
	{ "unused", unused_cb, 64, 0, 0, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

/* After the context is gone: reads fd (no pumping) until EOF or reset. */
static int ends(int fd, int ms)
{
	char scratch[65536];
	double end = kit_now_ms() + ms;

	while (kit_now_ms() < end) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&pfd, 1, 100) != 1)
			continue;
		n = recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return 1;
	}
	return 0;
}

#define WS_CLIENTS 36
#define CLIENTS 50

static void test_destroy_live(void)
{
	struct lws_context_creation_info info;
	static const size_t sizes[] = { 0, 10, 125, 126, 1000, 70000 };
	static unsigned char message[70000], reply[70000];
	int fds[CLIENTS], n = 0, i, j, port, fds_before, ok;
	char head[2048];
	FILE *f;
	char path[] = "/tmp/lws-unit-destroy-XXXXXX";

	/* A file large enough to be mid-transfer at destroy. */
	i = mkstemp(path);
	CHECK(i >= 0);
	f = fdopen(i, "w");
	for (j = 0; f && j < 64; j++)
		fwrite(big_buffer, 1, 64 * 1024, f);
	if (f)
		fclose(f);
	file_path = path;
	for (i = 0; i < (int)sizeof(message); i++)
		message[i] = (unsigned char)('a' + i % 26); /* valid UTF-8 */

	fds_before = open_fds();
	kit_server_info(&info, protocols);
	port = kit_listen(&info);
	CHECK(port > 0);
	if (port <= 0) {
		unlink(path);
		return;
	}

	/* 36 WebSockets on two protocols, each echoing messages of every
	 * size class, text and binary. */
	for (i = 0; i < WS_CLIENTS; i++) {
		fds[n] = kit_ws_open(port, i & 1 ? "echo-b" : "echo-a");
		CHECK(fds[n] >= 0);
		n++;
	}
	CHECK(kit_until_count(&established_total, WS_CLIENTS, 5000));
	ok = 1;
	for (j = 0; j < (int)(sizeof(sizes) / sizeof(sizes[0])); j++) {
		for (i = 0; i < WS_CLIENTS; i++)
			if (kit_send_frame(fds[i], (j & 1) ? 0x82 : 0x81, message, sizes[j]))
				ok = 0;
		for (i = 0; i < WS_CLIENTS; i++) {
			unsigned char first;
			long got = kit_read_frame(fds[i], &first, reply, sizeof(reply), 5000);

			if (got != (long)sizes[j] || first != ((j & 1) ? 0x82 : 0x81) ||
			    memcmp(reply, message, sizes[j]))
				ok = 0;
		}
	}
	CHECK(ok);
	CHECK_INT(echoed, WS_CLIENTS * 6);

	/* Two of them get megabytes they never read; two are mid-message
	 * (a fragment sent, the rest not); two are closing: the server
	 * closed on "bye" and lingers for a peer that never answers. */
	CHECK(!kit_send_frame(fds[0], 0x81, "big", 3));
	CHECK(!kit_send_frame(fds[1], 0x81, "big", 3));
	CHECK(!kit_send_frame(fds[2], 0x01, "frag", 4));
	CHECK(!kit_send_frame(fds[3], 0x82, message, 1000));
	CHECK(!kit_send_frame(fds[4], 0x81, "bye", 3));
	CHECK(!kit_send_frame(fds[5], 0x81, "bye", 3));
	CHECK(kit_until_count(&big_sent, 2, 3000));
	CHECK(kit_until_count(&bye_sent, 2, 3000));
	CHECK(kit_until_count(&closed_total, 2, 3000));

	/* 8 HTTP connections answered and kept alive. */
	for (i = 0; i < 8; i++) {
		fds[n] = kit_connect(port);
		CHECK(!kit_send_str(fds[n], "GET /none HTTP/1.1\r\nHost: x\r\n\r\n"));
		CHECK(kit_read_head(fds[n], head, sizeof(head), 3000) > 0);
		CHECK_INT(kit_status(head), 404);
		n++;
	}
	/* A 4 MiB file to a client that reads only the head. */
	fds[n] = kit_connect(port);
	CHECK(!kit_send_str(fds[n], "GET /file HTTP/1.1\r\nHost: x\r\n\r\n"));
	CHECK(kit_read_head(fds[n], head, sizeof(head), 3000) > 0);
	CHECK_INT(kit_status(head), 200);
	CHECK_INT(file_started, 1);
	n++;
	/* Five sockets: one silent, four with part of a request. */
	for (i = 0; i < 5; i++) {
		fds[n] = kit_connect(port);
		CHECK(fds[n] >= 0);
		if (i)
			CHECK(!kit_send_str(fds[n], "GET /partial HTTP/1.1\r\nHost: x\r\n"));
		n++;
	}
	CHECK_INT(n, CLIENTS);
	for (i = 0; i < 20; i++)
		kit_pump(10);
	CHECK_INT(record_count, CLIENTS);

	kit_destroy();

	/* Every client sees the end. */
	ok = 0;
	for (i = 0; i < n; i++)
		ok += ends(fds[i], 3000);
	CHECK_INT(ok, CLIENTS);
	for (i = 0; i < n; i++)
		close(fds[i]);
	CHECK_INT(open_fds(), fds_before);

	/* The books. */
	CHECK_INT(record_overflow, 0);
	CHECK_INT(unknown_wsi, 0);
	CHECK_INT(record_count, CLIENTS);
	CHECK_INT(established_total, WS_CLIENTS);
	CHECK_INT(closed_total, WS_CLIENTS);
	CHECK_INT(closed_http_total, 8 + 1);
	{
		int bad_create = 0, bad_destroy = 0, bad_closed = 0, bad_http = 0, both = 0,
		    after = 0, pss = 0;

		for (i = 0; i < record_count; i++) {
			struct record *r = &records[i];

			bad_create += r->created != 1;
			bad_destroy += r->destroyed != 1;
			bad_closed += r->closed != r->established || r->established > 1;
			bad_http += r->closed_http != (r->http ? 1 : 0);
			both += r->closed && r->closed_http;
			after += r->after_destroy;
			pss += r->pss_mismatch || (r->established && !r->pss);
		}
		CHECK_INT(bad_create, 0);
		CHECK_INT(bad_destroy, 0);
		CHECK_INT(bad_closed, 0);
		CHECK_INT(bad_http, 0);
		CHECK_INT(both, 0);
		CHECK_INT(after, 0);
		CHECK_INT(pss, 0);
	}
	for (i = 0; i < 4; i++)
		CHECK_INT(protocol_destroy[i], 1);
	CHECK_INT(protocol_destroy_early, 0);
	unlink(path);
}

int main(void)
{
	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
	big_buffer = calloc(1, LWS_SEND_BUFFER_PRE_PADDING + BIG + LWS_SEND_BUFFER_POST_PADDING);
	if (!big_buffer)
		return 1;
	test_destroy_live();
	free(big_buffer);
	return unit_finish("test-destroy");
}
