"""The mutated cases: request heads, and frame streams after a valid
handshake, one connection each.

A case sends its bytes, then half-closes (our FIN) and reads until the
server closes; one in ten resets instead (SO_LINGER 0) without reading.
After our FIN the server has nothing left to wait for in any state, so a
connection it still holds CASE_TIMEOUT later is a failure, as is an answer
that is not HTTP, a masked or truncated frame, or a frame after its close.
Every twentieth case is a control: the seed unmutated, which must be
served normally (101 or 200, and a close 1000 for a stream ending in one),
so a broken generator cannot pass for a robust server.
"""

import asyncio

import mutators
import rawws
import seeds
import wire

CASE_TIMEOUT = 8.0
CONCURRENCY = 48


def _status(received):
    """The status of an HTTP answer, None if received is not one."""
    if received.startswith(b"HTTP/1.") and received[8:9] == b" " and \
            received[9:12].isdigit():
        return int(received[9:12])
    return None


def classify_head_answer(received, ended):
    """(label, failure or None) for what the server sent a request."""
    if ended == "open":
        return "held open", f"still open {CASE_TIMEOUT} s after our FIN"
    if not received:
        return f"closed without answer ({ended})", None
    status = _status(received)
    if status is None:
        return "garbage", f"answer is not HTTP: {received[:60]!r}"
    return f"{status}", None


def classify_session(received, ended):
    """(label, failure or None) for a WebSocket session's server side."""
    if _status(received) != 101:
        return "refused", f"valid handshake not upgraded: {received[:60]!r}"
    if ended == "open":
        return "held open", f"still open {CASE_TIMEOUT} s after our FIN"
    parser = rawws.FrameParser()
    parser.feed(received.partition(b"\r\n\r\n")[2])
    close = None
    while True:
        try:
            frame = parser.next_frame()
        except rawws.ProtocolFailure as e:
            return "bad frame", str(e)
        if frame is None:
            break
        if close is not None:
            return "frame after close", f"{frame!r} after the close frame"
        if frame.opcode == rawws.OP_CLOSE:
            code, _ = frame.close_code()
            close = "close" if code is None else f"close {code}"
    if parser.buf:
        return "truncated frame", f"{len(parser.buf)} bytes of a frame " \
            "left when the server closed"
    return close or f"no close frame ({ended})", None


async def _exchange(batch, index, rng, conn, payload, control, what, data):
    """Sends payload, then our FIN (or, in one case of ten, an RST) and
    reads the server's answer: (bytes, how it ended), or None when there is
    nothing to classify."""
    try:
        await conn.send(payload, CASE_TIMEOUT)
    except wire.Closed:
        pass            # refused before the end: what did it say?
    except asyncio.TimeoutError:
        batch.fail(index, f"server stopped reading {what} and kept the "
                   "connection", data)
        return None
    if not control and rng.random() < 0.1:
        conn.reset()
        batch.outcomes["reset by us"] += 1
        return None
    conn.finish()
    return await conn.read_until_closed(CASE_TIMEOUT)


def _record(batch, index, label, failure, data):
    batch.outcomes[label] += 1
    if failure:
        batch.fail(index, failure, data)


async def head_case(batch, index):
    rng = batch.rng(index)
    control = index % 20 == 0
    head = seeds.request_head(rng)
    data = head if control else mutators.mutate_head(rng, head)
    conn = await wire.Connection.open(batch.port, index)
    try:
        result = await _exchange(batch, index, rng, conn, data, control,
                                 "a request head", data)
    finally:
        conn.close()
    if result is None:
        return
    received, ended = result
    label, failure = classify_head_answer(received, ended)
    if control and _status(received) not in (101, 200):
        failure = f"control request answered {received[:40]!r}"
    _record(batch, index, label, failure, data)


async def frame_case(batch, index):
    rng = batch.rng(index)
    control = index % 20 == 0
    protocol = rng.choice([seeds.DUMB_INCREMENT, seeds.MIRROR])
    extension = rng.choice(list(seeds.OFFERS))
    head = seeds.upgrade_request(rng, protocol, extension)
    if not control and protocol == seeds.MIRROR and \
            extension == "permessage-deflate" and rng.random() < 0.05:
        frames = seeds.inflation_bomb()
    else:
        frames = seeds.frame_stream(rng, protocol, extension)
    if control:
        data = b"".join(frame.encode(rng) for frame in frames)
    else:
        data = mutators.mutate_stream(rng, frames)
    # A quarter sends the frames right behind the handshake, before the 101.
    pipelined = rng.random() < 0.25
    conn = await wire.Connection.open(batch.port, index)
    try:
        answer, payload = b"", head + data
        if not pipelined:
            await conn.send(head, CASE_TIMEOUT)
            answer = await conn.read_head(CASE_TIMEOUT) or b""
            if _status(answer) != 101:
                batch.fail(index, f"valid handshake answered "
                           f"{answer[:60]!r}", head)
                return
            payload = data
        result = await _exchange(batch, index, rng, conn, payload, control,
                                 "frames", head + data)
    finally:
        conn.close()
    if result is None:
        return
    received, ended = result
    label, failure = classify_session(answer + received, ended)
    if control and label != "close 1000":
        failure = f"control stream ended with {label}"
    _record(batch, index, label, failure, head + data)


async def mutated_heads(batch):
    batch.cases = batch.count(24000)
    await batch.run_cases(CONCURRENCY, head_case)


async def mutated_frames(batch):
    batch.cases = batch.count(28000)
    await batch.run_cases(CONCURRENCY, frame_case)
