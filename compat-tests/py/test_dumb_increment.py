"""dumb-increment-protocol: a per-connection counter sent every ~50 ms."""

import time

import pytest
from websockets.exceptions import ConnectionClosed

import wsclient

PROTOCOL = "dumb-increment-protocol"
CLOSETEST_LIMIT = 50


def counters(ws, count):
    return [int(ws.recv(timeout=10)) for _ in range(count)]


def test_counter_starts_at_0_and_increases_by_1(test_server):
    with wsclient.connect(test_server.port, protocol=PROTOCOL) as ws:
        started = time.monotonic()
        values = counters(ws, 20)
        elapsed = time.monotonic() - started
    assert values == list(range(20))
    # One value per 50 ms tick: 20 values cannot come much faster than 1 s.
    assert elapsed >= 0.5, f"20 values in {elapsed:.3f} s"


def test_counters_are_per_connection(test_server):
    with wsclient.connect(test_server.port, protocol=PROTOCOL) as first:
        head_start = counters(first, 10)
        with wsclient.connect(test_server.port, protocol=PROTOCOL) as second:
            assert counters(second, 5) == list(range(5))
            later = counters(first, 5)
    assert head_start == list(range(10))
    # Nothing lost on the first connection meanwhile: it just queued up.
    assert later == list(range(10, 15))


def test_reset_sets_the_counter_back_to_0(test_server):
    with wsclient.connect(test_server.port, protocol=PROTOCOL) as ws:
        values = counters(ws, 10)
        ws.send("reset\n")
        # Values already on their way keep counting up; then it drops to 0.
        for _ in range(100):
            value = int(ws.recv(timeout=10))
            if value != values[-1] + 1:
                break
            values.append(value)
        else:
            pytest.fail(f"no reset after 100 values: {values[-5:]}")
        assert value == 0, f"after {values[-1]} came {value}"
        assert counters(ws, 5) == [1, 2, 3, 4, 5]


def test_other_messages_do_not_reset(test_server):
    with wsclient.connect(test_server.port, protocol=PROTOCOL) as ws:
        values = counters(ws, 5)
        # The last one ends in "reset\n" exactly where the protocol's
        # 10-byte rx buffer splits it: a piece is not a message.
        for text in ("reset", "RESET\n", "reset\n\n", "hello",
                     "0123456789reset\n"):
            ws.send(text)
        values += counters(ws, 15)
    assert values == list(range(20))


def test_closetest_closes_after_50(start_server, resource_dir):
    server = start_server("libwebsockets-test-server", "--closetest",
                          "--resource-path", resource_dir)
    with wsclient.connect(server.port, protocol=PROTOCOL) as ws:
        values = []
        with pytest.raises(ConnectionClosed):
            for _ in range(CLOSETEST_LIMIT + 10):
                values.append(int(ws.recv(timeout=10)))
    assert values == list(range(CLOSETEST_LIMIT))
