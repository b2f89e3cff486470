import XCTest
@testable import WebSocketProtocol

/// The request-target as the application sees it: decoded, canonical, and flagged
/// when it tries to leave the root.
final class HTTPRequestTargetTests: XCTestCase {
    private func parsed(_ target: [UInt8], method: String = "GET") -> HTTPHeadParser? {
        var parser = HTTPHeadParser(mode: .request)
        let head = Array("\(method) ".utf8) + target + Array(" HTTP/1.1\r\nHost: h\r\n\r\n".utf8)
        guard case .complete = parser.feed(head) else { return nil }
        return parser
    }

    private func parsed(_ target: String, method: String = "GET") -> HTTPHeadParser? {
        parsed(Array(target.utf8), method: method)
    }

    func testPercentDecodingAndDotSegments() {
        let cases: [(String, String, Bool)] = [
            ("/", "/", false),
            ("/index.html", "/index.html", false),
            ("/a%20b", "/a b", false),
            ("/%41%42%4a%4A", "/ABJJ", false),
            ("/caf%C3%A9", "/caf\u{e9}", false),
            ("/a%2fb", "/a/b", false),
            ("/a/./b", "/a/b", false),
            ("/a/../b", "/b", false),
            ("/a/b/../../c", "/c", false),
            ("/a/b/..", "/a/", false),
            ("/a/b/../", "/a/", false),
            ("/a/.", "/a/", false),
            ("/a/..", "/", false),
            ("/.", "/", false),
            ("//a//b//", "/a/b/", false),
            ("///", "/", false),
            ("/...", "/...", false),
            ("/.a/..b/a.", "/.a/..b/a.", false),
            ("/a/%2e/b", "/a/b", false),
            ("/a/%2E%2e/b", "/b", false),
            ("/a/b/%2e%2e%2f%2e%2e%2fc", "/c", false),
            ("/..", "/", true),
            ("/../", "/", true),
            ("/../a", "/a", true),
            ("/a/../../b", "/b", true),
            ("/%2e%2e/etc/passwd", "/etc/passwd", true),
            ("/a/..%2f..%2fetc", "/etc", true),
            ("//../x", "/x", true),
        ]
        for (target, path, escapes) in cases {
            guard let parser = parsed(target) else {
                XCTFail("\(target) was refused")
                continue
            }
            XCTAssertEqual(parser.text(HeaderToken.getURI), path, target)
            XCTAssertEqual(parser.pathEscapesRoot, escapes, target)
            XCTAssertFalse(parser.headers.isPresent(HeaderToken.uriArgs), target)
        }
    }

    func testInvalidTargetsAreMalformed() {
        let invalid = [
            "/a%00b", "/%00", "/a%zz", "/a%4", "/a%", "/a%%41", "/a%g0", "/a#frag", "/a?x#frag",
            "chat", "a/b", "?x", "*", "http:/x", "ftp://h/x", "%2Fa",
        ]
        for target in invalid {
            var parser = HTTPHeadParser(mode: .request)
            XCTAssertEqual(parser.feed("GET \(target) HTTP/1.1\r\n\r\n"), .failed(.malformed), target)
        }
        for bad: UInt8 in [0x01, 0x09, 0x7F, 0x0B] {
            var parser = HTTPHeadParser(mode: .request)
            XCTAssertEqual(parser.feed(Array("GET /a".utf8) + [bad] + Array("b HTTP/1.1\r\n\r\n".utf8)), .failed(.malformed), "byte \(bad)")
        }
    }

    func testQueryStringIsKeptRawUnderURIArgs() {
        let cases: [(String, String, String)] = [
            ("/p?x=1&y=%20", "/p", "x=1&y=%20"),
            ("/p?", "/p", ""),
            ("/p?a?b", "/p", "a?b"),
            ("/a/../p?q=/../x", "/p", "q=/../x"),
            ("/%70?%00", "/p", "%00"),
            ("/?k=v+w", "/", "k=v+w"),
        ]
        for (target, path, query) in cases {
            guard let parser = parsed(target) else {
                XCTFail("\(target) was refused")
                continue
            }
            XCTAssertEqual(parser.text(HeaderToken.getURI), path, target)
            XCTAssertEqual(parser.text(HeaderToken.uriArgs), query, target)
            XCTAssertTrue(parser.headers.isPresent(HeaderToken.uriArgs), target)
        }
    }

    func testAbsoluteFormKeepsThePath() {
        let cases: [(String, String, String?)] = [
            ("http://example.com/a/b?x=1", "/a/b", "x=1"),
            ("HTTPS://example.com:8443/a/./c", "/a/c", nil),
            ("http://example.com", "/", nil),
            ("http://example.com?q", "/", "q"),
            ("http://user@example.com/%41", "/A", nil),
        ]
        for (target, path, query) in cases {
            guard let parser = parsed(target) else {
                XCTFail("\(target) was refused")
                continue
            }
            XCTAssertEqual(parser.text(HeaderToken.getURI), path, target)
            XCTAssertEqual(parser.text(HeaderToken.uriArgs), query, target)
        }
    }

    func testAsteriskOnlyForOptions() {
        XCTAssertEqual(parsed("*", method: "OPTIONS")?.text(HeaderToken.optionsURI), "*")
        XCTAssertNil(parsed("*", method: "GET"))
        XCTAssertNil(parsed("*x", method: "OPTIONS"))
    }

    func testRawNonASCIIBytesAreTolerated() {
        let parser = parsed([UInt8(ascii: "/")] + Array("caf\u{e9}".utf8))
        XCTAssertEqual(parser?.text(HeaderToken.getURI), "/caf\u{e9}")
    }

    func testDecodingWorksWhenTheTargetArrivesByteByByte() {
        var parser = HTTPHeadParser(mode: .request)
        let head = Array("GET /a/%2e%2e/../b%20c?x=%41 HTTP/1.1\r\n\r\n".utf8)
        XCTAssertEqual(parser.feedByteByByte(head).result, .complete(consumed: 1))
        XCTAssertEqual(parser.text(HeaderToken.getURI), "/b c")
        XCTAssertEqual(parser.text(HeaderToken.uriArgs), "x=%41")
        XCTAssertTrue(parser.pathEscapesRoot)
    }
}
