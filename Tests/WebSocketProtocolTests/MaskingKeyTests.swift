import XCTest
import WebSocketProtocol

final class MaskingKeyTests: XCTestCase {
    private let key = MaskingKey((0x37, 0xFA, 0x21, 0x3D))

    func testInitialisersAgree() {
        let fromInteger = MaskingKey(networkOrder: 0x37FA_213D)
        XCTAssertEqual(fromInteger, key)
        XCTAssertEqual(key.networkOrder, 0x37FA_213D)
        let bytes = key.bytes
        XCTAssertEqual([bytes.0, bytes.1, bytes.2, bytes.3], [0x37, 0xFA, 0x21, 0x3D])
        XCTAssertEqual((0..<8).map { key[$0] }, [0x37, 0xFA, 0x21, 0x3D, 0x37, 0xFA, 0x21, 0x3D])
        XCTAssertNotEqual(MaskingKey((1, 2, 3, 4)), MaskingKey((4, 3, 2, 1)))
    }

    func testRFC6455MaskedHelloExample() {
        // RFC 6455 section 5.7: "Hello" masked with 37 fa 21 3d.
        var bytes = Array("Hello".utf8)
        bytes.withUnsafeMutableBytes { key.apply(to: $0, startingAt: 0) }
        XCTAssertEqual(bytes, [0x7F, 0x9F, 0x4D, 0x51, 0x58])
        bytes.withUnsafeMutableBytes { key.apply(to: $0, startingAt: 0) }
        XCTAssertEqual(bytes, Array("Hello".utf8))
    }

    func testMatchesNaiveXORForEveryLengthOffsetAndAlignment() {
        let keyBytes: [UInt8] = [0x12, 0x9A, 0xE5, 0x7C]
        let key = MaskingKey((keyBytes[0], keyBytes[1], keyBytes[2], keyBytes[3]))
        // 16 spare bytes: the first `start` and the ones after the range must
        // stay untouched.
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 70 + 16, alignment: 16)
        defer { storage.deallocate() }
        for length in 0...70 {
            for keyOffset in [0, 1, 2, 3, 4, 7, 1001] {
                for start in 0..<8 {
                    let original = (0..<storage.count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ length &+ start) }
                    storage.copyBytes(from: original)
                    let region = UnsafeMutableRawBufferPointer(rebasing: storage[start ..< start + length])
                    key.apply(to: region, startingAt: keyOffset)

                    var expected = original
                    for i in 0..<length {
                        expected[start + i] ^= keyBytes[(keyOffset + i) % 4]
                    }
                    if Array(storage) != expected {
                        XCTFail("length \(length) offset \(keyOffset) start \(start)")
                    }
                }
            }
        }
    }

    func testChunkedApplicationEqualsWholeApplication() {
        let payload = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var whole = payload
        whole.withUnsafeMutableBytes { key.apply(to: $0, startingAt: 0) }

        for split in [1, 3, 5, 8, 13, 64, 199] {
            var chunked = payload
            chunked.withUnsafeMutableBytes { buffer in
                var position = 0
                while position < buffer.count {
                    let end = min(position + split, buffer.count)
                    key.apply(to: UnsafeMutableRawBufferPointer(rebasing: buffer[position..<end]), startingAt: position)
                    position = end
                }
            }
            XCTAssertEqual(chunked, whole, "split \(split)")
        }
    }

    func testNegativeOffsetWrapsModuloFour() {
        var a: [UInt8] = [0, 0, 0, 0, 0]
        a.withUnsafeMutableBytes { key.apply(to: $0, startingAt: -1) }
        XCTAssertEqual(a, [0x3D, 0x37, 0xFA, 0x21, 0x3D])
    }

    func testEmptyBufferWithoutBaseAddress() {
        key.apply(to: UnsafeMutableRawBufferPointer(start: nil, count: 0), startingAt: 2)
    }
}
