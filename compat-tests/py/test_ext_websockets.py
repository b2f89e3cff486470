"""permessage-deflate against an independent implementation: the Python
`websockets` package, as client of test-echo and as server for our client
(libwebsockets-test-ext), with the parameters of RFC 7692 section 7.1:
server_no_context_takeover, client_no_context_takeover,
server_max_window_bits 8..15, client_max_window_bits with and without a
value.  Each case checks the Sec-WebSocket-Extensions value both ends
agreed on and that messages survive the round trip (zlib on the other
end would reject data using a longer distance than the agreed window).

Then offers RFC 7692 says a server must decline (a window size out of
8..15, a repeated or unknown parameter, a value on a flag): the
connection is still established, only without the extension.
"""

import os

import pytest
from websockets.extensions.permessage_deflate import (
    ClientPerMessageDeflateFactory, ServerPerMessageDeflateFactory)

import extkit
import wsclient
from extkit import TEST_EXT, Inflater
from peers import websockets_server
from rawws import OP_TEXT


def window_probe(bits):
    """Data whose best matches lie just beyond a 2**bits window: random
    blocks of that size repeated.  A compressor that used a longer window
    than agreed would emit distances the peer's zlib refuses."""
    block = os.urandom((1 << bits) + 40)
    return block * 4


def messages_for(bits=15):
    return [
        "",
        "héllo wörld ✓",
        extkit.json_like(16 << 10).decode(),
        extkit.json_like(16 << 10, seed=8).decode(),  # context helps here
        os.urandom(70000),                             # incompressible
        window_probe(min(bits, 12)),
        bytes(1 << 20),
    ]


def round_trip(ws, messages):
    for message in messages:
        ws.send(message)
        assert ws.recv(timeout=10) == message


# --------------------------------------- websockets client -> test-echo

CLIENT_OFFERS = [
    ({}, "permessage-deflate"),
    ({"client_max_window_bits": None}, "permessage-deflate"),
    ({"server_no_context_takeover": True},
     "permessage-deflate; server_no_context_takeover"),
    ({"client_no_context_takeover": True},
     "permessage-deflate; client_no_context_takeover"),
    ({"client_max_window_bits": 9},
     "permessage-deflate; client_max_window_bits=9"),
    ({"client_max_window_bits": 12},
     "permessage-deflate; client_max_window_bits=12"),
    ({"client_max_window_bits": 15}, "permessage-deflate"),
    ({"server_no_context_takeover": True, "client_no_context_takeover": True,
      "server_max_window_bits": 10, "client_max_window_bits": 9},
     "permessage-deflate; server_no_context_takeover; "
     "client_no_context_takeover; server_max_window_bits=10; "
     "client_max_window_bits=9"),
] + [({"server_max_window_bits": bits},
      f"permessage-deflate; server_max_window_bits={bits}")
     for bits in range(8, 16)]


@pytest.mark.parametrize("params,expected", CLIENT_OFFERS,
                         ids=[e.partition("; ")[2] or "plain"
                              for _, e in CLIENT_OFFERS])
def test_websockets_client_against_our_server(echo_server, params,
                                              expected):
    factory = ClientPerMessageDeflateFactory(**params)
    with wsclient.connect(echo_server.port, extensions=[factory]) as ws:
        assert ws.response.headers["Sec-WebSocket-Extensions"] == expected
        bits = params.get("server_max_window_bits") or 15
        round_trip(ws, messages_for(bits))


def test_websockets_default_compression_against_our_server(echo_server):
    with wsclient.connect(echo_server.port, compression="deflate") as ws:
        assert ws.response.headers["Sec-WebSocket-Extensions"] == \
            "permessage-deflate"
        round_trip(ws, messages_for())


# ------------------------------------ our client -> websockets server

SERVER_ANSWERS = [
    ({}, "permessage-deflate"),
    ({"server_no_context_takeover": True},
     "permessage-deflate; server_no_context_takeover"),
    ({"client_no_context_takeover": True},
     "permessage-deflate; client_no_context_takeover"),
    ({"client_max_window_bits": 9},
     "permessage-deflate; client_max_window_bits=9"),
    ({"client_max_window_bits": 15},
     "permessage-deflate; client_max_window_bits=15"),
    ({"client_max_window_bits": 10, "require_client_max_window_bits": True},
     "permessage-deflate; client_max_window_bits=10"),
    ({"server_no_context_takeover": True, "client_no_context_takeover": True,
      "server_max_window_bits": 9, "client_max_window_bits": 9},
     "permessage-deflate; server_no_context_takeover; "
     "client_no_context_takeover; server_max_window_bits=9; "
     "client_max_window_bits=9"),
] + [({"server_max_window_bits": bits},
      f"permessage-deflate; server_max_window_bits={bits}")
     for bits in (9, 10, 11, 12, 13, 14, 15)]


def _echo(ws):
    for message in ws:
        ws.send(message)


@pytest.mark.parametrize("params,expected", SERVER_ANSWERS,
                         ids=[e.partition("; ")[2] or "plain"
                              for _, e in SERVER_ANSWERS])
def test_our_client_against_websockets_server(params, expected):
    factory = ServerPerMessageDeflateFactory(**params)
    with websockets_server(_echo, extensions=[factory],
                           subprotocols=["ext-test"]) as port:
        out = extkit.run_ext_client(port, "--ext", "permessage-deflate",
                                    "--sizes", "0,1,3000,70000,1048576",
                                    "--fragments", "2")
    assert out.returncode == 0, out.explain()
    assert extkit.negotiated(out.stdout.splitlines()) == expected
    assert [m["ok"] for m in out.of("MESSAGE")] == ["1"] * 5


def test_our_client_against_websockets_default_compression():
    with websockets_server(_echo, compression="deflate",
                           subprotocols=["ext-test"]) as port:
        out = extkit.run_ext_client(port, "--ext", "permessage-deflate",
                                    "--sizes", "0,5,100000", "--binary")
    assert out.returncode == 0, out.explain()
    assert extkit.negotiated(out.stdout.splitlines()) == \
        "permessage-deflate; server_max_window_bits=12; " \
        "client_max_window_bits=12"
    assert [m["ok"] for m in out.of("MESSAGE")] == ["1"] * 3


def test_our_client_offer_as_the_websockets_server_sees_it():
    offers = []

    def handler(ws):
        offers.append(ws.request.headers.get("Sec-WebSocket-Extensions"))
        _echo(ws)

    with websockets_server(handler, compression="deflate",
                           subprotocols=["ext-test"]) as port:
        out = extkit.run_ext_client(port, "--ext", "permessage-deflate")
    assert out.returncode == 0, out.explain()
    assert offers == ["permessage-deflate; client_max_window_bits"]


# ----------------------------------- offers a server must refuse (7.1)

DECLINED = [
    "permessage-deflate; server_max_window_bits=7",
    "permessage-deflate; server_max_window_bits=16",
    "permessage-deflate; server_max_window_bits=08",
    "permessage-deflate; server_max_window_bits",
    "permessage-deflate; server_max_window_bits=abc",
    "permessage-deflate; client_max_window_bits=7",
    "permessage-deflate; client_max_window_bits=16",
    "permessage-deflate; server_no_context_takeover; "
    "server_no_context_takeover",
    "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
    "permessage-deflate; server_max_window_bits=10; "
    "server_max_window_bits=11",
    "permessage-deflate; server_no_context_takeover=1",
    "permessage-deflate; mystery=1",
    "permessage-deflate; mystery",
]


@pytest.mark.parametrize("offer", DECLINED)
def test_invalid_offer_is_declined(echo_server, offer):
    with extkit.connect(echo_server.port, offer=offer) as ws:
        assert ws.response.status == 101
        assert ws.response.header("sec-websocket-extensions") is None
        ws.send_frame(OP_TEXT, b"still works, uncompressed")
        frames = extkit.recv_data_frames(ws)
        assert [(f.rsv, f.payload) for f in frames] == \
            [(0, b"still works, uncompressed")]


def test_websockets_client_when_server_declines(echo_server):
    """A websockets client whose offer our server must decline goes on
    without compression."""
    with wsclient.connect(echo_server.port,
                          additional_headers={
                              "Sec-WebSocket-Extensions":
                              "permessage-deflate; mystery=1"}) as ws:
        assert "Sec-WebSocket-Extensions" not in ws.response.headers
        round_trip(ws, ["plain", b"\x00" * 1000])


@pytest.mark.parametrize("offer,expected", [
    ("permessage-deflate; server_max_window_bits=7, permessage-deflate",
     "permessage-deflate"),
    ("permessage-deflate; mystery, permessage-deflate; "
     "client_no_context_takeover",
     "permessage-deflate; client_no_context_takeover"),
    ("x-unknown, permessage-deflate; client_max_window_bits",
     "permessage-deflate"),
    ('permessage-deflate; server_max_window_bits="11"',
     "permessage-deflate; server_max_window_bits=11"),
])
def test_fallback_offers(echo_server, offer, expected):
    """A client may offer alternatives: the first acceptable one wins."""
    with extkit.connect(echo_server.port, offer=offer) as ws:
        assert ws.response.header("sec-websocket-extensions") == expected


@pytest.mark.parametrize("bits", [9, 10, 12])
def test_server_window_limit_is_kept(echo_server, bits):
    """server_max_window_bits=N: what our server compresses inflates with
    an N-bit window even when longer matches were there to take."""
    data = window_probe(bits)
    with extkit.connect(echo_server.port,
                        offer=f"permessage-deflate; "
                              f"server_max_window_bits={bits}") as ws:
        assert ws.response.header("sec-websocket-extensions") == \
            f"permessage-deflate; server_max_window_bits={bits}"
        ws.send_frame(OP_TEXT, data.hex().encode())
        [frame] = extkit.recv_data_frames(ws)
        assert frame.rsv == 4
        assert Inflater(wbits=bits).message(frame.payload) == \
            data.hex().encode()
