"""Our servers behind nginx, configured by docs/nginx-websocket.conf.

Each test starts two plain and two TLS (--ssl) servers of one test
program, and nginx in front of them (nginxproxy), then talks to nginx with
the `websockets` package through one of the config's three front doors:

  ws              ws:// to nginx, ws:// on to our servers
  wss-terminated  wss:// to nginx, ws:// on to our servers
  wss-end-to-end  wss:// to nginx, wss:// on to our servers (nginx checks
                  their certificate)

The asyncio client throughout: over TLS the sync one can lose its opening
request (see tlstools.WssClient).
"""

import asyncio
import http.client
import os
import random

import pytest
from websockets.exceptions import ConnectionClosedError, InvalidStatus

import nginxproxy
import programs
import rawws
import tlstools
import wsclient
from certs import tls_certs  # noqa: F401  (the session's certificates)
from rawws import OP_TEXT

DOORS = list(nginxproxy.DOORS)
MIB = 1 << 20


@pytest.fixture
def front(start_server, tls_certs, tmp_path, request):  # noqa: F811
    """Factory: front(program, *args) -> a running nginxproxy.Nginx before
    two plain and two TLS servers `program *args`, which it keeps as
    .plain_servers and .tls_servers."""

    def make(program, *args):
        plain = [start_server(program, *args) for _ in range(2)]
        tls = [start_server(program, *args, "--ssl",
                            "--ssl-cert", tls_certs.server_pem,
                            "--ssl-key", tls_certs.server_key)
               for _ in range(2)]
        nginx = nginxproxy.Nginx(str(tmp_path / "nginx"), tls_certs,
                                 [s.port for s in plain],
                                 [s.port for s in tls])
        # Stopped, checked and reported with the servers.
        request.node.lws_servers.append(nginx)
        nginx.start()
        nginx.plain_servers = plain
        nginx.tls_servers = tls
        return nginx

    return make


@pytest.fixture
def echo_front(front):
    return front(programs.TEST_ECHO)


@pytest.fixture
def server_front(front, resource_dir):
    return front(programs.TEST_SERVER, "--resource-path", resource_dir)


def connect(nginx, door, certs, protocol=None, **kwargs):
    """A websockets asyncio connection to nginx's front door."""
    if door != "ws":
        kwargs.update(scheme="wss", ssl=tlstools.client_ssl_context(certs))
    return wsclient.aconnect(nginx.ports[door], protocol, **kwargs)


def run(coro, timeout=120):
    asyncio.run(asyncio.wait_for(coro, timeout))


async def echoed(ws, message, timeout=30):
    await ws.send(message)
    return await asyncio.wait_for(ws.recv(), timeout)


# ------------------------------------------------------------ test-echo

@pytest.mark.parametrize("door", DOORS)
def test_messages_echo_through_the_proxy(echo_front, tls_certs, door):  # noqa: F811
    messages = ["hello", "", "ünïcødé ✓ 🚀", b"\x00\xff" * 100,
                "x" * 70000, bytes(range(256)) * 300]

    async def scenario():
        async with connect(echo_front, door, tls_certs) as ws:
            for message in messages:
                assert await echoed(ws, message) == message
            # In order, when many are in flight.
            for i in range(200):
                await ws.send(f"message {i}")
            for i in range(200):
                assert await asyncio.wait_for(ws.recv(), 30) == \
                    f"message {i}"

    run(scenario())


@pytest.mark.parametrize("door", DOORS)
def test_16_mib_messages(echo_front, tls_certs, door):  # noqa: F811
    binary = random.randbytes(16 * MIB)
    text = "".join(chr(32 + i % 95) for i in range(MIB)) * 16

    async def scenario():
        async with connect(echo_front, door, tls_certs) as ws:
            assert await echoed(ws, binary, 60) == binary
            assert await echoed(ws, text, 60) == text

    run(scenario())


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("code", [1000, 1001, 4321])
def test_close_code_of_the_client_comes_back(echo_front, tls_certs, door,  # noqa: F811
                                             code):
    async def scenario():
        async with connect(echo_front, door, tls_certs) as ws:
            assert await echoed(ws, "last") == "last"
            await ws.close(code, "going")
            assert ws.close_code == code

    run(scenario())


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("frame,code", [
    (rawws.build_frame(0x3, b"reserved opcode"), 1002),
    (rawws.build_frame(OP_TEXT, b"bad \xff text"), 1007),
], ids=["1002", "1007"])
def test_close_code_of_the_server_gets_through(echo_front, tls_certs, door,  # noqa: F811
                                               frame, code):
    async def scenario():
        async with connect(echo_front, door, tls_certs) as ws:
            ws.transport.write(frame)
            with pytest.raises(ConnectionClosedError) as closed:
                await asyncio.wait_for(ws.recv(), 30)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == code

    run(scenario())


@pytest.mark.parametrize("door", DOORS)
def test_permessage_deflate_through_the_proxy(echo_front, tls_certs, door):  # noqa: F811
    records = "".join(f'{{"id": {i}, "name": "user{i % 97}", '
                      f'"score": {i * 7 % 1000}}}\n' for i in range(40000))

    async def scenario():
        async with connect(echo_front, door, tls_certs,
                           compression="deflate") as ws:
            offered = ws.response.headers.get("Sec-WebSocket-Extensions", "")
            assert offered.startswith("permessage-deflate"), offered
            assert [e.name for e in ws.protocol.extensions] == \
                ["permessage-deflate"]
            assert await echoed(ws, records) == records
            for i in range(100):
                assert await echoed(ws, f"small {i} " * 10) == \
                    f"small {i} " * 10

    run(scenario())


def test_connections_spread_over_the_servers(echo_front, tls_certs):  # noqa: F811
    per_door = 20

    async def open_and_echo(door):
        clients = await asyncio.gather(*(connect(echo_front, door, tls_certs)
                                         for _ in range(per_door)))
        try:
            for i, ws in enumerate(clients):
                assert await echoed(ws, f"{door} {i}") == f"{door} {i}"
        finally:
            await asyncio.gather(*(ws.close() for ws in clients))

    run(open_and_echo("ws"))
    run(open_and_echo("wss-end-to-end"))
    assert echo_front.stop() == 0, echo_front.stderr_text()
    for servers in (echo_front.plain_servers, echo_front.tls_servers):
        counts = []
        for server in servers:
            assert server.stop() == 0
            counts.append(sum(server.accepted_connections().values()))
        assert all(n > 0 for n in counts), counts
        assert sum(counts) == per_door
    # nginx's own record: upgraded (101), to both servers.
    log = echo_front.access_log()
    assert log.count('" 101 upstream=') == 2 * per_door
    for server in echo_front.plain_servers + echo_front.tls_servers:
        assert f"upstream=127.0.0.1:{server.port} " in log


# ---------------------------------------------------------- test-server

@pytest.mark.parametrize("door", DOORS)
def test_subprotocols_through_the_proxy(server_front, tls_certs, door):  # noqa: F811
    async def scenario():
        async with connect(server_front, door, tls_certs,
                           "dumb-increment-protocol") as ws:
            assert ws.subprotocol == "dumb-increment-protocol"
            assert (await asyncio.wait_for(ws.recv(), 10)).isdigit()
        async with connect(server_front, door, tls_certs,
                           subprotocols=["no-such-protocol",
                                         "lws-mirror-protocol"]) as ws:
            assert ws.subprotocol == "lws-mirror-protocol"
        with pytest.raises(InvalidStatus) as refused:
            async with connect(server_front, door, tls_certs,
                               "no-such-protocol"):
                pass
        assert refused.value.response.status_code == 400

    run(scenario())


@pytest.mark.parametrize("door", DOORS)
def test_http_files_through_the_proxy(server_front, tls_certs, door,  # noqa: F811
                                      resource_dir):
    port = server_front.ports[door]
    if door == "ws":
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    else:
        conn = http.client.HTTPSConnection(
            "127.0.0.1", port, timeout=10,
            context=tlstools.client_ssl_context(tls_certs))
    try:
        for name in ("test.html", "leaf.png"):
            with open(os.path.join(resource_dir, name), "rb") as f:
                expected = f.read()
            conn.request("GET", "/" + name)
            response = conn.getresponse()
            assert response.status == 200
            assert response.read() == expected
        conn.request("GET", "/no-such-file.html")
        assert conn.getresponse().status == 404
    finally:
        conn.close()
