"""Opening handshakes whose header lines end in a bare LF.

libwebsockets 1.4's test-echo client passes "address:port\\n" as the host
of libwebsocket_client_connect, and the client writes it into
"Host: %s\\r\\n" unchanged, so its handshake carries the line
"Host: 127.0.0.1:PORT\\n\\r\\n" in the middle of the head.  The 1.4 server
upgraded that request; a server that ends the head at the "\\n\\r\\n" serves
"GET /" as a page instead and the client waits for its 101 forever.

The request below is byte for byte what that client sends (its
Sec-WebSocket-Key aside), sent to our echo server; the test then checks the
connection really is a working WebSocket by echoing a message through it.
"""

import rawws
from extkit import Deflater, Inflater
from rawws import OP_TEXT, RawWebSocket

# What the 1.4 client offers: its built-in extensions, in its order.
LEGACY_EXTENSIONS = "x-webkit-deflate-frame,deflate-frame"


def legacy_echo_request(port, key):
    """The 1.4 test-echo client's handshake, its Host ending in "\\n"."""
    return (
        b"GET / HTTP/1.1\r\n"
        b"Pragma: no-cache\r\n"
        b"Cache-Control: no-cache\r\n"
        b"Host: 127.0.0.1:%d\n\r\n"
        b"Upgrade: websocket\r\n"
        b"Connection: Upgrade\r\n"
        b"Sec-WebSocket-Key: %s\r\n"
        b"Origin: http://origin\r\n"
        b"Sec-WebSocket-Extensions: %s\r\n"
        b"Sec-WebSocket-Version: 13\r\n"
        b"\r\n" % (port, key.encode("ascii"), LEGACY_EXTENSIONS.encode()))


def test_legacy_test_echo_handshake_is_upgraded_and_echoes(echo_server):
    port = echo_server.port
    key = rawws.new_key()
    sock = rawws.open_socket(port)
    with sock:
        sock.sendall(legacy_echo_request(port, key))
        response, rest = rawws.read_response_head(sock)
        assert response is not None, "server closed without answering"
        assert response.status == 101, response.raw_head
        assert response.header("sec-websocket-accept") == \
            rawws.accept_for(key)
        # deflate-frame, if the server took it, compresses frame by frame
        # (RSV1 marks a compressed frame); the echo must come back intact
        # either way.
        negotiated = response.header("sec-websocket-extensions")
        assert negotiated in (None, "x-webkit-deflate-frame",
                              "deflate-frame"), negotiated
        ws = RawWebSocket(sock, response, rest)
        message = b"test-echo message 0"
        if negotiated:
            ws.send_frame(OP_TEXT, Deflater().message(message), rsv=4)
        else:
            ws.send_frame(OP_TEXT, message)
        frame = ws.recv_frame()
        assert frame.opcode == OP_TEXT and frame.fin
        payload = Inflater().message(frame.payload) if frame.rsv & 4 \
            else frame.payload
        assert payload == message
