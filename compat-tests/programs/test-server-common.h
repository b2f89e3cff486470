/*
 * test-server-common.h - what libwebsockets-test-server and
 * libwebsockets-test-server-extpoll share
 *
 * Both programs serve the same three protocols; they differ only in who
 * owns the poll loop (the library, or the program itself).  The protocol
 * callbacks, the command line and the creation info therefore live in
 * test-server-common.c, and each program keeps just its main loop.
 */

#ifndef LWS_TEST_SERVER_COMMON_H
#define LWS_TEST_SERVER_COMMON_H

#include <stddef.h>

#include <libwebsockets.h>

#include "test-message.h"
#include "test-program.h"
#include "test-workers.h"

#ifndef LWS_TEST_RESOURCE_DIR
/* The build passes the install share dir; a bare compile serves from ".". */
#define LWS_TEST_RESOURCE_DIR "."
#endif

/* Index of each protocol in the programs' protocols[] arrays. */
enum test_server_protocol {
	PROTOCOL_HTTP = 0,		/* always first: it gets all HTTP */
	PROTOCOL_DUMB_INCREMENT,
	PROTOCOL_LWS_MIRROR,
	PROTOCOL_COUNT
};

/* State of one HTTP connection (protocols[0]). */
struct per_session_data__http {
	size_t body_len;	/* POST /formtest body bytes counted so far */
	int reading_form;	/* 1 while a POST /formtest body is expected */
};

/* State of one dumb-increment-protocol connection. */
struct per_session_data__dumb_increment {
	int number;		/* next value to send */
	int mid_message;	/* 1 while the rest of a message is to come */
};

/* State of one lws-mirror-protocol connection; see test-server-common.c. */
struct per_session_data__lws_mirror {
	struct per_session_data__lws_mirror *prev;	/* all mirror sessions */
	struct per_session_data__lws_mirror *next;
	struct test_assembler incoming;	/* message being received */
	unsigned int tail;		/* next ring slot to send to this peer */
};

/* The command line both servers accept. */
struct test_server_options {
	int port;
	const char *iface;
	const char *resource_path;
	int debug_level;
	int close_testing;
	int use_ssl;
	int no_extensions;
	const char *cert_path;
	const char *key_path;
	int workers;		/* --workers: processes sharing the port */
	char default_cert_path[4096];
	char default_key_path[4096];
};

/*
 * Parses argv into opts.  Returns 0 to go on, 1 if --help was printed
 * (exit 0), -1 on a bad option (usage printed, exit 1).
 */
int test_server_parse_options(const char *name, int argc, char **argv,
			      struct test_server_options *opts);

/* Fills a creation info from the options for the given protocols. */
void test_server_fill_info(struct lws_context_creation_info *info,
			   const struct test_server_options *opts,
			   struct libwebsocket_protocols *protocols);

/*
 * Called from the main loops as often as they like: every 50 ms it asks for
 * a WRITEABLE callback on each dumb-increment connection, which is what
 * makes the counter tick.
 */
void test_server_tick(const struct libwebsocket_protocols *dumb_increment);

/* The protocol callbacks. */
int callback_http(struct libwebsocket_context *context,
		  struct libwebsocket *wsi,
		  enum libwebsocket_callback_reasons reason, void *user,
		  void *in, size_t len);

int callback_dumb_increment(struct libwebsocket_context *context,
			    struct libwebsocket *wsi,
			    enum libwebsocket_callback_reasons reason,
			    void *user, void *in, size_t len);

int callback_lws_mirror(struct libwebsocket_context *context,
			struct libwebsocket *wsi,
			enum libwebsocket_callback_reasons reason, void *user,
			void *in, size_t len);

#endif /* LWS_TEST_SERVER_COMMON_H */
