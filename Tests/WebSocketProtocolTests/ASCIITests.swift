import XCTest
import WebSocketProtocol

/// The ASCII helpers every module shares: each checked against a reference
/// spelt out here, for every byte value.
final class ASCIITests: XCTestCase {
    func testTokenCharactersAreExactlyRFC7230Tchar() {
        let symbols = Array("!#$%&'*+-.^_`|~".utf8)
        for value in 0...255 {
            let byte = UInt8(value)
            let isLetter = (65...90).contains(value) || (97...122).contains(value)
            let isDigit = (48...57).contains(value)
            XCTAssertEqual(byte.isTokenCharacter, isLetter || isDigit || symbols.contains(byte), "byte \(value)")
        }
    }

    func testWhitespaceIsSpaceAndTabOnly() {
        for value in 0...255 {
            XCTAssertEqual(UInt8(value).isWhitespace, value == 32 || value == 9, "byte \(value)")
        }
    }

    func testLowercasingTouchesOnlyASCIICapitals() {
        for value in 0...255 {
            let expected = (65...90).contains(value) ? value + 32 : value
            XCTAssertEqual(Int(UInt8(value).asciiLowercased), expected, "byte \(value)")
        }
    }

    /// Lengths around the eight-byte steps, a difference at every position,
    /// and the bytes next to the letters ('@' '[' '`' '{'), which differ from
    /// letters only in the case bit and must not be folded.
    func testMatchingIgnoringCaseAtEveryPositionAndLength() {
        let literal: StaticString = "sec-websocket-extensions"
        let name = Array("Sec-WebSocket-Extensions".utf8)
        XCTAssertTrue(name.matchesIgnoringCase(literal))
        XCTAssertTrue(Array("SEC-WEBSOCKET-EXTENSIONS".utf8).matchesIgnoringCase(literal))
        XCTAssertTrue(ArraySlice(name).matchesIgnoringCase(literal))
        XCTAssertFalse(Array(name.dropLast()).matchesIgnoringCase(literal))
        XCTAssertFalse(Array(name + [0x73]).matchesIgnoringCase(literal))
        for position in name.indices {
            var changed = name
            changed[position] ^= 0x01
            XCTAssertFalse(changed.matchesIgnoringCase(literal), "difference at \(position)")
        }
        // Eight bytes take the word-wise path, fewer the byte-wise one.
        XCTAssertFalse(Array("@@@@@@@@".utf8).matchesIgnoringCase("````````"))
        XCTAssertFalse(Array("[[[[[[[[".utf8).matchesIgnoringCase("{{{{{{{{"))
        XCTAssertFalse(Array("@".utf8).matchesIgnoringCase("`"))
        XCTAssertFalse(Array("[".utf8).matchesIgnoringCase("{"))
        XCTAssertTrue(Array("@[`{@[`{@".utf8).matchesIgnoringCase("@[`{@[`{@"))
        XCTAssertTrue(Array("AZAZAZAZA".utf8).matchesIgnoringCase("azazazaza"))
        XCTAssertTrue(Array("UPGRADE".utf8).matchesIgnoringCase("upgrade"))
        XCTAssertTrue([UInt8]().matchesIgnoringCase(""))
        XCTAssertFalse([UInt8]().matchesIgnoringCase("a"))
        // A slice that does not start at index 0 compares its own bytes.
        let padded = Array("xxChunked".utf8)
        XCTAssertTrue(padded[2...].matchesIgnoringCase("chunked"))
    }
}
