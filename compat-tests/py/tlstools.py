"""What the TLS tests (test_tls_*.py) share: our TLS programs, and the
independent TLS peers (Python's ssl + `websockets`, `openssl s_client`,
curl) set up the same way every time.

  libwebsockets-test-tls-server  every server-side TLS option on the command
                                 line; prints "test-tls-server: ..." lines
                                 on stderr for the OpenSSL callbacks
  libwebsockets-test-tls-client  one wss:// echo conversation; stdout lines
                                 and exit codes as its header comment says

Every blocking step has a timeout, as in the rest of the suite.
"""

import asyncio
import os
import shutil
import socket
import ssl
import struct
import subprocess
import threading
import time

import pytest
from websockets.asyncio.client import connect as _ws_async_connect
from websockets.sync.client import connect as _ws_connect
from websockets.sync.server import serve as _ws_serve

import programs

TLS_SERVER = "libwebsockets-test-tls-server"
TLS_CLIENT = "libwebsockets-test-tls-client"

TIMEOUT = 10.0

# libwebsockets-test-tls-client exit codes
CLIENT_OK = 0
CLIENT_CONNECTION_ERROR = 2


def require_tool(name):
    """Path of an external peer program; fails the test if it is absent."""
    path = shutil.which(name)
    if not path:
        pytest.fail(f"{name} is not installed (the TLS tests use it as an "
                    "independent peer)", pytrace=False)
    return path


# ------------------------------------------------------- Python as the peer

def client_ssl_context(certs, *, trust=True, cert=None, key=None):
    """A Python client context: trusts the test CA (or nothing), checks
    the host name, optionally presents cert/key."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if trust:
        ctx.load_verify_locations(certs.ca_pem)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


def server_ssl_context(cert, key, *, client_ca=None):
    """A Python server context; with client_ca it requires a client
    certificate signed by that CA."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    if client_ca:
        ctx.load_verify_locations(client_ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


class _Loop:
    """One asyncio event loop in a daemon thread, shared by every WssClient
    of the session."""

    _loop = None
    _lock = threading.Lock()

    @classmethod
    def run(cls, coro, timeout=TIMEOUT * 3):
        with cls._lock:
            if cls._loop is None:
                cls._loop = asyncio.new_event_loop()
                threading.Thread(target=cls._loop.run_forever,
                                 daemon=True).start()
        future = asyncio.run_coroutine_threadsafe(coro, cls._loop)
        return future.result(timeout)


class WssClient:
    """A wss:// client of the `websockets` package, used synchronously.

    Over TLS the tests drive the asyncio client, not websockets.sync: the
    sync client reads in a thread of its own while the caller writes, both
    on one ssl.SSLSocket, and with TLS 1.3 (whose session tickets arrive
    after the handshake) that loses the opening request about once in a
    hundred connections: the handshake then times out. It happens against
    websockets' own server just the same, so it is not the server's doing.
    asyncio does all TLS work of a connection on one thread.
    """

    def __init__(self, uri, kwargs):
        async def open_connection():
            return await _ws_async_connect(uri, **kwargs)
        self._ws = _Loop.run(open_connection())

    @property
    def subprotocol(self):
        return self._ws.subprotocol

    @property
    def tls_version(self):
        return self._ws.transport.get_extra_info("ssl_object").version()

    def send(self, message):
        _Loop.run(self._ws.send(message))

    def recv(self, timeout=TIMEOUT):
        return _Loop.run(asyncio.wait_for(self._ws.recv(), timeout),
                         timeout + 5)

    def reset(self):
        """Ends the TCP connection with a reset (SO_LINGER 0), no close
        frame and no close_notify."""
        sock = self._ws.transport.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack("ii", 1, 0))
        self._ws.transport.abort()

    def close(self):
        _Loop.run(self._ws.close())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def wss_connect(port, ctx, *, host="localhost", protocol=None, **kwargs):
    """A WssClient on wss://host:port/ with the suite's defaults (no pings,
    no proxy, no compression, bounded waits)."""
    kwargs.setdefault("open_timeout", TIMEOUT)
    kwargs.setdefault("close_timeout", TIMEOUT)
    if protocol:
        kwargs["subprotocols"] = [protocol]
    kwargs.update(ssl=ctx, ping_interval=None, proxy=None, compression=None,
                  max_size=64 * 1024 * 1024)
    return WssClient(f"wss://{host}:{port}/", kwargs)


def ws_connect(port, *, protocol=None):
    """Plain ws:// with the same defaults (for ports that allow both)."""
    return _ws_connect(f"ws://127.0.0.1:{port}/",
                       subprotocols=[protocol] if protocol else None,
                       open_timeout=TIMEOUT, close_timeout=TIMEOUT,
                       ping_interval=None, proxy=None, compression=None)


def tls_socket(port, ctx, *, host="localhost"):
    """A completed TLS handshake with 127.0.0.1:port as a raw SSLSocket."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    try:
        return ctx.wrap_socket(raw, server_hostname=host)
    except BaseException:
        raw.close()
        raise


def https_get(port, ctx, path="/", *, host="localhost"):
    """GET over TLS by hand (HTTP/1.0: the server ends the body by closing
    or by Content-Length); returns (status line, body)."""
    with tls_socket(port, ctx, host=host) as sock:
        return _http_get_on(sock, path, host)


def http_get(port, path="/"):
    """The same request in the clear."""
    with socket.create_connection(("127.0.0.1", port),
                                  timeout=TIMEOUT) as sock:
        return _http_get_on(sock, path, "127.0.0.1")


def _http_get_on(sock, path, host):
    sock.sendall(f"GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
    data = bytearray()
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, ssl.SSLZeroReturnError):
            break
        if not chunk:
            break
        data += chunk
        head, sep, body = bytes(data).partition(b"\r\n\r\n")
        if sep:
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length" and \
                        len(body) >= int(value):
                    return head.split(b"\r\n")[0].decode(), body
    head, _, body = bytes(data).partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode(), body


def wait_for_close(sock, timeout):
    """Seconds until the server ends the connection (FIN or RST); raises
    TimeoutError if it is still open after timeout. Any data it sends
    first (an alert, say) is read and dropped."""
    start = time.monotonic()
    deadline = start + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"connection still open after {timeout} s")
        sock.settimeout(remaining)
        try:
            if not sock.recv(4096):
                return time.monotonic() - start
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - start
        except socket.timeout:
            continue


class WssEchoServer:
    """The `websockets` package as a wss:// echo server on a free port, in a
    thread. Records what each connection showed it: the SNI name the client
    sent and the client certificate's subject, if any."""

    def __init__(self, ssl_context, subprotocols=("lws-echo",)):
        self.sni_names = []
        self.peer_subjects = []
        self.received = []
        ssl_context.sni_callback = self._on_sni
        self._server = _ws_serve(self._handler, "127.0.0.1", 0,
                                 ssl=ssl_context,
                                 subprotocols=list(subprotocols),
                                 compression=None, ping_interval=None,
                                 open_timeout=TIMEOUT)
        self.port = self._server.socket.getsockname()[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        daemon=True)

    def _on_sni(self, ssl_object, server_name, ssl_context):
        self.sni_names.append(server_name)

    def _handler(self, ws):
        cert = ws.socket.getpeercert()
        if cert:
            self.peer_subjects.append(dict(x[0] for x in cert["subject"]))
        for message in ws:
            self.received.append(message)
            ws.send(message)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._thread.join(TIMEOUT)


# ------------------------------------------------------------ our client

class ClientResult:
    def __init__(self, completed):
        self.returncode = completed.returncode
        self.stdout = completed.stdout.decode(errors="replace")
        self.stderr = completed.stderr.decode(errors="replace")
        self.lines = self.stdout.splitlines()

    def replies(self):
        return [line[4:] for line in self.lines if line.startswith("rx: ")]

    def is_ssl(self):
        """The lws_is_ssl value printed on CLIENT_ESTABLISHED, or None."""
        for line in self.lines:
            if line.startswith("established lws_is_ssl="):
                return int(line.split("=", 1)[1])
        return None

    def connection_errors(self):
        return [line for line in self.lines
                if line.startswith("connection error:")]

    def __repr__(self):
        return (f"exit {self.returncode}\n--- stdout\n{self.stdout}"
                f"--- stderr\n{self.stderr}")


def run_client(port, *args, count=3, timeout=10, wrapper=()):
    """Runs libwebsockets-test-tls-client to completion."""
    cmd = [*wrapper, programs.program_path(TLS_CLIENT), "--port", str(port),
           "--count", str(count), "--timeout", str(timeout), *args]
    completed = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                               capture_output=True,
                               timeout=timeout + 60)
    return ClientResult(completed)


def expected_replies(count=3):
    return [f"tls message {i}" for i in range(count)]


# -------------------------------------------------------- openssl s_client

def s_client(port, *args, request=b"", timeout=TIMEOUT):
    """openssl s_client against 127.0.0.1:port; returns CompletedProcess
    (text). With a request it is sent once connected and s_client waits for
    the server to close (-ign_eof)."""
    cmd = [require_tool("openssl"), "s_client", "-connect",
           f"127.0.0.1:{port}", *args]
    if request:
        cmd.append("-ign_eof")
    return subprocess.run(cmd, input=request, capture_output=True,
                          timeout=timeout)


def s_client_summary(completed):
    """(protocol, cipher) of the session s_client negotiated, or None."""
    out = completed.stdout.decode(errors="replace")
    for line in out.splitlines():
        if line.startswith("New, ") and ", Cipher is " in line:
            proto, _, cipher = line[5:].partition(", Cipher is ")
            if proto == "(NONE)":
                return None
            return proto, cipher
    return None


# --------------------------------------------------------- TLS servers

def tls_server_args(certs, *extra, cert=None, key=None):
    """Arguments for libwebsockets-test-tls-server with the test server
    certificate (or cert/key) plus extra."""
    return ["--cert", cert or certs.server_pem,
            "--key", key or certs.server_key, *extra]


def run_server_expecting_failure(*args, timeout=15):
    """Runs libwebsockets-test-tls-server when creation must fail: returns
    (exit status, stderr text). A server that starts anyway is stopped and
    fails the test."""
    port = programs.free_port()
    proc = subprocess.Popen(
        [programs.program_path(TLS_SERVER), "--port", str(port), *args],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"{TLS_SERVER} {' '.join(args)} kept running "
                    f"(creation should have failed):\n{err.decode()}")
    return proc.returncode, err.decode(errors="replace")


def server_reports(server, prefix, at_least=0, timeout=5):
    """The "test-tls-server: <prefix>..." lines the server printed, once
    there are at least at_least of them (its stderr is read by a thread, so
    a line can trail the client's view of events by a moment)."""
    marker = "test-tls-server: " + prefix
    deadline = time.monotonic() + timeout
    while True:
        lines = [line[len("test-tls-server: "):]
                 for line in server.stderr_text().splitlines()
                 if line.startswith(marker)]
        if len(lines) >= at_least or time.monotonic() > deadline:
            return lines
        time.sleep(0.01)


def verify_reports(server, at_least=0):
    """PERFORM_CLIENT_CERT_VERIFICATION reports as dicts of their fields."""
    reports = []
    for line in server_reports(server, "verify ", at_least):
        head, _, subject = line[len("verify "):].partition(" subject=")
        head, _, reason = head.partition(" reason=")
        fields = dict(part.split("=", 1) for part in head.split(" "))
        fields["reason"] = reason.strip("()")
        fields["subject"] = subject
        reports.append(fields)
    return reports


def file_bytes(directory, name):
    with open(os.path.join(directory, name), "rb") as f:
        return f.read()
