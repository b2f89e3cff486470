import XCTest
import WebSocketCompression

/// A small deterministic generator (SplitMix64), so that a failing random
/// case fails the same way every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum Samples {
    static func bytes(_ text: String) -> [UInt8] {
        Array(text.utf8)
    }

    /// Incompressible bytes.
    static func random(count: Int, using generator: inout SeededGenerator) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = generator.next()
            for _ in 0..<8 where index < count {
                out[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return out
    }

    /// Text-like bytes drawn from a small vocabulary: compresses several-fold.
    static func compressible(count: Int, using generator: inout SeededGenerator) -> [UInt8] {
        let words: [[UInt8]] = ["websocket ", "frame ", "message ", "deflate ", "context ", "window ", "the ",
                                "of ", "and ", "libwebsockets ", "\n", "{\"seq\": ", "}, "].map { Array($0.utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(count + 16)
        while out.count < count {
            out.append(contentsOf: words[Int(generator.next() % UInt64(words.count))])
        }
        return Array(out[0..<count])
    }

    /// Splits `bytes` into 1...maxPieces pieces of random sizes (some may be
    /// empty).
    static func split(_ bytes: [UInt8], maxPieces: Int, using generator: inout SeededGenerator) -> [[UInt8]] {
        let pieces = 1 + Int(generator.next() % UInt64(maxPieces))
        var cuts = (0..<(pieces - 1)).map { _ in Int(generator.next() % UInt64(bytes.count + 1)) }
        cuts.sort()
        var out: [[UInt8]] = []
        var start = 0
        for cut in cuts + [bytes.count] {
            out.append(Array(bytes[start..<cut]))
            start = cut
        }
        return out
    }
}

/// Compresses `fragments` as one message, returning each fragment's frame
/// payload.
func deflateMessage(_ deflater: MessageDeflater, fragments: [[UInt8]]) -> [[UInt8]] {
    fragments.enumerated().map { index, fragment in
        var out: [UInt8] = []
        let ok = fragment.withUnsafeBytes {
            deflater.compress($0, isFinal: index == fragments.count - 1, appendingTo: &out)
        }
        XCTAssertTrue(ok)
        return out
    }
}

func deflateMessage(_ deflater: MessageDeflater, _ message: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    XCTAssertTrue(deflater.compress(message, appendingTo: &out))
    return out
}

/// Feeds `payloads` as one message (the last ends it) and pulls everything
/// in chunks of `chunkSize`, checking the pull contract on the way: each
/// `.produced` within the buffer, `.needInput` only between fragments,
/// `.messageEnd` only after the last one.
func inflateMessage(_ inflater: MessageInflater, payloads: [[UInt8]], chunkSize: Int,
                    file: StaticString = #filePath, line: UInt = #line) -> Result<[UInt8], InflateError> {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: chunkSize)
    var sawComplete = false
    var producedInFinalFragment = false
    for (index, payload) in payloads.enumerated() {
        let isLast = index == payloads.count - 1
        let failure: InflateError? = payload.withUnsafeBytes { input in
            inflater.feed(input, isFinalFragmentOfMessage: isLast)
            while true {
                let step = buffer.withUnsafeMutableBytes { inflater.nextChunk(into: $0) }
                switch step {
                case .produced(let count):
                    XCTAssert(count >= 1 && count <= chunkSize, "produced \(count) into \(chunkSize)", file: file, line: line)
                    out.append(contentsOf: buffer[0..<count])
                    XCTAssertFalse(sawComplete, "bytes after isMessageComplete", file: file, line: line)
                    sawComplete = inflater.isMessageComplete
                    producedInFinalFragment = isLast
                case .needInput:
                    XCTAssertFalse(isLast, "needInput after the final fragment", file: file, line: line)
                    XCTAssertFalse(sawComplete, "needInput after isMessageComplete", file: file, line: line)
                    return nil
                case .messageEnd:
                    XCTAssertTrue(isLast, "messageEnd before the final fragment", file: file, line: line)
                    // The flag rides on the last chunk if the final fragment
                    // produced any; otherwise the end comes on its own.
                    XCTAssertEqual(sawComplete, producedInFinalFragment, "isMessageComplete on the last chunk", file: file, line: line)
                    return nil
                case .error(let error):
                    return error
                }
            }
        }
        if let failure = failure { return .failure(failure) }
    }
    return .success(out)
}

func inflateMessage(_ inflater: MessageInflater, _ payload: [UInt8], chunkSize: Int = 4096,
                    file: StaticString = #filePath, line: UInt = #line) -> Result<[UInt8], InflateError> {
    inflateMessage(inflater, payloads: [payload], chunkSize: chunkSize, file: file, line: line)
}

extension Result where Failure == InflateError {
    var value: Success? {
        if case .success(let value) = self { return value }
        return nil
    }

    var error: InflateError? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
