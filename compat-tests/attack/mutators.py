"""Mutations of valid request heads and frame streams.

Three kinds: byte-level ones that know nothing of the format (bit flips,
truncation, insertion, deletion, duplication), head-level ones that know
lines and headers (huge or many headers, bad UTF-8, line endings, numeric
extremes, folded lines, broken extension offers), and frame-level ones that
change one field of one frame before it is encoded (opcode, RSV bits, FIN,
mask bit, the length field's width and value, bad UTF-8 in a text payload,
oversized or fragmented control frames, bad close codes).  Each case applies
one to three, picked by the case's own random generator, so every case can
be rebuilt from the seed and its number alone.
"""

import struct

import rawws
from seeds import FrameSpec

SPECIAL_BYTES = [b"\x00", b"\r", b"\n", b"\r\n", b"\r\n\r\n", b":", b" ",
                 b"\t", b"\xff", b"\x80", b"\x7f", b"%00", b",", b";", b"="]
BAD_UTF8 = [b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xff",
            b"\xfe", b"\x80", b"\xe2\x82", b"\xf0\x9f\x98", b"\xc1\xbf",
            b"\xf8\x88\x80\x80\x80", b"\xed\xbf\xbf"]
HUGE_SIZES = [1024, 4095, 4096, 8192, 65536, 262144]
NUMBER_EXTREMES = [b"0", b"-1", b"+5", b"4294967295", b"4294967296",
                   b"18446744073709551615", b"18446744073709551616",
                   b"99999999999999999999999999", b"0x10", b"1e3", b" 12 ",
                   b"12, 12", b""]
LENGTH_EXTREMES = [0, 1, 125, 126, 127, 0xFFFF, 0x10000, 0x7FFFFFFF,
                   0xFFFFFFFF, 1 << 32, (1 << 63) - 1, 1 << 63,
                   (1 << 64) - 1]
CLOSE_CODES = [0, 1, 999, 1004, 1005, 1006, 1012, 1015, 1016, 2999, 3000,
               4999, 5000, 65535]


# -- byte level ---------------------------------------------------------------

def flip_bits(rng, data):
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 3, 8])):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(rng, data):
    return data[:rng.randrange(len(data))] if data else data


def insert_random(rng, data):
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.randbytes(rng.choice([1, 2, 4, 16, 64])) + \
        data[at:]


def insert_special(rng, data):
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.choice(SPECIAL_BYTES) + data[at:]


def overwrite_byte(rng, data):
    if not data:
        return data
    at = rng.randrange(len(data))
    value = rng.choice([0x00, 0xFF, 0x7F, 0x80, 0x7E, 0x20, 0x0A,
                        rng.randrange(256)])
    return data[:at] + bytes([value]) + data[at + 1:]


def delete_span(rng, data):
    if not data:
        return data
    at = rng.randrange(len(data))
    return data[:at] + data[at + rng.randrange(1, 32):]


def duplicate_span(rng, data):
    if not data:
        return data
    at = rng.randrange(len(data))
    span = data[at:at + rng.randrange(1, 64)]
    return data[:at] + span * rng.randrange(2, 5) + data[at:]


BYTE_MUTATIONS = [flip_bits, truncate, insert_random, insert_special,
                  overwrite_byte, delete_span, duplicate_span]


# -- request heads ------------------------------------------------------------

def _lines(head):
    """(request line, header lines, the rest after the blank line)."""
    top, sep, rest = head.partition(b"\r\n\r\n")
    lines = top.split(b"\r\n")
    return lines[0], lines[1:], sep + rest


def _join(first, headers, rest):
    return b"\r\n".join([first] + headers) + rest


def huge_header(rng, head):
    first, headers, rest = _lines(head)
    value = b"a" * rng.choice(HUGE_SIZES)
    headers.insert(rng.randrange(len(headers) + 1), b"X-Huge: " + value)
    return _join(first, headers, rest)


def many_headers(rng, head):
    first, headers, rest = _lines(head)
    count = rng.choice([64, 200, 1000, 5000])
    return _join(first, headers + [b"X-Many-%d: v" % i
                                   for i in range(count)], rest)


def huge_uri(rng, head):
    first, headers, rest = _lines(head)
    parts = first.split(b" ")
    if len(parts) >= 2:
        parts[1] = b"/" + b"a" * rng.choice(HUGE_SIZES)
    return _join(b" ".join(parts), headers, rest)


def bad_utf8(rng, head):
    first, headers, rest = _lines(head)
    lines = [first] + headers
    i = rng.randrange(len(lines))
    at = rng.randrange(len(lines[i]) + 1)
    lines[i] = lines[i][:at] + rng.choice(BAD_UTF8) + lines[i][at:]
    return _join(lines[0], lines[1:], rest)


def line_endings(rng, head):
    ending = rng.choice([b"\n", b"\r", b"\n\r", b"\r\r\n", b""])
    if rng.random() < 0.5:
        return head.replace(b"\r\n", ending)
    at = head.find(b"\r\n", rng.randrange(len(head)))
    return head if at < 0 else head[:at] + ending + head[at + 2:]


def duplicate_header(rng, head):
    first, headers, rest = _lines(head)
    if not headers:
        return head
    line = rng.choice(headers)
    name = line.partition(b":")[0]
    copy = line if rng.random() < 0.5 else \
        name + b": " + rng.randbytes(8).hex().encode()
    headers.insert(rng.randrange(len(headers) + 1), copy)
    return _join(first, headers, rest)


def drop_header(rng, head):
    first, headers, rest = _lines(head)
    if headers:
        del headers[rng.randrange(len(headers))]
    return _join(first, headers, rest)


def numeric_extreme(rng, head):
    first, headers, rest = _lines(head)
    name = rng.choice([b"Content-Length", b"Sec-WebSocket-Version",
                       b"Content-Length", b"Range"])
    headers = [h for h in headers if not h.lower().startswith(name.lower())]
    headers.append(name + b": " + rng.choice(NUMBER_EXTREMES))
    return _join(first, headers, rest)


def fold_line(rng, head):
    first, headers, rest = _lines(head)
    if headers:
        headers.insert(rng.randrange(1, len(headers) + 1),
                       rng.choice([b" folded", b"\tfolded", b" "]))
    return _join(first, headers, rest)


def extension_garbage(rng, head):
    first, headers, rest = _lines(head)
    offer = rng.choice([
        b"permessage-deflate; client_max_window_bits=99",
        b"permessage-deflate; server_max_window_bits=7",
        b"permessage-deflate; server_max_window_bits",
        b"permessage-deflate; client_no_context_takeover; "
        b"client_no_context_takeover",
        b"permessage-deflate; x=\"unterminated",
        b"permessage-deflate, permessage-deflate, permessage-deflate",
        b"deflate-frame; max_window_bits=8, x-webkit-deflate-frame",
        b"deflate-frame; no_context_takeover=1",
        b";;;,,,", b"permessage-deflate;" * 500,
        b"\"quoted\"; a=\"b\\\"c\"", b"permessage-deflate; =",
    ])
    headers = [h for h in headers
               if not h.lower().startswith(b"sec-websocket-extensions")]
    headers.append(b"Sec-WebSocket-Extensions: " + offer)
    return _join(first, headers, rest)


def request_line(rng, head):
    first, headers, rest = _lines(head)
    first = rng.choice([
        b"GET / HTTP/1.1111111111", b"GET / HTTP/2.0", b"GET / HTTP/0.9",
        b"GET /", b"GET  /  HTTP/1.1", b"G\x00T / HTTP/1.1",
        b"GET http://localhost/test.html HTTP/1.1", b"GET * HTTP/1.1",
        b"CONNECT localhost:80 HTTP/1.1", b"PUT / HTTP/1.1",
        b"GET /../../etc/passwd HTTP/1.1", b"GET /%2e%2e/x HTTP/1.1",
        b"HEAD / HTTP/1.1", b"GET / HTTP/1.1 extra", b"\r\nGET / HTTP/1.1",
    ])
    return _join(first, headers, rest)


HEAD_MUTATIONS = [huge_header, many_headers, huge_uri, bad_utf8,
                  line_endings, duplicate_header, drop_header,
                  numeric_extreme, fold_line, extension_garbage,
                  request_line]


def mutate_head(rng, head):
    """One to three mutations, head-level and byte-level mixed."""
    for _ in range(rng.choice([1, 1, 2, 3])):
        if rng.random() < 0.55:
            head = rng.choice(HEAD_MUTATIONS)(rng, head)
        else:
            head = rng.choice(BYTE_MUTATIONS)(rng, head)
    return head


# -- frames -------------------------------------------------------------------

def opcode(rng, frames):
    rng.choice(frames).opcode = rng.randrange(16)


def rsv_bits(rng, frames):
    rng.choice(frames).rsv = rng.randrange(1, 8)


def fin_bit(rng, frames):
    frame = rng.choice(frames)
    frame.fin = not frame.fin


def unmasked(rng, frames):
    rng.choice(frames).masked = False


def length_extreme(rng, frames):
    """The length field declares another length than the payload has, in
    any of the three widths (non-minimal encodings included)."""
    frame = rng.choice(frames)
    frame.length = rng.choice(LENGTH_EXTREMES)
    frame.width = rng.choice([None, 7, 16, 64])


def bad_utf8_payload(rng, frames):
    texts = [f for f in frames if f.opcode in (rawws.OP_TEXT,
                                               rawws.OP_CONTINUATION)
             and not f.rsv]
    frame = rng.choice(texts or frames)
    at = rng.randrange(len(frame.payload) + 1)
    frame.payload = frame.payload[:at] + rng.choice(BAD_UTF8) + \
        frame.payload[at:]


def control_abuse(rng, frames):
    """A control frame that is too long, fragmented, or a close with a
    code or reason it may not have."""
    kind = rng.randrange(5)
    if kind == 0:
        spec = FrameSpec(rawws.OP_PING,
                         rng.randbytes(rng.choice([126, 200, 65536])))
    elif kind == 1:
        spec = FrameSpec(rawws.OP_PING, b"x", fin=False)
    elif kind == 2:
        spec = FrameSpec(rawws.OP_CLOSE,
                         struct.pack("!H", rng.choice(CLOSE_CODES)))
    elif kind == 3:
        spec = FrameSpec(rawws.OP_CLOSE, b"\x03")
    else:
        spec = FrameSpec(rawws.OP_CLOSE, struct.pack("!H", 1000) +
                         rng.choice(BAD_UTF8))
    frames.insert(rng.randrange(len(frames) + 1), spec)


def stray_continuation(rng, frames):
    """A continuation with no message to continue, or a new data frame
    inside a fragmented message."""
    spec = FrameSpec(rng.choice([rawws.OP_CONTINUATION, rawws.OP_TEXT,
                                 rawws.OP_BINARY]), b"stray",
                     fin=rng.random() < 0.5)
    frames.insert(rng.randrange(len(frames) + 1), spec)


FRAME_MUTATIONS = [opcode, rsv_bits, fin_bit, unmasked, length_extreme,
                   bad_utf8_payload, control_abuse, stray_continuation]


def mutate_stream(rng, frames):
    """Encodes frames with one to three mutations, frame-level ones (before
    encoding) and byte-level ones (on the encoded stream) mixed."""
    count = rng.choice([1, 1, 2, 3])
    byte_level = sum(rng.random() < 0.4 for _ in range(count))
    for _ in range(count - byte_level):
        rng.choice(FRAME_MUTATIONS)(rng, frames)
    data = b"".join(frame.encode(rng) for frame in frames)
    for _ in range(byte_level):
        data = rng.choice(BYTE_MUTATIONS)(rng, data)
    return data
