import XCTest
@testable import WebSocketProtocol

final class SHA1Tests: XCTestCase {
    private func hex(_ digest: [UInt8]) -> String {
        digest.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    private func sha1Hex(_ text: String) -> String {
        hex(SHA1.hash(Array(text.utf8)))
    }

    /// A deterministic, non-repeating-ish message so block-boundary bugs that
    /// cancel out on uniform input still show.
    private func pattern(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
    }

    func testFIPS180Vectors() {
        XCTAssertEqual(sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        XCTAssertEqual(sha1Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        XCTAssertEqual(sha1Hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
                       "a49b2446a02c645bf419f995b67091253a04a259")
    }

    func testOneMillionA() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        XCTAssertEqual(hex(SHA1.hash(message)), "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
        // The same fed in uneven pieces through the streaming interface.
        var hasher = SHA1()
        message.withUnsafeBytes { bytes in
            var offset = 0
            var step = 1
            while offset < bytes.count {
                let take = min(step, bytes.count - offset)
                hasher.update(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + take]))
                offset += take
                step = step % 997 + 13
            }
        }
        XCTAssertEqual(hex(hasher.finalize()), "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    /// Lengths where the padding needs exactly one block, just fits, or spills into
    /// a second block (55 / 56 bytes) and around whole blocks.
    func testLengthsAroundBlockBoundaries() {
        let expected: [(Int, String, String)] = [
            (55, "ddf57317ef34bfee3b6df83d359098930eb278bc", "c1c8bbdc22796e28c0e15163d20899b65621d65a"),
            (56, "a0d492bb0fc889d0eca3bc137066ab6f4f74f369", "c2db330f6083854c99d4b5bfb6e8f29f201be699"),
            (63, "c55856749bef509bdfe6bfebfc7bf4e793e82132", "03f09f5b158a7a8cdad920bddc29b81c18a551f5"),
            (64, "bede92be29c3874e1b54ddc77988d606fc857a8e", "0098ba824b5c16427bd7a1122a5a442a25ec644d"),
            (65, "b05a80522b053d6dc7e0a517d0e70212c7dad11f", "11655326c708d70319be2610e8a57d9a5b959d3b"),
            (119, "504e27376a6e0f0dba8295b85cb25dc4dfa17d23", "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56"),
            (120, "82134b02fb3f702491be9bed581eeab59334acb2", "f34c1488385346a55709ba056ddd08280dd4c6d6"),
            (127, "34d5e582029e9b9b85b2febe31da3db7cdabaaea", "89d95fa32ed44a7c610b7ee38517ddf57e0bb975"),
            (128, "a09133e6730ffe899efb70204cb5646cd5dc24ee", "ad5b3fdbcb526778c2839d2f151ea753995e26a0"),
            (129, "808aea332ce367541d37adae7f94e59c5c1a934e", "d96debf1bdcbc896e6c134ea76e8141f40d78536"),
        ]
        for (length, patternDigest, aDigest) in expected {
            XCTAssertEqual(hex(SHA1.hash(pattern(length))), patternDigest, "pattern length \(length)")
            XCTAssertEqual(hex(SHA1.hash([UInt8](repeating: UInt8(ascii: "a"), count: length))), aDigest, "'a' length \(length)")
        }
    }

    func testStreamingSplitAtEveryPositionMatchesOneShot() {
        let message = pattern(200)
        let oneShot = SHA1.hash(message)
        message.withUnsafeBytes { bytes in
            for split in 0...bytes.count {
                var hasher = SHA1()
                hasher.update(UnsafeRawBufferPointer(rebasing: bytes[0..<split]))
                hasher.update(UnsafeRawBufferPointer(rebasing: bytes[split...]))
                XCTAssertEqual(hasher.finalize(), oneShot, "split at \(split)")
            }
            var byteByByte = SHA1()
            for index in 0..<bytes.count {
                byteByByte.update(UnsafeRawBufferPointer(rebasing: bytes[index..<index + 1]))
            }
            XCTAssertEqual(byteByByte.finalize(), oneShot)
            XCTAssertEqual(SHA1.hash(bytes), oneShot)
        }
    }

    func testEmptyUpdatesChangeNothing() {
        var hasher = SHA1()
        hasher.update(UnsafeRawBufferPointer(start: nil, count: 0))
        Array("abc".utf8).withUnsafeBytes { hasher.update($0) }
        hasher.update(UnsafeRawBufferPointer(start: nil, count: 0))
        XCTAssertEqual(hex(hasher.finalize()), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(SHA1.hash([]).count, 20)
    }

    /// The reason SHA-1 is here: RFC 6455 section 1.3's worked handshake example.
    func testWebSocketAcceptKeyFromRFC6455() {
        let input = Array("dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11".utf8)
        XCTAssertEqual(String(decoding: Base64.encode(SHA1.hash(input)), as: UTF8.self), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }
}
