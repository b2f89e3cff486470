import XCTest
import WebSocketProtocol

final class CloseFrameTests: XCTestCase {
    func testEmptyPayloadHasNoCode() {
        XCTAssertEqual(CloseFrame.parse([]), .empty)
    }

    func testOneBytePayloadIsAProtocolError() {
        XCTAssertEqual(CloseFrame.parse([0x03]), .invalid(.protocolError))
    }

    func testCodeWithoutReason() {
        XCTAssertEqual(CloseFrame.parse([0x03, 0xE8]), .code(1000, reasonRange: 2..<2))
        XCTAssertEqual(CloseFrame.parse([0x0F, 0xA0]), .code(4000, reasonRange: 2..<2))
    }

    func testCodeWithReason() {
        let payload: [UInt8] = [0x03, 0xE9] + Array("going away ✓".utf8)
        guard case .code(let code, let range) = CloseFrame.parse(payload) else {
            return XCTFail("expected a code")
        }
        XCTAssertEqual(code, 1001)
        XCTAssertEqual(Array(payload[range]), Array("going away ✓".utf8))
    }

    func testCodesNotValidOnTheWire() {
        for code: UInt16 in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535] {
            XCTAssertEqual(CloseFrame.parse([UInt8(code >> 8), UInt8(code & 0xFF)]), .invalid(.protocolError),
                           "\(code)")
            XCTAssertEqual(CloseFrame.parse([UInt8(code >> 8), UInt8(code & 0xFF), 0x41]), .invalid(.protocolError),
                           "\(code)")
        }
        for code: UInt16 in [1000, 1003, 1007, 1014, 3000, 4999] {
            XCTAssertEqual(CloseFrame.parse([UInt8(code >> 8), UInt8(code & 0xFF)]), .code(code, reasonRange: 2..<2))
        }
    }

    func testInvalidUTF8Reason() {
        let bad: [[UInt8]] = [
            [0xFF],                    // never valid
            [0xC0, 0xAF],              // overlong "/"
            [0xED, 0xA0, 0x80],        // surrogate U+D800
            [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
            [0x41, 0xE2, 0x82],        // truncated at the end of the payload
            [0x80],                    // stray continuation byte
        ]
        for reason in bad {
            XCTAssertEqual(CloseFrame.parse([0x03, 0xE8] + reason), .invalid(.invalidPayload), "\(reason)")
        }
        // A bad code is reported before a bad reason.
        XCTAssertEqual(CloseFrame.parse([0x03, 0xED, 0xFF]), .invalid(.protocolError))
    }

    func testPayloadBuilder() {
        XCTAssertEqual(CloseFrame.payload(code: 1000, reason: []), [0x03, 0xE8])
        XCTAssertEqual(CloseFrame.payload(code: 4001, reason: Array("bye".utf8)), [0x0F, 0xA1, 0x62, 0x79, 0x65])
        let built = CloseFrame.payload(code: 1011, reason: Array("oops".utf8))
        XCTAssertEqual(CloseFrame.parse(built), .code(1011, reasonRange: 2..<6))
    }

    func testLongReasonIsCutToFitAControlFrame() {
        let ascii = [UInt8](repeating: 0x61, count: 200)
        let payload = CloseFrame.payload(code: 1000, reason: ascii)
        XCTAssertEqual(payload.count, 125)
        XCTAssertEqual(Array(payload[2...]), [UInt8](repeating: 0x61, count: CloseFrame.maxReasonLength))

        // 122 ASCII bytes then "€" (E2 82 AC) straddling the 123-byte limit:
        // the whole character is dropped rather than split.
        let straddling = [UInt8](repeating: 0x61, count: 122) + [0xE2, 0x82, 0xAC] + [0x62]
        let cut = CloseFrame.payload(code: 1000, reason: straddling)
        XCTAssertEqual(cut.count, 2 + 122)
        XCTAssertEqual(CloseFrame.parse(cut), .code(1000, reasonRange: 2..<124))

        // A character ending exactly at the limit is kept.
        let fitting = [UInt8](repeating: 0x61, count: 120) + [0xE2, 0x82, 0xAC] + [0x62]
        XCTAssertEqual(CloseFrame.payload(code: 1000, reason: fitting).count, 125)
    }
}
