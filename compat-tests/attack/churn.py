"""Short-lived connections: churn, and resets in the middle of a frame."""

import asyncio

import mutated
import rawws
import seeds
import wire

CONCURRENCY = 48
TIMEOUT = 8.0


async def churn_case(batch, index):
    """One of six ways to come and go, by index."""
    kind = index % 6
    rng = batch.rng(index)
    conn = await wire.Connection.open(batch.port, index)
    try:
        if kind == 0:
            label = "connect, FIN"
        elif kind == 1:
            conn.reset()
            label = "connect, RST"
        elif kind == 2:
            await conn.send(seeds.upgrade_request(rng, seeds.DUMB_INCREMENT))
            head = await conn.read_head(TIMEOUT)
            await conn.send(rawws.build_frame(rawws.OP_CLOSE,
                                              rawws.close_payload(1000)))
            conn.finish()
            rest, ended = await conn.read_until_closed(TIMEOUT)
            label, failure = mutated.classify_session((head or b"") + rest,
                                                      ended)
            if label != "close 1000":
                batch.fail(index, f"clean close answered with {label}: "
                           f"{failure}")
            label = f"handshake, {label}"
        elif kind == 3:
            await conn.send(seeds.upgrade_request(rng, seeds.MIRROR))
            await conn.read_head(TIMEOUT)
            conn.reset()
            label = "handshake, RST"
        elif kind == 4:
            await conn.send(b"GET /favicon.ico HTTP/1.1\r\nHost: x\r\n"
                            b"Connection: close\r\n\r\n")
            answer, ended = await conn.read_until_closed(TIMEOUT)
            if not answer.startswith(b"HTTP/1.1 200") or ended == "open":
                batch.fail(index, f"GET answered {answer[:40]!r}, {ended}")
            label = f"GET, 200, {ended}"
        else:
            await conn.send(seeds.upgrade_request(rng, None)[:40])
            label = "half a head, FIN"
    except wire.Closed:
        label = f"kind {kind}: reset by server"
    finally:
        conn.close()
    batch.outcomes[label] += 1


async def churn(batch):
    batch.cases = batch.count(20000)
    await batch.run_cases(CONCURRENCY, churn_case)


def partial_frame(rng, extension):
    """A valid beginning of a stream that stops inside a frame."""
    kind = rng.randrange(4)
    if kind == 0:       # a big frame's header and a little of its payload
        spec = seeds.FrameSpec(rawws.OP_BINARY,
                               rng.randbytes(rng.randrange(8192)))
        spec.length = rng.choice([65536, 1 << 20, 1 << 40])
        return spec.encode(rng)
    if kind == 1:       # inside a 64-bit length field
        return seeds.FrameSpec(rawws.OP_BINARY, bytes(70000)).encode(
            rng)[:rng.randrange(1, 10)]
    frames = seeds.message_frames(rawws.OP_TEXT, seeds.random_text(rng, 600),
                                  3, extension, seeds.Compressor())
    data = b"".join(f.encode(rng) for f in frames)
    if kind == 2:       # inside the second fragment (compressed, maybe)
        cut = len(frames[0].encode(rng)) + rng.randrange(1, 100)
        return data[:cut]
    return data[:rng.randrange(1, len(data))]


async def rst_case(batch, index):
    """A handshake, a ping and part of a frame in one write, the pong (so
    the server has read the partial frame), then an RST.  Every eighth case
    instead resets while the server sends it a file."""
    rng = batch.rng(index)
    conn = await wire.Connection.open(batch.port, index)
    try:
        if index % 8 == 0:
            await conn.send(b"GET /leaf.png HTTP/1.1\r\nHost: x\r\n\r\n")
            await conn.recv(TIMEOUT)
            batch.outcomes["RST while sending a file"] += 1
            return
        extension = rng.choice(list(seeds.OFFERS))
        await conn.send(seeds.upgrade_request(
            rng, rng.choice([seeds.DUMB_INCREMENT, seeds.MIRROR]), extension))
        answer = await conn.read_head(TIMEOUT) or b""
        if not answer.startswith(b"HTTP/1.1 101"):
            batch.fail(index, f"handshake answered {answer[:40]!r}")
            return
        token = b"sync %d" % index
        await conn.send(rawws.build_frame(rawws.OP_PING, token) +
                        partial_frame(rng, extension))
        if await pong_arrives(conn, answer.partition(b"\r\n\r\n")[2], token):
            batch.outcomes["RST inside a frame the server had read"] += 1
        else:
            batch.fail(index, "no pong to the ping before a partial frame")
    except wire.Closed:
        batch.outcomes["closed by server first"] += 1
    finally:
        conn.reset()


async def pong_arrives(conn, received, token):
    parser = rawws.FrameParser()
    parser.feed(received)
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while True:
        frame = parser.next_frame()
        if frame is None:
            left = deadline - asyncio.get_running_loop().time()
            chunk = await conn.recv(max(0.0, left))
            if not chunk:
                return False
            parser.feed(chunk)
        elif frame.opcode == rawws.OP_PONG and frame.payload == token:
            return True


async def rst_mid_frame(batch):
    batch.cases = batch.count(3000)
    await batch.run_cases(CONCURRENCY, rst_case)
