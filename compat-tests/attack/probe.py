"""The fresh client: is the server still serving newcomers?

A blocking WebSocket client (compat-tests/py/rawws.py) that handshakes on
lws-mirror-protocol, sends one text message and waits until the mirror sends
it back; messages of other clients that arrive first are skipped.  One
second is the bound the attack run asserts: on loopback this takes a few
milliseconds, so only a server that is stuck, spinning or out of descriptors
misses it.
"""

import time

import rawws

BOUND = 1.0
_serial = 0


def fresh_client(port):
    """Seconds the round trip took; raises if it failed or took over BOUND."""
    global _serial
    _serial += 1
    token = f"probe {_serial}".encode()
    started = time.monotonic()
    with rawws.RawWebSocket.connect(port, protocol="lws-mirror-protocol",
                                    timeout=BOUND) as ws:
        ws.send_frame(rawws.OP_TEXT, token)
        while True:
            left = BOUND - (time.monotonic() - started)
            if left <= 0:
                raise TimeoutError(f"no mirror of {token!r} within {BOUND} s")
            opcode, payload = ws.recv_message(timeout=left)
            if opcode == rawws.OP_TEXT and payload == token:
                break
        ws.send_close(1000)
    took = time.monotonic() - started
    if took > BOUND:
        raise TimeoutError(f"round trip took {took:.3f} s (bound {BOUND} s)")
    return took
