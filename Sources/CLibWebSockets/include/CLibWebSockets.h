/*
 * The C world the Swift library sees: our public header (so C and Swift share
 * one definition of every struct and enum), the POSIX calls the runtime makes,
 * and static inline wrappers for what Swift cannot call directly (errno,
 * variadic functions such as fcntl/open/syslog). Nothing here is exported from
 * the shared library: inline functions have no symbol of their own.
 */
#ifndef CLIBWEBSOCKETS_H
#define CLIBWEBSOCKETS_H

#include "../../../include/libwebsockets.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

/*
 * accept4 is a GNU extension; asking for _GNU_SOURCE would turn every
 * sockaddr parameter into a transparent union Swift cannot pass, so the one
 * prototype is declared here instead.
 */
extern int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags);

static inline int lws_c_errno(void) { return errno; }

/* The build id after "1.4": CMake passes the git revision; SwiftPM builds say "dev". */
#ifndef LWS_BUILD_ID
#define LWS_BUILD_ID "dev"
/*
 * Implemented in Swift (Sources/LibWebSockets/Support/Log.swift) for the C
 * log shim; hidden from the shared library's exports by its version script.
 */
int lws_swift_log_enabled(int level);
void lws_swift_log_emit(int level, const char *line);

#endif
static inline const char *lws_c_library_version(void)
{
	return "1.4 lws-swift-" LWS_BUILD_ID;
}

/* Non-blocking + close-on-exec: every socket the library owns is both. */
static inline int lws_c_set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL, 0);
	if (flags < 0)
		return -1;
	if (fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -1;
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
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

/*
 * Implemented in Swift (Sources/LibWebSockets/Support/Log.swift) for the C
 * log shim; hidden from the shared library's exports by its version script.
 */
int lws_swift_log_enabled(int level);
void lws_swift_log_emit(int level, const char *line);

#endif
