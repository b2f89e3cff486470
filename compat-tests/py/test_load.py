"""Load and back-pressure against libwebsockets-test-echo (loopback only).

Every scenario is bounded in count and in time.
"""

import asyncio
import hashlib
import os
import resource
import threading
import time

import rawws
import wsclient
from rawws import OP_BINARY, RawWebSocket

CONNECTIONS = 1000


def test_1000_concurrent_connections(echo_server):
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert soft == resource.RLIM_INFINITY or soft > CONNECTIONS + 100, \
        f"RLIMIT_NOFILE {soft} too low for {CONNECTIONS} connections"

    async def scenario():
        handshakes = asyncio.Semaphore(100)     # kind to the listen backlog

        async def open_one():
            async with handshakes:
                return await wsclient.aconnect(echo_server.port)

        # All connections are open at the same time...
        clients = await asyncio.gather(*(open_one()
                                         for _ in range(CONNECTIONS)))
        try:
            # ...and each gets its own message back.
            async def round_trip(i, ws):
                message = f"connection {i}: " + "x" * (i % 300)
                await ws.send(message)
                reply = await asyncio.wait_for(ws.recv(), 30)
                assert reply == message

            await asyncio.gather(*(round_trip(i, ws)
                                   for i, ws in enumerate(clients)))
        finally:
            await asyncio.gather(*(ws.close() for ws in clients),
                                 return_exceptions=True)

    asyncio.run(asyncio.wait_for(scenario(), 120))


def test_100_mb_to_a_slow_reader(echo_server):
    """100 MiB echoed to a client that reads slowly: nothing lost or
    reordered, while the server must hold back and flow-control the
    sender instead of buffering everything."""
    message_size = 1 << 20
    count = 100
    block = os.urandom(message_size)

    def message(i):
        shift = (i * 4099) % message_size
        return block[shift:] + block[:shift]

    sent_hash = hashlib.sha256()
    received_hash = hashlib.sha256()
    received = 0
    errors = []

    with RawWebSocket.connect(echo_server.port) as ws:
        def send_all():
            try:
                for i in range(count):
                    data = message(i)
                    sent_hash.update(data)
                    ws.send_raw(rawws.build_frame(OP_BINARY, data))
            except Exception as e:          # reported by the main thread
                errors.append(e)

        sender = threading.Thread(target=send_all, daemon=True)
        sender.start()

        deadline = time.monotonic() + 180
        parser = ws.parser
        messages = 0
        ws.sock.settimeout(10)
        while messages < count:
            assert time.monotonic() < deadline, \
                f"only {received} bytes after 180 s"
            chunk = ws.sock.recv(1 << 20)
            assert chunk, f"server closed after {received} bytes"
            parser.feed(chunk)
            while True:
                frame = parser.next_frame()
                if frame is None:
                    break
                assert frame.opcode == OP_BINARY and frame.fin
                assert len(frame.payload) == message_size
                received_hash.update(frame.payload)
                received += len(frame.payload)
                messages += 1
            time.sleep(0.002)               # the slow part

        sender.join(10)
        assert not errors, f"sending failed: {errors[0]!r}"
        assert not sender.is_alive()

    assert received == count * message_size
    assert received_hash.hexdigest() == sent_hash.hexdigest()


def test_10000_messages_faster_than_writeable(echo_server):
    count = 10000
    messages = [f"m{i:05d}" for i in range(count)]
    with wsclient.connect(echo_server.port, max_queue=None) as ws:
        started = time.monotonic()
        for m in messages:
            ws.send(m)                      # no waiting for replies
        replies = [ws.recv(timeout=10) for _ in messages]
        elapsed = time.monotonic() - started
    assert replies == messages
    assert elapsed < 60


def test_burst_on_many_connections_at_once(echo_server):
    # 50 clients each fire 200 messages without waiting: per-connection
    # queues and flow control must not mix or lose anything.
    async def scenario():
        clients = [await wsclient.aconnect(echo_server.port, max_queue=None)
                   for _ in range(50)]
        try:
            async def burst(i, ws):
                msgs = [f"{i}:{n}" for n in range(200)]
                for m in msgs:
                    await ws.send(m)
                got = [await asyncio.wait_for(ws.recv(), 10) for _ in msgs]
                assert got == msgs

            await asyncio.gather(*(burst(i, ws)
                                   for i, ws in enumerate(clients)))
        finally:
            await asyncio.gather(*(ws.close() for ws in clients),
                                 return_exceptions=True)

    asyncio.run(asyncio.wait_for(scenario(), 120))
