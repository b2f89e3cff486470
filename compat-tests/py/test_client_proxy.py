"""Client connections through an HTTP CONNECT proxy (peers.ConnectProxy):
set by the http_proxy environment variable, which the library reads at
context creation, or by libwebsocket_set_proxy() (the scenario program's
--proxy).  The proxy records every request, so the tests see that the
connection really went through it.
"""

import socket

import pytest

import peers
from peers import (ConnectProxy, client_env, raw_server, run_program,
                   run_scenario, websockets_server)


def echo(ws):
    for message in ws:
        ws.send(message)


@pytest.mark.parametrize("spelling", ["http://127.0.0.1:{}/",
                                      "127.0.0.1:{}"])
def test_through_proxy_from_environment(spelling):
    with websockets_server(echo, subprotocols=["echo"]) as port, \
            ConnectProxy() as proxy:
        env = client_env(http_proxy=spelling.format(proxy.port))
        out = run_scenario(port, "--protocols", "echo", "--send", 3,
                           "--size", 5000, "--verify", env=env)
    assert out.returncode == 0, out.explain()
    assert proxy.requests == [f"CONNECT 127.0.0.1:{port} HTTP/1.1"]
    assert proxy.tunnels == [f"127.0.0.1:{port}"]
    assert proxy.bytes_relayed > 3 * 5000 * 2


def test_through_proxy_from_set_proxy():
    with websockets_server(echo) as port, ConnectProxy() as proxy:
        out = run_scenario(port, "--proxy", f"127.0.0.1:{proxy.port}",
                           "--connections", 3, "--send", 2, "--verify")
    assert out.returncode == 0, out.explain()
    assert out.of("SET_PROXY") == [{"rc": "0"}]
    assert proxy.tunnels == [f"127.0.0.1:{port}"] * 3


def test_set_proxy_overrides_environment():
    """libwebsocket_set_proxy() replaces what http_proxy said."""
    with websockets_server(echo) as port, ConnectProxy() as used, \
            ConnectProxy() as ignored:
        env = client_env(http_proxy=f"127.0.0.1:{ignored.port}")
        out = run_scenario(port, "--proxy", f"127.0.0.1:{used.port}",
                           "--send", 1, "--verify", env=env)
    assert out.returncode == 0, out.explain()
    assert len(used.tunnels) == 1 and not ignored.requests


def test_host_name_target_resolved_by_proxy():
    """The CONNECT target is the address as given: a name the proxy
    resolves, not an address the client looked up."""
    with websockets_server(echo) as port, ConnectProxy() as proxy:
        out = run_scenario(port, "--proxy", f"127.0.0.1:{proxy.port}",
                           "--send", 1, "--verify", address="localhost")
    assert out.returncode == 0, out.explain()
    assert proxy.tunnels == [f"localhost:{port}"]


@pytest.mark.parametrize("bad", ["127.0.0.1", "127.0.0.1:", ":8080",
                                 "127.0.0.1:99999", "127.0.0.1:80x"])
def test_set_proxy_rejects_malformed(bad):
    out = run_scenario(1, "--proxy", bad)
    assert out.of("SET_PROXY") == [{"rc": "-1"}], out.explain()
    assert out.returncode == 5


@pytest.mark.parametrize("status", [403, 407, 502])
def test_proxy_refuses(status):
    with websockets_server(echo) as port, \
            ConnectProxy(refuse=status) as proxy:
        out = run_scenario(port, "--proxy", f"127.0.0.1:{proxy.port}",
                           "--send", 1)
    assert out.returncode == 1, out.explain()
    assert len(out.of("CONNECTION_ERROR")) == 1
    assert "ESTABLISHED" not in out.kinds()
    assert proxy.requests == [f"CONNECT 127.0.0.1:{port} HTTP/1.1"]
    assert out.elapsed < 5


def test_proxy_not_listening():
    port = peers.programs.free_port()
    out = run_scenario(9, "--proxy", f"127.0.0.1:{port}")
    assert out.returncode == 1, out.explain()
    assert len(out.of("CONNECTION_ERROR")) + \
        len(out.of("CONNECT_FAILED")) == 1


def test_proxy_never_answers():
    """A proxy that takes the CONNECT and says nothing: the proxy timeout
    ends it in CONNECTION_ERROR, never a hang."""
    def handler(peer):
        peer.read_request()
        peer.wait_eof(25)

    with raw_server(handler) as proxy:
        out = run_scenario(9, "--proxy", f"127.0.0.1:{proxy.port}",
                           "--timeout", 25, timeout=30)
    assert out.returncode == 1, out.explain()
    assert len(out.of("CONNECTION_ERROR")) == 1
    assert out.elapsed < 15


def test_proxy_answers_garbage():
    def handler(peer):
        peer.read_request()
        peer.send(b"\x00\x01garbage\r\n\r\n")
        peer.wait_eof(10)

    with raw_server(handler) as proxy:
        out = run_scenario(9, "--proxy", f"127.0.0.1:{proxy.port}")
    assert out.returncode == 1, out.explain()
    assert len(out.of("CONNECTION_ERROR")) == 1


def test_test_client_through_proxy(test_server):
    """libwebsockets-test-client, proxied by the environment, against our
    test server: both its connections go through the tunnel."""
    with ConnectProxy() as proxy:
        env = client_env(http_proxy=f"127.0.0.1:{proxy.port}")
        out = run_program(peers.TEST_CLIENT,
                          ["127.0.0.1", "--port", test_server.port,
                           "--number", 20], env=env, timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    assert proxy.tunnels == [f"127.0.0.1:{test_server.port}"] * 2


def test_ipv6_target_through_proxy():
    """An IPv6 literal as CONNECT target is written in brackets."""
    try:
        probe = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        probe.bind(("::1", 0))
        probe.close()
    except OSError:
        pytest.skip("no IPv6 loopback")

    with websockets_server(echo, host="::1",
                           family=socket.AF_INET6) as port, \
            ConnectProxy() as proxy:
        out = run_scenario(port, "--proxy", f"127.0.0.1:{proxy.port}",
                           "--send", 1, "--verify", address="::1")
    assert proxy.tunnels == [f"[::1]:{port}"], out.explain()
    assert out.returncode == 0, out.explain()
