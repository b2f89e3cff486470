"""Headless Chromium driven over the DevTools protocol.

Chromium is started with --remote-debugging-port=0 and announces the port
it picked on stderr; the test then talks to one page target over a
websocket (the `websockets` package, a peer independent of the server
under test), sending commands and waiting for their answers.
"""

import contextlib
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.request

from websockets.sync.client import connect

STARTUP_TIMEOUT = 30.0
COMMAND_TIMEOUT = 15.0


class Browser:
    def __init__(self, binary, profile_dir, extra_args=()):
        self._stack = contextlib.ExitStack()
        self.proc = subprocess.Popen(
            [binary, "--headless", "--disable-gpu", "--no-sandbox",
             "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking",
             "--window-size=1000,1000", "--remote-debugging-port=0",
             f"--user-data-dir={profile_dir}", *extra_args, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, start_new_session=True)
        self.lines = []
        self._endpoint = None
        self._found = threading.Event()
        threading.Thread(target=self._drain, daemon=True).start()
        if not self._found.wait(STARTUP_TIMEOUT):
            self.close()
            raise AssertionError("chromium did not announce its DevTools "
                                 "port:\n" + self.stderr_text())
        self.ws = self._stack.enter_context(
            connect(self._page_url(), max_size=None,
                    open_timeout=COMMAND_TIMEOUT))
        self.next_id = 0

    def _drain(self):
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            self.lines.append(line)
            m = re.search(r"DevTools listening on ws://([^/]+)/", line)
            if m:
                self._endpoint = m.group(1)
                self._found.set()

    def stderr_text(self):
        return "\n".join(self.lines[-50:])

    def _page_url(self):
        deadline = time.monotonic() + COMMAND_TIMEOUT
        while True:
            with urllib.request.urlopen(
                    f"http://{self._endpoint}/json/list", timeout=5) as r:
                targets = json.load(r)
            pages = [t for t in targets if t.get("type") == "page"]
            if pages:
                return pages[0]["webSocketDebuggerUrl"]
            if time.monotonic() > deadline:
                raise AssertionError(f"no page target: {targets!r}")
            time.sleep(0.1)

    def command(self, method, **params):
        """Sends a command; returns its result (events meanwhile are
        dropped).  A protocol error fails."""
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method,
                                 "params": params}))
        deadline = time.monotonic() + COMMAND_TIMEOUT
        while True:
            message = json.loads(self.ws.recv(
                timeout=max(0.01, deadline - time.monotonic())))
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message["result"]

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page."""
        result = self.command("Runtime.evaluate", expression=expression,
                              returnByValue=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: "
                                 f"{result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=15.0):
        """Polls until the expression is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"not true within {timeout} s: "
                                     f"{expression}")
            time.sleep(0.05)

    def close(self):
        self._stack.close()
        if self.proc.poll() is None:
            # The whole process group: chromium's helper processes too.
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
