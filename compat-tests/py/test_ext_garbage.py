"""Compressed garbage, inflate bombs and misplaced RSV bits.

Frames are built by hand (rawws, Python zlib: raw DEFLATE, the 00 00 ff ff
tail cut off) and sent to test-echo, test-server or, for the client side,
from a raw server to libwebsockets-test-ext --client.  Expected:

  data zlib cannot inflate            close 1007 (RFC 7692 8.2.3.x: fail)
  a message inflating past 64 MiB     close 1009, memory stays bounded
  RSV1 on a control frame             close 1002
  RSV1 on a continuation frame        close 1002 (permessage-deflate)
  RSV1 with no extension negotiated   close 1002
  RSV2 / RSV3                         close 1002
  compressed text, invalid UTF-8      close 1007
"""

import zlib

import threading

import pytest

import extkit
import rawws
from extkit import TEST_EXT, Deflater, Inflater, deflate_bomb
from peers import raw_server
from rawws import (OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_TEXT)

PMD = "permessage-deflate"
LIMIT = 64 << 20
INVALID_DATA = (1007, 1002)
# Inflating a bomb's 64 MiB takes about 14 s in a Debug (-Onone) build on a
# loaded machine: this bound only catches a hang.
BOMB_TIMEOUT = 120


def expect_failure(ws, codes, timeout=rawws.DEFAULT_TIMEOUT):
    code, _ = ws.expect_close(timeout)
    assert code in codes if isinstance(codes, tuple) else code == codes
    ws.expect_eof()


def vm_hwm_kib(pid):
    """Peak resident memory of a process (VmHWM), KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


# ------------------------------------------------------- invalid DEFLATE

def _cut_short():
    data = extkit.json_like(8000)
    return Deflater().message(data)[:1000]


def _needs_earlier_context():
    """Message 2 of a stream with context takeover, sent alone: it refers
    back into a window this connection never had."""
    d = Deflater()
    first = extkit.json_like(4000)
    d.message(first)
    return d.message(first[:3000])


@pytest.mark.parametrize("payload", [
    b"\xff" * 16,                       # BTYPE 11: reserved block type
    b"\x00\x05\x00\x00\x00hello",       # stored block, NLEN != ~LEN
    b"\x02" + bytes(range(40)),         # fixed codes, then a bad distance
], ids=["reserved-block-type", "stored-length-mismatch", "junk"])
def test_invalid_deflate_data(echo_server, payload):
    with extkit.connect(echo_server.port, offer=PMD) as ws:
        ws.send_frame(OP_BINARY, payload, rsv=4)
        expect_failure(ws, INVALID_DATA)


def test_message_ending_inside_a_block(echo_server):
    with extkit.connect(echo_server.port, offer=PMD) as ws:
        ws.send_frame(OP_TEXT, _cut_short(), rsv=4)
        expect_failure(ws, INVALID_DATA)


def test_reference_to_a_window_never_sent(echo_server):
    with extkit.connect(echo_server.port, offer=PMD) as ws:
        ws.send_frame(OP_TEXT, _needs_earlier_context(), rsv=4)
        expect_failure(ws, INVALID_DATA)


def test_client_no_context_takeover_round_trips(echo_server):
    """The counterpart of the case above: with client_no_context_takeover
    agreed, the client resets its window per message, and the server
    inflates each message by itself."""
    offer = f"{PMD}; client_no_context_takeover"
    data = extkit.json_like(4000)
    with extkit.connect(echo_server.port, offer=offer) as ws:
        d = Deflater(no_context_takeover=True)
        receive = Inflater()
        for _ in range(3):
            ws.send_frame(OP_TEXT, d.message(data), rsv=4)
            [frame] = extkit.recv_data_frames(ws)
            assert receive.message(frame.payload) == data


def test_invalid_deflate_frame_data(start_server):
    server = start_server(TEST_EXT, "--ext", "deflate-frame")
    with extkit.connect(server.port, offer="deflate-frame",
                        protocol="ext-test") as ws:
        ws.send_frame(OP_BINARY, b"\xff" * 16, rsv=4)
        expect_failure(ws, INVALID_DATA)


# ----------------------------------------------------------------- bombs

@pytest.fixture(scope="module")
def bomb():
    """200 MiB of zeros, compressed to about 200 KB."""
    data = deflate_bomb(200 << 20)
    assert len(data) < 300_000
    return data


def test_inflate_bomb_closes_1009_with_bounded_memory(test_server, bomb):
    """On the dumb-increment protocol, which keeps nothing it receives, so
    any growth would be the library's own: it must not hold the inflated
    message (64 MiB before it gives up), only pieces of rx_buffer_size."""
    pid = test_server.proc.pid
    with extkit.connect(test_server.port, offer=PMD,
                        protocol="dumb-increment-protocol") as ws:
        before = vm_hwm_kib(pid)
        ws.send_frame(OP_BINARY, bomb, rsv=4)
        expect_failure(ws, 1009, BOMB_TIMEOUT)
    grown = vm_hwm_kib(pid) - before
    print(f"inflate bomb: server peak RSS grew by {grown} KiB")
    assert grown < 16 * 1024, f"peak RSS grew by {grown} KiB"
    assert test_server.alive()


def test_fragmented_inflate_bomb(echo_server, bomb):
    third = len(bomb) // 3
    parts = [bomb[:third], bomb[third:2 * third], bomb[2 * third:]]
    with extkit.connect(echo_server.port, offer=PMD) as ws:
        ws.send_frame(OP_BINARY, parts[0], rsv=4, fin=False)
        ws.send_frame(OP_CONTINUATION, parts[1], fin=False)
        ws.send_frame(OP_CONTINUATION, parts[2])
        expect_failure(ws, 1009, BOMB_TIMEOUT)


def test_deflate_frame_bomb(start_server, bomb):
    server = start_server(TEST_EXT, "--ext", "deflate-frame")
    with extkit.connect(server.port, offer="deflate-frame",
                        protocol="ext-test") as ws:
        ws.send_frame(OP_BINARY, bomb, rsv=4)
        expect_failure(ws, 1009, BOMB_TIMEOUT)


def test_limit_is_64_mib_exactly(echo_server):
    """A message inflating to exactly 64 MiB is fine (test-echo sends it
    back, compressed); one byte more is not."""
    with extkit.connect(echo_server.port, offer=PMD,
                        timeout=30) as ws:
        ws.send_frame(OP_BINARY, deflate_bomb(LIMIT), rsv=4)
        [frame] = extkit.recv_data_frames(ws, timeout=30)
        assert frame.rsv == 4 and len(frame.payload) < 200_000
        inflated = Inflater().message(frame.payload, limit=LIMIT + 1)
        assert len(inflated) == LIMIT and not inflated.strip(b"\0")
    with extkit.connect(echo_server.port, offer=PMD) as ws:
        z = zlib.compressobj(9, zlib.DEFLATED, -15)
        payload = b"".join(z.compress(bytes(1 << 20)) for _ in range(64))
        payload += z.compress(b"\0") + z.flush(zlib.Z_SYNC_FLUSH)
        ws.send_frame(OP_BINARY, payload[:-4], rsv=4)
        expect_failure(ws, 1009)


# -------------------------------------------------------------- RSV bits

def test_rsv1_on_a_ping(echo_server):
    with extkit.connect(echo_server.port, offer=PMD) as ws:
        ws.send_frame(OP_PING, b"x", rsv=4)
        expect_failure(ws, 1002)


def test_rsv1_on_a_close(echo_server):
    with extkit.connect(echo_server.port, offer=PMD) as ws:
        ws.send_frame(OP_CLOSE, rawws.close_payload(1000), rsv=4)
        expect_failure(ws, 1002)


def test_rsv1_on_a_ping_under_deflate_frame(start_server):
    server = start_server(TEST_EXT, "--ext", "deflate-frame")
    with extkit.connect(server.port, offer="deflate-frame",
                        protocol="ext-test") as ws:
        ws.send_frame(OP_PING, b"", rsv=4)
        expect_failure(ws, 1002)


@pytest.mark.parametrize("first_rsv", [4, 0], ids=["compressed-start",
                                                   "plain-start"])
def test_rsv1_on_a_continuation(echo_server, first_rsv):
    d = Deflater()
    parts = d.fragments(b"x" * 3000, 2)
    with extkit.connect(echo_server.port, offer=PMD) as ws:
        ws.send_frame(OP_TEXT, parts[0] if first_rsv else b"plain",
                      rsv=first_rsv, fin=False)
        ws.send_frame(OP_CONTINUATION, parts[1], rsv=4)
        expect_failure(ws, 1002)


@pytest.mark.parametrize("offer", [None, f"{PMD}; mystery"],
                         ids=["not-offered", "declined"])
def test_rsv1_without_an_extension(echo_server, offer):
    with extkit.connect(echo_server.port, offer=offer) as ws:
        assert ws.response.header("sec-websocket-extensions") is None
        ws.send_frame(OP_TEXT, Deflater().message(b"hello"), rsv=4)
        expect_failure(ws, 1002)


@pytest.mark.parametrize("rsv", [2, 1, 6], ids=["rsv2", "rsv3", "rsv1+2"])
def test_other_rsv_bits_under_permessage_deflate(echo_server, rsv):
    with extkit.connect(echo_server.port, offer=PMD) as ws:
        ws.send_frame(OP_TEXT, Deflater().message(b"hello"), rsv=rsv)
        expect_failure(ws, 1002)


# ------------------------------------------------------ UTF-8 after inflate

@pytest.mark.parametrize("text", [
    b"valid until here \xff then not",
    b"a" * 5000 + b"\xed\xa0\x80",      # a surrogate, after a full piece
    b"ends inside a sequence \xe2\x82",
], ids=["bad-byte", "surrogate", "truncated-sequence"])
def test_compressed_text_with_invalid_utf8(echo_server, text):
    with extkit.connect(echo_server.port, offer=PMD) as ws:
        ws.send_frame(OP_TEXT, Deflater().message(text), rsv=4)
        expect_failure(ws, 1007)


def test_compressed_text_split_inside_a_character(echo_server):
    """A multi-byte character across an rx_buffer_size piece boundary (the
    default 4096) and across frames is still valid."""
    text = ("a" * 4095 + "é" + "€" * 1000).encode()
    d = Deflater()
    with extkit.connect(echo_server.port, offer=PMD) as ws:
        ws.send_frame(OP_TEXT, d.message(text), rsv=4)
        [frame] = extkit.recv_data_frames(ws)
        receive = Inflater()
        assert receive.message(frame.payload) == text
        parts = d.fragments(text, 3)
        ws.send_frame(OP_TEXT, parts[0], rsv=4, fin=False)
        ws.send_frame(OP_CONTINUATION, parts[1], fin=False)
        ws.send_frame(OP_CONTINUATION, parts[2])
        [frame] = extkit.recv_data_frames(ws)
        assert receive.message(frame.payload) == text


# ----------------------------------------------------- our client's side

def _pmd_server(send, closes):
    """A raw server that accepts permessage-deflate, waits for the client's
    first message, sends `send` (raw frame bytes) and records the code of
    the close frame the client answers with."""

    def handler(peer):
        request = peer.read_request()
        peer.send(peer.accept_101(request, extra=[
            "Sec-WebSocket-Protocol: ext-test",
            f"Sec-WebSocket-Extensions: {PMD}"]))
        peer.recv_frame(10)

        # Sent from a thread while this one reads: a client that refuses
        # the data (a bomb) closes before all of it has gone out, and its
        # close frame must be read as soon as it arrives, before the
        # client's process exits and resets the connection.
        def push():
            try:
                peer.send(send)
            except (BrokenPipeError, ConnectionResetError):
                pass
        sender = threading.Thread(target=push, daemon=True)
        sender.start()
        while True:
            try:
                frame = peer.recv_frame(10)
            except EOFError:
                break
            if frame.opcode == OP_CLOSE:
                closes.append(frame.close_code())
                try:
                    peer.send(rawws.build_frame(OP_CLOSE, frame.payload,
                                                mask=False))
                    peer.wait_eof(10)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client may already be gone: the code is in
                break
        sender.join(10)

    return handler


@pytest.mark.parametrize("frame,code", [
    (rawws.build_frame(OP_BINARY, b"\xff" * 8, rsv=4, mask=False), 1007),
    (rawws.build_frame(OP_PING, b"", rsv=4, mask=False), 1002),
    (rawws.build_frame(OP_TEXT, Deflater().message(b"\xc3\x28"), rsv=4,
                       mask=False), 1007),
    (rawws.build_frame(OP_TEXT, b"a", rsv=2, mask=False), 1002),
], ids=["invalid-data", "rsv1-ping", "invalid-utf8", "rsv2"])
def test_our_client_fails_bad_compressed_input(frame, code):
    closes = []
    with raw_server(_pmd_server(frame, closes)) as server:
        out = extkit.run_ext_client(server.port, "--ext", PMD, "--sizes",
                                    "10")
    assert out.returncode == 2, out.explain()
    assert closes == [code]


def test_our_client_survives_an_inflate_bomb(bomb):
    closes = []
    frame = rawws.build_frame(OP_BINARY, bomb, rsv=4, mask=False)
    with raw_server(_pmd_server(frame, closes)) as server:
        out = extkit.run_ext_client(server.port, "--ext", PMD, "--sizes",
                                    "10")
    assert out.returncode == 2, out.explain()
    assert closes == [1009]
    assert not out.of("MESSAGE")
