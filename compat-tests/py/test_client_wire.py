"""What the library's client puts on the wire, read byte by byte by a raw
server (peers.RawServer), and the answers it must accept although they are
not written the way the websockets package would write them.
"""

import base64
import threading

import pytest

import rawws
from peers import pattern, raw_server, run_scenario
from rawws import OP_CLOSE, OP_CONTINUATION, OP_PING, OP_PONG, OP_TEXT


def unmasked(opcode, payload=b"", **kw):
    return rawws.build_frame(opcode, payload, mask=False, **kw)


def test_opening_handshake_request():
    seen = []

    def handler(peer):
        request = peer.read_request()
        seen.append(request)
        peer.send(peer.accept_101(
            request, extra=["Sec-WebSocket-Protocol: beta"]))
        peer.wait_eof(10)

    with raw_server(handler) as server:
        out = run_scenario(server.port, "--protocols", "alpha,beta",
                           "--path", "/chat?room=1", "--origin",
                           "http://example.test", "--close-after", 0)
    assert out.returncode == 0, out.explain()
    request = seen[0]
    assert request.request_line == "GET /chat?room=1 HTTP/1.1"
    assert request.header("upgrade").lower() == "websocket"
    assert "upgrade" in request.header("connection").lower()
    assert request.header("sec-websocket-version") == "13"
    assert request.header("host") == f"127.0.0.1:{server.port}"
    assert request.header("origin") == "http://example.test"
    assert request.header("sec-websocket-protocol") == "alpha,beta"
    assert len(base64.b64decode(request.key(), validate=True)) == 16
    assert out.of("ESTABLISHED")[0]["protocol"] == "beta"


def test_fresh_key_per_connection():
    keys = []
    lock = threading.Lock()

    def handler(peer):
        request = peer.read_request()
        with lock:
            keys.append(request.key())
        peer.send(peer.accept_101(request))
        peer.wait_eof(10)

    with raw_server(handler) as server:
        out = run_scenario(server.port, "--connections", 30,
                           "--close-after", 0, "--quiet")
    assert out.returncode == 0, out.explain()
    assert len(keys) == 30 and len(set(keys)) == 30
    assert all(len(base64.b64decode(k, validate=True)) == 16 for k in keys)


def test_every_frame_masked_with_a_fresh_key():
    frames = []

    def handler(peer):
        request = peer.read_request()
        peer.send(peer.accept_101(request))
        while True:
            frame = peer.recv_frame(10)
            frames.append(frame)
            if frame.opcode == OP_PING:
                peer.send(unmasked(OP_PONG, frame.payload))
            if frame.opcode == OP_CLOSE:
                break
        peer.send(unmasked(OP_CLOSE, frame.payload))
        peer.wait_eof(10)

    with raw_server(handler) as server:
        out = run_scenario(server.port, "--ping", 5, "--send", 20,
                           "--size", 300, "--fragments", 3,
                           "--close-after", 0)
    assert out.returncode == 0, out.explain()
    pings = [f for f in frames if f.opcode == OP_PING]
    data = [f for f in frames if f.opcode != OP_PING]
    assert len(pings) == 5 and len(data) == 20 * 3 + 1
    assert all(f.masked and len(f.mask_key) == 4 for f in frames)
    keys = [f.mask_key for f in frames]
    assert len(set(keys)) == len(keys), "a mask key was reused"
    # The fragments: TEXT no-FIN, CONTINUATION no-FIN, CONTINUATION FIN.
    for k in range(20):
        three = data[3 * k:3 * k + 3]
        assert [(f.opcode, f.fin) for f in three] == \
            [(OP_TEXT, False), (OP_CONTINUATION, False),
             (OP_CONTINUATION, True)]
        assert b"".join(f.payload for f in three) == \
            pattern(0, k, 300, False)
    assert data[-1].opcode == OP_CLOSE and data[-1].close_code() == 1000


VALID_ANSWERS = [
    # (case, 101 head lines after the status line)
    ("Upgrade: WebSocket (case)", ["Upgrade: WebSocket",
                                   "Connection: Upgrade"]),
    ("Connection: keep-alive, Upgrade", ["Upgrade: websocket",
                                         "Connection: keep-alive, Upgrade"]),
    ("header names in odd case", ["UPGRADE: websocket",
                                  "connection: upgrade"]),
]


@pytest.mark.parametrize("case,lines", VALID_ANSWERS,
                         ids=[c[0] for c in VALID_ANSWERS])
def test_valid_answer_variants(case, lines):
    def handler(peer):
        request = peer.read_request()
        head = ["HTTP/1.1 101 Switching Protocols"] + lines + \
            ["sec-websocket-accept:   " + rawws.accept_for(request.key()) +
             "  "]
        peer.send(("\r\n".join(head) + "\r\n\r\n").encode())
        peer.wait_eof(10)

    with raw_server(handler) as server:
        out = run_scenario(server.port, "--close-after", 0)
    assert out.returncode == 0, out.explain()
    assert out.kinds().count("ESTABLISHED") == 1


LINE_END_ANSWERS = [
    # (case, the line end after the status line and each of the three
    # header lines, the blank line)
    ("bare LF", ["\n"] * 4, "\n"),
    ("bare LF lines, CRLF blank line", ["\n"] * 4, "\r\n"),
    ("stray LF before a CRLF mid head", ["\r\n", "\n\r\n", "\r\n", "\r\n"],
     "\r\n"),
]


@pytest.mark.parametrize("case,ends,blank", LINE_END_ANSWERS,
                         ids=[c[0] for c in LINE_END_ANSWERS])
def test_answer_line_ends(case, ends, blank):
    """RFC 7230 section 3.5 lets a recipient take a bare LF for a line end;
    a stray LF before a CRLF is how 1.4 peers wrote a header value that
    ended in "\n"."""
    def handler(peer):
        request = peer.read_request()
        lines = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket",
                 "Connection: Upgrade",
                 "Sec-WebSocket-Accept: " + rawws.accept_for(request.key())]
        head = "".join(line + end for line, end in zip(lines, ends)) + blank
        peer.send(head.encode())
        peer.wait_eof(10)

    with raw_server(handler) as server:
        out = run_scenario(server.port, "--close-after", 0)
    assert out.returncode == 0, out.explain()
    assert out.kinds().count("ESTABLISHED") == 1


def test_status_line_without_reason_phrase():
    def handler(peer):
        request = peer.read_request()
        answer = peer.accept_101(request).replace(
            b"101 Switching Protocols", b"101")
        peer.send(answer)
        peer.wait_eof(10)

    with raw_server(handler) as server:
        out = run_scenario(server.port, "--close-after", 0)
    assert out.returncode == 0, out.explain()


def test_ping_inside_a_fragmented_message():
    """Control frames may come between the fragments of a message: the
    ping is answered at once, the message still reassembles."""
    got = {}

    def handler(peer):
        request = peer.read_request()
        whole = pattern(0, 0, 30, False)
        peer.send(peer.accept_101(request) +
                  unmasked(OP_TEXT, whole[:10], fin=False) +
                  unmasked(OP_PING, b"between") +
                  unmasked(OP_CONTINUATION, whole[10:20], fin=False) +
                  unmasked(OP_CONTINUATION, whole[20:]))
        frame = peer.recv_frame(10)
        got["pong"] = (frame.opcode, frame.payload)
        got["close"] = peer.recv_frame(10).close_code()
        peer.send(unmasked(OP_CLOSE, rawws.close_payload(1000)))
        peer.wait_eof(10)

    with raw_server(handler) as server:
        out = run_scenario(server.port, "--close-after", 1, "--verify")
    assert out.returncode == 0, out.explain()
    assert [m["ok"] for m in out.of("MESSAGE")] == ["1"]
    assert got["pong"] == (OP_PONG, b"between")
    assert got["close"] == 1000


def test_empty_messages():
    def handler(peer):
        request = peer.read_request()
        peer.send(peer.accept_101(request) + unmasked(OP_TEXT) +
                  unmasked(0x2))
        peer.wait_eof(10)

    with raw_server(handler) as server:
        out = run_scenario(server.port, "--close-after", 2)
    assert out.returncode == 0, out.explain()
    assert [(m["len"], m["binary"]) for m in out.of("MESSAGE")] == \
        [("0", "0"), ("0", "1")]


@pytest.mark.parametrize("code", [1000, 1001, 3000, 4999])
def test_close_right_behind_the_101(code):
    """A close frame in the same segment as the 101: the client is
    established, then answers with the same code."""
    got = {}

    def handler(peer):
        request = peer.read_request()
        peer.send(peer.accept_101(request) +
                  unmasked(OP_CLOSE, rawws.close_payload(code, "bye")))
        frame = peer.recv_frame(10)
        got["reply"] = (frame.opcode, frame.close_code())
        got["eof"] = peer.wait_eof(10)

    with raw_server(handler) as server:
        out = run_scenario(server.port, "--close-after", -1)
    assert out.kinds().count("CLOSED") == 1, out.explain()
    assert got["reply"] == (OP_CLOSE, code)
    assert got["eof"]


def test_large_frame_from_raw_server_in_pieces():
    """A 1 MiB frame sent in 7-byte writes arrives whole."""
    whole = pattern(0, 0, 1 << 20, True)

    def handler(peer):
        request = peer.read_request()
        data = peer.accept_101(request) + unmasked(0x2, whole)
        for at in range(0, 2002, 7):
            peer.send(data[at:at + 7])
        peer.send(data[2002:])
        peer.wait_eof(20)

    with raw_server(handler) as server:
        out = run_scenario(server.port, "--close-after", 1, "--verify")
    assert out.returncode == 0, out.explain()
    assert [(m["len"], m["ok"]) for m in out.of("MESSAGE")] == \
        [(str(1 << 20), "1")]
