"""Servers and a proxy for testing the library's client side, and a runner
for the client programs.

  websockets_server()  the `websockets` package's (sync) server in a thread:
                       the independent, well-behaved peer
  RawServer            a hand-rolled server on a raw socket whose every byte
                       the test decides: the misbehaving peer
  ConnectProxy         an HTTP CONNECT proxy (asyncio, in a thread) that
                       records each tunnel, or refuses them
  run_scenario()       runs libwebsockets-test-client-scenario and parses
                       the event lines it prints (see that program's header)
  make_certificate()   a self-signed certificate made by the openssl CLI

Every blocking step is bounded by a timeout: a client that hangs fails its
test instead of hanging the suite.
"""

import asyncio
import contextlib
import os
import socket
import struct
import subprocess
import threading
import time

from websockets.sync.server import serve

import programs
import rawws

SCENARIO = "libwebsockets-test-client-scenario"
TEST_CLIENT = "libwebsockets-test-client"
TEST_PING = "libwebsockets-test-ping"
TEST_FRAGGLE = "libwebsockets-test-fraggle"

RUN_TIMEOUT = 60.0          # seconds any client program may run at most
MAX_SIZE = 64 * 1024 * 1024


# ------------------------------------------------------------- environment

def client_env(**extra):
    """The environment for a client program: no proxy unless asked for (the
    library honours http_proxy, so one set around the test run would
    otherwise reroute every connection)."""
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env.update(extra)
    return env


# ------------------------------------------------------ the message pattern

_TEXT_PERIOD = bytes(32 + j for j in range(95))
_BINARY_PERIOD = bytes((j * 131 + 7) & 0xFF for j in range(256))


def pattern(conn, index, size, binary):
    """Message `index` of connection `conn` as test-client-scenario sends
    it (and, with --verify, expects it)."""
    period = _BINARY_PERIOD if binary else _TEXT_PERIOD
    start = (conn + index) % len(period)
    reps = (start + size) // len(period) + 1
    return (period * reps)[start:start + size]


# ---------------------------------------------------------- scenario runner

class Outcome:
    """What a client program did: exit status, output, events, duration."""

    def __init__(self, args, returncode, stdout, stderr, elapsed):
        self.args = args
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.elapsed = elapsed
        self.events = [parse_event(line) for line in stdout.splitlines()]

    def of(self, kind):
        return [fields for k, fields in self.events if k == kind]

    def kinds(self):
        return [k for k, _ in self.events]

    def summary(self):
        found = self.of("SUMMARY")
        assert found, f"no SUMMARY line\n{self.explain()}"
        return {k: int(v) for k, v in found[-1].items()}

    def describe(self):
        """One line for a report: the terminal events and the exit."""
        parts = []
        for kind, fields in self.events:
            if kind == "CONNECTION_ERROR":
                parts.append(f"CONNECTION_ERROR ({fields.get('reason')})")
            elif kind in ("ESTABLISHED", "CLOSED", "TIMEOUT",
                          "CONNECT_FAILED"):
                parts.append(kind)
        return (", ".join(parts) or "no event") + \
            f"; exit {self.returncode}; {self.elapsed:.2f} s"

    def explain(self):
        return (f"command: {' '.join(self.args)}\nexit: {self.returncode}\n"
                f"stdout:\n{self.stdout}\nstderr:\n{self.stderr}")


def parse_event(line):
    """'KIND a=1 b=x' -> ('KIND', {'a': '1', 'b': 'x'}).  A reason= or
    payload= field takes the rest of the line (it may hold spaces)."""
    kind, _, rest = line.partition(" ")
    fields = {}
    while rest:
        name, eq, value = rest.partition("=")
        if not eq:
            break
        if name in ("reason", "payload"):
            fields[name] = value
            break
        value, _, rest = value.partition(" ")
        fields[name] = value
    return kind, fields


def run_program(name, args, *, timeout=RUN_TIMEOUT, env=None):
    """Runs one of the programs to completion; returns an Outcome."""
    argv = [programs.program_path(name)] + [str(a) for a in args]
    start = time.monotonic()
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=timeout,
                          env=env if env is not None else client_env())
    return Outcome(argv, proc.returncode,
                   proc.stdout.decode("utf-8", "replace"),
                   proc.stderr.decode("utf-8", "replace"),
                   time.monotonic() - start)


def start_program(name, args, *, env=None):
    """Starts a client program in the background (Popen, pipes)."""
    argv = [programs.program_path(name)] + [str(a) for a in args]
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env if env is not None else client_env())


def finish_program(proc, *, timeout=RUN_TIMEOUT):
    """Waits for a start_program() process; returns an Outcome."""
    start = time.monotonic()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"{proc.args[0]} still ran after {timeout} s:"
                             f"\n{out.decode(errors='replace')}"
                             f"\n{err.decode(errors='replace')}")
    return Outcome(proc.args, proc.returncode,
                   out.decode("utf-8", "replace"),
                   err.decode("utf-8", "replace"), time.monotonic() - start)


def run_scenario(port, *args, address="127.0.0.1", timeout=RUN_TIMEOUT,
                 env=None):
    """libwebsockets-test-client-scenario ADDRESS --port PORT ARGS..."""
    return run_program(SCENARIO, [address, "--port", port, *args],
                       timeout=timeout, env=env)


# ------------------------------------------------- the websockets package

@contextlib.contextmanager
def websockets_server(handler, *, ssl=None, host="127.0.0.1", **kwargs):
    """Yields the port of a websockets.sync server running handler(ws) in a
    thread per connection.  No compression, keepalive or size limit unless
    asked for."""
    kwargs.setdefault("compression", None)
    kwargs.setdefault("ping_interval", None)
    kwargs.setdefault("max_size", MAX_SIZE)
    kwargs.setdefault("close_timeout", 10)
    with serve(handler, host, 0, ssl=ssl, **kwargs) as server:
        port = server.socket.getsockname()[1]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield port
        finally:
            server.shutdown()
            thread.join(10)


def close_code_received(ws):
    """The code of the close frame the websockets connection got, if any."""
    frame = ws.protocol.close_rcvd
    return None if frame is None else frame.code


# -------------------------------------------------------- a raw server

class ClientFrame:
    def __init__(self, fin, rsv, opcode, masked, payload, mask_key=b""):
        self.fin = fin
        self.rsv = rsv
        self.opcode = opcode
        self.masked = masked
        self.payload = payload
        self.mask_key = mask_key

    def close_code(self):
        if len(self.payload) < 2:
            return None
        return struct.unpack("!H", self.payload[:2])[0]

    def __repr__(self):
        return (f"ClientFrame(fin={self.fin}, opcode={self.opcode:#x}, "
                f"masked={self.masked}, {len(self.payload)} bytes)")


class Request:
    """The client's opening handshake as the raw server read it."""

    def __init__(self, head):
        lines = head.decode("iso-8859-1").split("\r\n")
        self.request_line = lines[0]
        self.headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers.setdefault(name.strip().lower(), []).append(
                value.strip())

    def header(self, name):
        values = self.headers.get(name.lower())
        return ", ".join(values) if values else None

    def key(self):
        return self.header("sec-websocket-key")


class RawPeer:
    """One accepted connection of a RawServer."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()

    def read_request(self, timeout=10.0):
        """Reads the handshake head; None if the client closed first."""
        self.sock.settimeout(timeout)
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
        head, _, rest = bytes(self.buf).partition(b"\r\n\r\n")
        self.buf = bytearray(rest)
        return Request(head)

    def send(self, data):
        self.sock.sendall(data)

    def accept_101(self, request, extra=(), accept=None):
        """A correct 101 for request, with extra header lines."""
        lines = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket",
                 "Connection: Upgrade",
                 "Sec-WebSocket-Accept: " +
                 (accept or rawws.accept_for(request.key()))]
        lines += list(extra)
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def recv_frame(self, timeout=10.0):
        """The client's next frame (unmasked for us); EOFError at EOF."""
        deadline = time.monotonic() + timeout
        while True:
            frame = self._parse()
            if frame is not None:
                return frame
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no frame within {timeout} s")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                raise EOFError("client closed the connection")
            self.buf += chunk

    def _parse(self):
        buf = self.buf
        if len(buf) < 2:
            return None
        n = buf[1] & 0x7F
        pos = 2
        if n == 126:
            if len(buf) < 4:
                return None
            n = struct.unpack_from("!H", buf, 2)[0]
            pos = 4
        elif n == 127:
            if len(buf) < 10:
                return None
            n = struct.unpack_from("!Q", buf, 2)[0]
            pos = 10
        masked = bool(buf[1] & 0x80)
        key = b""
        if masked:
            if len(buf) < pos + 4:
                return None
            key = bytes(buf[pos:pos + 4])
            pos += 4
        if len(buf) < pos + n:
            return None
        payload = bytes(buf[pos:pos + n])
        if masked:
            payload = rawws.mask_payload(key, payload)
        frame = ClientFrame(bool(buf[0] & 0x80), (buf[0] >> 4) & 7,
                            buf[0] & 0xF, masked, payload, key)
        del buf[:pos + n]
        return frame

    def frames_until_close(self):
        """The client's frames up to its close, which is answered with the
        same payload before waiting for the client to hang up; ends early
        if the client closes TCP first."""
        while True:
            try:
                frame = self.recv_frame()
            except EOFError:
                return
            if frame.opcode == rawws.OP_CLOSE:
                self.send(rawws.build_frame(rawws.OP_CLOSE, frame.payload, mask=False))
                self.wait_eof()
                return
            yield frame

    def wait_eof(self, timeout=10.0):
        """True once the client closed TCP within timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                if not self.sock.recv(65536):
                    return True
            except (ConnectionResetError, BrokenPipeError):
                return True
            except socket.timeout:
                return False
        return False


@contextlib.contextmanager
def raw_server(handler):
    """RawServer(handler) as a context that fails the test if the handler
    raised (a timeout waiting for the client, say)."""
    with RawServer(handler) as server:
        yield server
    assert not server.errors, f"raw server handler failed: {server.errors}"


class RawServer:
    """Listens on a loopback port; every accepted connection goes to
    handler(peer: RawPeer) in its own thread.  What a handler raises is kept
    in .errors (a test checks it is empty)."""

    def __init__(self, handler):
        self.handler = handler
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.errors = []
        self.accepted = 0
        self._socks = []
        self._threads = []
        self._closing = False
        self._acceptor = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self):
        self._acceptor.start()
        return self

    def __exit__(self, *exc):
        self._closing = True
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self._acceptor.join(5)
        # Handlers finish first (the client is gone by now, so they see
        # EOF); only a handler still stuck after that has its socket closed
        # under it.
        deadline = time.monotonic() + 5
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        for sock in self._socks:
            with contextlib.suppress(OSError):
                sock.close()
        for thread in self._threads:
            thread.join(5)

    def _accept(self):
        while not self._closing:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            self._socks.append(sock)
            thread = threading.Thread(target=self._serve, args=(sock,),
                                      daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, sock):
        try:
            self.handler(RawPeer(sock))
        except Exception as e:       # recorded for the test to report
            if not self._closing:
                self.errors.append(repr(e))
        finally:
            with contextlib.suppress(OSError):
                sock.close()


# ----------------------------------------------------- a CONNECT proxy

class ConnectProxy:
    """An HTTP proxy that only does CONNECT, in its own thread and event
    loop.  .requests: every request line it got; .tunnels: the targets of
    the tunnels it opened.  With refuse=STATUS it answers every request
    with that status instead."""

    def __init__(self, refuse=None):
        self.refuse = refuse
        self.requests = []
        self.tunnels = []
        self.bytes_relayed = 0
        self.port = None
        self._loop = asyncio.new_event_loop()
        self._server = None
        self._tasks = set()
        self._thread = threading.Thread(target=self._loop.run_forever,
                                        daemon=True)

    def __enter__(self):
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._thread.start()
        return self

    def __exit__(self, *exc):
        async def shut():
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shut(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _handle(self, reader, writer):
        task = asyncio.current_task()
        self._tasks.add(task)
        try:
            await self._tunnel(reader, writer)
        except (OSError, asyncio.IncompleteReadError,
                asyncio.LimitOverrunError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _tunnel(self, reader, writer):
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        self.requests.append(line)
        method, target, _ = (line.split(" ") + ["", ""])[:3]
        if self.refuse or method != "CONNECT":
            status = self.refuse or 405
            writer.write(f"HTTP/1.1 {status} Refused\r\nContent-Length: 0"
                         f"\r\nConnection: close\r\n\r\n".encode())
            await writer.drain()
            return
        host, _, port = target.rpartition(":")
        up_reader, up_writer = await asyncio.open_connection(
            host.strip("[]"), int(port))
        self.tunnels.append(target)
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()

        async def pipe(src, dst):
            try:
                while data := await src.read(65536):
                    self.bytes_relayed += len(data)
                    dst.write(data)
                    await dst.drain()
            finally:
                with contextlib.suppress(OSError):
                    dst.write_eof()

        try:
            await asyncio.gather(pipe(reader, up_writer),
                                 pipe(up_reader, writer))
        finally:
            up_writer.close()


# ------------------------------------------------------------ certificates

def make_certificate(directory, name="server", cn="localhost",
                     san="DNS:localhost,IP:127.0.0.1"):
    """(cert path, key path) of a fresh self-signed RSA certificate."""
    cert = os.path.join(directory, f"{name}.pem")
    key = os.path.join(directory, f"{name}.key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
         "-keyout", key, "-out", cert, "-days", "30", "-subj", f"/CN={cn}",
         "-addext", f"subjectAltName={san}"],
        check=True, capture_output=True, timeout=60)
    return cert, key
