/*
 * lws-config: is lws_config.h installed where pkg-config's Cflags point,
 * and does it describe the library it sits next to?
 *
 * 1.4 installed lws_config.h beside libwebsockets.h, and 1.4 programs
 * include it (as "lws_config.h", before the library header) to test the
 * build's features with #ifdef. A missing file stops them compiling; a
 * wrong macro makes them compile out a feature we have, or use one we do
 * not. The compile-time checks stop the build; the run-time ones compare
 * the macros with what the library does, and exit non-zero on a mismatch.
 *
 * Build: cc -std=gnu99 -Wall -Wextra -Werror $(pkg-config --cflags --libs libwebsockets) lws-config.c
 */
#include "lws_config.h"

#include <libwebsockets.h>

#include <stdio.h>
#include <string.h>

#if LWS_LIBRARY_VERSION_MAJOR != 1 || LWS_LIBRARY_VERSION_MINOR != 4
#error "lws_config.h does not describe a 1.4 API (another libwebsockets found first?)"
#endif

/* Features this library has: 1.4's "absent" switches must not be set. */
#if defined(LWS_NO_EXTENSIONS) || defined(LWS_NO_CLIENT) || \
	defined(LWS_NO_SERVER) || defined(LWS_NO_DAEMONIZE)
#error "lws_config.h switches off a feature the library has"
#endif

#if !defined(LWS_OPENSSL_SUPPORT) || !defined(LWS_USE_IPV6) || \
	!defined(LWS_SSL_CLIENT_USE_OS_CA_CERTS)
#error "lws_config.h misses a feature the library has"
#endif

/* Not in this library: libev, HTTP/2, the latency code, CyaSSL. */
#if defined(LWS_USE_LIBEV) || defined(LWS_USE_HTTP2) || \
	defined(LWS_LATENCY) || defined(USE_CYASSL)
#error "lws_config.h claims a feature the library does not have"
#endif

/* As in 1.4's default build, the debug-level macros are compiled in. */
#ifndef _DEBUG
#error "lws_config.h does not define _DEBUG"
#endif

static int failed;

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "lws-config: FAIL: %s\n", what);
		failed++;
	}
}

int main(void)
{
	const char *version = lws_get_library_version();
	size_t n = strlen(LWS_LIBRARY_VERSION);
	int (*daemonize)(const char *) = lws_daemonize;

	/* lws_get_library_version() is LWS_LIBRARY_VERSION, a space, a build id. */
	check(version && !strncmp(version, LWS_LIBRARY_VERSION, n) &&
	      version[n] == ' ', "lws_get_library_version() begins with LWS_LIBRARY_VERSION");
	check(libwebsocket_get_internal_extensions() != NULL &&
	      libwebsocket_get_internal_extensions()[0].name != NULL,
	      "extensions are built in");
	check(daemonize != NULL, "lws_daemonize exists");
	return failed != 0;
}
