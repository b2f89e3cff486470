/*
 * The server's side of accepting and handshaking, observed from the
 * callbacks and from raw-socket clients:
 *
 *  - LWS_CALLBACK_FILTER_NETWORK_CONNECTION: in is the accepted socket;
 *    non-zero drops it before a byte is read or written (the client sees
 *    the connection end with no data; no connection object is made);
 *  - FILTER_HTTP_CONNECTION refusing: 403 and close, no HTTP callback;
 *    FILTER_PROTOCOL_CONNECTION refusing: no 101, no ESTABLISHED;
 *  - the order WSI_CREATE, SERVER_NEW_CLIENT_INSTANTIATED, then the HTTP
 *    or handshake callbacks;
 *  - libwebsockets_get_peer_addresses, libwebsocket_get_socket_fd and
 *    libwebsockets_get_protocol on live connections;
 *  - ka_time / ka_probes / ka_interval on the accepted sockets;
 *  - iface by interface name and by address; LWS_SERVER_OPTION_DISABLE_IPV6
 *    against the default dual-stack listener;
 *  - token_limits: a Host longer than its limit gets 431.
 */
#include <ifaddrs.h>
#include <stdint.h>

#include "serverkit.h"

/* ------------------------------------------------------------------------
 * The callbacks keep one event log per connection and a global one.
 * ------------------------------------------------------------------------ */

#define MAX_WSI 64
#define MAX_EVENTS 32

struct conn_log {
	struct libwebsocket *wsi;
	int events[MAX_EVENTS];
	int n;
};

static struct conn_log logs[MAX_WSI];
static int log_count;
static int global_events[256], global_n;

static struct conn_log *log_of(struct libwebsocket *wsi, int reason)
{
	int i;

	if (reason == LWS_CALLBACK_WSI_CREATE && log_count < MAX_WSI) {
		logs[log_count].wsi = wsi;
		logs[log_count].n = 0;
		return &logs[log_count++];
	}
	for (i = log_count - 1; i >= 0; i--)
		if (logs[i].wsi == wsi)
			return &logs[i];
	return NULL;
}

static void log_event(struct libwebsocket *wsi, int reason)
{
	struct conn_log *l;

	if (reason == LWS_CALLBACK_GET_THREAD_ID ||
	    (reason >= LWS_CALLBACK_ADD_POLL_FD && reason <= LWS_CALLBACK_UNLOCK_POLL))
		return;
	if (global_n < 256)
		global_events[global_n++] = reason;
	if (wsi && reason != LWS_CALLBACK_FILTER_NETWORK_CONNECTION) {
		l = log_of(wsi, reason);
		if (l && l->n < MAX_EVENTS)
			l->events[l->n++] = reason;
	}
}

static void reset_logs(void)
{
	log_count = 0;
	global_n = 0;
}

/* Index of reason in a connection's log, or -1. */
static int event_at(const struct conn_log *l, int reason)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (l->events[i] == reason)
			return i;
	return -1;
}

static int global_count(int reason)
{
	int i, n = 0;

	for (i = 0; i < global_n; i++)
		n += global_events[i] == reason;
	return n;
}

/* ------------------------------------------------------------------------ */

static int refuse_network, network_fd, network_fd_is_peer;
static char network_rip[64];
static int http_calls, filter_http_calls, filter_protocol_calls, established, closed;
static char filter_http_uri[64], filter_http_host[64], filter_protocol_name[64];

/* What ESTABLISHED saw of its connection. */
static struct {
	char name[256], rip[64], rip_short[8];
	int fd, fd_local_port, fd_peer_port;
	const struct libwebsocket_protocols *protocol;
	int keepalive, idle, count, interval;
} seen;
static const struct libwebsocket_protocols *http_protocol_seen;

static struct libwebsocket_protocols protocols[];

static int port_of(int fd, int peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&ss, &len))
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int http_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		   enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)user; (void)len;
	log_event(wsi, reason);
	switch (reason) {
	case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
		network_fd = (int)(intptr_t)in;
		network_fd_is_peer = port_of(network_fd, 1) > 0;
		libwebsockets_get_peer_addresses(context, wsi, network_fd, NULL, 0,
						 network_rip, sizeof(network_rip));
		return refuse_network;
	case LWS_CALLBACK_FILTER_HTTP_CONNECTION:
		filter_http_calls++;
		snprintf(filter_http_uri, sizeof(filter_http_uri), "%s", (const char *)in);
		filter_http_host[0] = 0;
		lws_hdr_copy(wsi, filter_http_host, sizeof(filter_http_host), WSI_TOKEN_HOST);
		return !strcmp((const char *)in, "/forbidden");
	case LWS_CALLBACK_HTTP:
		http_calls++;
		http_protocol_seen = libwebsockets_get_protocol(wsi);
		libwebsockets_return_http_status(context, wsi, HTTP_STATUS_NOT_FOUND, NULL);
		return lws_http_transaction_completed(wsi);
	default:
		break;
	}
	return 0;
}

static int ws_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		 enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	socklen_t optlen = sizeof(int);

	(void)user; (void)len;
	log_event(wsi, reason);
	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		filter_protocol_calls++;
		snprintf(filter_protocol_name, sizeof(filter_protocol_name), "%s",
			 in ? (const char *)in : "(null)");
		return libwebsockets_get_protocol(wsi) == &protocols[2];
	case LWS_CALLBACK_ESTABLISHED:
		established++;
		seen.fd = libwebsocket_get_socket_fd(wsi);
		seen.fd_local_port = port_of(seen.fd, 0);
		seen.fd_peer_port = port_of(seen.fd, 1);
		seen.protocol = libwebsockets_get_protocol(wsi);
		memset(seen.name, 'x', sizeof(seen.name));
		memset(seen.rip, 'x', sizeof(seen.rip));
		libwebsockets_get_peer_addresses(context, wsi, seen.fd, seen.name, sizeof(seen.name),
						 seen.rip, sizeof(seen.rip));
		memset(seen.rip_short, 'x', sizeof(seen.rip_short));
		libwebsockets_get_peer_addresses(context, wsi, seen.fd, NULL, 0, seen.rip_short, 4);
		seen.keepalive = seen.idle = seen.count = seen.interval = -1;
		getsockopt(seen.fd, SOL_SOCKET, SO_KEEPALIVE, &seen.keepalive, &optlen);
		getsockopt(seen.fd, IPPROTO_TCP, TCP_KEEPIDLE, &seen.idle, &optlen);
		getsockopt(seen.fd, IPPROTO_TCP, TCP_KEEPCNT, &seen.count, &optlen);
		getsockopt(seen.fd, IPPROTO_TCP, TCP_KEEPINTVL, &seen.interval, &optlen);
		break;
	case LWS_CALLBACK_CLOSED:
		closed++;
		break;
	default:
		break;
	}
	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	{ "http-only", http_cb, 0, 0, 0, NULL, NULL, 0 },
	{ "alpha", ws_cb, 32, 0, 0, NULL, NULL, 0 },
	{ "refused", ws_cb, 32, 0, 0, NULL, NULL, 0 },
	{ "beta", ws_cb, 32, 0, 0, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

static void reset_counts(void)
{
	refuse_network = 0;
	network_fd = -1;
	network_fd_is_peer = 0;
	network_rip[0] = 0;
	http_calls = filter_http_calls = filter_protocol_calls = established = closed = 0;
	http_protocol_seen = NULL;
	memset(&seen, 0, sizeof(seen));
	reset_logs();
}

/* Reads everything until EOF / reset; returns the bytes read (or -1 on
 * timeout). */
static long drain_to_eof(int fd, int ms)
{
	char buf[4096];
	long total = 0;
	double end = kit_now_ms() + ms;

	while (kit_now_ms() < end) {
		ssize_t n;

		if (!kit_wait_readable(fd, (int)(end - kit_now_ms()) + 1))
			break;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return total;
		if (n > 0)
			total += n;
	}
	return -1;
}

static void test_filters_and_order(void)
{
	struct lws_context_creation_info info;
	char head[2048];
	int port, fd, i, status;
	const struct conn_log *l;

	kit_server_info(&info, protocols);
	reset_counts();
	port = kit_listen(&info);
	CHECK(port > 0);
	if (port <= 0)
		return;

	/* Refused at network level: nothing read, nothing written. */
	refuse_network = 1;
	fd = kit_connect(port);
	CHECK(fd >= 0);
	CHECK(!kit_send_str(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
	CHECK_INT(drain_to_eof(fd, 3000), 0);
	close(fd);
	CHECK_INT(global_count(LWS_CALLBACK_FILTER_NETWORK_CONNECTION), 1);
	CHECK(network_fd >= 0);
	CHECK(network_fd_is_peer);
	CHECK_STR(network_rip, "127.0.0.1");
	CHECK_INT(global_count(LWS_CALLBACK_WSI_CREATE), 0);
	CHECK_INT(global_count(LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED), 0);
	CHECK_INT(filter_http_calls + http_calls, 0);
	/* The socket was closed, not leaked: its number is free again. */
	CHECK(fcntl(network_fd, F_GETFD) < 0);

	/* Accepted: FILTER_NETWORK_CONNECTION first, then the connection. */
	refuse_network = 0;
	reset_logs();
	fd = kit_connect(port);
	CHECK(!kit_send_str(fd, "GET /page?x=1 HTTP/1.1\r\nHost: example.org\r\n\r\n"));
	CHECK(kit_read_head(fd, head, sizeof(head), 3000) > 0);
	CHECK_INT(kit_status(head), 404);
	CHECK_INT(http_calls, 1);
	CHECK_INT(filter_http_calls, 1);
	CHECK_STR(filter_http_uri, "/page");
	CHECK_STR(filter_http_host, "example.org");
	CHECK(http_protocol_seen == &protocols[0]);
	CHECK(global_n > 0 && global_events[0] == LWS_CALLBACK_FILTER_NETWORK_CONNECTION);
	CHECK_INT(log_count, 1);
	l = &logs[0];
	CHECK(l->n >= 4);
	CHECK_INT(l->events[0], LWS_CALLBACK_WSI_CREATE);
	CHECK_INT(l->events[1], LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED);
	CHECK(event_at(l, LWS_CALLBACK_FILTER_HTTP_CONNECTION) > 1);
	CHECK(event_at(l, LWS_CALLBACK_HTTP) > event_at(l, LWS_CALLBACK_FILTER_HTTP_CONNECTION));
	close(fd);

	/* FILTER_HTTP_CONNECTION refuses: 403 and close, no HTTP callback. */
	http_calls = filter_http_calls = 0;
	fd = kit_connect(port);
	CHECK(!kit_send_str(fd, "GET /forbidden HTTP/1.1\r\nHost: x\r\n\r\n"));
	CHECK(kit_read_head(fd, head, sizeof(head), 3000) > 0);
	CHECK_INT(kit_status(head), 403);
	CHECK(drain_to_eof(fd, 3000) >= 0);
	CHECK_INT(filter_http_calls, 1);
	CHECK_INT(http_calls, 0);
	close(fd);

	/* FILTER_PROTOCOL_CONNECTION: in is the protocol name; refusing it
	 * means no 101 and no ESTABLISHED. */
	reset_logs();
	fd = kit_connect(port);
	status = kit_upgrade(fd, "refused", NULL);
	CHECK(status >= 400);
	CHECK(drain_to_eof(fd, 3000) >= 0);
	CHECK_INT(filter_protocol_calls, 1);
	CHECK_STR(filter_protocol_name, "refused");
	CHECK_INT(established, 0);
	close(fd);

	/* Accepted upgrades, protocols chosen from the client's list. */
	for (i = 1; i <= 3; i += 2) {
		int before = established;

		reset_logs();
		fd = kit_connect(port);
		CHECK_INT(kit_upgrade(fd, i == 1 ? "zeta, alpha" : "beta", NULL), 101);
		CHECK(kit_until_count(&established, before + 1, 3000));
		CHECK_STR(filter_protocol_name, i == 1 ? "alpha" : "beta");
		CHECK(seen.protocol == &protocols[i]);
		CHECK_INT(log_count, 1);
		l = &logs[0];
		CHECK(l->n >= 4);
		CHECK_INT(l->events[0], LWS_CALLBACK_WSI_CREATE);
		CHECK_INT(l->events[1], LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED);
		CHECK(event_at(l, LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION) > 1);
		CHECK(event_at(l, LWS_CALLBACK_ESTABLISHED) >
		      event_at(l, LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION));
		CHECK_INT(event_at(l, LWS_CALLBACK_HTTP), -1);

		/* The connection, seen from the inside. */
		CHECK_STR(seen.rip, "127.0.0.1");
		CHECK(seen.name[0] != 0 && memchr(seen.name, 0, sizeof(seen.name)));
		CHECK_STR(seen.rip_short, "127");
		CHECK(seen.fd >= 0);
		CHECK_INT(seen.fd_local_port, port);
		CHECK_INT(seen.fd_peer_port, port_of(fd, 0));
		/* No keepalive unless asked for. */
		CHECK_INT(seen.keepalive, 0);
		close(fd);
		CHECK(kit_until_count(&closed, before + 1, 3000));
	}
	kit_destroy();
}

static void test_keepalive(void)
{
	struct lws_context_creation_info info;
	int port, fd;

	kit_server_info(&info, protocols);
	info.ka_time = 7;
	info.ka_probes = 3;
	info.ka_interval = 2;
	reset_counts();
	port = kit_listen(&info);
	CHECK(port > 0);
	if (port <= 0)
		return;
	fd = kit_ws_open(port, "alpha");
	CHECK(fd >= 0);
	CHECK(kit_until(&established, 3000));
	CHECK_INT(seen.keepalive, 1);
	CHECK_INT(seen.idle, 7);
	CHECK_INT(seen.count, 3);
	CHECK_INT(seen.interval, 2);
	close(fd);
	kit_destroy();
}

/* An IPv4 address of this machine that is not loopback, or NULL. */
static const char *other_ipv4(char *buf, size_t size)
{
	struct ifaddrs *ifs, *i;
	const char *found = NULL;

	if (getifaddrs(&ifs))
		return NULL;
	for (i = ifs; i && !found; i = i->ifa_next) {
		struct sockaddr_in *sin = (struct sockaddr_in *)i->ifa_addr;

		if (!sin || sin->sin_family != AF_INET ||
		    ntohl(sin->sin_addr.s_addr) >> 24 == 127)
			continue;
		found = inet_ntop(AF_INET, &sin->sin_addr, buf, (socklen_t)size);
	}
	freeifaddrs(ifs);
	return found;
}

static int ipv6_loopback_usable(void)
{
	struct sockaddr_in6 s6;
	int fd = socket(AF_INET6, SOCK_STREAM, 0), ok;

	if (fd < 0)
		return 0;
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_addr = in6addr_loopback;
	ok = !bind(fd, (struct sockaddr *)&s6, sizeof(s6));
	close(fd);
	return ok;
}

/* Whether a TCP connection to address:port is accepted (and served). */
static int reachable(int family, const char *address, int port)
{
	int fd = kit_connect_addr(family, address, port), ok;
	char head[1024];

	if (fd < 0)
		return 0;
	ok = !kit_send_str(fd, "GET /x HTTP/1.1\r\nHost: x\r\n\r\n") &&
	     kit_read_head(fd, head, sizeof(head), 2000) > 0 && kit_status(head) == 404;
	close(fd);
	return ok;
}

static void test_listen_addresses(void)
{
	struct lws_context_creation_info info;
	char other[64];
	const char *eth = other_ipv4(other, sizeof(other));
	int port, v6 = ipv6_loopback_usable();

	/* By interface name: loopback only. */
	kit_server_info(&info, protocols);
	info.iface = "lo";
	reset_counts();
	port = kit_listen(&info);
	CHECK(port > 0);
	if (port > 0) {
		CHECK(reachable(AF_INET, "127.0.0.1", port));
		if (eth)
			CHECK(!reachable(AF_INET, eth, port));
		kit_destroy();
	}

	/* By address. */
	kit_server_info(&info, protocols);
	info.iface = "127.0.0.1";
	port = kit_listen(&info);
	CHECK(port > 0);
	if (port > 0) {
		CHECK(reachable(AF_INET, "127.0.0.1", port));
		if (eth)
			CHECK(!reachable(AF_INET, eth, port));
		if (v6)
			CHECK(!reachable(AF_INET6, "::1", port));
		kit_destroy();
	}

	/* All interfaces, dual stack by default. */
	kit_server_info(&info, protocols);
	info.iface = NULL;
	port = kit_listen(&info);
	CHECK(port > 0);
	if (port > 0) {
		CHECK(reachable(AF_INET, "127.0.0.1", port));
		if (eth)
			CHECK(reachable(AF_INET, eth, port));
		if (v6)
			CHECK(reachable(AF_INET6, "::1", port));
		kit_destroy();
	}

	/* DISABLE_IPV6: IPv4 only. */
	kit_server_info(&info, protocols);
	info.iface = NULL;
	info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	port = kit_listen(&info);
	CHECK(port > 0);
	if (port > 0) {
		CHECK(reachable(AF_INET, "127.0.0.1", port));
		if (v6)
			CHECK(!reachable(AF_INET6, "::1", port));
		kit_destroy();
	}
	if (!v6)
		fprintf(stderr, "note: no IPv6 loopback here; dual-stack checks skipped\n");
}

static void test_token_limits(void)
{
	struct lws_context_creation_info info;
	struct lws_token_limits limits;
	char head[2048];
	int port, fd, i;

	for (i = 0; i < WSI_TOKEN_COUNT; i++)
		limits.token_limit[i] = 1024;
	limits.token_limit[WSI_TOKEN_HOST] = 10;
	kit_server_info(&info, protocols);
	info.token_limits = &limits;
	reset_counts();
	port = kit_listen(&info);
	CHECK(port > 0);
	if (port <= 0)
		return;

	/* "localhost" fits in 10. */
	fd = kit_connect(port);
	CHECK_INT(kit_upgrade(fd, "alpha", NULL), 101);
	CHECK(kit_until(&established, 3000));
	close(fd);

	/* A longer Host is refused, on an upgrade and on plain HTTP. */
	fd = kit_connect(port);
	CHECK(!kit_send_str(fd, "GET /ws HTTP/1.1\r\n"
			    "Host: localhost.localdomain\r\n"
			    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
			    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
			    "Sec-WebSocket-Version: 13\r\n"
			    "Sec-WebSocket-Protocol: alpha\r\n\r\n"));
	CHECK(kit_read_head(fd, head, sizeof(head), 3000) > 0);
	CHECK_INT(kit_status(head), 431);
	CHECK(drain_to_eof(fd, 3000) >= 0);
	close(fd);
	CHECK_INT(established, 1);

	fd = kit_connect(port);
	CHECK(!kit_send_str(fd, "GET /x HTTP/1.1\r\nHost: www.example.com\r\n\r\n"));
	CHECK(kit_read_head(fd, head, sizeof(head), 3000) > 0);
	CHECK_INT(kit_status(head), 431);
	CHECK(drain_to_eof(fd, 3000) >= 0);
	close(fd);
	CHECK_INT(http_calls, 0);

	/* The same request with a short Host is served. */
	fd = kit_connect(port);
	CHECK(!kit_send_str(fd, "GET /x HTTP/1.1\r\nHost: example\r\n\r\n"));
	CHECK(kit_read_head(fd, head, sizeof(head), 3000) > 0);
	CHECK_INT(kit_status(head), 404);
	close(fd);
	CHECK_INT(http_calls, 1);
	kit_destroy();
}

int main(void)
{
	lws_set_log_level(LLL_ERR, NULL);
	test_filters_and_order();
	test_keepalive();
	test_listen_addresses();
	test_token_limits();
	return unit_finish("test-server-accept");
}
