import XCTest
import WebSocketProtocol

/// A decoder event with its payload bytes copied out of the caller's buffer,
/// so the output of different splits of one input can be compared.
enum Decoded: Equatable {
    case start(FrameInfo)
    case data([UInt8])
    case end
    case control(Opcode, [UInt8])
    case error(CloseCode)
}

extension Decoded: CustomStringConvertible {
    /// Payloads of up to 70 000 bytes are summarised, so a failure message
    /// stays readable: length, first bytes and a checksum.
    var description: String {
        switch self {
        case .start(let info):
            return "start(\(info.opcode.rawValue)/\(info.messageOpcode.rawValue) fin=\(info.fin) rsv=\(info.rsv) "
                + "len=\(info.payloadLength) first=\(info.isFirstFrameOfMessage))"
        case .data(let bytes):
            let sum = bytes.reduce(UInt32(0)) { ($0 &* 31) &+ UInt32($1) }
            return "data(\(bytes.count) bytes \(Array(bytes.prefix(8))) sum=\(sum))"
        case .end:
            return "end"
        case .control(let opcode, let payload):
            return "control(\(opcode.rawValue), \(payload))"
        case .error(let code):
            return "error(\(code.rawValue))"
        }
    }
}

/// Feeds `bytes` to `decoder` in chunks of `chunkSizes` (cycled), each chunk
/// in a fresh buffer starting at an odd address, checks the `next` contract
/// on every call, and returns the events with adjacent payloads merged.
///
/// With `smallMessagesUpTo`, every call first offers the bytes to
/// `nextSmallMessage` (a message it takes is recorded as the three events
/// `next` would have given) and `next` returns payload pieces of at most
/// that size.
func decode(_ bytes: [UInt8], with decoder: inout FrameDecoder, chunkSizes: [Int] = [Int.max],
            smallMessagesUpTo maxPayload: Int? = nil,
            file: StaticString = #filePath, line: UInt = #line) -> [Decoded] {
    var events: [Decoded] = []
    var position = 0
    var chunkIndex = 0
    // One more pass with an empty buffer proves nothing is left pending.
    var fedEmptyTail = false
    while position < bytes.count || !fedEmptyTail {
        let size = min(chunkSizes[chunkIndex % chunkSizes.count], bytes.count - position)
        chunkIndex += 1
        if position == bytes.count { fedEmptyTail = true }
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: size + 1, alignment: 8)
        defer { storage.deallocate() }
        let buffer = UnsafeMutableRawBufferPointer(rebasing: storage[1...])
        buffer.copyBytes(from: bytes[position ..< position + size])
        position += size

        var consumed = 0
        var calls = 0
        while true {
            calls += 1
            if calls > size + 64 {
                XCTFail("decoder does not make progress", file: file, line: line)
                return events
            }
            let before = consumed
            if let maxPayload, let message = decoder.nextSmallMessage(buffer, consumed: &consumed,
                                                                       maxPayload: maxPayload) {
                let payload = Array(buffer[message.payload])
                events += [.start(info(message.isText ? .text : .binary, length: UInt64(payload.count))),
                           .data(payload), .end]
                continue
            }
            let event = decoder.next(buffer, consumed: &consumed, maxPayload: maxPayload ?? .max)
            XCTAssertGreaterThanOrEqual(consumed, before, file: file, line: line)
            XCTAssertLessThanOrEqual(consumed, buffer.count, file: file, line: line)
            if case .needMoreData = event {
                XCTAssertEqual(consumed, buffer.count, "needMoreData before the buffer was used up",
                               file: file, line: line)
            }
            if case .payload(let range) = event {
                XCTAssertFalse(range.isEmpty, file: file, line: line)
                XCTAssertEqual(range.lowerBound, before, file: file, line: line)
                XCTAssertEqual(range.upperBound, consumed, file: file, line: line)
            }
            if record(event, from: buffer, in: &events) { return events }
            if case .needMoreData = event { break }
        }
    }
    return events
}

/// Appends `event` to `events`, a payload copied out of `buffer` and merged
/// with the payload just before it; true once decoding has ended in an error.
func record(_ event: FrameEvent, from buffer: UnsafeMutableRawBufferPointer, in events: inout [Decoded]) -> Bool {
    switch event {
    case .needMoreData:
        break
    case .frameStart(let info):
        events.append(.start(info))
    case .payload(let range):
        let chunk = Array(UnsafeMutableRawBufferPointer(rebasing: buffer[range]))
        if case .data(let previous)? = events.last {
            events[events.count - 1] = .data(previous + chunk)
        } else {
            events.append(.data(chunk))
        }
    case .frameEnd:
        events.append(.end)
    case .control(let opcode, let payload):
        events.append(.control(opcode, payload))
    case .protocolError(let code):
        events.append(.error(code))
        return true
    }
    return false
}

/// Builds a frame by hand, independently of `FrameEncoder`.
func wireFrame(_ opcode: UInt8, fin: Bool = true, rsv: UInt8 = 0, key: [UInt8]? = nil,
               _ payload: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [(fin ? 0x80 : 0) | rsv << 4 | opcode]
    let maskBit: UInt8 = key == nil ? 0 : 0x80
    let n = payload.count
    if n < 126 {
        out.append(maskBit | UInt8(n))
    } else if n < 65536 {
        out += [maskBit | 126, UInt8(n >> 8), UInt8(n & 0xFF)]
    } else {
        out.append(maskBit | 127)
        for shift in stride(from: 56, through: 0, by: -8) {
            out.append(UInt8((n >> shift) & 0xFF))
        }
    }
    if let key {
        out += key
        out += payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
    } else {
        out += payload
    }
    return out
}

/// Deterministic split sizes for the random-split tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let hello = Array("Hello".utf8)
let rfcKey: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]

func info(_ opcode: Opcode, message: Opcode? = nil, fin: Bool = true, rsv: UInt8 = 0, length: UInt64,
          first: Bool? = nil) -> FrameInfo {
    FrameInfo(opcode: opcode, messageOpcode: message ?? opcode, fin: fin, rsv: rsv, payloadLength: length,
              isFirstFrameOfMessage: first ?? (opcode != .continuation))
}

final class FrameDecoderTests: XCTestCase {
    // MARK: RFC 6455 section 5.7 examples

    func testSingleFrameUnmaskedText() {
        var decoder = FrameDecoder(role: .client)
        let events = decode([0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F], with: &decoder)
        XCTAssertEqual(events, [.start(info(.text, length: 5)), .data(hello), .end])
        XCTAssertEqual(decoder.remainingPayloadInFrame, 0)
        XCTAssertTrue(decoder.currentFrameIsFinal)
    }

    func testSingleFrameMaskedTextIsUnmaskedInPlace() {
        var bytes: [UInt8] = [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58]
        var decoder = FrameDecoder(role: .server)
        var received: [FrameEvent] = []
        bytes.withUnsafeMutableBytes { buffer in
            var consumed = 0
            while true {
                let event = decoder.next(buffer, consumed: &consumed)
                received.append(event)
                if event == .needMoreData { break }
            }
        }
        XCTAssertEqual(received, [.frameStart(info(.text, length: 5)), .payload(6..<11), .frameEnd, .needMoreData])
        XCTAssertEqual(Array(bytes[6...]), hello)
    }

    /// A receiver that stops after one capped payload piece must find the
    /// rest of the frame still masked in its buffer, so it can keep those
    /// bytes and feed them again later (flow control inside RECEIVE).
    func testMaxPayloadLeavesTheRestMaskedForLater() {
        let payload = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var bytes = wireFrame(0x2, key: rfcKey, payload)
        var decoder = FrameDecoder(role: .server)
        var firstPiece: [UInt8] = []
        var stoppedAt = 0
        bytes.withUnsafeMutableBytes { buffer in
            var consumed = 0
            XCTAssertEqual(decoder.next(buffer, consumed: &consumed, maxPayload: 128), .frameStart(info(.binary, length: 1000)))
            guard case .payload(let range) = decoder.next(buffer, consumed: &consumed, maxPayload: 128) else {
                return XCTFail("expected payload")
            }
            XCTAssertEqual(range.count, 128)
            firstPiece = Array(UnsafeMutableRawBufferPointer(rebasing: buffer[range]))
            stoppedAt = consumed
        }
        XCTAssertEqual(firstPiece, Array(payload[0..<128]))
        XCTAssertEqual(decoder.remainingPayloadInFrame, 872)
        // The undelivered bytes are untouched wire bytes; fed again in a new
        // buffer (in odd-sized pieces) they decode to the rest of the frame.
        let rest = Array(bytes[stoppedAt...])
        XCTAssertEqual(rest, Array(wireFrame(0x2, key: rfcKey, payload)[stoppedAt...]))
        let events = decode(rest, with: &decoder, chunkSizes: [13, 200, 7])
        XCTAssertEqual(events, [.data(Array(payload[128...])), .end])
    }

    func testFragmentedUnmaskedText() {
        var decoder = FrameDecoder(role: .client)
        let events = decode([0x01, 0x03, 0x48, 0x65, 0x6C, 0x80, 0x02, 0x6C, 0x6F], with: &decoder)
        XCTAssertEqual(events, [
            .start(info(.text, fin: false, length: 3)), .data(Array("Hel".utf8)), .end,
            .start(info(.continuation, message: .text, length: 2)), .data(Array("lo".utf8)), .end,
        ])
    }

    /// A receiver drops its decoder whenever this is true, so it must be
    /// false inside a header, a payload, a control frame and between the
    /// frames of a fragmented message, and true only once a message ended.
    func testIsBetweenMessagesOnlyAtMessageBoundaries() {
        var decoder = FrameDecoder(role: .client)
        XCTAssertTrue(decoder.isBetweenMessages)
        // Text "Hel" (FIN clear), a ping in between, then "lo" (FIN), fed
        // one byte at a time.
        let bytes: [UInt8] = [0x01, 0x03, 0x48, 0x65, 0x6C, 0x89, 0x01, 0x21, 0x80, 0x02, 0x6C, 0x6F]
        var atRest: [Bool] = []
        for byte in bytes {
            var copy = [byte]
            copy.withUnsafeMutableBytes { buffer in
                var consumed = 0
                while true {
                    let event = decoder.next(buffer, consumed: &consumed, maxPayload: .max)
                    if case .needMoreData = event { break }
                }
            }
            atRest.append(decoder.isBetweenMessages)
        }
        // Decoding until more data is needed reports a frame's end right
        // after its last payload byte: only the last byte ends the message.
        XCTAssertEqual(atRest, [false, false, false, false, false, false, false, false, false, false, false, true])
    }

    /// takeFrameEnd ends a frame only once its payload has all been
    /// returned, and then the decoder goes on with the next frame as after
    /// a reported `.frameEnd`.
    func testTakeFrameEndOnlyAfterTheLastPayloadByte() {
        var decoder = FrameDecoder(role: .client)
        var bytes: [UInt8] = [0x81, 0x05] + Array("Hello".utf8) + [0x82, 0x01, 0x2A]
        bytes.withUnsafeMutableBytes { buffer in
            var consumed = 0
            XCTAssertFalse(decoder.takeFrameEnd(), "no frame yet")
            guard case .frameStart = decoder.next(buffer, consumed: &consumed) else { return XCTFail("no start") }
            XCTAssertFalse(decoder.takeFrameEnd(), "no payload returned yet")
            guard case .payload(let first) = decoder.next(buffer, consumed: &consumed, maxPayload: 3) else {
                return XCTFail("no payload")
            }
            XCTAssertEqual(first.count, 3)
            XCTAssertFalse(decoder.takeFrameEnd(), "two bytes still to come")
            guard case .payload(let rest) = decoder.next(buffer, consumed: &consumed) else { return XCTFail("no rest") }
            XCTAssertEqual(rest.count, 2)
            XCTAssertTrue(decoder.takeFrameEnd())
            XCTAssertTrue(decoder.isBetweenMessages)
            XCTAssertFalse(decoder.takeFrameEnd(), "ended once")
            guard case .frameStart(let next) = decoder.next(buffer, consumed: &consumed) else {
                return XCTFail("the next frame does not follow")
            }
            XCTAssertEqual(next.opcode, .binary)
        }
    }

    func testUnmaskedPingAndMaskedPong() {
        var client = FrameDecoder(role: .client)
        XCTAssertEqual(decode([0x89, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F], with: &client),
                       [.control(.ping, hello)])
        var server = FrameDecoder(role: .server)
        XCTAssertEqual(decode([0x8A, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58], with: &server),
                       [.control(.pong, hello)])
    }

    func test256ByteBinaryWith16BitLength() {
        let payload = (0..<256).map { UInt8(truncatingIfNeeded: $0) }
        var decoder = FrameDecoder(role: .client)
        let events = decode([0x82, 0x7E, 0x01, 0x00] + payload, with: &decoder)
        XCTAssertEqual(events, [.start(info(.binary, length: 256)), .data(payload), .end])
    }

    func test64KiBBinaryWith64BitLength() {
        let payload = (0..<65536).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        var decoder = FrameDecoder(role: .client)
        let events = decode([0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00] + payload, with: &decoder,
                            chunkSizes: [4096])
        XCTAssertEqual(events, [.start(info(.binary, length: 65536)), .data(payload), .end])
    }

    // MARK: Frame shapes

    func testZeroLengthFramesHaveNoPayloadEvent() {
        var decoder = FrameDecoder(role: .client)
        XCTAssertEqual(decode([0x81, 0x00, 0x82, 0x00, 0x89, 0x00], with: &decoder), [
            .start(info(.text, length: 0)), .end,
            .start(info(.binary, length: 0)), .end,
            .control(.ping, []),
        ])
        var server = FrameDecoder(role: .server)
        XCTAssertEqual(decode([0x82, 0x80, 1, 2, 3, 4, 0x8A, 0x80, 1, 2, 3, 4], with: &server),
                       [.start(info(.binary, length: 0)), .end, .control(.pong, [])])
    }

    func testControlFramesInterleavedWithFragments() {
        let stream = wireFrame(0x1, fin: false, Array("Hel".utf8))
            + wireFrame(0x9, Array("x".utf8))
            + wireFrame(0x0, fin: false, Array("l".utf8))
            + wireFrame(0xA, [])
            + wireFrame(0x9, (0..<125).map { UInt8($0) })
            + wireFrame(0x0, fin: false, [])
            + wireFrame(0x0, Array("o".utf8))
            + wireFrame(0x8, [0x03, 0xE8])
        let expected: [Decoded] = [
            .start(info(.text, fin: false, length: 3)), .data(Array("Hel".utf8)), .end,
            .control(.ping, Array("x".utf8)),
            .start(info(.continuation, message: .text, fin: false, length: 1)), .data(Array("l".utf8)), .end,
            .control(.pong, []),
            .control(.ping, (0..<125).map { UInt8($0) }),
            .start(info(.continuation, message: .text, fin: false, length: 0)), .end,
            .start(info(.continuation, message: .text, length: 1)), .data(Array("o".utf8)), .end,
            .control(.close, [0x03, 0xE8]),
        ]
        var decoder = FrameDecoder(role: .client)
        XCTAssertEqual(decode(stream, with: &decoder), expected)
    }

    func testMessagesFollowEachOtherAfterAFragmentedMessage() {
        let stream = wireFrame(0x2, fin: false, key: rfcKey, [1, 2]) + wireFrame(0x0, key: rfcKey, [3])
            + wireFrame(0x1, key: [9, 9, 9, 9], hello)
        var decoder = FrameDecoder(role: .server)
        XCTAssertEqual(decode(stream, with: &decoder), [
            .start(info(.binary, fin: false, length: 2)), .data([1, 2]), .end,
            .start(info(.continuation, message: .binary, length: 1)), .data([3]), .end,
            .start(info(.text, length: 5)), .data(hello), .end,
        ])
    }

    func testRemainingPayloadAndFinalFlagTrackTheCurrentDataFrame() {
        let payload = (0..<10).map { UInt8($0) }
        var bytes = wireFrame(0x2, fin: false, payload) + wireFrame(0x9, [7]) + wireFrame(0x0, [42])
        var decoder = FrameDecoder(role: .client)
        var remaining: [UInt64] = []
        var finals: [Bool] = []
        bytes.withUnsafeMutableBytes { all in
            // Chunks of 4 bytes, as if the socket returned them one by one.
            var start = 0
            while start < all.count {
                let chunk = UnsafeMutableRawBufferPointer(rebasing: all[start ..< min(start + 4, all.count)])
                var consumed = 0
                loop: while true {
                    switch decoder.next(chunk, consumed: &consumed) {
                    case .needMoreData: break loop
                    case .payload, .frameStart, .control:
                        remaining.append(decoder.remainingPayloadInFrame)
                        finals.append(decoder.currentFrameIsFinal)
                    default: break
                    }
                }
                start += 4
            }
        }
        // Header (2) + 2 bytes, 4, 4 of the 10-byte frame; then the ping does
        // not disturb the counters; then the 1-byte final frame.
        XCTAssertEqual(remaining, [10, 8, 4, 0, 0, 1, 0])
        XCTAssertEqual(finals, [false, false, false, false, false, true, true])
    }

    func testRSVBitsAreReportedWhenAllowed() {
        var decoder = FrameDecoder(role: .client, allowedRSV: FrameHeader.rsv1)
        XCTAssertEqual(decode(wireFrame(0x1, fin: false, rsv: 4, [1]) + wireFrame(0x0, [2]), with: &decoder), [
            .start(info(.text, fin: false, rsv: 4, length: 1)), .data([1]), .end,
            .start(info(.continuation, message: .text, length: 1)), .data([2]), .end,
        ])
    }

    func testAllowedRSVCanChangeAfterTheHandshake() {
        var decoder = FrameDecoder(role: .client)
        decoder.allowedRSV = FrameHeader.rsv1 | FrameHeader.rsv3
        XCTAssertEqual(decode(wireFrame(0x2, rsv: 5, [1]), with: &decoder),
                       [.start(info(.binary, rsv: 5, length: 1)), .data([1]), .end])
        decoder.allowedRSV = 0
        XCTAssertEqual(decode(wireFrame(0x2, rsv: 4, [1]), with: &decoder), [.error(.protocolError)])
    }

    func testOwnedRSV2And3MayAppearOnControlFrames() {
        var decoder = FrameDecoder(role: .client, allowedRSV: 3)
        XCTAssertEqual(decode(wireFrame(0x9, rsv: 3, [1]), with: &decoder), [.control(.ping, [1])])
    }

    // MARK: Errors

    /// Decodes `bytes` whole and split in every way, expecting the same
    /// events ending in `code`, and checks the error is sticky.
    private func assertFails(_ bytes: [UInt8], role: FrameDecoder.Role = .client, allowedRSV: UInt8 = 0,
                             maxFramePayload: UInt64 = 0, maxMessageSize: UInt64 = 0,
                             with code: CloseCode, after prefix: [Decoded] = [],
                             file: StaticString = #filePath, line: UInt = #line) {
        func fresh() -> FrameDecoder {
            FrameDecoder(role: role, allowedRSV: allowedRSV, maxFramePayload: maxFramePayload,
                         maxMessageSize: maxMessageSize)
        }
        var whole = fresh()
        XCTAssertEqual(decode(bytes, with: &whole, file: file, line: line), prefix + [.error(code)],
                       file: file, line: line)
        var bytewise = fresh()
        XCTAssertEqual(decode(bytes, with: &bytewise, chunkSizes: [1], file: file, line: line),
                       prefix + [.error(code)], file: file, line: line)

        var junk: [UInt8] = [0x81, 0x00]
        junk.withUnsafeMutableBytes { buffer in
            var consumed = 0
            XCTAssertEqual(whole.next(buffer, consumed: &consumed), .protocolError(code), file: file, line: line)
            XCTAssertEqual(consumed, 0, "a failed decoder consumes nothing", file: file, line: line)
        }
    }

    func testUnmaskedFrameSentToServer() {
        assertFails(wireFrame(0x1, hello), role: .server, with: .protocolError)
        assertFails(wireFrame(0x9, []), role: .server, with: .protocolError)
    }

    func testMaskedFrameSentToClient() {
        assertFails(wireFrame(0x1, key: rfcKey, hello), role: .client, with: .protocolError)
        assertFails(wireFrame(0x8, key: rfcKey, []), role: .client, with: .protocolError)
    }

    func testRSVBitsNotOwnedByAnExtension() {
        for rsv: UInt8 in 1...7 {
            assertFails(wireFrame(0x1, rsv: rsv, hello), with: .protocolError)
        }
        assertFails(wireFrame(0x2, rsv: 2, [1]), allowedRSV: FrameHeader.rsv1, with: .protocolError)
        assertFails(wireFrame(0x2, rsv: 5, [1]), allowedRSV: FrameHeader.rsv1, with: .protocolError)
    }

    func testReservedOpcodes() {
        for opcode: UInt8 in [3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF] {
            assertFails(wireFrame(opcode, []), with: .protocolError)
        }
    }

    func testErrorIsReportedAtTheOffendingByte() {
        var decoder = FrameDecoder(role: .client)
        var bytes: [UInt8] = [0x83, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        bytes.withUnsafeMutableBytes { buffer in
            var consumed = 0
            XCTAssertEqual(decoder.next(buffer, consumed: &consumed), .protocolError(.protocolError))
            XCTAssertEqual(consumed, 1)
        }
    }

    func testFragmentedControlFrames() {
        assertFails(wireFrame(0x9, fin: false, [1]), with: .protocolError)
        assertFails(wireFrame(0x8, fin: false, []), with: .protocolError)
        assertFails(wireFrame(0xA, fin: false, []), with: .protocolError)
    }

    func testControlPayloadOver125Bytes() {
        assertFails(wireFrame(0x9, [UInt8](repeating: 0, count: 126)), with: .protocolError)
        assertFails(wireFrame(0x8, [UInt8](repeating: 0, count: 65536)), with: .protocolError)
        assertFails([0x8A, 0x7E, 0x00, 0x05] + hello, with: .protocolError)  // small length, long form
        var decoder = FrameDecoder(role: .client)
        XCTAssertEqual(decode(wireFrame(0x9, [UInt8](repeating: 7, count: 125)), with: &decoder),
                       [.control(.ping, [UInt8](repeating: 7, count: 125))])
    }

    func testContinuationWithoutAMessage() {
        assertFails(wireFrame(0x0, hello), with: .protocolError)
        assertFails(wireFrame(0x1, hello) + wireFrame(0x0, hello), with: .protocolError,
                    after: [.start(info(.text, length: 5)), .data(hello), .end])
    }

    func testNewMessageInsideAFragmentedMessage() {
        let first = wireFrame(0x1, fin: false, hello)
        let started: [Decoded] = [.start(info(.text, fin: false, length: 5)), .data(hello), .end]
        assertFails(first + wireFrame(0x1, hello), with: .protocolError, after: started)
        assertFails(first + wireFrame(0x9, []) + wireFrame(0x2, hello), with: .protocolError,
                    after: started + [.control(.ping, [])])
    }

    func testLengthWithMostSignificantBitSet() {
        assertFails([0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 1], with: .protocolError)
        assertFails([0x82, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], role: .server,
                    with: .protocolError)
    }

    func testLargestLegal64BitLengthIsAnnounced() {
        var decoder = FrameDecoder(role: .client)
        XCTAssertEqual(decode([0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2], with: &decoder),
                       [.start(info(.binary, length: UInt64(Int64.max))), .data([1, 2])])
        XCTAssertEqual(decoder.remainingPayloadInFrame, UInt64(Int64.max) - 2)
    }

    func testRSV1OnControlFrameEvenWhenAllowed() {
        assertFails(wireFrame(0x9, rsv: 4, []), allowedRSV: 7, with: .protocolError)
        assertFails(wireFrame(0x8, rsv: 4, [0x03, 0xE8]), allowedRSV: FrameHeader.rsv1, with: .protocolError)
    }

    func testFramePayloadLimit() {
        assertFails(wireFrame(0x2, [UInt8](repeating: 1, count: 11)), maxFramePayload: 10, with: .messageTooLarge)
        var decoder = FrameDecoder(role: .client, maxFramePayload: 10)
        let ten = [UInt8](repeating: 1, count: 10)
        XCTAssertEqual(decode(wireFrame(0x2, ten) + wireFrame(0x9, [UInt8](repeating: 2, count: 100)), with: &decoder),
                       [.start(info(.binary, length: 10)), .data(ten), .end,
                        .control(.ping, [UInt8](repeating: 2, count: 100))])
    }

    func testMessageSizeLimitAcrossFragments() {
        let fragments = wireFrame(0x1, fin: false, [1, 2, 3, 4]) + wireFrame(0x0, fin: false, [5, 6, 7])
        let accepted: [Decoded] = [
            .start(info(.text, fin: false, length: 4)), .data([1, 2, 3, 4]), .end,
            .start(info(.continuation, message: .text, fin: false, length: 3)), .data([5, 6, 7]), .end,
        ]
        assertFails(fragments + wireFrame(0x0, [8, 9]), maxMessageSize: 8, with: .messageTooLarge, after: accepted)

        var decoder = FrameDecoder(role: .client, maxMessageSize: 8)
        // Exactly at the limit, then a new message starts counting from zero.
        XCTAssertEqual(decode(fragments + wireFrame(0x0, [8]) + wireFrame(0x2, [1, 2, 3, 4, 5, 6, 7, 8]),
                              with: &decoder),
                       accepted + [.start(info(.continuation, message: .text, length: 1)), .data([8]), .end,
                                   .start(info(.binary, length: 8)), .data([1, 2, 3, 4, 5, 6, 7, 8]), .end])
    }

    // MARK: Splitting

    private var sampleStreams: [(FrameDecoder.Role, [UInt8])] {
        let big = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 151) }
        let medium = (0..<300).map { UInt8(truncatingIfNeeded: $0) }
        let client = wireFrame(0x1, hello) + wireFrame(0x2, fin: false, medium) + wireFrame(0x9, hello)
            + wireFrame(0x0, fin: false, []) + wireFrame(0xA, [1]) + wireFrame(0x0, big)
            + wireFrame(0x8, [0x03, 0xE8, 0x62, 0x79, 0x65])
        let server = wireFrame(0x1, key: rfcKey, hello) + wireFrame(0x2, fin: false, key: [1, 2, 3, 4], medium)
            + wireFrame(0x9, key: [0xFF, 0, 0xFF, 0], hello) + wireFrame(0x0, fin: false, key: rfcKey, [])
            + wireFrame(0xA, key: rfcKey, [1]) + wireFrame(0x0, key: [0xDE, 0xAD, 0xBE, 0xEF], big)
            + wireFrame(0x8, key: rfcKey, [0x03, 0xE8, 0x62, 0x79, 0x65])
        return [(.client, client), (.server, server)]
    }

    func testOneByteAtATimeMatchesWholeBuffer() {
        for (role, stream) in sampleStreams {
            var whole = FrameDecoder(role: role)
            let expected = decode(stream, with: &whole)
            XCTAssertEqual(expected.count, 14)
            XCTAssertFalse(expected.contains { if case .error = $0 { return true } else { return false } })
            var bytewise = FrameDecoder(role: role)
            XCTAssertEqual(decode(stream, with: &bytewise, chunkSizes: [1]), expected)
        }
    }

    func testRandomSplitsMatchWholeBuffer() {
        var random = SplitMix64(state: 6455)
        for (role, stream) in sampleStreams {
            var whole = FrameDecoder(role: role)
            let expected = decode(stream, with: &whole)
            for _ in 0..<40 {
                let sizes = (0..<50).map { _ in Int.random(in: 1...600, using: &random) }
                var decoder = FrameDecoder(role: role)
                XCTAssertEqual(decode(stream, with: &decoder, chunkSizes: sizes), expected, "sizes \(sizes)")
            }
            var spliced = FrameDecoder(role: role)
            XCTAssertEqual(decode(stream, with: &spliced, chunkSizes: [2, 3, 5, 7, 11, 13]), expected)
        }
    }

    func testUnmaskedContentOfSplitMaskedStream() {
        let payload = (0..<999).map { UInt8(truncatingIfNeeded: $0 &* 3) }
        let stream = wireFrame(0x2, key: [0x11, 0x22, 0x33, 0x44], payload)
        for size in [1, 2, 3, 5, 9, 17, 100] {
            var decoder = FrameDecoder(role: .server)
            XCTAssertEqual(decode(stream, with: &decoder, chunkSizes: [size]),
                           [.start(info(.binary, length: 999)), .data(payload), .end], "chunk size \(size)")
        }
    }
}
