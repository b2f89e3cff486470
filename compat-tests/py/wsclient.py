"""The independent peer: the `websockets` package, set up for these tests.

Defaults differ from the package's in ways that keep the tests exact and
bounded: no keepalive pings of its own, no proxy from the environment, no
compression unless a test asks for it, generous size limits, and every
handshake and close bounded by a timeout.
"""

from websockets.asyncio.client import connect as _async_connect
from websockets.sync.client import connect as _sync_connect

TIMEOUT = 10.0
MAX_SIZE = 64 * 1024 * 1024


def _options(protocol, kwargs):
    kwargs.setdefault("open_timeout", TIMEOUT)
    kwargs.setdefault("close_timeout", TIMEOUT)
    kwargs.setdefault("ping_interval", None)
    kwargs.setdefault("proxy", None)
    kwargs.setdefault("compression", None)
    kwargs.setdefault("max_size", MAX_SIZE)
    if protocol is not None:
        kwargs.setdefault("subprotocols", [protocol])
    return kwargs


def connect(port, protocol=None, **kwargs):
    """A websockets.sync ClientConnection to ws://127.0.0.1:port/."""
    return _sync_connect(f"ws://127.0.0.1:{port}/",
                         **_options(protocol, kwargs))


def aconnect(port, protocol=None, *, scheme="ws", **kwargs):
    """The asyncio flavour of connect() (use with `async with`/await);
    scheme "wss" with an ssl context in kwargs for TLS."""
    return _async_connect(f"{scheme}://127.0.0.1:{port}/",
                          **_options(protocol, kwargs))
