"""What every attack gets to work with, and what it hands back."""

import asyncio
import collections
import os
import random


class Batch:
    """One attack's run: its cases' outcomes, failures and remarks.

    `outcomes` counts what the server did, one label per case; `failures`
    lists what must not happen (each fails the run); `notes` says what the
    server did in words where a count of labels does not.
    """

    def __init__(self, name, port, seed, scale, artifact_dir, target):
        self.name = name
        self.port = port
        self.seed = seed
        self.scale = scale
        self.artifact_dir = artifact_dir
        self.target = target
        self.cases = 0
        self.outcomes = collections.Counter()
        self.failures = []
        self.notes = []

    def rng(self, index):
        """The random generator of case `index`: a case can be rebuilt from
        the seed, the attack's name and its number, whatever the order the
        cases ran in."""
        return random.Random(f"{self.seed}:{self.name}:{index}")

    def count(self, n):
        """A case count scaled by --scale (at least 1)."""
        return max(1, int(n * self.scale))

    def fail(self, index, what, data=None):
        """Records a failure; the input that caused it, when given, is kept
        in the artifact directory (the first 20 only)."""
        where = ""
        if data is not None and len(self.failures) < 20:
            path = os.path.join(self.artifact_dir,
                                f"{self.name}-{index}.bin")
            with open(path, "wb") as f:
                f.write(data)
            where = f" (input: {path})"
        self.failures.append(f"case {index}: {what}{where}")

    async def run_cases(self, concurrency, case):
        """Runs case(self, i) for every i below self.cases, concurrency at
        a time.  A connection the kernel refuses (the server is gone, or
        out of descriptors without backing off) is a failure of its own."""
        indexes = iter(range(self.cases))

        async def worker():
            for i in indexes:
                try:
                    await case(self, i)
                except OSError as e:
                    self.outcomes["connect failed"] += 1
                    self.fail(i, f"connection failed: {e!r}")

        await asyncio.gather(*(worker() for _ in
                               range(min(self.cases, concurrency))))

    def summary(self, top=6):
        """The most frequent outcomes, "label ×count" each."""
        parts = [f"{label} ×{n}" for label, n in
                 self.outcomes.most_common(top)]
        rest = sum(self.outcomes.values()) - \
            sum(n for _, n in self.outcomes.most_common(top))
        if rest:
            parts.append(f"other ×{rest}")
        return ", ".join(parts + self.notes)
