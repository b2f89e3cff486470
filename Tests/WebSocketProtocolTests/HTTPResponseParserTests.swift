import XCTest
@testable import WebSocketProtocol

/// The client side: parsing the server's handshake response.
final class HTTPResponseParserTests: XCTestCase {
    private let switching = """
        HTTP/1.1 101 Switching Protocols\r
        Upgrade: websocket\r
        Connection: Upgrade\r
        Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
        Sec-WebSocket-Protocol: chat\r
        \r

        """

    private func checkSwitching(_ parser: HTTPHeadParser, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(parser.statusCode, 101, file: file, line: line)
        XCTAssertEqual(parser.text(HeaderToken.http), "101", file: file, line: line)
        XCTAssertEqual(parser.version.major, 1, file: file, line: line)
        XCTAssertEqual(parser.version.minor, 1, file: file, line: line)
        XCTAssertNil(parser.method, file: file, line: line)
        XCTAssertEqual(parser.text(HeaderToken.upgrade), "websocket", file: file, line: line)
        XCTAssertEqual(parser.text(HeaderToken.connection), "Upgrade", file: file, line: line)
        XCTAssertEqual(parser.text(HeaderToken.accept), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", file: file, line: line)
        XCTAssertEqual(parser.text(HeaderToken.webSocketProtocol), "chat", file: file, line: line)
    }

    func testSwitchingProtocolsWholeWithFrameBytesFollowing() {
        var parser = HTTPHeadParser(mode: .response)
        let head = Array(switching.utf8)
        XCTAssertEqual(parser.feed(head + [0x81, 0x02, 0x68, 0x69]), .complete(consumed: head.count))
        checkSwitching(parser)
    }

    func testSwitchingProtocolsByteByByte() {
        var parser = HTTPHeadParser(mode: .response)
        let head = Array(switching.utf8)
        let (result, at) = parser.feedByteByByte(head)
        XCTAssertEqual(result, .complete(consumed: 1))
        XCTAssertEqual(at, head.count - 1)
        checkSwitching(parser)
    }

    func testOtherStatusLines() {
        let cases: [(String, Int)] = [
            ("HTTP/1.1 404 Not Found\r\n\r\n", 404),
            ("HTTP/1.0 200 OK\r\n\r\n", 200),
            ("HTTP/1.1 101\r\n\r\n", 101),
            ("HTTP/1.1 101 \r\n\r\n", 101),
            ("HTTP/1.1 500 Internal\tError \u{e9}\n\n", 500),
            ("HTTP/1.1 999 Whatever\r\n\r\n", 999),
        ]
        for (head, status) in cases {
            var parser = HTTPHeadParser(mode: .response)
            XCTAssertEqual(parser.feed(head), .complete(consumed: head.utf8.count), head)
            XCTAssertEqual(parser.statusCode, status, head)
            XCTAssertEqual(parser.text(HeaderToken.http), String(status), head)
        }
    }

    func testMalformedStatusLines() {
        let malformed = [
            "HTTP/1.1 10 Switching\r\n\r\n", "HTTP/1.1 1010 X\r\n\r\n", "HTTP/1.1 10x X\r\n\r\n", "HTTP/1.1  101 X\r\n\r\n",
            "HTTP/1.1\r\n\r\n", "HTTP/2 101 X\r\n\r\n", "http/1.1 101 X\r\n\r\n", "HTTP/1.1 101 Bad\u{1}Reason\r\n\r\n",
            "HTTP/1.1 101 X\rY\r\n\r\n", "GET / HTTP/1.1\r\n\r\n",
        ]
        for head in malformed {
            var parser = HTTPHeadParser(mode: .response)
            XCTAssertEqual(parser.feed(head), .failed(.malformed), head)
        }
        var version = HTTPHeadParser(mode: .response)
        XCTAssertEqual(version.feed("HTTP/2.0 101 X\r\n\r\n"), .failed(.unsupportedVersion))
    }

    func testResponseFramingHeaders() {
        var parser = HTTPHeadParser(mode: .response)
        XCTAssertEqual(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 12\r\nSet-Cookie: a\r\nSet-Cookie: b\r\n\r\n"), .complete(consumed: 69))
        XCTAssertEqual(parser.contentLength, 12)
        XCTAssertEqual(parser.text(HeaderToken.setCookie), "a, b")

        // A response may use a coding other than chunked: it is read until close.
        var gzip = HTTPHeadParser(mode: .response)
        let gzipHead = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"
        XCTAssertEqual(gzip.feed(gzipHead), .complete(consumed: gzipHead.utf8.count))
        XCTAssertFalse(gzip.isChunked)
        var chunked = HTTPHeadParser(mode: .response)
        let chunkedHead = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        XCTAssertEqual(chunked.feed(chunkedHead), .complete(consumed: chunkedHead.utf8.count))
        XCTAssertTrue(chunked.isChunked)
        var conflicting = HTTPHeadParser(mode: .response)
        XCTAssertEqual(conflicting.feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"), .failed(.conflictingContentLength))
    }

    func testResetForAnotherResponse() {
        var parser = HTTPHeadParser(mode: .response)
        let notFound = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        XCTAssertEqual(parser.feed(notFound), .complete(consumed: notFound.utf8.count))
        parser.reset()
        XCTAssertEqual(parser.feed(switching), .complete(consumed: switching.utf8.count))
        checkSwitching(parser)
        XCTAssertNil(parser.contentLength)
    }
}
