import XCTest
@testable import WebSocketProtocol

final class HTTPHeaderTableTests: XCTestCase {
    private func text(_ table: HTTPHeaderTable, _ token: Int) -> String? {
        table.value(of: token).map { String(decoding: $0, as: UTF8.self) }
    }

    func testEmptyTable() {
        let table = HTTPHeaderTable()
        for token in -2..<(HeaderToken.count + 2) {
            XCTAssertFalse(table.isPresent(token))
            XCTAssertEqual(table.length(of: token), 0)
            XCTAssertNil(table.value(of: token))
            XCTAssertNil(table.withValue(of: token) { $0.count })
        }
        XCTAssertFalse(table.isPresent(Int.max))
        XCTAssertFalse(table.isPresent(Int.min))
    }

    func testSetReplaceAndClientTokens() {
        var table = HTTPHeaderTable()
        table.set(HeaderToken.clientURI, Array("/chat".utf8))
        table.set(HeaderToken.clientHost, Array("example.com:80".utf8)[...])
        Array("chat,superchat".utf8).withUnsafeBytes { table.set(HeaderToken.clientSentProtocols, $0) }
        table.set(HeaderToken.clientOrigin, [])
        XCTAssertEqual(text(table, HeaderToken.clientURI), "/chat")
        XCTAssertEqual(text(table, HeaderToken.clientHost), "example.com:80")
        XCTAssertEqual(text(table, HeaderToken.clientSentProtocols), "chat,superchat")
        XCTAssertEqual(table.length(of: HeaderToken.clientSentProtocols), 14)
        XCTAssertTrue(table.isPresent(HeaderToken.clientOrigin))
        XCTAssertEqual(table.length(of: HeaderToken.clientOrigin), 0)
        XCTAssertEqual(text(table, HeaderToken.clientOrigin), "")
        XCTAssertFalse(table.isPresent(HeaderToken.clientPeerAddress))

        table.set(HeaderToken.clientURI, Array("/other".utf8))
        XCTAssertEqual(text(table, HeaderToken.clientURI), "/other")
        XCTAssertEqual(text(table, HeaderToken.clientHost), "example.com:80", "other values unaffected")

        table.set(-1, [1, 2, 3])
        table.set(HeaderToken.count, [1, 2, 3])
        XCTAssertEqual(table.withValue(of: HeaderToken.clientURI) { Array($0) }, Array("/other".utf8))
    }

    func testCopyValueFollowsLwsHdrCopy() {
        var table = HTTPHeaderTable()
        table.set(HeaderToken.host, Array("abc".utf8))
        var out = [UInt8](repeating: 0xEE, count: 4)
        XCTAssertEqual(out.withUnsafeMutableBytes { table.copyValue(of: HeaderToken.host, into: $0) }, 3)
        XCTAssertEqual(out, Array("abc".utf8) + [0])
        var small = [UInt8](repeating: 0xEE, count: 3)
        XCTAssertEqual(small.withUnsafeMutableBytes { table.copyValue(of: HeaderToken.host, into: $0) }, -1)
        XCTAssertEqual(small, [0xEE, 0xEE, 0xEE])
        var absent = [UInt8](repeating: 0xEE, count: 2)
        XCTAssertEqual(absent.withUnsafeMutableBytes { table.copyValue(of: HeaderToken.origin, into: $0) }, 0)
        XCTAssertEqual(absent, [0, 0xEE])
        var none: [UInt8] = []
        XCTAssertEqual(none.withUnsafeMutableBytes { table.copyValue(of: HeaderToken.origin, into: $0) }, -1)
        XCTAssertEqual(out.withUnsafeMutableBytes { table.copyValue(of: 1000, into: $0) }, 0)
    }

    func testResetForgetsEverything() {
        var table = HTTPHeaderTable()
        for token in 0..<HeaderToken.count { table.set(token, [UInt8(token)]) }
        XCTAssertEqual(table.value(of: 42).map(Array.init), [42])
        table.reset()
        for token in 0..<HeaderToken.count { XCTAssertFalse(table.isPresent(token)) }
        table.set(HeaderToken.host, Array("h".utf8))
        XCTAssertEqual(text(table, HeaderToken.host), "h")
    }

    /// The parser's incremental interface: joins, relocation of an earlier value,
    /// and trimming.
    func testIncrementalJoining() {
        var table = HTTPHeaderTable()
        func field(_ token: Int, _ pieces: [String]) {
            table.beginValue(token)
            for piece in pieces { Array(piece.utf8).withUnsafeBytes { table.appendToValue($0) } }
            _ = table.endValue()
        }
        field(HeaderToken.cookie, ["a", "=1 "])
        field(HeaderToken.origin, ["o"])
        field(HeaderToken.cookie, ["b=2", "\t "])
        XCTAssertEqual(text(table, HeaderToken.cookie), "a=1, b=2")
        XCTAssertEqual(text(table, HeaderToken.origin), "o")
        field(HeaderToken.cookie, ["  "])
        XCTAssertEqual(text(table, HeaderToken.cookie), "a=1, b=2")
        field(HeaderToken.cookie, ["c"])
        XCTAssertEqual(text(table, HeaderToken.cookie), "a=1, b=2, c")
        XCTAssertEqual(text(table, HeaderToken.origin), "o")
        table.beginValue(HeaderToken.date)
        XCTAssertEqual(table.endValue(), 0)
        XCTAssertTrue(table.isPresent(HeaderToken.date))
    }
}
