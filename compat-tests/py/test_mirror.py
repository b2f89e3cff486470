"""lws-mirror-protocol: every message goes to every mirror client, in order."""

import os
import threading
import time

import scenarios
import wsclient
from rawws import OP_CONTINUATION, OP_TEXT, RawWebSocket

MIRROR = scenarios.MIRROR


def test_round_trip_between_two_clients(test_server):
    scenarios.check_mirror_round_trip(test_server.port)


def test_burst_beyond_the_ring_is_lossless(test_server):
    scenarios.check_mirror_burst(test_server.port, count=1000)


def test_three_senders_at_once(test_server):
    scenarios.check_mirror_burst(test_server.port, count=500, senders=3)


def test_message_larger_than_rx_buffer_stays_whole(test_server):
    # rx_buffer_size is 128: this arrives in many RECEIVE pieces and must
    # still be mirrored as one message.
    message = "d #00ff00 " + " ".join(str(i) for i in range(3000)) + ";"
    with wsclient.connect(test_server.port, protocol=MIRROR) as a, \
            wsclient.connect(test_server.port, protocol=MIRROR) as b:
        a.send(message)
        assert b.recv(timeout=10) == message
        assert a.recv(timeout=10) == message


def test_fragmented_message_is_mirrored_whole(test_server):
    with RawWebSocket.connect(test_server.port, protocol=MIRROR) as a, \
            wsclient.connect(test_server.port, protocol=MIRROR) as b:
        a.send_frame(OP_TEXT, b"d #0000ff 1 ", fin=False)
        a.send_frame(OP_CONTINUATION, b"2 3 4;")
        assert b.recv(timeout=10) == "d #0000ff 1 2 3 4;"
        assert a.recv_message() == (OP_TEXT, b"d #0000ff 1 2 3 4;")


def test_new_client_gets_only_new_messages(test_server):
    with wsclient.connect(test_server.port, protocol=MIRROR) as a:
        a.send("before")
        assert a.recv(timeout=10) == "before"
        with wsclient.connect(test_server.port, protocol=MIRROR) as b:
            a.send("after")
            assert b.recv(timeout=10) == "after"


def test_a_departed_reader_does_not_stall_the_others(test_server):
    # A reader that reads nothing soon lags 240 messages behind (the
    # messages are big enough to fill its socket buffers), which throttles
    # the sender.  When that reader goes away, its backlog goes with it and
    # the sender must be let go again.
    silent = RawWebSocket.connect(test_server.port, protocol=MIRROR)
    messages = [f"d #123456 {i} ".encode() + os.urandom(16 * 1024)
                for i in range(300)]
    with wsclient.connect(test_server.port, protocol=MIRROR,
                          max_queue=None) as a:
        sender = threading.Thread(
            target=lambda: [a.send(m) for m in messages], daemon=True)
        sender.start()
        time.sleep(1.0)
        silent.close()
        got = [a.recv(timeout=10) for _ in messages]
        sender.join(10)
        assert not sender.is_alive(), "sender still throttled"
    assert got == messages
