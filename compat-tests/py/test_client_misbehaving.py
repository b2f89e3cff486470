"""The library's client against servers that break the rules.

A hand-rolled server (peers.RawServer) answers the opening handshake
wrongly, or breaks RFC 6455 after a correct one.  Whatever it does, the
client must end in exactly one LWS_CALLBACK_CLIENT_CONNECTION_ERROR (handshake
cases) or close the connection with the right close code (framing cases):
never crash, hang or report success.

At the end of the module a table of case -> what the client did is written
to the terminal (it is the record the issue asks for).
"""

import socket
import struct
import time

import pytest

import peers
import programs
import rawws
from peers import RawServer, run_scenario
from rawws import OP_CLOSE, OP_CONTINUATION, OP_PING, OP_TEXT, build_frame

RESULTS = []            # (case, what happened), for the table


@pytest.fixture(scope="module", autouse=True)
def results_table(request):
    yield
    if not RESULTS:
        return
    plugins = request.config.pluginmanager
    reporter = plugins.getplugin("terminalreporter")
    capture = plugins.getplugin("capturemanager")
    if reporter is None or capture is None:
        return
    width = max(len(case) for case, _ in RESULTS)
    # Past output capture, straight to the terminal (or ctest's log).
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line("misbehaving server: case -> client result")
        for case, result in RESULTS:
            reporter.write_line(f"  {case.ljust(width)}  {result}")


def head(*lines):
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def run_against(handler, *args, timeout=30):
    """Runs the scenario client against RawServer(handler).  Returns the
    Outcome and the server (its .errors must be empty)."""
    with RawServer(handler) as server:
        out = run_scenario(server.port, "--timeout", 25, *args,
                           timeout=timeout)
    assert not server.errors, f"raw server failed: {server.errors}"
    return out, server


# ------------------------------------------------------ handshake answers

def answer_then_wait(make_answer):
    """A handler: reads the request, sends make_answer(peer, request) (if
    not None), then waits for the client to give up and close."""
    def handler(peer):
        request = peer.read_request()
        if request is None:
            return
        answer = make_answer(peer, request)
        if answer is not None:
            peer.send(answer)
        peer.wait_eof(20)
    return handler


def wrong_accept(peer, request):
    return peer.accept_101(request, accept=rawws.accept_for(rawws.new_key()))


def no_accept(peer, request):
    return head("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket",
                "Connection: Upgrade")


def status_500(peer, request):
    return head("HTTP/1.1 500 Internal Server Error", "Content-Length: 0")


def status_200(peer, request):
    return head("HTTP/1.1 200 OK", "Content-Length: 5") + b"hello"


def redirect(peer, request):
    return head("HTTP/1.1 302 Found", "Location: ws://elsewhere/",
                "Content-Length: 0")


def no_upgrade(peer, request):
    return head("HTTP/1.1 101 Switching Protocols", "Connection: Upgrade",
                "Sec-WebSocket-Accept: " + rawws.accept_for(request.key()))


def no_connection(peer, request):
    return head("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket",
                "Sec-WebSocket-Accept: " + rawws.accept_for(request.key()))


def not_http(peer, request):
    return b"SSH-2.0-OpenSSH_9.2\r\n\r\n"


def huge_head(peer, request):
    return peer.accept_101(request, extra=["X-Filler: " + "a" * 200000])


def other_protocol(peer, request):
    return peer.accept_101(request,
                           extra=["Sec-WebSocket-Protocol: zeta"])


def no_protocol(peer, request):
    return peer.accept_101(request)


def two_protocols(peer, request):
    return peer.accept_101(request,
                           extra=["Sec-WebSocket-Protocol: alpha, beta"])


def unserved_protocol(peer, request):
    return peer.accept_101(request,
                           extra=["Sec-WebSocket-Protocol: beta"])


def unoffered_extension(peer, request):
    return peer.accept_101(
        request, extra=["Sec-WebSocket-Extensions: permessage-deflate"])


def silent(peer, request):
    return None


HANDSHAKE_CASES = [
    # (case, answer, extra scenario arguments)
    ("bad Sec-WebSocket-Accept", wrong_accept, ()),
    ("no Sec-WebSocket-Accept", no_accept, ()),
    ("500 answer", status_500, ()),
    ("200 answer with a body", status_200, ()),
    ("302 redirect", redirect, ()),
    ("101 without Upgrade: websocket", no_upgrade, ()),
    ("101 without Connection: Upgrade", no_connection, ()),
    ("not HTTP at all", not_http, ()),
    ("200 KB response header", huge_head, ()),
    ("unexpected subprotocol", other_protocol,
     ("--protocols", "alpha,beta")),
    ("missing subprotocol (one requested)", no_protocol,
     ("--protocols", "alpha")),
    ("two subprotocols in the answer", two_protocols,
     ("--protocols", "alpha,beta")),
    ("offered subprotocol the context lacks", unserved_protocol,
     ("--protocols", "alpha,beta", "--serve", "alpha")),
    ("extension we did not offer", unoffered_extension, ()),
]


@pytest.mark.parametrize("case,answer,args", HANDSHAKE_CASES,
                         ids=[c[0] for c in HANDSHAKE_CASES])
def test_bad_handshake_answer(case, answer, args):
    out, server = run_against(answer_then_wait(answer), *args)
    RESULTS.append((case, out.describe()))
    assert out.returncode == 1, out.explain()
    assert len(out.of("CONNECTION_ERROR")) == 1, out.explain()
    assert "ESTABLISHED" not in out.kinds()
    assert out.elapsed < 5, "failing should not wait for a timeout"
    assert server.accepted == 1


def test_server_never_answers():
    """TCP accepted, request read, no answer: the handshake timeout (10 s)
    ends it in CONNECTION_ERROR."""
    out, _ = run_against(answer_then_wait(silent))
    RESULTS.append(("never answers", out.describe()))
    assert out.returncode == 1, out.explain()
    assert len(out.of("CONNECTION_ERROR")) == 1
    assert 5 < out.elapsed < 15, out.elapsed


def closes_at_once(peer):
    peer.sock.close()


def closes_after_request(peer):
    peer.read_request()


def closes_mid_answer(peer):
    request = peer.read_request()
    answer = peer.accept_101(request)
    peer.send(answer[:len(answer) // 2])


def resets(peer):
    peer.read_request()
    # SO_LINGER 0: close sends RST instead of FIN.
    peer.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
    peer.sock.close()


CLOSE_CASES = [
    ("closes before the request", closes_at_once),
    ("closes after reading the request", closes_after_request),
    ("closes mid-handshake (half a 101)", closes_mid_answer),
    ("resets the connection (RST)", resets),
]


@pytest.mark.parametrize("case,handler", CLOSE_CASES,
                         ids=[c[0] for c in CLOSE_CASES])
def test_server_closes_during_handshake(case, handler):
    out, _ = run_against(handler)
    RESULTS.append((case, out.describe()))
    assert out.returncode == 1, out.explain()
    assert len(out.of("CONNECTION_ERROR")) == 1
    assert "ESTABLISHED" not in out.kinds()
    assert out.elapsed < 5


def test_connection_refused():
    port = programs.free_port()
    out = run_scenario(port, "--timeout", 25)
    RESULTS.append(("connection refused (nobody listens)", out.describe()))
    assert out.returncode == 1, out.explain()
    # Refused at once (NULL) or soon after (CONNECTION_ERROR): either way
    # exactly one failure report.
    assert len(out.of("CONNECTION_ERROR")) + \
        len(out.of("CONNECT_FAILED")) == 1
    assert out.elapsed < 5


def test_unresolvable_host():
    out = run_scenario(80, address="no-such-host.invalid")
    RESULTS.append(("unresolvable host name", out.describe()))
    assert out.returncode == 1, out.explain()
    assert len(out.of("CONNECTION_ERROR")) + \
        len(out.of("CONNECT_FAILED")) == 1


# ------------------------------------------------- good handshake variants

def test_answer_trickled_byte_by_byte():
    """A correct 101 that arrives one byte at a time still connects."""
    def handler(peer):
        request = peer.read_request()
        for byte in peer.accept_101(request):
            peer.send(bytes([byte]))
            time.sleep(0.002)
        peer.wait_eof(20)

    out, _ = run_against(handler, "--close-after", 0)
    RESULTS.append(("101 sent one byte at a time (valid)", out.describe()))
    assert out.returncode == 0, out.explain()
    assert out.kinds().count("ESTABLISHED") == 1


def test_first_frame_in_the_same_segment_as_the_101():
    """Bytes after the 101's blank line are the first frame, not lost."""
    def handler(peer):
        request = peer.read_request()
        peer.send(peer.accept_101(request) +
                  build_frame(OP_TEXT, peers.pattern(0, 0, 50, False),
                              mask=False))
        peer.wait_eof(20)

    out, _ = run_against(handler, "--close-after", 1, "--verify")
    RESULTS.append(("101 and a frame in one segment (valid)",
                    out.describe()))
    assert out.returncode == 0, out.explain()
    assert [m["ok"] for m in out.of("MESSAGE")] == ["1"]


def test_tcp_closed_right_after_101():
    def handler(peer):
        request = peer.read_request()
        peer.send(peer.accept_101(request))

    out, _ = run_against(handler, "--close-after", -1)
    RESULTS.append(("TCP closed right after the 101", out.describe()))
    assert out.kinds().count("ESTABLISHED") == 1
    assert out.kinds().count("CLOSED") == 1
    assert out.returncode == 0, out.explain()


# --------------------------------------------- RFC 6455 framing violations

def unmasked(opcode, payload=b"", **kw):
    return build_frame(opcode, payload, mask=False, **kw)


FRAME_CASES = [
    # (case, bytes sent after a correct 101, close code the client must
    #  send)
    ("masked frame from the server",
     build_frame(OP_TEXT, b"hello", mask=True), 1002),
    ("reserved opcode 0x3", unmasked(0x3, b"x"), 1002),
    ("reserved opcode 0xB (control)", unmasked(0xB), 1002),
    ("RSV1 set, no extension", unmasked(OP_TEXT, b"x", rsv=4), 1002),
    ("RSV3 set", unmasked(OP_TEXT, b"x", rsv=1), 1002),
    ("continuation without a start", unmasked(OP_CONTINUATION, b"x"),
     1002),
    ("new message inside a fragmented one",
     unmasked(OP_TEXT, b"a", fin=False) + unmasked(OP_TEXT, b"b"), 1002),
    ("fragmented ping", unmasked(OP_PING, b"x", fin=False), 1002),
    ("ping payload over 125 bytes", unmasked(OP_PING, b"x" * 126), 1002),
    ("close with a 1-byte payload", unmasked(OP_CLOSE, b"\x03"), 1002),
    ("close with code 1005 (reserved)",
     unmasked(OP_CLOSE, rawws.close_payload(1005)), 1002),
    ("close with code 999", unmasked(OP_CLOSE, rawws.close_payload(999)),
     1002),
    ("64-bit length with the top bit set",
     bytes([0x82, 127]) + struct.pack("!Q", 1 << 63) + b"xxxx", 1002),
    ("text that is not UTF-8", unmasked(OP_TEXT, b"\xc3\x28abc"), 1007),
    ("close reason that is not UTF-8",
     unmasked(OP_CLOSE, struct.pack("!H", 1000) + b"\xff\xfe"), 1007),
]


@pytest.mark.parametrize("case,frames,code", FRAME_CASES,
                         ids=[c[0] for c in FRAME_CASES])
def test_framing_violation_closes_with_code(case, frames, code):
    got = {}

    def handler(peer):
        request = peer.read_request()
        peer.send(peer.accept_101(request) + frames)
        codes = []
        try:
            while True:
                frame = peer.recv_frame(15)
                if not frame.masked:
                    got["unmasked"] = True
                if frame.opcode == OP_CLOSE:
                    codes.append(frame.close_code())
                    break
        except (EOFError, TimeoutError) as e:
            got["end"] = repr(e)
        got["codes"] = codes
        got["eof"] = peer.wait_eof(10)

    out, _ = run_against(handler, "--close-after", -1)
    closed = got.get("codes") or ["no close frame"]
    RESULTS.append((case, f"{out.describe()}; client sent close "
                          f"{closed[0]}"))
    assert out.kinds().count("ESTABLISHED") == 1, out.explain()
    assert out.kinds().count("CLOSED") == 1, out.explain()
    assert "CONNECTION_ERROR" not in out.kinds()
    assert got.get("codes") == [code], (got, out.explain())
    assert "unmasked" not in got, "the client sent an unmasked frame"
    assert got["eof"], "the client kept TCP open after its close"
    assert not out.of("MESSAGE"), "a bad frame was delivered as data"
    assert out.elapsed < 10
