"""Malformed requests, smuggling attempts and stalling clients.

Each request of malformed_requests.CASES must get its status and a closed
connection, while a client that was connected before goes on being served
on its keep-alive connection.  The smuggling tests check that bytes framed
as a body are never served as a request.  The timeout test holds three
stalling clients at once (one dribbling its head a byte a second, one
silent, one whose body stops) and checks each is dropped by the library's
timeouts (10 s) while other clients are served meanwhile.
"""

import http.client
import select
import shutil
import socket
import threading
import time

import pytest

import httpwire
import rawws
from malformed_requests import CASES


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_request_is_refused_and_others_are_served(test_server,
                                                            resource_dir,
                                                            case):
    port = test_server.port
    favicon = httpwire.read_resource(resource_dir, "favicon.ico")
    bystander = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        assert httpwire.get(port, "/favicon.ico",
                            connection=bystander) == (200, favicon)

        result = httpwire.exchange(port, case.request, timeout=5)
        assert result.status in case.statuses, \
            f"{case.why}: {result!r}"
        assert result.closed, f"connection not closed: {result!r}"
        # One answer only: nothing after the error page's body.
        assert result.extra == b"", result

        # The client that was already there, on its kept-alive connection,
        # and a new one.
        assert httpwire.get(port, "/favicon.ico",
                            connection=bystander) == (200, favicon)
        assert httpwire.get(port, "/favicon.ico") == (200, favicon)
    finally:
        bystander.close()


def read_until_close(sock, timeout):
    """All bytes until the server closes; fails if it does not in time."""
    data = bytearray()
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"still open after {timeout} s: {bytes(data)!r}"
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            return bytes(data)
        data += chunk


def split_responses(data):
    """(status, head text, body) of each Content-Length-framed response."""
    responses = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        assert sep, f"incomplete response head: {data!r}"
        response = rawws.parse_response_head(head)
        length = int(response.header("content-length", "0"))
        responses.append((response.status, head, rest[:length]))
        data = rest[length:]
    return responses


def test_unread_body_is_never_served_as_a_request(test_server,
                                                  resource_dir):
    # The GET's body is a complete request.  The file handler answers
    # without reading the body; the library must not then parse the body
    # as the next request on the connection: it closes after the answer.
    smuggled = (b"GET /headers HTTP/1.1\r\nHost: smuggled\r\n"
                b"X-Smuggled: yes\r\n\r\n")
    request = (b"GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               b"Content-Length: %d\r\n\r\n" % len(smuggled)) + smuggled
    with rawws.open_socket(test_server.port) as sock:
        sock.sendall(request)
        responses = split_responses(read_until_close(sock, 5))
    assert [r[0] for r in responses] == [200]
    assert responses[0][2] == httpwire.read_resource(resource_dir,
                                                     "favicon.ico")


def test_body_arriving_during_a_file_transfer_is_not_a_request(
        start_server, resource_dir, tmp_path):
    # The same with a file that takes many writable rounds (16 MiB, not
    # read by us until the body is sent), so the body arrives while the
    # file is going out and is delivered to the callback as a body.
    served = tmp_path / "served"
    shutil.copytree(resource_dir, served)
    size = 16 << 20
    with open(served / "big.png", "wb") as f:
        f.truncate(size)
    server = start_server("libwebsockets-test-server", "--resource-path",
                          str(served))
    smuggled = b"GET /headers HTTP/1.1\r\nHost: smuggled\r\n\r\n"
    with rawws.open_socket(server.port) as sock:
        sock.sendall(b"GET /big.png HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(smuggled))
        time.sleep(0.2)
        sock.sendall(smuggled)
        response, body = rawws.read_response_head(sock)
        assert response.status == 200
        received = len(body)
        while received < size:
            chunk = sock.recv(1 << 20)
            assert chunk, f"closed after {received} of {size} bytes"
            received += len(chunk)
        assert received == size
        # Nothing follows: the connection may stay open for a next
        # request, or close, but the body was never a request.
        sock.settimeout(1.0)
        try:
            extra = sock.recv(65536)
        except socket.timeout:
            extra = b""
        assert extra == b""


def test_request_after_a_read_body_is_served(test_server):
    # The legitimate twin of the above: a body the application reads, and a
    # pipelined request after it, in one send.  Both are answered, in order.
    request = (b"POST /formtest HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               b"Content-Length: 5\r\n\r\nhello"
               b"GET /headers?second HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               b"Connection: close\r\n\r\n")
    with rawws.open_socket(test_server.port) as sock:
        sock.sendall(request)
        responses = split_responses(read_until_close(sock, 5))
    assert [r[0] for r in responses] == [200, 200]
    assert responses[0][2] == b"length=5"
    assert b"\t-\t6\t6\t-1\tsecond\n" in responses[1][2]


def test_expect_100_continue_invites_the_body(test_server):
    with rawws.open_socket(test_server.port) as sock:
        sock.sendall(b"POST /formtest HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Expect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        interim, rest = rawws.read_response_head(sock, timeout=5)
        assert interim is not None and interim.status == 100
        assert rest == b""
        sock.sendall(b"hello")
        final, body = rawws.read_response_head(sock, timeout=5)
        while len(body) < int(final.header("content-length")):
            body += sock.recv(4096)
    assert final.status == 200
    assert body == b"length=5"


def test_expect_100_continue_is_not_sent_with_a_refusal(test_server):
    # The application answers 404 at once: the body is not invited.
    result = httpwire.exchange(
        test_server.port,
        b"POST /elsewhere HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Expect: 100-continue\r\nContent-Length: 5\r\n\r\n")
    assert result.status == 404
    assert result.closed


class StallingClient(threading.Thread):
    """Sends `head` at once, then `drip` one byte a second, and notes when
    the server closes the connection (never sending more after that)."""

    def __init__(self, port, head, drip=b""):
        super().__init__(daemon=True)
        self.sock = rawws.open_socket(port)
        self.head = head
        self.drip = drip
        self.started = time.monotonic()
        self.closed_after = None
        self.received = b""
        self.error = None

    def run(self):
        try:
            self._run()
        except Exception as e:      # reported by the test, not lost
            self.error = e
        finally:
            self.sock.close()

    def _run(self):
        if self.head:
            self.sock.sendall(self.head)
        pending = self.drip
        while time.monotonic() - self.started < 20:
            readable, _, _ = select.select([self.sock], [], [], 1.0)
            if readable:
                try:
                    chunk = self.sock.recv(4096)
                except ConnectionResetError:
                    chunk = b""
                if not chunk:
                    self.closed_after = time.monotonic() - self.started
                    return
                self.received += chunk
            elif pending:
                try:
                    self.sock.send(pending[:1])
                except (BrokenPipeError, ConnectionResetError):
                    self.closed_after = time.monotonic() - self.started
                    return
                pending = pending[1:]


def test_stalling_clients_are_dropped_by_timeouts(test_server,
                                                  resource_dir):
    port = test_server.port
    favicon = httpwire.read_resource(resource_dir, "favicon.ico")
    clients = {
        # slowloris: a valid head, one byte a second, never finished in time
        "slow head": StallingClient(
            port, b"", b"GET /test.html HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       b"User-Agent: one-byte-a-second\r\n\r\n"),
        "silent": StallingClient(port, b""),
        "stalled body": StallingClient(
            port, b"POST /formtest HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Content-Length: 1000\r\n\r\n" + b"x" * 10),
    }
    for client in clients.values():
        client.start()

    # Meanwhile everybody else is served, promptly.
    served = 0
    while any(c.is_alive() for c in clients.values()):
        began = time.monotonic()
        assert httpwire.get(port, "/favicon.ico") == (200, favicon)
        assert time.monotonic() - began < 2.0
        served += 1
        time.sleep(0.5)
    assert served >= 10

    for name, client in clients.items():
        assert client.error is None, f"{name}: {client.error!r}"
        assert client.closed_after is not None, f"{name}: never closed"
        # The library's timeouts are 10 s: not before, and not much after.
        assert 8.0 <= client.closed_after <= 15.0, \
            f"{name}: closed after {client.closed_after:.1f} s"
        # Nothing was answered: the request never got to the application.
        assert client.received == b"", f"{name}: {client.received!r}"
