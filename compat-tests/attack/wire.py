"""Attacking connections: non-blocking sockets driven by asyncio.

Connections go to 127.0.0.1 .. 127.0.0.16 in turn (the test server listens
on every address): most cases close first, so our side keeps their
TIME_WAIT entries, and tens of thousands of connections to one address
would run out of ephemeral ports.  Spreading over 16 addresses of the
loopback net gives each its own port space; nothing leaves the machine.
"""

import asyncio
import socket
import struct

DESTINATIONS = [f"127.0.0.{n}" for n in range(1, 17)]


class Closed(Exception):
    """The server reset the connection, or closed it while we sent."""


class Connection:
    """One attacking TCP connection."""

    def __init__(self, sock):
        self.sock = sock
        self.loop = asyncio.get_running_loop()

    @classmethod
    async def open(cls, port, index):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            await asyncio.get_running_loop().sock_connect(
                sock, (DESTINATIONS[index % len(DESTINATIONS)], port))
        except BaseException:
            sock.close()
            raise
        return cls(sock)

    async def send(self, data, timeout=None):
        """Sends all of data; Closed if the server closed meanwhile.  With a
        timeout, asyncio.TimeoutError when the server stops taking it."""
        try:
            await asyncio.wait_for(self.loop.sock_sendall(self.sock, data),
                                   timeout)
        except (BrokenPipeError, ConnectionResetError) as e:
            raise Closed() from e

    async def recv(self, timeout):
        """Bytes the server sent (b"" at its FIN); None when nothing came
        within timeout; Closed at a reset."""
        try:
            return await asyncio.wait_for(
                self.loop.sock_recv(self.sock, 65536), timeout)
        except asyncio.TimeoutError:
            return None
        except ConnectionResetError as e:
            raise Closed() from e

    async def read_until_closed(self, timeout, limit=1 << 20):
        """Everything the server sends until it closes, and how it ended:
        "fin", "reset" or "open" (still open after timeout).  Bytes past
        limit are read and dropped."""
        received = bytearray()
        deadline = self.loop.time() + timeout
        while True:
            left = deadline - self.loop.time()
            if left <= 0:
                return bytes(received), "open"
            try:
                chunk = await self.recv(left)
            except Closed:
                return bytes(received), "reset"
            if chunk is None:
                return bytes(received), "open"
            if not chunk:
                return bytes(received), "fin"
            if len(received) < limit:
                received += chunk

    async def read_head(self, timeout):
        """The server's bytes up to and including the blank line after an
        HTTP head, plus what followed in the same reads; b"" if it closed
        first, None on timeout."""
        received = bytearray()
        deadline = self.loop.time() + timeout
        while b"\r\n\r\n" not in received:
            left = deadline - self.loop.time()
            if left <= 0:
                return None
            try:
                chunk = await self.recv(left)
            except Closed:
                return bytes(received)
            if chunk is None:
                return None
            if not chunk:
                return bytes(received)
            received += chunk
        return bytes(received)

    def finish(self):
        """Half-closes: the server sees our FIN and may still answer."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def reset(self):
        """Closes with an RST (SO_LINGER 0) instead of a FIN."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 0))
        self.sock.close()

    def close(self):
        self.sock.close()
