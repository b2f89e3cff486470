"""Negotiation corners and framing details of the compression extensions.

Server side (test-echo, test-ext): only one extension may own RSV1, so of
permessage-deflate and deflate-frame offered together the first wins;
control frames may come between the fragments of a compressed message;
the last fragment of a message may be empty.

Client side (libwebsockets-test-ext --client against a raw server): the
answer is checked against RFC 7692 section 7.1 (an invalid one fails the
connection), the window and context-takeover limits the server sets are
honoured by what the client compresses.
"""

import zlib

import pytest

import extkit
import rawws
from extkit import Deflater, Inflater
from peers import raw_server
from rawws import OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_PONG

PMD = "permessage-deflate"


# ----------------------------------------------------------- server side

@pytest.mark.parametrize("offer,expected", [
    ("permessage-deflate, deflate-frame", "permessage-deflate"),
    ("deflate-frame, permessage-deflate", "deflate-frame"),
    ("x-webkit-deflate-frame, deflate-frame, permessage-deflate",
     "x-webkit-deflate-frame"),
])
def test_one_rsv1_extension_only(echo_server, offer, expected):
    with extkit.connect(echo_server.port, offer=offer) as ws:
        assert ws.response.header("sec-websocket-extensions") == expected
        data = b"only one compressor " * 50
        ws.send_frame(OP_BINARY, Deflater().message(data), rsv=4)
        frames = extkit.recv_data_frames(ws)
        assert Inflater().message(b"".join(f.payload for f in frames)) \
            == data


def test_ping_between_compressed_fragments(echo_server):
    data = extkit.json_like(6000)
    parts = Deflater().fragments(data, 2)
    with extkit.connect(echo_server.port, offer=PMD) as ws:
        ws.send_frame(OP_BINARY, parts[0], rsv=4, fin=False)
        ws.send_frame(OP_PING, b"in the middle")
        ws.send_frame(OP_CONTINUATION, parts[1])
        pong = ws.recv_frame()
        assert (pong.opcode, pong.rsv, pong.payload) == \
            (OP_PONG, 0, b"in the middle")
        [frame] = extkit.recv_data_frames(ws)
        assert Inflater().message(frame.payload) == data


def test_empty_last_fragment(echo_server):
    """Everything in the first frame (sync-flushed), then a final frame
    whose payload is empty once its 00 00 ff ff is cut off."""
    data = b"all in the first frame " * 40
    z = zlib.compressobj(6, zlib.DEFLATED, -15)
    first = z.compress(data) + z.flush(zlib.Z_SYNC_FLUSH)
    with extkit.connect(echo_server.port, offer=PMD) as ws:
        ws.send_frame(OP_BINARY, first, rsv=4, fin=False)
        ws.send_frame(OP_CONTINUATION, b"")
        [frame] = extkit.recv_data_frames(ws)
        receive = Inflater()
        assert receive.message(frame.payload) == data
        # The window goes on with the next message.
        last = z.compress(data) + z.flush(zlib.Z_SYNC_FLUSH)
        ws.send_frame(OP_BINARY, last[:-4], rsv=4)
        [frame] = extkit.recv_data_frames(ws)
        assert receive.message(frame.payload) == data


def test_message_ending_with_a_final_block(echo_server):
    """RFC 7692 7.2.3.4: a sender may end a message with BFINAL set (a
    complete DEFLATE stream) instead of a sync flush; the next message
    then starts a new stream."""
    data = b"a complete stream " * 30
    with extkit.connect(echo_server.port, offer=PMD) as ws:
        receive = Inflater()
        for _ in range(2):
            z = zlib.compressobj(6, zlib.DEFLATED, -15)
            ws.send_frame(OP_BINARY, z.compress(data) + z.flush(), rsv=4)
            [frame] = extkit.recv_data_frames(ws)
            assert receive.message(frame.payload) == data


def test_deflate_frame_parameters_limit_the_server(start_server):
    """deflate-frame's no_context_takeover and max_window_bits in the
    client's offer bind the server's compressor: each frame it sends
    inflates alone, with the smaller window."""
    server = start_server(extkit.TEST_EXT, "--ext", "deflate-frame",
                          "--fragments", "3")
    data = bytes(range(256)) * 4 + extkit.json_like(9000)
    offer = "deflate-frame; no_context_takeover; max_window_bits=10"
    with extkit.connect(server.port, offer=offer, protocol="ext-test") as ws:
        assert ws.response.header("sec-websocket-extensions") == \
            "deflate-frame"
        for _ in range(2):
            ws.send_frame(OP_BINARY, data)
            frames = extkit.recv_data_frames(ws)
            assert all(f.rsv == 4 for f in frames)
            assert b"".join(Inflater(wbits=10).message(f.payload)
                            for f in frames) == data


@pytest.mark.parametrize("offer", [
    "deflate-frame; max_window_bits=7",
    "deflate-frame; max_window_bits",
    "deflate-frame; no_context_takeover=1",
    "deflate-frame; mystery",
])
def test_invalid_deflate_frame_offer_is_declined(start_server, offer):
    server = start_server(extkit.TEST_EXT, "--ext", "deflate-frame")
    with extkit.connect(server.port, offer=offer, protocol="ext-test") as ws:
        assert ws.response.header("sec-websocket-extensions") is None


# ----------------------------------------------------------- client side

def _answering(answer, handler=None):
    """A raw server whose 101 answers Sec-WebSocket-Extensions: answer;
    then handler(peer), or echo until the close."""

    def serve(peer):
        request = peer.read_request()
        serve.offer = request.header("sec-websocket-extensions")
        peer.send(peer.accept_101(request, extra=[
            "Sec-WebSocket-Protocol: ext-test",
            f"Sec-WebSocket-Extensions: {answer}"]))
        if handler:
            handler(peer)
        peer.wait_eof(10)

    serve.offer = None
    return serve


@pytest.mark.parametrize("answer", [
    "permessage-deflate; server_max_window_bits=7",
    "permessage-deflate; server_max_window_bits=16",
    "permessage-deflate; client_max_window_bits",      # needs a value
    "permessage-deflate; client_max_window_bits=7",
    "permessage-deflate; mystery",
    "permessage-deflate; server_no_context_takeover; "
    "server_no_context_takeover",
    "permessage-deflate, permessage-deflate",
    "permessage-deflate, deflate-frame",               # two RSV1 owners
    "x-unknown",
])
def test_our_client_fails_an_invalid_answer(answer):
    server_handler = _answering(answer)
    with raw_server(server_handler) as server:
        out = extkit.run_ext_client(server.port, "--ext",
                                    f"{PMD},deflate-frame", "--sizes", "1")
    assert out.returncode == 1, out.explain()
    assert out.of("CONNECTION_ERROR"), out.stdout
    assert not out.of("MESSAGE")


def _collect_and_answer(received, send_back):
    """Handler: read the client's messages (one per `send_back` entry),
    record (rsv, payload) of their frames, answer each with the frame
    bytes in send_back."""

    def handler(peer):
        for reply in send_back:
            frames = []
            while True:
                frame = peer.recv_frame(10)
                frames.append(frame)
                if frame.fin:
                    break
            received.append(frames)
            peer.send(reply)
        frame = peer.recv_frame(10)
        assert frame.opcode == OP_CLOSE
        peer.send(rawws.build_frame(OP_CLOSE, frame.payload, mask=False))

    return handler


def test_our_client_honours_the_servers_limits():
    """client_max_window_bits=9 and client_no_context_takeover from the
    server: each message the client sends inflates alone, with a 512-byte
    window; the server's own 10-bit window is taken as announced."""
    sizes = [3000, 3000, 5000]
    received = []
    send = Deflater(wbits=10)
    replies = [rawws.build_frame(OP_BINARY, send.message(
        extkit.pattern(i, n, True)), rsv=4, mask=False)
        for i, n in enumerate(sizes)]
    answer = (f"{PMD}; client_no_context_takeover; client_max_window_bits=9;"
              f" server_max_window_bits=10")
    handler = _answering(answer, _collect_and_answer(received, replies))
    with raw_server(handler) as server:
        out = extkit.run_ext_client(server.port, "--ext", PMD, "--sizes",
                                    ",".join(map(str, sizes)), "--binary")
    assert out.returncode == 0, out.explain()
    assert handler.offer == f"{PMD}; client_max_window_bits"
    assert extkit.negotiated(out.stdout.splitlines()) == answer
    assert [m["ok"] for m in out.of("MESSAGE")] == ["1"] * 3
    for i, frames in enumerate(received):
        assert [f.rsv for f in frames] == [4]
        fresh = Inflater(wbits=9)
        assert fresh.message(frames[0].payload) == \
            extkit.pattern(i, sizes[i], True)


def test_our_client_uses_context_takeover_when_allowed():
    """Without client_no_context_takeover the client keeps its window:
    a message repeating the previous one compresses to a few bytes."""
    received = []
    sizes = [2000, 2000]
    replies = [rawws.build_frame(OP_BINARY, extkit.pattern(i, n, True),
                                 mask=False) for i, n in enumerate(sizes)]
    handler = _answering(PMD, _collect_and_answer(received, replies))
    with raw_server(handler) as server:
        out = extkit.run_ext_client(server.port, "--ext", PMD, "--sizes",
                                    "2000,2000", "--binary")
    assert out.returncode == 0, out.explain()
    receive = Inflater()
    payloads = [receive.message(frames[0].payload) for frames in received]
    assert payloads == [extkit.pattern(i, n, True)
                        for i, n in enumerate(sizes)]
    # Uncompressed replies (RSV1 clear) were accepted as they were.
    assert [m["ok"] for m in out.of("MESSAGE")] == ["1", "1"]
