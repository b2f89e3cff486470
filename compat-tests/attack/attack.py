#!/usr/bin/env python3
"""The network attack run: libwebsockets-test-server against hostile peers.

    python attack.py --bin-dir DIR --resource-dir DIR [--scale F] [--seed N]
                     [--only NAME[,NAME]] [--artifacts DIR]

Over loopback only, one batch after another: mutated request heads and
mutated frame streams (over 50,000 cases at scale 1), slowloris heads and
bodies, 10,000 idle connections, connection churn, clients that never read
while the server owes them data, and resets in the middle of a frame.
After each batch, once its attackers are gone:

  - the server's descriptors are back to the baseline (waited for, up to
    FD_SETTLE seconds: closing is asynchronous, a hang is not);
  - its RSS is back near the baseline (see RSS_SLACK_KIB for the bound);
  - it is idle: under IDLE_CPU_SHARE of one core over 2 s of /proc/PID/stat;
  - a fresh client is served: handshake and mirror round trip in 1 s;

and the server must still be running.  The baseline is taken after a
warm-up that fills the mirror's ring of 256 messages with the largest
message the attacks send it, so what the application keeps by design is
not counted as growth.  Prints a table and exits 1 on any failure.
"""

import argparse
import asyncio
import os
import resource
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "py"))

import batch as batches                      # noqa: E402
import churn                                 # noqa: E402
import held                                  # noqa: E402
import mutated                               # noqa: E402
import probe                                 # noqa: E402
import programs                              # noqa: E402
import rawws                                 # noqa: E402
import seeds                                 # noqa: E402
import target as targets                     # noqa: E402

FD_SETTLE = 20.0
# glibc keeps memory freed in the middle of its heap instead of returning
# it, so RSS stays above the baseline by part of what the largest crowd of
# connections so far needed: +7.5 MiB after 10,000 idle connections, the
# same after each of three repeats (a plateau, not a leak).  The bound: 4
# MiB, plus 1 KiB per connection of the largest peak so far.  A leak of 200
# bytes per case exceeds it in either mutated batch (they run first, while
# the heap holds little freed memory a leak could hide in).
RSS_SLACK_KIB = 4 * 1024
RSS_PER_PEAK_CONNECTION_KIB = 1
# descriptors the run needs besides the idle connections
FD_HEADROOM = 2048

ATTACKS = [
    ("mutated-heads", mutated.mutated_heads),
    ("mutated-frames", mutated.mutated_frames),
    ("slowloris", held.slowloris),
    ("idle-10k", held.idle),
    ("churn", churn.churn),
    ("never-reads", held.never_reads),
    ("rst-mid-frame", churn.rst_mid_frame),
]


def raise_fd_limit(needed):
    """Lets the driver, and the server it starts, hold `needed` fds."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        # root may raise the hard limit (as `ulimit -Hn` would)
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, needed))
    elif soft != resource.RLIM_INFINITY and soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def warm_up(port):
    """Fills the mirror's ring (256 messages of the largest size the attacks
    send it) and lets the allocator see a few hundred connections."""
    with rawws.RawWebSocket.connect(port, protocol=seeds.MIRROR) as ws:
        message = b"w" * seeds.MIRROR_MESSAGE_MAX
        for _ in range(260):
            ws.send_frame(rawws.OP_BINARY, message)
            ws.recv_message()
        ws.send_close(1000)
    for _ in range(200):
        probe.fresh_client(port)


class PeakSampler:
    """Samples the server's fd count and RSS every 50 ms during a batch."""

    def __init__(self, target):
        self.target = target
        self.peak_fds = 0
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.wait(0.05):
            try:
                self.peak_fds = max(self.peak_fds, self.target.fd_count())
                self.peak_rss = max(self.peak_rss, self.target.rss_kib())
            except OSError:
                return      # the server is gone: the batch will say so


def settle_fds(target, baseline):
    """Waits until the server holds no more fds than at the baseline."""
    deadline = time.monotonic() + FD_SETTLE
    while target.fd_count() > baseline and time.monotonic() < deadline:
        time.sleep(0.1)
    return target.fd_count()


class Baseline:
    """The server's fds and RSS after the warm-up, and the largest number
    of connections it held since (what its heap may have kept)."""

    def __init__(self, target):
        self.fds = target.fd_count()
        self.rss = target.rss_kib()
        self.peak_connections = 0

    def rss_bound(self):
        return self.rss + RSS_SLACK_KIB + \
            RSS_PER_PEAK_CONNECTION_KIB * self.peak_connections


def run_attack(name, attack, args, target, baseline):
    """Runs one batch and the checks after it; returns (row, failures)."""
    batch = batches.Batch(name, target.port, args.seed, args.scale,
                          args.artifacts, target)
    fds_before, rss_before = target.fd_count(), target.rss_kib()
    started = time.monotonic()
    failures = []
    with PeakSampler(target) as peak:
        try:
            asyncio.run(attack(batch))
        except Exception:   # a driver error must still end in the table
            failures.append(f"{name}: the attack stopped: "
                            f"{traceback.format_exc()}")
    took = time.monotonic() - started
    failures += [f"{name}: {f}" for f in batch.failures]
    with open(os.path.join(args.artifacts, f"{name}.outcomes"), "w") as f:
        for label, n in batch.outcomes.most_common():
            f.write(f"{n:8} {label}\n")
    if not target.alive():
        target.stop()
        failures.append(f"{name}: the server died: {target.describe_exit()}"
                        f"\n{target.log_tail()}")
        return None, failures
    baseline.peak_connections = max(baseline.peak_connections,
                                    peak.peak_fds - baseline.fds)
    fds_after = settle_fds(target, baseline.fds)
    cpu_after = target.cpu_share(2.0)
    rss_after = target.rss_kib()
    try:
        probe_ms = f"{probe.fresh_client(target.port) * 1000:.0f} ms"
    except (OSError, EOFError, rawws.ProtocolFailure) as e:
        probe_ms = "FAILED"
        failures.append(f"{name}: fresh client not served: {e!r}")
    if fds_after > baseline.fds:
        failures.append(f"{name}: {fds_after} fds {FD_SETTLE} s after the "
                        f"attack, baseline {baseline.fds}")
    if rss_after > baseline.rss_bound():
        failures.append(f"{name}: RSS {rss_after} KiB after the attack, "
                        f"bound {baseline.rss_bound()} KiB (baseline "
                        f"{baseline.rss})")
    if cpu_after > targets.IDLE_CPU_SHARE:
        failures.append(f"{name}: {cpu_after:.0%} of a core with no client "
                        f"connected (bound {targets.IDLE_CPU_SHARE:.0%})")
    row = [name, f"{batch.cases}", f"{took:.0f} s", batch.summary(),
           f"{fds_before}→{peak.peak_fds}→{fds_after}",
           f"{rss_before / 1024:.1f}→{peak.peak_rss / 1024:.1f}→"
           f"{rss_after / 1024:.1f}",
           f"{cpu_after:.1%}", probe_ms]
    return row, failures


def print_table(rows):
    header = ["attack", "cases", "took", "what the server did",
              "fds before→peak→after", "RSS MiB before→peak→after",
              "CPU after", "fresh client"]
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(8)]
    widths[3] = min(widths[3], 200)
    for r in [header] + rows:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--resource-dir", required=True)
    parser.add_argument("--scale", type=float,
                        default=float(os.environ.get("LWS_ATTACK_SCALE", 1)))
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--only", default="",
                        help="comma-separated attack names, in the order "
                        "to run them (repeats allowed)")
    parser.add_argument("--artifacts", default="attack-artifacts")
    parser.add_argument("--server-args", default="",
                        help="extra arguments for the server, e.g. --ssl")
    args = parser.parse_args()
    os.makedirs(args.artifacts, exist_ok=True)
    known = dict(ATTACKS)
    names = args.only.split(",") if args.only else [n for n, _ in ATTACKS]
    unknown = [n for n in names if n not in known]
    if unknown:
        sys.exit(f"attack: unknown attacks {unknown}; known: {list(known)}")
    chosen = [(n, known[n]) for n in names]
    raise_fd_limit(held.idle_count(args.scale) + FD_HEADROOM)

    target = targets.Target(
        os.path.join(args.bin_dir, programs.TEST_SERVER),
        ["--resource-path", args.resource_dir] + args.server_args.split(),
        os.path.join(args.artifacts, "server.log"))
    for _ in range(5):
        if target.start(programs.free_port()):
            break
    else:
        sys.exit(f"attack: the server failed to start:\n{target.log_tail()}")

    rows, failures = [], []
    try:
        try:
            warm_up(target.port)
        except (OSError, EOFError, rawws.ProtocolFailure) as e:
            target.stop()
            sys.exit(f"attack: the server does not serve a client before "
                     f"any attack: {e!r}\n{target.log_tail()}")
        baseline = Baseline(target)
        cpu = target.cpu_share(2.0)
        rows.append(["baseline", "", "", "after the warm-up",
                     f"{baseline.fds}", f"{baseline.rss / 1024:.1f}",
                     f"{cpu:.1%}", ""])
        for name, attack in chosen:
            print(f"== attack: {name}", flush=True)
            row, failed = run_attack(name, attack, args, target, baseline)
            failures += failed
            if row is None:
                break
            rows.append(row)
    finally:
        status = target.stop()
    print_table(rows)
    print(f"server log: {target.log_lines()} lines ({target.log_path}); "
          f"exit: {target.describe_exit()}")
    if status not in (0, None):
        failures.append(f"server exited with {target.describe_exit()}")
    if failures:
        print(f"attack: {len(failures)} failures:")
        for failure in failures[:40]:
            print("  " + failure)
        sys.exit(1)


if __name__ == "__main__":
    main()
