import XCTest
@testable import LibWebSockets

final class SupportTests: XCTestCase {
    func testLogLineInterpolatesIntegersBytesAndCStrings() {
        let name: [CChar] = [104, 105, 0]  // "hi"
        let line: LogLine = name.withUnsafeBufferPointer { p in
            "fd \(42) code \(-7) name \(cString: p.baseAddress) \(bytes: [65, 66])"
        }
        XCTAssertEqual(line.bytes, Array("fd 42 code -7 name hi AB".utf8))
        let null: LogLine = "x \(cString: nil)"
        XCTAssertEqual(null.bytes, Array("x (null)".utf8))
    }

    func testAppendDecimal() {
        var out: [UInt8] = []
        appendDecimal(0, to: &out)
        out.append(32)
        appendDecimal(UInt64.max, to: &out)
        out.append(32)
        appendDecimal(Int64.min, to: &out)
        XCTAssertEqual(out, Array("0 18446744073709551615 -9223372036854775808".utf8))
    }

    func testListContainsTokenIsCaseInsensitiveAndListAware() {
        XCTAssertTrue(listContainsToken(ArraySlice(Array("keep-alive, Upgrade".utf8)), "upgrade"))
        XCTAssertTrue(listContainsToken(ArraySlice(Array("UPGRADE".utf8)), "upgrade"))
        XCTAssertTrue(listContainsToken(ArraySlice(Array(" a ,\tWebSocket\t".utf8)), "websocket"))
        XCTAssertFalse(listContainsToken(ArraySlice(Array("upgraded".utf8)), "upgrade"))
        XCTAssertFalse(listContainsToken(ArraySlice(Array("".utf8)), "upgrade"))
    }

    func testProxyAddressParsing() {
        func parse(_ s: String) -> ProxyAddress? {
            s.withCString { ProxyAddress.parse($0) }
        }
        let plain = parse("proxy.example:3128")
        XCTAssertEqual(plain?.port, 3128)
        XCTAssertEqual(plain.map { String(cString: $0.host) }, "proxy.example")
        let url = parse("http://10.0.0.1:8080/")
        XCTAssertEqual(url?.port, 8080)
        XCTAssertEqual(url.map { String(cString: $0.host) }, "10.0.0.1")
        let v6 = parse("[::1]:99")
        XCTAssertEqual(v6.map { String(cString: $0.host) }, "::1")
        XCTAssertNil(parse("noport"))
        XCTAssertNil(parse("host:"))
        XCTAssertNil(parse("host:0"))
        XCTAssertNil(parse("host:65536"))
        XCTAssertNil(parse("host:12a"))
        XCTAssertNil(parse(":80"))
    }

    func testOutboundBufferKeepsOrderAcrossPartialDrains() {
        var buffer = OutboundBuffer()
        XCTAssertTrue(buffer.isEmpty)
        [UInt8](0..<100).withUnsafeBytes { buffer.append($0) }
        var seen: [UInt8] = []
        buffer.drain { bytes in
            seen.append(contentsOf: bytes.prefix(30))
            return 30
        }
        [UInt8](100..<120).withUnsafeBytes { buffer.append($0) }
        XCTAssertEqual(buffer.count, 90)
        while !buffer.isEmpty {
            buffer.drain { bytes in
                seen.append(contentsOf: bytes.prefix(7))
                return min(7, bytes.count)
            }
        }
        XCTAssertEqual(seen, [UInt8](0..<120))
    }

    /// A pong replaces the previous one only while that is the last thing
    /// buffered and no send has been offered it.
    func testOutboundBufferReplacesOnlyAnUnsentTrailingPong() {
        func contents(_ buffer: inout OutboundBuffer) -> [UInt8] {
            var seen: [UInt8] = []
            buffer.drain { bytes in
                seen.append(contentsOf: bytes)
                return bytes.count
            }
            return seen
        }
        var buffer = OutboundBuffer()
        [UInt8]([1, 2]).withUnsafeBytes { buffer.append($0) }
        [UInt8]([10, 10, 10]).withUnsafeBytes { buffer.appendPong($0) }
        [UInt8]([11]).withUnsafeBytes { buffer.appendPong($0) }
        XCTAssertEqual(contents(&buffer), [1, 2, 11])

        // Data after the pong keeps it.
        [UInt8]([20]).withUnsafeBytes { buffer.appendPong($0) }
        [UInt8]([3]).withUnsafeBytes { buffer.append($0) }
        [UInt8]([21]).withUnsafeBytes { buffer.appendPong($0) }
        XCTAssertEqual(contents(&buffer), [20, 3, 21])

        // A pong a send was offered (and refused) stays too.
        [UInt8]([30]).withUnsafeBytes { buffer.appendPong($0) }
        buffer.drain { _ in 0 }
        [UInt8]([31]).withUnsafeBytes { buffer.appendPong($0) }
        XCTAssertEqual(contents(&buffer), [30, 31])
    }
}
