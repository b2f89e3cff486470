"""The opening handshake (RFC 6455 section 4) against the test server.

The test server offers protocols[0] "http-only", then
"dumb-increment-protocol" and "lws-mirror-protocol".  As documented for
libwebsocket_create_context / struct libwebsocket_protocols, a client that
asks for no subprotocol is bound to protocols[0].
"""

import time

import pytest

import rawws
import wsclient
from rawws import OP_PING, OP_PONG, OP_TEXT, RawWebSocket


@pytest.mark.parametrize("protocol", ["dumb-increment-protocol",
                                      "lws-mirror-protocol"])
def test_upgrade_with_subprotocol(test_server, protocol):
    with RawWebSocket.connect(test_server.port, protocol=protocol) as ws:
        response = ws.response
        assert response.status == 101
        assert response.header("upgrade").lower() == "websocket"
        assert "upgrade" in response.header("connection").lower()
        assert response.header("sec-websocket-protocol") == protocol


def test_websockets_client_negotiates_subprotocol(test_server):
    with wsclient.connect(test_server.port,
                          protocol="dumb-increment-protocol") as ws:
        assert ws.subprotocol == "dumb-increment-protocol"
        assert ws.recv(timeout=10).isdigit()


def test_first_acceptable_protocol_of_a_list_is_chosen(test_server):
    with RawWebSocket.connect(
            test_server.port,
            protocol="no-such-protocol, dumb-increment-protocol") as ws:
        assert ws.response.header("sec-websocket-protocol") == \
            "dumb-increment-protocol"
        opcode, payload = ws.recv_message()
        assert opcode == OP_TEXT and payload.isdigit()


def test_no_subprotocol_binds_protocols_0(test_server):
    # Accepted, no protocol named in the answer, and served by
    # protocols[0] ("http-only"), which sends nothing: unlike a
    # dumb-increment connection, no counter arrives.
    with RawWebSocket.connect(test_server.port) as ws:
        assert ws.response.status == 101
        assert ws.response.header("sec-websocket-protocol") is None
        time.sleep(0.5)                 # ten dumb-increment ticks
        ws.send_frame(OP_PING, b"alive?")
        frame = ws.recv_frame()
        assert (frame.opcode, frame.payload) == (OP_PONG, b"alive?")


def _refused(response):
    return response is None or response.status >= 400


def test_unknown_subprotocol_is_refused(test_server):
    response = rawws.handshake_response(test_server.port,
                                        protocol="no-such-protocol")
    assert _refused(response), f"accepted: {response.raw_head!r}"


@pytest.mark.parametrize("version", ["7", "8", "12", "14"])
def test_wrong_version_gets_426(test_server, version):
    response = rawws.handshake_response(
        test_server.port, protocol="dumb-increment-protocol",
        headers=[("Sec-WebSocket-Version", version)])
    assert response is not None, "connection closed without an answer"
    assert response.status == 426
    versions = [v.strip() for v in
                response.header("sec-websocket-version", "").split(",")]
    assert "13" in versions


@pytest.mark.parametrize("missing", ["Host", "Sec-WebSocket-Key"])
def test_missing_required_header_gets_400(test_server, missing):
    response = rawws.handshake_response(
        test_server.port, protocol="dumb-increment-protocol",
        omit=[missing])
    assert response is not None, "connection closed without an answer"
    assert response.status == 400


@pytest.mark.parametrize("upgrade,connection", [
    ("websocket", "Upgrade"),
    ("WebSocket", "upgrade"),
    ("WEBSOCKET", "UPGRADE"),
    ("websocket", "keep-alive, Upgrade"),
    ("websocket", "Upgrade, keep-alive"),
    ("websocket", "keep-alive,upgrade"),
])
def test_upgrade_and_connection_headers_are_flexible(test_server, upgrade,
                                                     connection):
    with RawWebSocket.connect(
            test_server.port, protocol="dumb-increment-protocol",
            headers=[("Upgrade", upgrade),
                     ("Connection", connection)]) as ws:
        assert ws.response.status == 101
        opcode, payload = ws.recv_message()
        assert opcode == OP_TEXT and payload.isdigit()


def test_header_names_are_case_insensitive(test_server):
    with RawWebSocket.connect(
            test_server.port,
            headers=[("sec-websocket-protocol", "lws-mirror-protocol"),
                     ("UPGRADE", "websocket"),
                     ("connection", "Upgrade"),
                     ("SEC-WEBSOCKET-VERSION", "13")]) as ws:
        assert ws.response.status == 101
        assert ws.response.header("sec-websocket-protocol") == \
            "lws-mirror-protocol"


def test_handshake_split_across_packets(test_server):
    # The request may arrive a few bytes at a time.
    request = rawws.handshake_request(test_server.port,
                                      protocol="dumb-increment-protocol")
    with rawws.open_socket(test_server.port) as sock:
        for i in range(0, len(request), 7):
            sock.sendall(request[i:i + 7])
            time.sleep(0.002)
        response, _ = rawws.read_response_head(sock)
    assert response is not None and response.status == 101


def test_many_sequential_handshakes(test_server):
    for _ in range(50):
        with wsclient.connect(test_server.port,
                              protocol="lws-mirror-protocol") as ws:
            assert ws.subprotocol == "lws-mirror-protocol"
