"""The TLS scenarios once under valgrind: no memory errors, no definite
leaks, in the server and in the client, on the good paths and on every
kind of failure (refused handshakes, garbage, resets, timeouts pending at
shutdown, contexts that cannot be created).

valgrind runs with --error-exitcode=99 --leak-check=full
--errors-for-leak-kinds=definite: a definite leak or any memory error makes
the program exit 99. OpenSSL's own "still reachable" blocks are not errors.
If valgrind is missing it is installed with apt-get (the CI image has it).
"""

import collections
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest

import programs
import tlstools
from certs import tls_certs  # noqa: F401  (the session's certificates)
from tlstools import TLS_SERVER, WssEchoServer, tls_server_args

VALGRIND_ERROR_EXIT = 99
STARTUP_TIMEOUT = 60.0


@pytest.fixture(scope="module")
def valgrind():
    path = shutil.which("valgrind")
    if not path and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        for cmd in (["apt-get", "install", "-y", "-q", "valgrind"],
                    ["apt-get", "update", "-q"],
                    ["apt-get", "install", "-y", "-q", "valgrind"]):
            subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=600)
            path = shutil.which("valgrind")
            if path:
                break
    if not path:
        pytest.fail("valgrind is not installed and apt-get could not "
                    "install it", pytrace=False)
    return path


def valgrind_command(valgrind, log_path):
    return [valgrind, "--error-exitcode=%d" % VALGRIND_ERROR_EXIT,
            "--leak-check=full", "--errors-for-leak-kinds=definite",
            "--show-leak-kinds=definite", "--num-callers=40",
            f"--log-file={log_path}"]


def check_valgrind_log(path):
    """No errors, no definitely (or indirectly) lost bytes."""
    with open(path, errors="replace") as f:
        text = f.read()
    summary = re.search(r"ERROR SUMMARY: (\d+) errors", text)
    assert summary, f"no valgrind summary in {path}:\n{text[-3000:]}"
    assert summary.group(1) == "0", text[-20000:]
    for kind in ("definitely", "indirectly"):
        lost = re.search(kind + r" lost: ([\d,]+) bytes", text)
        assert not lost or lost.group(1) == "0", text[-20000:]
    return text


class ValgrindServer:
    """test-tls-server under valgrind on a free port."""

    def __init__(self, valgrind, log_path, args):
        self.port = programs.free_port()
        self.log_path = log_path
        self.lines = collections.deque(maxlen=5000)
        self.proc = subprocess.Popen(
            valgrind_command(valgrind, log_path) +
            [programs.program_path(TLS_SERVER), "--port", str(self.port),
             *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self._ready.wait(0.1):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError("test-tls-server under valgrind did "
                                     "not start:\n" + self.stderr_text())

    def _drain(self):
        marker = f"test-tls-server: listening on port {self.port}"
        for raw in self.proc.stderr:
            line = raw.decode(errors="replace").rstrip("\n")
            self.lines.append(line)
            if marker in line:
                self._ready.set()

    def stderr_text(self):
        return "\n".join(self.lines)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(STARTUP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._reader.join(5)
        return self.proc.returncode


def client_cert_args(certs, name="client"):
    return {"cert": certs.path(f"{name}.pem"), "key": certs.path(f"{name}.key")}


def test_server_scenarios_under_valgrind(valgrind, tls_certs, tmp_path):
    """One server (client certificates required and judged by the callback,
    plain clients allowed, encrypted key) through successes and failures,
    then SIGINT with connections in every state still open."""
    server = ValgrindServer(valgrind, tmp_path / "server.vg", tls_server_args(
        tls_certs, "--key-password", tls_certs.password, "--ca",
        tls_certs.ca_pem, "--require-client-cert", "--verify-answer",
        "preverify", "--allow-plain", key=tls_certs.server_encrypted_key))
    left_open = []
    try:
        port = server.port
        good = tlstools.client_ssl_context(tls_certs,
                                           **client_cert_args(tls_certs))

        # Good: echo (small and large, so writes go partial), lws_is_ssl.
        with tlstools.wss_connect(port, good, protocol="lws-echo") as ws:
            ws.send("under valgrind")
            assert ws.recv(timeout=30) == "under valgrind"
            big = os.urandom(256 * 1024)
            ws.send(big)
            assert ws.recv(timeout=60) == big
            ws.send("lws_is_ssl")
            assert ws.recv(timeout=30) == "lws_is_ssl=1"
        status, body = tlstools.https_get(port, good, "/tls")
        assert body == b"lws_is_ssl=1 uri=/tls\n", status

        # Our own client, with its certificate.
        result = tlstools.run_client(port, "--ca", tls_certs.ca_pem,
                                     "--client-cert", tls_certs.client_pem,
                                     "--client-key", tls_certs.client_key,
                                     timeout=30)
        assert result.returncode == tlstools.CLIENT_OK, result

        # Plain clients on the TLS port.
        status, body = tlstools.http_get(port, "/plain")
        assert body == b"lws_is_ssl=0 uri=/plain\n", status
        with tlstools.ws_connect(port, protocol="lws-echo") as ws:
            ws.send("plain")
            assert ws.recv(timeout=30) == "plain"

        # Refused: no certificate, an unknown one, TLS 1.1, garbage.
        for ctx in (tlstools.client_ssl_context(tls_certs),
                    tlstools.client_ssl_context(
                        tls_certs, **client_cert_args(tls_certs,
                                                      "self-signed"))):
            with pytest.raises(Exception):
                with tlstools.wss_connect(port, ctx, protocol="lws-echo",
                                          open_timeout=30) as ws:
                    ws.send("must not echo")
                    ws.recv(timeout=30)
        refused = tlstools.s_client(port, "-tls1_1", "-cipher",
                                    "DEFAULT@SECLEVEL=0", timeout=30)
        assert tlstools.s_client_summary(refused) is None
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(b"\x16\x03\x01\x00\x05hello" + bytes(range(200)))
            tlstools.wait_for_close(s, 30)

        # A reset in the middle of a large exchange.
        ws = tlstools.wss_connect(port, good, protocol="lws-echo")
        for _ in range(8):
            ws.send(os.urandom(64 * 1024))
        ws.reset()

        # Left open at shutdown: silent TCP, half a ClientHello, a live
        # wss connection, a plain connection mid-request.
        silent = socket.create_connection(("127.0.0.1", port), timeout=30)
        half = socket.create_connection(("127.0.0.1", port), timeout=30)
        half.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
        partial = socket.create_connection(("127.0.0.1", port), timeout=30)
        partial.sendall(b"GET /unfinished HTTP/1.1\r\nHost: x\r\n")
        live = tlstools.wss_connect(port, good, protocol="lws-echo")
        live.send("still here")
        assert live.recv(timeout=30) == "still here"
        left_open = [silent, half, partial]
        time.sleep(0.5)
        assert server.alive()
    finally:
        status = server.stop()
        for s in left_open:
            s.close()
    assert status == 0, (f"exit {status}\n{server.stderr_text()}\n" +
                         open(tmp_path / "server.vg").read()[-20000:])
    check_valgrind_log(tmp_path / "server.vg")


@pytest.mark.parametrize("case", ["wrong password", "mismatched key",
                                  "missing cert", "key refused by callback",
                                  "bad cipher list"])
def test_failed_creation_under_valgrind(valgrind, tls_certs, tmp_path, case):
    args = {
        "wrong password": tls_server_args(
            tls_certs, "--key-password", "wrong",
            key=tls_certs.server_encrypted_key),
        "mismatched key": tls_server_args(tls_certs,
                                          cert=tls_certs.wrong_host_pem,
                                          key=tls_certs.expired_key),
        "missing cert": tls_server_args(tls_certs,
                                        cert=str(tmp_path / "none.pem")),
        "key refused by callback": ["--cert", tls_certs.server_pem],
        "bad cipher list": tls_server_args(tls_certs, "--cipher-list",
                                           "NO-SUCH-CIPHER"),
    }[case]
    log = tmp_path / "create.vg"
    result = subprocess.run(
        valgrind_command(valgrind, log) +
        [programs.program_path(TLS_SERVER), "--port",
         str(programs.free_port()), *args],
        stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    assert result.returncode == 1, result.stderr.decode(errors="replace")
    assert b"libwebsocket_create_context failed" in result.stderr
    check_valgrind_log(log)


def test_client_scenarios_under_valgrind(valgrind, tls_certs, tmp_path,
                                         start_server):
    """Our client under valgrind: verified with a client certificate,
    ssl_connection 2, a verification failure, provided_client_ssl_ctx, a
    client key that cannot be loaded."""
    server = start_server(TLS_SERVER, *tls_server_args(
        tls_certs, "--ca", tls_certs.ca_pem, "--require-client-cert",
        "--verify-answer", "preverify"))
    runs = {}

    def run(name, port, *args):
        log = tmp_path / f"{name}.vg"
        runs[name] = (tlstools.run_client(
            port, *args, timeout=60,
            wrapper=valgrind_command(valgrind, log)), log)

    with WssEchoServer(tlstools.server_ssl_context(
            tls_certs.expired_pem, tls_certs.expired_key)) as expired:
        jobs = [
            ("verified", server.port, "--ca", tls_certs.ca_pem,
             "--client-cert", tls_certs.client_pem,
             "--client-key", tls_certs.client_encrypted_key,
             "--key-password", tls_certs.password),
            ("no client cert", server.port, "--ca", tls_certs.ca_pem),
            ("expired", expired.port, "--address", "localhost",
             "--ca", tls_certs.ca_pem),
            ("ssl 2", expired.port, "--ssl", "2"),
            ("provided ctx", expired.port, "--provided-ctx",
             tls_certs.ca_pem),
            ("bad key", server.port, "--ca", tls_certs.ca_pem,
             "--client-cert", tls_certs.client_pem,
             "--client-key", tls_certs.client_encrypted_key,
             "--key-password", "wrong"),
        ]
        threads = [threading.Thread(target=run, args=job) for job in jobs]
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)

    expected = {"verified": tlstools.CLIENT_OK,
                "no client cert": tlstools.CLIENT_CONNECTION_ERROR,
                "expired": tlstools.CLIENT_CONNECTION_ERROR,
                "ssl 2": tlstools.CLIENT_OK,
                "provided ctx": tlstools.CLIENT_CONNECTION_ERROR,
                "bad key": 1}
    for name, status in expected.items():
        result, log = runs[name]
        assert result.returncode == status, f"{name}: {result}"
        check_valgrind_log(log)
    assert "certificate has expired" in runs["expired"][0].stderr
    assert "provided ssl_ctx still usable" in runs["provided ctx"][0].lines
    assert runs["ssl 2"][0].is_ssl() == 2
