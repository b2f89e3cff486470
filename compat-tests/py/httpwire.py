"""HTTP at the byte level, for the tests of test_http_*.py.

rawws.http_exchange answers "what did the server say"; the malformed
request tests also need to know what happened to the connection after the
answer: did the server close it (as it must after refusing a request), and
how long did that take.  Exchange records both.

Also here: the server's memory use (VmRSS from /proc), and running curl.
"""

import http.client
import os
import shutil
import socket
import subprocess
import time

import pytest

import rawws


class Exchange:
    """What one raw request got: the response (None if the server said
    nothing), its body, whether and when the server closed the connection."""

    def __init__(self, response, body, closed, elapsed, extra):
        self.response = response
        self.body = body
        self.closed = closed            # EOF (or reset) seen
        self.elapsed = elapsed          # seconds from connect to the end
        self.extra = extra              # bytes received after the body

    @property
    def status(self):
        return self.response.status if self.response else None

    def summary(self):
        """Status line and fate of the connection, for tables and asserts."""
        if self.response is None:
            said = "no response"
        else:
            said = f"{self.response.status} {self.response.reason}"
        fate = "closed" if self.closed else "left open"
        return f"{said}, {fate} after {self.elapsed:.1f} s"

    def __repr__(self):
        return f"Exchange({self.summary()}, extra={self.extra[:80]!r})"


def _recv(sock):
    try:
        return sock.recv(65536)
    except ConnectionResetError:
        return b""


def exchange(port, request, *, timeout=5.0):
    """Sends raw request bytes and reads the response, then waits up to
    timeout for the server to close.

    The server may refuse a request before it has all of it, and close: a
    send that fails with a reset is therefore not an error, the answer (if
    any) is still read.
    """
    start = time.monotonic()
    deadline = start + timeout
    with rawws.open_socket(port, timeout=timeout) as sock:
        try:
            sock.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            pass
        response, rest = rawws.read_response_head(sock, timeout)
        body = bytearray(rest)
        if response is not None:
            length = int(response.header("content-length", "0"))
            while len(body) < length:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = _recv(sock)
                if not chunk:
                    break
                body += chunk
            extra = bytes(body[length:])
            body = bytes(body[:length])
        else:
            extra, body = b"", b""
        closed = response is None
        while not closed and time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = _recv(sock)
            except socket.timeout:
                break
            if not chunk:
                closed = True
            else:
                extra += chunk
        return Exchange(response, body, closed, time.monotonic() - start,
                        extra)


def get(port, path, *, connection=None, headers=None, timeout=10):
    """(status, body) of a GET, on connection (kept open) or a new one."""
    conn = connection or http.client.HTTPConnection("127.0.0.1", port,
                                                    timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if connection is None:
            conn.close()


def vm_rss_kib(pid):
    """Resident set size of process pid in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for pid {pid}")


def tool(name):
    """Path of an external program the tests need; fails (not skips) when
    it is missing: scripts/install-deps.sh installs it."""
    path = shutil.which(name)
    if not path:
        pytest.fail(f"{name} is not installed; scripts/install-deps.sh "
                    "installs it", pytrace=False)
    return path


def curl(*args, timeout=60):
    """Runs curl with args; returns the CompletedProcess (stdout bytes,
    stderr text).  -sS keeps the progress meter out of stderr."""
    cmd = [tool("curl"), "-sS", "--max-time", str(timeout)] + list(args)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout + 10)
    proc.stderr = proc.stderr.decode("utf-8", "replace")
    return proc


def read_resource(resource_dir, name):
    with open(os.path.join(resource_dir, name), "rb") as f:
        return f.read()
