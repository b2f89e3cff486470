"""nginx in front of our servers, run from docs/nginx-websocket.conf.

The documented file runs as it is but for the ports on its lines marked
EDIT (the three front doors, the four upstream servers), laid out as its
own instructions say: nginx.conf, tls/ and logs/ in a prefix directory of
the test's own, nginx in the foreground ("daemon off"), unprivileged
paths only.  An EDIT line the file no longer has, or has twice, fails the
test: the suite must run the documented config, not a drifted copy.

An Nginx is a programs.ServerProcess, registered with conftest's
start_server: stopped at the end of the test, its crash fails the test,
and its logs are attached to a failing test's report.
"""

import os
import re
import shutil
import socket
import subprocess
import time

import pytest

import programs

HERE = os.path.dirname(os.path.abspath(__file__))
DOC_CONFIG = os.path.join(HERE, "..", "..", "docs", "nginx-websocket.conf")

# The EDIT lines, as the documented file has them.
DOORS = {
    "ws": "listen 8080;",
    "wss-terminated": "listen 8443 ssl;",
    "wss-end-to-end": "listen 9443 ssl;",
}
PLAIN_UPSTREAM = ("server 127.0.0.1:7681;", "server 127.0.0.1:7682;")
TLS_UPSTREAM = ("server 127.0.0.1:7691;", "server 127.0.0.1:7692;")

STARTUP_TIMEOUT = 10.0


def binary():
    """Debian's nginx (in /usr/sbin, which a non-root PATH may lack)."""
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail("nginx not found: scripts/install-deps.sh installs "
                "Debian's nginx package", pytrace=False)


def configure(text, door_ports, plain_ports, tls_ports):
    """The documented config with its EDIT lines' ports replaced."""
    edits = [(line, re.sub(r"\d+", f"127.0.0.1:{door_ports[door]}", line,
                           count=1))
             for door, line in DOORS.items()]
    edits += [(line, f"server 127.0.0.1:{port};")
              for line, port in zip(PLAIN_UPSTREAM, plain_ports)]
    edits += [(line, f"server 127.0.0.1:{port};")
              for line, port in zip(TLS_UPSTREAM, tls_ports)]
    for old, new in edits:
        found = text.count(old)
        if found != 1:
            raise AssertionError(f"{DOC_CONFIG} has {found} lines "
                                 f"'{old}', the test edits exactly one")
        text = text.replace(old, new)
    return text


class Nginx(programs.ServerProcess):
    """nginx from the documented config in prefix, proxying to our plain
    servers (plain_ports) and TLS servers (tls_ports); certs is the test
    session's CertificateSet (its server certificate is the front doors',
    its CA the one nginx checks our TLS servers against).  A
    ServerProcess for conftest (SIGINT is nginx's fast shutdown too: open
    WebSockets are cut, not waited for); .port is the ws front door, and
    .ports has all three."""

    def __init__(self, prefix, certs, plain_ports, tls_ports):
        super().__init__(binary(), [])
        self.prefix = prefix
        self.certs = certs
        self.plain_ports = list(plain_ports)
        self.tls_ports = list(tls_ports)
        self.ports = {}

    def _lay_out(self):
        os.makedirs(os.path.join(self.prefix, "logs"), exist_ok=True)
        tls = os.path.join(self.prefix, "tls")
        os.makedirs(tls, exist_ok=True)
        for source, name in ((self.certs.server_pem, "server.pem"),
                             (self.certs.server_key, "server.key"),
                             (self.certs.ca_pem, "ca.pem")):
            shutil.copyfile(source, os.path.join(tls, name))
        with open(DOC_CONFIG) as f:
            text = f.read()
        with open(os.path.join(self.prefix, "nginx.conf"), "w") as f:
            f.write(configure(text, self.ports, self.plain_ports,
                              self.tls_ports))

    def start(self):
        """Starts nginx; retries on other ports if one was taken meanwhile."""
        for _ in range(5):
            self.ports = {door: programs.free_port() for door in DOORS}
            self.port = self.ports["ws"]
            self._lay_out()
            with open(os.path.join(self.prefix, "logs", "stderr.log"),
                      "ab") as err:
                self.proc = subprocess.Popen(
                    [self.binary, "-p", self.prefix + "/", "-c",
                     "nginx.conf", "-e", "stderr", "-g", "daemon off;"],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=err)
            if self._wait_listening():
                return self
            if self.proc.poll() is None:
                break
            if "Address already in use" not in self.stderr_text():
                break
        raise AssertionError(f"nginx did not start:\n{self.stderr_text()}")

    def _wait_listening(self):
        """nginx says nothing once it listens: its doors must accept."""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                for port in self.ports.values():
                    socket.create_connection(("127.0.0.1", port), 1).close()
            except OSError:
                time.sleep(0.02)
                continue
            self._listening.set()
            return True
        return False

    def stderr_text(self):
        """Its start-up output and its error log."""
        parts = []
        for name in ("stderr.log", "error.log"):
            try:
                with open(os.path.join(self.prefix, "logs", name),
                          errors="replace") as f:
                    parts.append(f.read())
            except FileNotFoundError:
                pass
        return "\n".join(parts)

    def access_log(self):
        with open(os.path.join(self.prefix, "logs", "access.log")) as f:
            return f.read()
