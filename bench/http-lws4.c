/*
 * http-lws4 - the benchmark's reference file server, on libwebsockets 4.x
 *
 * Built against the system's libwebsockets (Debian's libwebsockets-dev),
 * never against this project.  It serves files the way our
 * libwebsockets-test-server does (compat-tests/programs/test-server-common.c),
 * so that a difference in cost is the library's: on LWS_CALLBACK_HTTP the
 * URI is checked (absolute, no ".." segment, a known file type), the file is
 * stat()ed and handed to lws_serve_http_file(); the library sends it and
 * the connection stays open for the next request (HTTP/1.1 keep-alive).
 *
 * Options: -p/--port N (default 7681), -r/--resource-path DIR (default
 * "."), -d/--debug LEVEL (lws log bitmask, default errors and warnings).
 * SIGINT/SIGTERM end it cleanly.
 */

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libwebsockets.h>

#if LWS_LIBRARY_VERSION_MAJOR < 4
#error "http-lws4 must be built against libwebsockets 4.x (the system's)"
#endif

static volatile int force_exit;
static const char *resource_path = ".";

/* The same short list as our test-server: nothing else is served. */
static const char *
mimetype_for(const char *uri)
{
	static const struct {
		const char *extension, *type;
	} types[] = {
		{ ".html", "text/html" },
		{ ".js", "application/javascript" },
		{ ".css", "text/css" },
		{ ".ico", "image/x-icon" },
		{ ".png", "image/png" },
		{ ".jpg", "image/jpeg" },
	};
	const char *dot = strrchr(uri, '.');
	size_t n;

	if (!dot || strchr(dot, '/'))
		return NULL;
	for (n = 0; n < sizeof(types) / sizeof(types[0]); n++)
		if (!strcmp(dot, types[n].extension))
			return types[n].type;
	return NULL;
}

/* 1 if a '/'-separated segment of uri is "..". */
static int
climbs_out(const char *uri)
{
	const char *seg = uri;

	while (seg) {
		if (*seg == '/')
			seg++;
		if (seg[0] == '.' && seg[1] == '.' &&
		    (seg[2] == '/' || seg[2] == '\0'))
			return 1;
		seg = strchr(seg, '/');
	}
	return 0;
}

/* An error status, then the connection is ready for the next request. */
static int
fail(struct lws *wsi, unsigned int code)
{
	lws_return_http_status(wsi, code, NULL);
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int
serve_file(struct lws *wsi, const char *uri)
{
	const char *type;
	char path[4096];
	struct stat st;
	int n;

	if (uri[0] != '/')
		return fail(wsi, HTTP_STATUS_BAD_REQUEST);
	if (climbs_out(uri))
		return fail(wsi, HTTP_STATUS_FORBIDDEN);
	if (!strcmp(uri, "/"))
		uri = "/test.html";
	type = mimetype_for(uri);
	if (!type)
		return fail(wsi, HTTP_STATUS_NOT_FOUND);
	n = snprintf(path, sizeof(path), "%s%s", resource_path, uri);
	if (n < 0 || (size_t)n >= sizeof(path))
		return fail(wsi, HTTP_STATUS_REQ_URI_TOO_LONG);
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return fail(wsi, HTTP_STATUS_NOT_FOUND);

	/*
	 * < 0: failed, close.  > 0: all sent and the transaction already
	 * completed by the library (non-zero from that meant close).  0: the
	 * library sends the rest from its loop and reports FILE_COMPLETION.
	 */
	n = lws_serve_http_file(wsi, path, type, NULL, 0);
	return n < 0 ? -1 : 0;
}

static int
callback_http(struct lws *wsi, enum lws_callback_reasons reason, void *user,
	      void *in, size_t len)
{
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		if (!in)
			return fail(wsi, HTTP_STATUS_BAD_REQUEST);
		return serve_file(wsi, in);

	case LWS_CALLBACK_HTTP_FILE_COMPLETION:
		/* Keep the connection for the next request if we may. */
		return lws_http_transaction_completed(wsi) ? -1 : 0;

	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
	{ "http-only", callback_http, 0, 0, 0, NULL, 0 },
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
		{ "resource-path", required_argument, NULL, 'r' },
		{ "debug", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const char usage[] =
		"Usage: http-lws4 [-p PORT] [-r DIR] [-d LOGLEVEL]\n";
	struct lws_context_creation_info info;
	struct lws_context *context;
	int port = 7681, level = LLL_ERR | LLL_WARN, c, n = 0;

	while ((c = getopt_long(argc, argv, "p:r:d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			port = atoi(optarg);
			break;
		case 'r':
			resource_path = optarg;
			break;
		case 'd':
			level = atoi(optarg);
			break;
		case 'h':
			printf("%s", usage);
			return 0;
		default:
			fprintf(stderr, "%s", usage);
			return 1;
		}
	}
	if (port < 1 || port > 65535) {
		fprintf(stderr, "http-lws4: bad port\n");
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

	context = lws_create_context(&info);
	if (!context) {
		fprintf(stderr, "http-lws4: lws_create_context failed\n");
		return 1;
	}
	fprintf(stderr, "http-lws4: libwebsockets %s, serving %s on port %d\n",
		lws_get_library_version(), resource_path, port);

	while (n >= 0 && !force_exit)
		n = lws_service(context, 0);

	lws_context_destroy(context);
	fprintf(stderr, "http-lws4: exited\n");
	return 0;
}
