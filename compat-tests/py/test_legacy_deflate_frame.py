"""deflate-frame as 1.4 programs see it.

1.4 inflated each deflate-frame frame into one buffer and handed it to
RECEIVE whole, whatever rx_buffer_size said, with
libwebsocket_is_final_fragment() giving that frame's FIN; 1.4's mirror
page relies on a message arriving in one piece.  We do the same up to
64 KiB of inflated data (1.4 failed the connection beyond that), and hand
larger frames over in 64 KiB pieces, so a small compressed frame can never
make us allocate without limit.  permessage-deflate keeps its
rx_buffer_size pieces (test_ext_builtin.py).
"""

import pytest

from extkit import Deflater, Inflater
from peers import RawServer, run_scenario
from rawws import OP_CLOSE, build_frame


def deflate_frame_echo(peer):
    """Accepts deflate-frame, then echoes every data frame's inflated
    payload back as ONE compressed frame (RSV1), as a 1.4 server's echo
    of an unfragmented message looks on the wire."""
    request = peer.read_request()
    if request is None:
        return
    offered = request.header("sec-websocket-extensions") or ""
    assert "deflate-frame" in offered, offered
    peer.send(peer.accept_101(request, extra=["Sec-WebSocket-Extensions: deflate-frame"]))
    receive, send = Inflater(), Deflater()
    message = b""
    while True:
        try:
            frame = peer.recv_frame()
        except EOFError:
            return
        if frame.opcode == OP_CLOSE:
            peer.send(build_frame(OP_CLOSE, frame.payload, mask=False))
            peer.wait_eof()
            return
        message += receive.message(frame.payload) if frame.rsv & 4 else frame.payload
        if frame.fin:
            opcode = frame.opcode or 2
            peer.send(build_frame(opcode, send.message(message), rsv=4, mask=False))
            message = b""


@pytest.mark.parametrize("size,pieces", [
    (1000, [1000]),
    (5000, [5000]),
    (65536, [65536]),
    (100000, [65536, 34464]),
])
def test_a_frame_reaches_receive_whole(size, pieces):
    with RawServer(deflate_frame_echo) as server:
        out = run_scenario(server.port, "--extensions", "--pieces", "--size", size,
                           "--send", 1, "--rx-buffer", 128, "--verify")
    assert not server.errors, server.errors
    assert out.returncode == 0, out.explain()
    received = out.of("RECEIVE")
    assert [int(r["len"]) for r in received] == pieces, out.stdout
    assert [r["final"] for r in received] == ["0"] * (len(pieces) - 1) + ["1"]
    assert received[-1]["remaining"] == "0"
