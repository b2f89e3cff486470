/**
 * \file libwebsockets.h
 * \brief Public C interface of libwebsockets for Swift.
 *
 * This library is a re-implementation of the libwebsockets 1.4 C API. It is
 * a drop-in replacement: a program written for libwebsockets 1.4 compiles
 * against this header unchanged, and a program already compiled against the
 * 1.4 header runs against our libwebsockets.so.5 unchanged. That is why every
 * enum value, struct layout, macro value and function signature below is
 * frozen: they are the binary contract of 1.4 on LP64 systems, measured and
 * checked by compat-tests/abi. Add nothing that changes a layout.
 *
 * The header is plain C99 so that C, C++ (through the extern "C" block) and
 * Swift (through a clang module) all see one single definition.
 *
 * Threads: a context is serviced by one thread. Call the functions below
 * from that thread, either from your own loop or from inside a callback.
 * The only exceptions are libwebsocket_callback_on_writable(),
 * libwebsocket_callback_on_writable_all_protocol() and
 * libwebsocket_cancel_service(), which are safe from any thread.
 *
 * Where we are stricter than 1.4, on purpose (RFC 6455 / RFC 7230; each
 * entry says so too, and the page "Differs from 1.4" lists them all):
 *  - a text message that is not valid UTF-8 closes the connection with
 *    1007 (1.4 delivered it);
 *  - a zero-length message is delivered as a RECEIVE with len 0 (1.4
 *    dropped it);
 *  - a HEAD request is answered 501 (1.4 dropped the connection);
 *  - a server answers one subprotocol name, never the client's whole list
 *    (see libwebsocket_client_connect());
 *  - a header line may end in a lone LF (RFC 7230 3.5), as 1.4 accepted,
 *    but bare CR, obs-fold and conflicting lengths are refused with 400.
 * Where 1.4 programs relied on behaviour the 1.4 API text never wrote down,
 * we do as 1.4 did: RECEIVE data is NUL-terminated, flow control stops
 * RECEIVE at once, deflate-frame frames arrive whole, log lines end in a
 * newline.
 */

#ifndef LIBWEBSOCKETS_H_
#define LIBWEBSOCKETS_H_

#include <stdarg.h>
#include <stddef.h>
#include <poll.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * \defgroup linkage Linkage and feature macros
 * How the functions are declared, and the macros 1.4 code tests with
 * \#ifdef.
 * \{
 */

/* Both may be predefined by whoever builds the library itself. */
#ifndef LWS_EXTERN
/** Storage class of every function declared here (extern). */
#define LWS_EXTERN extern
#endif

#ifndef LWS_VISIBLE
#if defined(__GNUC__) || defined(__clang__)
/** Exported even when the library is built with -fvisibility=hidden. */
#define LWS_VISIBLE __attribute__((visibility("default")))
#else
#define LWS_VISIBLE
#endif
#endif

/**
 * printf format checking, for an application's own logging wrappers around
 * _lws_logv(): the format string is argument fmt_index, the values start at
 * first_arg. The library's _lws_log() does not carry it; see there.
 */
#if defined(__GNUC__) || defined(__clang__)
#define LWS_PRINTF_FORMAT(fmt_index, first_arg) \
	__attribute__((format(printf, fmt_index, first_arg)))
#else
#define LWS_PRINTF_FORMAT(fmt_index, first_arg)
#endif

/*
 * Feature macros. 1.4 application code tests these with #ifdef to learn
 * which API revisions it is compiled against. They carry no value on
 * purpose.
 */

/** libwebsockets_serve_http_file() takes the other_headers argument. */
#define LWS_FEATURE_SERVE_HTTP_FILE_HAS_OTHER_HEADERS_ARG
/** struct libwebsocket_protocols has the id member. */
#define LWS_FEATURE_PROTOCOLS_HAS_ID_FIELD
/** lws_get_peer_write_allowance() exists. */
#define LWS_FEATURE_PROTOCOLS_HAS_PEER_WRITE_ALLOWANCE
/** libwebsockets_serve_http_file() takes the other_headers_len argument. */
#define LWS_FEATURE_SERVE_HTTP_FILE_HAS_OTHER_HEADERS_LEN

/** \} */

/**
 * \defgroup logging Logging
 * Log categories, where the lines go, and the lwsl_* macros.
 * \{
 */

/**
 * Log categories. Each is one bit, so a set of them is an int made by
 * OR-ing them together (see lws_set_log_level()). The emit function
 * receives exactly one of them as its level argument.
 */
enum lws_log_levels {
	LLL_ERR = 1 << 0,      /**< something failed */
	LLL_WARN = 1 << 1,     /**< something odd that we survived */
	LLL_NOTICE = 1 << 2,   /**< noteworthy normal events */
	LLL_INFO = 1 << 3,     /**< chatty progress */
	LLL_DEBUG = 1 << 4,    /**< developer detail */
	LLL_PARSER = 1 << 5,   /**< HTTP/frame parser states */
	LLL_HEADER = 1 << 6,   /**< header processing */
	LLL_EXT = 1 << 7,      /**< extension activity */
	LLL_CLIENT = 1 << 8,   /**< client connection activity */
	LLL_LATENCY = 1 << 9,  /**< timing measurements */

	/** How many category bits exist; not a category itself. */
	LLL_COUNT = 10
};

/**
 * Format a log line printf-style and hand it to the emit function, but only
 * if its category is enabled in the current log level. Normally reached
 * through the lwsl_* macros.
 *
 * \param filter  the line's category: one of enum lws_log_levels.
 * \param format  printf format, followed by its values.
 *
 * Deliberately without LWS_PRINTF_FORMAT: 1.4's declaration had no format
 * attribute, and 1.4 programs that built warning-free against it (its own
 * test-server passes a size_t to %d) would get -Wformat warnings, which
 * break their -Werror builds.
 */
LWS_VISIBLE LWS_EXTERN void
_lws_log(int filter, const char *format, ...);

/**
 * The same as _lws_log(), with the arguments already in a va_list.
 * \param filter  the line's category: one of enum lws_log_levels.
 * \param format  printf format.
 * \param vl      its values.
 */
LWS_VISIBLE LWS_EXTERN void
_lws_logv(int filter, const char *format, va_list vl);

/**
 * Choose which log categories are emitted, and where. Process-wide, and
 * safe to call from any thread at any time: contexts serviced on other
 * threads log by the new settings from their next line on.
 *
 * \param level  OR of the LLL_* bits to enable. The default is
 *               LLL_ERR | LLL_WARN | LLL_NOTICE.
 * \param log_emit_function  receives each formatted line together with
 *               the single category it belongs to. NULL keeps the current
 *               emitter; the default one writes to stderr.
 */
LWS_VISIBLE LWS_EXTERN void
lws_set_log_level(int level,
		  void (*log_emit_function)(int level, const char *line));

/**
 * A ready-made emitter for lws_set_log_level() that sends each line to
 * syslog(3), with a syslog priority matching its category (LLL_ERR as an
 * error, LLL_WARN as a warning, LLL_NOTICE as a notice, LLL_INFO as info,
 * anything else as debug).
 *
 * \param level  the line's category (one LLL_* bit).
 * \param line   the formatted line.
 */
LWS_VISIBLE LWS_EXTERN void
lwsl_emit_syslog(int level, const char *line);

/**
 * Log len bytes at buf as a hex and ASCII dump, 16 bytes a line, in the
 * LLL_DEBUG category. In builds without _DEBUG the lwsl_hexdump() macro
 * hides this function, exactly as in 1.4; (lwsl_hexdump)(buf, len) still
 * reaches it.
 *
 * \param buf  the bytes.
 * \param len  how many.
 */
LWS_VISIBLE LWS_EXTERN void
lwsl_hexdump(void *buf, size_t len);

/*
 * Logging macros. The format string is part of __VA_ARGS__, so a call with
 * no further arguments is still valid ISO C99 / C++11.
 *
 * Errors, warnings and notices are always compiled in. The other categories
 * are compiled in only when the application is built with _DEBUG; without
 * it they expand to a no-op expression and their arguments are not
 * evaluated, as in 1.4. ((void)0 rather than nothing, so that
 * `if (x) lwsl_info("y");` raises no empty-body warning.)
 */
/** Log an error (LLL_ERR), printf-style; always compiled in. */
#define lwsl_err(...) _lws_log(LLL_ERR, __VA_ARGS__)
/** Log a warning (LLL_WARN), printf-style; always compiled in. */
#define lwsl_warn(...) _lws_log(LLL_WARN, __VA_ARGS__)
/** Log a notice (LLL_NOTICE), printf-style; always compiled in. */
#define lwsl_notice(...) _lws_log(LLL_NOTICE, __VA_ARGS__)

#ifdef _DEBUG
/** Log in LLL_INFO, printf-style; compiled in only with _DEBUG. */
#define lwsl_info(...) _lws_log(LLL_INFO, __VA_ARGS__)
/** Log in LLL_DEBUG, printf-style; compiled in only with _DEBUG. */
#define lwsl_debug(...) _lws_log(LLL_DEBUG, __VA_ARGS__)
/** Log in LLL_PARSER, printf-style; compiled in only with _DEBUG. */
#define lwsl_parser(...) _lws_log(LLL_PARSER, __VA_ARGS__)
/** Log in LLL_HEADER, printf-style; compiled in only with _DEBUG. */
#define lwsl_header(...) _lws_log(LLL_HEADER, __VA_ARGS__)
/** Log in LLL_EXT, printf-style; compiled in only with _DEBUG. */
#define lwsl_ext(...) _lws_log(LLL_EXT, __VA_ARGS__)
/** Log in LLL_CLIENT, printf-style; compiled in only with _DEBUG. */
#define lwsl_client(...) _lws_log(LLL_CLIENT, __VA_ARGS__)
/** Log in LLL_LATENCY, printf-style; compiled in only with _DEBUG. */
#define lwsl_latency(...) _lws_log(LLL_LATENCY, __VA_ARGS__)
/* lwsl_hexdump() is the function declared above. */
#else
#define lwsl_info(...) ((void)0)
#define lwsl_debug(...) ((void)0)
#define lwsl_parser(...) ((void)0)
#define lwsl_header(...) ((void)0)
#define lwsl_ext(...) ((void)0)
#define lwsl_client(...) ((void)0)
#define lwsl_latency(...) ((void)0)
#define lwsl_hexdump(buf, len) ((void)0)
#endif

/** \} */

/**
 * \defgroup constants Constants
 * Padding around write buffers, and other fixed values.
 * \{
 */

/** Give this as lws_context_creation_info.port to create a client-only
 *  context that listens on no port. */
#define CONTEXT_PORT_NO_LISTEN (-1)

/** Nesting depth the 1.4 multiplexing extension allowed; it survives only
 *  as part of the padding arithmetic below. */
#define MAX_MUX_RECURSION 2

/**
 * Bytes that must be writable in front of the buffer given to
 * libwebsocket_write(): the library builds the frame header there, in
 * place, instead of copying the payload. The largest RFC 6455 header is
 * 2 + 8 (64-bit length) + 4 (masking key) = 14 bytes; 1.4 added two bytes
 * per mux nesting level (14 + 2 * MAX_MUX_RECURSION), and the value is
 * kept for binary compatibility. Written as a plain literal so that Swift
 * can import it (it does not import macros built from other macros).
 */
#define LWS_SEND_BUFFER_PRE_PADDING 18

/** Bytes that must be writable after the payload given to
 *  libwebsocket_write(). */
#define LWS_SEND_BUFFER_POST_PADDING 4

/** \} */

/**
 * \defgroup handles Handles
 * The two opaque types every call passes around.
 * \{
 */

/**
 * One connection ("wsi"): an HTTP or WebSocket session, server or client
 * side. Valid from its first callback until its LWS_CALLBACK_CLOSED /
 * LWS_CALLBACK_CLOSED_HTTP callback has returned (the LWS_CALLBACK_WSI_DESTROY
 * callback is the very last use), or until its context is destroyed.
 */
struct libwebsocket;

/**
 * A context: a listening server and/or a set of client connections,
 * serviced together by one thread. Owns all its connections.
 */
struct libwebsocket_context;

/** \} */

/* ------------------------------------------------------------------------
 * Enumerations (each in the topic it belongs to: \ingroup)
 * ------------------------------------------------------------------------ */

/** \ingroup context
 *  Bits of lws_context_creation_info.options. */
enum libwebsocket_context_options {
	/**
	 * Named by the 1.4 documentation of the options field but missing
	 * from its header; defined so code written from that documentation
	 * compiles. It has no effect: RFC 6455 requires every frame a client
	 * sends to be masked, and this library always does so.
	 * \differs New: 1.4's header did not define it.
	 */
	LWS_SERVER_OPTION_DEFEAT_CLIENT_MASK = 1,
	/** Refuse TLS clients that do not present a certificate which
	 *  verifies (see LWS_CALLBACK_OPENSSL_PERFORM_CLIENT_CERT_VERIFICATION). */
	LWS_SERVER_OPTION_REQUIRE_VALID_OPENSSL_CLIENT_CERT = 2,
	/** Do not look up this host's canonical name at context creation;
	 *  libwebsocket_canonical_hostname() then returns a plain name. */
	LWS_SERVER_OPTION_SKIP_SERVER_CANONICAL_NAME = 4,
	/** On a TLS listening port, also accept clients speaking plain text. */
	LWS_SERVER_OPTION_ALLOW_NON_SSL_ON_SSL_PORT = 8,
	/** Service through the libev event loop; only meaningful in builds
	 *  with libev support (it was optional in 1.4 too). */
	LWS_SERVER_OPTION_LIBEV = 16,
	/** Listen and connect with IPv4 only. */
	LWS_SERVER_OPTION_DISABLE_IPV6 = 32,
	/** Do not load the system's default CA certificates for verifying
	 *  peers; only ssl_ca_filepath and the callbacks supply trust. */
	LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS = 64,
	/**
	 * Not in 1.4: set SO_REUSEPORT on the listening socket, so that
	 * several processes, or several contexts of one process (each
	 * serviced by its own thread), listen on the same port and the
	 * kernel spreads incoming connections over them. Every listener
	 * sharing the port must ask for it (and run as the same user);
	 * without it a second listener fails to bind, as before.
	 * Connections are not handed between contexts: each one stays with
	 * the context that accepted it, so state shared between sessions
	 * (a chat room, say) must live outside the contexts. The value is
	 * the one later libwebsockets releases give this option, clear of
	 * every 1.4 bit.
	 */
	LWS_SERVER_OPTION_ALLOW_LISTEN_SHARE = 1 << 23
};

/**
 * \defgroup callbacks Callbacks
 * The callback types, every reason they are called for, and the protocol
 * and extension tables that name them.
 */

/**
 * \ingroup callbacks
 * Why a protocol callback (callback_function) is being called. Unless a
 * reason says otherwise, the return value is 0 to carry on, non-zero to
 * close the connection (the close happens after the callback has returned).
 * "Protocol 0" is the first entry of the protocols array.
 */
enum libwebsocket_callback_reasons {
	/** Server side: the WebSocket handshake with a client completed.
	 *  user is the zeroed per-session data, ready to be set up. */
	LWS_CALLBACK_ESTABLISHED = 0,
	/** Client side: the connection could not be made or its handshake
	 *  failed. in may hold a NUL-terminated reason, or be NULL. The wsi
	 *  is gone after this callback. */
	LWS_CALLBACK_CLIENT_CONNECTION_ERROR = 1,
	/** Client side: the server's handshake response was parsed; last
	 *  chance to read its headers (lws_hdr_copy()) and reject it by
	 *  returning non-zero. The headers are freed before
	 *  LWS_CALLBACK_CLIENT_ESTABLISHED. */
	LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH = 2,
	/** Client side: the handshake with the server completed. */
	LWS_CALLBACK_CLIENT_ESTABLISHED = 3,
	/** A WebSocket session ended (either side). Free what user points
	 *  to, not user itself. */
	LWS_CALLBACK_CLOSED = 4,
	/** A plain HTTP (never upgraded) session ended. */
	LWS_CALLBACK_CLOSED_HTTP = 5,
	/** Server side: payload data arrived; in / len. At most
	 *  rx_buffer_size bytes per call: see
	 *  libwebsockets_remaining_packet_payload() and
	 *  libwebsocket_is_final_fragment() to find message boundaries.
	 *  ((char *)in)[len] is 0 during the callback, so text may be used as
	 *  a C string, and as in 1.4 the LWS_SEND_BUFFER_PRE_PADDING bytes
	 *  before in and LWS_SEND_BUFFER_POST_PADDING after in + len are
	 *  yours to write, so a reply may be sent from in itself (both
	 *  unless an application extension supplied the buffer).
	 *  in is valid only until the callback returns. Calling
	 *  libwebsocket_rx_flow_control(wsi, 0) here stops RECEIVE at once,
	 *  also for the rest of a frame already read; it arrives after the
	 *  flow is turned on again. A deflate-frame frame arrives whole, up to
	 *  64 KiB inflated (or rx_buffer_size if larger), in pieces of that
	 *  size beyond it (1.4 closed the connection there). A zero-length
	 *  message is one RECEIVE with len 0.
	 *  \differs A text message that is not valid UTF-8 closes the
	 *  connection with 1007 (1.4 delivered it); a zero-length message is
	 *  delivered (1.4 dropped it); a deflate-frame frame beyond 64 KiB
	 *  inflated arrives in pieces (1.4 closed the connection). */
	LWS_CALLBACK_RECEIVE = 6,
	/** Client side counterpart of LWS_CALLBACK_RECEIVE. */
	LWS_CALLBACK_CLIENT_RECEIVE = 7,
	/** Client side: a PONG frame arrived; its payload is in / len. */
	LWS_CALLBACK_CLIENT_RECEIVE_PONG = 8,
	/** Client side: the connection can take a write now, following a
	 *  libwebsocket_callback_on_writable() request. */
	LWS_CALLBACK_CLIENT_WRITEABLE = 9,
	/** Server side counterpart of LWS_CALLBACK_CLIENT_WRITEABLE. */
	LWS_CALLBACK_SERVER_WRITEABLE = 10,
	/** Protocol 0 only: an HTTP request that is not a WebSocket upgrade.
	 *  in is the NUL-terminated URI path. Answer with
	 *  libwebsockets_serve_http_file(), libwebsocket_write() of
	 *  LWS_WRITE_HTTP data, or libwebsockets_return_http_status().
	 *  Return non-zero to close the connection.
	 *
	 *  The answer may also come later, from another callback or from
	 *  outside any callback, but it must start within 30 seconds (after
	 *  LWS_CALLBACK_HTTP_BODY_COMPLETION when the request has a body):
	 *  otherwise the connection is closed (PENDING_TIMEOUT_HTTP_CONTENT),
	 *  unless you armed a timeout of your own with
	 *  libwebsocket_set_timeout(). Once the answer has started, the
	 *  connection waits for you: finish with
	 *  lws_http_transaction_completed() or by closing. Until then nothing
	 *  more is read from the client (a request pipelined behind this one
	 *  waits in the socket); if the client shuts its side of the
	 *  connection or resets it meanwhile, the connection is closed.
	 *  \differs A HEAD request is answered 501 (1.4 dropped the
	 *  connection). A header line may end in a lone LF (RFC 7230 3.5),
	 *  as 1.4 accepted, but a bare CR, obs-fold and conflicting lengths
	 *  are refused with 400 before this callback. */
	LWS_CALLBACK_HTTP = 11,
	/** Protocol 0 only: a chunk of the HTTP request body; in / len. */
	LWS_CALLBACK_HTTP_BODY = 12,
	/** Protocol 0 only: the whole request body (Content-Length) has
	 *  been delivered. An answer not started yet must start within 30
	 *  seconds, as for LWS_CALLBACK_HTTP. */
	LWS_CALLBACK_HTTP_BODY_COMPLETION = 13,
	/** A file started with libwebsockets_serve_http_file() has been
	 *  sent completely. Return non-zero to close the connection. */
	LWS_CALLBACK_HTTP_FILE_COMPLETION = 14,
	/** An HTTP connection can take more data now. */
	LWS_CALLBACK_HTTP_WRITEABLE = 15,
	/** Protocol 0 only: a TCP connection was accepted. in is the socket
	 *  descriptor (cast to a pointer-sized integer); wsi is NULL, since
	 *  no connection exists yet (1.4 passed its listening socket's wsi,
	 *  which applications cannot use for anything but this call).
	 *  libwebsockets_get_peer_addresses(context, NULL, fd, ...) works
	 *  here. Return non-zero to hang up before anything is read or
	 *  written, for example by client address.
	 *  \differs wsi is NULL (1.4 passed its listening socket's wsi). */
	LWS_CALLBACK_FILTER_NETWORK_CONNECTION = 16,
	/** Protocol 0 only: an HTTP request was parsed but not yet answered.
	 *  in is the URI. The headers are readable with lws_hdr_copy().
	 *  Return non-zero to refuse it. */
	LWS_CALLBACK_FILTER_HTTP_CONNECTION = 17,
	/** Protocol 0 only: a new accepted connection exists; wsi is it.
	 *  The return value is ignored. */
	LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED = 18,
	/** A WebSocket upgrade request was parsed but not yet answered.
	 *  in is the requested protocol name; the headers are readable with
	 *  lws_hdr_copy(). Return non-zero to refuse the upgrade.
	 *  \differs The answer names one subprotocol, never the client's
	 *  whole list (RFC 6455 4.2.2; see libwebsocket_client_connect()). */
	LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION = 19,
	/** TLS builds: user is the client SSL_CTX *; load extra verify
	 *  locations into it for checking servers. */
	LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS = 20,
	/** TLS builds: user is the server SSL_CTX *; load extra CA
	 *  certificates into it for checking clients. */
	LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS = 21,
	/** TLS builds with LWS_SERVER_OPTION_REQUIRE_VALID_OPENSSL_CLIENT_CERT,
	 *  protocol 0: OpenSSL is verifying a client certificate. user is the
	 *  X509_STORE_CTX *, in the SSL *, len OpenSSL's preverify_ok.
	 *  context and wsi are NULL. Return 0 to accept, 1 to reject. */
	LWS_CALLBACK_OPENSSL_PERFORM_CLIENT_CERT_VERIFICATION = 22,
	/** Client side, protocol 0: the handshake request is being built.
	 *  user is NULL; in is a char ** pointing at the write position,
	 *  len the room left.
	 *  Append whole header lines ending in "\r\n" and advance the
	 *  pointer. Return non-zero to abandon the connection. */
	LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER = 23,
	/** Server side, always to protocol 0 (as in 1.4), whichever
	 *  protocol the connection selected: the client asked for the
	 *  extension named in in, which we support. wsi is the connection
	 *  and user its per-session data (of the selected protocol),
	 *  allocated, but LWS_CALLBACK_ESTABLISHED has not happened yet.
	 *  Return non-zero to decline the extension. */
	LWS_CALLBACK_CONFIRM_EXTENSION_OKAY = 24,
	/** Client side, protocol 0: about to offer the extension named in in.
	 *  Return non-zero to not offer it. */
	LWS_CALLBACK_CLIENT_CONFIRM_EXTENSION_SUPPORTED = 25,
	/** Once per protocol, when the context is created. */
	LWS_CALLBACK_PROTOCOL_INIT = 26,
	/** Once per protocol, when the context is destroyed: release what
	 *  the protocol allocated. */
	LWS_CALLBACK_PROTOCOL_DESTROY = 27,
	/** The earliest callback a connection gets. */
	LWS_CALLBACK_WSI_CREATE = 28,
	/** The last callback a connection gets. */
	LWS_CALLBACK_WSI_DESTROY = 29,
	/** Protocol 0, context and wsi NULL: return an integer identifying
	 *  the calling thread, or 0. Asked on each thread that begins to
	 *  service the context and, when that answer was non-zero, again by
	 *  libwebsocket_callback_on_writable() and
	 *  libwebsocket_callback_on_writable_all_protocol() when called on
	 *  the service thread. 1.4 used it to notice calls from foreign
	 *  threads. Here the library decides by pthread identity: a call from
	 *  any pthread but the one that last entered a service call is queued
	 *  for the service thread, whatever this answers. A non-zero answer
	 *  that differs from the one given on the service thread can only
	 *  make a call foreign (queued), never local, so returning 0 is
	 *  always acceptable.
	 *  \differs 1.4 needed it to tell threads apart; here pthread
	 *  identity decides, and a non-zero answer can only make a call on
	 *  the service thread count as foreign. */
	LWS_CALLBACK_GET_THREAD_ID = 30,
	/** External poll loops only, protocol 0: in is a
	 *  struct libwebsocket_pollargs * for a socket to add to your poll
	 *  set, watching for its events. */
	LWS_CALLBACK_ADD_POLL_FD = 31,
	/** External poll loops only: remove the fd of the
	 *  struct libwebsocket_pollargs * in in from your poll set. */
	LWS_CALLBACK_DEL_POLL_FD = 32,
	/** External poll loops only: the events wanted for the fd in the
	 *  struct libwebsocket_pollargs * in in changed from prev_events to
	 *  events. */
	LWS_CALLBACK_CHANGE_MODE_POLL_FD = 33,
	/** External poll loops only: taken before each ADD / DEL /
	 *  CHANGE_MODE_POLL_FD so a poll set shared between threads can be
	 *  locked. */
	LWS_CALLBACK_LOCK_POLL = 34,
	/** External poll loops only: released after the change. */
	LWS_CALLBACK_UNLOCK_POLL = 35,
	/** TLS builds: a server certificate was configured without
	 *  ssl_private_key_filepath. user is the SSL_CTX *; install the
	 *  private key into it (for example from a hardware token). */
	LWS_CALLBACK_OPENSSL_CONTEXT_REQUIRES_PRIVATE_KEY = 36,

	/** First reason free for the application's own use, for example
	 *  with libwebsocket_callback_all_protocol(). The library never
	 *  sends a reason at or above this value. */
	LWS_CALLBACK_USER = 1000
};

/**
 * \ingroup callbacks
 * Why an extension callback (extension_callback_function) is being called.
 * user is the extension's per-connection (or per-context) private data.
 */
enum libwebsocket_extension_callback_reasons {
	/** A serving context that offers this extension was created. */
	LWS_EXT_CALLBACK_SERVER_CONTEXT_CONSTRUCT = 0,
	/** A client context that may use this extension was created. */
	LWS_EXT_CALLBACK_CLIENT_CONTEXT_CONSTRUCT = 1,
	/** The serving context is being destroyed. */
	LWS_EXT_CALLBACK_SERVER_CONTEXT_DESTRUCT = 2,
	/** The client context is being destroyed. */
	LWS_EXT_CALLBACK_CLIENT_CONTEXT_DESTRUCT = 3,
	/** Server side: the extension was accepted for a connection, just
	 *  before the handshake reply goes out; set up user. */
	LWS_EXT_CALLBACK_CONSTRUCT = 4,
	/** Client side: the server accepted the extension; set up user. */
	LWS_EXT_CALLBACK_CLIENT_CONSTRUCT = 5,
	/** The connection wants to close; return non-zero if the extension
	 *  still holds data that must go out first. */
	LWS_EXT_CALLBACK_CHECK_OK_TO_REALLY_CLOSE = 6,
	/** Client side: may the extension named in in be offered on this
	 *  connection? Return non-zero to leave it out. */
	LWS_EXT_CALLBACK_CHECK_OK_TO_PROPOSE_EXTENSION = 7,
	/** The connection is going away: free what user holds (not user). */
	LWS_EXT_CALLBACK_DESTROY = 8,
	/** Sent to every extension of the context when any connection
	 *  closes, whether or not it used the extension. */
	LWS_EXT_CALLBACK_DESTROY_ANY_WSI_CLOSING = 9,
	/** Sent to every extension of the context when any connection
	 *  is established. */
	LWS_EXT_CALLBACK_ANY_WSI_ESTABLISHED = 10,
	/** Received frame data, before the protocol callback sees it. in is
	 *  a struct lws_tokens * describing the data; point it at a buffer
	 *  of the extension's own to change (for example inflate) it. */
	LWS_EXT_CALLBACK_PACKET_RX_PREPARSE = 11,
	/** Frame data about to be framed and sent, with the same
	 *  struct lws_tokens * convention as PACKET_RX_PREPARSE. */
	LWS_EXT_CALLBACK_PACKET_TX_PRESEND = 12,
	/** The finished frame in in / len is about to be written; return
	 *  non-zero if the extension sent it itself. */
	LWS_EXT_CALLBACK_PACKET_TX_DO_SEND = 13,
	/** Server side: the handshake reply is being built; the extension
	 *  may add its response parameters. */
	LWS_EXT_CALLBACK_HANDSHAKE_REPLY_TX = 14,
	/** Write out any data the extension is still holding. */
	LWS_EXT_CALLBACK_FLUSH_PENDING_TX = 15,
	/** Payload of a frame using an extension-defined opcode. */
	LWS_EXT_CALLBACK_EXTENDED_PAYLOAD_RX = 16,
	/** 1.4 multiplexing: may a new client connection travel inside an
	 *  existing one? Return non-zero to claim it. */
	LWS_EXT_CALLBACK_CAN_PROXY_CLIENT_CONNECTION = 17,
	/** Sent about once a second, for housekeeping. */
	LWS_EXT_CALLBACK_1HZ = 18,
	/** libwebsocket_callback_on_writable() was called for the
	 *  connection; return non-zero if the extension takes care of it. */
	LWS_EXT_CALLBACK_REQUEST_ON_WRITEABLE = 19,
	/** The connection became writeable. */
	LWS_EXT_CALLBACK_IS_WRITEABLE = 20,
	/** Whole payload about to be sent (message-level transforms);
	 *  in is a struct lws_tokens *. */
	LWS_EXT_CALLBACK_PAYLOAD_TX = 21,
	/** Whole payload received (message-level transforms);
	 *  in is a struct lws_tokens *. */
	LWS_EXT_CALLBACK_PAYLOAD_RX = 22
};

/** \ingroup sending
 *  What libwebsocket_write() should send. */
enum libwebsocket_write_protocol {
	/** A text message (or its first frame); must be UTF-8. */
	LWS_WRITE_TEXT = 0,
	/** A binary message (or its first frame). */
	LWS_WRITE_BINARY = 1,
	/** A further frame of a message begun with LWS_WRITE_NO_FIN. */
	LWS_WRITE_CONTINUATION = 2,
	/** Raw bytes on an HTTP connection, no framing and no padding
	 *  needed. */
	LWS_WRITE_HTTP = 3,

	/* Control frames: payload at most 125 bytes. Ordinary code leaves
	 * CLOSE to the library (return non-zero from the callback). */

	/** A close frame; the payload is an optional status code and text. */
	LWS_WRITE_CLOSE = 4,
	/** A ping frame. */
	LWS_WRITE_PING = 5,
	/** A pong frame. */
	LWS_WRITE_PONG = 6,

	/** Like LWS_WRITE_HTTP, for the last chunk of an HTTP body. */
	LWS_WRITE_HTTP_FINAL = 7,
	/** Like LWS_WRITE_HTTP, for a block of HTTP headers. */
	LWS_WRITE_HTTP_HEADERS = 8,

	/* Flags to OR into one of the values above. */

	/** Send the frame without FIN: more frames of this message follow,
	 *  each sent as LWS_WRITE_CONTINUATION, the last without this flag. */
	LWS_WRITE_NO_FIN = 0x40,
	/** Client side, not for ordinary use: send the payload unmasked
	 *  (1.4 used it when relaying frames already masked). */
	LWS_WRITE_CLIENT_IGNORE_XOR_MASK = 0x80
};

/**
 * \ingroup http
 * The HTTP request lines and headers the library recognises, for
 * lws_hdr_total_length(), lws_hdr_copy(), lws_token_to_string() and
 * lws_add_http_header_by_token(). Values below WSI_TOKEN_COUNT are stored
 * per connection; the values from WSI_TOKEN_COUNT on are parser states
 * that 1.4 exposed in the same enum.
 */
enum lws_token_indexes {
	WSI_TOKEN_GET_URI = 0,      /**< URI of a GET request */
	WSI_TOKEN_POST_URI = 1,     /**< URI of a POST request */
	WSI_TOKEN_OPTIONS_URI = 2,  /**< URI of an OPTIONS request */
	WSI_TOKEN_HOST = 3,         /**< Host: */
	WSI_TOKEN_CONNECTION = 4,   /**< Connection: */
	WSI_TOKEN_UPGRADE = 5,      /**< Upgrade: */
	WSI_TOKEN_ORIGIN = 6,       /**< Origin: */
	WSI_TOKEN_DRAFT = 7,        /**< Sec-WebSocket-Draft: (pre-RFC drafts) */
	WSI_TOKEN_CHALLENGE = 8,    /**< key-3 body bytes of draft 76 */
	WSI_TOKEN_EXTENSIONS = 9,   /**< Sec-WebSocket-Extensions: */
	WSI_TOKEN_KEY1 = 10,        /**< Sec-WebSocket-Key1: (draft 76) */
	WSI_TOKEN_KEY2 = 11,        /**< Sec-WebSocket-Key2: (draft 76) */
	WSI_TOKEN_PROTOCOL = 12,    /**< Sec-WebSocket-Protocol: */
	WSI_TOKEN_ACCEPT = 13,      /**< Sec-WebSocket-Accept: */
	WSI_TOKEN_NONCE = 14,       /**< Sec-WebSocket-Nonce: (pre-RFC drafts) */
	WSI_TOKEN_HTTP = 15,        /**< status line of an HTTP response */
	WSI_TOKEN_HTTP2_SETTINGS = 16,  /**< HTTP2-Settings: */
	WSI_TOKEN_HTTP_ACCEPT = 17,     /**< Accept: */
	WSI_TOKEN_HTTP_AC_REQUEST_HEADERS = 18, /**< Access-Control-Request-Headers: */
	WSI_TOKEN_HTTP_IF_MODIFIED_SINCE = 19,  /**< If-Modified-Since: */
	WSI_TOKEN_HTTP_IF_NONE_MATCH = 20,      /**< If-None-Match: */
	WSI_TOKEN_HTTP_ACCEPT_ENCODING = 21,    /**< Accept-Encoding: */
	WSI_TOKEN_HTTP_ACCEPT_LANGUAGE = 22,    /**< Accept-Language: */
	WSI_TOKEN_HTTP_PRAGMA = 23,             /**< Pragma: */
	WSI_TOKEN_HTTP_CACHE_CONTROL = 24,      /**< Cache-Control: */
	WSI_TOKEN_HTTP_AUTHORIZATION = 25,      /**< Authorization: */
	WSI_TOKEN_HTTP_COOKIE = 26,             /**< Cookie: */
	WSI_TOKEN_HTTP_CONTENT_LENGTH = 27,     /**< Content-Length: */
	WSI_TOKEN_HTTP_CONTENT_TYPE = 28,       /**< Content-Type: */
	WSI_TOKEN_HTTP_DATE = 29,               /**< Date: */
	WSI_TOKEN_HTTP_RANGE = 30,              /**< Range: */
	WSI_TOKEN_HTTP_REFERER = 31,            /**< Referer: */
	WSI_TOKEN_KEY = 32,                     /**< Sec-WebSocket-Key: */
	WSI_TOKEN_VERSION = 33,                 /**< Sec-WebSocket-Version: */
	WSI_TOKEN_SWORIGIN = 34,   /**< Sec-WebSocket-Origin: (pre-RFC drafts) */

	/* HTTP/2 pseudo-headers. */
	WSI_TOKEN_HTTP_COLON_AUTHORITY = 35,    /**< :authority */
	WSI_TOKEN_HTTP_COLON_METHOD = 36,       /**< :method */
	WSI_TOKEN_HTTP_COLON_PATH = 37,         /**< :path */
	WSI_TOKEN_HTTP_COLON_SCHEME = 38,       /**< :scheme */
	WSI_TOKEN_HTTP_COLON_STATUS = 39,       /**< :status */

	WSI_TOKEN_HTTP_ACCEPT_CHARSET = 40,     /**< Accept-Charset: */
	WSI_TOKEN_HTTP_ACCEPT_RANGES = 41,      /**< Accept-Ranges: */
	WSI_TOKEN_HTTP_ACCESS_CONTROL_ALLOW_ORIGIN = 42, /**< Access-Control-Allow-Origin: */
	WSI_TOKEN_HTTP_AGE = 43,                /**< Age: */
	WSI_TOKEN_HTTP_ALLOW = 44,              /**< Allow: */
	WSI_TOKEN_HTTP_CONTENT_DISPOSITION = 45, /**< Content-Disposition: */
	WSI_TOKEN_HTTP_CONTENT_ENCODING = 46,   /**< Content-Encoding: */
	WSI_TOKEN_HTTP_CONTENT_LANGUAGE = 47,   /**< Content-Language: */
	WSI_TOKEN_HTTP_CONTENT_LOCATION = 48,   /**< Content-Location: */
	WSI_TOKEN_HTTP_CONTENT_RANGE = 49,      /**< Content-Range: */
	WSI_TOKEN_HTTP_ETAG = 50,               /**< ETag: */
	WSI_TOKEN_HTTP_EXPECT = 51,             /**< Expect: */
	WSI_TOKEN_HTTP_EXPIRES = 52,            /**< Expires: */
	WSI_TOKEN_HTTP_FROM = 53,               /**< From: */
	WSI_TOKEN_HTTP_IF_MATCH = 54,           /**< If-Match: */
	WSI_TOKEN_HTTP_IF_RANGE = 55,           /**< If-Range: */
	WSI_TOKEN_HTTP_IF_UNMODIFIED_SINCE = 56, /**< If-Unmodified-Since: */
	WSI_TOKEN_HTTP_LAST_MODIFIED = 57,      /**< Last-Modified: */
	WSI_TOKEN_HTTP_LINK = 58,               /**< Link: */
	WSI_TOKEN_HTTP_LOCATION = 59,           /**< Location: */
	WSI_TOKEN_HTTP_MAX_FORWARDS = 60,       /**< Max-Forwards: */
	WSI_TOKEN_HTTP_PROXY_AUTHENTICATE = 61, /**< Proxy-Authenticate: */
	WSI_TOKEN_HTTP_PROXY_AUTHORIZATION = 62, /**< Proxy-Authorization: */
	WSI_TOKEN_HTTP_REFRESH = 63,            /**< Refresh: */
	WSI_TOKEN_HTTP_RETRY_AFTER = 64,        /**< Retry-After: */
	WSI_TOKEN_HTTP_SERVER = 65,             /**< Server: */
	WSI_TOKEN_HTTP_SET_COOKIE = 66,         /**< Set-Cookie: */
	WSI_TOKEN_HTTP_STRICT_TRANSPORT_SECURITY = 67, /**< Strict-Transport-Security: */
	WSI_TOKEN_HTTP_TRANSFER_ENCODING = 68,  /**< Transfer-Encoding: */
	WSI_TOKEN_HTTP_USER_AGENT = 69,         /**< User-Agent: */
	WSI_TOKEN_HTTP_VARY = 70,               /**< Vary: */
	WSI_TOKEN_HTTP_VIA = 71,                /**< Via: */
	WSI_TOKEN_HTTP_WWW_AUTHENTICATE = 72,   /**< WWW-Authenticate: */
	WSI_TOKEN_PROXY = 73,       /**< response line from an HTTP proxy */
	WSI_TOKEN_PATCH_URI = 74,   /**< URI of a PATCH request */
	WSI_TOKEN_PUT_URI = 75,     /**< URI of a PUT request */
	WSI_TOKEN_DELETE_URI = 76,  /**< URI of a DELETE request */
	WSI_TOKEN_HTTP_URI_ARGS = 77, /**< the query part of the URI, after '?' */

	/* Where a client connection keeps the parameters it was created
	 * with; not headers. */
	_WSI_TOKEN_CLIENT_SENT_PROTOCOLS = 78, /**< client: protocols asked for */
	_WSI_TOKEN_CLIENT_PEER_ADDRESS = 79,   /**< client: address connected to */
	_WSI_TOKEN_CLIENT_URI = 80,            /**< client: request path */
	_WSI_TOKEN_CLIENT_HOST = 81,           /**< client: Host header sent */
	_WSI_TOKEN_CLIENT_ORIGIN = 82,         /**< client: Origin header sent */

	/** Number of stored tokens; the size of lws_token_limits. */
	WSI_TOKEN_COUNT = 83,

	/* Parser states, kept for the 1.4 numbering; never header indexes. */
	WSI_TOKEN_NAME_PART = 84,       /**< parser state: in a header name */
	WSI_TOKEN_SKIPPING = 85,        /**< parser state: skipping a header */
	WSI_TOKEN_SKIPPING_SAW_CR = 86, /**< parser state: CR while skipping */
	WSI_PARSING_COMPLETE = 87,      /**< parser state: head complete */
	WSI_INIT_TOKEN_MUXURL = 88      /**< parser state of 1.4's mux extension */
};

/**
 * \ingroup constants
 * WebSocket close status codes (RFC 6455 section 7.4), as carried in close
 * frames, plus two values that are never sent.
 */
enum lws_close_status {
	/** Close without putting any status code in the close frame. */
	LWS_CLOSE_STATUS_NOSTATUS = 0,
	LWS_CLOSE_STATUS_NORMAL = 1000,          /**< purpose fulfilled */
	LWS_CLOSE_STATUS_GOINGAWAY = 1001,       /**< endpoint going away */
	LWS_CLOSE_STATUS_PROTOCOL_ERR = 1002,    /**< protocol violation */
	LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE = 1003, /**< data type not accepted */
	LWS_CLOSE_STATUS_RESERVED = 1004,        /**< reserved, never sent */
	/** Reserved: stands for "the close frame had no status"; never sent. */
	LWS_CLOSE_STATUS_NO_STATUS = 1005,
	/** Reserved: stands for "closed without a close frame"; never sent. */
	LWS_CLOSE_STATUS_ABNORMAL_CLOSE = 1006,
	LWS_CLOSE_STATUS_INVALID_PAYLOAD = 1007, /**< e.g. text not UTF-8 */
	LWS_CLOSE_STATUS_POLICY_VIOLATION = 1008, /**< policy violated */
	LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE = 1009, /**< message too big */
	LWS_CLOSE_STATUS_EXTENSION_REQUIRED = 1010, /**< client needs an extension */
	LWS_CLOSE_STATUS_UNEXPECTED_CONDITION = 1011, /**< server failure */
	/** Reserved: stands for "TLS handshake failed"; never sent. */
	LWS_CLOSE_STATUS_TLS_FAILURE = 1015,

	/** Not a wire code: the connection is being torn down because its
	 *  context is destroyed, so no close handshake takes place. */
	LWS_CLOSE_STATUS_NOSTATUS_CONTEXT_DESTROY = 9999
};

/** \ingroup http
 *  HTTP status codes for libwebsockets_return_http_status() and
 *  lws_add_http_header_status(). */
enum http_status {
	HTTP_STATUS_OK = 200,                      /**< OK */
	HTTP_STATUS_NO_CONTENT = 204,              /**< No Content */

	HTTP_STATUS_BAD_REQUEST = 400,             /**< Bad Request */
	HTTP_STATUS_UNAUTHORIZED = 401,            /**< Unauthorized */
	HTTP_STATUS_PAYMENT_REQUIRED = 402,        /**< Payment Required */
	HTTP_STATUS_FORBIDDEN = 403,               /**< Forbidden */
	HTTP_STATUS_NOT_FOUND = 404,               /**< Not Found */
	HTTP_STATUS_METHOD_NOT_ALLOWED = 405,      /**< Method Not Allowed */
	HTTP_STATUS_NOT_ACCEPTABLE = 406,          /**< Not Acceptable */
	HTTP_STATUS_PROXY_AUTH_REQUIRED = 407,     /**< Proxy Authentication Required */
	HTTP_STATUS_REQUEST_TIMEOUT = 408,         /**< Request Timeout */
	HTTP_STATUS_CONFLICT = 409,                /**< Conflict */
	HTTP_STATUS_GONE = 410,                    /**< Gone */
	HTTP_STATUS_LENGTH_REQUIRED = 411,         /**< Length Required */
	HTTP_STATUS_PRECONDITION_FAILED = 412,     /**< Precondition Failed */
	HTTP_STATUS_REQ_ENTITY_TOO_LARGE = 413,    /**< Request Entity Too Large */
	HTTP_STATUS_REQ_URI_TOO_LONG = 414,        /**< Request-URI Too Long */
	HTTP_STATUS_UNSUPPORTED_MEDIA_TYPE = 415,  /**< Unsupported Media Type */
	HTTP_STATUS_REQ_RANGE_NOT_SATISFIABLE = 416, /**< Requested Range Not Satisfiable */
	HTTP_STATUS_EXPECTATION_FAILED = 417,      /**< Expectation Failed */

	HTTP_STATUS_INTERNAL_SERVER_ERROR = 500,   /**< Internal Server Error */
	HTTP_STATUS_NOT_IMPLEMENTED = 501,         /**< Not Implemented */
	HTTP_STATUS_BAD_GATEWAY = 502,             /**< Bad Gateway */
	HTTP_STATUS_SERVICE_UNAVAILABLE = 503,     /**< Service Unavailable */
	HTTP_STATUS_GATEWAY_TIMEOUT = 504,         /**< Gateway Timeout */
	HTTP_STATUS_HTTP_VERSION_NOT_SUPPORTED = 505 /**< HTTP Version Not Supported */
};

/**
 * \ingroup connections
 * What a connection is waiting for when its timeout (set with
 * libwebsocket_set_timeout()) fires; the connection is then closed.
 */
enum pending_timeout {
	NO_PENDING_TIMEOUT = 0,  /**< no timeout armed; cancels one */
	PENDING_TIMEOUT_AWAITING_PROXY_RESPONSE = 1,   /**< proxy CONNECT reply */
	PENDING_TIMEOUT_AWAITING_CONNECT_RESPONSE = 2, /**< TCP connect */
	PENDING_TIMEOUT_ESTABLISH_WITH_SERVER = 3,     /**< client handshake */
	PENDING_TIMEOUT_AWAITING_SERVER_RESPONSE = 4,  /**< server handshake reply */
	PENDING_TIMEOUT_AWAITING_PING = 5,             /**< pong to our ping */
	PENDING_TIMEOUT_CLOSE_ACK = 6,                 /**< peer's close frame */
	PENDING_TIMEOUT_AWAITING_EXTENSION_CONNECT_RESPONSE = 7, /**< 1.4 mux */
	PENDING_TIMEOUT_SENT_CLIENT_HANDSHAKE = 8,     /**< reply to our handshake */
	PENDING_TIMEOUT_SSL_ACCEPT = 9,                /**< TLS accept */
	PENDING_TIMEOUT_HTTP_CONTENT = 10,             /**< HTTP request body */
	PENDING_TIMEOUT_AWAITING_CLIENT_HS_SEND = 11   /**< sending our handshake */
};

/* ------------------------------------------------------------------------
 * Structures (each in the topic it belongs to: \ingroup)
 * ------------------------------------------------------------------------ */

/**
 * \ingroup service
 * The 1.4 name for struct pollfd of <poll.h>, as given to
 * libwebsocket_service_fd(). A macro, not a typedef, because 1.4 code
 * writes "struct libwebsocket_pollfd".
 */
#define libwebsocket_pollfd pollfd

/**
 * \ingroup service
 * The argument (in) of the ADD / DEL / CHANGE_MODE_POLL_FD callbacks.
 * events and prev_events are poll(2) event masks (POLLIN, POLLOUT).
 *
 * POLLIN is asked for only while the connection can use input: it is
 * withdrawn while an HTTP request is being answered, while receive flow
 * control is off (libwebsocket_rx_flow_control()) and while the peer has
 * not read the answers to what it sent (see libwebsocket_write()).
 * poll(2) still reports POLLHUP and POLLERR (a peer that reset or fully
 * closed the connection) for such an fd: pass them to
 * libwebsocket_service_fd() as usual and the connection is closed. A
 * peer that only shuts down its sending side shows no event then; the
 * connection notices when it reads again, or its timeout closes it (an
 * unanswered HTTP request: 30 seconds). The library's own loop
 * (libwebsocket_service()) also watches for that FIN through epoll.
 */
struct libwebsocket_pollargs {
	int fd;          /**< the socket */
	int events;      /**< events to wait for from now on */
	int prev_events; /**< events waited for until now */
};

/**
 * \ingroup callbacks
 * A buffer handed to and back from extensions: extensions may point token
 * at a buffer of their own and change token_len.
 */
struct lws_tokens {
	char *token;   /**< start of the data */
	int token_len; /**< its length in bytes */
};

/**
 * \ingroup http
 * The most bytes the library stores for each token of a request, indexed
 * by enum lws_token_indexes. A request whose header is longer than its
 * limit is refused. Give it as lws_context_creation_info.token_limits.
 */
struct lws_token_limits {
	unsigned short token_limit[WSI_TOKEN_COUNT]; /**< bytes per token */
};

/**
 * \ingroup callbacks
 * The type of the function that serves one protocol.
 *
 * \param context  the context of the connection.
 * \param wsi      the connection (NULL for context-wide reasons).
 * \param reason   why it is called; see enum libwebsocket_callback_reasons.
 * \param user     the connection's per-session data of
 *                 per_session_data_size bytes, allocated zeroed by the
 *                 library and freed after LWS_CALLBACK_CLOSED (for some
 *                 reasons, something else: see there).
 * \param in       reason-specific data. Valid only until the callback
 *                 returns: it often points into a buffer the context
 *                 reuses for every connection. Copy what you need to keep.
 * \param len      reason-specific length, usually of in.
 * \return 0 to carry on; non-zero closes the connection once the callback
 *         has returned (some reasons give it another meaning: see there).
 *
 * The callback may call back into the library for the same context:
 * libwebsocket_write(), libwebsocket_callback_on_writable(),
 * libwebsocket_set_timeout() and so on.
 */
typedef int (callback_function)(struct libwebsocket_context *context,
				struct libwebsocket *wsi,
				enum libwebsocket_callback_reasons reason,
				void *user, void *in, size_t len);

/* Declared ahead: the extension callback type below names it. */
struct libwebsocket_extension;

/**
 * \ingroup callbacks
 * The type of the function that implements an extension. See enum
 * libwebsocket_extension_callback_reasons.
 *
 * \param context  the context.
 * \param ext      the extension's own entry of the extensions array.
 * \param wsi      the connection (NULL for context-wide reasons).
 * \param reason   why it is called.
 * \param user     the extension's per-connection (or per-context) data.
 * \param in       reason-specific data, valid only during the call.
 * \param len      reason-specific length.
 * \return reason-specific; 0 when the reason gives no meaning to it.
 */
typedef int (extension_callback_function)(struct libwebsocket_context *context,
			struct libwebsocket_extension *ext,
			struct libwebsocket *wsi,
			enum libwebsocket_extension_callback_reasons reason,
			void *user, void *in, size_t len);

/**
 * \ingroup callbacks
 * One WebSocket subprotocol the context serves or speaks. The context
 * takes an array of them, ended by an entry whose callback is NULL.
 * Protocol 0, the first entry, also receives every HTTP request and the
 * connection-level reasons, because no subprotocol is agreed yet then.
 * The array must outlive the context: the library writes into it.
 */
struct libwebsocket_protocols {
	/** Subprotocol name, matched against Sec-WebSocket-Protocol (the
	 *  second argument of JavaScript's new WebSocket(url, name)). */
	const char *name;
	/** Serves every event of connections using this protocol. */
	callback_function *callback;
	/** Bytes of zeroed per-connection memory to allocate; the callback
	 *  receives it as user. A connection whose memory cannot be
	 *  allocated fails: its request or upgrade is answered with 500, a
	 *  client connection gets LWS_CALLBACK_CLIENT_CONNECTION_ERROR. */
	size_t per_session_data_size;
	/** The most payload bytes delivered per RECEIVE callback; frames
	 *  larger than this arrive in several pieces. 0 means 4096; values
	 *  above 64 MiB count as 64 MiB. Padding is added by the library on
	 *  top. */
	size_t rx_buffer_size;
	/** Ignored by the library: free for the application, for example a
	 *  protocol version number. */
	unsigned int id;
	/** Ignored by the library: free for the application. */
	void *user;
	/** Set by the library: the context this entry was registered with. */
	struct libwebsocket_context *owning_server;
	/** Set by the library: this entry's index in the array. */
	int protocol_index;
};

/**
 * \ingroup callbacks
 * One WebSocket extension the context supports. The context takes an
 * array of them, ended by an entry whose callback is NULL; see
 * libwebsocket_get_internal_extensions().
 */
struct libwebsocket_extension {
	/** Extension name as negotiated, e.g. "permessage-deflate". */
	const char *name;
	/** Implements the extension. */
	extension_callback_function *callback;
	/** Bytes of private memory allocated per connection using the
	 *  extension, passed to the callback as user. When they cannot be
	 *  allocated, the extension is not used on that connection. */
	size_t per_session_data_size;
	/** Free for the extension's own per-context state. */
	void *per_context_private_data;
};

/**
 * \ingroup context
 * Everything libwebsocket_create_context() needs. Zero the whole struct
 * first (memset) and fill in what you use: zero or NULL is the default for
 * every member except gid and uid, which should be -1 unless privileges are
 * to be dropped. The arrays that protocols, extensions and
 * token_limits point to are used in place and must stay valid until the
 * context is destroyed; the struct itself and its strings are only read
 * during the call.
 */
struct lws_context_creation_info {
	/** TCP port to listen on, or CONTEXT_PORT_NO_LISTEN for a client-only
	 *  context. */
	int port;
	/** NULL to listen on all interfaces, or an interface name such as
	 *  "eth0" to listen on that one only. */
	const char *iface;
	/** The protocols array; see struct libwebsocket_protocols. Not const
	 *  because the library fills in owning_server and protocol_index, so
	 *  each context needs an array of its own (contexts on several
	 *  threads sharing one would race on those fields, and
	 *  libwebsocket_callback_on_writable_all_protocol() would reach only
	 *  the context that wrote last). */
	struct libwebsocket_protocols *protocols;
	/** NULL, or the extensions array to offer and accept. */
	struct libwebsocket_extension *extensions;
	/** NULL for the default limits, or per-token storage limits. */
	struct lws_token_limits *token_limits;
	/** Passphrase of an encrypted private key, or NULL. */
	const char *ssl_private_key_password;
	/** To serve TLS: path of the server certificate (PEM). NULL serves
	 *  plain text. */
	const char *ssl_cert_filepath;
	/** Path of the server private key (PEM) when serving TLS. */
	const char *ssl_private_key_filepath;
	/** NULL, or path of CA certificates (PEM) to verify peers with. */
	const char *ssl_ca_filepath;
	/** NULL for the TLS library's default cipher list, or an OpenSSL
	 *  cipher list string. */
	const char *ssl_cipher_list;
	/** NULL, or the host of an HTTP proxy for client connections. When
	 *  NULL the http_proxy environment variable is used, if set. */
	const char *http_proxy_address;
	/** Port of http_proxy_address. */
	unsigned int http_proxy_port;
	/** Group id to switch to once listening, or -1 to stay. */
	int gid;
	/** User id to switch to once listening, or -1 to stay. */
	int uid;
	/** OR of enum libwebsocket_context_options bits. */
	unsigned int options;
	/** Free for the application; read back with
	 *  libwebsocket_context_user(). */
	void *user;
	/** 0 for no TCP keepalive, else seconds of idleness before the first
	 *  keepalive probe, on every connection. */
	int ka_time;
	/** With ka_time: unanswered probes before the connection is dropped. */
	int ka_probes;
	/** With ka_time: seconds between probes. */
	int ka_interval;
	/**
	 * NULL, or an OpenSSL SSL_CTX * for client connections to use instead
	 * of the one the library would make. The caller keeps ownership and
	 * frees it after the context is destroyed.
	 *
	 * 1.4 declared it SSL_CTX * when built with OpenSSL. It is void * here
	 * so that this header does not drag <openssl/ssl.h> into every user;
	 * both are one pointer, at the same offset, and an SSL_CTX * converts
	 * to void * implicitly in C and C++, so 1.4 code is unaffected.
	 * \differs Declared void * (1.4: SSL_CTX *).
	 */
	void *provided_client_ssl_ctx;
};

/**
 * \defgroup context Context
 * Creating and destroying a context, and what it is made of.
 * \{
 */

/**
 * Create a context: set up TLS if asked, open the listening socket if
 * info->port is not CONTEXT_PORT_NO_LISTEN, drop privileges to info->gid /
 * info->uid, and send LWS_CALLBACK_PROTOCOL_INIT to every protocol.
 * Afterwards call libwebsocket_service() (or libwebsocket_service_fd())
 * repeatedly, from one thread, to make anything happen.
 *
 * \param info  what to create; see struct lws_context_creation_info.
 * \return the context, or NULL on failure (the reason is logged).
 */
LWS_VISIBLE LWS_EXTERN struct libwebsocket_context *
libwebsocket_create_context(struct lws_context_creation_info *info);

/**
 * Close every connection (each gets its CLOSED callback), send
 * LWS_CALLBACK_PROTOCOL_DESTROY to every protocol and free the context.
 * Neither the context nor any of its connections may be used afterwards.
 *
 * \param context  the context.
 */
LWS_VISIBLE LWS_EXTERN void
libwebsocket_context_destroy(struct libwebsocket_context *context);

/**
 * The info->user pointer the context was created with.
 * \param context  the context.
 * \return lws_context_creation_info.user.
 */
LWS_VISIBLE LWS_EXTERN void *
libwebsocket_context_user(struct libwebsocket_context *context);

/**
 * This host's name as found at context creation (a plain name if
 * LWS_SERVER_OPTION_SKIP_SERVER_CANONICAL_NAME was given). Handy as the
 * host argument of libwebsocket_client_connect().
 *
 * \param context  the context.
 * \return the name, a string that belongs to the context.
 */
LWS_VISIBLE LWS_EXTERN const char *
libwebsocket_canonical_hostname(struct libwebsocket_context *context);

/**
 * Route the context's later client connections through an HTTP proxy.
 * proxy is "host:port" (an "http://" prefix is tolerated). It replaces
 * what info->http_proxy_address or the http_proxy environment variable
 * set. Call it before starting client connections.
 *
 * \param context  the context.
 * \param proxy    "host:port".
 * \return 0 if the proxy was taken, -1 if proxy is NULL or malformed.
 */
LWS_VISIBLE LWS_EXTERN int
libwebsocket_set_proxy(struct libwebsocket_context *context,
		       const char *proxy);

/**
 * The extensions built into this library, as an array ended by an entry
 * whose callback is NULL, suitable for info->extensions: "deflate-frame"
 * and "x-webkit-deflate-frame" (1.4's), then "permessage-deflate" (RFC
 * 7692). A client offers them in that order, so two programs on this
 * library use deflate-frame as they did on 1.4; browsers and other RFC
 * peers get permessage-deflate. A server answers one of them; a 1.4 server
 * answers both deflate-frame names, which the client then runs as 1.4 did
 * (each frame compressed twice). Frames of deflate-frame carry at most
 * 65535 bytes before compression (1.4's limit): larger writes are sent as
 * several frames of one message.
 *
 * \return the array; it belongs to the library.
 * \differs permessage-deflate is new: 1.4 had only the two deflate-frame
 * names.
 */
LWS_VISIBLE LWS_EXTERN struct libwebsocket_extension *
libwebsocket_get_internal_extensions(void);

/** \} */

/**
 * \defgroup service Service
 * Running a context: its own poll loop, or yours (external poll).
 * \{
 */

/**
 * Wait up to timeout_ms milliseconds for activity on the context's
 * sockets, then service everything that is ready: accept connections,
 * read and deliver data, send WRITEABLE callbacks, fire timeouts. 0 does
 * not wait at all, so it can be called from an existing main loop; a
 * large value lets a dedicated thread sleep until something happens.
 *
 * \param context     the context.
 * \param timeout_ms  the longest wait, in milliseconds.
 * \return 0, or a negative value if the context cannot be serviced.
 */
LWS_VISIBLE LWS_EXTERN int
libwebsocket_service(struct libwebsocket_context *context, int timeout_ms);

/**
 * Make a libwebsocket_service() that is waiting, or the next one to
 * start, return promptly. Safe to call from any thread.
 *
 * \param context  the context.
 */
LWS_VISIBLE LWS_EXTERN void
libwebsocket_cancel_service(struct libwebsocket_context *context);

/**
 * For applications running their own poll loop (see the ADD / DEL /
 * CHANGE_MODE_POLL_FD callbacks): service one pollfd that poll() reported.
 * Any pollfd may be passed. If its fd belongs to the context it is
 * serviced and its revents set to 0; otherwise revents is left alone, so
 * a non-zero revents afterwards means the fd is the application's own.
 *
 * \param context  the context.
 * \param pollfd   one entry of your poll set, with revents as poll() set it.
 * \return 0, or a negative value on failure of the context.
 */
LWS_VISIBLE LWS_EXTERN int
libwebsocket_service_fd(struct libwebsocket_context *context,
			struct libwebsocket_pollfd *pollfd);

/** \} */

/**
 * \defgroup client Client connections
 * Connecting to a WebSocket server.
 * \{
 */

/**
 * Start a WebSocket connection to a server. The connection proceeds
 * during libwebsocket_service() and ends in LWS_CALLBACK_CLIENT_ESTABLISHED
 * or LWS_CALLBACK_CLIENT_CONNECTION_ERROR.
 *
 * \param clients   the context (normally created with
 *                  CONTEXT_PORT_NO_LISTEN).
 * \param address   server name or IP address to connect to.
 * \param port      server TCP port.
 * \param ssl_connection  0 for ws://, 1 for wss:// with certificate
 *                  checking, 2 for wss:// accepting self-signed server
 *                  certificates. Checking covers the chain (the system's
 *                  CAs, SSL_CERT_FILE / SSL_CERT_DIR, ssl_ca_filepath) and,
 *                  stricter than 1.4, that the certificate names the
 *                  address connected to.
 * \param path      the request path, e.g. "/".
 * \param host      the Host header value.
 * \param origin    the Origin header value.
 * \param protocol  NULL, or the subprotocol name(s) to ask for,
 *                  comma-separated; the server picks one. The connection is
 *                  bound to the protocols[] entry named as the server
 *                  answered, or to the entry whose own name is a comma list
 *                  containing that answer (1.4 programs name an entry "a,b"
 *                  and offer that string). An answer equal to the whole
 *                  offered list, as 1.4 servers gave, is accepted too. Our
 *                  server answers one name (RFC 6455 4.2.2; browsers refuse
 *                  a list): so a 1.4 client still linked to the original
 *                  library that names an entry "a,b" cannot use the answer
 *                  "a" from our server, nor from any later libwebsockets or
 *                  other RFC server; relinked against this library, it can.
 * \param ietf_version_or_minus_one  -1 for RFC 6455 (version 13), or an
 *                  explicit protocol version number.
 * \return the new connection, or NULL if it could not even be started
 *         (also when the system has no randomness for Sec-WebSocket-Key:
 *         neither getrandom(2) nor /dev/urandom works).
 * \differs With ssl_connection 1 the server certificate must name the
 * address (1.4 checked the chain only). Our server answers one
 * subprotocol name, not the client's list.
 */
LWS_VISIBLE LWS_EXTERN struct libwebsocket *
libwebsocket_client_connect(struct libwebsocket_context *clients,
			    const char *address, int port, int ssl_connection,
			    const char *path, const char *host,
			    const char *origin, const char *protocol,
			    int ietf_version_or_minus_one);

/**
 * Like libwebsocket_client_connect(), but userdata, when not NULL, is used
 * as the connection's per-session data instead of memory the library
 * allocates. The library does not free it.
 *
 * \param clients, address, port, ssl_connection, path, host, origin,
 *        protocol, ietf_version_or_minus_one  as for
 *        libwebsocket_client_connect().
 * \param userdata  the per-session data to use, or NULL.
 * \return the new connection, or NULL if it could not even be started.
 */
LWS_VISIBLE LWS_EXTERN struct libwebsocket *
libwebsocket_client_connect_extended(struct libwebsocket_context *clients,
				     const char *address, int port,
				     int ssl_connection, const char *path,
				     const char *host, const char *origin,
				     const char *protocol,
				     int ietf_version_or_minus_one,
				     void *userdata);

/** \} */

/**
 * \defgroup sending Sending
 * Writing frames and HTTP data, asking for WRITEABLE callbacks, buffering.
 * \{
 */

/**
 * Send data on a connection.
 *
 * \param wsi  the connection.
 * \param buf  the payload. For every protocol except the LWS_WRITE_HTTP*
 *   ones, LWS_SEND_BUFFER_PRE_PADDING bytes before buf and
 *   LWS_SEND_BUFFER_POST_PADDING bytes after buf + len must belong to the
 *   same writable allocation: the frame header is built there, in place,
 *   and a client masks the payload in place (so buf is modified).
 * \param len  payload bytes at buf.
 * \param protocol  an enum libwebsocket_write_protocol value, possibly
 *   OR-ed with LWS_WRITE_NO_FIN.
 * \return -1 on a fatal error, after which the callback should return
 * non-zero to close the connection; for a connection that is closing
 * (from LWS_CALLBACK_CLOSED or CLOSED_HTTP on: nothing may follow the
 * close frame, RFC 6455 5.5.1); and for a len no buffer can have (a
 * negative value cast to size_t, or any length reaching past the end of
 * the address space). A client connection without randomness for the
 * masking key also gets -1, and fails. Otherwise the number of payload
 * bytes taken, which is len: whatever the socket cannot take at once is
 * kept by the library and sent before the next WRITEABLE callback (see
 * lws_partial_buffered()); nothing is dropped.
 *
 * When answering a peer's input (your writes from its RECEIVE or HTTP
 * callbacks, the library's pongs) leaves more than 256 KiB kept for it,
 * nothing more is read from it until it has read enough: a peer that
 * sends without reading cannot make the library buffer without limit.
 * The pongs the library answers pings with are coalesced: only the latest
 * ping gets one if earlier pongs are still waiting (RFC 6455 5.5.3).
 *
 * \differs The 256 KiB bound on what a peer's input makes us owe it,
 * and the coalesced pongs, are new: 1.4 buffered without limit.
 */
LWS_VISIBLE LWS_EXTERN int
libwebsocket_write(struct libwebsocket *wsi, unsigned char *buf, size_t len,
		   enum libwebsocket_write_protocol protocol);

/** Send raw HTTP bytes: libwebsocket_write() of len bytes at buf on wsi
 *  with LWS_WRITE_HTTP, no padding needed. */
#define libwebsocket_write_http(wsi, buf, len) \
	libwebsocket_write(wsi, (unsigned char *)(buf), len, LWS_WRITE_HTTP)

/**
 * Ask for one WRITEABLE callback (CLIENT_, SERVER_ or HTTP_ as fits) for
 * wsi as soon as its socket can take more data. Several requests before
 * the callback still give one callback.
 *
 * Safe to call from any thread (1.4 only allowed the service thread):
 * from any thread but the service thread, and before the first service
 * call, the request is queued and the service thread woken. A wsi whose
 * connection is already gone is recognised and refused, not read.
 *
 * \param context  the context of wsi.
 * \param wsi      the connection.
 * \return 1 when the request is registered, -1 if it cannot be: the
 * connection is closing (from LWS_CALLBACK_CLOSED or CLOSED_HTTP on) or
 * gone.
 * \differs Safe from any thread (1.4: the service thread only).
 */
LWS_VISIBLE LWS_EXTERN int
libwebsocket_callback_on_writable(struct libwebsocket_context *context,
				  struct libwebsocket *wsi);

/**
 * libwebsocket_callback_on_writable() for every connection of the context
 * using protocol. Safe to call from any thread (1.4 only allowed the
 * service thread): from any thread but the service thread, and before the
 * first service call, the request is queued and the service thread woken
 * to make it.
 *
 * \param protocol  an entry of a context's protocols array.
 * \return 0, or -1 if protocol is NULL or not an entry of a context's
 * protocols array.
 * \differs Safe from any thread (1.4: the service thread only).
 */
LWS_VISIBLE LWS_EXTERN int
libwebsocket_callback_on_writable_all_protocol(
	const struct libwebsocket_protocols *protocol);

/**
 * 1 if the last libwebsocket_write() on wsi left bytes that the socket has
 * not taken yet; they go out before the next WRITEABLE callback. When
 * writing more than once in one WRITEABLE callback, check this after each
 * write and, if set, stop, ask for another WRITEABLE callback and go on
 * there. Always 0 at the start of a WRITEABLE callback.
 *
 * \param wsi  the connection.
 * \return 1 or 0.
 */
LWS_VISIBLE LWS_EXTERN int
lws_partial_buffered(struct libwebsocket *wsi);

/**
 * 1 if a write to wsi now would not go straight to the kernel, else 0:
 * bytes the socket refused earlier are still buffered, or (inside a
 * service call, where writes are collected) a socket buffer's worth,
 * max(rx_buffer_size, 4096) plus the paddings, was already written to wsi
 * in this call. Answered from the library's own state, without a system
 * call, so it may be asked before every write.
 *
 * \param wsi  the connection.
 * \return 1 or 0.
 */
LWS_VISIBLE LWS_EXTERN int
lws_send_pipe_choked(struct libwebsocket *wsi);

/**
 * How many bytes the peer allows us to send now, for protocols with flow
 * control (HTTP/2).
 *
 * \param wsi  the connection.
 * \return the allowance; (size_t)-1 means no limit, which is always the
 * case for HTTP/1.1 and WebSocket connections.
 */
LWS_VISIBLE LWS_EXTERN size_t
lws_get_peer_write_allowance(struct libwebsocket *wsi);

/** \} */

/**
 * \defgroup receiving Receiving
 * Where a RECEIVE chunk sits in its message, and receive flow control.
 * \{
 */

/**
 * From a RECEIVE callback: how many payload bytes of the current frame are
 * still to come after the ones just delivered.
 *
 * \param wsi  the connection.
 * \return the bytes still to come; 0 means the delivered bytes end the
 * frame.
 */
LWS_VISIBLE LWS_EXTERN size_t
libwebsockets_remaining_packet_payload(struct libwebsocket *wsi);

/**
 * From a RECEIVE callback: non-zero if the current frame is the last one
 * of its message (FIN set). Together with
 * libwebsockets_remaining_packet_payload() == 0 it marks the end of a
 * whole message.
 *
 * \param wsi  the connection.
 * \return non-zero for the last frame, 0 otherwise.
 */
LWS_VISIBLE LWS_EXTERN int
libwebsocket_is_final_fragment(struct libwebsocket *wsi);

/**
 * From a RECEIVE callback: is the current message binary?
 * \param wsi  the connection.
 * \return non-zero if the current message is binary, 0 if it is text.
 */
LWS_VISIBLE LWS_EXTERN int
lws_frame_is_binary(struct libwebsocket *wsi);

/**
 * From a RECEIVE callback: the RSV1-3 bits of the current frame, in the
 * positions they have in the first header byte (RSV1 0x40, RSV2 0x20,
 * RSV3 0x10). Non-zero only when a negotiated extension gave them meaning.
 *
 * \param wsi  the connection.
 * \return the bits.
 */
LWS_VISIBLE LWS_EXTERN unsigned char
libwebsocket_get_reserved_bits(struct libwebsocket *wsi);

/**
 * Stop (enable 0) or resume (enable 1) reading from wsi, to push back on
 * a peer while the application cannot keep up. Bytes already read are
 * held, not lost. While reading is stopped, a peer that resets the
 * connection is closed at once; a peer that shuts down its sending side is
 * noticed after its last bytes, once reading resumes.
 *
 * \param wsi     the connection.
 * \param enable  0 to stop, 1 to resume.
 * \return 0, or -1 on failure.
 */
LWS_VISIBLE LWS_EXTERN int
libwebsocket_rx_flow_control(struct libwebsocket *wsi, int enable);

/**
 * Resume reading on every connection of the context using protocol.
 * \param protocol  an entry of a context's protocols array.
 */
LWS_VISIBLE LWS_EXTERN void
libwebsocket_rx_flow_allow_all_protocol(
	const struct libwebsocket_protocols *protocol);

/**
 * Feed len bytes received on wsi by the application itself to the
 * connection's parser, as if the library had read them from the socket.
 *
 * \param context  the context of wsi.
 * \param wsi      the connection.
 * \param buf      the bytes.
 * \param len      how many.
 * \return 0, or a negative value if the connection had to be closed (wsi
 * is then no longer valid) or len is one no buffer can have (see
 * libwebsocket_write()).
 */
LWS_VISIBLE LWS_EXTERN int
libwebsocket_read(struct libwebsocket_context *context,
		  struct libwebsocket *wsi, unsigned char *buf, size_t len);

/** \} */

/**
 * \defgroup connections Connections
 * Per-connection queries and timeouts, and calls for every connection of a protocol.
 * \{
 */

/**
 * The protocols array entry wsi is using.
 * \param wsi  the connection.
 * \return the entry.
 */
LWS_VISIBLE LWS_EXTERN const struct libwebsocket_protocols *
libwebsockets_get_protocol(struct libwebsocket *wsi);

/**
 * The socket descriptor of wsi. For special needs only (socket options,
 * accounting); do not read or write it.
 * \param wsi  the connection.
 * \return the descriptor, or -1 if it has none.
 */
LWS_VISIBLE LWS_EXTERN int
libwebsocket_get_socket_fd(struct libwebsocket *wsi);

/**
 * Arm (or, with NO_PENDING_TIMEOUT, cancel) the timeout of wsi: unless
 * re-armed or cancelled first, the connection is closed secs seconds from
 * now. Rarely needed.
 *
 * \param wsi     the connection.
 * \param reason  what the connection is waiting for.
 * \param secs    seconds from now.
 */
LWS_VISIBLE LWS_EXTERN void
libwebsocket_set_timeout(struct libwebsocket *wsi, enum pending_timeout reason,
			 int secs);

/**
 * Is wsi encrypted?
 * \param wsi  the connection.
 * \return 0 if wsi is plain text, 1 if it is TLS with a verified peer
 * certificate, 2 if it is TLS without verification (client connections
 * made with ssl_connection 2).
 */
LWS_VISIBLE LWS_EXTERN int
lws_is_ssl(struct libwebsocket *wsi);

/**
 * Write the peer of socket fd into name (its host name, found by reverse
 * lookup) and rip (its numeric IP address), as NUL-terminated strings
 * truncated to name_len / rip_len bytes. Whatever cannot be found is
 * returned as an empty string.
 *
 * \param context   the context.
 * \param wsi       unused (NULL is fine): fd says which socket.
 * \param fd        the socket.
 * \param name      receives the host name.
 * \param name_len  size of name.
 * \param rip       receives the IP address.
 * \param rip_len   size of rip.
 */
LWS_VISIBLE LWS_EXTERN void
libwebsockets_get_peer_addresses(struct libwebsocket_context *context,
				 struct libwebsocket *wsi, int fd,
				 char *name, int name_len,
				 char *rip, int rip_len);

/**
 * Call the callback of every connection of the context using protocol,
 * with the given reason (user data as usual, in NULL, len 0). Use a
 * reason from LWS_CALLBACK_USER up for the application's own events.
 *
 * \param protocol  an entry of a context's protocols array.
 * \param reason    the reason to call with.
 * \return 0, or -1 if protocol is NULL or not an entry of a context's
 * protocols array.
 */
LWS_VISIBLE LWS_EXTERN int
libwebsocket_callback_all_protocol(const struct libwebsocket_protocols *protocol,
				   int reason);

/** \} */

/**
 * \defgroup http HTTP
 * Request headers, building responses, serving files.
 * \{
 */

/**
 * Length of a stored request token.
 * \param wsi  the connection.
 * \param h    the token.
 * \return the length in bytes of the value of h in wsi's request, 0 if
 * the request did not have it.
 */
LWS_VISIBLE LWS_EXTERN int
lws_hdr_total_length(struct libwebsocket *wsi, enum lws_token_indexes h);

/**
 * Copy the value of token h of wsi's request into dest as a NUL-terminated
 * string.
 *
 * \param wsi   the connection.
 * \param dest  receives the value.
 * \param len   size of dest; must exceed the value's length.
 * \param h     the token.
 * \return the value's length (0 and an empty string if absent), or -1 if
 * it does not fit.
 */
LWS_VISIBLE LWS_EXTERN int
lws_hdr_copy(struct libwebsocket *wsi, char *dest, int len,
	     enum lws_token_indexes h);

/**
 * The name of token as the parser matches it: lower case, with the
 * trailing colon of a header ("content-type:") or the trailing space of a
 * request method ("get ").
 *
 * \param token  the token.
 * \return the name, or NULL when the token has no wire name.
 */
LWS_VISIBLE LWS_EXTERN const unsigned char *
lws_token_to_string(enum lws_token_indexes token);

/*
 * Building an HTTP response header block in a buffer: *p is the write
 * position, advanced past what is written; end is one past the last usable
 * byte. Start with lws_add_http_header_status(), add headers, end with
 * lws_finalize_http_header(), then send the block from its start with
 * libwebsocket_write(..., LWS_WRITE_HTTP_HEADERS). Each returns 0 on
 * success, or 1 if the text does not fit (nothing is written then).
 */

/**
 * Write the status line for code, with its standard reason phrase: the
 * start of a header block.
 *
 * Building an HTTP response header block in a buffer: start with this,
 * add headers (lws_add_http_header_by_name(), _by_token(),
 * _content_length()), end with lws_finalize_http_header(), then send the
 * block from its start with libwebsocket_write(..., LWS_WRITE_HTTP_HEADERS).
 *
 * \param context  the context of wsi.
 * \param wsi      the connection.
 * \param code     the HTTP status code.
 * \param p        the write position, advanced past what is written.
 * \param end      one past the last usable byte.
 * \return 0, or 1 if the text does not fit (nothing is written then).
 */
LWS_VISIBLE LWS_EXTERN int
lws_add_http_header_status(struct libwebsocket_context *context,
			   struct libwebsocket *wsi, unsigned int code,
			   unsigned char **p, unsigned char *end);

/**
 * Write a header line: name, a space, the length bytes of value, and
 * "\r\n".
 *
 * \param context  the context of wsi.
 * \param wsi      the connection.
 * \param name     the header name, with its colon ("x-thing:").
 * \param value    the value.
 * \param length   bytes of value.
 * \param p        the write position, advanced past what is written.
 * \param end      one past the last usable byte.
 * \return 0, or 1 if the text does not fit (nothing is written then).
 */
LWS_VISIBLE LWS_EXTERN int
lws_add_http_header_by_name(struct libwebsocket_context *context,
			    struct libwebsocket *wsi,
			    const unsigned char *name,
			    const unsigned char *value, int length,
			    unsigned char **p, unsigned char *end);

/**
 * Write a header line whose name is that of token (see
 * lws_token_to_string()).
 *
 * \param context  the context of wsi.
 * \param wsi      the connection.
 * \param token    the header.
 * \param value    the value.
 * \param length   bytes of value.
 * \param p        the write position, advanced past what is written.
 * \param end      one past the last usable byte.
 * \return 0, or 1 if the text does not fit (nothing is written then).
 */
LWS_VISIBLE LWS_EXTERN int
lws_add_http_header_by_token(struct libwebsocket_context *context,
			     struct libwebsocket *wsi,
			     enum lws_token_indexes token,
			     const unsigned char *value, int length,
			     unsigned char **p, unsigned char *end);

/**
 * Write a Content-Length header line.
 *
 * \param context  the context of wsi.
 * \param wsi      the connection.
 * \param content_length  the length of the body.
 * \param p        the write position, advanced past what is written.
 * \param end      one past the last usable byte.
 * \return 0, or 1 if the text does not fit (nothing is written then).
 */
LWS_VISIBLE LWS_EXTERN int
lws_add_http_header_content_length(struct libwebsocket_context *context,
				   struct libwebsocket *wsi,
				   unsigned long content_length,
				   unsigned char **p, unsigned char *end);

/**
 * Write the empty line that ends the header block.
 *
 * \param context  the context of wsi.
 * \param wsi      the connection.
 * \param p        the write position, advanced past what is written.
 * \param end      one past the last usable byte.
 * \return 0, or 1 if the text does not fit (nothing is written then).
 */
LWS_VISIBLE LWS_EXTERN int
lws_finalize_http_header(struct libwebsocket_context *context,
			 struct libwebsocket *wsi,
			 unsigned char **p, unsigned char *end);

/**
 * From an LWS_CALLBACK_HTTP callback: answer with a complete response of
 * status code and a small HTML page showing html_body.
 *
 * \param context    the context of wsi.
 * \param wsi        the connection.
 * \param code       the HTTP status code.
 * \param html_body  text for the page (under 1 KB), or NULL.
 * \return 0, or -1 if it could not be sent.
 */
LWS_VISIBLE LWS_EXTERN int
libwebsockets_return_http_status(struct libwebsocket_context *context,
				 struct libwebsocket *wsi, unsigned int code,
				 const char *html_body);

/**
 * From an LWS_CALLBACK_HTTP callback: answer with the file at path file,
 * sent as content_type. other_headers, when not NULL, is
 * other_headers_len bytes of extra header lines (each ending in "\r\n")
 * to include, ending early at a NUL (with other_headers_len <= 0: at the
 * NUL). The body goes out as the socket allows, during later
 * service calls; LWS_CALLBACK_HTTP_FILE_COMPLETION reports the end.
 * A file that cannot be opened is answered with 404 and -1 is returned.
 *
 * \param context       the context of wsi.
 * \param wsi           the connection.
 * \param file          path of the file.
 * \param content_type  its Content-Type.
 * \param other_headers  extra header lines, or NULL.
 * \param other_headers_len  their length.
 * \return < 0 on error: return non-zero from the callback to close.
 * > 0 when the file is already sent completely and the HTTP transaction
 * finished (lws_http_transaction_completed() was called; close unless it
 * allowed keep-alive). 0 when sending goes on: leave the connection
 * alone.
 */
LWS_VISIBLE LWS_EXTERN int
libwebsockets_serve_http_file(struct libwebsocket_context *context,
			      struct libwebsocket *wsi, const char *file,
			      const char *content_type,
			      const char *other_headers,
			      int other_headers_len);

/**
 * Send the next part of a file started with
 * libwebsockets_serve_http_file(). The library calls it by itself on
 * HTTP_WRITEABLE; applications rarely need to.
 *
 * \param context  the context of wsi.
 * \param wsi      the connection.
 * \return < 0 on error, 0 if more remains (a WRITEABLE callback is
 * already requested), > 0 once the whole file is sent.
 */
LWS_VISIBLE LWS_EXTERN int
libwebsockets_serve_http_file_fragment(struct libwebsocket_context *context,
				       struct libwebsocket *wsi);

/**
 * An HTTP response on wsi is complete.
 *
 * \param wsi  the connection.
 * \return 0 if the connection stays open, reset to wait for the next
 * request (keep-alive), or 1 if it must be closed now (return non-zero
 * from the callback).
 */
LWS_VISIBLE LWS_EXTERN int
lws_http_transaction_completed(struct libwebsocket *wsi);

/** \} */

/**
 * \defgroup utilities Utilities
 * Base64, SHA-1, randomness, version, allocator, daemon.
 * \{
 */

/**
 * Base64-encode in_len bytes of in into out (size out_size) as a
 * NUL-terminated string.
 *
 * \param in        the bytes.
 * \param in_len    how many.
 * \param out       receives the text.
 * \param out_size  size of out.
 * \return the encoded length (excluding the NUL), or -1 if out_size is
 * smaller than 4 * ceil(in_len / 3) + 1, in which case nothing useful is
 * in out.
 */
LWS_VISIBLE LWS_EXTERN int
lws_b64_encode_string(const char *in, int in_len, char *out, int out_size);

/**
 * Decode the NUL-terminated base64 string in into out (size out_size),
 * adding a NUL after the decoded bytes. '=' padding may be present or
 * not; characters outside the base64 alphabet (such as line breaks) are
 * skipped.
 *
 * \param in        the base64 text.
 * \param out       receives the bytes.
 * \param out_size  size of out.
 * \return the number of decoded bytes (excluding the NUL), or -1 if they
 * plus the NUL do not fit in out_size.
 */
LWS_VISIBLE LWS_EXTERN int
lws_b64_decode_string(const char *in, char *out, int out_size);

/**
 * The SHA-1 digest of n bytes.
 * \param d   the bytes.
 * \param n   how many.
 * \param md  receives the 20-byte digest.
 * \return md.
 */
LWS_VISIBLE LWS_EXTERN unsigned char *
libwebsockets_SHA1(const unsigned char *d, size_t n, unsigned char *md);

/**
 * Fill buf with len bytes from the operating system's cryptographic random
 * source.
 *
 * \param context  the context.
 * \param buf      receives the bytes.
 * \param len      how many.
 * \return the number of bytes written: len on success, anything else is
 * a failure.
 */
LWS_VISIBLE LWS_EXTERN int
libwebsockets_get_random(struct libwebsocket_context *context, void *buf,
			 int len);

/**
 * Version of this library.
 * \return a string beginning with "1.4" (the API level it implements),
 * followed by a space and build information.
 */
LWS_VISIBLE LWS_EXTERN const char *
lws_get_library_version(void);

/**
 * Replace the allocator the library uses for the memory it keeps on behalf
 * of the application (such as per-session data). The function must behave
 * like realloc(3), including realloc(NULL, n) allocating and
 * realloc(ptr, 0) freeing. Set it before creating any context and keep it.
 *
 * \param realloc  the allocator.
 */
LWS_VISIBLE LWS_EXTERN void
lws_set_allocator(void *(*realloc)(void *ptr, size_t size));

/**
 * Turn the process into a daemon: fork, detach from the terminal, and
 * record the daemon's pid in the lock file _lock_path. Refuses if that
 * file names a process that is still running.
 *
 * \param _lock_path  path of the lock file.
 * \return 0 in the daemon; the original process exits once the daemon is
 * running. Non-zero (in the original process) on failure.
 */
LWS_VISIBLE LWS_EXTERN int
lws_daemonize(const char *_lock_path);

#ifndef ARRAY_SIZE
/** Number of elements of the array x (not of a pointer). */
#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#endif

/** \} */

#ifdef __cplusplus
}
#endif

#endif /* LIBWEBSOCKETS_H_ */
