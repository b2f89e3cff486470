"""A user-written extension in C, through the 1.4 extension API.

libwebsockets-test-ext carries "x-xor-test": an extension the application
writes itself (struct libwebsocket_extension with its own callback,
per_session_data_size and per_context_private_data) that XORs every
payload byte with 0x5a on PAYLOAD_TX and again on PAYLOAD_RX.  Between our
client and our server the messages arrive intact; a peer that does not
know the extension (a raw socket) sees the XORed bytes on the wire.  The
counters the extension keeps show which callback reasons the library
called, with which per-session data.  protocols[0] can veto it on either
side (CONFIRM_EXTENSION_OKAY, CLIENT_CONFIRM_EXTENSION_SUPPORTED).
"""

import pytest

import extkit
import rawws
from extkit import TEST_EXT, XOR_NAME, pattern, xor
from peers import raw_server
from rawws import OP_CLOSE, OP_CONTINUATION, OP_TEXT

SIZES = [0, 1, 125, 126, 5000, 70000]


def unmasked(opcode, payload=b"", **kw):
    return rawws.build_frame(opcode, payload, mask=False, **kw)


@pytest.mark.parametrize("copy", [False, True], ids=["in-place", "repoint"])
def test_xor_between_our_client_and_our_server(start_server, copy):
    mode = ["--xor-copy"] if copy else []
    server = start_server(TEST_EXT, "--ext", XOR_NAME, "--fragments", "2",
                          *mode)
    # Held a little over a second so the 1 Hz callback comes at least once.
    out = extkit.run_ext_client(server.port, "--ext", XOR_NAME, "--sizes",
                                ",".join(map(str, SIZES)), "--fragments",
                                "3", "--hold", "1100" if copy else "0",
                                *mode)
    server.stop()
    lines = out.stdout.splitlines()
    slines = extkit.server_lines(server)
    assert out.returncode == 0, out.explain()

    # Both ends agreed on the extension, and the messages came back intact.
    assert extkit.negotiated(slines) == XOR_NAME
    assert extkit.negotiated(lines) == XOR_NAME
    messages = out.of("MESSAGE")
    assert [int(m["len"]) for m in messages] == SIZES
    assert all(m["ok"] == "1" for m in messages)
    # What the server's protocol callback got is the plain text, not XOR.
    received = extkit.of(slines, "RECEIVED")
    assert [r["crc"] for r in received] == \
        [extkit.crc(pattern(i, n)) for i, n in enumerate(SIZES)]

    total = sum(SIZES)
    client_frames = sum(min(3, n) or 1 for n in SIZES)
    server_frames = sum(min(2, n) or 1 for n in SIZES)
    [client_session] = extkit.session_counts(lines)
    [server_session] = extkit.session_counts(slines)
    assert client_session["client_construct"] == 1
    assert client_session["construct"] == 0
    assert server_session["construct"] == 1
    assert server_session["client_construct"] == 0
    # Zeroed per-session data, the same block on every call.
    assert client_session["user_ok"] == server_session["user_ok"] == 1
    # Every payload byte went through PAYLOAD_TX on one side and
    # PAYLOAD_RX on the other, once; every frame written saw PAYLOAD_TX.
    assert client_session["tx_bytes"] == total
    assert client_session["rx_bytes"] == total
    assert server_session["tx_bytes"] == total
    assert server_session["rx_bytes"] == total
    assert client_session["payload_tx"] == client_frames
    assert server_session["payload_tx"] == server_frames
    assert client_session["payload_rx"] >= len([n for n in SIZES if n])
    if copy:
        assert client_session["one_hz"] >= 1

    client_ctx = extkit.context_counts(lines)
    server_ctx = extkit.context_counts(slines)
    assert client_ctx["client_context_construct"] == 1
    assert client_ctx["client_context_destruct"] == 1
    assert client_ctx["server_context_construct"] == 0
    assert client_ctx["check_ok_to_propose_extension"] == 1
    assert server_ctx["server_context_construct"] == 1
    assert server_ctx["server_context_destruct"] == 1
    assert server_ctx["client_context_construct"] == 0
    for ctx in (client_ctx, server_ctx):
        assert ctx["destroy"] == 1
        assert ctx["any_wsi_established"] == 1
        assert ctx["destroy_any_wsi_closing"] == 1
        assert ctx["bad_user"] == 0 and ctx["unknown"] == 0
    assert client_ctx["client_construct"] == 1
    assert server_ctx["construct"] == 1


def test_xor_with_permessage_deflate_too(start_server):
    """Both extensions on one connection: the application extension sees
    the plain payload, permessage-deflate compresses what it produced."""
    exts = "permessage-deflate," + XOR_NAME
    server = start_server(TEST_EXT, "--ext", exts)
    out = extkit.run_ext_client(server.port, "--ext", exts, "--sizes",
                                "0,10,100000,1048576", "--binary",
                                "--fragments", "2")
    server.stop()
    assert out.returncode == 0, out.explain()
    assert extkit.negotiated(out.stdout.splitlines()) == \
        "permessage-deflate, " + XOR_NAME
    assert all(m["ok"] == "1" for m in out.of("MESSAGE"))
    [session] = extkit.session_counts(extkit.server_lines(server))
    assert session["rx_bytes"] == session["tx_bytes"] == 10 + 100000 + 1048576


def _xor_echo_server(seen, accept=True):
    """A raw server that answers x-xor-test (or nothing) in its 101,
    records each data frame's unmasked payload, and sends every frame back
    exactly as it came, so what our client checks is what was on the
    wire both ways."""

    def handler(peer):
        request = peer.read_request()
        seen.append(request)
        extra = ["Sec-WebSocket-Protocol: ext-test"]
        if accept:
            extra.append(f"Sec-WebSocket-Extensions: {XOR_NAME}")
        peer.send(peer.accept_101(request, extra=extra))
        while True:
            frame = peer.recv_frame(10)
            if frame.opcode == OP_CLOSE:
                peer.send(unmasked(OP_CLOSE, frame.payload))
                break
            seen.append(frame)
            peer.send(unmasked(frame.opcode, frame.payload, fin=frame.fin,
                               rsv=frame.rsv))
        peer.wait_eof(10)

    return handler


@pytest.mark.parametrize("accept", [True, False],
                         ids=["accepted", "not-accepted"])
def test_wire_bytes_from_our_client(accept):
    seen = []
    with raw_server(_xor_echo_server(seen, accept)) as server:
        out = extkit.run_ext_client(server.port, "--ext", XOR_NAME,
                                    "--sizes", "11,300", "--fragments", "2")
    assert out.returncode == 0, out.explain()
    request, frames = seen[0], seen[1:]
    assert request.header("sec-websocket-extensions") == XOR_NAME
    assert [(f.opcode, f.fin, f.rsv) for f in frames] == \
        [(OP_TEXT, False, 0), (OP_CONTINUATION, True, 0)] * 2
    wire = [frames[0].payload + frames[1].payload,
            frames[2].payload + frames[3].payload]
    if accept:
        # XORed by the extension: not the text the application wrote.
        assert wire == [xor(pattern(0, 11)), xor(pattern(1, 300))]
        assert extkit.negotiated(out.stdout.splitlines()) == XOR_NAME
        [session] = extkit.session_counts(out.stdout.splitlines())
        assert session["client_construct"] == 1
    else:
        # Not accepted: not active, the bytes go out as written.
        assert wire == [pattern(0, 11), pattern(1, 300)]
        assert extkit.negotiated(out.stdout.splitlines()) == ""
        assert extkit.session_counts(out.stdout.splitlines()) == []
    assert all(m["ok"] == "1" for m in out.of("MESSAGE"))


def test_wire_bytes_from_our_server(start_server):
    server = start_server(TEST_EXT, "--ext", XOR_NAME)
    text = b"plain text the application reads"
    with extkit.connect(server.port, offer=XOR_NAME,
                        protocol="ext-test") as ws:
        assert ws.response.header("sec-websocket-extensions") == XOR_NAME
        ws.send_frame(OP_TEXT, xor(text))
        opcode, payload = ws.recv_message()
        assert opcode == OP_TEXT
        # The server's extension XORed its reply again on the way out.
        assert payload == xor(text)
        ws.send_close(1000)
        assert ws.expect_close()[0] == 1000
    server.stop()
    [received] = extkit.of(extkit.server_lines(server), "RECEIVED")
    assert received["crc"] == extkit.crc(text)


def test_server_veto_leaves_the_extension_out(start_server):
    server = start_server(TEST_EXT, "--ext", XOR_NAME, "--veto", XOR_NAME)
    with extkit.connect(server.port, offer=XOR_NAME,
                        protocol="ext-test") as ws:
        # Declined by CONFIRM_EXTENSION_OKAY: no Sec-WebSocket-Extensions.
        assert ws.response.header("sec-websocket-extensions") is None
        ws.send_frame(OP_TEXT, b"as is")
        assert ws.recv_message() == (OP_TEXT, b"as is")
    # Our client offering it gets no extension either, and talks plainly.
    out = extkit.run_ext_client(server.port, "--ext", XOR_NAME, "--sizes",
                                "0,500")
    server.stop()
    assert out.returncode == 0, out.explain()
    assert extkit.negotiated(out.stdout.splitlines()) == ""
    slines = extkit.server_lines(server)
    confirms = extkit.of(slines, "CONFIRM_EXTENSION_OKAY")
    assert [(c["name"], c["veto"]) for c in confirms] == [(XOR_NAME, "1")] * 2
    assert extkit.session_counts(slines) == []
    ctx = extkit.context_counts(slines)
    assert ctx["construct"] == 0 and ctx["destroy"] == 0
    # The ANY_WSI reasons go to every extension of the context, active on
    # the connection or not.
    assert ctx["any_wsi_established"] == 2
    assert ctx["destroy_any_wsi_closing"] == 2


def test_server_veto_of_one_extension_keeps_the_other(start_server):
    server = start_server(TEST_EXT, "--ext", "permessage-deflate," +
                          XOR_NAME, "--veto", "permessage-deflate")
    offer = f"permessage-deflate; client_max_window_bits, {XOR_NAME}"
    with extkit.connect(server.port, offer=offer, protocol="ext-test") as ws:
        assert ws.response.header("sec-websocket-extensions") == XOR_NAME
        ws.send_frame(OP_TEXT, xor(b"abc"))
        frames = extkit.recv_data_frames(ws)
        assert [(f.rsv, f.payload) for f in frames] == [(0, xor(b"abc"))]


def test_client_veto_leaves_the_extension_out_of_the_offer():
    seen = []
    with raw_server(_xor_echo_server(seen, accept=False)) as server:
        out = extkit.run_ext_client(server.port, "--ext",
                                    "permessage-deflate," + XOR_NAME,
                                    "--veto", XOR_NAME, "--sizes", "20")
    assert out.returncode == 0, out.explain()
    assert seen[0].header("sec-websocket-extensions").startswith(
        "permessage-deflate")
    assert XOR_NAME not in seen[0].header("sec-websocket-extensions")
    assert seen[1].payload == pattern(0, 20)
    vetoes = out.of("CLIENT_CONFIRM_EXTENSION_SUPPORTED")
    assert [(v["name"], v["veto"]) for v in vetoes] == \
        [("permessage-deflate", "0"), (XOR_NAME, "1")]
    ctx = extkit.context_counts(out.stdout.splitlines())
    assert ctx["client_construct"] == 0


def test_client_veto_of_its_only_extension_sends_no_header():
    seen = []
    with raw_server(_xor_echo_server(seen, accept=False)) as server:
        out = extkit.run_ext_client(server.port, "--ext", XOR_NAME,
                                    "--veto", XOR_NAME, "--sizes", "3")
    assert out.returncode == 0, out.explain()
    assert seen[0].header("sec-websocket-extensions") is None


def test_client_fails_on_an_extension_it_did_not_offer():
    def handler(peer):
        request = peer.read_request()
        peer.send(peer.accept_101(request, extra=[
            "Sec-WebSocket-Protocol: ext-test",
            f"Sec-WebSocket-Extensions: {XOR_NAME}"]))
        peer.wait_eof(10)

    with raw_server(handler) as server:
        out = extkit.run_ext_client(server.port, "--ext",
                                    "permessage-deflate", "--sizes", "1")
    assert out.returncode == 1, out.explain()
    assert out.of("CONNECTION_ERROR")
    assert not out.of("MESSAGE")


def test_server_ignores_extensions_it_does_not_have(start_server):
    server = start_server(TEST_EXT, "--ext", XOR_NAME)
    with extkit.connect(server.port, offer="x-unknown; a=1, x-other",
                        protocol="ext-test") as ws:
        assert ws.response.header("sec-websocket-extensions") is None
        ws.send_frame(OP_TEXT, b"hi")
        assert ws.recv_message() == (OP_TEXT, b"hi")
