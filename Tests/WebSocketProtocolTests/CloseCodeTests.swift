import XCTest
import WebSocketProtocol

final class CloseCodeTests: XCTestCase {
    func testNamedCodesMatchLwsCloseStatus() {
        XCTAssertEqual(CloseCode.normal.rawValue, 1000)
        XCTAssertEqual(CloseCode.goingAway.rawValue, 1001)
        XCTAssertEqual(CloseCode.protocolError.rawValue, 1002)
        XCTAssertEqual(CloseCode.unacceptableOpcode.rawValue, 1003)
        XCTAssertEqual(CloseCode.reserved.rawValue, 1004)
        XCTAssertEqual(CloseCode.noStatus.rawValue, 1005)
        XCTAssertEqual(CloseCode.abnormalClose.rawValue, 1006)
        XCTAssertEqual(CloseCode.invalidPayload.rawValue, 1007)
        XCTAssertEqual(CloseCode.policyViolation.rawValue, 1008)
        XCTAssertEqual(CloseCode.messageTooLarge.rawValue, 1009)
        XCTAssertEqual(CloseCode.extensionRequired.rawValue, 1010)
        XCTAssertEqual(CloseCode.unexpectedCondition.rawValue, 1011)
        XCTAssertEqual(CloseCode.tlsFailure.rawValue, 1015)
        XCTAssertEqual(CloseCode(rawValue: 4321).rawValue, 4321)
    }

    func testValidityOnTheWireBoundaries() {
        let valid: [UInt16] = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
                               3000, 3999, 4000, 4999]
        let invalid: [UInt16] = [0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999,
                                 5000, 5001, 9999, 65535]
        for code in valid {
            XCTAssertTrue(CloseCode.isValidOnWire(code), "\(code)")
        }
        for code in invalid {
            XCTAssertFalse(CloseCode.isValidOnWire(code), "\(code)")
        }
    }

    func testExactlyTheRegisteredAndApplicationCodesAreValid() {
        // 4 (1000...1003) + 8 (1007...1014) + 2000 (3000...4999).
        let validCount = (UInt16.min...UInt16.max).lazy.filter { CloseCode.isValidOnWire($0) }.count
        XCTAssertEqual(validCount, 2012)
        XCTAssertEqual((3000...4999).lazy.filter { CloseCode.isValidOnWire($0) }.count, 2000)
        XCTAssertEqual((0...999).lazy.filter { CloseCode.isValidOnWire($0) }.count, 0)
        XCTAssertEqual((1016...2999).lazy.filter { CloseCode.isValidOnWire($0) }.count, 0)
        XCTAssertEqual((5000...UInt16.max).lazy.filter { CloseCode.isValidOnWire($0) }.count, 0)
    }

    func testLocalOnlyNamedCodesAreNotValidOnTheWire() {
        for code in [CloseCode.reserved, .noStatus, .abnormalClose, .tlsFailure] {
            XCTAssertFalse(CloseCode.isValidOnWire(code.rawValue), "\(code.rawValue)")
        }
        for code in [CloseCode.normal, .goingAway, .protocolError, .unacceptableOpcode, .invalidPayload,
                     .policyViolation, .messageTooLarge, .extensionRequired, .unexpectedCondition] {
            XCTAssertTrue(CloseCode.isValidOnWire(code.rawValue), "\(code.rawValue)")
        }
    }
}
