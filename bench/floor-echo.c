/*
 * floor-echo - the least a WebSocket echo server can do, as the bench's floor
 *
 * No library: one thread, one level-triggered epoll set, non-blocking
 * sockets.  Its cost per message is what the kernel's syscalls plus one pass
 * over the payload cost, so every row of the bench has its limit beside it.
 * It is not a general server: it speaks just enough RFC 6455 for what the
 * load generator sends (plain ws only, no extensions, no TLS).
 *
 *  - Opening handshake: the request head is collected until its blank line;
 *    Sec-WebSocket-Key is answered with Sec-WebSocket-Accept (SHA-1 and
 *    base64 from libcrypto).  No other header is looked at.
 *  - Frames are streamed, never collected: each client frame (which must be
 *    masked) goes back as an unmasked frame with the same FIN and opcode (a
 *    ping as a pong, a pong not at all), its payload unmasked while it is
 *    moved into place.  Since a server frame's header is 4 bytes shorter
 *    than the client frame's, the reply is built inside the read buffer
 *    itself, behind the input still to be read, and leaves with one send()
 *    per read.  A message split over several reads is echoed piece by
 *    piece; the load generator accepts that.
 *  - A close frame is echoed, then the socket is shut down for writing and
 *    closed at the peer's FIN.
 *  - What the socket does not take is kept per connection and input is not
 *    read until it has gone (EPOLLOUT), so a peer that does not read cannot
 *    make it buffer without bound.
 *
 * Per connection it keeps a small struct; a buffer only while a request
 * head arrives in pieces or output waits.
 *
 * Options: -p/--port N (default 7681).  SIGTERM/SIGINT exit with status 0.
 */

#define _GNU_SOURCE

#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

/* Input is read in pieces of this size. */
#define READ_SIZE	(256 * 1024)
/* Room in front of the read for a header split across reads. */
#define STASH_MAX	16
/* A request head longer than this closes the connection. */
#define HEAD_MAX	8192

enum phase { HANDSHAKE, OPEN, CLOSING };

struct conn {
	int fd;
	enum phase phase;
	uint32_t events;		/* what epoll watches */
	/* the frame being echoed */
	uint64_t remaining;		/* payload bytes still to come */
	uint8_t key[4];
	uint8_t key_pos;		/* payload bytes seen, mod 4 */
	uint8_t drop;			/* a pong: not echoed */
	uint8_t closing;		/* a close frame: shut down after it */
	uint8_t stash_len;
	uint8_t stash[STASH_MAX];	/* a header cut off by the read's end */
	/* request head (HANDSHAKE) or unsent output, malloc'd on demand */
	char *buf;
	size_t len, off;
};

static int epfd;
static unsigned char *rbuf;	/* STASH_MAX + READ_SIZE + a spare byte */

static void on_exit_signal(int sig)
{
	(void)sig;
	_exit(0);
}

static void watch(struct conn *c, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	if (c->events == events)
		return;
	c->events = events;
	epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void drop_conn(struct conn *c)
{
	close(c->fd);
	free(c->buf);
	free(c);
}

/* Sends, keeping what the socket refuses; 0, or -1 if the peer is gone. */
static int send_all(struct conn *c, const void *p, size_t n)
{
	ssize_t sent = 0;
	char *kept;

	if (n == 0)
		return 0;
	if (c->len == c->off) {
		sent = send(c->fd, p, n, MSG_NOSIGNAL);
		if (sent < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			sent = 0;
		}
		if ((size_t)sent == n)
			return 0;
	}
	/* Kept behind what already waits; input stops until it has gone. */
	kept = realloc(c->buf, c->len + n - (size_t)sent);
	if (!kept)
		return -1;
	c->buf = kept;
	memcpy(c->buf + c->len, (const char *)p + sent, n - (size_t)sent);
	c->len += n - (size_t)sent;
	watch(c, EPOLLOUT);
	return 0;
}

static void flush_kept(struct conn *c)
{
	ssize_t sent = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);

	if (sent < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		drop_conn(c);
		return;
	}
	c->off += (size_t)sent;
	if (c->off < c->len)
		return;
	free(c->buf);
	c->buf = NULL;
	c->len = c->off = 0;
	if (c->phase == CLOSING)
		shutdown(c->fd, SHUT_WR);
	watch(c, EPOLLIN);
}

/* The request head (NUL-terminated) is complete: answer it. 0, or -1 to drop. */
static int answer_handshake(struct conn *c, char *head)
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	char *line, *key = NULL, *end;
	unsigned char digest[SHA_DIGEST_LENGTH];
	unsigned char accept[32];
	char concat[128];
	char reply[256];
	int n;

	for (line = strstr(head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
		if (!strncasecmp(line + 2, "Sec-WebSocket-Key:", 18)) {
			key = line + 2 + 18;
			while (*key == ' ' || *key == '\t')
				key++;
			break;
		}
	}
	if (!key || !(end = strstr(key, "\r\n")) || end - key > 64)
		return -1;
	while (end > key && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	n = snprintf(concat, sizeof(concat), "%.*s%s", (int)(end - key), key, guid);
	SHA1((unsigned char *)concat, (size_t)n, digest);
	EVP_EncodeBlock(accept, digest, SHA_DIGEST_LENGTH);
	n = snprintf(reply, sizeof(reply),
		     "HTTP/1.1 101 Switching Protocols\r\n"
		     "Upgrade: websocket\r\n"
		     "Connection: Upgrade\r\n"
		     "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
	free(c->buf);
	c->buf = NULL;
	c->len = c->off = 0;
	c->phase = OPEN;
	return send_all(c, reply, (size_t)n);
}

/*
 * Reads the request head: from the read buffer when it arrived whole (the
 * usual case), else collected in a buffer of its own.  in[n] may be
 * written (the read buffer has a spare byte).  What follows the head in
 * the same read is frames: *used says where they start.
 */
static int read_head(struct conn *c, unsigned char *in, size_t n, size_t *used)
{
	char *head = (char *)in, *end, *grown;
	size_t before = c->len;

	if (c->buf) {
		if (c->len + n > HEAD_MAX || !(grown = realloc(c->buf, c->len + n + 1)))
			return -1;
		c->buf = head = grown;
		memcpy(head + c->len, in, n);
		c->len += n;
	}
	head[before + n] = '\0';
	end = strstr(head, "\r\n\r\n");
	*used = n;
	if (!end) {
		if (!c->buf) {
			if (n > HEAD_MAX || !(c->buf = malloc(n + 1)))
				return -1;
			memcpy(c->buf, in, n);
			c->len = n;
		}
		return 0;
	}
	*used = (size_t)(end + 4 - head) - before;
	end[2] = '\0';
	return answer_handshake(c, head);
}

/*
 * Unmasks payload from src into dst (dst <= src: forward, eight bytes at a
 * time, each word loaded before the store that may overlap it).
 */
static void unmask_move(unsigned char *dst, const unsigned char *src, size_t n, struct conn *c)
{
	uint64_t wide;
	uint32_t k;
	size_t i = 0;

	for (; i < n && (c->key_pos & 3); i++, c->key_pos++)
		dst[i] = src[i] ^ c->key[c->key_pos & 3];
	memcpy(&k, c->key, 4);
	wide = (uint64_t)k | (uint64_t)k << 32;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, src + i, 8);
		w ^= wide;
		memcpy(dst + i, &w, 8);
	}
	for (; i < n; i++, c->key_pos++)
		dst[i] = src[i] ^ c->key[c->key_pos & 3];
}

/*
 * Echoes the frames in in[0..n): the reply is written over the input from
 * in[0] on (it never overtakes it), then sent.  0, or -1 to drop.
 */
static int echo_frames(struct conn *c, unsigned char *in, size_t n)
{
	unsigned char *out = in;
	size_t pos = 0;

	while (pos < n) {
		if (c->remaining == 0 && !(c->drop | c->closing) && c->phase == OPEN) {
			/* a header: needs 2 bytes, then its length and key */
			unsigned char *h = in + pos;
			size_t avail = n - pos, need = 2 + 4;
			uint64_t len;
			unsigned char op;

			if (avail >= 2) {
				if (!(h[1] & 0x80))
					return -1;	/* clients must mask */
				need += (h[1] & 0x7f) == 126 ? 2 : (h[1] & 0x7f) == 127 ? 8 : 0;
			}
			if (avail < need) {
				memcpy(c->stash, h, avail);
				c->stash_len = (uint8_t)avail;
				break;
			}
			len = h[1] & 0x7f;
			if (len == 126)
				len = (uint64_t)h[2] << 8 | h[3];
			else if (len == 127) {
				len = 0;
				for (int i = 0; i < 8; i++)
					len = len << 8 | h[2 + i];
			}
			memcpy(c->key, h + need - 4, 4);
			c->key_pos = 0;
			c->remaining = len;
			op = h[0] & 0x0f;
			c->drop = op == 0xA;
			c->closing = op == 0x8;
			pos += need;
			if (!c->drop) {
				/* The reply's header, over the request's. */
				*out++ = op == 0x9 ? (unsigned char)((h[0] & 0xf0) | 0xA) : h[0];
				if (len < 126) {
					*out++ = (unsigned char)len;
				} else if (len < 65536) {
					*out++ = 126;
					*out++ = (unsigned char)(len >> 8);
					*out++ = (unsigned char)len;
				} else {
					*out++ = 127;
					for (int i = 7; i >= 0; i--)
						*out++ = (unsigned char)(len >> (8 * i));
				}
			}
		}
		if (c->remaining > 0) {
			size_t take = n - pos < c->remaining ? n - pos : (size_t)c->remaining;

			if (!c->drop) {
				unmask_move(out, in + pos, take, c);
				out += take;
			}
			pos += take;
			c->remaining -= take;
		}
		if (c->remaining == 0) {
			c->drop = 0;
			if (c->closing) {
				c->closing = 0;
				c->phase = CLOSING;
				break;	/* nothing after a close is echoed */
			}
		}
	}
	if (send_all(c, in, (size_t)(out - in)) < 0)
		return -1;
	if (c->phase == CLOSING && c->len == c->off)
		shutdown(c->fd, SHUT_WR);
	return 0;
}

static void readable(struct conn *c)
{
	unsigned char *in = rbuf + STASH_MAX;
	ssize_t got = recv(c->fd, in, READ_SIZE, 0);
	size_t used = 0;

	if (got <= 0) {
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		drop_conn(c);
		return;
	}
	if (c->phase == CLOSING)
		return;	/* discarded until the peer's FIN */
	if (c->phase == HANDSHAKE) {
		if (read_head(c, in, (size_t)got, &used) < 0) {
			drop_conn(c);
			return;
		}
		if (c->phase == HANDSHAKE || used == (size_t)got)
			return;
	}
	/* A header cut off by the last read goes in front of this one. */
	in += used;
	if (c->stash_len) {
		in -= c->stash_len;
		memcpy(in, c->stash, c->stash_len);
		got += c->stash_len;
		c->stash_len = 0;
	}
	if (echo_frames(c, in, (size_t)got - used) < 0)
		drop_conn(c);
}

static int listen_on(int port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	int one = 1, zero = 0;
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, SOMAXCONN)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void accept_all(int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		int one = 1;
		struct conn *c;
		struct epoll_event ev;

		if (fd < 0)
			return;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->events = EPOLLIN;
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev)) {
			drop_conn(c);
			continue;
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct epoll_event events[256];
	struct epoll_event lev = { .events = EPOLLIN };
	struct sigaction sa;
	int port = 7681, lfd, c;

	while ((c = getopt_long(argc, argv, "p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			port = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: floor-echo [-p PORT]\n");
			return c == 'h' ? 0 : 1;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_exit_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	/* libcrypto sets itself up on first use (about 2 MB): before the
	 * first connection, so the idle rows do not count it per connection. */
	{
		unsigned char digest[SHA_DIGEST_LENGTH];

		SHA1((const unsigned char *)"", 0, digest);
	}
	rbuf = malloc(STASH_MAX + READ_SIZE + 1);
	lfd = listen_on(port);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!rbuf || lfd < 0 || epfd < 0) {
		fprintf(stderr, "floor-echo: cannot listen on port %d\n", port);
		return 1;
	}
	lev.data.ptr = NULL;
	epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &lev);
	fprintf(stderr, "floor-echo: listening on port %d\n", port);

	for (;;) {
		int n = epoll_wait(epfd, events, 256, -1);

		for (int i = 0; i < n; i++) {
			struct conn *conn = events[i].data.ptr;

			if (!conn)
				accept_all(lfd);
			else if (events[i].events & EPOLLOUT)
				flush_kept(conn);
			else
				readable(conn);
		}
	}
}
