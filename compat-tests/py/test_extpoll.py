"""libwebsockets-test-server-extpoll: the same server on the program's own
poll() loop (ADD/DEL/CHANGE_MODE_POLL_FD + libwebsocket_service_fd)."""

import contextlib
import http.client
import os

import scenarios
import wsclient
from rawws import RawWebSocket


def test_handshake(extpoll_server):
    with RawWebSocket.connect(extpoll_server.port,
                              protocol=scenarios.DUMB_INCREMENT) as ws:
        assert ws.response.status == 101
        assert ws.response.header("sec-websocket-protocol") == \
            scenarios.DUMB_INCREMENT


def test_dumb_increment_counter_advances(extpoll_server):
    scenarios.check_counter_advances(extpoll_server.port, count=20)


def test_mirror_round_trip(extpoll_server):
    scenarios.check_mirror_round_trip(extpoll_server.port)


def test_mirror_burst(extpoll_server):
    scenarios.check_mirror_burst(extpoll_server.port, count=500)


def test_http_file(extpoll_server, resource_dir):
    with open(os.path.join(resource_dir, "leaf.png"), "rb") as f:
        expected = f.read()
    conn = http.client.HTTPConnection("127.0.0.1", extpoll_server.port,
                                      timeout=10)
    try:
        conn.request("GET", "/leaf.png", headers={"Connection": "close"})
        response = conn.getresponse()
        assert response.status == 200
        assert response.read() == expected
    finally:
        conn.close()


def test_many_connections_come_and_go(extpoll_server):
    # Exercises ADD_POLL_FD / DEL_POLL_FD bookkeeping: fds are reused.
    for round_ in range(3):
        with contextlib.ExitStack() as stack:
            clients = [stack.enter_context(
                wsclient.connect(extpoll_server.port,
                                 protocol=scenarios.MIRROR))
                for _ in range(30)]
            clients[0].send(f"round {round_}")
            for ws in clients:
                assert ws.recv(timeout=10) == f"round {round_}"
            for ws in clients[::2]:
                ws.close()
            clients[1].send("after half left")
            for ws in clients[1::2]:
                assert ws.recv(timeout=10) == "after half left"
