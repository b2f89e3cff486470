"""Helpers for the extension tests (test_ext_*.py).

  libwebsockets-test-ext   runs as server (start_server) or client
                           (run_ext_client); its event lines are parsed here
  Deflater / Inflater      permessage-deflate (RFC 7692) and deflate-frame
                           payloads built and read by hand with zlib: raw
                           DEFLATE (wbits -N), the 00 00 ff ff tail of a
                           sync flush removed on the way out, restored on
                           the way in
  connect()                a rawws.RawWebSocket offering extensions

The wire side is computed with Python's zlib, never with the library under
test, so what a test asserts about the bytes is independent of it.
"""

import random
import zlib

import peers
import rawws

TEST_EXT = "libwebsockets-test-ext"
XOR_NAME = "x-xor-test"
XOR_BYTE = 0x5A
TAIL = b"\x00\x00\xff\xff"        # RFC 7692 section 7.2.1

# The message sizes the issue asks for: empty, 7-bit, 16-bit and 64-bit
# frame lengths on both sides of each boundary, 1 MiB and 16 MiB.
SIZES = [0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20]


# ------------------------------------------------------------ the program

def pattern(index, size, binary=False):
    """Message `index` as libwebsockets-test-ext sends (and expects) it."""
    return peers.pattern(0, index, size, binary)


def json_like(size, seed=7):
    """A deterministic JSON-like document of exactly `size` bytes: records
    with repeated keys and varying values, compressible as real API
    traffic is, not as trivially as one repeated string."""
    rng = random.Random(seed)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot",
             "golf", "hotel", "india", "juliet"]
    parts = []
    total = 1
    i = 0
    while total < size:
        record = (f'{{"id":{rng.randrange(1 << 30)},"name":"'
                  f'{rng.choice(words)}-{rng.randrange(1000)}",'
                  f'"score":{rng.random():.6f},"active":'
                  f'{"true" if rng.random() < 0.5 else "false"},'
                  f'"tags":["{rng.choice(words)}","{rng.choice(words)}"]}}')
        parts.append(record)
        total += len(record) + 1
        i += 1
    doc = ("[" + ",".join(parts) + "]").encode()
    return doc[:size - 1] + b"]" if len(doc) > size else doc


def xor(data):
    """What x-xor-test does to a payload (its own inverse)."""
    if not data:
        return b""
    n = len(data)
    return (int.from_bytes(data, "big") ^
            int.from_bytes(bytes([XOR_BYTE]) * n, "big")).to_bytes(n, "big")


def crc(data):
    return f"{zlib.crc32(data) & 0xffffffff:08x}"


def run_ext_client(port, *args, timeout=60):
    """libwebsockets-test-ext --client 127.0.0.1 --port PORT ARGS...;
    returns a peers.Outcome."""
    return peers.run_program(TEST_EXT, ["--client", "127.0.0.1", "--port",
                                        port, *args], timeout=timeout)


def events_of(lines):
    """[(kind, fields)] of event lines (server stderr or client stdout)."""
    return [peers.parse_event(line) for line in lines]


def of(lines, kind):
    return [fields for k, fields in events_of(lines) if k == kind]


def negotiated(lines):
    """The extensions= value of the ESTABLISHED line (it may hold spaces):
    the client's offer on the server, the server's answer on the client."""
    for line in lines:
        if line.startswith("ESTABLISHED "):
            return line.partition("extensions=")[2]
    raise AssertionError("no ESTABLISHED line:\n" + "\n".join(lines))


def context_counts(lines):
    found = of(lines, "EXT_CONTEXT")
    assert found, "no EXT_CONTEXT line:\n" + "\n".join(lines)
    return {k: int(v) for k, v in found[-1].items()}


def session_counts(lines):
    return [{k: (v if k == "role" else int(v)) for k, v in f.items()}
            for f in of(lines, "EXT_SESSION")]


def server_lines(server):
    return list(server.lines)


# ------------------------------------------------------------------- zlib

class Deflater:
    """Compresses messages (or deflate-frame frames) as a peer would.

    Every call ends with a sync flush whose 00 00 ff ff is cut off; with
    context takeover (the default) later messages may refer to earlier
    ones.
    """

    def __init__(self, wbits=15, no_context_takeover=False, level=6):
        self.wbits = wbits
        self.level = level
        self.no_context_takeover = no_context_takeover
        self._new()

    def _new(self):
        self.z = zlib.compressobj(self.level, zlib.DEFLATED, -self.wbits)

    def message(self, data):
        out = self.z.compress(data) + self.z.flush(zlib.Z_SYNC_FLUSH)
        assert out.endswith(TAIL)
        if self.no_context_takeover:
            self._new()
        return out[:-4]

    def fragments(self, data, pieces):
        """One message as `pieces` frame payloads: each piece sync-flushed
        (so each frame is decodable on arrival), the tail cut off the
        last only."""
        step = max(1, len(data) // pieces)
        parts = []
        for i in range(pieces):
            chunk = data[i * step:] if i == pieces - 1 else \
                data[i * step:(i + 1) * step]
            parts.append(self.z.compress(chunk) +
                         self.z.flush(zlib.Z_SYNC_FLUSH))
        assert parts[-1].endswith(TAIL)
        parts[-1] = parts[-1][:-4]
        if self.no_context_takeover:
            self._new()
        return parts


class Inflater:
    """Decompresses what the server sends, keeping the window across
    messages unless the server promised no context takeover."""

    def __init__(self, wbits=15, no_context_takeover=False):
        self.wbits = wbits
        self.no_context_takeover = no_context_takeover
        self.z = zlib.decompressobj(-wbits)

    def message(self, payload, limit=64 << 20):
        out = self.z.decompress(payload + TAIL, limit)
        assert not self.z.unconsumed_tail, "message inflates beyond limit"
        if self.no_context_takeover:
            self.z = zlib.decompressobj(-self.wbits)
        return out


def deflate_bomb(inflated_size, chunk=1 << 20):
    """A raw DEFLATE stream (tail cut off) of `inflated_size` zero bytes:
    about 1/1000 of that size."""
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(chunk)
    parts = [z.compress(zeros) for _ in range(inflated_size // chunk)]
    parts.append(z.flush(zlib.Z_SYNC_FLUSH))
    return b"".join(parts)[:-4]


# ------------------------------------------------------------- raw client

def connect(port, offer=None, protocol=None, timeout=10.0):
    """A RawWebSocket whose handshake offers `offer` as
    Sec-WebSocket-Extensions (None: no such header)."""
    headers = [("Sec-WebSocket-Extensions", offer)] if offer else None
    return rawws.RawWebSocket.connect(port, protocol=protocol,
                                      headers=headers, timeout=timeout)


def recv_data_frames(ws, timeout=10.0):
    """The frames of the next data message: [Frame, ...] up to FIN."""
    frames = []
    while True:
        frame = ws.recv_frame(timeout)
        if frame.opcode in (rawws.OP_PING, rawws.OP_PONG):
            continue
        if frame.opcode == rawws.OP_CLOSE:
            raise rawws.ProtocolFailure(f"server closed: "
                                        f"{frame.close_code()}")
        frames.append(frame)
        if frame.fin:
            return frames
