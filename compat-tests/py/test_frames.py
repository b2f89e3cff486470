"""RFC 6455 framing against libwebsockets-test-echo.

The happy paths use the `websockets` package as the peer; the protocol
violations use raw frames (rawws) and expect the exact close code that
RFC 6455 prescribes: 1002 for protocol errors, 1007 for invalid UTF-8.
"""

import os

import pytest
from websockets.exceptions import ConnectionClosed

import rawws
import wsclient
from rawws import (OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_PONG,
                   OP_TEXT, RawWebSocket, close_payload)

PROTOCOL_ERROR = 1002
INVALID_PAYLOAD = 1007

SIZES = [0, 1, 125, 126, 65535, 65536, 16 * 1024 * 1024]


def text_of(size):
    """ASCII text of exactly size bytes, not a single repeated byte."""
    unit = "0123456789abcdefghijklmnopqrstuvwxyz"
    return (unit * (size // len(unit) + 1))[:size]


# ------------------------------------------------------------------- echoes

@pytest.mark.parametrize("size", SIZES, ids=lambda n: f"{n}B")
def test_text_echo(echo_server, size):
    message = text_of(size)
    with wsclient.connect(echo_server.port) as ws:
        ws.send(message)
        reply = ws.recv(timeout=30)
    assert isinstance(reply, str)
    assert len(reply) == size
    assert reply == message


@pytest.mark.parametrize("size", SIZES, ids=lambda n: f"{n}B")
def test_binary_echo(echo_server, size):
    message = os.urandom(size)
    with wsclient.connect(echo_server.port) as ws:
        ws.send(message)
        reply = ws.recv(timeout=30)
    assert isinstance(reply, bytes)
    assert reply == message


def test_multibyte_utf8_echo(echo_server):
    # Characters of 2, 3 and 4 bytes, also straddling the library's
    # internal RECEIVE piece boundaries.
    message = "héllo wörld € 𝄞 " * 5000
    with wsclient.connect(echo_server.port) as ws:
        ws.send(message)
        assert ws.recv(timeout=10) == message


def test_messages_keep_their_order(echo_server):
    messages = [f"message {i}" for i in range(200)]
    with wsclient.connect(echo_server.port) as ws:
        for m in messages:
            ws.send(m)
        replies = [ws.recv(timeout=10) for _ in messages]
    assert replies == messages


def test_fragmented_text_echo(echo_server):
    fragments = ["first-", "second-", "", "third: ünïcödé"]
    with wsclient.connect(echo_server.port) as ws:
        ws.send(fragments)              # an iterable is sent as fragments
        assert ws.recv(timeout=10) == "".join(fragments)


def test_fragmented_binary_echo(echo_server):
    fragments = [os.urandom(n) for n in (1, 70000, 3, 125, 126)]
    with wsclient.connect(echo_server.port) as ws:
        ws.send(fragments)
        assert ws.recv(timeout=10) == b"".join(fragments)


def test_utf8_character_split_across_fragments(echo_server):
    # "€" is E2 82 AC: split it over three frames; the message is valid.
    with RawWebSocket.connect(echo_server.port) as ws:
        ws.send_frame(OP_TEXT, b"a\xe2", fin=False)
        ws.send_frame(OP_CONTINUATION, b"\x82", fin=False)
        ws.send_frame(OP_CONTINUATION, b"\xacz")
        assert ws.recv_message() == (OP_TEXT, "a€z".encode())


def test_control_frames_between_fragments(echo_server):
    with RawWebSocket.connect(echo_server.port) as ws:
        ws.send_frame(OP_TEXT, "part one, ", fin=False)
        ws.send_frame(OP_PING, b"in the middle")
        ws.send_frame(OP_CONTINUATION, "part two")
        pong = ws.recv_frame()
        assert (pong.opcode, pong.payload) == (OP_PONG, b"in the middle")
        assert ws.recv_message() == (OP_TEXT, b"part one, part two")


def test_echo_with_client_offering_compression(echo_server):
    # Whether or not the server accepts permessage-deflate, the echo must
    # come back exact.
    message = "compressible " * 10000
    with wsclient.connect(echo_server.port, compression="deflate") as ws:
        ws.send(message)
        assert ws.recv(timeout=10) == message


# -------------------------------------------------------- control frames

@pytest.mark.parametrize("payload", [b"", b"ping-payload-123",
                                     bytes(range(125))],
                         ids=["empty", "short", "125B"])
def test_ping_gets_pong_with_same_payload(echo_server, payload):
    with RawWebSocket.connect(echo_server.port) as ws:
        ws.send_frame(OP_PING, payload)
        frame = ws.recv_frame()
        assert frame.opcode == OP_PONG
        assert frame.fin
        assert frame.payload == payload


def test_pings_read_together_each_get_their_pong(echo_server):
    """Pings that reach the server in one read are each answered, as 1.4
    answered them (its test-ping counts a missing pong as lost). Only a
    pong still queued behind bytes the peer has not read is replaced by a
    newer one (RFC 6455 5.5.3; see unit/test-flood.c)."""
    pings = [b"ping %d" % i for i in range(5)]
    with RawWebSocket.connect(echo_server.port) as ws:
        ws.send_raw(b"".join(rawws.build_frame(OP_PING, p) for p in pings))
        pongs = [ws.recv_frame() for _ in pings]
    assert [(f.opcode, f.payload) for f in pongs] == \
        [(OP_PONG, p) for p in pings]


def test_ping_with_websockets_client(echo_server):
    with wsclient.connect(echo_server.port) as ws:
        pong = ws.ping(b"are you there")
        assert pong.wait(10), "no pong within 10 s"


def test_unsolicited_pong_is_ignored(echo_server):
    with RawWebSocket.connect(echo_server.port) as ws:
        ws.send_frame(OP_PONG, b"nobody asked")
        ws.send_frame(OP_TEXT, b"still here")
        assert ws.recv_message() == (OP_TEXT, b"still here")


def test_close_handshake_raw(echo_server):
    with RawWebSocket.connect(echo_server.port) as ws:
        ws.send_close(1000, b"bye")
        code, _ = ws.expect_close()
        assert code == 1000
        ws.expect_eof()                 # and the server closes TCP


def test_close_handshake_websockets(echo_server):
    with wsclient.connect(echo_server.port) as ws:
        ws.send("one last message")
        assert ws.recv(timeout=10) == "one last message"
        ws.close(1000)
        assert ws.close_code == 1000    # the code the server sent back


def test_close_without_status_code(echo_server):
    with RawWebSocket.connect(echo_server.port) as ws:
        ws.send_close()                 # empty close payload is legal
        code, _ = ws.expect_close()
        assert code in (None, 1000)
        ws.expect_eof()


@pytest.mark.parametrize("code", [1000, 1001, 1003, 1007, 1011, 3000, 4999])
def test_valid_close_code_is_echoed(echo_server, code):
    with RawWebSocket.connect(echo_server.port) as ws:
        ws.send_close(code)
        received, _ = ws.expect_close()
        assert received == code
        ws.expect_eof()


# ------------------------------------------------------ protocol violations

def violation(*frames):
    """A scenario: the frames (already encoded) sent one after another."""
    return b"".join(frames)


F = rawws.build_frame

PROTOCOL_VIOLATIONS = {
    "unmasked-client-frame": violation(F(OP_TEXT, b"hello", mask=False)),
    "rsv1": violation(F(OP_TEXT, b"hello", rsv=4)),
    "rsv2": violation(F(OP_TEXT, b"hello", rsv=2)),
    "rsv3": violation(F(OP_BINARY, b"hello", rsv=1)),
    "rsv-on-ping": violation(F(OP_PING, b"x", rsv=4)),
    "reserved-opcode-3": violation(F(0x3, b"data")),
    "reserved-opcode-7": violation(F(0x7)),
    "reserved-opcode-B": violation(F(0xB, b"ctl")),
    "reserved-opcode-F": violation(F(0xF)),
    "fragmented-ping": violation(F(OP_PING, b"part", fin=False),
                                 F(OP_CONTINUATION, b"rest")),
    "ping-126-bytes": violation(F(OP_PING, b"p" * 126)),
    "close-126-bytes": violation(F(OP_CLOSE, close_payload(1000,
                                                           b"r" * 124))),
    "fragmented-close": violation(F(OP_CLOSE, close_payload(1000),
                                    fin=False)),
    "continuation-without-start": violation(F(OP_CONTINUATION, b"orphan")),
    "text-inside-fragmented-message": violation(
        F(OP_TEXT, b"start", fin=False), F(OP_TEXT, b"another start")),
    "binary-inside-fragmented-message": violation(
        F(OP_BINARY, b"start", fin=False), F(OP_BINARY, b"again")),
    "close-1-byte-payload": violation(F(OP_CLOSE, b"\x03")),
}

# Codes an endpoint must never receive: outside 1000-4999, the ones RFC 6455
# reserves for local use only (1004-1006, 1015), and unassigned ones below
# 3000.
INVALID_CLOSE_CODES = [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000,
                       65535]


@pytest.mark.parametrize("scenario", list(PROTOCOL_VIOLATIONS))
def test_protocol_violation_closes_with_1002(echo_server, scenario):
    with RawWebSocket.connect(echo_server.port) as ws:
        ws.send_raw(PROTOCOL_VIOLATIONS[scenario])
        code, _ = ws.expect_close()
        assert code == PROTOCOL_ERROR


@pytest.mark.parametrize("code", INVALID_CLOSE_CODES)
def test_invalid_close_code_closes_with_1002(echo_server, code):
    with RawWebSocket.connect(echo_server.port) as ws:
        ws.send_frame(OP_CLOSE, close_payload(code))
        received, _ = ws.expect_close()
        assert received == PROTOCOL_ERROR


INVALID_UTF8 = {
    "lone-continuation-byte": [b"abc\x80def"],
    "0xff": [b"\xff"],
    "overlong-slash": [b"\xc0\xaf"],
    "surrogate": [b"\xed\xa0\x80"],
    "above-u10ffff": [b"\xf4\x90\x80\x80"],
    "truncated-at-end": [b"ends in the middle \xe2\x82"],
    "split-across-fragments": [b"valid start \xce", b"\x28 bad end"],
    "invalid-in-last-fragment": [b"fine", b" also fine", b" \xfe nope"],
    "truncated-across-fragments": [b"x\xf0\x9f", b"\x98"],
}


@pytest.mark.parametrize("scenario", list(INVALID_UTF8))
def test_invalid_utf8_text_closes_with_1007(echo_server, scenario):
    parts = INVALID_UTF8[scenario]
    with RawWebSocket.connect(echo_server.port) as ws:
        for i, part in enumerate(parts):
            ws.send_frame(OP_TEXT if i == 0 else OP_CONTINUATION, part,
                          fin=(i == len(parts) - 1))
        code, _ = ws.expect_close()
        assert code == INVALID_PAYLOAD


def test_invalid_utf8_binary_is_fine(echo_server):
    # UTF-8 rules apply to text only: the same bytes as binary echo back.
    with RawWebSocket.connect(echo_server.port) as ws:
        ws.send_frame(OP_BINARY, b"\xff\xfe\xc0\xaf")
        assert ws.recv_message() == (OP_BINARY, b"\xff\xfe\xc0\xaf")


def test_invalid_utf8_close_reason_closes_with_1007(echo_server):
    with RawWebSocket.connect(echo_server.port) as ws:
        ws.send_frame(OP_CLOSE, close_payload(1000, b"bad \xff reason"))
        code, _ = ws.expect_close()
        assert code == INVALID_PAYLOAD


def test_server_survives_violations(echo_server):
    # A connection failed for a protocol error does not disturb others.
    with wsclient.connect(echo_server.port) as healthy:
        with RawWebSocket.connect(echo_server.port) as bad:
            bad.send_frame(OP_TEXT, b"x", mask=False)
            assert bad.expect_close()[0] == PROTOCOL_ERROR
        healthy.send("still served")
        assert healthy.recv(timeout=10) == "still served"


def test_websockets_client_sees_1002(echo_server):
    # Cross-check with the independent peer's own view of the close.
    with wsclient.connect(echo_server.port) as ws:
        ws.socket.sendall(rawws.build_frame(0x3, b"reserved"))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == PROTOCOL_ERROR
