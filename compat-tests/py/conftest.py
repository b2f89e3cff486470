"""Fixtures that run the libwebsockets test programs for the pytest suite.

Where things come from:

  LWS_BIN_DIR       directory holding libwebsockets-test-server,
                    libwebsockets-test-echo and libwebsockets-test-server-extpoll
                    (required: without it every test errors out, loudly)
  LWS_DRIVER_DIR    directory holding the test-only programs (see
                    programs.DRIVERS), required by the tests that run them
  LWS_RESOURCE_DIR  test.html, favicon.ico, leaf.png; default: the
                    compat-tests/resources folder next to this one

Every server runs on a free loopback port and is stopped with SIGINT (then
SIGKILL) when its test ends.  The stderr of every server a failing test
started is attached to its report.  A server that died on its own during a
test fails that test: a crash is never hidden behind a passing client-side
assertion.
"""

import os

import pytest

import programs

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_RESOURCE_DIR = os.path.join(os.path.dirname(HERE), "resources")


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
    """Factory: start_server(program_name, *args) -> running ServerProcess.

    Retries on another port if the one picked was taken meanwhile.  At the
    end of the test every server is stopped; one that had died by itself
    fails the test.
    """
    started = []
    request.node.lws_servers = started

    def start(name, *args):
        binary = programs.program_path(name)
        for _ in range(5):
            server = programs.ServerProcess(binary, args)
            started.append(server)
            if server.start(programs.free_port()):
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
    return start_server(programs.TEST_ECHO)


@pytest.fixture
def test_server(start_server, resource_dir):
    """libwebsockets-test-server serving resource_dir."""
    return start_server(programs.TEST_SERVER, "--resource-path", resource_dir)


@pytest.fixture
def extpoll_server(start_server, resource_dir):
    """libwebsockets-test-server-extpoll serving resource_dir."""
    return start_server(programs.TEST_EXTPOLL, "--resource-path",
                        resource_dir)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attaches the stderr of every server the test started when it fails."""
    outcome = yield
    report = outcome.get_result()
    if report.passed:
        return
    for server in getattr(item, "lws_servers", ()):
        report.sections.append(
            (f"{server.name} stderr (port {server.port}, "
             f"{server.describe_exit()})",
             server.stderr_text() or "(empty)"))
