"""HTTP serving of the test server: files, 404/403, POST bodies.

Requests go through http.client (an independent HTTP implementation) or,
where the exact bytes on the wire matter, through rawws.http_exchange.
Every request says "Connection: close" so that a response is complete when
the body is, whatever the server's keep-alive policy.
"""

import http.client
import os
import shutil
import socket

import pytest

import rawws
import wsclient

FILES = [
    ("/", "test.html", "text/html"),
    ("/test.html", "test.html", "text/html"),
    ("/favicon.ico", "favicon.ico", "image/x-icon"),
    ("/leaf.png", "leaf.png", "image/png"),
]


def request(port, method, path, body=None, headers=None):
    """(status, headers dict lower-cased, body bytes) of one request."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        all_headers = {"Connection": "close"}
        all_headers.update(headers or {})
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        return (response.status,
                {k.lower(): v for k, v in response.getheaders()}, data)
    finally:
        conn.close()


def read_file(resource_dir, name):
    with open(os.path.join(resource_dir, name), "rb") as f:
        return f.read()


@pytest.mark.parametrize("path,name,content_type", FILES,
                         ids=[f[0] for f in FILES])
def test_file_is_served_exactly(test_server, resource_dir, path, name,
                                content_type):
    expected = read_file(resource_dir, name)
    status, headers, body = request(test_server.port, "GET", path)
    assert status == 200
    assert headers["content-type"].split(";")[0].strip() == content_type
    assert int(headers["content-length"]) == len(expected)
    assert body == expected


def test_large_file_needs_several_writes(test_server, resource_dir):
    # leaf.png is ~270 KB: more than one socket write, so this exercises the
    # library's asynchronous file sending.  Read it slowly to be sure.
    expected = read_file(resource_dir, "leaf.png")
    assert len(expected) > 200 * 1024
    request_bytes = (b"GET /leaf.png HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Connection: close\r\n\r\n")
    with rawws.open_socket(test_server.port) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
        sock.sendall(request_bytes)
        response, rest = rawws.read_response_head(sock)
        body = bytearray(rest)
        length = int(response.header("content-length"))
        while len(body) < length:
            chunk = sock.recv(8192)
            assert chunk, f"connection closed after {len(body)} bytes"
            body += chunk
    assert response.status == 200
    assert bytes(body) == expected


@pytest.mark.parametrize("path", ["/does-not-exist.html", "/nothing",
                                  "/missing.png", "/sub/dir/file.html"])
def test_missing_file_is_404(test_server, path):
    status, _, _ = request(test_server.port, "GET", path)
    assert status == 404



@pytest.mark.parametrize("size", [1, 1000, 100000])
def test_post_formtest_reports_body_length(test_server, size):
    status, headers, body = request(test_server.port, "POST", "/formtest",
                                    body=b"x" * size,
                                    headers={"Content-Type":
                                             "application/octet-stream"})
    assert status == 200
    assert body == f"length={size}".encode()
    assert int(headers["content-length"]) == len(body)


def test_post_formtest_empty_body(test_server):
    status, _, body = request(test_server.port, "POST", "/formtest",
                              body=b"")
    assert status == 200
    assert body == b"length=0"


def test_post_elsewhere_is_404(test_server):
    status, _, _ = request(test_server.port, "POST", "/elsewhere",
                           body=b"data")
    assert status == 404


@pytest.fixture
def sandboxed_server(start_server, resource_dir, tmp_path):
    """A server on a copy of the resources, with secrets in and around it:
    secret.html right outside the served dir, a TLS key inside it."""
    served = tmp_path / "served"
    shutil.copytree(resource_dir, served)
    (tmp_path / "secret.html").write_text("TOP-SECRET-CONTENT\n")
    (served / "libwebsockets-test-server.key.pem").write_text(
        "-----BEGIN PRIVATE KEY-----\nTOP-SECRET-KEY\n")
    return start_server("libwebsockets-test-server",
                        "--resource-path", str(served))


def test_files_of_unknown_type_are_not_served(sandboxed_server):
    status, _, body = request(sandboxed_server.port, "GET",
                              "/libwebsockets-test-server.key.pem")
    assert status == 404
    assert b"TOP-SECRET" not in body


@pytest.mark.parametrize("path", ["/../secret.html",
                                  "/leaf.png/../../secret.html",
                                  "/./../secret.html"])
def test_dotdot_cannot_escape_resource_dir(sandboxed_server, path):
    # The program refuses a ".." segment with 403.  If the library
    # canonicalises the URI first, the request becomes /secret.html inside
    # the resource dir, which does not exist: 404.  Either way the secret
    # stays secret.
    response, body = rawws.http_exchange(
        sandboxed_server.port,
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Connection: close\r\n\r\n".encode())
    assert response is not None
    assert response.status in (403, 404)
    assert b"TOP-SECRET" not in body


def test_http_and_websocket_on_the_same_port(test_server, resource_dir):
    with wsclient.connect(test_server.port,
                          protocol="dumb-increment-protocol") as ws:
        status, _, body = request(test_server.port, "GET", "/")
        assert status == 200
        assert body == read_file(resource_dir, "test.html")
        assert ws.recv(timeout=10).isdigit()
