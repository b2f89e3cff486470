"""Checks shared by the tests of test-server and test-server-extpoll.

Both programs serve the same protocols; only who runs the poll loop
differs, so the same scenarios must pass against both.
"""

import contextlib
import threading

import wsclient

DUMB_INCREMENT = "dumb-increment-protocol"
MIRROR = "lws-mirror-protocol"


def check_counter_advances(port, count=10):
    with wsclient.connect(port, protocol=DUMB_INCREMENT) as ws:
        assert ws.subprotocol == DUMB_INCREMENT
        values = [int(ws.recv(timeout=10)) for _ in range(count)]
    assert values == list(range(count))


def check_mirror_round_trip(port):
    """A stroke from one client reaches both clients, sender included."""
    stroke = "d #ff0000 10 20 30 40;"
    with wsclient.connect(port, protocol=MIRROR) as a, \
            wsclient.connect(port, protocol=MIRROR) as b:
        assert a.subprotocol == MIRROR and b.subprotocol == MIRROR
        a.send(stroke)
        assert a.recv(timeout=10) == stroke
        assert b.recv(timeout=10) == stroke
        b.send(b"\x00binary\xff")
        assert a.recv(timeout=10) == b"\x00binary\xff"
        assert b.recv(timeout=10) == b"\x00binary\xff"


def check_mirror_burst(port, count=1000, senders=1):
    """count messages from each sender reach every client, in order.

    Far more than the server's 256-message ring, sent as fast as possible:
    only the server's rx flow control keeps this lossless.
    """
    with contextlib.ExitStack() as stack:
        clients = [stack.enter_context(wsclient.connect(port, protocol=MIRROR,
                                                        max_queue=None))
                   for _ in range(max(2, senders))]
        expected = {s: [f"d #{s:06x} {i} 0 {i} 1;" for i in range(count)]
                    for s in range(senders)}

        def send_all(s):
            for message in expected[s]:
                clients[s].send(message)

        threads = [threading.Thread(target=send_all, args=(s,))
                   for s in range(senders)]
        for t in threads:
            t.start()
        for ws in clients:
            got = [ws.recv(timeout=10) for _ in range(count * senders)]
            for s in range(senders):
                mine = [m for m in got if m.startswith(f"d #{s:06x} ")]
                assert mine == expected[s]
        for t in threads:
            t.join(10)
            assert not t.is_alive(), "a sender is still blocked"
