"""The test programs as processes: where they are, starting and stopping.

  LWS_BIN_DIR     directory holding the installed test programs
                  (libwebsockets-test-server, -echo, -server-extpoll ...)
  LWS_DRIVER_DIR  directory holding the test-only drivers (DRIVERS), which
                  are built but never installed

A server counts as up once it prints its own "<program>: listening on port
N" line on stderr, after its context is created (the library's NOTICE line
of the same words comes earlier, once per context).  Its stderr is drained
continuously (a chatty --debug level can never block it) and kept for the
report of a failing test.
"""

import collections
import os
import re
import resource
import signal
import socket
import subprocess
import threading
import time

import pytest

TEST_SERVER = "libwebsockets-test-server"
TEST_ECHO = "libwebsockets-test-echo"
TEST_EXTPOLL = "libwebsockets-test-server-extpoll"

# Programs only the tests use: they stay in the build tree.
DRIVERS = frozenset({
    "libwebsockets-test-client-scenario",
    "libwebsockets-test-ext",
    "libwebsockets-test-tls-server",
    "libwebsockets-test-tls-client",
})

STARTUP_TIMEOUT = 10.0      # seconds until "listening on port" must appear
STOP_TIMEOUT = 5.0          # seconds a server gets to exit after SIGINT
STDERR_LINES_KEPT = 2000
_ACCEPTED = re.compile(r": pid (\d+) accepted (\d+) connections$")


def _raise_fd_limit():
    """Lets this process, and the servers it starts, hold >1000 sockets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


# Done at import (conftest imports this module before any test runs), so
# that every server started afterwards inherits the raised limit.
_raise_fd_limit()


def free_port():
    """A TCP port nobody listens on right now (best effort: the caller
    retries on another one if a server fails to start)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """One running test program."""

    def __init__(self, binary, args):
        self.binary = binary
        self.name = os.path.basename(binary)
        self.args = list(args)
        self.port = None
        self.proc = None
        self.lines = collections.deque(maxlen=STDERR_LINES_KEPT)
        self._listening = threading.Event()
        self._reader = None
        self.stopped_by_us = False

    # -- lifecycle -------------------------------------------------------

    def start(self, port):
        self.port = port
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(port)] + self.args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self._listening.wait(0.05):
                return True
            if self.proc.poll() is not None:
                self._reader.join(1)
                return False
        raise AssertionError(
            f"{self.name} printed no 'listening on port {port}' line within "
            f"{STARTUP_TIMEOUT} s\n{self.stderr_text()}")

    def _drain(self):
        marker = re.compile(rf"^[\w-]+: listening on port {self.port}\b")
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.lines.append(line)
            if marker.match(line):
                self._listening.set()

    def stop(self):
        """SIGINT, wait, SIGKILL if needed.  Returns the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.stopped_by_us = True
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.lines.append(f"[conftest: no exit {STOP_TIMEOUT} s "
                                  "after SIGINT, sending SIGKILL]")
                self.proc.kill()
                self.proc.wait(STOP_TIMEOUT)
        if self._reader:
            self._reader.join(2)
        return self.proc.returncode

    # -- state -----------------------------------------------------------

    def listening(self):
        """True once the server announced its port."""
        return self._listening.is_set()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stderr_text(self):
        return "\n".join(self.lines)

    def accepted_connections(self):
        """{pid: connections accepted} from the line each server process
        (each worker, with --workers) prints as it ends."""
        counts = {}
        for line in self.lines:
            found = _ACCEPTED.search(line)
            if found:
                counts[int(found.group(1))] = int(found.group(2))
        return counts

    def describe_exit(self):
        if self.proc is None:
            return "not started"
        rc = self.proc.returncode
        if rc is None:
            return "running"
        if rc < 0:
            return f"killed by signal {signal.Signals(-rc).name}"
        return f"exit status {rc}"


def program_path(name):
    """Path of one of the test programs: a driver in LWS_DRIVER_DIR, any
    other in LWS_BIN_DIR (fails if absent)."""
    variable = "LWS_DRIVER_DIR" if name in DRIVERS else "LWS_BIN_DIR"
    bin_dir = os.environ.get(variable)
    if not bin_dir:
        pytest.fail(f"{variable} is not set: point it at the directory "
                    f"holding {name}", pytrace=False)
    path = os.path.join(bin_dir, name)
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is missing or not executable", pytrace=False)
    return path
