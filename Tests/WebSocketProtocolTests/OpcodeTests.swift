import XCTest
import WebSocketProtocol

final class OpcodeTests: XCTestCase {
    func testNamedOpcodesHaveRFC6455Values() {
        XCTAssertEqual(Opcode.continuation.rawValue, 0x0)
        XCTAssertEqual(Opcode.text.rawValue, 0x1)
        XCTAssertEqual(Opcode.binary.rawValue, 0x2)
        XCTAssertEqual(Opcode.close.rawValue, 0x8)
        XCTAssertEqual(Opcode.ping.rawValue, 0x9)
        XCTAssertEqual(Opcode.pong.rawValue, 0xA)
    }

    func testControlIsBit3() {
        for raw: UInt8 in 0...15 {
            XCTAssertEqual(Opcode(rawValue: raw).isControl, raw >= 8, "opcode \(raw)")
        }
        XCTAssertFalse(Opcode.text.isControl)
        XCTAssertFalse(Opcode.continuation.isControl)
        XCTAssertTrue(Opcode.close.isControl)
        XCTAssertTrue(Opcode.ping.isControl)
        XCTAssertTrue(Opcode.pong.isControl)
    }

    func testReservedOpcodes() {
        let defined: Set<UInt8> = [0, 1, 2, 8, 9, 10]
        for raw: UInt8 in 0...15 {
            XCTAssertEqual(Opcode(rawValue: raw).isReserved, !defined.contains(raw), "opcode \(raw)")
        }
    }

    func testInitKeepsOnlyTheOpcodeNibble() {
        XCTAssertEqual(Opcode(rawValue: 0x81), .text)
        XCTAssertEqual(Opcode(rawValue: 0xF8), .close)
        XCTAssertEqual(Opcode(rawValue: 0x1F).rawValue, 0xF)
    }

    func testRawRepresentableRoundTrip() {
        for raw: UInt8 in 0...15 {
            XCTAssertEqual(Opcode(rawValue: raw).rawValue, raw)
        }
        XCTAssertNotEqual(Opcode.ping, Opcode.pong)
    }
}
