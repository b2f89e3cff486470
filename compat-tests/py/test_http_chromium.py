"""A real browser loads the test page and talks WebSocket to the server.

Headless Chromium (Debian's chromium package, installed by
scripts/install-deps.sh) loads http://127.0.0.1:PORT/ from the test server:
the page, its image and favicon over HTTP, then two websockets on the same
port.  The dumb-increment counter it shows must advance, read twice; the
image must have loaded.  A screenshot of the page is saved to
$LWS_ARTIFACT_DIR (default /tmp) as test-server-chromium.png.
"""

import base64
import os

import pytest

import browser
import httpwire

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def chromium(tmp_path):
    b = browser.Browser(httpwire.tool("chromium"), tmp_path / "profile")
    yield b
    b.close()


def counter(page):
    text = page.evaluate("document.getElementById('number').textContent")
    assert text.isdigit(), f"counter shows {text!r}"
    return int(text)


def test_chromium_sees_the_counter_advance(test_server, chromium):
    page = chromium
    page.command("Page.enable")
    page.command("Page.navigate", url=f"http://127.0.0.1:{test_server.port}/")
    page.wait_for("document.readyState === 'complete'")

    assert page.evaluate("document.title") == "libwebsockets test server"
    # leaf.png, served in several writable rounds, decoded by the browser.
    assert page.wait_for("document.getElementById('leaf').complete && "
                         "document.getElementById('leaf').naturalWidth") > 0
    # Both websocket protocols connected.
    page.wait_for("document.getElementById('wsdi_status').textContent "
                  "=== 'connected'")
    page.wait_for("document.getElementById('wslm_status').textContent "
                  "=== 'connected'")

    # The counter: a number once the first message is in, then larger.
    page.wait_for("/^[0-9]+$/.test("
                  "document.getElementById('number').textContent)")
    first = counter(page)
    page.wait_for(f"+document.getElementById('number').textContent "
                  f">= {first + 5}")
    second = counter(page)
    assert second >= first + 5

    shot = page.command("Page.captureScreenshot", format="png")
    png = base64.b64decode(shot["data"])
    assert png.startswith(PNG_MAGIC)
    artifacts = os.environ.get("LWS_ARTIFACT_DIR", "/tmp")
    os.makedirs(artifacts, exist_ok=True)
    path = os.path.join(artifacts, "test-server-chromium.png")
    with open(path, "wb") as f:
        f.write(png)

    # Still talking after the screenshot: the session is alive.
    page.wait_for(f"+document.getElementById('number').textContent "
                  f"> {second}")
