"""Start-up and shut-down of the test programs.

Each program must exit 0 on SIGINT, with connections still open, after
libwebsocket_context_destroy; and must exit 1 with a message when the
context cannot be created (here: the port is taken).
"""

import signal
import socket
import subprocess

import pytest

import programs
import wsclient

PROGRAMS = [programs.TEST_SERVER, programs.TEST_ECHO, programs.TEST_EXTPOLL]


@pytest.mark.parametrize("program", PROGRAMS)
def test_sigint_exits_cleanly_with_open_connections(start_server, program):
    server = start_server(program)
    protocol = None if program == programs.TEST_ECHO else \
        "lws-mirror-protocol"
    with wsclient.connect(server.port, protocol=protocol) as ws:
        ws.send("hello")
        assert ws.recv(timeout=10) == "hello"
        assert server.stop() == 0, server.stderr_text()


@pytest.mark.parametrize("program", PROGRAMS)
def test_port_in_use_exits_1(program):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        try:
            result = subprocess.run(
                [programs.program_path(program), "--port", str(port)],
                stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{program} kept running on a port in use")
    assert result.returncode == 1, result.stderr.decode(errors="replace")
    assert b"listening on port" not in result.stderr


@pytest.mark.parametrize("program", PROGRAMS)
def test_help_exits_0(program):
    result = subprocess.run([programs.program_path(program), "--help"],
                            stdin=subprocess.DEVNULL, capture_output=True,
                            timeout=10)
    assert result.returncode == 0
    assert b"--port" in result.stdout


@pytest.mark.parametrize("program", PROGRAMS)
def test_bad_option_exits_1(program):
    result = subprocess.run([programs.program_path(program),
                             "--no-such-option"],
                            stdin=subprocess.DEVNULL, capture_output=True,
                            timeout=10)
    assert result.returncode == 1


def test_sigterm_also_stops(start_server):
    server = start_server(programs.TEST_ECHO)
    server.proc.send_signal(signal.SIGTERM)
    server.stopped_by_us = True
    assert server.proc.wait(5) == 0
