"""A real browser loads the test page over https and runs it over wss.

test-server --ssl serves a certificate for localhost signed by the test CA
(certs.py). Chromium is told to trust exactly that server key
(--ignore-certificate-errors-spki-list with the key's SHA-256 SPKI hash,
Chromium's switch for pinning one test key), so everything else about the
TLS connection is verified as usual. The page, its image and both
WebSocket protocols must work, and the dumb-increment counter must advance
over wss://.
"""

import base64
import hashlib
import os
import subprocess

import pytest

import browser
import httpwire
import programs
from certs import tls_certs  # noqa: F401  (fixture)


def spki_hash(certificate):
    der = subprocess.run(
        ["openssl", "x509", "-in", certificate, "-pubkey", "-noout"],
        check=True, capture_output=True).stdout
    key = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"],
                         input=der, check=True, capture_output=True).stdout
    return base64.b64encode(hashlib.sha256(key).digest()).decode()


@pytest.fixture
def tls_test_server(start_server, resource_dir, tls_certs):  # noqa: F811
    return start_server(programs.TEST_SERVER, "--resource-path", resource_dir,
                        "--ssl", "--ssl-cert", tls_certs.server_pem,
                        "--ssl-key", tls_certs.server_key)


def test_chromium_runs_the_page_over_https_and_wss(tls_test_server, tls_certs,  # noqa: F811
                                                   tmp_path):
    page = browser.Browser(
        httpwire.tool("chromium"), tmp_path / "profile",
        extra_args=[f"--ignore-certificate-errors-spki-list="
                    f"{spki_hash(tls_certs.server_pem)}"])
    try:
        page.command("Page.enable")
        page.command("Page.navigate",
                     url=f"https://localhost:{tls_test_server.port}/")
        page.wait_for("document.readyState === 'complete'")
        assert page.evaluate("location.protocol") == "https:"
        assert page.evaluate("document.title") == "libwebsockets test server"
        assert page.wait_for("document.getElementById('leaf').complete && "
                             "document.getElementById('leaf').naturalWidth") > 0
        page.wait_for("document.getElementById('wsdi_status').textContent "
                      "=== 'connected'")
        page.wait_for("document.getElementById('wslm_status').textContent "
                      "=== 'connected'")
        page.wait_for("/^[0-9]+$/.test("
                      "document.getElementById('number').textContent)")
        first = int(page.evaluate(
            "document.getElementById('number').textContent"))
        page.wait_for(f"+document.getElementById('number').textContent "
                      f">= {first + 5}")
        shot = page.command("Page.captureScreenshot", format="png")
        artifacts = os.environ.get("LWS_ARTIFACT_DIR", "/tmp")
        os.makedirs(artifacts, exist_ok=True)
        with open(os.path.join(artifacts, "test-server-chromium-https.png"),
                  "wb") as f:
            f.write(base64.b64decode(shot["data"]))
    finally:
        page.close()
