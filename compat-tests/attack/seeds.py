"""Valid inputs the mutators start from: request heads and frame streams.

Every seed is something the test server must accept as it is (the run
checks that on unmutated control cases), so that mutations start from
deep inside the parser states rather than from the first byte.  Frame
streams are kept as lists of `FrameSpec` until they are encoded, so that a
mutation can change one field of one frame (its opcode, its length field)
and leave the rest of the stream valid.
"""

import base64
import struct
import zlib

import rawws

DUMB_INCREMENT = "dumb-increment-protocol"
MIRROR = "lws-mirror-protocol"

# What the test server negotiates for each offer (it offers both built-in
# extensions): the frame streams compress accordingly.
OFFERS = {
    None: None,
    "permessage-deflate": "permessage-deflate; client_max_window_bits",
    "deflate-frame": "deflate-frame",
}

# The largest message a seed sends to the mirror, which keeps the last 256
# messages: the run fills that ring with messages of this size before it
# takes its baseline, so the messages of the attack do not grow it.
MIRROR_MESSAGE_MAX = 16 * 1024

TEXT_PIECES = ["a", "b", "z", " ", "0", "é", "ß", "€", "\u0800", "\uffef",
               "😀", "\U0010fffd", "\u00a0", "ab", "xyz"]


def random_key(rng):
    return base64.b64encode(rng.randbytes(16)).decode("ascii")


def random_text(rng, length):
    """About length bytes of valid UTF-8 with characters of every width."""
    out, size = [], 0
    while size < length:
        piece = rng.choice(TEXT_PIECES)
        out.append(piece)
        size += len(piece.encode())
    return "".join(out).encode()


def payload_length(rng, limit):
    """Mostly small, sometimes at the 7/16/64-bit length boundaries."""
    choice = rng.random()
    if choice < 0.70:
        n = rng.randrange(0, 126)
    elif choice < 0.85:
        n = rng.choice([125, 126, 127, 200, 1000, 4096])
    elif choice < 0.98:
        n = rng.randrange(126, 3000)
    else:
        n = rng.choice([65535, 65536, 70000])
    return min(n, limit)


# -- request heads ------------------------------------------------------------

def upgrade_request(rng, protocol=None, extension=None, path="/"):
    """A WebSocket opening handshake (RFC 6455 4.1) as bytes."""
    lines = [f"GET {path} HTTP/1.1",
             "Host: localhost",
             "Upgrade: websocket",
             "Connection: Upgrade",
             f"Sec-WebSocket-Key: {random_key(rng)}",
             "Origin: http://localhost",
             "Sec-WebSocket-Version: 13"]
    if protocol:
        lines.append(f"Sec-WebSocket-Protocol: {protocol}")
    if extension:
        lines.append(f"Sec-WebSocket-Extensions: {OFFERS[extension]}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def http_request(rng):
    """One of the plain HTTP requests the test server answers."""
    kind = rng.randrange(6)
    if kind == 0:
        return b"GET / HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n"
    if kind == 1:
        return (b"GET /favicon.ico HTTP/1.0\r\nUser-Agent: attack\r\n"
                b"Connection: keep-alive\r\n\r\n")
    if kind == 2:
        return (b"GET /headers?x=1&y=%20 HTTP/1.1\r\nHost: localhost\r\n"
                b"Cookie: a=b; c=d\r\nAccept-Language: en\r\n"
                b"Cache-Control: no-cache\r\nRange: bytes=0-10\r\n\r\n")
    if kind == 3:
        body = rng.randbytes(rng.randrange(0, 300))
        return (b"POST /formtest HTTP/1.1\r\nHost: localhost\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: %d\r\n\r\n" % len(body)) + body
    if kind == 4:
        # Pipelined: the second request waits until the first is answered.
        return (b"GET /test.html HTTP/1.1\r\nHost: localhost\r\n\r\n"
                b"GET /favicon.ico HTTP/1.1\r\nHost: localhost\r\n"
                b"Connection: close\r\n\r\n")
    return b"GET /leaf.png HTTP/1.1\r\nHost: localhost\r\n\r\n"


def request_head(rng):
    """A valid request of any kind the server serves."""
    if rng.random() < 0.35:
        return http_request(rng)
    return upgrade_request(rng, rng.choice([DUMB_INCREMENT, MIRROR, None]),
                           rng.choice(list(OFFERS)))


# -- frame streams ------------------------------------------------------------

class FrameSpec:
    """One frame before encoding.  `length` and `width` override what the
    header declares (a mutation's length-field extremes); `payload` is what
    goes on the wire before masking (compressed already, if it is)."""

    def __init__(self, opcode, payload=b"", fin=True, rsv=0):
        self.opcode = opcode
        self.payload = payload
        self.fin = fin
        self.rsv = rsv
        self.masked = True
        self.length = None
        self.width = None

    def encode(self, rng):
        first = (0x80 if self.fin else 0) | (self.rsv & 7) << 4 | \
            (self.opcode & 0xF)
        mask = 0x80 if self.masked else 0
        n = len(self.payload) if self.length is None else self.length
        width = self.width or (7 if n < 126 else 16 if n < 65536 else 64)
        if width == 7:
            header = struct.pack("!BB", first, mask | (n & 0x7F))
        elif width == 16:
            header = struct.pack("!BBH", first, mask | 126, n & 0xFFFF)
        else:
            header = struct.pack("!BBQ", first, mask | 127,
                                 n & 0xFFFFFFFFFFFFFFFF)
        if not self.masked:
            return header + self.payload
        key = rng.randbytes(4)
        return header + key + rawws.mask_payload(key, self.payload)


class Compressor:
    """The client side of the negotiated extension: one raw deflate stream
    with context takeover, sync-flushed per unit (a message for
    permessage-deflate, a frame for deflate-frame), tail stripped."""

    def __init__(self):
        self.deflater = zlib.compressobj(6, zlib.DEFLATED, -15)

    def compress(self, data):
        out = self.deflater.compress(data) + \
            self.deflater.flush(zlib.Z_SYNC_FLUSH)
        return out[:-4] if out.endswith(b"\x00\x00\xff\xff") else out


def message_frames(opcode, payload, pieces, extension, compressor):
    """One data message as frames, fragmented into `pieces`."""
    if extension == "permessage-deflate":
        payload = compressor.compress(payload)
    step = max(1, -(-len(payload) // pieces))
    chunks = [payload[i:i + step] for i in range(0, len(payload), step)]
    frames = []
    for i, chunk in enumerate(chunks or [b""]):
        frame = FrameSpec(opcode if i == 0 else rawws.OP_CONTINUATION, chunk,
                          fin=i == len(chunks) - 1 or not chunks)
        if extension == "permessage-deflate" and i == 0:
            frame.rsv = 4
        if extension == "deflate-frame" and chunk:
            frame.payload = compressor.compress(chunk)
            frame.rsv = 4
        frames.append(frame)
    return frames


def frame_stream(rng, protocol, extension):
    """A valid client stream: one to five messages with control frames in
    between (a ping even inside a fragmented message), ended by a close
    1000 the server must answer in kind."""
    limit = MIRROR_MESSAGE_MAX if protocol == MIRROR else 70000
    compressor = Compressor()
    frames = []
    for _ in range(rng.randrange(1, 6)):
        kind = rng.random()
        if kind < 0.15:
            frames.append(FrameSpec(rawws.OP_PING, rng.randbytes(
                rng.randrange(0, 126))))
            continue
        if kind < 0.20:
            frames.append(FrameSpec(rawws.OP_PONG, b"unsolicited"))
            continue
        if kind < 0.25 and protocol == DUMB_INCREMENT:
            frames.extend(message_frames(rawws.OP_TEXT, b"reset\n", 1,
                                         extension, compressor))
            continue
        opcode = rawws.OP_TEXT if kind < 0.65 else rawws.OP_BINARY
        n = payload_length(rng, limit)
        payload = random_text(rng, n) if opcode == rawws.OP_TEXT \
            else rng.randbytes(n)
        pieces = 1 if rng.random() < 0.6 else rng.randrange(2, 5)
        message = message_frames(opcode, payload, pieces, extension,
                                 compressor)
        if len(message) > 1 and rng.random() < 0.5:
            message.insert(1, FrameSpec(rawws.OP_PING, b"mid-message"))
        frames.extend(message)
    frames.append(FrameSpec(rawws.OP_CLOSE, rawws.close_payload(1000, "bye")))
    return frames


def inflation_bomb():
    """A permessage-deflate message of 4 MiB of zeros, 4 KiB compressed:
    the mirror gives up at 64 KiB, the library's bound is 64 MiB."""
    compressor = Compressor()
    return [FrameSpec(rawws.OP_BINARY, compressor.compress(bytes(4 << 20)),
                      rsv=4)]
