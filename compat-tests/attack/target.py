"""The server under attack: one test program, and what /proc says about it.

Its stderr goes to a file rather than a pipe: a pipe drained by a thread of
the driver would compete with the attack for the interpreter, and tens of
thousands of "bad request" log lines are themselves part of what is being
tested (the log must not flood or block the server).
"""

import os
import subprocess
import time

import programs

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# A server with nothing to do uses next to no CPU (the test server's 50 ms
# tick costs well under 1 %); one that spins uses a whole core.
IDLE_CPU_SHARE = 0.10


class Target(programs.ServerProcess):
    """One running test program and its resource counters; stopping it and
    telling how it ended are the peer tests' (compat-tests/py)."""

    def __init__(self, binary, args, log_path):
        super().__init__(binary, args)
        self.log_path = log_path

    def start(self, port):
        """Starts the program on port; False if it exited before listening
        (the port was taken meanwhile), an exception if it never listened."""
        self.port = port
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [self.binary, "--port", str(port)] + self.args,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=log)
        marker = f"listening on port {port}".encode()
        deadline = time.monotonic() + programs.STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if marker in self._log_bytes():
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.05)
        raise RuntimeError(f"{self.binary} did not listen within "
                           f"{programs.STARTUP_TIMEOUT} s:\n"
                           f"{self.log_tail()}")

    # -- /proc ------------------------------------------------------------

    def fd_count(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS line")

    def cpu_ticks(self):
        """utime + stime, in clock ticks."""
        with open(f"/proc/{self.proc.pid}/stat") as stat:
            # The command name may hold spaces: the fields follow its ')'.
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    def cpu_share(self, seconds):
        """The share of one core the server used over the next seconds."""
        before = self.cpu_ticks()
        time.sleep(seconds)
        return (self.cpu_ticks() - before) / CLOCK_TICKS / seconds

    # -- log --------------------------------------------------------------

    def _log_bytes(self):
        with open(self.log_path, "rb") as log:
            return log.read()

    def log_lines(self):
        return self._log_bytes().count(b"\n")

    def log_tail(self, lines=40):
        text = self._log_bytes().decode("utf-8", "replace")
        return "\n".join(text.splitlines()[-lines:])
