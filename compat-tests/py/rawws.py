"""A deliberately small websocket client on a raw socket.

The `websockets` package refuses to produce malformed traffic, so the tests
that check how the server reacts to protocol violations (unmasked frames,
reserved bits, bad close codes, invalid UTF-8 ...) build frames byte by byte
here.  It also does raw HTTP/handshake requests whose headers the tests
control completely.

Every blocking call takes a timeout, so a server that never answers fails
the test instead of hanging it.
"""

import base64
import hashlib
import os
import socket
import struct
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"   # RFC 6455, section 1.3

OP_CONTINUATION = 0x0
OP_TEXT = 0x1
OP_BINARY = 0x2
OP_CLOSE = 0x8
OP_PING = 0x9
OP_PONG = 0xA

DEFAULT_TIMEOUT = 10.0


class ProtocolFailure(AssertionError):
    """The server did something the test did not expect."""


# ------------------------------------------------------------------- frames

def mask_payload(key, data):
    """XORs data with the 4-byte key (fast: one big-integer XOR)."""
    n = len(data)
    if not n:
        return b""
    stream = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "big") ^
            int.from_bytes(stream, "big")).to_bytes(n, "big")


def build_frame(opcode, payload=b"", *, fin=True, rsv=0, mask=True,
                mask_key=None):
    """One frame as bytes.  rsv is the 3-bit RSV1..RSV3 field (4 = RSV1)."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    first = (0x80 if fin else 0) | ((rsv & 7) << 4) | (opcode & 0xF)
    mask_bit = 0x80 if mask else 0
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", first, mask_bit | n)
    elif n < 65536:
        header = struct.pack("!BBH", first, mask_bit | 126, n)
    else:
        header = struct.pack("!BBQ", first, mask_bit | 127, n)
    if not mask:
        return header + payload
    key = mask_key if mask_key is not None else os.urandom(4)
    return header + key + mask_payload(key, payload)


def close_payload(code, reason=b""):
    if isinstance(reason, str):
        reason = reason.encode("utf-8")
    return struct.pack("!H", code) + reason


class Frame:
    def __init__(self, fin, rsv, opcode, payload):
        self.fin = fin
        self.rsv = rsv
        self.opcode = opcode
        self.payload = payload

    def close_code(self):
        """(code, reason bytes) of a close frame; code None if empty."""
        if len(self.payload) < 2:
            return None, b""
        return struct.unpack("!H", self.payload[:2])[0], self.payload[2:]

    def __repr__(self):
        return (f"Frame(fin={self.fin}, rsv={self.rsv}, "
                f"opcode={self.opcode:#x}, {len(self.payload)} bytes)")


class FrameParser:
    """Incremental parser for server-to-client (unmasked) frames."""

    def __init__(self):
        self.buf = bytearray()

    def feed(self, data):
        self.buf += data

    def next_frame(self):
        """The next complete frame, or None if more bytes are needed."""
        buf = self.buf
        if len(buf) < 2:
            return None
        fin = bool(buf[0] & 0x80)
        rsv = (buf[0] >> 4) & 7
        opcode = buf[0] & 0xF
        masked = bool(buf[1] & 0x80)
        n = buf[1] & 0x7F
        pos = 2
        if n == 126:
            if len(buf) < 4:
                return None
            n = struct.unpack_from("!H", buf, 2)[0]
            pos = 4
        elif n == 127:
            if len(buf) < 10:
                return None
            n = struct.unpack_from("!Q", buf, 2)[0]
            pos = 10
        if masked:
            raise ProtocolFailure("server sent a masked frame (RFC 6455 "
                                  "5.1 forbids it)")
        if len(buf) < pos + n:
            return None
        payload = bytes(buf[pos:pos + n])
        del buf[:pos + n]
        return Frame(fin, rsv, opcode, payload)


# --------------------------------------------------------------------- HTTP

class Response:
    """Status line and headers of an HTTP response (names lower-cased)."""

    def __init__(self, status, reason, headers, raw_head):
        self.status = status
        self.reason = reason
        self.headers = headers          # name -> list of values
        self.raw_head = raw_head

    def header(self, name, default=None):
        values = self.headers.get(name.lower())
        return ", ".join(values) if values else default

    def __repr__(self):
        return f"Response({self.status} {self.reason})"


def parse_response_head(head):
    lines = head.decode("iso-8859-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise ProtocolFailure(f"not an HTTP status line: {lines[0]!r}")
    headers = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise ProtocolFailure(f"malformed header line {line!r}")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return Response(int(parts[1]), parts[2] if len(parts) > 2 else "",
                    headers, head)


def open_socket(port, host="127.0.0.1", timeout=DEFAULT_TIMEOUT):
    sock = socket.create_connection((host, port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_response_head(sock, timeout=DEFAULT_TIMEOUT):
    """Reads up to the blank line.  Returns (Response or None, leftover).

    None means the server closed the connection without answering.
    """
    sock.settimeout(timeout)
    data = bytearray()
    while b"\r\n\r\n" not in data:
        try:
            chunk = sock.recv(4096)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            if data:
                raise ProtocolFailure(
                    f"connection closed inside the response head: "
                    f"{bytes(data)!r}")
            return None, b""
        data += chunk
        if len(data) > 65536:
            raise ProtocolFailure("response head over 64 KiB")
    head, _, rest = bytes(data).partition(b"\r\n\r\n")
    return parse_response_head(head), rest


def http_exchange(port, request, timeout=DEFAULT_TIMEOUT):
    """Sends raw request bytes, returns (Response or None, body bytes).

    The body is read by Content-Length when there is one, else until the
    server closes the connection.
    """
    with open_socket(port, timeout=timeout) as sock:
        sock.sendall(request)
        response, body = read_response_head(sock, timeout)
        if response is None:
            return None, b""
        length = response.header("content-length")
        body = bytearray(body)
        deadline = time.monotonic() + timeout
        while length is None or len(body) < int(length):
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                break
            body += chunk
        if length is not None and len(body) < int(length):
            raise ProtocolFailure(f"body ended after {len(body)} of "
                                  f"{length} bytes")
        return response, bytes(body)


# ---------------------------------------------------------------- handshake

def new_key():
    return base64.b64encode(os.urandom(16)).decode("ascii")


def accept_for(key):
    """Sec-WebSocket-Accept the server must send for key (RFC 6455 4.2.2)."""
    digest = hashlib.sha1(key.encode("ascii") + GUID).digest()
    return base64.b64encode(digest).decode("ascii")


def handshake_request(port, *, path="/", protocol=None, key=None,
                      headers=None, omit=()):
    """A client handshake as bytes.

    headers: extra or replacement (name, value) pairs, replacing the default
    of the same name; omit: names of default headers to leave out.
    """
    fields = {
        "Host": f"127.0.0.1:{port}",
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": key or new_key(),
        "Sec-WebSocket-Version": "13",
    }
    if protocol is not None:
        fields["Sec-WebSocket-Protocol"] = protocol
    for name, value in (headers or ()):
        for existing in list(fields):
            if existing.lower() == name.lower():
                del fields[existing]
        fields[name] = value
    for name in omit:
        for existing in list(fields):
            if existing.lower() == name.lower():
                del fields[existing]
    lines = [f"GET {path} HTTP/1.1"] + [f"{n}: {v}" for n, v in
                                        fields.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def handshake_response(port, **kwargs):
    """Sends a handshake (see handshake_request); returns Response or None."""
    with open_socket(port) as sock:
        sock.sendall(handshake_request(port, **kwargs))
        response, _ = read_response_head(sock)
        return response


class RawWebSocket:
    """An open websocket connection driven frame by frame."""

    def __init__(self, sock, response, leftover=b""):
        self.sock = sock
        self.response = response
        self.parser = FrameParser()
        self.parser.feed(leftover)

    @classmethod
    def connect(cls, port, *, protocol=None, headers=None,
                timeout=DEFAULT_TIMEOUT):
        """Handshakes and checks the 101 answer (accept key included)."""
        key = new_key()
        sock = open_socket(port, timeout=timeout)
        try:
            sock.sendall(handshake_request(port, protocol=protocol, key=key,
                                           headers=headers))
            response, rest = read_response_head(sock, timeout)
            if response is None or response.status != 101:
                raise ProtocolFailure(f"handshake refused: {response!r}")
            accept = response.header("sec-websocket-accept")
            if accept != accept_for(key):
                raise ProtocolFailure(f"bad Sec-WebSocket-Accept {accept!r}")
        except BaseException:
            sock.close()
            raise
        return cls(sock, response, rest)

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- sending ---------------------------------------------------------

    def send_raw(self, data):
        self.sock.sendall(data)

    def send_frame(self, opcode, payload=b"", **kwargs):
        self.sock.sendall(build_frame(opcode, payload, **kwargs))

    def send_close(self, code=None, reason=b""):
        payload = b"" if code is None else close_payload(code, reason)
        self.send_frame(OP_CLOSE, payload)

    # -- receiving -------------------------------------------------------

    def recv_frame(self, timeout=DEFAULT_TIMEOUT):
        """The next frame.  Raises EOFError if the server closed TCP."""
        deadline = time.monotonic() + timeout
        while True:
            frame = self.parser.next_frame()
            if frame is not None:
                return frame
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no frame within {timeout} s")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(1 << 20)
            except ConnectionResetError as e:
                raise EOFError("connection reset by the server") from e
            if not chunk:
                raise EOFError("server closed the connection")
            self.parser.feed(chunk)

    def recv_message(self, timeout=DEFAULT_TIMEOUT):
        """(opcode, payload) of the next data message, fragments joined.

        Pings are answered with pongs; a close frame raises ProtocolFailure.
        """
        deadline = time.monotonic() + timeout
        opcode, parts = None, []
        while True:
            frame = self.recv_frame(max(0.01, deadline - time.monotonic()))
            if frame.opcode == OP_PING:
                self.send_frame(OP_PONG, frame.payload)
                continue
            if frame.opcode == OP_PONG:
                continue
            if frame.opcode == OP_CLOSE:
                raise ProtocolFailure(f"server closed: {frame.close_code()}")
            if frame.opcode == OP_CONTINUATION:
                if opcode is None:
                    raise ProtocolFailure("server sent a continuation "
                                          "without a start frame")
            elif opcode is not None:
                raise ProtocolFailure("server started a new message inside "
                                      "a fragmented one")
            else:
                opcode = frame.opcode
            parts.append(frame.payload)
            if frame.fin:
                return opcode, b"".join(parts)

    def expect_close(self, timeout=DEFAULT_TIMEOUT):
        """Reads until the server's close frame; returns (code, reason).

        Data frames before it are skipped (the server may still be sending
        replies to earlier messages).  A connection that ends without a
        close frame fails.
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                frame = self.recv_frame(max(0.01,
                                            deadline - time.monotonic()))
            except EOFError as e:
                raise ProtocolFailure(
                    f"connection ended without a close frame ({e})") from e
            if frame.opcode == OP_CLOSE:
                return frame.close_code()

    def expect_eof(self, timeout=DEFAULT_TIMEOUT):
        """Waits until the server closes TCP; fails on data or timeout."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"server kept TCP open {timeout} s")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                return
            if not chunk:
                return
            self.parser.feed(chunk)
            frame = self.parser.next_frame()
            if frame is not None:
                raise ProtocolFailure(f"unexpected {frame!r} after close")
