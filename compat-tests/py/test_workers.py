"""--workers N: the test servers as N processes on one port.

Each worker has its own context, created with
LWS_SERVER_OPTION_ALLOW_LISTEN_SHARE (SO_REUSEPORT), and the kernel spreads
the connections over them.  Every server process prints how many
connections it accepted as it ends, which is how these tests see where the
connections went.
"""

import asyncio
import http.client
import os
import re
import signal
import time

import programs
import wsclient

CONNECTIONS = 40        # all on one worker of two: odds of 2 in 2**40


def _round_trips(port, count, protocol=None):
    """count connections open at once, one message echoed on each."""

    async def scenario():
        clients = await asyncio.gather(*(wsclient.aconnect(port, protocol)
                                         for _ in range(count)))
        try:
            async def one(i, ws):
                await ws.send(f"message {i}")
                assert await asyncio.wait_for(ws.recv(), 10) == \
                    f"message {i}"
            await asyncio.gather(*(one(i, ws) for i, ws in enumerate(clients)))
        finally:
            await asyncio.gather(*(ws.close() for ws in clients),
                                 return_exceptions=True)

    asyncio.run(asyncio.wait_for(scenario(), 60))


def _assert_spread(counts, total):
    """Every listener took a share, and the shares add up."""
    counts = list(counts)
    assert all(n > 0 for n in counts), counts
    assert sum(counts) == total, counts


def _worker_pids(server, count):
    pids = [int(p) for p in re.findall(r"worker \d+ of \d+ \(pid (\d+)\) ready",
                                       server.stderr_text())]
    assert len(pids) == count, server.stderr_text()
    return pids


def _gone(pid):
    """No such process, or only a zombie waiting for its reaper."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def _wait_gone(pids, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(_gone(p) for p in pids):
            return True
        time.sleep(0.05)
    return False


def test_echo_workers_share_the_connections(start_server):
    server = start_server(programs.TEST_ECHO, "--workers", "2")
    pids = _worker_pids(server, 2)
    _round_trips(server.port, CONNECTIONS)
    assert server.stop() == 0
    counts = server.accepted_connections()
    assert sorted(counts) == sorted(pids), server.stderr_text()
    _assert_spread(counts.values(), CONNECTIONS)


def test_server_workers_share_websocket_and_http(start_server, resource_dir):
    server = start_server(programs.TEST_SERVER, "--resource-path",
                          resource_dir, "--workers", "2")
    pids = _worker_pids(server, 2)

    async def counters():
        clients = await asyncio.gather(*(
            wsclient.aconnect(server.port, "dumb-increment-protocol")
            for _ in range(CONNECTIONS // 2)))
        try:
            for ws in clients:
                assert (await asyncio.wait_for(ws.recv(), 10)).isdigit()
        finally:
            await asyncio.gather(*(ws.close() for ws in clients),
                                 return_exceptions=True)

    asyncio.run(asyncio.wait_for(counters(), 60))
    with open(os.path.join(resource_dir, "test.html"), "rb") as f:
        page = f.read()
    for _ in range(CONNECTIONS // 2):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            conn.request("GET", "/")
            response = conn.getresponse()
            assert response.status == 200 and response.read() == page
        finally:
            conn.close()

    assert server.stop() == 0
    counts = server.accepted_connections()
    assert sorted(counts) == sorted(pids), server.stderr_text()
    _assert_spread(counts.values(), CONNECTIONS)


def test_separate_processes_share_a_port_only_with_the_option(start_server):
    """Two programs started apart share the port when both ask for it
    (--workers 1 each); a third that does not ask cannot bind."""
    first = start_server(programs.TEST_ECHO, "--workers", "1")
    binary = programs.program_path(programs.TEST_ECHO)
    second = programs.ServerProcess(binary, ["--workers", "1"])
    plain = programs.ServerProcess(binary, [])
    try:
        assert second.start(first.port), second.stderr_text()
        assert not plain.start(first.port)
        assert "bind to port" in plain.stderr_text()
        _round_trips(first.port, CONNECTIONS)
    finally:
        assert second.stop() == 0, second.stderr_text()
        plain.stop()
    assert first.stop() == 0
    _assert_spread([sum(s.accepted_connections().values())
                    for s in (first, second)], CONNECTIONS)


def test_a_worker_that_dies_stops_the_others():
    server = programs.ServerProcess(
        programs.program_path(programs.TEST_ECHO), ["--workers", "2"])
    try:
        assert server.start(programs.free_port()), server.stderr_text()
        victim, other = _worker_pids(server, 2)
        os.kill(victim, signal.SIGKILL)
        server.proc.wait(10)
        assert server.proc.returncode == 1
        assert _wait_gone([other])
        server.stop()           # reads the rest of its stderr
        assert f"worker pid {victim} killed by signal 9" in \
            server.stderr_text()
    finally:
        server.stop()


def test_workers_end_with_their_supervisor():
    """A supervisor killed outright leaves no worker behind."""
    server = programs.ServerProcess(
        programs.program_path(programs.TEST_ECHO), ["--workers", "2"])
    try:
        assert server.start(programs.free_port()), server.stderr_text()
        pids = _worker_pids(server, 2)
        server.proc.kill()
        server.proc.wait(10)
        assert _wait_gone(pids), server.stderr_text()
    finally:
        server.stop()
