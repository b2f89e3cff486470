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
        XCTAssertEqual(parser.text(HeaderToken.getURI), "/", file: file, line: line)
        XCTAssertEqual(parser.text(HeaderToken.host), "127.0.0.1:7681", file: file, line: line)
        XCTAssertEqual(parser.text(HeaderToken.upgrade), "websocket", file: file, line: line)
        XCTAssertEqual(parser.text(HeaderToken.connection), "Upgrade", file: file, line: line)
        XCTAssertEqual(parser.text(HeaderToken.key), "dGhlIHNhbXBsZSBub25jZQ==", file: file, line: line)
        XCTAssertEqual(parser.text(HeaderToken.origin), "http://origin", file: file, line: line)
        XCTAssertEqual(parser.text(HeaderToken.extensions), "x-webkit-deflate-frame,deflate-frame", file: file, line: line)
        XCTAssertEqual(parser.text(HeaderToken.version), "13", file: file, line: line)
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

        for split in 1..<bytes.count {
            var parser = HTTPHeadParser(mode: .request)
            XCTAssertEqual(parser.feed(Array(bytes[0..<split])), .needMoreData, "split \(split)")
            XCTAssertEqual(parser.feed(Array(bytes[split...])), .complete(consumed: bytes.count - split), "split \(split)")
            checkLegacyEchoRequest(parser)
        }
    }

    func testLFOnlyHead() {
        var parser = HTTPHeadParser(mode: .request)
        let text = "GET /a HTTP/1.1\nHost: a\nUpgrade: websocket\n\nBODY"
        XCTAssertEqual(parser.feed(text), .complete(consumed: text.utf8.count - 4))
        XCTAssertEqual(parser.text(HeaderToken.getURI), "/a")
        XCTAssertEqual(parser.text(HeaderToken.host), "a")
        XCTAssertEqual(parser.text(HeaderToken.upgrade), "websocket")
    }

    /// In a head whose lines end in LF, "\r\n" after a line is the blank line:
    /// the CR before an LF is ignored, as RFC 7230 section 3.5 says.
    func testLFOnlyHeadEndedByCRLF() {
        var parser = HTTPHeadParser(mode: .request)
        let head = "GET / HTTP/1.1\nHost: a\n\r\n"
        XCTAssertEqual(parser.feed(head + "BODY"), .complete(consumed: head.utf8.count))
        XCTAssertEqual(parser.text(HeaderToken.host), "a")
        var noFields = HTTPHeadParser(mode: .request)
        XCTAssertEqual(noFields.feed("GET / HTTP/1.0\n\r\n"), .complete(consumed: 17))
    }

    func testCRLFHeadEndedByTwoLFs() {
        var parser = HTTPHeadParser(mode: .request)
        let head = "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\n\n"
        XCTAssertEqual(parser.feed(head + "BODY"), .complete(consumed: head.utf8.count))
        XCTAssertEqual(parser.text(HeaderToken.upgrade), "websocket")
    }

    func testMixedLineEnds() {
        var parser = HTTPHeadParser(mode: .request)
        let head = "GET /m HTTP/1.1\r\nHost: a\nUpgrade: websocket\r\nConnection: Upgrade\n\r\nSec-WebSocket-Version: 13\n\r\n\r\n"
        XCTAssertEqual(parser.feed(head + "BODY"), .complete(consumed: head.utf8.count))
        XCTAssertEqual(parser.text(HeaderToken.host), "a")
        XCTAssertEqual(parser.text(HeaderToken.upgrade), "websocket")
        XCTAssertEqual(parser.text(HeaderToken.connection), "Upgrade")
        XCTAssertEqual(parser.text(HeaderToken.version), "13")
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

    func testBareCRAndFoldsAroundAStrayLFAreStillRefused() {
        let cases = [
            ("CR after the stray LF not followed by LF", "GET / HTTP/1.1\r\nHost: a\n\rX-A: b\r\n\r\n"),
            ("CR CR after the stray LF", "GET / HTTP/1.1\r\nHost: a\n\r\r\n\r\n"),
            ("obs-fold after the stray line end", "GET / HTTP/1.1\r\nHost: a\n\r\n b\r\n\r\n"),
            ("obs-fold after a bare LF", "GET / HTTP/1.1\r\nX-A: a\n\tb\r\n\r\n"),
        ]
        for (name, text) in cases {
            var whole = HTTPHeadParser(mode: .request)
            XCTAssertEqual(whole.feed(text), .failed(.malformed), name)
            var byteByByte = HTTPHeadParser(mode: .request)
            XCTAssertEqual(byteByByte.feedByteByByte(Array(text.utf8)).result, .failed(.malformed), name)
        }
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
