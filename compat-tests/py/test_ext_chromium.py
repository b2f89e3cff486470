"""Headless Chromium and permessage-deflate: the browser offers it on
every websocket (it is the only compression browsers speak), the test
server accepts it, and the page keeps working over compressed frames.

The page's own sockets are read from JavaScript (WebSocket.extensions is
what the browser agreed to), the dumb-increment counter must advance, and
a 40 KB message sent on the lws-mirror socket must come back intact: both
directions of compression, the browser's zlib against ours.
"""

import pytest

import browser
import httpwire


@pytest.fixture
def chromium(tmp_path):
    b = browser.Browser(httpwire.tool("chromium"), tmp_path / "profile")
    yield b
    b.close()


def test_chromium_negotiates_permessage_deflate(test_server, chromium):
    page = chromium
    page.command("Page.enable")
    page.command("Page.navigate", url=f"http://127.0.0.1:{test_server.port}/")
    page.wait_for("document.readyState === 'complete'")
    page.wait_for("wsdi.readyState === WebSocket.OPEN && "
                  "wslm.readyState === WebSocket.OPEN")

    assert page.evaluate("wsdi.extensions") == "permessage-deflate"
    assert page.evaluate("wslm.extensions") == "permessage-deflate"

    page.wait_for("/^[0-9]+$/.test("
                  "document.getElementById('number').textContent)")
    first = int(page.evaluate("document.getElementById('number')"
                              ".textContent"))
    page.wait_for(f"+document.getElementById('number').textContent "
                  f">= {first + 5}")

    # A large, compressible mirror message: the browser compresses it, the
    # server inflates, stores and compresses it again for every mirror
    # client, this page included.
    page.evaluate("""
        window.bigSent = Array.from({length: 2000}, (_, i) =>
            'd #' + (i % 4096).toString(16).padStart(6, '0') + ' ' + i % 500
            + ' ' + (i * 7) % 500 + ' ' + (i * 3) % 500 + ' ' + i % 300
            + ';').join('');
        window.bigBack = null;
        wslm.addEventListener('message', e => {
            if (e.data.length === window.bigSent.length)
                window.bigBack = e.data;
        });
        wslm.send(window.bigSent);
        window.bigSent.length
    """)
    assert page.evaluate("bigSent.length") > 40000
    page.wait_for("bigBack !== null")
    assert page.evaluate("bigBack === bigSent") is True
    # Still connected, still counting.
    assert page.evaluate("wsdi.readyState") == 1
    second = int(page.evaluate("document.getElementById('number')"
                               ".textContent"))
    page.wait_for(f"+document.getElementById('number').textContent "
                  f"> {second}")
