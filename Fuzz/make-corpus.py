#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into Fuzz/corpus/<target>/.

Seeds are valid inputs (and a few that hit each failure path) in each
target's input format: configuration bytes, then the cuts (a count byte and
that many big-endian 16-bit offsets, bit 15 a mark), then the payload. The
fuzzer mutates outwards from them, so they decide how quickly it reaches
deep states: a handshake that completes, a compressed message that
inflates. Deterministic, so rerunning it changes nothing unless it changes.

Usage: python3 Fuzz/make-corpus.py   (from anywhere)
"""
import os
import shutil
import struct
import zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def cuts(*offsets, marked=()):
    """The cut list: offsets, with those in `marked` carrying bit 15."""
    out = bytes([len(offsets)])
    for offset in offsets:
        out += struct.pack(">H", offset | (0x8000 if offset in marked else 0))
    return out


def write(target, name, data):
    directory = os.path.join(ROOT, target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


# --- frames (RFC 6455 section 5) -------------------------------------------

def frame(opcode, payload, fin=True, rsv=0, key=None):
    """One frame; masked with `key` (4 bytes) when given, as a client sends."""
    first = (0x80 if fin else 0) | rsv << 4 | opcode
    mask = 0x80 if key else 0
    n = len(payload)
    if n < 126:
        head = bytes([first, mask | n])
    elif n < 65536:
        head = bytes([first, mask | 126]) + struct.pack(">H", n)
    else:
        head = bytes([first, mask | 127]) + struct.pack(">Q", n)
    if key:
        payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
        head += key
    return head + payload


KEY = bytes([0x37, 0xFA, 0x21, 0x3D])
SERVER, CLIENT, RSV1 = 0x00, 0x01, 0x02


def frame_decoder():
    def seed(name, setup, wire, max_payload=0, cut=cuts()):
        write("FrameDecoder", name, bytes([setup, max_payload]) + cut + wire)

    seed("server-masked-hello", SERVER, frame(1, b"Hello", key=KEY))
    seed("client-fragmented-text", CLIENT, frame(1, b"Hel", fin=False) + frame(0, b"lo"))
    seed("client-controls", CLIENT,
         frame(9, b"Hello") + frame(10, b"") + frame(8, struct.pack(">H", 1000) + b"bye"))
    seed("server-256-binary-in-pieces", SERVER, frame(2, bytes(range(256)), key=KEY),
         max_payload=7, cut=cuts(1, 3, 9))
    seed("client-64bit-length", CLIENT | 3 << 3, frame(2, bytes(65536))[:110])
    # A code point split across fragments, a four-byte one in a message of its own.
    seed("client-utf8-across-fragments", CLIENT,
         frame(1, b"\xe2\x82", fin=False) + frame(0, b"\xac") + frame(1, "😀".encode()))
    seed("client-utf8-invalid", CLIENT, frame(1, b"\xed\xa0\x80") + frame(1, b"\xc0\xaf"))
    seed("client-rsv1-allowed", CLIENT | RSV1, frame(1, bytes.fromhex("f248cdc9c90700"), rsv=4))
    seed("client-reserved-opcode", CLIENT, frame(3, b"x"))
    seed("server-close-bad-reason", SERVER, frame(8, struct.pack(">H", 1001) + b"\xff", key=KEY))
    seed("server-close-bad-code", SERVER, frame(8, struct.pack(">H", 1005), key=KEY))
    seed("client-message-over-limit", CLIENT | 1 << 5,
         frame(2, bytes(100), fin=False) + frame(0, bytes(100)))
    seed("server-ping-between-fragments", SERVER,
         frame(1, b"ab", fin=False, key=KEY) + frame(9, b"p", key=KEY) + frame(0, b"c", key=KEY),
         cut=cuts(2, 7, 12))


# --- HTTP heads -------------------------------------------------------------

HANDSHAKE = (b"GET /chat HTTP/1.1\r\n"
             b"Host: server.example.com\r\n"
             b"Upgrade: websocket\r\n"
             b"Connection: Upgrade\r\n"
             b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             b"Origin: http://example.com\r\n"
             b"Sec-WebSocket-Protocol: chat, superchat\r\n"
             b"Sec-WebSocket-Version: 13\r\n"
             b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
             b"\r\n")

RESPONSE = (b"HTTP/1.1 101 Switching Protocols\r\n"
            b"Upgrade: websocket\r\n"
            b"Connection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            b"Sec-WebSocket-Protocol: chat\r\n"
            b"Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10\r\n"
            b"\r\n")

REQUEST, RESPONSE_MODE, SMALL_LIMITS = 0x00, 0x01, 0x02


def http_head():
    def seed(name, setup, head, token_limit=0, cut=cuts()):
        write("HTTPHead", name, bytes([setup, token_limit]) + cut + head)

    seed("handshake", REQUEST, HANDSHAKE)
    seed("handshake-cut", REQUEST, HANDSHAKE, cut=cuts(3, 20, 21, 44, 60))
    seed("post-query-body", REQUEST,
         b"POST /form?x=1&y=%20 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
         b"Content-Type: text/plain\r\n\r\nhello")
    seed("put-dot-segments-chunked", REQUEST,
         b"PUT /a/../b/./c//d HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
    seed("options-asterisk", REQUEST, b"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n")
    seed("absolute-form-escapes", REQUEST,
         b"GET http://h/x/%2e%2e/%2E%2e/y?q#f HTTP/1.0\r\n\r\n")
    seed("bare-lf", REQUEST, b"\r\nGET / HTTP/1.1\nHost: x\nCookie: a=1\nCookie: b=2\n\n")
    seed("stray-lf-host", REQUEST, b"GET / HTTP/1.1\r\nHost: h:80\n\r\nUpgrade: websocket\r\n\r\n")
    seed("repeated-lengths", REQUEST,
         b"DELETE /x HTTP/1.1\r\nContent-Length: 5, 5\r\nContent-Length:  5 \r\n\r\n")
    seed("small-limits", REQUEST | SMALL_LIMITS | 1 << 2, HANDSHAKE, token_limit=12)
    seed("few-headers", REQUEST | 2 << 4, HANDSHAKE)
    seed("response-101", RESPONSE_MODE, RESPONSE)
    seed("response-101-cut", RESPONSE_MODE, RESPONSE, cut=cuts(9, 12, 13, 35))
    seed("response-404", RESPONSE_MODE,
         b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nServer: x\r\n\r\n")
    seed("response-no-reason", RESPONSE_MODE, b"HTTP/1.1 200\r\nTransfer-Encoding: chunked\r\n\r\n")


# --- extension headers ------------------------------------------------------

def extension_header():
    values = [
        b"permessage-deflate; client_max_window_bits",
        b"permessage-deflate; server_max_window_bits=10; client_no_context_takeover, permessage-deflate",
        b'permessage-deflate; client_max_window_bits="12"; server_no_context_takeover',
        b"permessage-deflate; server_max_window_bits=08, permessage-deflate; foo",
        b"x-webkit-deflate-frame",
        b"deflate-frame; max_window_bits=9; no_context_takeover",
        b"deflate-stream",
        b'foo; bar=baz, , qux; a="b\\"c"',
        b"permessage-deflate ;\tclient_max_window_bits = 15 ,deflate-frame",
    ]
    for index, value in enumerate(values):
        # Preferences and request vary so that each path of both sides shows up.
        write("ExtensionHeader", "value-%d" % index, bytes([index * 37 & 0xFF, index * 91 & 0xFF]) + value)


# --- compressed messages (RFC 7692 section 7.2) -----------------------------

TAIL = b"\x00\x00\xff\xff"


def deflate_messages(messages, wbits=15, level=6):
    """Each message a list of fragments; returns the compressed fragments,
    sync-flushed, the last of each message without its 00 00 ff ff."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -wbits)
    out = []
    for fragments in messages:
        for index, fragment in enumerate(fragments):
            data = compressor.compress(fragment) + compressor.flush(zlib.Z_SYNC_FLUSH)
            if index == len(fragments) - 1:
                assert data.endswith(TAIL)
                data = data[:-4] or b"\x00"
            out.append((data, index == len(fragments) - 1))
    return out


def cut_layout(pieces):
    """The cuts between compressed pieces (marked where a message ends) and
    their concatenation."""
    offsets, marked, position = [], set(), 0
    for data, ends_message in pieces[:-1]:
        position += len(data)
        offsets.append(position)
        if ends_message:
            marked.add(position)
    return cuts(*offsets, marked=marked), b"".join(data for data, _ in pieces)


PMD, DEFLATE_FRAME = 0x00, 0x01
NO_CONTEXT = 0x04
TEXT = b"libwebsockets " * 20 + b"permessage-deflate " * 10


def inflate():
    def seed(name, setup, pulls, pieces):
        cut, data = cut_layout(pieces)
        write("Inflate", name, bytes([setup, pulls]) + cut + data)

    seed("rfc7692-hello", PMD, 0x00, [(bytes.fromhex("f248cdc9c90700"), True)])
    seed("context-takeover", PMD, 0x3F, deflate_messages([[b"Hello"], [b"Hello"], [TEXT]]))
    seed("fragments", PMD, 0x22, deflate_messages([[b"Hello, ", b"", TEXT]]))
    seed("fragments-retained", PMD, 0x41 | 0x10, deflate_messages([[TEXT[:90], TEXT[90:]]]))
    seed("bomb-over-limit", PMD | 2 << 6, 0x06, deflate_messages([[bytes(100000)]], level=9))
    seed("limit-one-byte", PMD | 1 << 6, 0x00, deflate_messages([[b"a"], [b"ab"]]))
    seed("window-10-no-context", PMD | NO_CONTEXT | 3 << 3, 0x2B,
         deflate_messages([[TEXT], [TEXT]], wbits=10))
    final_block = zlib.compressobj(6, zlib.DEFLATED, -15)
    seed("final-block", PMD, 0x07, [(final_block.compress(TEXT) + final_block.flush(), True)])
    seed("empty-message", PMD, 0x00, [(b"\x00", True), (b"", True)])
    seed("deflate-frame", DEFLATE_FRAME, 0x1C, deflate_messages([[TEXT], [TEXT], [b"x"]]))
    # Regression: a reference beyond a small promised window failed or not
    # depending on the pull size.
    write("Inflate", "regression-window-beyond-promise", bytes.fromhex(
        "082202000d0012f24812121212f2f2f2f2f24f4e2d291ee521793405a6453989"
        "2da94349121212f2f2f2f2f24f4e2d291ee521793405a64539892da9438800"))


def deflate_round_trip():
    def seed(name, first, second, plaintext, cut=cuts()):
        write("DeflateRoundTrip", name, bytes([first, second]) + cut + plaintext)

    seed("defaults", 0x00, 0x00, TEXT)
    seed("messages-and-fragments", 0x00, 0x00, TEXT, cut=cuts(5, 100, 101, 300, marked={100, 300}))
    seed("window-8-level-9-mem-1", 0x91, 0x01, TEXT * 3, cut=cuts(400, marked={400}))
    seed("no-context-level-0", 0x08, 0x48, TEXT, cut=cuts(10, 20, marked={10, 20}))
    seed("deflate-frame", 0x63, 0x10, TEXT, cut=cuts(7, 200))
    seed("binary", 0x45, 0x89, bytes((i * 7919) >> 3 & 0xFF for i in range(1500)), cut=cuts(700, marked={700}))


def base64():
    texts = [b"dGhlIHNhbXBsZSBub25jZQ==", b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", b"aGVsbG8", b"-_-_",
             b"YQ==", b"YWI=", b"Zm9v\x00Zm9v", b"", b"YQ=", b"Y===", b"A"]
    for index, text in enumerate(texts):
        write("Base64", "text-%d" % index, bytes([4 + index % 3, 4 - index % 2]) + text)


if __name__ == "__main__":
    if os.path.isdir(ROOT):
        shutil.rmtree(ROOT)
    frame_decoder()
    http_head()
    extension_header()
    inflate()
    deflate_round_trip()
    base64()
