/*
 * Files served with libwebsockets_serve_http_file over plain HTTP, which
 * the kernel copies to the socket (sendfile):
 *
 *  - a file larger than any socket buffer arrives whole and in order, over
 *    many writable rounds, to a client that reads in small bites;
 *  - clients that read at full speed and reset their connections in the
 *    middle of the file cost those connections only (CLOSED_HTTP): the
 *    server, this test's process, lives on -- sendfile, unlike send with
 *    MSG_NOSIGNAL, raises SIGPIPE when the connection breaks during the
 *    call, and its default action ends the process -- and the next
 *    request, on a new connection, is served whole.
 */
#include "serverkit.h"

#include <pthread.h>

#define FILE_SIZE (8 << 20)
/* Connections reset in the middle of their file, one after another. */
#define RESETS 8

static char file_path[64];
static int completed, closed_http;

static int http_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		   enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)user; (void)len;
	if (kit_poll_callback(wsi, reason, in))
		return 0;
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return libwebsockets_serve_http_file(context, wsi, file_path, "application/octet-stream",
						     NULL, 0) < 0 ? -1 : 0;
	case LWS_CALLBACK_HTTP_FILE_COMPLETION:
		completed++;
		break;
	case LWS_CALLBACK_CLOSED_HTTP:
		closed_http++;
		break;
	default:
		break;
	}
	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	{ "http-only", http_cb, 0, 0, 0, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

static unsigned char pattern(long i)
{
	return (unsigned char)(i * 7 + i / 4093);
}

static int make_file(void)
{
	static unsigned char block[65536];
	long at = 0;
	int fd;

	strcpy(file_path, "/tmp/lws-file-serving-XXXXXX");
	fd = mkstemp(file_path);
	if (fd < 0)
		return -1;
	while (at < FILE_SIZE) {
		size_t i;

		for (i = 0; i < sizeof(block); i++)
			block[i] = pattern(at + (long)i);
		if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block))
			break;
		at += (long)sizeof(block);
	}
	close(fd);
	return at == FILE_SIZE ? 0 : -1;
}

/* Asks for the file; returns the Content-Length of a 200, or -1. */
static long request(int fd)
{
	char head[1024], *length;

	if (kit_send_str(fd, "GET /file HTTP/1.1\r\nHost: localhost\r\n\r\n"))
		return -1;
	if (!kit_read_head(fd, head, sizeof(head), 5000) || kit_status(head) != 200)
		return -1;
	length = strstr(head, "Content-Length: ");
	return length ? atol(length + strlen("Content-Length: ")) : -1;
}

/* Reads the whole body in small bites, checking every byte. */
static int read_whole(int fd)
{
	unsigned char buf[4096];
	long at = 0;

	while (at < FILE_SIZE) {
		size_t want = FILE_SIZE - at < (long)sizeof(buf) ? (size_t)(FILE_SIZE - at) : sizeof(buf);
		size_t got = kit_read_exact(fd, buf, want, 5000), i;

		if (!got)
			return 0;
		for (i = 0; i < got; i++)
			if (buf[i] != pattern(at + (long)i))
				return 0;
		at += (long)got;
	}
	return 1;
}

/*
 * A client on its own thread (the main thread services the server): asks
 * for the file, reads a megabyte of it as fast as it comes, so the server
 * is in the middle of sendfile calls, and resets the connection.
 */
static int reset_port;
static volatile int reset_done;

static void *read_then_reset(void *unused)
{
	static const char get[] = "GET /file HTTP/1.1\r\nHost: localhost\r\n\r\n";
	struct sockaddr_in sin;
	struct linger hard = { 1, 0 };
	char buf[65536];
	long total = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)unused;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)reset_port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && !connect(fd, (struct sockaddr *)&sin, sizeof(sin)) &&
	    send(fd, get, sizeof(get) - 1, MSG_NOSIGNAL) == (ssize_t)(sizeof(get) - 1)) {
		while (total < (1 << 20)) {
			ssize_t n = recv(fd, buf, sizeof(buf), 0);

			if (n <= 0)
				break;
			total += n;
		}
	}
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
		close(fd);
	}
	reset_done = 1;
	return NULL;
}

int main(void)
{
	int port, fd, i;

	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
	CHECK(!make_file());
	port = kit_serve(protocols);
	CHECK(port > 0);
	if (port <= 0)
		return unit_finish("file-serving");

	/* Whole and in order. */
	fd = kit_connect(port);
	CHECK_INT(request(fd), FILE_SIZE);
	CHECK(read_whole(fd));
	CHECK(kit_until(&completed, 3000));
	close(fd);

	/* Resets in the middle of files: the server goes on. */
	reset_port = port;
	for (i = 0; i < RESETS; i++) {
		pthread_t reader;

		reset_done = 0;
		CHECK(!pthread_create(&reader, NULL, read_then_reset, NULL));
		while (!reset_done)
			kit_pump(1);
		pthread_join(reader, NULL);
		CHECK(kit_until_count(&closed_http, 2 + i, 5000));
	}

	/* And the next request is served whole. */
	fd = kit_connect(port);
	CHECK_INT(request(fd), FILE_SIZE);
	CHECK(read_whole(fd));
	CHECK(kit_until_count(&completed, 2, 3000));
	CHECK_INT(closed_http, 1 + RESETS);
	close(fd);

	kit_destroy();
	unlink(file_path);
	return unit_finish("file-serving");
}
