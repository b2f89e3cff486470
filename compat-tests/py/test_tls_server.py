"""The server-side TLS options and callbacks, through test-tls-server.

Creation info: ssl_private_key_password, ssl_ca_filepath, ssl_cipher_list
(see test_tls_peers.py), LWS_SERVER_OPTION_REQUIRE_VALID_OPENSSL_CLIENT_CERT,
LWS_SERVER_OPTION_ALLOW_NON_SSL_ON_SSL_PORT; callbacks
OPENSSL_PERFORM_CLIENT_CERT_VERIFICATION, OPENSSL_LOAD_EXTRA_SERVER_VERIFY_
CERTS and OPENSSL_CONTEXT_REQUIRES_PRIVATE_KEY; creation failures (missing
or mismatched files, bad password, bad cipher list); PENDING_TIMEOUT_SSL_
ACCEPT and clients that send anything but a ClientHello.

Every failure case checks two things: the failing connection ended as
documented, and the server still serves the next client.
"""

import os
import select
import socket
import ssl
import struct
import threading
import time

import pytest
import websockets

import rawws
import tlstools
from certs import tls_certs  # noqa: F401  (the session's certificates)
from tlstools import TLS_SERVER, tls_server_args


def start_tls(start_server, certs, *extra, cert=None, key=None):
    return start_server(
        TLS_SERVER, *tls_server_args(certs, *extra, cert=cert, key=key))


def echo_works(port, certs, **client_cert):
    """One wss:// echo with Python as the client; returns lws_is_ssl as the
    server saw it."""
    ctx = tlstools.client_ssl_context(certs, **client_cert)
    with tlstools.wss_connect(port, ctx, protocol="lws-echo") as ws:
        ws.send("ping over tls")
        assert ws.recv(timeout=10) == "ping over tls"
        ws.send("lws_is_ssl")
        return ws.recv(timeout=10)


def handshake_fails(port, ctx):
    """True if Python's TLS client (or the first read after a TLS 1.3
    handshake, where the server judges the client certificate) fails."""
    try:
        with tlstools.tls_socket(port, ctx) as sock:
            sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
            sock.settimeout(10)
            return sock.recv(100) == b""
    except (ssl.SSLError, ConnectionResetError, BrokenPipeError):
        return True


# ------------------------------------------------------------ the key

def test_encrypted_key_with_its_password(start_server, tls_certs):
    server = start_tls(start_server, tls_certs, "--key-password",
                       tls_certs.password, key=tls_certs.server_encrypted_key)
    assert echo_works(server.port, tls_certs) == "lws_is_ssl=1"


@pytest.mark.parametrize("password", ["wrong-password", None])
def test_encrypted_key_with_a_bad_password_fails_creation(tls_certs,
                                                          password):
    """Exit 1 with OpenSSL's reason logged; with no password at all the
    library must not fall back to OpenSSL's terminal prompt."""
    extra = ["--key-password", password] if password else []
    status, err = tlstools.run_server_expecting_failure(
        *tls_server_args(tls_certs, *extra,
                         key=tls_certs.server_encrypted_key))
    assert status == 1, err
    assert "cannot load the server private key" in err
    assert "bad decrypt" in err
    assert "pass phrase" not in err.lower()
    assert "listening on port" not in err.replace("NOTICE: listening", "")
    assert "libwebsocket_create_context failed" in err


@pytest.mark.parametrize("case", ["missing cert", "missing key",
                                  "mismatched key", "not a cert",
                                  "missing ca", "bad cipher list"])
def test_bad_files_fail_creation_cleanly(tls_certs, tmp_path, case):
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("this is not PEM\n")
    args, expected = {
        "missing cert": (tls_server_args(tls_certs,
                                         cert=str(tmp_path / "none.pem")),
                         "cannot load the server certificate"),
        "missing key": (tls_server_args(tls_certs,
                                        key=str(tmp_path / "none.key")),
                        "cannot load the server private key"),
        # Same key type (EC), different key: OpenSSL's own check.
        "mismatched key": (tls_server_args(tls_certs,
                                           cert=tls_certs.wrong_host_pem,
                                           key=tls_certs.expired_key),
                           "key values mismatch"),
        "not a cert": (tls_server_args(tls_certs, cert=str(garbage)),
                       "cannot load the server certificate"),
        "missing ca": (tls_server_args(tls_certs, "--ca",
                                       str(tmp_path / "none.pem")),
                       "cannot load the CA file"),
        "bad cipher list": (tls_server_args(tls_certs, "--cipher-list",
                                            "NO-SUCH-CIPHER"),
                            "invalid cipher list"),
    }[case]
    status, err = tlstools.run_server_expecting_failure(*args)
    assert status == 1, err
    assert expected in err
    assert "ERR: TLS: " in err              # an error-level log line
    assert "libwebsocket_create_context failed" in err


def test_mismatched_key_types_fail_creation(tls_certs):
    """RSA certificate with an EC key: logged as a mismatch too."""
    status, err = tlstools.run_server_expecting_failure(
        *tls_server_args(tls_certs, key=tls_certs.client_key))
    assert status == 1, err
    assert "private key does not match the certificate" in err


def test_no_key_file_asks_the_application(start_server, tls_certs):
    """No ssl_private_key_filepath: OPENSSL_CONTEXT_REQUIRES_PRIVATE_KEY
    with the server SSL_CTX, which the application loads its key into."""
    server = start_server(
        TLS_SERVER, "--cert", tls_certs.server_pem,
        "--key-in-callback", tls_certs.server_key)
    assert tlstools.server_reports(server, "CONTEXT_REQUIRES_PRIVATE_KEY") \
        == ["CONTEXT_REQUIRES_PRIVATE_KEY ssl_ctx=set"]
    assert echo_works(server.port, tls_certs) == "lws_is_ssl=1"


def test_no_key_anywhere_fails_creation(tls_certs):
    status, err = tlstools.run_server_expecting_failure(
        "--cert", tls_certs.server_pem)
    assert status == 1, err
    assert "CONTEXT_REQUIRES_PRIVATE_KEY ssl_ctx=set" in err
    assert "could not provide the private key" in err


# ---------------------------------------------------- client certificates

def client_cert(certs, name="client"):
    return {"cert": certs.path(f"{name}.pem"),
            "key": certs.path(f"{name}.key")}


def test_client_cert_required_and_verified(start_server, tls_certs):
    server = start_tls(start_server, tls_certs, "--ca", tls_certs.ca_pem,
                       "--require-client-cert")
    # No certificate: the handshake fails, the callback never runs.
    assert handshake_fails(server.port,
                           tlstools.client_ssl_context(tls_certs))
    assert tlstools.verify_reports(server) == []
    # A certificate signed by the CA: accepted, and the callback saw the
    # chain from the CA down with preverify_ok 1, context and wsi NULL, in
    # the SSL of the server's own SSL_CTX.
    assert echo_works(server.port, tls_certs,
                      **client_cert(tls_certs)) == "lws_is_ssl=1"
    reports = tlstools.verify_reports(server, at_least=2)
    assert [(r["depth"], r["preverify_ok"]) for r in reports] == \
        [("1", "1"), ("0", "1")]
    assert [r["subject"] for r in reports] == ["/CN=lws test CA",
                                               "/CN=lws test client"]
    assert [r["reason"] for r in reports] == ["ok", "ok"]
    for r in reports:
        assert (r["context"], r["wsi"], r["ssl_ctx"]) == \
            ("NULL", "NULL", "server")
        # SSL_get_fd() on that SSL names the connection's socket.
        assert int(r["fd"]) > 2


def test_unknown_client_cert_reaches_the_callback(start_server, tls_certs):
    """A self-signed client certificate: preverify_ok 0 with OpenSSL's
    reason. The documented default (callback returns 0) accepts it; a
    callback that trusts OpenSSL's verdict refuses it."""
    lax = start_tls(start_server, tls_certs, "--ca", tls_certs.ca_pem,
                    "--require-client-cert")
    assert echo_works(lax.port, tls_certs,
                      **client_cert(tls_certs, "self-signed")) == \
        "lws_is_ssl=1"
    reports = tlstools.verify_reports(lax, at_least=1)
    assert reports and reports[0]["preverify_ok"] == "0"
    assert reports[0]["error"] == "18"      # X509_V_ERR_DEPTH_ZERO_SELF_...
    assert reports[0]["reason"] == "self-signed certificate"

    strict = start_tls(start_server, tls_certs, "--ca", tls_certs.ca_pem,
                       "--require-client-cert", "--verify-answer",
                       "preverify")
    ctx = tlstools.client_ssl_context(tls_certs,
                                      **client_cert(tls_certs, "self-signed"))
    assert handshake_fails(strict.port, ctx)
    assert [r["answer"] for r in tlstools.verify_reports(strict, 1)] == ["1"]
    assert echo_works(strict.port, tls_certs,
                      **client_cert(tls_certs)) == "lws_is_ssl=1"


def test_callback_returning_1_fails_a_valid_cert(start_server, tls_certs):
    server = start_tls(start_server, tls_certs, "--ca", tls_certs.ca_pem,
                       "--require-client-cert", "--verify-answer", "reject")
    ctx = tlstools.client_ssl_context(tls_certs, **client_cert(tls_certs))
    assert handshake_fails(server.port, ctx)
    reports = tlstools.verify_reports(server, at_least=1)
    assert reports and reports[0]["preverify_ok"] == "1"
    assert reports[0]["answer"] == "1"
    assert tlstools.server_reports(server, "established", 1, 0.5) == []


def test_extra_server_verify_certs_callback(start_server, tls_certs):
    """No ssl_ca_filepath: the CA loaded by the application into the
    SSL_CTX it gets in OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS is what
    verifies the client."""
    server = start_tls(start_server, tls_certs, "--extra-ca",
                       tls_certs.ca_pem, "--require-client-cert",
                       "--verify-answer", "preverify")
    assert tlstools.server_reports(server, "LOAD_EXTRA_SERVER") == \
        ["LOAD_EXTRA_SERVER_VERIFY_CERTS ssl_ctx=set"]
    assert echo_works(server.port, tls_certs,
                      **client_cert(tls_certs)) == "lws_is_ssl=1"
    reports = tlstools.verify_reports(server, at_least=2)
    assert reports and all(r["preverify_ok"] == "1" for r in reports)


def test_our_client_presents_its_cert(start_server, tls_certs):
    """Our own client against our own server, both verifying: the client
    certificate comes from ssl_cert_filepath/ssl_private_key_filepath,
    also with an encrypted key and its password."""
    server = start_tls(start_server, tls_certs, "--ca", tls_certs.ca_pem,
                       "--require-client-cert", "--verify-answer",
                       "preverify")
    for key, extra in ((tls_certs.client_key, []),
                       (tls_certs.client_encrypted_key,
                        ["--key-password", tls_certs.password])):
        result = tlstools.run_client(
            server.port, "--ca", tls_certs.ca_pem, "--client-cert",
            tls_certs.client_pem, "--client-key", key, *extra)
        assert result.returncode == tlstools.CLIENT_OK, result
        assert result.replies() == tlstools.expected_replies()
        assert result.is_ssl() == 1
    without = tlstools.run_client(server.port, "--ca", tls_certs.ca_pem)
    assert without.returncode == tlstools.CLIENT_CONNECTION_ERROR, without
    assert len(without.connection_errors()) == 1
    assert "alert certificate required" in without.stderr or \
        "closed before the handshake completed" in without.stderr, without
    assert tlstools.server_reports(server, "established", 3, 0.5) == \
        ["established lws_is_ssl=1"] * 2


# ------------------------------------------------ plain clients on the port

def test_allow_plain_serves_both(start_server, tls_certs):
    server = start_tls(start_server, tls_certs, "--allow-plain")
    ctx = tlstools.client_ssl_context(tls_certs)
    status, body = tlstools.http_get(server.port, "/plain")
    assert " 200 " in status and body == b"lws_is_ssl=0 uri=/plain\n"
    status, body = tlstools.https_get(server.port, ctx, "/tls")
    assert " 200 " in status and body == b"lws_is_ssl=1 uri=/tls\n"
    with tlstools.ws_connect(server.port, protocol="lws-echo") as ws:
        ws.send("lws_is_ssl")
        assert ws.recv(timeout=10) == "lws_is_ssl=0"
    assert echo_works(server.port, tls_certs) == "lws_is_ssl=1"


def test_plain_client_without_allow_plain_is_dropped(start_server,
                                                     tls_certs):
    server = start_tls(start_server, tls_certs)
    status, body = tlstools.http_get(server.port, "/plain")
    assert status == "" and body == b""     # closed, never answered
    with pytest.raises((websockets.exceptions.InvalidMessage,
                        ConnectionError, EOFError, OSError)):
        with tlstools.ws_connect(server.port, protocol="lws-echo"):
            pass
    assert echo_works(server.port, tls_certs) == "lws_is_ssl=1"


# ------------------------------------------ PENDING_TIMEOUT_SSL_ACCEPT etc.

@pytest.mark.parametrize("payload", [
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",          # plain HTTP
    b"\x16\x03\x01\x00\x05hello",                   # a record, not a hello
    b"\x16\x03\x01\xff\xff" + b"\x00" * 64,         # oversized record
    bytes(range(256)) * 4,                          # noise
])
def test_garbage_instead_of_client_hello(start_server, tls_certs, payload):
    server = start_tls(start_server, tls_certs)
    with socket.create_connection(("127.0.0.1", server.port),
                                  timeout=10) as sock:
        sock.sendall(payload)
        assert tlstools.wait_for_close(sock, 5) < 5
    assert echo_works(server.port, tls_certs) == "lws_is_ssl=1"


def test_silent_clients_time_out_others_are_served(start_server,
                                                   tls_certs):
    """TCP connections that never finish a handshake are dropped after
    PENDING_TIMEOUT_SSL_ACCEPT (10 s here): silent ones, one that stops
    half-way through a ClientHello record, and a silent one on a port that
    also allows plain clients (still sniffing). Meanwhile other clients
    keep being served."""
    strict = start_tls(start_server, tls_certs)
    mixed = start_tls(start_server, tls_certs, "--allow-plain")
    hello_start = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"
    socks = [socket.create_connection(("127.0.0.1", port), timeout=10)
             for port in (strict.port, strict.port, mixed.port)]
    socks[1].sendall(hello_start)
    start = time.monotonic()
    closed_after = [None] * len(socks)

    def watch(i):
        try:
            tlstools.wait_for_close(socks[i], 20)
            closed_after[i] = time.monotonic() - start
        except TimeoutError:
            pass

    watchers = [threading.Thread(target=watch, args=(i,))
                for i in range(len(socks))]
    for w in watchers:
        w.start()
    try:
        # Served while the idle ones wait.
        served = 0
        while time.monotonic() - start < 6:
            assert echo_works(strict.port, tls_certs) == "lws_is_ssl=1"
            assert echo_works(mixed.port, tls_certs) == "lws_is_ssl=1"
            served += 1
        assert all(t is None for t in closed_after), closed_after
        for w in watchers:
            w.join(25)
    finally:
        for s in socks:
            s.close()
    assert served >= 3
    for t in closed_after:
        assert t is not None and 8 <= t <= 15, closed_after
    assert echo_works(strict.port, tls_certs) == "lws_is_ssl=1"


def test_client_that_leaves_mid_handshake(start_server, tls_certs):
    """A ClientHello and then a reset: that connection only."""
    server = start_tls(start_server, tls_certs)
    for _ in range(5):
        sock = socket.create_connection(("127.0.0.1", server.port),
                                        timeout=10)
        ctx = tlstools.client_ssl_context(tls_certs)
        tls = ctx.wrap_socket(sock, server_hostname="localhost",
                              do_handshake_on_connect=False)
        tls.setblocking(False)
        try:
            tls.do_handshake()          # sends the ClientHello
        except ssl.SSLWantReadError:
            pass
        # The server has answered and now waits for our Finished.
        assert select.select([tls], [], [], 10)[0]
        tls.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                       struct.pack("ii", 1, 0))
        tls.close()
    assert echo_works(server.port, tls_certs) == "lws_is_ssl=1"


@pytest.mark.parametrize("messages", [0, 3])
def test_client_that_leaves_while_replies_are_due(start_server, tls_certs,
                                                  messages):
    """A client sends a close frame (after some messages) and closes its
    socket at once: the server's close frame reaches a closed socket (the
    peer answers with a reset) and its close_notify then fails with EPIPE,
    which must end that connection only, never raise SIGPIPE."""
    server = start_tls(start_server, tls_certs)
    ctx = tlstools.client_ssl_context(tls_certs)
    for _ in range(5):
        with tlstools.tls_socket(server.port, ctx) as sock:
            sock.sendall(rawws.handshake_request(server.port,
                                                 protocol="lws-echo"))
            response, _ = rawws.read_response_head(sock)
            assert response.status == 101
            for _ in range(messages):
                sock.sendall(rawws.build_frame(rawws.OP_TEXT, "bye"))
            sock.sendall(rawws.build_frame(rawws.OP_CLOSE,
                                           rawws.close_payload(1000)))
    time.sleep(0.5)
    assert server.alive(), server.describe_exit()
    assert echo_works(server.port, tls_certs) == "lws_is_ssl=1"


def test_client_that_resets_mid_session(start_server, tls_certs):
    """Messages in flight both ways, then a TCP reset: the server's next
    TLS write fails with EPIPE/ECONNRESET, which must end that connection
    only (no SIGPIPE for the process)."""
    server = start_tls(start_server, tls_certs)
    ctx = tlstools.client_ssl_context(tls_certs)
    for _ in range(5):
        ws = tlstools.wss_connect(server.port, ctx, protocol="lws-echo")
        for _ in range(20):
            ws.send(os.urandom(32768))
        ws.reset()
    time.sleep(0.3)
    assert server.alive(), server.describe_exit()
    assert echo_works(server.port, tls_certs) == "lws_is_ssl=1"
