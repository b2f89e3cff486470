import XCTest
@testable import WebSocketProtocol

/// Line ends in request and response heads: CRLF, a bare LF (RFC 7230
/// section 3.5 lets a recipient accept it), both mixed in one head, and the
/// "\n\r\n" that libwebsockets 1.4 clients put after their Host line.
final class HTTPHeadLineEndTests: XCTestCase {
    /// What the 1.4 test-echo client sends: its application passed
    /// "address:port\n" as the host, and the client wrote "Host: %s\r\n".
    private let legacyEchoRequest = """
        GET / HTTP/1.1\r
        Pragma: no-cache\r
        Cache-Control: no-cache\r
        Host: 127.0.0.1:7681
        \r
        Upgrade: websocket\r
        Connection: Upgrade\r
        Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
        Origin: http://origin\r
        Sec-WebSocket-Extensions: x-webkit-deflate-frame,deflate-frame\r
        Sec-WebSocket-Version: 13\r
        \r

        """

    private func checkLegacyEchoRequest(_ parser: HTTPHeadParser, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(parser.method, .get, file: file, line: line)
        let expected: [(Int, String)] = [
            (HeaderToken.getURI, "/"), (HeaderToken.host, "127.0.0.1:7681"), (HeaderToken.upgrade, "websocket"),
            (HeaderToken.connection, "Upgrade"), (HeaderToken.key, "dGhlIHNhbXBsZSBub25jZQ=="),
            (HeaderToken.origin, "http://origin"), (HeaderToken.extensions, "x-webkit-deflate-frame,deflate-frame"),
            (HeaderToken.version, "13"),
        ]
        for (token, value) in expected {
            XCTAssertEqual(parser.text(token), value, "token \(token)", file: file, line: line)
        }
    }

    func testLegacyClientHostLineDoesNotEndTheHead() {
        XCTAssertTrue(legacyEchoRequest.contains("7681\n\r\nUpgrade"), "the fixture has the 1.4 line end")
        let bytes = Array(legacyEchoRequest.utf8)
        var whole = HTTPHeadParser(mode: .request)
        XCTAssertEqual(whole.feed(bytes + [0x81, 0x80]), .complete(consumed: bytes.count))
        checkLegacyEchoRequest(whole)

        var byteByByte = HTTPHeadParser(mode: .request)
        let (result, at) = byteByByte.feedByteByByte(bytes)
        XCTAssertEqual(result, .complete(consumed: 1))
        XCTAssertEqual(at, bytes.count - 1)
        checkLegacyEchoRequest(byteByByte)

        HTTPHeadParser.checkEverySplit(bytes, mode: .request) { checkLegacyEchoRequest($0) }
    }

    /// Heads whose lines end in LF, CRLF or a mix, ended by "\n\n" or by
    /// "\n\r\n" where RFC 7230 section 3.5 reads that as a line end and an
    /// empty line (the CR before an LF is ignored); the bytes after the head
    /// are left to the caller.
    func testHeadsWithLFAndCRLFLineEnds() {
        let heads = [
            ("LF only", "GET /a HTTP/1.1\nHost: a\nUpgrade: websocket\n\n"),
            ("LF lines ended by CRLF", "GET /a HTTP/1.1\nHost: a\nUpgrade: websocket\n\r\n"),
            ("CRLF lines ended by LF LF", "GET /a HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\n\n"),
            ("mixed", "GET /a HTTP/1.1\r\nHost: a\nUpgrade: websocket\n\r\nConnection: Upgrade\r\n\r\n"),
            ("mixed, stray LF last", "GET /a HTTP/1.1\r\nUpgrade: websocket\r\nHost: a\n\r\n\r\n"),
        ]
        for (name, head) in heads {
            var parser = HTTPHeadParser(mode: .request)
            XCTAssertEqual(parser.feed(head + "BODY"), .complete(consumed: head.utf8.count), name)
            XCTAssertEqual(parser.text(HeaderToken.getURI), "/a", name)
            XCTAssertEqual(parser.text(HeaderToken.host), "a", name)
            XCTAssertEqual(parser.text(HeaderToken.upgrade), "websocket", name)
        }
        var noFields = HTTPHeadParser(mode: .request)
        XCTAssertEqual(noFields.feed("GET / HTTP/1.0\n\r\n"), .complete(consumed: 17))
    }

    /// In a CRLF head a bare LF followed by CRLF is one line end, as 1.4 read
    /// it, so the blank line that ends the head is still to come.
    func testCRLFHeadWaitsForItsBlankLineAfterAStrayLF() {
        var parser = HTTPHeadParser(mode: .request)
        XCTAssertEqual(parser.feed("GET / HTTP/1.0\r\nHost: a\n\r\n"), .needMoreData)
        XCTAssertEqual(parser.feed("\r\n"), .complete(consumed: 2))
        XCTAssertEqual(parser.text(HeaderToken.host), "a")
        XCTAssertEqual(parser.version.minor, 0)
    }

    /// Only one CRLF is absorbed by a stray LF: an LF after it is the blank
    /// line, and what follows is left to the caller.
    func testOnlyOneCRLFJoinsAStrayLF() {
        var parser = HTTPHeadParser(mode: .request)
        let head = "GET / HTTP/1.1\r\nHost: a\n\r\n\n"
        XCTAssertEqual(parser.feed(head + "Upgrade: websocket\r\n\r\n"), .complete(consumed: head.utf8.count))
        XCTAssertEqual(parser.text(HeaderToken.host), "a")
        XCTAssertFalse(parser.headers.isPresent(HeaderToken.upgrade))
    }

    /// A body announced in a head with a stray LF is refused: a parser that
    /// ends such a head at the "\n\r\n" would frame the body differently, and
    /// that disagreement is what request smuggling is made of.
    func testStrayLFHeadWithABodyIsRefused() {
        let heads = [
            "POST / HTTP/1.1\r\nHost: a\n\r\nContent-Length: 5\r\n\r\nhello",
            "POST / HTTP/1.1\r\nContent-Length: 5\r\nHost: a\n\r\nX-A: b\r\n\r\nhello",
            "POST / HTTP/1.1\r\nHost: a\n\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        ]
        for text in heads {
            var parser = HTTPHeadParser(mode: .request)
            XCTAssertEqual(parser.feed(text), .failed(.malformed), text)
        }
        var bodyInLFHead = HTTPHeadParser(mode: .request)
        let head = "POST / HTTP/1.1\nHost: a\nContent-Length: 5\n\n"
        XCTAssertEqual(bodyInLFHead.feed(head + "hello"), .complete(consumed: head.utf8.count))
        XCTAssertEqual(bodyInLFHead.contentLength, 5)
    }

    func testResponseHeadsWithBareLFs() {
        let lfOnly = "HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n\n"
        let strayLF = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\n\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
        let lfThenCRLF = "HTTP/1.1 101\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n\r\n"
        for head in [lfOnly, strayLF, lfThenCRLF] {
            let bytes = Array(head.utf8)
            for feedByByte in [false, true] {
                var parser = HTTPHeadParser(mode: .response)
                if feedByByte {
                    XCTAssertEqual(parser.feedByteByByte(bytes).result, .complete(consumed: 1), head)
                } else {
                    XCTAssertEqual(parser.feed(bytes + [0x81, 0x00]), .complete(consumed: bytes.count), head)
                }
                XCTAssertEqual(parser.statusCode, 101, head)
                XCTAssertEqual(parser.text(HeaderToken.upgrade), "websocket", head)
                XCTAssertEqual(parser.text(HeaderToken.connection), "Upgrade", head)
                XCTAssertEqual(parser.text(HeaderToken.accept), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", head)
            }
        }
    }
}
