"""wss:// from the client programs, against our servers started with --ssl
and against a TLS `websockets` server, with certificates the test makes
with the openssl CLI.

ssl_connection 2 accepts a self-signed server certificate; 1 verifies the
chain (against --ssl-ca / ssl_ca_filepath) and the host name.
"""

import ssl

import pytest

import peers
import programs
from peers import (ConnectProxy, client_env, make_certificate, run_program,
                   run_scenario, websockets_server)


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    directory = str(tmp_path_factory.mktemp("tls"))
    good = make_certificate(directory)
    wrong = make_certificate(directory, "wrong-host", cn="wrong.example",
                             san="DNS:wrong.example")
    return {"good": good, "wrong": wrong}


@pytest.fixture
def tls_test_server(start_server, resource_dir, certs):
    cert, key = certs["good"]
    return start_server(programs.TEST_SERVER, "--resource-path",
                        resource_dir, "--ssl", "--ssl-cert", cert,
                        "--ssl-key", key)


@pytest.fixture
def tls_echo_server(start_server, certs):
    cert, key = certs["good"]
    return start_server(programs.TEST_ECHO, "--ssl", "--ssl-cert", cert,
                        "--ssl-key", key)


def server_context(cert, key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def echo(ws):
    for message in ws:
        ws.send(message)


def test_test_client_ssl(tls_test_server):
    out = run_program(peers.TEST_CLIENT,
                      ["127.0.0.1", "--port", tls_test_server.port, "--ssl",
                       "--number", 100, "--interval", 2], timeout=60)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr
    assert "100 strokes sent, 100 came back, 0 in flight" in out.stdout


@pytest.mark.parametrize("address", ["localhost", "127.0.0.1"])
def test_test_client_verified(tls_test_server, certs, address):
    """ssl_connection 1 with the certificate as CA: chain and name (DNS
    or IP subjectAltName) verify."""
    out = run_program(peers.TEST_CLIENT,
                      [address, "-p", tls_test_server.port, "--ssl-verify",
                       "--ssl-ca", certs["good"][0], "-n", 10], timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr


def test_test_client_verify_fails_without_ca(tls_test_server):
    out = run_program(peers.TEST_CLIENT,
                      ["localhost", "-p", tls_test_server.port,
                       "--ssl-verify", "-n", 10], timeout=30)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "connection failed" in out.stderr


def test_echo_client_ssl(tls_echo_server):
    out = run_program(programs.TEST_ECHO,
                      ["--client", "127.0.0.1", "--port",
                       tls_echo_server.port, "--ssl", "--count", 5,
                       "--rate", 100], timeout=30)
    assert out.returncode == 0, out.stderr
    assert [line for line in out.stdout.splitlines()
            if line.startswith("rx ")] == \
        [f"rx {i + 1}: test-echo message {i}" for i in range(5)]


def test_ping_ssl(tls_test_server):
    out = run_program(peers.TEST_PING,
                      ["127.0.0.1", "-p", tls_test_server.port, "--ssl",
                       "-n", 200, "-f", "-q"], timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "200 packets transmitted, 200 received, 0% packet loss" in \
        out.stdout


def test_scenario_ssl_big_messages(tls_echo_server):
    out = run_scenario(tls_echo_server.port, "--ssl", 2, "--protocols",
                       "lws-echo", "--send", 3, "--size", 3 << 20,
                       "--binary", "--verify", timeout=60)
    assert out.returncode == 0, out.explain()
    assert [m["ok"] for m in out.of("MESSAGE")] == ["1"] * 3


def test_scenario_ssl_many_connections(tls_echo_server):
    out = run_scenario(tls_echo_server.port, "--ssl", 2, "--protocols",
                       "lws-echo", "--connections", 100, "--together",
                       "--send", 2, "--verify", "--quiet", timeout=60)
    assert out.returncode == 0, out.explain()
    assert out.summary()["max_open"] == 100


# ------------------------------------------- against Python's TLS server

@pytest.mark.parametrize("ssl_connection,ca,address,ok", [
    (2, None, "127.0.0.1", True),            # self-signed accepted
    (1, "good", "localhost", True),          # verified against the CA
    (1, None, "localhost", False),           # untrusted
    (1, "wrong", "localhost", False),        # another certificate as CA
])
def test_scenario_against_websockets_tls(certs, ssl_connection, ca,
                                         address, ok):
    cert, key = certs["good"]
    args = ["--ssl", ssl_connection, "--send", 2, "--verify"]
    if ca:
        args += ["--ca", certs[ca][0]]
    with websockets_server(echo, ssl=server_context(cert, key)) as port:
        out = run_scenario(port, *args, address=address)
    if ok:
        assert out.returncode == 0, out.explain()
    else:
        assert out.returncode == 1, out.explain()
        assert len(out.of("CONNECTION_ERROR")) == 1
        assert "ESTABLISHED" not in out.kinds()


def test_host_name_mismatch(certs):
    """A certificate for wrong.example, trusted as CA, served to a client
    that connects to localhost: ssl_connection 1 refuses the name."""
    cert, key = certs["wrong"]
    with websockets_server(echo, ssl=server_context(cert, key)) as port:
        strict = run_scenario(port, "--ssl", 1, "--ca", cert,
                              address="localhost")
        lax = run_scenario(port, "--ssl", 2, "--send", 1, "--verify",
                           address="localhost")
    assert strict.returncode == 1, strict.explain()
    assert len(strict.of("CONNECTION_ERROR")) == 1
    # ssl_connection 2 is for self-signed test servers: it takes it.
    assert lax.returncode == 0, lax.explain()


def test_wss_to_plain_server_fails(echo_server):
    out = run_scenario(echo_server.port, "--ssl", 2, "--timeout", 25,
                       timeout=30)
    assert out.returncode == 1, out.explain()
    assert len(out.of("CONNECTION_ERROR")) == 1
    assert out.elapsed < 15


def test_ws_to_tls_server_fails(tls_echo_server):
    out = run_scenario(tls_echo_server.port, "--protocols", "lws-echo",
                       "--timeout", 25, timeout=30)
    assert out.returncode == 1, out.explain()
    assert len(out.of("CONNECTION_ERROR")) == 1
    assert out.elapsed < 15


def test_wss_through_proxy(tls_echo_server):
    with ConnectProxy() as proxy:
        out = run_scenario(tls_echo_server.port, "--ssl", 2, "--protocols",
                           "lws-echo", "--send", 3, "--verify",
                           env=client_env(
                               http_proxy=f"127.0.0.1:{proxy.port}"))
    assert out.returncode == 0, out.explain()
    assert proxy.tunnels == [f"127.0.0.1:{tls_echo_server.port}"]
