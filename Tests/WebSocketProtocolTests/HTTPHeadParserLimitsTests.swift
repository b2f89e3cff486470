import XCTest
@testable import WebSocketProtocol

final class HTTPHeadParserLimitsTests: XCTestCase {
    private func limits(_ entries: [(Int, UInt16)]) -> TokenLimits {
        var limits = TokenLimits()
        for (token, limit) in entries { limits.limits[token] = limit }
        return limits
    }

    /// Parses `text` whole and byte by byte with the same configuration and checks
    /// both give `expected` (byte by byte, a completion consumes 1).
    private func check(_ text: String, _ expected: HTTPHeadParseResult, mode: HTTPHeadParser.Mode = .request,
                       limits: TokenLimits = .init(), maxHeadBytes: Int = 8192, maxHeaderCount: Int = 64,
                       file: StaticString = #filePath, line: UInt = #line) {
        var whole = HTTPHeadParser(mode: mode, limits: limits, maxHeadBytes: maxHeadBytes, maxHeaderCount: maxHeaderCount)
        XCTAssertEqual(whole.feed(text), expected, "whole", file: file, line: line)
        var byteByByte = HTTPHeadParser(mode: mode, limits: limits, maxHeadBytes: maxHeadBytes, maxHeaderCount: maxHeaderCount)
        let expectedByteByByte: HTTPHeadParseResult
        if case .complete = expected { expectedByteByByte = .complete(consumed: 1) } else { expectedByteByByte = expected }
        XCTAssertEqual(byteByByte.feedByteByByte(Array(text.utf8)).result, expectedByteByByte, "byte by byte", file: file, line: line)
    }

    func testStatusesOfLimitErrors() {
        XCTAssertEqual(HTTPHeadError.uriTooLong.status, 414)
        XCTAssertEqual(HTTPHeadError.headersTooLarge.status, 431)
    }

    func testDefaultTokenLimits() {
        let defaults = TokenLimits()
        XCTAssertEqual(defaults.limits.count, HeaderToken.count)
        XCTAssertTrue(defaults.limits.allSatisfy { $0 == 4096 })
        XCTAssertEqual(TokenLimits.defaultLimit, 4096)
        XCTAssertEqual(defaults.limit(for: HeaderToken.host), 4096)
        XCTAssertEqual(defaults.limit(for: -1), 0)
        XCTAssertEqual(defaults.limit(for: HeaderToken.count), 0)

        let short = TokenLimits(limits: [1, 2])
        XCTAssertEqual(short.limits.count, HeaderToken.count)
        XCTAssertEqual(Array(short.limits.prefix(3)), [1, 2, 4096])
        let long = TokenLimits(limits: [UInt16](repeating: 7, count: 100))
        XCTAssertEqual(long.limits, [UInt16](repeating: 7, count: HeaderToken.count))
    }

    func testDefaultPerTokenLimitBoundary() {
        let atLimit = "GET / HTTP/1.1\r\nCookie: " + String(repeating: "c", count: 4096) + "\r\n\r\n"
        check(atLimit, .complete(consumed: atLimit.utf8.count), maxHeadBytes: 16384)
        let overLimit = "GET / HTTP/1.1\r\nCookie: " + String(repeating: "c", count: 4097) + "\r\n\r\n"
        check(overLimit, .failed(.headersTooLarge), maxHeadBytes: 16384)
    }

    func testHeadSizeExactlyAtAndOverMaxHeadBytes() {
        let head = "GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: test\r\n\r\n"
        let size = head.utf8.count
        check(head, .complete(consumed: size), maxHeadBytes: size)
        check(head, .failed(.headersTooLarge), maxHeadBytes: size - 1)
        // Body or frame bytes after the head do not count against the head budget.
        var parser = HTTPHeadParser(mode: .request, maxHeadBytes: size)
        XCTAssertEqual(parser.feed(head + String(repeating: "x", count: 500)), .complete(consumed: size))
        // Split across calls, the budget is cumulative.
        var split = HTTPHeadParser(mode: .request, maxHeadBytes: size - 1)
        XCTAssertEqual(split.feed(String(head.prefix(20))), .needMoreData)
        XCTAssertEqual(split.feed(String(head.dropFirst(20))), .failed(.headersTooLarge))
    }

    func testRequestLineOverMaxHeadBytesIsURITooLong() {
        let head = "GET /" + String(repeating: "a", count: 200) + " HTTP/1.1\r\nHost: h\r\n\r\n"
        check(head, .failed(.uriTooLong), maxHeadBytes: 100)
        // Still in the request line while reading the version.
        let versionCut = "GET /abc HTTP/1.1\r\nHost: h\r\n\r\n"
        check(versionCut, .failed(.uriTooLong), maxHeadBytes: 12)
        // One byte into the fields it becomes a header problem.
        check(versionCut, .failed(.headersTooLarge), maxHeadBytes: 20)
    }

    func testURITokenLimitExactlyAtAndOver() {
        let tight = limits([(HeaderToken.getURI, 10)])
        check("GET /123456789 HTTP/1.1\r\n\r\n", .complete(consumed: 27), limits: tight)
        check("GET /1234567890 HTTP/1.1\r\n\r\n", .failed(.uriTooLong), limits: tight)
        // The limit is on the target as received, query included.
        check("GET /a?1234567 HTTP/1.1\r\n\r\n", .complete(consumed: 27), limits: tight)
        check("GET /a?12345678 HTTP/1.1\r\n\r\n", .failed(.uriTooLong), limits: tight)
        // Each method has its own URI token limit.
        check("POST /1234567890 HTTP/1.1\r\n\r\n", .complete(consumed: 29), limits: tight)
        check("POST /1234567890 HTTP/1.1\r\n\r\n", .failed(.uriTooLong), limits: limits([(HeaderToken.postURI, 10)]))
    }

    func testQueryLimitExactlyAtAndOver() {
        let tight = limits([(HeaderToken.uriArgs, 3)])
        check("GET /p?abc HTTP/1.1\r\n\r\n", .complete(consumed: 23), limits: tight)
        check("GET /p?abcd HTTP/1.1\r\n\r\n", .failed(.uriTooLong), limits: tight)
    }

    func testHeaderValueLimitExactlyAtAndOver() {
        let tight = limits([(HeaderToken.host, 5), (HeaderToken.cookie, 8), (HeaderToken.origin, 0)])
        check("GET / HTTP/1.1\r\nHost: abcde\r\n\r\n", .complete(consumed: 31), limits: tight)
        check("GET / HTTP/1.1\r\nHost: abcdef\r\n\r\n", .failed(.headersTooLarge), limits: tight)
        // Trimmed whitespace does not count.
        check("GET / HTTP/1.1\r\nHost:   abcde  \t \r\n\r\n", .complete(consumed: 37), limits: tight)
        // The limit applies to the joined value of repeated fields.
        check("GET / HTTP/1.1\r\nCookie: aaa\r\nCookie: bbb\r\n\r\n", .complete(consumed: 44), limits: tight)
        check("GET / HTTP/1.1\r\nCookie: aaa\r\nCookie: bbbb\r\n\r\n", .failed(.headersTooLarge), limits: tight)
        // A zero limit admits only an empty value.
        check("GET / HTTP/1.1\r\nOrigin:\r\n\r\n", .complete(consumed: 27), limits: tight)
        check("GET / HTTP/1.1\r\nOrigin: x\r\n\r\n", .failed(.headersTooLarge), limits: tight)
        // Unknown fields have no token limit; the head limit still applies.
        check("GET / HTTP/1.1\r\nX-Long: " + String(repeating: "v", count: 5000) + "\r\n\r\n", .complete(consumed: 5028), limits: tight)
    }

    func testHeaderCountExactlyAtAndOver() {
        let three = "GET / HTTP/1.1\r\nHost: h\r\nX-Unknown: 1\r\nX-Unknown: 2\r\n\r\n"
        check(three, .complete(consumed: three.utf8.count), maxHeaderCount: 3)
        check(three, .failed(.headersTooLarge), maxHeaderCount: 2)
        let manyUnknown = "GET / HTTP/1.1\r\n" + String(repeating: "X-A: b\r\n", count: 65) + "\r\n"
        check(manyUnknown, .failed(.headersTooLarge))
        let sixtyFour = "GET / HTTP/1.1\r\n" + String(repeating: "X-A: b\r\n", count: 64) + "\r\n"
        check(sixtyFour, .complete(consumed: sixtyFour.utf8.count))
    }

    func testResponseStatusLineOverMaxHeadBytesIsHeadersTooLarge() {
        let head = "HTTP/1.1 101 " + String(repeating: "Switching ", count: 20) + "\r\n\r\n"
        check(head, .failed(.headersTooLarge), mode: .response, maxHeadBytes: 64)
        check(head, .complete(consumed: head.utf8.count), mode: .response, maxHeadBytes: head.utf8.count)
    }

    func testZeroBudgetFailsImmediately() {
        var parser = HTTPHeadParser(mode: .request, maxHeadBytes: 0)
        XCTAssertEqual(parser.feed("G"), .failed(.uriTooLong))
        var empty = HTTPHeadParser(mode: .request, maxHeadBytes: 0)
        XCTAssertEqual(empty.feed(""), .needMoreData)
    }
}
