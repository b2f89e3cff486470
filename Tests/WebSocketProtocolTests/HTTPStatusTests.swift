import XCTest
@testable import WebSocketProtocol

final class HTTPStatusTests: XCTestCase {
    private func phrase(_ code: Int) -> String {
        HTTPStatus.reasonPhrase(code).withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
    }

    func testEveryABIStatusHasAPhrase() {
        // enum http_status of libwebsockets 1.4.
        let abiCodes = [200, 204] + Array(400...417) + Array(500...505)
        for code in abiCodes + [101, 206, 301, 302, 304, 426, 431] {
            XCTAssertNotEqual(phrase(code), "Unknown", "\(code)")
        }
    }

    func testSelectedPhrases() {
        XCTAssertEqual(phrase(101), "Switching Protocols")
        XCTAssertEqual(phrase(200), "OK")
        XCTAssertEqual(phrase(400), "Bad Request")
        XCTAssertEqual(phrase(403), "Forbidden")
        XCTAssertEqual(phrase(404), "Not Found")
        XCTAssertEqual(phrase(407), "Proxy Authentication Required")
        XCTAssertEqual(phrase(414), "URI Too Long")
        XCTAssertEqual(phrase(426), "Upgrade Required")
        XCTAssertEqual(phrase(431), "Request Header Fields Too Large")
        XCTAssertEqual(phrase(501), "Not Implemented")
        XCTAssertEqual(phrase(505), "HTTP Version Not Supported")
    }

    func testUnknownCodesFallBack() {
        for code in [0, -1, 100, 199, 418, 600, 1000, Int.max, Int.min] {
            XCTAssertEqual(phrase(code), "Unknown", "\(code)")
        }
    }

    func testEveryParserErrorMapsToAStatusWithAPhrase() {
        let errors: [HTTPHeadError] = [.malformed, .uriTooLong, .headersTooLarge, .unsupportedVersion, .methodNotImplemented, .conflictingContentLength]
        XCTAssertEqual(errors.map(\.status), [400, 414, 431, 505, 501, 400])
        for error in errors { XCTAssertNotEqual(phrase(error.status), "Unknown") }
    }
}
