import XCTest
@testable import WebSocketProtocol

final class UTF8ValidatorTests: XCTestCase {
    enum Verdict: Equatable {
        case valid
        case invalid
        /// Every byte was acceptable but the message ends inside a code point.
        case truncated
    }

    // MARK: Helpers

    /// Runs the validator over `chunks` as one message.
    private func verdict(_ chunks: [[UInt8]]) -> Verdict {
        var validator = UTF8Validator()
        for chunk in chunks {
            let ok = chunk.withUnsafeBytes { validator.validate($0) }
            if !ok { return .invalid }
        }
        return validator.isAtCharacterBoundary ? .valid : .truncated
    }

    private func verdict(_ bytes: [UInt8]) -> Verdict { verdict([bytes]) }

    private func verdictByteByByte(_ bytes: [UInt8]) -> Verdict { verdict(bytes.map { [$0] }) }

    /// A plain encoder for the tests, independent of the validator.
    private func encode(_ scalar: UInt32) -> [UInt8] {
        switch scalar {
        case 0..<0x80: return [UInt8(scalar)]
        case 0x80..<0x800: return [UInt8(0xC0 | scalar >> 6), UInt8(0x80 | scalar & 0x3F)]
        case 0x800..<0x10000:
            return [UInt8(0xE0 | scalar >> 12), UInt8(0x80 | scalar >> 6 & 0x3F), UInt8(0x80 | scalar & 0x3F)]
        default:
            // Also used for > U+10FFFF with a 4-byte shape, to test its rejection.
            return [UInt8(0xF0 | scalar >> 18 & 0x07), UInt8(0x80 | scalar >> 12 & 0x3F),
                    UInt8(0x80 | scalar >> 6 & 0x3F), UInt8(0x80 | scalar & 0x3F)]
        }
    }

    /// A straightforward decoder used as the oracle: decode each sequence
    /// completely, then check continuation bits, minimal length, surrogates and range.
    /// A sequence cut off by the end is `truncated` when some completion of it
    /// would be valid, which is what a streaming validator can know at that point.
    private func reference(_ bytes: [UInt8]) -> Verdict {
        func decodes(_ sequence: [UInt8]) -> Bool {
            let lead = sequence[0]
            var scalar: UInt32
            let minimum: UInt32
            switch lead {
            case 0xC0...0xDF: scalar = UInt32(lead & 0x1F); minimum = 0x80
            case 0xE0...0xEF: scalar = UInt32(lead & 0x0F); minimum = 0x800
            case 0xF0...0xF7: scalar = UInt32(lead & 0x07); minimum = 0x10000
            default: return false
            }
            for continuation in sequence.dropFirst() {
                guard continuation & 0xC0 == 0x80 else { return false }
                scalar = scalar << 6 | UInt32(continuation & 0x3F)
            }
            return scalar >= minimum && !(0xD800...0xDFFF).contains(scalar) && scalar <= 0x10FFFF
        }
        func sequenceLength(_ lead: UInt8) -> Int? {
            switch lead {
            case 0x00...0x7F: return 1
            case 0xC0...0xDF: return 2
            case 0xE0...0xEF: return 3
            case 0xF0...0xF7: return 4
            default: return nil
            }
        }
        var index = 0
        while index < bytes.count {
            guard let length = sequenceLength(bytes[index]) else { return .invalid }
            if length == 1 { index += 1; continue }
            if index + length <= bytes.count {
                guard decodes(Array(bytes[index..<index + length])) else { return .invalid }
                index += length
                continue
            }
            // Cut off: is there any completion that decodes? Try representative
            // continuation bytes at each range edge.
            let prefix = Array(bytes[index...])
            let missing = length - prefix.count
            let candidates: [UInt8] = [0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF]
            var completions: [[UInt8]] = [prefix]
            for _ in 0..<missing {
                completions = completions.flatMap { partial in candidates.map { partial + [$0] } }
            }
            return completions.contains(where: decodes) ? .truncated : .invalid
        }
        return .valid
    }

    private func hexString(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16) }.joined(separator: " ")
    }

    // MARK: Classes of sequences

    private let validSequences: [[UInt8]] = [
        [0x24], [0x7F],
        [0xC2, 0x80], [0xC2, 0xA2], [0xDF, 0xBF],
        [0xE0, 0xA0, 0x80], [0xE2, 0x82, 0xAC], [0xEC, 0xBF, 0xBF], [0xED, 0x80, 0x80], [0xED, 0x9F, 0xBF],
        [0xEE, 0x80, 0x80], [0xEF, 0xBF, 0xBF],
        [0xF0, 0x90, 0x80, 0x80], [0xF0, 0x9F, 0x98, 0x80], [0xF1, 0x80, 0x80, 0x80], [0xF3, 0xBF, 0xBF, 0xBF],
        [0xF4, 0x80, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF],
    ]

    private let invalidSequences: [(String, [UInt8])] = [
        ("lone continuation", [0x80]), ("lone continuation BF", [0xBF]),
        ("C0 overlong", [0xC0, 0x80]), ("C1 overlong", [0xC1, 0xBF]),
        ("3-byte overlong", [0xE0, 0x80, 0x80]), ("3-byte overlong max", [0xE0, 0x9F, 0xBF]),
        ("4-byte overlong", [0xF0, 0x80, 0x80, 0x80]), ("4-byte overlong max", [0xF0, 0x8F, 0xBF, 0xBF]),
        ("high surrogate", [0xED, 0xA0, 0x80]), ("low surrogate", [0xED, 0xB0, 0x80]), ("last surrogate", [0xED, 0xBF, 0xBF]),
        ("above U+10FFFF", [0xF4, 0x90, 0x80, 0x80]), ("F5 lead", [0xF5, 0x80, 0x80, 0x80]),
        ("F7 lead", [0xF7, 0xBF, 0xBF, 0xBF]), ("F8 lead", [0xF8]), ("FE", [0xFE]), ("FF", [0xFF]),
        ("2-byte bad continuation", [0xC2, 0x41]), ("3-byte bad second", [0xE1, 0x41, 0x80]),
        ("3-byte bad third", [0xE1, 0x80, 0x41]), ("4-byte bad fourth", [0xF1, 0x80, 0x80, 0xC0]),
        ("new lead inside sequence", [0xE1, 0xC2, 0x80]),
    ]

    func testValidSequencesWholeAndByteByByte() {
        for sequence in validSequences {
            XCTAssertEqual(verdict(sequence), .valid, hexString(sequence))
            XCTAssertEqual(verdictByteByByte(sequence), .valid, hexString(sequence))
            let surrounded = Array("abc".utf8) + sequence + Array("defghijklmnop".utf8)
            XCTAssertEqual(verdict(surrounded), .valid, hexString(surrounded))
        }
    }

    func testInvalidSequencesWholeAndByteByByte() {
        for (name, sequence) in invalidSequences {
            XCTAssertEqual(verdict(sequence), .invalid, name)
            XCTAssertEqual(verdictByteByByte(sequence), .invalid, name)
            XCTAssertEqual(verdict(Array("0123456789".utf8) + sequence + Array("0123456789".utf8)), .invalid, name)
        }
    }

    func testBoundaryCodePoints() {
        let valid: [UInt32] = [0x0, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x10FFFF]
        for scalar in valid {
            XCTAssertEqual(verdict(encode(scalar)), .valid, String(scalar, radix: 16))
            XCTAssertEqual(verdictByteByByte(encode(scalar)), .valid, String(scalar, radix: 16))
        }
        XCTAssertEqual(encode(0x7F).count, 1)
        XCTAssertEqual(encode(0x80).count, 2)
        XCTAssertEqual(encode(0x7FF).count, 2)
        XCTAssertEqual(encode(0x800).count, 3)
        XCTAssertEqual(encode(0xFFFF).count, 3)
        XCTAssertEqual(encode(0x10000).count, 4)
        XCTAssertEqual(verdict(encode(0x110000)), .invalid, "U+110000")
        XCTAssertEqual(verdictByteByByte(encode(0x110000)), .invalid, "U+110000")
        XCTAssertEqual(verdict(encode(0x1FFFFF)), .invalid, "largest 4-byte shape")
    }

    func testEverySurrogateIsRejected() {
        for scalar in UInt32(0xD800)...0xDFFF {
            XCTAssertEqual(verdict(encode(scalar)), .invalid, String(scalar, radix: 16))
        }
        XCTAssertEqual(verdict(encode(0xD7FF)), .valid)
        XCTAssertEqual(verdict(encode(0xE000)), .valid)
    }

    /// Every code point in overlong form (encoded with one more byte than needed).
    func testOverlongFormsOfBoundaryValues() {
        let overlongs: [[UInt8]] = [
            [0xC0, 0xAF], [0xC1, 0xBF],  // '/' and U+007F in 2 bytes
            [0xE0, 0x80, 0xAF], [0xE0, 0x9F, 0xBF],  // '/' and U+07FF in 3 bytes
            [0xF0, 0x80, 0x80, 0xAF], [0xF0, 0x8F, 0xBF, 0xBF],  // '/' and U+FFFF in 4 bytes
        ]
        for sequence in overlongs {
            XCTAssertEqual(verdict(sequence), .invalid, hexString(sequence))
            XCTAssertEqual(verdictByteByByte(sequence), .invalid, hexString(sequence))
        }
    }

    func testTruncatedSequenceAtEndIsNotACharacterBoundary() {
        for sequence in validSequences where sequence.count > 1 {
            for cut in 1..<sequence.count {
                let prefix = Array("ok".utf8) + Array(sequence[0..<cut])
                XCTAssertEqual(verdict(prefix), .truncated, hexString(prefix))
                XCTAssertEqual(verdictByteByByte(prefix), .truncated, hexString(prefix))
            }
        }
    }

    func testEveryValidSequenceSplitAtEveryPositionAcrossTwoCalls() {
        for sequence in validSequences where sequence.count > 1 {
            for padding in 0..<10 {
                let message = [UInt8](repeating: UInt8(ascii: "x"), count: padding) + sequence + Array("tail".utf8)
                for split in 0...message.count {
                    let chunks = [Array(message[0..<split]), Array(message[split...])]
                    XCTAssertEqual(verdict(chunks), .valid, "\(hexString(message)) split at \(split)")
                }
            }
        }
    }

    /// A sequence finished in one call must leave nothing behind for the next
    /// sequence: after "F4 | 8F BF BF", an "F3 B5 .." must not inherit F4's narrow
    /// range (a bug the fuzz test once caught).
    func testStateDoesNotLeakBetweenSequencesAcrossCalls() {
        for first in validSequences where first.count > 1 {
            for cut in 1..<first.count {
                for second in validSequences {
                    let chunks = [Array(first[0..<cut]), Array(first[cut...]), second]
                    XCTAssertEqual(verdict(chunks), .valid, chunks.map(hexString).joined(separator: " | "))
                }
            }
        }
    }

    func testFailureIsStickyAndResetStartsOver() {
        var validator = UTF8Validator()
        XCTAssertFalse(([0xC0, 0x80] as [UInt8]).withUnsafeBytes { validator.validate($0) })
        XCTAssertFalse(Array("plain".utf8).withUnsafeBytes { validator.validate($0) })
        XCTAssertFalse(validator.isAtCharacterBoundary)
        validator.reset()
        XCTAssertTrue(validator.isAtCharacterBoundary)
        XCTAssertTrue(Array("plain".utf8).withUnsafeBytes { validator.validate($0) })
        XCTAssertTrue(([0xE2, 0x82] as [UInt8]).withUnsafeBytes { validator.validate($0) })
        XCTAssertFalse(validator.isAtCharacterBoundary)
        validator.reset()
        XCTAssertTrue(validator.isAtCharacterBoundary)
        XCTAssertFalse(([0xAC] as [UInt8]).withUnsafeBytes { validator.validate($0) }, "the open sequence was forgotten")
    }

    func testEmptyChunksKeepState() {
        var validator = UTF8Validator()
        XCTAssertTrue(validator.validate(UnsafeRawBufferPointer(start: nil, count: 0)))
        XCTAssertTrue(([0xF0, 0x9F] as [UInt8]).withUnsafeBytes { validator.validate($0) })
        XCTAssertTrue([UInt8]().withUnsafeBytes { validator.validate($0) })
        XCTAssertTrue(([0x98, 0x80] as [UInt8]).withUnsafeBytes { validator.validate($0) })
        XCTAssertTrue(validator.isAtCharacterBoundary)
    }

    /// The ASCII fast path reads 32 bytes, then eight, at a time: a bad byte or a
    /// multi-byte sequence must be found at every offset within and across those
    /// blocks and words.
    func testFastPathFindsNonASCIIAtEveryOffset() {
        let ascii = [UInt8](repeating: UInt8(ascii: "a"), count: 104)
        for offset in 0..<ascii.count {
            var bad = ascii
            bad[offset] = 0xFF
            XCTAssertEqual(verdict(bad), .invalid, "0xFF at \(offset)")
            var good = ascii
            good.insert(contentsOf: [0xE2, 0x82, 0xAC], at: offset)
            XCTAssertEqual(verdict(good), .valid, "euro sign at \(offset)")
            var truncated = Array(ascii[0..<offset])
            truncated.append(0xC3)
            XCTAssertEqual(verdict(truncated), .truncated, "open sequence at \(offset)")
        }
        XCTAssertEqual(verdict([UInt8](repeating: 0x7F, count: 1000)), .valid)
        // Misaligned starts: the unaligned loads must not matter.
        let long = [UInt8](repeating: UInt8(ascii: "z"), count: 100) + [0xC3, 0xA9] + [UInt8](repeating: UInt8(ascii: "z"), count: 100)
        long.withUnsafeBytes { bytes in
            for start in 0..<16 {
                var validator = UTF8Validator()
                XCTAssertTrue(validator.validate(UnsafeRawBufferPointer(rebasing: bytes[start...])))
                XCTAssertTrue(validator.isAtCharacterBoundary)
            }
        }
    }

    /// 20,000 random byte strings, biased toward almost-valid UTF-8, each fed in
    /// random chunks and compared with the reference decoder.
    func testAgainstReferenceDecoderOnRandomStrings() {
        var rng = SplitMix64(seed: 0x5EED_0F_0F_1C0DE)
        let tricky: [UInt8] = [0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0x9F, 0xA0, 0x8F, 0x90]
        var counts: [Verdict: Int] = [.valid: 0, .invalid: 0, .truncated: 0]
        for _ in 0..<20_000 {
            var bytes: [UInt8] = []
            let pieces = Int(rng.next() % 24)
            for _ in 0..<pieces {
                switch rng.next() % 10 {
                case 0...3:
                    let run = Int(rng.next() % 12) + 1
                    for _ in 0..<run { bytes.append(UInt8(rng.next() % 128)) }
                case 4...6:
                    let ranges: [ClosedRange<UInt32>] = [0x80...0x7FF, 0x800...0xFFFF, 0x10000...0x10FFFF, 0xD000...0xE100, 0x10FF00...0x110100]
                    let range = ranges[Int(rng.next() % UInt64(ranges.count))]
                    let scalar = range.lowerBound + UInt32(rng.next() % UInt64(range.count))
                    bytes += encode(scalar)
                case 7:
                    bytes.append(UInt8(truncatingIfNeeded: rng.next()))
                default:
                    bytes.append(tricky[Int(rng.next() % UInt64(tricky.count))])
                }
            }
            // Sometimes cut inside a sequence.
            if rng.next() % 4 == 0 && !bytes.isEmpty {
                bytes.removeLast(Int(rng.next() % UInt64(min(3, bytes.count))) + 1)
            }
            var chunks: [[UInt8]] = []
            var rest = bytes[...]
            while !rest.isEmpty {
                let take = Int(rng.next() % UInt64(rest.count)) + 1
                chunks.append(Array(rest.prefix(take)))
                rest = rest.dropFirst(take)
            }
            let expected = reference(bytes)
            counts[expected, default: 0] += 1
            XCTAssertEqual(verdict(chunks), expected, hexString(bytes))
            XCTAssertEqual(verdict(bytes), expected, hexString(bytes))
        }
        // The generator must exercise every outcome substantially.
        XCTAssertGreaterThan(counts[.valid]!, 2000)
        XCTAssertGreaterThan(counts[.invalid]!, 2000)
        XCTAssertGreaterThan(counts[.truncated]!, 300)
    }

    /// A small seeded generator (SplitMix64) so the fuzz test is reproducible.
    private struct SplitMix64 {
        private var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
