"""Our client over TLS: test-tls-client against the `websockets` package's
wss:// server (Python's ssl underneath) and against our own server.

ssl_connection 1 verifies the server's chain (ssl_ca_filepath, the
LOAD_EXTRA_CLIENT_VERIFY_CERTS callback, or the application's
provided_client_ssl_ctx) and its host name, and sends SNI for names (not
for IP literals); 2 accepts any certificate and lws_is_ssl says so. Each
verification failure ends in LWS_CALLBACK_CLIENT_CONNECTION_ERROR with
OpenSSL's reason in the log.
"""

import subprocess

import pytest

import programs
import tlstools
from certs import tls_certs  # noqa: F401  (the session's certificates)
from tlstools import CLIENT_CONNECTION_ERROR, CLIENT_OK, WssEchoServer


def python_server(certs, name="server", client_ca=None):
    return WssEchoServer(tlstools.server_ssl_context(
        certs.path(f"{name}.pem"), certs.path(f"{name}.key"),
        client_ca=client_ca))


def assert_echoed(result, is_ssl):
    assert result.returncode == CLIENT_OK, result
    assert result.is_ssl() == is_ssl, result
    assert result.replies() == tlstools.expected_replies(), result
    assert result.connection_errors() == [], result


def assert_verification_failed(result, reason):
    """CONNECTION_ERROR (exit 2) and OpenSSL's reason in the log."""
    assert result.returncode == CLIENT_CONNECTION_ERROR, result
    assert len(result.connection_errors()) == 1, result
    assert result.is_ssl() is None and result.replies() == [], result
    assert "certificate verify failed" in result.stderr, result
    assert f"certificate verification: {reason}" in result.stderr, result


# ------------------------------------------------------------- success

@pytest.mark.parametrize("address,sni", [("localhost", "localhost"),
                                         ("127.0.0.1", None)])
def test_verified_wss_to_websockets(tls_certs, address, sni):
    with python_server(tls_certs) as server:
        result = tlstools.run_client(server.port, "--address", address,
                                     "--ssl", "1", "--ca", tls_certs.ca_pem)
    assert_echoed(result, is_ssl=1)
    assert server.received == tlstools.expected_replies()
    # SNI carries host names only (RFC 6066 3: never an IP literal).
    assert server.sni_names == [sni]


def test_ssl_connection_2_accepts_self_signed(tls_certs):
    with python_server(tls_certs, "self-signed") as server:
        result = tlstools.run_client(server.port, "--ssl", "2")
    assert_echoed(result, is_ssl=2)


def test_ssl_connection_0_is_plain(start_server):
    server = start_server("libwebsockets-test-echo")
    result = tlstools.run_client(server.port, "--ssl", "0", "--protocol",
                                 "lws-echo")
    assert_echoed(result, is_ssl=0)


def test_extra_client_verify_certs_callback(tls_certs):
    """No ssl_ca_filepath, no OS CAs: only the CA the application loads
    into the SSL_CTX handed over in LOAD_EXTRA_CLIENT_VERIFY_CERTS makes
    the server trusted."""
    with python_server(tls_certs) as server:
        result = tlstools.run_client(server.port, "--no-os-ca",
                                     "--extra-ca", tls_certs.ca_pem)
        without = tlstools.run_client(server.port, "--no-os-ca")
    assert "LOAD_EXTRA_CLIENT_VERIFY_CERTS ssl_ctx=set" in result.lines
    assert_echoed(result, is_ssl=1)
    assert_verification_failed(without,
                               "unable to get local issuer certificate")


def test_provided_client_ssl_ctx_is_used_and_not_freed(tls_certs):
    """provided_client_ssl_ctx: its trust store decides (the library's own
    ssl_ca_filepath is not used), no LOAD_EXTRA callback, and it is still
    the application's after libwebsocket_context_destroy."""
    with python_server(tls_certs) as server:
        good = tlstools.run_client(server.port, "--provided-ctx",
                                   tls_certs.ca_pem)
        wrong = tlstools.run_client(server.port, "--provided-ctx",
                                    tls_certs.other_ca_pem,
                                    "--ca", tls_certs.ca_pem)
    assert_echoed(good, is_ssl=1)
    assert "provided ssl_ctx still usable" in good.lines
    assert not any(line.startswith("LOAD_EXTRA") for line in good.lines)
    assert_verification_failed(wrong,
                               "unable to get local issuer certificate")
    assert "provided ssl_ctx still usable" in wrong.lines


def test_client_certificate_when_the_server_asks(tls_certs):
    with python_server(tls_certs, client_ca=tls_certs.ca_pem) as server:
        result = tlstools.run_client(server.port, "--ca", tls_certs.ca_pem,
                                     "--client-cert", tls_certs.client_pem,
                                     "--client-key", tls_certs.client_key)
        encrypted = tlstools.run_client(
            server.port, "--ca", tls_certs.ca_pem,
            "--client-cert", tls_certs.client_pem,
            "--client-key", tls_certs.client_encrypted_key,
            "--key-password", tls_certs.password)
        without = tlstools.run_client(server.port, "--ca", tls_certs.ca_pem)
    assert_echoed(result, is_ssl=1)
    assert_echoed(encrypted, is_ssl=1)
    assert server.peer_subjects[:2] == [{"commonName": "lws test client"}] * 2
    assert without.returncode == CLIENT_CONNECTION_ERROR, without
    assert without.is_ssl() is None
    # TLS 1.3: the client learns of the refusal after its own handshake
    # completed: from the server's alert (its text logged), or, when the
    # server's close overtakes it as a reset, just from the closed socket.
    assert "alert certificate required" in without.stderr or \
        "closed before the handshake completed" in without.stderr, without


def test_client_key_with_the_wrong_password(tls_certs):
    """The client context is made on the first wss:// connect: a key that
    cannot be loaded fails that connect, logged, not the process."""
    with python_server(tls_certs) as server:
        result = tlstools.run_client(
            server.port, "--ca", tls_certs.ca_pem,
            "--client-cert", tls_certs.client_pem,
            "--client-key", tls_certs.client_encrypted_key,
            "--key-password", "wrong")
    assert result.returncode in (1, CLIENT_CONNECTION_ERROR), result
    assert result.replies() == []
    assert "cannot load the client certificate or key" in result.stderr
    assert "bad decrypt" in result.stderr


# ------------------------------------------------------------- failures

@pytest.mark.parametrize("name,address,reason", [
    ("expired", "localhost", "certificate has expired"),
    ("wrong-host", "localhost", "hostname mismatch"),
    ("wrong-host", "127.0.0.1", "IP address mismatch"),
    ("self-signed", "localhost", "self-signed certificate"),
])
def test_verification_failures(tls_certs, name, address, reason):
    """Each bad certificate fails ssl_connection 1 with its own reason, and
    the same server is accepted by ssl_connection 2 (so the failure is the
    verification, nothing else)."""
    with python_server(tls_certs, name) as server:
        strict = tlstools.run_client(server.port, "--address", address,
                                     "--ca", tls_certs.ca_pem)
        lax = tlstools.run_client(server.port, "--address", address,
                                  "--ssl", "2")
    assert_verification_failed(strict, reason)
    assert_echoed(lax, is_ssl=2)
    assert server.received == tlstools.expected_replies()


def test_unknown_ca(tls_certs):
    with python_server(tls_certs) as server:
        result = tlstools.run_client(server.port, "--no-os-ca",
                                     "--ca", tls_certs.other_ca_pem)
    assert_verification_failed(result,
                               "unable to get local issuer certificate")


def test_verification_failures_against_our_server(start_server, tls_certs):
    """The same with our own server presenting the bad certificates."""
    for name, reason in (("expired", "certificate has expired"),
                         ("self-signed", "self-signed certificate")):
        server = start_server(tlstools.TLS_SERVER, *tlstools.tls_server_args(
            tls_certs, cert=tls_certs.path(f"{name}.pem"),
            key=tls_certs.path(f"{name}.key")))
        result = tlstools.run_client(server.port, "--address", "localhost",
                                     "--ca", tls_certs.ca_pem)
        assert_verification_failed(result, reason)
        lax = tlstools.run_client(server.port, "--ssl", "2")
        assert_echoed(lax, is_ssl=2)


def test_wss_to_a_plain_server_fails(start_server):
    server = start_server("libwebsockets-test-echo")
    result = tlstools.run_client(server.port, "--ssl", "2")
    assert result.returncode == CLIENT_CONNECTION_ERROR, result
    assert "TLS: handshake with the server failed" in result.stderr
    assert server.alive()


def test_test_echo_client_over_wss(tls_certs):
    """libwebsockets-test-echo --client --ssl: ssl_connection 2 against a
    self-signed server, as the shipped program does."""
    with python_server(tls_certs, "self-signed") as server:
        result = subprocess.run(
            [programs.program_path(programs.TEST_ECHO), "--client",
             "127.0.0.1", "--port", str(server.port), "--ssl",
             "--count", "3", "--interval", "20"],
            stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    out = result.stdout.decode(errors="replace").splitlines()
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert [line for line in out if line.startswith("rx ")] == \
        [f"rx {i + 1}: test-echo message {i}" for i in range(3)]
