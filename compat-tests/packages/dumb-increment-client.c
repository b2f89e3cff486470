/*
 * dumb-increment-client PORT: a program written the 1.4 way, built against
 * the installed packages (pkg-config) by compat-tests/packages.sh.
 *
 * It connects to libwebsockets-test-server on 127.0.0.1:PORT with the
 * dumb-increment protocol and succeeds once it has received three counter
 * values, each one more than the last: proof that the installed library
 * serves both ends and that the installed test server runs. It also checks
 * that the library it was linked with is the 1.4 API (the version string),
 * so a program that found Debian's 4.x header and library instead fails.
 *
 * Exit status: 0 on success, 1 on any failure (the reason on stderr), 2 if
 * 20 seconds pass without the three values (only there to catch a hang).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libwebsockets.h>

#define VALUES_WANTED 3
#define GIVE_UP_SECONDS 20

static int values_seen;
static long last_value = -1;
static int failed;
static int finished;

static int
callback_dumb_increment(struct libwebsocket_context *context,
			struct libwebsocket *wsi,
			enum libwebsocket_callback_reasons reason,
			void *user, void *in, size_t len)
{
	char text[32];
	char *end;
	long value;

	(void)context;
	(void)wsi;
	(void)user;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		fprintf(stderr, "dumb-increment-client: connection failed\n");
		failed = 1;
		finished = 1;
		break;

	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (len == 0 || len >= sizeof(text)) {
			fprintf(stderr, "dumb-increment-client: odd message of %d bytes\n", (int)len);
			failed = 1;
			finished = 1;
			return -1;
		}
		memcpy(text, in, len);
		text[len] = '\0';
		value = strtol(text, &end, 10);
		if (*end != '\0' || (last_value >= 0 && value != last_value + 1)) {
			fprintf(stderr, "dumb-increment-client: got '%s' after %ld\n", text, last_value);
			failed = 1;
			finished = 1;
			return -1;
		}
		last_value = value;
		if (++values_seen == VALUES_WANTED) {
			finished = 1;
			return -1;	/* closes the connection */
		}
		break;

	case LWS_CALLBACK_CLOSED:
		finished = 1;
		break;

	default:
		break;
	}
	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	{ "dumb-increment-protocol", callback_dumb_increment, 0, 0 },
	{ NULL, NULL, 0, 0 }
};

int
main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	struct libwebsocket_context *context;
	struct libwebsocket *wsi;
	const char *version = lws_get_library_version();
	time_t give_up = time(NULL) + GIVE_UP_SECONDS;
	int port;

	if (argc != 2 || (port = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: dumb-increment-client PORT\n");
		return 1;
	}
	if (strncmp(version, "1.4", 3) != 0) {
		fprintf(stderr, "dumb-increment-client: linked with libwebsockets '%s', not 1.4\n", version);
		return 1;
	}

	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.gid = -1;
	info.uid = -1;
	context = libwebsocket_create_context(&info);
	if (context == NULL) {
		fprintf(stderr, "dumb-increment-client: no context\n");
		return 1;
	}
	wsi = libwebsocket_client_connect(context, "127.0.0.1", port, 0, "/",
					  "127.0.0.1", "http://127.0.0.1",
					  protocols[0].name, -1);
	if (wsi == NULL) {
		fprintf(stderr, "dumb-increment-client: connect did not start\n");
		libwebsocket_context_destroy(context);
		return 1;
	}
	while (!finished && time(NULL) < give_up)
		libwebsocket_service(context, 100);
	libwebsocket_context_destroy(context);

	if (!finished) {
		fprintf(stderr, "dumb-increment-client: %d of %d values in %d s\n",
			values_seen, VALUES_WANTED, GIVE_UP_SECONDS);
		return 2;
	}
	if (failed || values_seen != VALUES_WANTED) {
		fprintf(stderr, "dumb-increment-client: %d of %d values\n", values_seen, VALUES_WANTED);
		return 1;
	}
	printf("dumb-increment-client: %d values from %s, library %s\n",
	       values_seen, "libwebsockets-test-server", version);
	return 0;
}
