"""libwebsockets-test-echo --client: the library's client side.

The client connects, sends "test-echo message N" every --interval ms and
prints "rx K: <reply>" for each reply, exiting 0 after --count replies.
Its peer is either the `websockets` package's server (independent: it
refuses unmasked or otherwise malformed client frames) or our own echo
server.
"""

import subprocess
import threading

from websockets.sync.server import serve

import programs

COUNT = 5


def run_client(port, *extra):
    return subprocess.run(
        [programs.program_path(programs.TEST_ECHO), "--client", "127.0.0.1",
         "--port", str(port), "--count", str(COUNT), "--interval", "20",
         *extra],
        stdin=subprocess.DEVNULL, capture_output=True, timeout=30)


def replies(result):
    return [line for line in result.stdout.decode(errors="replace")
            .splitlines() if line.startswith("rx ")]


EXPECTED = [f"rx {i + 1}: test-echo message {i}" for i in range(COUNT)]


def test_client_against_websockets_server():
    received = []
    seen_protocols = []

    def handler(ws):
        seen_protocols.append(ws.subprotocol)
        for message in ws:
            received.append(message)
            ws.send(message)

    with serve(handler, "127.0.0.1", 0, subprotocols=["lws-echo"],
               compression=None, ping_interval=None) as server:
        port = server.socket.getsockname()[1]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            result = run_client(port)
        finally:
            server.shutdown()
            thread.join(10)

    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert replies(result) == EXPECTED
    assert seen_protocols == ["lws-echo"]
    assert received[:COUNT] == [f"test-echo message {i}"
                                for i in range(COUNT)]


def test_client_against_our_echo_server(echo_server):
    result = run_client(echo_server.port)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert replies(result) == EXPECTED


def test_client_reports_connection_failure():
    port = programs.free_port()             # nobody listens there
    result = run_client(port)
    assert result.returncode == 1
    assert replies(result) == []
