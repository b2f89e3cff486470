"""The library's client side against an independent server: the
`websockets` package (which refuses unmasked or otherwise malformed client
frames), driven through libwebsockets-test-client-scenario.
"""

import socket
import threading
import zlib

import pytest
from websockets.exceptions import ConnectionClosedError

import peers
from peers import pattern, run_scenario, websockets_server


def crc(data):
    return f"{zlib.crc32(data):08x}"


def echo_handler(log):
    """Echoes every message; records what came and the client's close."""
    def handler(ws):
        log["protocol"] = ws.subprotocol
        log["request_headers"] = ws.request.headers
        log["messages"] = []
        try:
            for message in ws:
                log["messages"].append(message)
                ws.send(message)
        except ConnectionClosedError:
            pass                        # a test that makes it fail the
                                        # connection checks close_sent
        log["close_code"] = peers.close_code_received(ws)
        sent = ws.protocol.close_sent
        log["close_sent"] = None if sent is None else sent.code
    return handler


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_echo_and_close_1000(binary):
    log = {}
    with websockets_server(echo_handler(log),
                           subprotocols=["echo"]) as port:
        out = run_scenario(port, "--protocols", "echo", "--send", 5,
                           "--size", 1000, "--verify",
                           *(["--binary"] if binary else []))
    assert out.returncode == 0, out.explain()
    messages = out.of("MESSAGE")
    assert [int(m["index"]) for m in messages] == list(range(5))
    assert all(m["ok"] == "1" and m["len"] == "1000" and
               m["binary"] == str(int(binary)) for m in messages)
    # What the server got is exactly what the client meant to send...
    sent = [pattern(0, k, 1000, binary) for k in range(5)]
    got = [m if isinstance(m, bytes) else m.encode() for m in
           log["messages"]]
    assert got == sent
    assert all(isinstance(m, bytes) == binary for m in log["messages"])
    # ...the client's crc of each echo agrees...
    assert [m["crc"] for m in messages] == [crc(s) for s in sent]
    # ...and its callback returning -1 reached the server as close 1000.
    assert out.of("CLOSED")
    assert log["close_code"] == 1000
    assert log["protocol"] == "echo"


def test_handshake_headers_as_given():
    """Host, Origin and an APPEND_HANDSHAKE_HEADER line arrive as the
    application gave them."""
    log = {}
    with websockets_server(echo_handler(log),
                           subprotocols=["echo"]) as port:
        out = run_scenario(port, "--protocols", "echo",
                           "--host", "example.test:99",
                           "--origin", "http://origin.test",
                           "--header", "X-Scenario: yes", "--close-after",
                           0)
    assert out.returncode == 0, out.explain()
    headers = log["request_headers"]
    assert headers["Host"] == "example.test:99"
    assert headers["Origin"] == "http://origin.test"
    assert headers["X-Scenario"] == "yes"
    assert headers["Sec-WebSocket-Version"] == "13"
    assert int(out.of("APPEND_HANDSHAKE_HEADER")[0]["room"]) > 0
    assert log["close_code"] == 1000


def test_request_path_reaches_server():
    seen = []

    def handler(ws):
        seen.append(ws.request.path)
        for _ in ws:
            pass

    with websockets_server(handler) as port:
        out = run_scenario(port, "--path", "/deep/path?q=1",
                           "--close-after", 0)
    assert out.returncode == 0, out.explain()
    assert seen == ["/deep/path?q=1"]


@pytest.mark.parametrize("choice", ["alpha", "beta", "gamma"])
def test_server_picks_one_of_the_offered_subprotocols(choice):
    """The server's pick selects the matching protocols[] entry, and that
    entry's callback (via=) is the one that gets the traffic."""
    log = {}

    def select(connection, offered):
        log["offered"] = list(offered)
        return choice

    with websockets_server(echo_handler(log),
                           subprotocols=["alpha", "beta", "gamma"],
                           select_subprotocol=select) as port:
        out = run_scenario(port, "--protocols", "alpha, beta,gamma",
                           "--send", 2, "--verify")
    assert out.returncode == 0, out.explain()
    assert log["offered"] == ["alpha", "beta", "gamma"]
    established = out.of("ESTABLISHED")
    assert established == [{"conn": "0", "protocol": choice,
                            "via": choice}]
    assert [m["via"] for m in out.of("MESSAGE")] == [choice, choice]
    assert out.of("FILTER_PRE_ESTABLISH")[0]["protocol"] == choice


def test_no_subprotocol_offered_none_chosen():
    log = {}
    with websockets_server(echo_handler(log)) as port:
        out = run_scenario(port, "--send", 1, "--verify")
    assert out.returncode == 0, out.explain()
    assert log["protocol"] is None
    # protocols[0] of the context, here the placeholder name.
    assert out.of("ESTABLISHED")[0]["protocol"] == "scenario"


@pytest.mark.parametrize("code", [1000, 1001, 4000])
def test_server_closes_with_code(code):
    """The server closes; the client sees CLOSED and answers the close
    with the same code (RFC 6455 5.5.1)."""
    log = {}

    def handler(ws):
        log["first"] = ws.recv(timeout=10)
        ws.close(code=code, reason="bye")
        log["echoed"] = peers.close_code_received(ws)

    with websockets_server(handler) as port:
        out = run_scenario(port, "--send", 1, "--close-after", -1,
                           timeout=30)
    assert out.returncode == 0, out.explain()
    assert out.kinds()[-2:] == ["CLOSED", "SUMMARY"]
    assert log["first"] == pattern(0, 0, 16, False).decode()
    assert log["echoed"] == code


def test_refused_by_filter_pre_establish():
    """A non-zero return from CLIENT_FILTER_PRE_ESTABLISH refuses the
    connection: CONNECTION_ERROR, never ESTABLISHED."""
    with websockets_server(echo_handler({})) as port:
        out = run_scenario(port, "--refuse-pre-establish")
    assert out.returncode == 1, out.explain()
    assert "ESTABLISHED" not in out.kinds()
    assert len(out.of("CONNECTION_ERROR")) == 1


def test_16_mib_messages_both_ways():
    size = 16 * 1024 * 1024
    log = {}
    with websockets_server(echo_handler(log)) as port:
        out = run_scenario(port, "--send", 2, "--size", size, "--binary",
                           "--verify", timeout=120)
    assert out.returncode == 0, out.explain()
    messages = out.of("MESSAGE")
    assert [int(m["len"]) for m in messages] == [size, size]
    assert all(m["ok"] == "1" for m in messages)
    for k in range(2):
        expected = pattern(0, k, size, True)
        assert log["messages"][k] == expected
        assert messages[k]["crc"] == crc(expected)


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_fragmented_messages_from_server(binary):
    """Messages the server sends as several frames arrive as RECEIVE pieces
    whose final flag is set only on the last frame, and reassemble to the
    right bytes."""
    sizes = [1, 300, 5000, 2]          # the fragments of one message
    total = sum(sizes)

    def handler(ws):
        for k in range(2):
            whole = pattern(0, k, total, binary)
            fragments, at = [], 0
            for n in sizes:
                fragments.append(whole[at:at + n])
                at += n
            if not binary:
                fragments = [f.decode() for f in fragments]
            ws.send(fragments)
        for _ in ws:
            pass

    with websockets_server(handler) as port:
        out = run_scenario(port, "--close-after", 2, "--verify",
                           "--pieces", "--rx-buffer", 1024)
    assert out.returncode == 0, out.explain()
    messages = out.of("MESSAGE")
    assert [(m["len"], m["ok"], m["binary"]) for m in messages] == \
        [(str(total), "1", str(int(binary)))] * 2
    pieces = out.of("RECEIVE")
    # Each frame ends with a piece with remaining=0 (the 5000-byte one comes
    # in rx_buffer_size pieces before that).  websockets ends a fragmented
    # message with an empty final frame, so final=1 is on that one only.
    frame_ends = [(int(p["len"]), p["final"]) for p in pieces
                  if p["remaining"] == "0"]
    assert frame_ends == [(1, "0"), (300, "0"), (5000 % 1024, "0"),
                          (2, "0"), (0, "1")] * 2
    assert all(int(p["len"]) <= 1024 for p in pieces)
    assert sum(int(p["len"]) for p in pieces) == 2 * total


def test_pings_from_server_are_answered():
    results = []

    def handler(ws):
        for payload in (b"", b"one", bytes(range(125))):
            results.append(ws.ping(payload).wait(5))
        ws.send("done")
        for _ in ws:
            pass

    with websockets_server(handler) as port:
        out = run_scenario(port, "--close-after", 1)
    assert out.returncode == 0, out.explain()
    # websockets completes a ping's waiter only on a pong with its payload.
    assert results == [True, True, True]


def test_pings_from_client_get_pongs():
    with websockets_server(echo_handler({})) as port:
        out = run_scenario(port, "--ping", 3, "--close-after", 0)
    assert out.returncode == 0, out.explain()
    assert [p["payload"] for p in out.of("PONG")] == \
        [f"ping {i} of conn 0" for i in range(3)]


def test_fragmented_messages_from_client():
    log = {}
    with websockets_server(echo_handler(log)) as port:
        out = run_scenario(port, "--send", 3, "--size", 10000,
                           "--fragments", 7, "--binary", "--verify")
    assert out.returncode == 0, out.explain()
    assert log["messages"] == [pattern(0, k, 10000, True) for k in range(3)]


def test_unmasked_client_frames_are_rejected():
    """LWS_WRITE_CLIENT_IGNORE_XOR_MASK really sends unmasked (a test aid):
    an RFC 6455 server fails the connection with 1002."""
    log = {}
    with websockets_server(echo_handler(log)) as port:
        out = run_scenario(port, "--send", 1, "--unmasked", timeout=30)
    assert out.of("CLOSED"), out.explain()
    assert out.returncode == 2          # closed before its echo came
    assert log["messages"] == []
    assert log["close_sent"] == 1002


def test_several_connections_one_context():
    log_lock = threading.Lock()
    protocols_seen = []

    def handler(ws):
        with log_lock:
            protocols_seen.append(ws.subprotocol)
        for message in ws:
            ws.send(message)

    with websockets_server(handler, subprotocols=["echo"]) as port:
        out = run_scenario(port, "--protocols", "echo", "--connections", 20,
                           "--send", 10, "--size", 200, "--verify",
                           "--quiet")
    assert out.returncode == 0, out.explain()
    summary = out.summary()
    assert summary["established"] == 20
    assert summary["messages"] == 200 and summary["bad"] == 0
    assert protocols_seen == ["echo"] * 20


def _ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.parametrize("address,listen,expected", [
    ("127.0.0.1", "127.0.0.1", "127.0.0.1:{}"),
    ("::1", "::1", "[::1]:{}"),
    # localhost may resolve to ::1 first: nobody listens there, so the
    # connect must move on to the next address the resolver gave.
    ("localhost", "127.0.0.1", "localhost:{}"),
])
def test_default_host_header(address, listen, expected):
    """With host NULL the library writes ADDRESS:PORT itself (an IPv6
    literal in brackets)."""
    if ":" in listen and not _ipv6_loopback():
        pytest.skip("no IPv6 loopback")
    log = {}
    family = socket.AF_INET6 if ":" in listen else socket.AF_INET
    with websockets_server(echo_handler(log), host=listen,
                           family=family) as port:
        out = run_scenario(port, "--send", 1, "--verify", address=address)
    assert out.returncode == 0, out.explain()
    assert log["request_headers"]["Host"] == expected.format(port)
