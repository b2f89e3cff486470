import XCTest
@testable import WebSocketCompression
import WebSocketProtocol

final class MessageCodecTests: XCTestCase {
    /// Messages of many sizes, random and compressible, each split into
    /// random fragments and pulled in chunks of 1, 7 and 4096 bytes, through
    /// one deflater/inflater pair so every message also relies on the
    /// context the earlier ones left.
    func testRoundTripsOfFragmentedMessagesInSmallAndLargeChunks() throws {
        var generator = SeededGenerator(seed: 7692)
        let sizes = [0, 1, 2, 5, 100, 1000, 4096, 4097, 65_535, 65_536, 300_000, 1 << 20]
        for chunkSize in [1, 7, 4096] {
            let deflater = try XCTUnwrap(MessageDeflater())
            let inflater = try XCTUnwrap(MessageInflater())
            for size in sizes where chunkSize > 1 || size <= 65_536 {
                for compressible in [false, true] {
                    let message = compressible ? Samples.compressible(count: size, using: &generator)
                                               : Samples.random(count: size, using: &generator)
                    let fragments = Samples.split(message, maxPieces: 6, using: &generator)
                    let payloads = deflateMessage(deflater, fragments: fragments)
                    let result = inflateMessage(inflater, payloads: payloads, chunkSize: chunkSize)
                    XCTAssertEqual(result.value?.count, size, "size \(size) chunk \(chunkSize) compressible \(compressible)")
                    XCTAssert(result.value == message, "size \(size) chunk \(chunkSize) compressible \(compressible)")
                    if compressible && size >= 4096 {
                        XCTAssertLessThan(payloads.reduce(0) { $0 + $1.count }, size / 2)
                    }
                }
            }
        }
    }

    /// The compressed payloads may also arrive cut anywhere, not on the
    /// sender's fragment boundaries.
    func testCompressedStreamCutAtArbitraryPoints() throws {
        var generator = SeededGenerator(seed: 1)
        let deflater = try XCTUnwrap(MessageDeflater())
        let inflater = try XCTUnwrap(MessageInflater())
        for _ in 0..<20 {
            let message = Samples.compressible(count: Int(generator.next() % 20_000), using: &generator)
            let compressed = deflateMessage(deflater, message)
            let pieces = Samples.split(compressed, maxPieces: 12, using: &generator)
            XCTAssert(inflateMessage(inflater, payloads: pieces, chunkSize: 333).value == message)
        }
    }

    func testSixteenMebibyteCompressibleMessage() throws {
        var generator = SeededGenerator(seed: 16)
        let message = Samples.compressible(count: 16 << 20, using: &generator)
        let fragments = Samples.split(message, maxPieces: 40, using: &generator)
        let deflater = try XCTUnwrap(MessageDeflater())
        let payloads = deflateMessage(deflater, fragments: fragments)
        XCTAssertLessThan(payloads.reduce(0) { $0 + $1.count }, message.count / 3)
        let inflater = try XCTUnwrap(MessageInflater(maxMessageSize: 16 << 20))
        let result = inflateMessage(inflater, payloads: payloads, chunkSize: 65_536)
        XCTAssertEqual(result.value?.count, message.count)
        XCTAssert(result.value == message)
    }

    /// Every fragment is flushed: its data can be inflated before the next
    /// fragment exists.
    func testEachFragmentInflatesBeforeTheNextArrives() throws {
        var generator = SeededGenerator(seed: 2)
        let deflater = try XCTUnwrap(MessageDeflater())
        let inflater = try XCTUnwrap(MessageInflater())
        let first = Samples.compressible(count: 10_000, using: &generator)
        let second = Samples.compressible(count: 10_000, using: &generator)
        var payload: [UInt8] = []
        XCTAssertTrue(deflater.compress(first, isFinal: false, appendingTo: &payload))
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var out: [UInt8] = []
        payload.withUnsafeBytes { input in
            inflater.feed(input, isFinalFragmentOfMessage: false)
            while case .produced(let count) = buffer.withUnsafeMutableBytes({ inflater.nextChunk(into: $0) }) {
                out.append(contentsOf: buffer[0..<count])
            }
        }
        XCTAssertEqual(out, first)
        payload.removeAll(keepingCapacity: true)
        XCTAssertTrue(deflater.compress(second, isFinal: true, appendingTo: &payload))
        XCTAssertEqual(inflateMessage(inflater, payload).value, second)
    }

    /// A receiver may stop pulling in the middle of a message, reuse the
    /// buffer it fed from, and finish later: `retainInput` keeps what zlib
    /// had not consumed yet.
    func testRetainedInputSurvivesTheFedBufferBeingOverwritten() throws {
        var generator = SeededGenerator(seed: 3)
        // Random bytes barely compress, so most of the input is still
        // unconsumed after the first 1000 bytes of output.
        let message = Samples.random(count: 50_000, using: &generator)
        let deflater = try XCTUnwrap(MessageDeflater())
        let inflater = try XCTUnwrap(MessageInflater())
        var payload = deflateMessage(deflater, message)
        var buffer = [UInt8](repeating: 0, count: 1000)
        var out: [UInt8] = []
        payload.withUnsafeMutableBytes { input in
            inflater.feed(UnsafeRawBufferPointer(input), isFinalFragmentOfMessage: true)
            if case .produced(let count) = buffer.withUnsafeMutableBytes({ inflater.nextChunk(into: $0) }) {
                out += buffer[0..<count]
            }
            inflater.retainInput()
            for i in 0..<input.count { input[i] = 0xA5 }
        }
        while case .produced(let count) = buffer.withUnsafeMutableBytes({ inflater.nextChunk(into: $0) }) {
            out += buffer[0..<count]
        }
        XCTAssertEqual(out.count, message.count)
        XCTAssert(out == message)
    }

    /// The last chunk of a message is flagged as such when it is handed
    /// out, also when it fills the buffer exactly (the inflater looks one
    /// byte ahead, and hands that byte out with the next chunk).
    func testLastChunkIsFlaggedEvenWhenItFillsTheBuffer() throws {
        var generator = SeededGenerator(seed: 10)
        let message = Samples.compressible(count: 8192, using: &generator)
        let deflater = try XCTUnwrap(MessageDeflater())
        let inflater = try XCTUnwrap(MessageInflater())
        let payload = deflateMessage(deflater, message)
        var buffer = [UInt8](repeating: 0, count: 4096)
        var steps: [(InflateStep, Bool)] = []
        var out: [UInt8] = []
        payload.withUnsafeBytes { input in
            inflater.feed(input, isFinalFragmentOfMessage: true)
            while true {
                let step = buffer.withUnsafeMutableBytes { inflater.nextChunk(into: $0) }
                steps.append((step, inflater.isMessageComplete))
                guard case .produced(let count) = step else { break }
                out += buffer[0..<count]
            }
        }
        XCTAssertEqual(out, message)
        XCTAssertEqual(steps.map { $0.0 }, [.produced(4096), .produced(4096), .messageEnd])
        XCTAssertEqual(steps.map { $0.1 }, [false, true, false])
    }

    /// A receiver whose buffer is full asks with an empty one whether more
    /// follows: `.produced(0)` while a byte is ready (inflated ahead if need
    /// be, and handed out first by the next call), otherwise what a buffer
    /// with room would have been told.
    func testEmptyBufferAsksWhetherMoreFollows() throws {
        var generator = SeededGenerator(seed: 11)
        let message = Samples.compressible(count: 3000, using: &generator)
        let deflater = try XCTUnwrap(MessageDeflater())
        let payload = deflateMessage(deflater, message)
        let empty = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        var buffer = [UInt8](repeating: 0, count: 1000)
        var out: [UInt8] = []
        func pull(_ inflater: MessageInflater, _ room: Int) -> InflateStep {
            let step = buffer.withUnsafeMutableBytes { inflater.nextChunk(into: UnsafeMutableRawBufferPointer(rebasing: $0[..<room])) }
            if case .produced(let count) = step { out += buffer[0..<count] }
            return step
        }

        // The whole message, pulled in buffers it fills exactly.
        let whole = try XCTUnwrap(MessageInflater())
        var steps: [InflateStep] = []
        payload.withUnsafeBytes { input in
            whole.feed(input, isFinalFragmentOfMessage: true)
            for _ in 0..<3 {
                steps.append(pull(whole, 1000))
                steps.append(whole.nextChunk(into: empty))
            }
            steps.append(whole.nextChunk(into: empty))
        }
        XCTAssertEqual(out, message)
        XCTAssertEqual(steps, [.produced(1000), .produced(0), .produced(1000), .produced(0), .produced(1000), .messageEnd,
                               .needInput])

        // Asked right after a feed, it inflates ahead; asked again, it does
        // not inflate a second byte; without input it needs more.
        let split = try XCTUnwrap(MessageInflater())
        out = []
        steps = []
        payload.withUnsafeBytes { input in
            split.feed(UnsafeRawBufferPointer(rebasing: input[..<(input.count / 2)]), isFinalFragmentOfMessage: false)
            steps.append(split.nextChunk(into: empty))
            steps.append(split.nextChunk(into: empty))
            steps.append(pull(split, 1))
            while steps.last != .needInput { steps.append(pull(split, 1000)) }
            steps.append(split.nextChunk(into: empty))
            split.feed(UnsafeRawBufferPointer(rebasing: input[(input.count / 2)...]), isFinalFragmentOfMessage: true)
            while steps.last != .messageEnd { steps.append(pull(split, 1000)) }
        }
        XCTAssertEqual(out, message)
        XCTAssertEqual(Array(steps.prefix(3)), [.produced(0), .produced(0), .produced(1)])
        XCTAssertEqual(steps.filter { $0 == .needInput }.count, 2)

        let garbage = try XCTUnwrap(MessageInflater())
        [UInt8]([0xff, 0xff]).withUnsafeBytes { input in
            garbage.feed(input, isFinalFragmentOfMessage: true)
            XCTAssertEqual(garbage.nextChunk(into: empty), .error(.invalidData))
        }
    }

    /// A final fragment with nothing new after a flushed one still closes
    /// the message properly (0x00, as for an empty message).
    func testEmptyFinalFragmentAfterData() throws {
        let deflater = try XCTUnwrap(MessageDeflater())
        let payloads = deflateMessage(deflater, fragments: [Samples.bytes("Hello"), []])
        XCTAssertEqual(payloads.last, [0x00])
        let inflater = try XCTUnwrap(MessageInflater())
        XCTAssertEqual(inflateMessage(inflater, payloads: payloads, chunkSize: 3).value, Samples.bytes("Hello"))
        XCTAssertEqual(inflateMessage(inflater, deflateMessage(deflater, Samples.bytes("Hello"))).value, Samples.bytes("Hello"))
    }

    /// The output array is appended to, never overwritten, and can be reused.
    func testDeflaterAppendsToReusableOutput() throws {
        let deflater = try XCTUnwrap(MessageDeflater(resetsContextPerMessage: true))
        var output: [UInt8] = [0xAA, 0xBB]
        XCTAssertTrue(deflater.compress(Samples.bytes("Hello"), appendingTo: &output))
        XCTAssertEqual(output, [0xAA, 0xBB, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00])
        output.removeAll(keepingCapacity: true)
        let capacity = output.capacity
        XCTAssertTrue(deflater.compress(Samples.bytes("Hello"), appendingTo: &output))
        XCTAssertEqual(output, [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00])
        XCTAssertEqual(output.capacity, capacity)
    }

    /// Context takeover makes a repeated message nearly free; without it the
    /// repeat costs as much as the original. A receiver that wrongly resets
    /// cannot follow a sender that refers back.
    func testContextTakeoverVersusNoContextTakeover() throws {
        var generator = SeededGenerator(seed: 3)
        let message = Samples.random(count: 2000, using: &generator)

        let keeping = try XCTUnwrap(MessageDeflater())
        let keptFirst = deflateMessage(keeping, message)
        let keptSecond = deflateMessage(keeping, message)
        XCTAssertGreaterThan(keptFirst.count, 2000)
        XCTAssertLessThan(keptSecond.count, 30)

        let resetting = try XCTUnwrap(MessageDeflater(resetsContextPerMessage: true))
        let resetFirst = deflateMessage(resetting, message)
        let resetSecond = deflateMessage(resetting, message)
        XCTAssertEqual(resetFirst, resetSecond)
        XCTAssertEqual(resetFirst, keptFirst)

        let keepingInflater = try XCTUnwrap(MessageInflater())
        XCTAssertEqual(inflateMessage(keepingInflater, keptFirst).value, message)
        XCTAssertEqual(inflateMessage(keepingInflater, keptSecond).value, message)

        let resettingInflater = try XCTUnwrap(MessageInflater(resetsContextPerMessage: true))
        XCTAssertEqual(inflateMessage(resettingInflater, resetFirst).value, message)
        XCTAssertEqual(inflateMessage(resettingInflater, resetSecond).value, message)
        XCTAssertEqual(inflateMessage(resettingInflater, keptFirst).value, message)
        XCTAssertEqual(inflateMessage(resettingInflater, keptSecond).error, .invalidData)
    }

    /// Every window size: the data repeats a 700-byte block at distances from
    /// 700 to 40000, so a small window must refrain from long references
    /// (a zlib decoder with the same small window, pulled a byte at a time,
    /// proves it did) and a large one compresses better. 8 compresses with 9
    /// yet stays within a 256-byte window.
    func testEveryWindowSizeRoundTripsWithinItsWindow() throws {
        var generator = SeededGenerator(seed: 4)
        let block = Samples.random(count: 700, using: &generator)
        var message: [UInt8] = []
        for round in 0..<8 {
            message += block
            message += Samples.random(count: round * 5000, using: &generator)
        }
        message += Samples.compressible(count: 20_000, using: &generator)
        var sizes: [Int: Int] = [:]
        for bits in 8...15 {
            let deflater = try XCTUnwrap(MessageDeflater(windowBits: bits))
            let inflater = try XCTUnwrap(MessageInflater(windowBits: bits))
            for _ in 0..<2 {
                let compressed = deflateMessage(deflater, message)
                sizes[bits] = compressed.count
                XCTAssert(inflateMessage(inflater, compressed, chunkSize: 1000).value == message, "window bits \(bits)")
                XCTAssertTrue(staysWithinWindow(compressed, bits: bits), "window bits \(bits)")
            }
        }
        XCTAssertLessThan(sizes[15]!, sizes[9]!)
        XCTAssertLessThanOrEqual(sizes[15]!, sizes[12]!)
    }

    /// zlib holds a stream to its window exactly only when each call writes
    /// one byte: it checks a reference against its saved window plus what
    /// the current call has written.
    private func staysWithinWindow(_ compressed: [UInt8], bits: Int) -> Bool {
        guard let zlib = ZlibInflater(windowBits: bits) else { return false }
        let stream = compressed + DeflateTail.bytes
        return stream.withUnsafeBytes { bytes in
            var input = bytes
            var byte: UInt8 = 0
            while !input.isEmpty {
                let before = input.count
                let (produced, outcome) = withUnsafeMutableBytes(of: &byte) { zlib.inflate(&input, into: $0) }
                if outcome == .dataError { return false }
                if produced == 0 && input.count == before { return false }
            }
            return true
        }
    }

    /// Every byte a message inflates to, the bytes before a failure
    /// included, and the step that ended it.
    private func pullAll(_ inflater: MessageInflater, _ pieces: [[UInt8]], chunkSize: Int) -> ([UInt8], InflateStep) {
        var bytes: [UInt8] = []
        var last = InflateStep.needInput
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        for (index, piece) in pieces.enumerated() where last == .needInput {
            piece.withUnsafeBytes { input in
                inflater.feed(input, isFinalFragmentOfMessage: index == pieces.count - 1)
                while true {
                    last = buffer.withUnsafeMutableBytes { inflater.nextChunk(into: $0) }
                    guard case .produced(let count) = last else { break }
                    bytes += buffer[..<count]
                }
            }
        }
        return (bytes, last)
    }

    /// A sender that breaks its window promise is decoded the same however
    /// the message is pulled. Found by the fuzzer: with a 256-byte window,
    /// the fuzz input below failed pulled in 3-byte chunks after 300 bytes
    /// but inflated further in 64-byte chunks, because zlib checks a
    /// reference against its saved window plus the current call's output.
    /// The decoder now always keeps the full 32 KiB window.
    func testReferenceBeyondPromisedWindowDecodesWhateverThePullSize() throws {
        let fuzzed: [UInt8] = [
            0xf2, 0x48, 0x12, 0x12, 0x12, 0x12, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0x4f, 0x4e, 0x2d, 0x29, 0x1e,
            0xe5, 0x21, 0x79, 0x34, 0x05, 0xa6, 0x45, 0x39, 0x89, 0x2d, 0xa9, 0x43, 0x49, 0x12, 0x12, 0x12,
            0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0x4f, 0x4e, 0x2d, 0x29, 0x1e, 0xe5, 0x21, 0x79, 0x34, 0x05, 0xa6,
            0x45, 0x39, 0x89, 0x2d, 0xa9, 0x43, 0x88, 0x00,
        ]
        let pieces = [Array(fuzzed[..<13]), Array(fuzzed[13..<18]), Array(fuzzed[18...])]
        for chunkSize in [1, 3, 64, 4096] {
            let inflater = try XCTUnwrap(MessageInflater(windowBits: 8, maxMessageSize: 65536))
            let (bytes, last) = pullAll(inflater, pieces, chunkSize: chunkSize)
            XCTAssertEqual(bytes.count, 630, "chunk \(chunkSize)")
            XCTAssertEqual(last, .error(.invalidData), "chunk \(chunkSize)")
        }

        // A full-window sender's reference 4000 bytes back, to a receiver
        // promised 512 bytes: the bytes meant, at every pull size.
        var generator = SeededGenerator(seed: 5)
        let block = Samples.random(count: 1000, using: &generator)
        let message = block + Samples.random(count: 3000, using: &generator) + block
        let compressed = deflateMessage(try XCTUnwrap(MessageDeflater(windowBits: 15)), message)
        XCTAssertFalse(staysWithinWindow(compressed, bits: 9))
        for chunkSize in [1, 7, 4096, 10_000] {
            let inflater = try XCTUnwrap(MessageInflater(windowBits: 9))
            XCTAssert(inflateMessage(inflater, compressed, chunkSize: chunkSize).value == message, "chunk \(chunkSize)")
        }
    }

    /// 16 MiB of zeros compresses to about 16 KB. With a 1 MiB limit the
    /// inflater hands out exactly 1 MiB through a 4 KiB buffer and stops;
    /// so it does with a limit that is no multiple of the buffer size.
    func testZipBombStopsAtLimitWithBoundedOutput() throws {
        let deflater = try XCTUnwrap(MessageDeflater())
        let bomb = deflateMessage(deflater, [UInt8](repeating: 0, count: 16 << 20))
        XCTAssertLessThan(bomb.count, 40_000)
        for limit in [1 << 20, 1_000_003] {
            try checkBomb(bomb, limit: limit)
        }
    }

    private func checkBomb(_ bomb: [UInt8], limit: Int) throws {
        let inflater = try XCTUnwrap(MessageInflater(maxMessageSize: limit))
        var buffer = [UInt8](repeating: 0xEE, count: 4096)
        var handedOut = 0
        var last: InflateStep = .needInput
        bomb.withUnsafeBytes { input in
            inflater.feed(input, isFinalFragmentOfMessage: true)
            while true {
                last = buffer.withUnsafeMutableBytes { inflater.nextChunk(into: $0) }
                guard case .produced(let count) = last else { break }
                handedOut += count
            }
        }
        XCTAssertEqual(last, .error(.messageTooBig))
        XCTAssertEqual(handedOut, limit)
        XCTAssertFalse(inflater.isMessageComplete)
        XCTAssertEqual(InflateError.messageTooBig.closeCode, .messageTooLarge)
        XCTAssertEqual(InflateError.messageTooBig.closeCode.rawValue, 1009)

        // The inflater stays failed; further input is ignored.
        XCTAssertEqual(buffer.withUnsafeMutableBytes { inflater.nextChunk(into: $0) }, .error(.messageTooBig))
        [UInt8]([0x00]).withUnsafeBytes { inflater.feed($0, isFinalFragmentOfMessage: true) }
        XCTAssertEqual(buffer.withUnsafeMutableBytes { inflater.nextChunk(into: $0) }, .error(.messageTooBig))
    }

    /// The limit counts the whole message across fragments and is exact: a
    /// message of exactly the limit passes, one byte more does not, and the
    /// count starts again with each message.
    func testMessageSizeLimitIsExactAndPerMessage() throws {
        var generator = SeededGenerator(seed: 6)
        let message = Samples.compressible(count: 10_000, using: &generator)
        let deflater = try XCTUnwrap(MessageDeflater())
        let payloads = deflateMessage(deflater, fragments: Samples.split(message, maxPieces: 5, using: &generator))
        let again = deflateMessage(deflater, fragments: Samples.split(message, maxPieces: 5, using: &generator))

        let exact = try XCTUnwrap(MessageInflater(maxMessageSize: 10_000))
        XCTAssert(inflateMessage(exact, payloads: payloads, chunkSize: 7).value == message)
        XCTAssert(inflateMessage(exact, payloads: again, chunkSize: 4096).value == message)

        let short = try XCTUnwrap(MessageInflater(maxMessageSize: 9_999))
        XCTAssertEqual(inflateMessage(short, payloads: payloads, chunkSize: 7).error, .messageTooBig)
    }

    func testGarbageIsInvalidData() throws {
        // BTYPE 11 is reserved (RFC 1951 section 3.2.3).
        let reserved = try XCTUnwrap(MessageInflater())
        XCTAssertEqual(inflateMessage(reserved, [0xff, 0xff, 0xff, 0xff]).error, .invalidData)
        XCTAssertEqual(InflateError.invalidData.closeCode, .invalidPayload)

        // A stored block whose NLEN is not LEN's complement.
        let stored = try XCTUnwrap(MessageInflater())
        XCTAssertEqual(inflateMessage(stored, [0x00, 0x05, 0x00, 0xfa, 0xfe, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00]).error,
                       .invalidData)

        var generator = SeededGenerator(seed: 8)
        for _ in 0..<50 {
            let inflater = try XCTUnwrap(MessageInflater(maxMessageSize: 1 << 20))
            let noise = Samples.random(count: 2000, using: &generator)
            XCTAssertNotNil(inflateMessage(inflater, noise, chunkSize: 512).error)
        }
    }

    /// A message whose compressed data was cut short does not end between
    /// blocks, even with the tail appended.
    func testTruncatedMessageIsInvalidData() throws {
        var generator = SeededGenerator(seed: 9)
        let deflater = try XCTUnwrap(MessageDeflater())
        let compressed = deflateMessage(deflater, Samples.compressible(count: 5000, using: &generator))
        let inflater = try XCTUnwrap(MessageInflater())
        XCTAssertEqual(inflateMessage(inflater, Array(compressed.dropLast(3))).error, .invalidData)

        // A stored block announcing 10 bytes that brings 2: the tail only
        // supplies 4 more, which zlib would happily take as data.
        let stored = try XCTUnwrap(MessageInflater())
        XCTAssertEqual(inflateMessage(stored, [0x00, 0x0a, 0x00, 0xf5, 0xff, 0x48, 0x65]).error, .invalidData)
    }

    /// The convenience initialisers pick each side's settings: the server's
    /// deflater and the client's inflater follow the server_* parameters.
    func testCodecsFromNegotiatedParameters() throws {
        let parameters = PerMessageDeflateParameters(serverNoContextTakeover: true, clientNoContextTakeover: false,
                                                     serverMaxWindowBits: 9, clientMaxWindowBits: 12)
        let serverDeflater = try XCTUnwrap(MessageDeflater(parameters: parameters, role: .server))
        let clientInflater = try XCTUnwrap(MessageInflater(parameters: parameters, role: .client))
        let clientDeflater = try XCTUnwrap(MessageDeflater(parameters: parameters, role: .client))
        let serverInflater = try XCTUnwrap(MessageInflater(parameters: parameters, role: .server, maxMessageSize: 100))
        XCTAssertTrue(serverDeflater.resetsContextPerMessage)
        XCTAssertTrue(clientInflater.resetsContextPerMessage)
        XCTAssertFalse(clientDeflater.resetsContextPerMessage)
        XCTAssertFalse(serverInflater.resetsContextPerMessage)
        XCTAssertEqual(serverInflater.maxMessageSize, 100)

        let hello = Samples.bytes("Hello")
        for _ in 0..<3 {
            XCTAssertEqual(inflateMessage(clientInflater, deflateMessage(serverDeflater, hello)).value, hello)
            XCTAssertEqual(inflateMessage(serverInflater, deflateMessage(clientDeflater, hello)).value, hello)
        }
    }
}
