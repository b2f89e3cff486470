/*
 * Without randomness -- getrandom(2) fails and /dev/urandom cannot be
 * opened, which a seccomp filter arranges here -- a client never sends
 * what RFC 6455 requires to be unpredictable with a predictable value:
 *
 *  - libwebsocket_write on an open client connection returns -1 and the
 *    connection fails, instead of sending a frame masked with 0000;
 *  - libwebsocket_client_connect returns NULL, instead of sending a
 *    handshake whose Sec-WebSocket-Key is base64 of 16 zero bytes;
 *  - libwebsockets_get_random returns -1.
 *
 * The test is the server itself, on a raw socket, so it sees the bytes.
 */
#include "serverkit.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

static struct libwebsocket *client;
static int established, closed, errors;

static int client_cb(struct libwebsocket_context *context, struct libwebsocket *wsi,
		     enum libwebsocket_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)context; (void)user; (void)in; (void)len;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		client = wsi;
		established++;
		break;
	case LWS_CALLBACK_CLOSED:
		closed++;
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		errors++;
		break;
	default:
		break;
	}
	return 0;
}

static struct libwebsocket_protocols protocols[] = {
	{ "client", client_cb, 0, 0, 0, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

/* getrandom fails with ENOSYS, open and openat with EACCES. */
static int deny_randomness(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getrandom, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
#ifdef SYS_open
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_open, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
#endif
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog program = { (unsigned short)(sizeof(filter) / sizeof(filter[0])), filter };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program);
}

static struct libwebsocket_context *clients;
static int listener;

/* Services the client context until fd is readable; 1 if it became so. */
static int serve_until_readable(int fd, int ms)
{
	double end = kit_now_ms() + ms;

	while (kit_now_ms() < end) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, 0) == 1)
			return 1;
		libwebsocket_service(clients, 10);
	}
	return 0;
}

/* Accepts the client and reads its handshake head into head. */
static int accept_handshake(char *head, size_t size)
{
	size_t got = 0;
	int fd;

	if (!serve_until_readable(listener, 3000))
		return -1;
	fd = accept(listener, NULL, NULL);
	while (fd >= 0 && got + 1 < size && serve_until_readable(fd, 3000)) {
		ssize_t n = recv(fd, head + got, 1, 0);

		if (n <= 0)
			break;
		head[++got] = 0;
		if (got >= 4 && !memcmp(head + got - 4, "\r\n\r\n", 4))
			return fd;
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

/* The value of the Sec-WebSocket-Key header in head, NUL-terminated in key. */
static void handshake_key(const char *head, char *key, size_t size)
{
	const char *p = strstr(head, "Sec-WebSocket-Key: ");
	size_t n = 0;

	key[0] = 0;
	if (!p)
		return;
	p += strlen("Sec-WebSocket-Key: ");
	while (p[n] && p[n] != '\r' && n + 1 < size) {
		key[n] = p[n];
		n++;
	}
	key[n] = 0;
}

/* Answers the handshake with 101, computing Sec-WebSocket-Accept. */
static void accept_upgrade(int fd, const char *key)
{
	char joined[128], accept_value[64], response[256];
	unsigned char digest[20];

	snprintf(joined, sizeof(joined), "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);
	libwebsockets_SHA1((unsigned char *)joined, strlen(joined), digest);
	lws_b64_encode_string((char *)digest, 20, accept_value, sizeof(accept_value));
	snprintf(response, sizeof(response),
		 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		 "Sec-WebSocket-Accept: %s\r\n\r\n", accept_value);
	kit_send_str(fd, response);
}

int main(void)
{
	struct lws_context_creation_info info;
	struct sockaddr_in sin;
	socklen_t length = sizeof(sin);
	unsigned char payload[LWS_SEND_BUFFER_PRE_PADDING + 8 + LWS_SEND_BUFFER_POST_PADDING];
	unsigned char random_bytes[8];
	char head[2048], key[64], after[64];
	int fd, second, port;
	ssize_t n;
	double end;

	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
	listener = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(!bind(listener, (struct sockaddr *)&sin, sizeof(sin)) && !listen(listener, 4) &&
	      !getsockname(listener, (struct sockaddr *)&sin, &length));
	port = ntohs(sin.sin_port);

	kit_server_info(&info, protocols);
	info.port = CONTEXT_PORT_NO_LISTEN;
	clients = libwebsocket_create_context(&info);
	CHECK(clients != NULL);
	if (!clients)
		return unit_finish("random");

	/* A client connection opened while randomness is there. */
	CHECK(libwebsocket_client_connect(clients, "127.0.0.1", port, 0, "/", "localhost", "o", NULL, -1) != NULL);
	fd = accept_handshake(head, sizeof(head));
	CHECK(fd >= 0);
	handshake_key(head, key, sizeof(key));
	CHECK_INT(strlen(key), 24);
	accept_upgrade(fd, key);
	for (end = kit_now_ms() + 3000; !established && kit_now_ms() < end;)
		libwebsocket_service(clients, 10);
	CHECK(client != NULL);
	if (!client)
		return unit_finish("random");

	CHECK(!deny_randomness());
	CHECK_INT(libwebsockets_get_random(clients, random_bytes, sizeof(random_bytes)), -1);

	/* A frame needs a masking key: the write fails, and the connection. */
	memcpy(payload + LWS_SEND_BUFFER_PRE_PADDING, "hello", 5);
	CHECK_INT(libwebsocket_write(client, payload + LWS_SEND_BUFFER_PRE_PADDING, 5, LWS_WRITE_TEXT), -1);
	for (end = kit_now_ms() + 3000; !closed && kit_now_ms() < end;)
		libwebsocket_service(clients, 10);
	CHECK_INT(closed, 1);
	/* Nothing was sent; the connection ended. */
	n = serve_until_readable(fd, 3000) ? recv(fd, after, sizeof(after), 0) : -1;
	CHECK_INT(n, 0);
	close(fd);

	/* A handshake needs a key: no connection is even started. */
	CHECK(libwebsocket_client_connect(clients, "127.0.0.1", port, 0, "/", "localhost", "o", NULL, -1) == NULL);
	second = accept_handshake(head, sizeof(head));
	if (second >= 0) {
		handshake_key(head, key, sizeof(key));
		fprintf(stderr, "handshake sent with Sec-WebSocket-Key %s\n", key);
		close(second);
	}
	CHECK_INT(second, -1);

	libwebsocket_context_destroy(clients);
	return unit_finish("random");
}
