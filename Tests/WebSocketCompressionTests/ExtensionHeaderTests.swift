import XCTest
import WebSocketCompression

final class ExtensionHeaderTests: XCTestCase {
    private func parse(_ text: String) -> [ExtensionOffer]? {
        ExtensionHeader.parse(Array(text.utf8))
    }

    private func offer(_ name: String, _ parameters: [(String, String?)] = []) -> ExtensionOffer {
        ExtensionOffer(name: Array(name.utf8), parameters: parameters.map { (name: Array($0.0.utf8), value: $0.1.map { Array($0.utf8) }) })
    }

    func testSingleExtensionWithoutParameters() {
        XCTAssertEqual(parse("permessage-deflate"), [offer("permessage-deflate")])
    }

    func testParametersWithAndWithoutValues() {
        XCTAssertEqual(parse("permessage-deflate; client_max_window_bits; server_max_window_bits=10"),
                       [offer("permessage-deflate", [("client_max_window_bits", nil), ("server_max_window_bits", "10")])])
    }

    /// RFC 7692 section 5.2's fallback example: two offers of one extension.
    func testSeveralExtensionsInOrder() {
        XCTAssertEqual(parse("permessage-deflate; client_max_window_bits=10, permessage-deflate, x-webkit-deflate-frame"),
                       [offer("permessage-deflate", [("client_max_window_bits", "10")]),
                        offer("permessage-deflate"), offer("x-webkit-deflate-frame")])
    }

    func testBlanksAroundEverySeparator() {
        XCTAssertEqual(parse(" \tfoo ;a = 1\t;  b ,\tbar\t "),
                       [offer("foo", [("a", "1"), ("b", nil)]), offer("bar")])
    }

    /// RFC 6455 section 9.1: a quoted value is unquoted, escapes included,
    /// and must then be a token.
    func testQuotedValuesAreUnquoted() {
        XCTAssertEqual(parse("permessage-deflate; client_max_window_bits=\"10\""),
                       [offer("permessage-deflate", [("client_max_window_bits", "10")])])
        XCTAssertEqual(parse("x; a=\"1\\0\""), [offer("x", [("a", "10")])])
    }

    func testEmptyElementsAreSkipped() {
        XCTAssertEqual(parse(""), [])
        XCTAssertEqual(parse("  "), [])
        XCTAssertEqual(parse(", a,, b ,"), [offer("a"), offer("b")])
    }

    func testSyntaxErrorsRejectTheWholeValue() {
        let invalid = [
            "permessage-deflate;",  // parameter missing
            "a; ; b",
            "a b",  // two tokens
            ";a",
            "\"a\"",  // quoted extension name
            "a; b=",  // value missing
            "a; b=\"1 0\"",  // quoted value that is no token
            "a; b=\"\"",
            "a; b=\"10",  // unterminated
            "a; b=\"1\u{7}\"",  // control byte
            "a; b=1=2",
            "a; b=@",  // separator as value
            "a/b",
            "a; b, c; d=\"x,y\"",
            "caf\u{e9}",
        ]
        for text in invalid {
            XCTAssertNil(parse(text), text)
        }
    }

    func testHeaderValueRoundTrips() {
        let offers = [offer("permessage-deflate", [("client_max_window_bits", nil), ("server_max_window_bits", "10")]),
                      offer("x-webkit-deflate-frame")]
        let value = ExtensionHeader.value(of: offers)
        XCTAssertEqual(String(decoding: value, as: UTF8.self),
                       "permessage-deflate; client_max_window_bits; server_max_window_bits=10, x-webkit-deflate-frame")
        XCTAssertEqual(ExtensionHeader.parse(value), offers)
    }

    /// A value that is no token is quoted, escapes and all, so it parses
    /// back unchanged where it can be a value at all.
    func testNonTokenValueIsQuoted() {
        let odd = ExtensionOffer(name: Array("x".utf8), parameters: [(name: Array("a".utf8), value: Array("1\"\\".utf8))])
        XCTAssertEqual(String(decoding: odd.headerValue, as: UTF8.self), "x; a=\"1\\\"\\\\\"")
    }

    func testParseFromRawBuffer() {
        let bytes = Array("deflate-stream".utf8)
        let offers = bytes.withUnsafeBytes { ExtensionHeader.parse($0) }
        XCTAssertEqual(offers, [offer("deflate-stream")])
    }
}
