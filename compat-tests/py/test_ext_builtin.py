"""The built-in extensions between our client and our server, and what
they put on the wire.

libwebsockets-test-ext runs on both ends with one of the library's
extensions (libwebsocket_get_internal_extensions(): permessage-deflate,
deflate-frame, x-webkit-deflate-frame) or none: messages of 0 bytes to
16 MiB, whole and fragmented (LWS_WRITE_NO_FIN + CONTINUATION), must come
back intact.  Raw clients then check the frames themselves (RSV1 where
the extension puts it, payloads that Python's zlib inflates to the
message) and that a peer may mix compressed and uncompressed messages,
or frames, as the extension allows.
"""

import os

import pytest

import extkit
import rawws
from extkit import TEST_EXT, Deflater, Inflater
from peers import run_scenario
from rawws import OP_BINARY, OP_CONTINUATION, OP_TEXT

EXTENSIONS = ["permessage-deflate", "deflate-frame", "x-webkit-deflate-frame",
              "none"]


@pytest.mark.parametrize("ext", EXTENSIONS)
@pytest.mark.parametrize("kind", ["text-whole", "binary-fragmented"])
def test_our_client_and_server(start_server, ext, kind):
    binary = kind.startswith("binary")
    client_frames, server_frames = ("3", "2") if binary else ("1", "1")
    server = start_server(TEST_EXT, "--ext", ext, "--fragments",
                          server_frames)
    args = ["--ext", ext, "--sizes", ",".join(map(str, extkit.SIZES)),
            "--fragments", client_frames]
    if binary:
        args.append("--binary")
    out = extkit.run_ext_client(server.port, *args)
    assert out.returncode == 0, out.explain()
    lines = out.stdout.splitlines()
    assert extkit.negotiated(lines) == ("" if ext == "none" else ext)
    messages = out.of("MESSAGE")
    assert [int(m["len"]) for m in messages] == extkit.SIZES
    assert all(m["ok"] == "1" for m in messages), out.stdout
    assert [m["crc"] for m in messages] == \
        [extkit.crc(extkit.pattern(i, n, binary))
         for i, n in enumerate(extkit.SIZES)]
    received = extkit.of(extkit.server_lines(server), "RECEIVED")
    assert [int(r["len"]) for r in received] == extkit.SIZES


def test_scenario_client_against_test_echo_with_the_library_extensions(
        echo_server):
    """test-client-scenario offers all built-ins; test-echo picks the
    first, deflate-frame (so a 3 MiB write goes out as 65535-byte frames);
    large fragmented messages round-trip."""
    out = run_scenario(echo_server.port, "--extensions", "--send", 3,
                       "--size", 3 << 20, "--fragments", 4, "--verify",
                       "--quiet")
    assert out.returncode == 0, out.explain()
    assert out.summary()["messages"] == 3


# ------------------------------------------------- what is on the wire

def test_permessage_deflate_frames_from_our_server(echo_server):
    """RSV1 on the first frame of each compressed message only, payloads
    raw DEFLATE without the 00 00 ff ff tail, context taken over from
    message to message (the second identical message is much smaller)."""
    data = extkit.json_like(16 << 10)
    with extkit.connect(echo_server.port, offer="permessage-deflate") as ws:
        assert ws.response.header("sec-websocket-extensions") == \
            "permessage-deflate"
        send = Deflater()
        receive = Inflater()
        sizes = []
        for _ in range(2):
            ws.send_frame(OP_TEXT, send.message(data), rsv=4)
            [frame] = extkit.recv_data_frames(ws)
            assert (frame.opcode, frame.rsv, frame.fin) == (OP_TEXT, 4, True)
            assert not frame.payload.endswith(extkit.TAIL)
            assert receive.message(frame.payload) == data
            sizes.append(len(frame.payload))
        assert sizes[0] < len(data) // 2
        assert sizes[1] < sizes[0] // 10


def test_permessage_deflate_fragmented_by_our_server(start_server):
    """test-ext's server echoes in 3 frames: RSV1 on the first only, and
    the concatenated payloads inflate to the message."""
    server = start_server(TEST_EXT, "--ext", "permessage-deflate",
                          "--fragments", "3")
    data = os.urandom(1000) * 30
    with extkit.connect(server.port, offer="permessage-deflate",
                        protocol="ext-test") as ws:
        ws.send_frame(OP_BINARY, Deflater().message(data), rsv=4)
        frames = extkit.recv_data_frames(ws)
        assert [(f.opcode, f.rsv) for f in frames] == \
            [(OP_BINARY, 4), (OP_CONTINUATION, 0), (OP_CONTINUATION, 0)]
        inflated = Inflater().message(b"".join(f.payload for f in frames))
        assert inflated == data


@pytest.mark.parametrize("name", ["deflate-frame", "x-webkit-deflate-frame"])
def test_deflate_frame_frames_from_our_server(start_server, name):
    """deflate-frame compresses every frame by itself, RSV1 on each."""
    server = start_server(TEST_EXT, "--ext", name, "--fragments", "3")
    data = b"deflate-frame " * 3000
    with extkit.connect(server.port, offer=name, protocol="ext-test") as ws:
        assert ws.response.header("sec-websocket-extensions") == name
        ws.send_frame(OP_TEXT, Deflater().message(data), rsv=4)
        frames = extkit.recv_data_frames(ws)
        assert [(f.opcode, f.rsv) for f in frames] == \
            [(OP_TEXT, 4), (OP_CONTINUATION, 4), (OP_CONTINUATION, 4)]
        receive = Inflater()
        assert b"".join(receive.message(f.payload) for f in frames) == data


# ------------------------------------- mixed compressed and uncompressed

def test_permessage_deflate_mixed_messages(echo_server):
    """RFC 7692 lets a sender leave any message uncompressed (RSV1 clear);
    the window still carries over the compressed ones around it.  Also a
    compressed message in three frames (RSV1 on the first only) and an
    uncompressed fragmented one."""
    first = b"the same words again and again, " * 100
    with extkit.connect(echo_server.port,
                        offer="permessage-deflate") as ws:
        send, receive = Deflater(), Inflater()

        def echo():
            frames = extkit.recv_data_frames(ws)
            payload = b"".join(f.payload for f in frames)
            return receive.message(payload) if frames[0].rsv & 4 \
                else payload

        ws.send_frame(OP_TEXT, send.message(first), rsv=4)
        assert echo() == first
        ws.send_frame(OP_TEXT, b"not compressed at all")
        assert echo() == b"not compressed at all"
        # Refers back to `first` through the shared window.
        third = first[:500] + b"and something new"
        compressed = send.message(third)
        assert len(compressed) < 60
        ws.send_frame(OP_TEXT, compressed, rsv=4)
        assert echo() == third
        fourth = b"fragmented and compressed " * 400
        parts = send.fragments(fourth, 3)
        ws.send_frame(OP_TEXT, parts[0], rsv=4, fin=False)
        ws.send_frame(OP_CONTINUATION, parts[1], fin=False)
        ws.send_frame(OP_CONTINUATION, parts[2])
        assert echo() == fourth
        ws.send_frame(OP_BINARY, b"\x00\x01", fin=False)
        ws.send_frame(OP_CONTINUATION, b"\x02\x03")
        assert echo() == b"\x00\x01\x02\x03"
        ws.send_frame(OP_TEXT, b"", rsv=4)        # empty, "compressed"
        assert echo() == b""
        ws.send_frame(OP_TEXT, send.message(b""), rsv=4)
        assert echo() == b""
        ws.send_close(1000)
        assert ws.expect_close()[0] == 1000


def test_deflate_frame_mixed_frames(start_server):
    """deflate-frame flags each frame: one message may mix compressed and
    plain frames."""
    server = start_server(TEST_EXT, "--ext", "deflate-frame")
    with extkit.connect(server.port, offer="deflate-frame",
                        protocol="ext-test") as ws:
        send = Deflater()
        ws.send_frame(OP_TEXT, send.message(b"one " * 100), rsv=4, fin=False)
        ws.send_frame(OP_CONTINUATION, b"two ", fin=False)
        ws.send_frame(OP_CONTINUATION, send.message(b"three " * 50), rsv=4)
        frames = extkit.recv_data_frames(ws)
        receive = Inflater()
        echoed = b"".join(receive.message(f.payload) if f.rsv & 4
                          else f.payload for f in frames)
        assert echoed == b"one " * 100 + b"two " + b"three " * 50


# ------------------------------------------------ rx_buffer_size chunks

def test_inflated_data_comes_in_rx_buffer_pieces(echo_server):
    """Inflated permessage-deflate data reaches the callback in pieces of
    at most rx_buffer_size, the last one flagged final; a message that inflates to
    an exact multiple of it ends with a full final piece, not an empty
    extra one (as uncompressed)."""
    for size, pieces in ((4096, [4096]), (8192, [4096, 4096]),
                         (10000, [4096, 4096, 1808])):
        out = run_scenario(echo_server.port, "--extension", "permessage-deflate", "--pieces",
                           "--size", size, "--send", 1, "--rx-buffer",
                           4096, "--verify")
        assert out.returncode == 0, out.explain()
        received = out.of("RECEIVE")
        assert [int(r["len"]) for r in received] == pieces, out.stdout
        assert [r["final"] for r in received] == \
            ["0"] * (len(pieces) - 1) + ["1"]
        assert received[-1]["remaining"] == "0"
    out = run_scenario(echo_server.port, "--extension", "permessage-deflate", "--pieces",
                       "--size", 100000, "--send", 1, "--rx-buffer", 1000,
                       "--verify")
    assert out.returncode == 0, out.explain()
    lengths = [int(r["len"]) for r in out.of("RECEIVE")]
    assert sum(lengths) == 100000 and max(lengths) == 1000
