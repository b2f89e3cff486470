"""Our client programs against our server programs: the library on both
ends of the connection.

LWS_SOAK_SECONDS (default 30) sets how long test-client and test-ping run
against test-server in the soak test.
"""

import os
import re
import select
import signal
import time
import zlib

import peers
import programs
from peers import (finish_program, run_program, run_scenario,
                   start_program)

SOAK_SECONDS = float(os.environ.get("LWS_SOAK_SECONDS", "30"))

PING_SUMMARY = re.compile(
    r"^(\d+) packets transmitted, (\d+) received, ([\d.e+-]+)% packet "
    r"loss, rtt min/avg/max = ([\d.]+)/([\d.]+)/([\d.]+) ms$", re.M)
CLIENT_SUMMARY = re.compile(
    r"test-client: dumb-increment (\d+) values \((-?\d+)\.\.(-?\d+)\), "
    r"(\d+) gaps; mirror (\d+) strokes sent, (\d+) came back, (\d+) in "
    r"flight, (\d+) from others")


def ping_summary(out):
    found = PING_SUMMARY.search(out.stdout)
    assert found, out.stdout + out.stderr
    sent, received, loss = int(found[1]), int(found[2]), float(found[3])
    rtt = tuple(float(found[i]) for i in (4, 5, 6))
    return sent, received, loss, rtt


def client_summary(out):
    found = CLIENT_SUMMARY.search(out.stdout)
    assert found, out.stdout + out.stderr
    return tuple(int(v) for v in found.groups())


def server_errors(server):
    """Error lines the library or the program logged."""
    return [line for line in server.lines if "ERR" in line]


# ------------------------------------------------------------ test-client

def test_client_draws_and_counts(test_server):
    out = run_program(peers.TEST_CLIENT,
                      ["127.0.0.1", "--port", test_server.port, "--number",
                       200, "--interval", 2], timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    values, first, last, gaps, sent, back, flight, others = \
        client_summary(out)
    assert (sent, back, flight, gaps, others) == (200, 200, 0, 0, 0)
    assert values >= 1 and last - first == values - 1
    printed = [int(line.split()[1]) for line in out.stdout.splitlines()
               if line.startswith("dumb-increment: ")]
    assert printed == list(range(first, last + 1))
    assert not server_errors(test_server)


def test_client_undeflated(test_server):
    out = run_program(peers.TEST_CLIENT,
                      ["127.0.0.1", "-p", test_server.port, "-n", 20, "-u"],
                      timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    assert client_summary(out)[4:6] == (20, 20)


def wait_for_line(proc, text, timeout=10.0):
    """Reads proc's stderr until a line containing text (fails on EOF or
    timeout); the lines read are returned.

    Reads the descriptor itself: a buffered readline() after select() could
    take two lines in one read and leave the second in Python's buffer,
    where select() no longer sees it (the wait then timed out under load)."""
    fd = proc.stderr.fileno()
    lines = []
    pending = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [],
                                    max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            lines.append(line.decode(errors="replace") + "\n")
            if text in lines[-1]:
                return lines
    raise AssertionError(f"no '{text}' from {proc.args[0]}: {lines}")


def test_client_two_clients_see_each_others_strokes(test_server):
    """Two test-clients on one mirror: each gets its own strokes back in
    order, and the other's besides."""
    first = start_program(peers.TEST_CLIENT,
                          ["127.0.0.1", "-p", test_server.port, "-l", "-i",
                           5])
    try:
        wait_for_line(first, "lws-mirror connected")
        second = run_program(peers.TEST_CLIENT,
                             ["127.0.0.1", "-p", test_server.port, "-n",
                              100, "-i", 5], timeout=30)
    finally:
        first.send_signal(signal.SIGINT)
        first = finish_program(first)
    for out in (first, second):
        assert out.returncode == 0, out.stdout[-2000:] + out.stderr
        values, first_value, last, gaps, sent, back, flight, others = \
            client_summary(out)
        assert sent > 0 and back == sent and flight == 0 and gaps == 0
        # While both drew, each saw strokes of the other.
        assert others > 0
    assert client_summary(second)[4] == 100


def test_client_connection_refused():
    out = run_program(peers.TEST_CLIENT,
                      ["127.0.0.1", "-p", programs.free_port(), "-n", 5],
                      timeout=30)
    assert out.returncode == 1
    assert "connection failed" in out.stderr


def test_client_help():
    out = run_program(peers.TEST_CLIENT, ["--help"])
    assert out.returncode == 0
    for option in ("--port", "--ssl", "--number", "--longlived",
                   "--undeflated"):
        assert option in out.stdout


# -------------------------------------------------------------- test-ping

def test_ping_counts_and_rtt(test_server):
    out = run_program(peers.TEST_PING,
                      ["127.0.0.1", "-p", test_server.port, "-n", 20,
                       "-i", 10, "-s", 100], timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    sent, received, loss, (lo, avg, hi) = ping_summary(out)
    assert (sent, received, loss) == (20, 20, 0.0)
    assert 0 < lo <= avg <= hi < 1000
    lines = re.findall(r"^100 bytes from 127\.0\.0\.1: seq=(\d+) "
                       r"time=[\d.]+ ms$", out.stdout, re.M)
    assert [int(s) for s in lines] == list(range(20))


def test_ping_flood_quiet(test_server):
    out = run_program(peers.TEST_PING,
                      ["127.0.0.1", "-p", test_server.port, "-n", 3000,
                       "-f", "-q", "-s", 125], timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert ping_summary(out)[:3] == (3000, 3000, 0.0)
    assert "bytes from" not in out.stdout


def test_ping_dumb_increment_protocol(test_server):
    """Pongs come between the counter's data frames, unharmed."""
    out = run_program(peers.TEST_PING,
                      ["127.0.0.1", "-p", test_server.port, "-n", 30,
                       "-i", 20, "-q", "-P", "dumb-increment-protocol"],
                      timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    assert ping_summary(out)[:3] == (30, 30, 0.0)


def test_ping_against_websockets_server():
    def handler(ws):
        for _ in ws:
            pass

    with peers.websockets_server(
            handler, subprotocols=["lws-mirror-protocol"]) as port:
        out = run_program(peers.TEST_PING,
                          ["127.0.0.1", "-p", port, "-n", 50, "-i", 5,
                           "-s", 16], timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    assert ping_summary(out)[:3] == (50, 50, 0.0)


def test_ping_server_without_pongs():
    """A server that never answers pings: 100% loss, exit 2, no hang."""
    def handler(peer):
        request = peer.read_request()
        peer.send(peer.accept_101(
            request, extra=["Sec-WebSocket-Protocol: lws-mirror-protocol"]))
        peer.wait_eof(20)       # reads (and drops) the pings

    with peers.raw_server(handler) as server:
        out = run_program(peers.TEST_PING,
                          ["127.0.0.1", "-p", server.port, "-n", 3, "-i",
                           10, "-w", 300], timeout=30)
    assert out.returncode == 2, out.stdout + out.stderr
    assert ping_summary(out)[:3] == (3, 0, 100.0)


# ----------------------------------------------------------------- soak

def test_client_and_ping_soak(test_server):
    """test-client (long-lived, drawing every 10 ms) and test-ping (every
    20 ms) against one test-server for LWS_SOAK_SECONDS: no error, nothing
    lost, the counter never skips."""
    pings = max(1, int(SOAK_SECONDS * 1000 / 20))
    client = start_program(peers.TEST_CLIENT,
                           ["127.0.0.1", "-p", test_server.port, "-l",
                            "-i", 10])
    ping = start_program(peers.TEST_PING,
                         ["127.0.0.1", "-p", test_server.port, "-n", pings,
                          "-i", 20, "-q"])
    deadline = time.monotonic() + SOAK_SECONDS
    while time.monotonic() < deadline:
        assert client.poll() is None, "test-client ended early"
        assert test_server.alive(), "test-server died"
        time.sleep(0.5)
    client.send_signal(signal.SIGINT)
    client_out = finish_program(client, timeout=30)
    ping_out = finish_program(ping, timeout=30)

    assert client_out.returncode == 0, client_out.stdout[-2000:] + \
        client_out.stderr
    values, first, last, gaps, sent, back, flight, _ = \
        client_summary(client_out)
    assert gaps == 0 and flight == 0 and back == sent
    # 10 ms strokes and a 50 ms counter, allowing for a loaded machine.
    assert sent > SOAK_SECONDS * 20
    assert values > SOAK_SECONDS * 5 and last - first == values - 1

    assert ping_out.returncode == 0, ping_out.stdout + ping_out.stderr
    assert ping_summary(ping_out)[:3] == (pings, pings, 0.0)
    assert not server_errors(test_server)


# -------------------------------------------------------------- fraggle

def test_fraggle_client_and_server(start_server):
    server = start_server(peers.TEST_FRAGGLE)
    out = run_program(peers.TEST_FRAGGLE,
                      ["--client", "127.0.0.1", "-p", server.port, "-n", 5,
                       "-S", 1234], timeout=60)
    assert out.returncode == 0, out.stderr
    answers = re.findall(r"client: message (\d+), (\d+) bytes in (\d+) "
                         r"frames, sum ([0-9a-f]{8}); server: ok sum "
                         r"([0-9a-f]{8}) len (\d+) frames (\d+)$",
                         out.stderr, re.M)
    assert len(answers) == 5
    for _, size, frames, mine, theirs, their_size, their_frames in answers:
        assert (mine, size, frames) == (theirs, their_size, their_frames)
        assert int(frames) >= 2
    server.stop()
    matches = [line for line in server.lines if line.endswith(": match")]
    assert len(matches) == 5
    assert server.proc.returncode == 0


def test_fraggle_single_byte_fragments(start_server):
    server = start_server(peers.TEST_FRAGGLE)
    out = run_program(peers.TEST_FRAGGLE,
                      ["--client", "127.0.0.1", "-p", server.port,
                       "--fragments", 500, "--max-fragment", 1],
                      timeout=60)
    assert out.returncode == 0, out.stderr
    assert "500 bytes in 500 frames" in out.stderr


def test_fraggle_client_against_websockets_server():
    """An independent reassembly: websockets joins the fragments, the test
    computes the checksum."""
    def handler(ws):
        data = ws.recv(timeout=10)
        text = ws.recv(timeout=10)
        fields = text.split()
        ok = (int(fields[1], 16) == zlib.crc32(data) and
              int(fields[3]) == len(data))
        ws.send(("ok " if ok else "bad ") + text)
        for _ in ws:
            pass

    with peers.websockets_server(
            handler, subprotocols=["fraggle-protocol"]) as port:
        out = run_program(peers.TEST_FRAGGLE,
                          ["--client", "127.0.0.1", "-p", port], timeout=30)
    assert out.returncode == 0, out.stderr
    assert "server: ok sum" in out.stderr


# ------------------------------------------------- many connections

def test_1000_concurrent_client_connections(echo_server):
    """1000 connections from one client context, all open at the same
    time, each echoing its own message."""
    out = run_scenario(echo_server.port, "--protocols", "lws-echo",
                       "--connections", 1000, "--together", "--send", 1,
                       "--size", 300, "--verify", "--quiet", "--timeout",
                       100, timeout=120)
    assert out.returncode == 0, out.explain()
    summary = out.summary()
    assert summary["established"] == 1000
    assert summary["max_open"] == 1000
    assert summary["messages"] == 1000 and summary["bad"] == 0
    assert summary["errors"] == 0 and summary["closed"] == 1000
    assert out.of("ALL_ESTABLISHED") and out.of("ALL_DONE")


def test_scenario_fragments_to_our_echo(echo_server):
    out = run_scenario(echo_server.port, "--protocols", "lws-echo",
                       "--send", 5, "--size", 100000, "--fragments", 13,
                       "--binary", "--verify")
    assert out.returncode == 0, out.explain()
    assert [m["len"] for m in out.of("MESSAGE")] == ["100000"] * 5


def test_scenario_16_mib_to_our_echo(echo_server):
    out = run_scenario(echo_server.port, "--protocols", "lws-echo",
                       "--send", 2, "--size", 16 << 20, "--verify",
                       timeout=120)
    assert out.returncode == 0, out.explain()
    assert [m["ok"] for m in out.of("MESSAGE")] == ["1", "1"]


# ----------------------------------------------------- test-echo client

def test_echo_client_rate(echo_server):
    """test-echo --client --rate N sends N messages a second."""
    out = run_program(programs.TEST_ECHO,
                      ["--client", "127.0.0.1", "--port", echo_server.port,
                       "--rate", 50, "--count", 20], timeout=30)
    assert out.returncode == 0, out.stderr
    replies = [line for line in out.stdout.splitlines()
               if line.startswith("rx ")]
    assert replies == [f"rx {i + 1}: test-echo message {i}"
                       for i in range(20)]
    # 19 gaps of 20 ms at least; far less than a second per message.
    assert 0.3 < out.elapsed < 10


def test_unknown_protocol_version_refused_at_once(echo_server):
    out = run_scenario(echo_server.port, "--ietf-version", 8)
    assert out.returncode == 1, out.explain()
    assert out.of("CONNECT_FAILED")
