"""Attacks that hold connections: slowloris, idle crowds, non-readers.

Each holds its connections for a while, measures the server while they are
held where that says something (a fresh client served alongside them, CPU
with idle connections, RSS with unread data owed), then lets them go, half
with a FIN and half with an RST.
"""

import asyncio
import statistics

import probe
import rawws
import seeds
import target as targets
import wire

# The library drops a request head that is not complete 10 s after the
# connection began, checked once a second: slow heads must be gone by then.
HEAD_TIMEOUT = 10.0
SLOWLORIS_HOLD = HEAD_TIMEOUT + 3.0
# A slow client's byte interval: slower than any head timeout that was
# re-armed per byte would notice.
TRICKLE_INTERVAL = (0.3, 0.9)
# A client that never reads may cost the server what it buffers for it and
# no more: 20 ping flooders made a build without the bound on what the
# library owes a peer (before 4205a70) grow by 80 MiB, today's by nothing.
NEVER_READ_RSS_BOUND_KIB = 32 * 1024
FLOOD_LIMIT = 8 << 20
# 16 KiB messages: enough to fill a non-reader's socket buffers, after
# which the mirror's flow control stops reading the writer.
WRITER_LIMIT = 1200
STALL = 1.0


def idle_count(scale):
    return max(2, int(10000 * scale))


def leave(conns):
    """Closes everything: every other connection with an RST."""
    for i, conn in enumerate(conns):
        if i % 2:
            conn.reset()
        else:
            conn.close()


async def upgrade(batch, index, protocol):
    """A connection with a completed handshake on protocol."""
    conn = await wire.Connection.open(batch.port, index)
    await conn.send(seeds.upgrade_request(batch.rng(index), protocol))
    answer = await conn.read_head(10.0)
    if not (answer or b"").startswith(b"HTTP/1.1 101"):
        conn.close()
        raise OSError(f"handshake answered {answer!r}")
    return conn


async def in_thread(function, *args):
    """Runs a blocking check (the fresh client, CPU sampling) while the
    event loop keeps the attacking connections going."""
    return await asyncio.get_running_loop().run_in_executor(None, function,
                                                            *args)


# -- slowloris ----------------------------------------------------------------

def endless_head(rng):
    """A request head that never ends, a byte at a time: header lines
    forever."""
    for byte in seeds.upgrade_request(rng, seeds.DUMB_INCREMENT)[:-2]:
        yield bytes([byte])
    n = 0
    while True:
        n += 1
        for byte in b"X-Slow-%d: %d\r\n" % (n, n):
            yield bytes([byte])


def endless_body():
    """A complete form post head, then a body far longer than anyone will
    wait for, a byte at a time."""
    yield (b"POST /formtest HTTP/1.1\r\nHost: localhost\r\n"
           b"Content-Length: 100000000\r\n\r\n")
    while True:
        yield b"x"


async def trickle(batch, index, closed_at):
    """Sends a piece at a time until the server closes or the hold ends;
    records when the server closed, relative to our connect."""
    rng = batch.rng(index)
    kind = "head" if index % 4 else "body"
    source = endless_head(rng) if kind == "head" else endless_body()
    conn = await wire.Connection.open(batch.port, index)
    loop = asyncio.get_running_loop()
    began = loop.time()
    try:
        while loop.time() - began < SLOWLORIS_HOLD:
            try:
                await conn.send(next(source))
                answer = await conn.recv(rng.uniform(*TRICKLE_INTERVAL))
            except wire.Closed:
                answer = b""
            if answer is not None:
                closed_at[kind].append(loop.time() - began)
                return
        closed_at[kind + " held"].append(None)
    finally:
        conn.close()


async def slowloris(batch):
    """Slow heads (one byte at a time, never finished) and slow bodies.

    Heads must be dropped when their 10 s run out.  A body is only dropped
    when it stalls for 10 s (each byte re-arms the timeout, as nginx's
    client_body_timeout does), so slow bodies are still served when the
    hold ends: reported, not a failure."""
    batch.cases = batch.count(1000)
    closed_at = {"head": [], "body": [], "head held": [], "body held": []}
    tasks = [asyncio.create_task(trickle(batch, i, closed_at))
             for i in range(batch.cases)]
    await asyncio.sleep(3.0)
    took = await in_thread(probe.fresh_client, batch.port)
    batch.notes.append(f"fresh client served alongside in "
                       f"{took * 1000:.0f} ms")
    await asyncio.gather(*tasks)
    for kind in ("head", "body"):
        times = closed_at[kind]
        held = len(closed_at[kind + " held"])
        if times:
            batch.outcomes[f"{kind}: closed by server after "
                           f"{min(times):.1f}-{max(times):.1f} s"] = len(times)
        if held:
            batch.outcomes[f"{kind}: still served at "
                           f"{SLOWLORIS_HOLD:.0f} s"] = held
    if closed_at["head held"]:
        batch.fail("-", f"{len(closed_at['head held'])} slow heads still "
                   f"open {SLOWLORIS_HOLD} s after they began")


# -- idle ---------------------------------------------------------------------

async def idle(batch):
    """idle_count connections held at once: half never sent a byte, the
    other half completed a handshake and say nothing, a fifth of those on
    the mirror (which the fresh client's message then goes to: the test
    server's mirror costs O(clients²) per message, so more would measure
    the application), the rest on the default protocol."""
    batch.cases = idle_count(batch.scale)
    baseline_fds, baseline_rss = batch.target.fd_count(), \
        batch.target.rss_kib()
    conns = []

    async def open_one(_, i):
        if i % 2:
            conns.append(await wire.Connection.open(batch.port, i))
        else:
            conns.append(await upgrade(batch, i, None if i % 10
                                       else seeds.MIRROR))

    await batch.run_cases(200, open_one)
    try:
        fds = batch.target.fd_count() - baseline_fds
        rss = batch.target.rss_kib() - baseline_rss
        cpu = await in_thread(batch.target.cpu_share, 2.0)
        took = await in_thread(probe.fresh_client, batch.port)
        batch.outcomes[f"held {len(conns)}"] = len(conns)
        batch.notes.append(
            f"while held: +{fds} fds, +{rss / 1024:.1f} MiB "
            f"({rss * 1024 / max(1, len(conns)):.0f} B/connection), CPU "
            f"{cpu:.1%}, fresh client in {took * 1000:.0f} ms")
        if cpu > targets.IDLE_CPU_SHARE:
            batch.fail("-", f"{cpu:.0%} of a core with {len(conns)} idle "
                       "connections")
    finally:
        leave(conns)


# -- never reads --------------------------------------------------------------

async def send_until_stalled(conn, data, limit):
    """Sends data up to limit times, until the server stops taking it (a
    send stalls for STALL seconds); returns how many times it went out."""
    for sent in range(limit):
        try:
            await conn.send(data, STALL)
        except asyncio.TimeoutError:
            return sent
    return limit


async def flood_pings(conn, rng):
    """Pings without reading a pong, until the server stops reading them
    or FLOOD_LIMIT bytes; returns (bytes sent, whether it stopped us)."""
    chunk = b"".join(rawws.build_frame(rawws.OP_PING, rng.randbytes(125),
                                       mask_key=rng.randbytes(4))
                     for _ in range(1000))
    limit = FLOOD_LIMIT // len(chunk)
    sent = await send_until_stalled(conn, chunk, limit)
    return sent * len(chunk), sent < limit


async def pipeline_requests(conn):
    """Hundreds of pipelined requests for a large file, never read."""
    request = b"GET /leaf.png HTTP/1.1\r\nHost: localhost\r\n\r\n"
    await send_until_stalled(conn, request * 500, 1)


async def mirror_writer(conn):
    """Writes 16 KiB messages to a mirror whose other readers never read,
    until the server stops reading us (the mirror's flow control)."""
    message = rawws.build_frame(rawws.OP_BINARY,
                                b"m" * seeds.MIRROR_MESSAGE_MAX)
    return await send_until_stalled(conn, message, WRITER_LIMIT)


async def with_peak_rss(target, awaitable):
    """What awaitable returns, and the server's largest RSS meanwhile."""
    task = asyncio.ensure_future(awaitable)
    peak = target.rss_kib()
    while not task.done():
        await asyncio.wait({task}, timeout=0.05)
        peak = max(peak, target.rss_kib())
    return task.result(), peak


async def never_reads(batch):
    """Clients that never read while the server owes them: counters from
    dumb-increment, pongs, pipelined file answers, mirror broadcasts."""
    quiet, flooders, pipeliners, mirrors = (
        batch.count(200), batch.count(20), batch.count(20), batch.count(20))
    batch.cases = quiet + flooders + pipeliners + mirrors + 1
    baseline_rss = batch.target.rss_kib()
    conns = []
    try:
        for i in range(quiet + flooders):
            conns.append(await upgrade(batch, i, seeds.DUMB_INCREMENT))
        for i in range(pipeliners):
            conns.append(await wire.Connection.open(batch.port, i))
        for i in range(mirrors + 1):
            conns.append(await upgrade(batch, i, seeds.MIRROR))
        floods = [flood_pings(conns[quiet + i], batch.rng(i))
                  for i in range(flooders)]
        pipes = [pipeline_requests(conns[quiet + flooders + i])
                 for i in range(pipeliners)]
        results, peak = await with_peak_rss(batch.target, asyncio.gather(
            mirror_writer(conns[-1]), *floods, *pipes, asyncio.sleep(2.0)))
        grown = peak - baseline_rss
        writer, floods = results[0], results[1:1 + flooders]
        flooded = sorted(n for n, _ in floods)
        stalled = sum(stopped for _, stopped in floods)
        paused = "stopped being read" if writer < WRITER_LIMIT \
            else "never paused"
        batch.outcomes["held"] = len(conns)
        batch.notes.append(
            f"ping flooders: median {int(statistics.median(flooded)) >> 10} "
            f"KiB taken, {stalled} of {flooders} stopped being read; "
            f"mirror writer {paused} after {writer} messages; RSS at most "
            f"+{grown / 1024:.1f} MiB while held")
        if grown > NEVER_READ_RSS_BOUND_KIB:
            batch.fail("-", f"RSS grew {grown} KiB with clients that do not "
                       f"read (bound {NEVER_READ_RSS_BOUND_KIB})")
    finally:
        leave(conns)
