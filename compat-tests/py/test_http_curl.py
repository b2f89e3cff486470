"""The test server's HTTP side as curl sees it: files byte for byte, HEAD,
a 10 MB POST, keep-alive reuse, a Range request and HTTP/1.0.

curl is a real, independent HTTP client (scripts/install-deps.sh installs
it); -v output on stderr tells what it did with the connection.
"""

import os
import re
import time

import pytest

import httpwire
import rawws

FILES = [("/", "test.html"), ("/test.html", "test.html"),
         ("/favicon.ico", "favicon.ico"), ("/leaf.png", "leaf.png")]


def url(server, path):
    return f"http://127.0.0.1:{server.port}{path}"


@pytest.mark.parametrize("path,name", FILES, ids=[p for p, _ in FILES])
def test_get_is_byte_exact(test_server, resource_dir, path, name):
    proc = httpwire.curl("--fail", url(test_server, path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == httpwire.read_resource(resource_dir, name)


def test_head_is_refused_with_501_without_hanging(test_server):
    # The 1.4 API has no HEAD token, so the library refuses HEAD with 501
    # Not Implemented (RFC 9110 allows that for a method it does not
    # implement) and closes; curl must not wait for a body.
    began = time.monotonic()
    proc = httpwire.curl("-I", url(test_server, "/test.html"), timeout=10)
    assert time.monotonic() - began < 5
    assert proc.returncode == 0, proc.stderr
    head = proc.stdout.decode("latin-1")
    assert head.startswith("HTTP/1.1 501 Not Implemented\r\n")
    assert re.search(r"(?im)^connection: close\r$", head)
    # The server is fine afterwards.
    assert httpwire.curl("--fail", url(test_server, "/favicon.ico"),
                         "-o", "/dev/null").returncode == 0


def test_post_of_10_mb(test_server, tmp_path):
    body = tmp_path / "body.bin"
    body.write_bytes(os.urandom(10 * 1024 * 1024))
    began = time.monotonic()
    proc = httpwire.curl("-v", "--fail", "--data-binary", f"@{body}",
                         "-H", "Content-Type: application/octet-stream",
                         url(test_server, "/formtest"))
    elapsed = time.monotonic() - began
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"length=10485760"
    # curl asks with Expect: 100-continue and waits a second for the
    # interim answer; the library sends it, so curl does not have to wait.
    assert "Expect: 100-continue" in proc.stderr
    assert "< HTTP/1.1 100 Continue" in proc.stderr
    assert "Done waiting for 100-continue" not in proc.stderr
    assert elapsed < 5


def test_keep_alive_reuses_the_connection(test_server, resource_dir,
                                          tmp_path):
    # leaf.png takes several writable rounds (the library completes the
    # transaction), favicon.ico goes out at once (the program completes
    # it), test.html last: all on one connection.
    names = ["leaf.png", "favicon.ico", "test.html", "leaf.png"]
    args = ["-v", "--fail"]
    for n, name in enumerate(names):
        args += [url(test_server, "/" + name), "-o", str(tmp_path / str(n))]
    proc = httpwire.curl(*args)
    assert proc.returncode == 0, proc.stderr
    for n, name in enumerate(names):
        assert (tmp_path / str(n)).read_bytes() == \
            httpwire.read_resource(resource_dir, name), name
    assert proc.stderr.count("Re-using existing connection") == \
        len(names) - 1, proc.stderr
    assert proc.stderr.count("Connected to") == 1, proc.stderr


def test_keep_alive_after_post(test_server, resource_dir, tmp_path):
    # A POST whose body the program reads, then a GET on the same
    # connection.
    proc = httpwire.curl("-v", "--fail", "--data-binary", "abc",
                         url(test_server, "/formtest"),
                         "-o", str(tmp_path / "post"),
                         "--next", "--fail", url(test_server, "/favicon.ico"),
                         "-o", str(tmp_path / "get"))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "post").read_bytes() == b"length=3"
    assert (tmp_path / "get").read_bytes() == \
        httpwire.read_resource(resource_dir, "favicon.ico")
    assert "Re-using existing connection" in proc.stderr


def test_range_is_ignored_with_a_full_200(test_server, resource_dir):
    proc = httpwire.curl("-v", "--fail", "-r", "0-99",
                         url(test_server, "/leaf.png"))
    assert proc.returncode == 0, proc.stderr
    assert "< HTTP/1.1 200 OK" in proc.stderr
    assert proc.stdout == httpwire.read_resource(resource_dir, "leaf.png")


def test_http_1_0_closes_after_the_response(test_server, resource_dir):
    proc = httpwire.curl("-v", "--fail", "-0", url(test_server, "/leaf.png"),
                         url(test_server, "/favicon.ico"), "-o", "/dev/null",
                         "-o", "/dev/null")
    assert proc.returncode == 0, proc.stderr
    assert "< HTTP/1.0 200 OK" in proc.stderr
    assert re.search(r"(?im)^< connection: close", proc.stderr)
    assert "Re-using existing connection" not in proc.stderr
    assert proc.stderr.count("Connected to") == 2


@pytest.mark.parametrize("path,name", [("/favicon.ico", "favicon.ico"),
                                       ("/leaf.png", "leaf.png")])
def test_http_1_0_connection_is_closed_by_the_server(test_server,
                                                     resource_dir, path,
                                                     name):
    # At the byte level: the server itself ends the connection right after
    # the body (an HTTP/1.0 client without keep-alive relies on it).
    result = httpwire.exchange(
        test_server.port, f"GET {path} HTTP/1.0\r\n\r\n".encode(),
        timeout=5)
    assert result.status == 200
    assert result.response.raw_head.startswith(b"HTTP/1.0 200 OK\r\n")
    assert result.body == httpwire.read_resource(resource_dir, name)
    assert result.closed and result.extra == b""
    # Far below the 10 s request-head timeout that would otherwise end it.
    assert result.elapsed < 5


def test_http_1_0_keep_alive_is_honoured_and_announced(test_server,
                                                      resource_dir):
    # An HTTP/1.0 client keeps a connection only if the response says so.
    favicon = httpwire.read_resource(resource_dir, "favicon.ico")
    request = (b"GET /favicon.ico HTTP/1.0\r\n"
               b"Connection: keep-alive\r\n\r\n")
    with rawws.open_socket(test_server.port, timeout=5) as sock:
        for _ in range(2):
            sock.sendall(request)
            response, body = rawws.read_response_head(sock)
            assert response.status == 200
            assert response.header("connection").lower() == "keep-alive"
            while len(body) < len(favicon):
                body += sock.recv(65536)
            assert body == favicon


def test_pipelined_requests_are_answered_in_order(test_server,
                                                  resource_dir):
    # Three requests in one send; the first needs several writable rounds,
    # so the others wait for it.  The last asks to close.
    names = ["leaf.png", "favicon.ico", "test.html"]
    request = b"".join(
        b"GET /%s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n" %
        (name.encode(), b"Connection: close\r\n" if n == 2 else b"")
        for n, name in enumerate(names))
    with rawws.open_socket(test_server.port, timeout=10) as sock:
        sock.sendall(request)
        data = bytearray()
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    for name in names:
        expected = httpwire.read_resource(resource_dir, name)
        head, _, rest = bytes(data).partition(b"\r\n\r\n")
        response = rawws.parse_response_head(head)
        assert response.status == 200, name
        assert int(response.header("content-length")) == len(expected)
        assert rest[:len(expected)] == expected, name
        data = rest[len(expected):]
    assert data == b""
