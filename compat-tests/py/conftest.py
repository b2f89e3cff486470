"""Fixtures that run the libwebsockets test programs for the pytest suite.

Where things come from:

  LWS_BIN_DIR       directory holding libwebsockets-test-server,
                    libwebsockets-test-echo and libwebsockets-test-server-extpoll
                    (required: without it every test errors out, loudly)
  LWS_RESOURCE_DIR  test.html, favicon.ico, leaf.png; default: the
                    compat-tests/resources folder next to this one

Every server runs on a free loopback port, is considered up once it prints
its "listening on port N" line, and is stopped with SIGINT (then SIGKILL)
when the test ends.  Its stderr is drained continuously (so a chatty
--debug level can never block it) and attached to the report of a test that
fails.  A server that died on its own during a test fails that test: a
crash is never hidden behind a passing client-side assertion.
"""

import collections
import os
import resource
import signal
import socket
import subprocess
import threading
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_RESOURCE_DIR = os.path.join(os.path.dirname(HERE), "resources")

TEST_SERVER = "libwebsockets-test-server"
TEST_ECHO = "libwebsockets-test-echo"
TEST_EXTPOLL = "libwebsockets-test-server-extpoll"

STARTUP_TIMEOUT = 10.0      # seconds until "listening on port" must appear
STOP_TIMEOUT = 5.0          # seconds a server gets to exit after SIGINT
STDERR_LINES_KEPT = 2000


def _raise_fd_limit():
    """Lets this process, and the servers it starts, hold >1000 sockets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


# Done at import, before any server is started, so that they inherit it.
_raise_fd_limit()


def free_port():
    """A TCP port nobody listens on right now (best effort, see start())."""
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
        marker = f"listening on port {self.port}"
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.lines.append(line)
            if marker in line:
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

    def describe_exit(self):
        rc = self.proc.returncode
        if rc is None:
            return "running"
        if rc < 0:
            return f"killed by signal {signal.Signals(-rc).name}"
        return f"exit status {rc}"


def program_path(name):
    """Path of one of the test programs in LWS_BIN_DIR (fails if absent)."""
    bin_dir = os.environ.get("LWS_BIN_DIR")
    if not bin_dir:
        pytest.fail("LWS_BIN_DIR is not set: point it at the directory "
                    f"holding {TEST_SERVER}, {TEST_ECHO} and {TEST_EXTPOLL}",
                    pytrace=False)
    path = os.path.join(bin_dir, name)
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is missing or not executable", pytrace=False)
    return path


@pytest.fixture(scope="session")
def resource_dir():
    path = os.environ.get("LWS_RESOURCE_DIR", DEFAULT_RESOURCE_DIR)
    for name in ("test.html", "favicon.ico", "leaf.png"):
        if not os.path.isfile(os.path.join(path, name)):
            pytest.fail(f"{name} not found in resource dir {path} "
                        "(set LWS_RESOURCE_DIR)", pytrace=False)
    return path


@pytest.fixture
def start_server(request):
    """Factory: start_server(binary_name, *args) -> running ServerProcess.

    Retries on another port if the one picked was taken meanwhile.  At the
    end of the test every server is stopped; one that had died by itself
    fails the test.
    """
    started = []
    request.node._lws_servers = started

    def start(name, *args):
        binary = program_path(name)
        for _ in range(5):
            server = ServerProcess(binary, args)
            started.append(server)
            if server.start(free_port()):
                return server
        raise AssertionError(f"{name} failed to start 5 times:\n"
                             f"{server.stderr_text()}")

    yield start

    crashed = []
    for server in started:
        died = server.listening() and not server.alive() and \
            not server.stopped_by_us
        server.stop()
        if died:
            crashed.append(f"{server.name} (port {server.port}) died during "
                           f"the test: {server.describe_exit()}\n"
                           f"{server.stderr_text()}")
    if crashed:
        pytest.fail("\n\n".join(crashed), pytrace=False)


@pytest.fixture
def echo_server(start_server):
    """libwebsockets-test-echo on a free port."""
    return start_server(TEST_ECHO)


@pytest.fixture
def test_server(start_server, resource_dir):
    """libwebsockets-test-server serving resource_dir."""
    return start_server(TEST_SERVER, "--resource-path", resource_dir)


@pytest.fixture
def extpoll_server(start_server, resource_dir):
    """libwebsockets-test-server-extpoll serving resource_dir."""
    return start_server(TEST_EXTPOLL, "--resource-path", resource_dir)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attaches the stderr of every server the test started when it fails."""
    outcome = yield
    report = outcome.get_result()
    if report.passed:
        return
    for server in getattr(item, "_lws_servers", ()):
        report.sections.append(
            (f"{server.name} stderr (port {server.port}, "
             f"{server.describe_exit() if server.proc else 'not started'})",
             server.stderr_text() or "(empty)"))
