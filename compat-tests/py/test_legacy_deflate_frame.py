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
from rawws import build_frame


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
    message, opcode = b"", 0
    for frame in peer.frames_until_close():
        message += receive.message(frame.payload) if frame.rsv & 4 else frame.payload
        opcode = frame.opcode or opcode
        if frame.fin:
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


# ------------------------------------- a 1.4 server that accepts both names

LAYER_LIMIT = 65535     # what a 1.4 peer inflates per layer and frame


def legacy_both_names_server(log):
    """Behaves on the wire as a 1.4 server does when a client offers both
    deflate-frame names: it accepts both (in the client's order), inflates
    every RSV1 frame twice (one stream per layer, in that order), drops
    the TCP connection (no close frame) when a layer is invalid or
    inflates beyond 65535 bytes, and sends each frame compressed by the
    first layer and then by the second, RSV1 set once.  It echoes every
    message, in frames of at most 65535 bytes before compression."""
    def handler(peer):
        request = peer.read_request()
        if request is None:
            return
        offered = [e.split(";")[0].strip() for e in
                   (request.header("sec-websocket-extensions") or "").split(",")]
        accepted = [e for e in offered if e in ("deflate-frame", "x-webkit-deflate-frame")]
        log["accepted"] = accepted
        peer.send(peer.accept_101(request, extra=["Sec-WebSocket-Extensions: " + ",".join(accepted)]))
        rx = [Inflater() for _ in accepted]
        tx = [Deflater() for _ in accepted]
        message, opcode = b"", 0
        for frame in peer.frames_until_close():
            data = frame.payload
            if frame.rsv & 4:
                for layer in rx:
                    try:
                        data = layer.message(data, limit=LAYER_LIMIT + 1)
                    except Exception as error:  # zlib.error or the limit
                        log["dropped"] = repr(error)
                        peer.sock.close()
                        return
                    if len(data) > LAYER_LIMIT:
                        log["dropped"] = f"layer inflated to {len(data)}"
                        peer.sock.close()
                        return
            else:
                log["plain frames"] = log.get("plain frames", 0) + 1
            log.setdefault("frames", []).append(len(data))
            if frame.opcode:
                opcode = frame.opcode
            message += data
            if not frame.fin:
                continue
            pieces = [message[i:i + LAYER_LIMIT] for i in range(0, len(message), LAYER_LIMIT)] or [b""]
            for index, piece in enumerate(pieces):
                for layer in tx:
                    piece = layer.message(piece)
                peer.send(build_frame(opcode if index == 0 else 0, piece, rsv=4,
                                      fin=index == len(pieces) - 1, mask=False))
            message = b""
    return handler


@pytest.mark.parametrize("size", [0, 1, 100, 5000, 65535, 65536, 100000, 1 << 20])
def test_client_talks_to_a_legacy_server_that_accepts_both_names(size):
    """Our client (offering the library's internal extensions, as 1.4's
    test-echo client does) against a server answering both deflate-frame
    names: every message arrives intact both ways, and no frame carries
    more than a 1.4 peer can inflate."""
    log = {}
    with RawServer(legacy_both_names_server(log)) as server:
        out = run_scenario(server.port, "--extensions", "--size", size,
                           "--send", 3, "--verify", timeout=60)
    assert not server.errors, server.errors
    assert "dropped" not in log, log.get("dropped")
    assert log["accepted"] == ["deflate-frame", "x-webkit-deflate-frame"]
    assert out.returncode == 0, out.explain()
    assert len(out.of("MESSAGE")) == 3, out.stdout
    assert max(log["frames"]) <= LAYER_LIMIT
    assert "plain frames" not in log
