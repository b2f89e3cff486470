import XCTest
@testable import WebSocketProtocol

final class Base64Tests: XCTestCase {
    /// RFC 4648 section 10.
    private let vectors: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    /// Encodes into a buffer of exactly `size` bytes pre-filled with 0xEE, and
    /// returns the result and the whole buffer so writes past the result show.
    private func encode(_ input: [UInt8], size: Int) -> (Int, [UInt8]) {
        var out = [UInt8](repeating: 0xEE, count: size)
        let result = input.withUnsafeBytes { source in
            out.withUnsafeMutableBytes { Base64.encode(source, into: $0) }
        }
        return (result, out)
    }

    private func decode(_ input: [UInt8], size: Int) -> (Int, [UInt8]) {
        var out = [UInt8](repeating: 0xEE, count: size)
        let result = input.withUnsafeBytes { source in
            out.withUnsafeMutableBytes { Base64.decode(source, into: $0) }
        }
        return (result, out)
    }

    private func decodeString(_ text: String) -> [UInt8]? {
        let (result, out) = decode(Array(text.utf8), size: text.utf8.count + 1)
        return result < 0 ? nil : Array(out[0..<result])
    }

    func testRFC4648VectorsEncode() {
        for (plain, encoded) in vectors {
            XCTAssertEqual(String(decoding: Base64.encode(Array(plain.utf8)), as: UTF8.self), encoded)
            let (result, out) = encode(Array(plain.utf8), size: encoded.utf8.count + 1)
            XCTAssertEqual(result, encoded.utf8.count)
            XCTAssertEqual(Array(out[0..<result]), Array(encoded.utf8))
            XCTAssertEqual(out[result], 0, "NUL terminator for \(plain)")
            XCTAssertEqual(Base64.encodedLength(plain.utf8.count), encoded.utf8.count)
        }
    }

    func testRFC4648VectorsDecode() {
        for (plain, encoded) in vectors {
            let (result, out) = decode(Array(encoded.utf8), size: plain.utf8.count + 1)
            XCTAssertEqual(result, plain.utf8.count, encoded)
            XCTAssertEqual(Array(out[0..<max(result, 0)]), Array(plain.utf8))
            XCTAssertEqual(out[max(result, 0)], 0, "NUL terminator for \(encoded)")
        }
    }

    func testEncodeOutputSizeBoundary() {
        for length in [0, 1, 2, 3, 4, 5, 6, 16, 20, 31, 32, 33] {
            let input = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37) }
            let encodedLength = Base64.encodedLength(length)
            let (fits, _) = encode(input, size: encodedLength + 1)
            XCTAssertEqual(fits, encodedLength, "length \(length)")
            let (tooSmall, untouched) = encode(input, size: encodedLength)
            XCTAssertEqual(tooSmall, -1, "length \(length)")
            XCTAssertEqual(untouched, [UInt8](repeating: 0xEE, count: encodedLength), "nothing written when it does not fit")
        }
    }

    func testDecodeOutputSizeBoundary() {
        for length in [0, 1, 2, 3, 4, 5, 16, 20, 31, 32, 33] {
            let input = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 53 &+ 1) }
            let encoded = Base64.encode(input)
            let (fits, out) = decode(encoded, size: length + 1)
            XCTAssertEqual(fits, length, "length \(length)")
            XCTAssertEqual(Array(out[0..<length]), input)
            XCTAssertEqual(decode(encoded, size: length).0, -1, "length \(length)")
            // Unpadded input needs the same room.
            let unpadded = Array(encoded.prefix { $0 != UInt8(ascii: "=") })
            XCTAssertEqual(decode(unpadded, size: length + 1).0, length, "unpadded length \(length)")
            XCTAssertEqual(decode(unpadded, size: length).0, -1, "unpadded length \(length)")
        }
    }

    func testDecodeStopsAtNUL() {
        let (result, out) = decode(Array("Zm9v".utf8) + [0] + Array("!!!!".utf8), size: 10)
        XCTAssertEqual(result, 3)
        XCTAssertEqual(Array(out[0..<4]), Array("foo".utf8) + [0])
        XCTAssertEqual(decode([0, 65, 65], size: 1).0, 0)
    }

    func testDecodeAcceptsUnpaddedAndURLSafe() {
        XCTAssertEqual(decodeString("Zg"), Array("f".utf8))
        XCTAssertEqual(decodeString("Zm8"), Array("fo".utf8))
        XCTAssertEqual(decodeString("Zm9vYmE"), Array("fooba".utf8))
        // 0xFB 0xFF 0xBF encodes to "+/+/" in the standard and "-_-_" in the URL-safe alphabet.
        XCTAssertEqual(decodeString("+/+/"), [0xFB, 0xFF, 0xBF])
        XCTAssertEqual(decodeString("-_-_"), [0xFB, 0xFF, 0xBF])
        XCTAssertEqual(decodeString("-_8"), [0xFB, 0xFF])
    }

    func testDecodeRejectsInvalidInput() {
        let invalid = [
            "Zg=", "Zg===", "Z===", "Z", "Zm9vY", "=", "==", "====", "Zm9v=", "Zm9v==",
            "Zg==Zg==", "Z=g=", "Zm=v", "Zm9 v", "Zm9\nv", "Zm9v\r\n", "Zm9*", "Zm9.", "Zm9v\u{7F}",
        ]
        for text in invalid {
            XCTAssertNil(decodeString(text), "'\(text)' should be invalid")
            XCTAssertEqual(decode(Array(text.utf8), size: 64).0, -1, "'\(text)' with plenty of room")
        }
        XCTAssertEqual(decode([0x5A, 0x80, 0x5A, 0x5A], size: 8).0, -1, "non-ASCII byte")
    }

    func testRoundTripsEveryByteAndManyLengths() {
        let allBytes = (0...255).map { UInt8($0) }
        XCTAssertEqual(decodeString(String(decoding: Base64.encode(allBytes), as: UTF8.self)), allBytes)
        var state: UInt64 = 0x1234_5678_9ABC_DEF0
        for length in 0..<200 {
            let input = (0..<length).map { _ -> UInt8 in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 56)
            }
            let encoded = Base64.encode(input)
            XCTAssertEqual(encoded.count, Base64.encodedLength(length))
            let (result, out) = decode(encoded, size: length + 1)
            XCTAssertEqual(result, length)
            XCTAssertEqual(Array(out[0..<length]), input)
        }
    }

    func testNonCanonicalPadBitsAreTolerated() {
        // "Zh==" differs from "Zg==" only in pad bits that carry no data.
        XCTAssertEqual(decodeString("Zh=="), Array("f".utf8))
    }
}
