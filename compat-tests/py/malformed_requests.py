"""Malformed, oversized and smuggling-prone HTTP requests, each with the
status the server must answer it with.

Every one of them must get its status and a closed connection, and must not
disturb anybody else (test_http_malformed.py checks all three).

Run as a program against a running test server to print the table of what
each request actually got:

    python malformed_requests.py PORT
"""

import sys

HOST = b"Host: 127.0.0.1"


def _head(request_line, *fields, body=b""):
    lines = [request_line] + list(fields)
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def _many_headers(n):
    return [b"X-Filler-%d: v" % i for i in range(n)]


class Case:
    def __init__(self, name, request, statuses, why):
        self.name = name
        self.request = request
        self.statuses = statuses if isinstance(statuses, tuple) else \
            (statuses,)
        self.why = why


CASES = [
    # ---- not HTTP at all
    Case("garbage-binary", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\r\n\r\n",
         400, "a TLS ClientHello on the plain port: no request line"),
    Case("garbage-control", b"\x00\x01\x02\x03\r\n\r\n", 400,
         "control bytes"),
    # The method is judged at the first space, before the line is seen to
    # have no version: an unknown method (501) is as right as garbage (400).
    Case("garbage-words", b"hello world\r\n\r\n", (400, 501),
         "two words, no version"),
    Case("request-line-only-spaces", b"   \r\n\r\n", 400, "empty method"),
    Case("missing-version", b"GET /\r\n\r\n", 400,
         "HTTP/0.9-style request line"),
    Case("two-spaces", _head(b"GET  / HTTP/1.1", HOST), 400,
         "empty request-target"),
    Case("relative-target", _head(b"GET test.html HTTP/1.1", HOST),
         400, "target neither origin- nor absolute-form"),
    Case("fragment-in-target", _head(b"GET /test.html#x HTTP/1.1",
                                     HOST),
         400, "'#' never belongs in a request-target"),
    Case("bad-percent-escape", _head(b"GET /%zz HTTP/1.1", HOST), 400,
         "malformed %-escape"),
    Case("nul-escape-in-path", _head(b"GET /test.html%00.png HTTP/1.1",
                                     HOST),
         400, "%00 would truncate the path at the C string's NUL"),
    Case("raw-nul-in-path", _head(b"GET /test\x00.html HTTP/1.1", HOST),
         400, "a raw NUL byte in the target"),
    Case("lowercase-version", _head(b"GET / http/1.1", HOST), 400,
         "the version is case-sensitive"),
    # ---- methods and versions
    Case("unknown-method", _head(b"BREW /pot HTTP/1.1", HOST), 501,
         "a method the library does not implement"),
    Case("head-method", _head(b"HEAD / HTTP/1.1", HOST), 501,
         "1.4 has no HEAD token: refused, never answered with a body"),
    Case("lowercase-method", _head(b"get / HTTP/1.1", HOST), 501,
         "methods are case-sensitive"),
    Case("connect-method", _head(b"CONNECT example.com:443 HTTP/1.1",
                                 HOST),
         501, "not a proxy"),
    Case("http-2.0", _head(b"GET / HTTP/2.0", HOST), 505,
         "HTTP/2 over an HTTP/1 connection"),
    Case("http-1.2", _head(b"GET / HTTP/1.2", HOST), 505,
         "a future minor version"),
    # "HTTP/3" is not an HTTP-version at all (RFC 9112 section 2.3 wants
    # DIGIT "." DIGIT), so 400 is as right as 505.
    Case("http-3", _head(b"GET / HTTP/3", HOST), (400, 505),
         "HTTP/3 without a minor digit"),
    Case("http2-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 501,
         "the HTTP/2 connection preface: PRI is an unknown method"),
    # ---- header syntax
    Case("obs-fold", _head(b"GET / HTTP/1.1", HOST, b"X-A: one",
                           b" two"),
         400, "obs-fold continuation line (RFC 7230 3.2.4)"),
    Case("space-before-colon", _head(b"GET / HTTP/1.1", HOST,
                                     b"Content-Length : 5", body=b"hello"),
         400, "whitespace between name and colon (RFC 7230 3.2.4)"),
    Case("empty-header-name", _head(b"GET / HTTP/1.1", HOST,
                                    b": value"),
         400, "a field line without a name"),
    Case("bare-cr", b"GET / HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n", 400,
         "a CR not followed by LF"),
    Case("control-char-in-value", _head(b"GET / HTTP/1.1", HOST,
                                        b"X-A: a\x01b"),
         400, "a control character in a field value"),
    Case("missing-host-1.1", _head(b"GET /test.html HTTP/1.1"), 400,
         "HTTP/1.1 requires Host (RFC 7230 5.4)"),
    Case("duplicate-host", _head(b"GET / HTTP/1.1", b"Host: a", b"Host: b"),
         400, "two Host fields (RFC 7230 5.4)"),
    # ---- limits
    Case("uri-too-long", _head(b"GET /" + b"a" * 9000 + b" HTTP/1.1",
                               HOST),
         (414, 431), "request-target over the limit"),
    Case("query-too-long", _head(b"GET /?" + b"a" * 5000 + b" HTTP/1.1",
                                 HOST),
         (414, 431), "query string over its token limit"),
    Case("header-too-long", _head(b"GET / HTTP/1.1", HOST,
                                  b"X-Big: " + b"a" * 9000),
         431, "an unknown header making the head too large"),
    Case("known-header-over-token-limit",
         _head(b"GET / HTTP/1.1", HOST, b"Cookie: " + b"c" * 5000),
         431, "one known header over its token limit"),
    Case("too-many-headers", _head(b"GET / HTTP/1.1", HOST,
                                   *_many_headers(100)),
         431, "100 header lines"),
    # ---- body framing (request smuggling)
    Case("conflicting-content-length",
         _head(b"POST /formtest HTTP/1.1", HOST, b"Content-Length: 5",
               b"Content-Length: 6", body=b"hello!"),
         400, "two different Content-Length values"),
    Case("content-length-list",
         _head(b"POST /formtest HTTP/1.1", HOST,
               b"Content-Length: 5, 6", body=b"hello!"),
         400, "a list of different lengths in one field"),
    Case("negative-content-length",
         _head(b"POST /formtest HTTP/1.1", HOST,
               b"Content-Length: -5"),
         400, "a negative length"),
    Case("signed-content-length",
         _head(b"POST /formtest HTTP/1.1", HOST,
               b"Content-Length: +5", body=b"hello"),
         400, "a sign is not a digit"),
    Case("overflowing-content-length",
         _head(b"POST /formtest HTTP/1.1", HOST,
               b"Content-Length: 99999999999999999999999"),
         400, "a length that does not fit 64 bits"),
    # RFC 7230 3.3.2 lets a recipient either refuse a repeated identical
    # length or take it once.  The library takes it; the test server reads
    # the joined value "5, 5" with lws_hdr_copy and refuses it.
    Case("duplicate-equal-content-length",
         _head(b"POST /formtest HTTP/1.1", HOST, b"Content-Length: 5",
               b"Content-Length: 5", body=b"hello"),
         400, "the same length twice"),
    Case("content-length-and-chunked",
         _head(b"POST /formtest HTTP/1.1", HOST, b"Content-Length: 5",
               b"Transfer-Encoding: chunked", body=b"0\r\n\r\n"),
         400, "CL.TE: both framings (RFC 7230 3.3.3)"),
    Case("chunked-body",
         _head(b"POST /formtest HTTP/1.1", HOST,
               b"Transfer-Encoding: chunked",
               body=b"5\r\nhello\r\n0\r\n\r\n"),
         501, "chunked request bodies are refused, not misparsed"),
    Case("chunked-uppercase",
         _head(b"POST /formtest HTTP/1.1", HOST,
               b"transfer-encoding: CHUNKED",
               body=b"5\r\nhello\r\n0\r\n\r\n"),
         501, "names and codings are case-insensitive: still chunked"),
    Case("chunked-body-http-1.0",
         _head(b"POST /formtest HTTP/1.0", b"Transfer-Encoding: chunked",
               body=b"5\r\nhello\r\n0\r\n\r\n"),
         501, "the same over HTTP/1.0"),
    Case("chunked-not-last",
         _head(b"POST /formtest HTTP/1.1", HOST,
               b"Transfer-Encoding: chunked, gzip"),
         400, "final coding not chunked: no knowable body length"),
    Case("unknown-transfer-coding",
         _head(b"POST /formtest HTTP/1.1", HOST,
               b"Transfer-Encoding: xchunked"),
         400, "a coding that only looks like chunked"),
    Case("space-before-colon-te",
         _head(b"POST /formtest HTTP/1.1", HOST,
               b"Transfer-Encoding : chunked", body=b"0\r\n\r\n"),
         400, "the classic TE obfuscation"),
    # ---- paths
    Case("dotdot-escapes-root", _head(b"GET /../etc/passwd HTTP/1.1",
                                      HOST),
         403, "'..' above the root"),
    Case("encoded-dotdot-escapes-root",
         _head(b"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1", HOST),
         403, "'..' hidden in %-escapes"),
    Case("dotdot-after-file",
         _head(b"GET /leaf.png/../../secret HTTP/1.1", HOST),
         403, "climbs one level more than it descended"),
]

CASES_BY_NAME = {case.name: case for case in CASES}


def main():
    import httpwire

    port = int(sys.argv[1])
    print("| request | expected | got |")
    print("|---|---|---|")
    for case in CASES:
        result = httpwire.exchange(port, case.request, timeout=3)
        expected = " or ".join(str(s) for s in case.statuses)
        print(f"| {case.name}: {case.why} | {expected} | "
              f"{result.summary()} |")


if __name__ == "__main__":
    main()
