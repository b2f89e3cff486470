"""What the HTTP callback can read of a request: every header through
lws_hdr_total_length / lws_hdr_copy, the URI tokens of each method, and the
query string in WSI_TOKEN_HTTP_URI_ARGS.

The test server's /headers endpoint (any method) answers with a line per
stored token: index, lws_token_to_string name, total length, what
lws_hdr_copy returned with room to spare, and what it returned with no room
for the NUL (must be -1), then the copied value.
"""

import http.client

import pytest

import rawws

# enum lws_token_indexes of libwebsockets 1.4 (include/libwebsockets.h):
# the request headers a client can send, by wire name.  Left out: the
# method URI tokens, the draft-76 challenge, the response status line,
# the HTTP/2 pseudo-headers, the proxy line, the query and client-side
# bookkeeping, which are not headers; Upgrade+Connection and
# Transfer-Encoding, which change how the request is handled.
HEADER_TOKENS = {
    "Host": 3, "Origin": 6, "Sec-WebSocket-Draft": 7,
    "Sec-WebSocket-Extensions": 9, "Sec-WebSocket-Key1": 10,
    "Sec-WebSocket-Key2": 11, "Sec-WebSocket-Protocol": 12,
    "Sec-WebSocket-Accept": 13, "Sec-WebSocket-Nonce": 14,
    "HTTP2-Settings": 16, "Accept": 17,
    "Access-Control-Request-Headers": 18, "If-Modified-Since": 19,
    "If-None-Match": 20, "Accept-Encoding": 21, "Accept-Language": 22,
    "Pragma": 23, "Cache-Control": 24, "Authorization": 25, "Cookie": 26,
    "Content-Length": 27, "Content-Type": 28, "Date": 29, "Range": 30,
    "Referer": 31, "Sec-WebSocket-Key": 32, "Sec-WebSocket-Version": 33,
    "Sec-WebSocket-Origin": 34, "Accept-Charset": 40, "Accept-Ranges": 41,
    "Access-Control-Allow-Origin": 42, "Age": 43, "Allow": 44,
    "Content-Disposition": 45, "Content-Encoding": 46,
    "Content-Language": 47, "Content-Location": 48, "Content-Range": 49,
    "ETag": 50, "Expect": 51, "Expires": 52, "From": 53, "If-Match": 54,
    "If-Range": 55, "If-Unmodified-Since": 56, "Last-Modified": 57,
    "Link": 58, "Location": 59, "Max-Forwards": 60,
    "Proxy-Authenticate": 61, "Proxy-Authorization": 62, "Refresh": 63,
    "Retry-After": 64, "Server": 65, "Set-Cookie": 66,
    "Strict-Transport-Security": 67, "User-Agent": 69, "Vary": 70,
    "Via": 71, "WWW-Authenticate": 72,
}
CONNECTION = 4

URI_TOKENS = {"GET": 0, "POST": 1, "OPTIONS": 2, "PATCH": 74, "PUT": 75,
              "DELETE": 76}
URI_ARGS = 77


class Report:
    """The parsed /headers answer."""

    def __init__(self, body):
        lines = body.decode("latin-1").split("\n")
        assert lines[-1] == "", f"report does not end in a newline: {body!r}"
        first, _, self.uri = lines[0].partition("\t")
        assert first == "uri", lines[0]
        self.tokens = {}
        self.bad_empty = []
        for line in lines[1:-1]:
            if line.startswith("bad-empty\t"):
                self.bad_empty.append(line)
                continue
            index, name, total, copied, tight, value = line.split("\t", 5)
            self.tokens[int(index)] = (name, int(total), int(copied),
                                       int(tight), value)

    def value(self, token):
        return self.tokens[token][4] if token in self.tokens else None

    def check_copies(self):
        """lws_hdr_copy agrees with lws_hdr_total_length for every token;
        absent and empty ones copy as ""."""
        assert self.bad_empty == []
        for index, (name, total, copied, tight, value) in self.tokens.items():
            assert copied == total == len(value.encode("latin-1")), \
                (index, name, total, copied, value)
            assert tight == -1, (index, name, "copy without room for NUL")


def ask(port, method="GET", target="/headers", headers=(), body=None):
    """Report of one request with exactly these header fields (in order),
    plus Host first unless given."""
    fields = list(headers)
    if not any(n.lower() == "host" for n, _ in fields):
        fields.insert(0, ("Host", "127.0.0.1"))
    head = f"{method} {target} HTTP/1.1\r\n" + "".join(
        f"{n}: {v}\r\n" for n, v in fields) + "Connection: close\r\n\r\n"
    response, data = rawws.http_exchange(port, head.encode("latin-1") +
                                         (body or b""))
    assert response is not None and response.status == 200, \
        (response, data)
    assert response.header("content-type") == "text/plain"
    report = Report(data)
    report.check_copies()
    return report


def test_every_header_token_is_readable(test_server):
    headers = [(name, f"value-of-{name.lower()}-{index}")
               for name, index in HEADER_TOKENS.items()]
    # Content-Length must be a length, and then the body must follow.
    headers = [(n, "0" if n == "Content-Length" else v) for n, v in headers]
    report = ask(test_server.port, headers=headers)
    for name, index in HEADER_TOKENS.items():
        sent = dict(headers)[name]
        assert report.value(index) == sent, name
        assert report.tokens[index][0] == name.lower() + ":", index
    # Connection: close was sent too; nothing else is stored.
    assert report.value(CONNECTION) == "close"
    expected = set(HEADER_TOKENS.values()) | {URI_TOKENS["GET"], CONNECTION}
    assert set(report.tokens) == expected


def test_header_names_are_case_insensitive_and_values_trimmed(test_server):
    report = ask(test_server.port, headers=[
        ("ACCEPT-LANGUAGE", "  de-CH, en;q=0.5 \t"),
        ("user-agent", "lower\tcase  inside"),
        ("Cache-control", ""),
    ])
    assert report.value(22) == "de-CH, en;q=0.5"
    assert report.value(69) == "lower\tcase  inside"
    # An empty header is present but empty: total length 0, copied as ""
    # (check_copies), so not listed.
    assert report.value(24) is None


def test_empty_header_values(test_server):
    # Empty values, first and last in the head, and one repeated empty.
    report = ask(test_server.port, headers=[
        ("Origin", ""), ("Accept", ""), ("Accept", ""), ("Pragma", "p"),
        ("Cookie", ""), ("Cookie", "after-empty"), ("Via", ""),
    ])
    assert report.value(6) is None
    assert report.value(17) is None
    assert report.value(23) == "p"
    assert report.value(26) == "after-empty"
    assert report.value(71) is None


def test_repeated_headers_are_joined(test_server):
    report = ask(test_server.port, headers=[
        ("Accept", "text/html"), ("Cookie", "a=1"), ("Accept", "image/png"),
        ("Cookie", "b=2"),
    ])
    assert report.value(17) == "text/html, image/png"
    assert report.value(26) == "a=1, b=2"


def test_unknown_headers_are_ignored_safely(test_server):
    report = ask(test_server.port, headers=[
        ("X-Custom", "ignored"),
        ("X-" + "Very-Long-Unknown-Name-" * 8, "ignored too"),
        ("Accepts", "not Accept"),
        ("Accept-", "not Accept either"),
        ("Hos", "not Host"),
        ("Accept", "kept"),
    ])
    assert report.value(17) == "kept"
    assert report.value(3) == "127.0.0.1"
    assert "ignored" not in repr(report.tokens)


def test_header_value_at_its_token_limit(test_server):
    # The default limit is 4096 bytes per token: one byte less than a
    # value over it (which gets 431, see malformed_requests).
    value = "c" * 4000
    report = ask(test_server.port, headers=[("Cookie", value)])
    assert report.value(26) == value


@pytest.mark.parametrize("method", sorted(URI_TOKENS))
def test_each_method_reaches_the_callback_with_its_uri_token(test_server,
                                                             method):
    report = ask(test_server.port, method=method,
                 headers=[("Content-Length", "0")])
    assert report.uri == "/headers"
    uri_tokens = {t for t in report.tokens if t in URI_TOKENS.values()}
    assert uri_tokens == {URI_TOKENS[method]}
    name = report.tokens[URI_TOKENS[method]][0]
    assert name == method.lower() + " "
    assert report.value(URI_TOKENS[method]) == "/headers"
    assert report.value(URI_ARGS) is None


@pytest.mark.parametrize("query", ["a=1", "a=1&b=two", "x=%41%20b&y=",
                                   "just-a-word", "a=1?b=2", "=&&="])
def test_query_string_is_in_uri_args(test_server, query):
    report = ask(test_server.port, target="/headers?" + query)
    assert report.uri == "/headers"
    assert report.value(URI_TOKENS["GET"]) == "/headers"
    # Raw: still %-encoded, so the application can split it first.
    assert report.value(URI_ARGS) == query


def test_empty_query_string(test_server):
    report = ask(test_server.port, target="/headers?")
    assert report.uri == "/headers"
    assert report.value(URI_ARGS) is None


def test_uri_is_percent_decoded_and_canonical(test_server):
    report = ask(test_server.port,
                 target="/%68eaders/./../x/..//headers/../headers?q=%2F")
    assert report.uri == "/headers"
    assert report.value(URI_ARGS) == "q=%2F"


def test_absolute_form_target(test_server):
    report = ask(test_server.port,
                 target="http://127.0.0.1/headers?abs=1")
    assert report.uri == "/headers"
    assert report.value(URI_ARGS) == "abs=1"


def test_http_client_request_is_reported(test_server):
    # An independent client's idea of a request, headers chosen by it.
    conn = http.client.HTTPConnection("127.0.0.1", test_server.port,
                                      timeout=10)
    try:
        conn.request("PUT", "/headers?from=http.client", body=b"",
                     headers={"X-Ignored": "1", "Referer": "http://r/"})
        response = conn.getresponse()
        report = Report(response.read())
    finally:
        conn.close()
    assert response.status == 200
    report.check_copies()
    assert report.value(URI_TOKENS["PUT"]) == "/headers"
    assert report.value(URI_ARGS) == "from=http.client"
    assert report.value(31) == "http://r/"
    assert report.value(3) == f"127.0.0.1:{test_server.port}"
    assert report.value(27) == "0"
