"""Our client as 1.4 client programs use it, against RFC and 1.4 servers.

1.4's test client names a protocols[] entry with a comma list
("dumb-increment-protocol,fake-nonexistant-protocol") and offers that
string as Sec-WebSocket-Protocol.  An RFC server (the websockets package
here) answers one name of it; a 1.4 server echoed the whole list.  Either
answer must establish the connection on that entry; an answer naming
something we did not offer must still fail it.
"""

import pytest

from peers import RawServer, run_scenario, websockets_server
from rawws import build_frame

LIST = "dumb-increment-protocol,fake-nonexistant-protocol"
# protocols[0] is http-only, protocols[1] is named with the whole list.
SERVE = "http-only;" + LIST


def test_rfc_server_answers_one_name_of_the_list():
    seen = {}

    def handler(ws):
        seen["protocol"] = ws.subprotocol
        for message in ws:
            ws.send(message)

    with websockets_server(handler, subprotocols=["dumb-increment-protocol"]) as port:
        out = run_scenario(port, "--protocols", LIST, "--serve", SERVE,
                           "--send", 2, "--verify")
    assert out.returncode == 0, out.explain()
    assert seen["protocol"] == "dumb-increment-protocol"
    assert out.of("ESTABLISHED") == [{"conn": "0", "protocol": LIST, "via": LIST}]
    assert [m["via"] for m in out.of("MESSAGE")] == [LIST, LIST]


def answering(value):
    """A RawServer handler: a correct 101 naming `value`, then echo frames
    until the client closes."""
    def handler(peer):
        request = peer.read_request()
        if request is None:
            return
        peer.send(peer.accept_101(request, extra=["Sec-WebSocket-Protocol: " + value]))
        for frame in peer.frames_until_close():
            peer.send(build_frame(frame.opcode, frame.payload, fin=frame.fin, mask=False))
    return handler


@pytest.mark.parametrize("answer", [LIST, "fake-nonexistant-protocol"],
                         ids=["whole list echoed (1.4 server)", "second name"])
def test_list_answers_bind_the_list_entry(answer):
    with RawServer(answering(answer)) as server:
        out = run_scenario(server.port, "--protocols", LIST, "--serve", SERVE,
                           "--send", 2, "--verify")
    assert not server.errors, server.errors
    assert out.returncode == 0, out.explain()
    assert out.of("ESTABLISHED") == [{"conn": "0", "protocol": LIST, "via": LIST}]


def test_a_name_we_did_not_offer_still_fails():
    with RawServer(answering("zeta")) as server:
        out = run_scenario(server.port, "--protocols", LIST, "--serve", SERVE,
                           "--timeout", 10)
    assert out.returncode == 1, out.explain()
    assert len(out.of("CONNECTION_ERROR")) == 1
    assert "ESTABLISHED" not in out.kinds()
