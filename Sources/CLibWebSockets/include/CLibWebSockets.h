/*
 * The C world the Swift library sees: our public header (so C and Swift share
 * one definition of every struct and enum), the POSIX calls the runtime makes,
 * and static inline wrappers for what Swift cannot call directly (errno,
 * variadic functions such as open/syslog). Nothing here is exported from
 * the shared library: inline functions have no symbol of their own.
 */
#ifndef CLIBWEBSOCKETS_H
#define CLIBWEBSOCKETS_H

#include "../../../include/libwebsockets.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <malloc.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/*
 * accept4 is a GNU extension; asking for _GNU_SOURCE would turn every
 * sockaddr parameter into a transparent union Swift cannot pass, so the one
 * prototype is declared here instead.
 */
extern int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags);

static inline int lws_c_errno(void) { return errno; }

/*
 * Gives the free pages anywhere in the C heap back to the kernel (glibc's
 * malloc_trim); elsewhere the heap is left as it is.
 */
static inline void lws_c_trim_heap(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

/* The build id after "1.4": CMake passes the git revision; SwiftPM builds say "dev". */
#ifndef LWS_BUILD_ID
#define LWS_BUILD_ID "dev"
#endif
static inline const char *lws_c_library_version(void)
{
	return "1.4 lws-swift-" LWS_BUILD_ID;
}

static inline int lws_c_open_readonly(const char *path)
{
	return open(path, O_RDONLY | O_CLOEXEC);
}

static inline int lws_c_open_devnull(void)
{
	return open("/dev/null", O_RDWR | O_CLOEXEC);
}

static inline int lws_c_open_lockfile(const char *path)
{
	return open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
}

static inline void lws_c_syslog(int priority, const char *line)
{
	syslog(priority, "%s", line);
}

/* errno values the runtime branches on, as plain ints for Swift. */
static inline int lws_c_EAGAIN(void) { return EAGAIN; }
static inline int lws_c_EWOULDBLOCK(void) { return EWOULDBLOCK; }
static inline int lws_c_EINTR(void) { return EINTR; }
static inline int lws_c_EINPROGRESS(void) { return EINPROGRESS; }

/* OpenSSL calls that are macros in OpenSSL 3, as functions Swift can call. */
static inline int lws_c_ssl_ctx_set_min_tls12(SSL_CTX *ctx)
{
	return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}

static inline long lws_c_ssl_ctx_set_partial_write_modes(SSL_CTX *ctx)
{
	return SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
				SSL_MODE_RELEASE_BUFFERS);
}

/* Read whole socket buffers instead of a record header then its body:
 * half the read syscalls per record. */
static inline void lws_c_ssl_ctx_set_read_ahead(SSL_CTX *ctx)
{
	SSL_CTX_set_read_ahead(ctx, 1);
}

static inline int lws_c_ssl_set_sni(SSL *ssl, const char *name)
{
	return (int)SSL_set_tlsext_host_name(ssl, name);
}

static inline int lws_c_ssl_ctx_set_app_data(SSL_CTX *ctx, void *data)
{
	return SSL_CTX_set_ex_data(ctx, 0, data);
}

static inline void *lws_c_ssl_ctx_get_app_data(const SSL_CTX *ctx)
{
	return SSL_CTX_get_ex_data(ctx, 0);
}

/* The SSL a certificate check belongs to, from inside a verify callback. */
static inline SSL *lws_c_ssl_from_store_ctx(X509_STORE_CTX *store)
{
	return (SSL *)X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
}

static inline unsigned long lws_c_ssl_options_server(void)
{
	return SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION;
}

static inline unsigned long lws_c_ssl_options_client(void)
{
	return SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION;
}

/*
 * sendfile(2) to a socket, without SIGPIPE. send() takes MSG_NOSIGNAL;
 * sendfile has no flags, and a connection that breaks during the call
 * raises SIGPIPE, whose default action ends the process. So SIGPIPE is
 * blocked on this thread for the call, and one the call raised is taken
 * back before the mask is restored (one already pending stays pending).
 * errno is the call's.
 */
static inline ssize_t lws_c_sendfile(int out_fd, int in_fd, size_t count)
{
	sigset_t pipe_only, previous, pending;
	struct timespec zero = { 0, 0 };
	ssize_t n;
	int saved, was_pending;

	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
	n = sendfile(out_fd, in_fd, NULL, count);
	saved = errno;
	if (!was_pending) {
		sigpending(&pending);
		if (sigismember(&pending, SIGPIPE))
			sigtimedwait(&pipe_only, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &previous, NULL);
	errno = saved;
	return n;
}

/*
 * The context this thread is servicing right now (inside
 * libwebsocket_service or libwebsocket_service_fd), NULL outside: a
 * thread-local, so a call from one of its callbacks knows it runs on the
 * service thread without taking a lock. Defined in thread_shim.c.
 */
extern __thread const void *lws_c_serviced_context;

static inline const void *lws_c_get_serviced_context(void)
{
	return lws_c_serviced_context;
}

static inline void lws_c_set_serviced_context(const void *context)
{
	lws_c_serviced_context = context;
}

/*
 * Implemented in Swift (Sources/LibWebSockets/Support/Log.swift) for the C
 * log shim; hidden from the shared library's exports by its version script.
 */
int lws_swift_log_enabled(int level);
void lws_swift_log_emit(int level, const char *line);

#endif
