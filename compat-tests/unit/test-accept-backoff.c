/*
 * Out of file descriptors: a connection waits in the listen queue and
 * accept() fails with EMFILE. The server must not retry on every turn of
 * the loop (a busy loop, a log line each time): it stops polling the
 * listener for a while, logs the episode once, and accepts the waiting
 * connection by itself once descriptors are available again, saying so.
 */
#include <sys/resource.h>

#include "serverkit.h"

static volatile int created;
static int accept_lines, again_lines;

static int http_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		   enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)context; (void)wsi; (void)user; (void)in; (void)len;
	if (reason == LWS_CALLBACK_WSI_CREATE)
		created++;
	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	{ "http-only", http_cb, 0, 0, 0, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

static void count_lines(int level, const char *line)
{
	(void)level;
	if (strstr(line, "accept failed"))
		accept_lines++;
	if (strstr(line, "accepting again"))
		again_lines++;
}

/* The lowest descriptor number free now: a limit of it allows no new one. */
static int lowest_free_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

int main(void)
{
	struct rlimit saved, exhausted;
	long returns;
	int port, client;

	lws_set_log_level(LLL_ERR | LLL_WARN | LLL_NOTICE, count_lines);
	port = kit_serve(protocols);
	CHECK(port > 0);
	if (port <= 0)
		return unit_finish("accept-backoff");
	/* Connected by the kernel, waiting in the listen queue. */
	client = kit_connect(port);
	CHECK(client >= 0);
	CHECK(!getrlimit(RLIMIT_NOFILE, &saved));
	exhausted = saved;
	exhausted.rlim_cur = (rlim_t)lowest_free_fd();
	CHECK(!setrlimit(RLIMIT_NOFILE, &exhausted));

	returns = kit_service_returns("out of descriptors", 2500);
	CHECK(returns <= KIT_QUIET(2500));
	CHECK_INT(accept_lines, 1);
	CHECK_INT(created, 0);

	/* Descriptors again: the waiting connection is taken by itself. */
	CHECK(!setrlimit(RLIMIT_NOFILE, &saved));
	CHECK(kit_until(&created, 5000));
	CHECK_INT(again_lines, 1);
	CHECK_INT(accept_lines, 1);
	close(client);
	kit_destroy();
	return unit_finish("accept-backoff");
}
