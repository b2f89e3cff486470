"""A 1 GiB file to a slow reader costs the server bounded memory.

libwebsockets_serve_http_file sends a file a piece per writable round, and
reads the next piece only once the previous one has left: the server's
resident memory must stay flat however big the file and however slow the
reader, and other clients must be served meanwhile.
"""

import shutil
import socket
import time

import httpwire
import rawws

GIB = 1 << 30
RSS_LIMIT_KIB = 64 * 1024


def test_1_gib_file_to_a_slow_reader(start_server, resource_dir, tmp_path):
    served = tmp_path / "served"
    shutil.copytree(resource_dir, served)
    with open(served / "huge.png", "wb") as f:     # sparse: no disk used
        f.truncate(GIB)
    server = start_server("libwebsockets-test-server", "--resource-path",
                          str(served))
    pid = server.proc.pid
    favicon = httpwire.read_resource(resource_dir, "favicon.ico")
    rss_before = httpwire.vm_rss_kib(pid)

    with rawws.open_socket(server.port) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
        sock.sendall(b"GET /huge.png HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        response, body = rawws.read_response_head(sock)
        assert response.status == 200
        assert int(response.header("content-length")) == GIB
        received = len(body)
        assert body.count(0) == len(body)

        # A slow reader: 16 KiB every 20 ms, for 3 seconds.
        peak = rss_before
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            chunk = sock.recv(16384)
            assert chunk, "server closed the connection"
            assert chunk.count(0) == len(chunk)
            received += len(chunk)
            peak = max(peak, httpwire.vm_rss_kib(pid))
            time.sleep(0.02)
        # The server is not blocked on this client.
        assert httpwire.get(server.port, "/favicon.ico") == (200, favicon)

    assert 0 < received < GIB // 8
    assert peak < RSS_LIMIT_KIB, \
        f"server RSS {peak} KiB (was {rss_before} KiB before the transfer)"
    assert peak - rss_before < 16 * 1024, (rss_before, peak)
    # The reader went away mid-file: the server drops it and goes on.
    time.sleep(0.2)
    assert httpwire.get(server.port, "/favicon.ico") == (200, favicon)
