import XCTest
import WebSocketProtocol

/// `FrameDecoder.nextSmallMessage` is a shortcut: whatever it takes must
/// decode exactly as `next` decodes it, and whatever it declines must be
/// left for `next` untouched.
final class SmallMessageTests: XCTestCase {
    func testAMaskedTextMessageIsTakenWholeAndUnmasked() {
        var decoder = FrameDecoder(role: .server)
        var bytes = wireFrame(0x1, key: rfcKey, hello) + [0x82]
        bytes.withUnsafeMutableBytes { buffer in
            var consumed = 0
            let message = decoder.nextSmallMessage(buffer, consumed: &consumed, maxPayload: 4096)
            XCTAssertEqual(message, SmallMessage(isText: true, payload: 6..<11))
            XCTAssertEqual(Array(buffer[6..<11]), hello)
            XCTAssertEqual(consumed, 11)
            XCTAssertTrue(decoder.isBetweenMessages)
            XCTAssertTrue(decoder.currentFrameIsFinal)
            XCTAssertEqual(decoder.remainingPayloadInFrame, 0)
            XCTAssertNil(decoder.nextSmallMessage(buffer, consumed: &consumed, maxPayload: 4096),
                         "a lone first byte is not a message")
            XCTAssertEqual(consumed, 11)
        }
    }

    func testWhatItDeclinesIsLeftAsItWas() {
        let declined: [(String, FrameDecoder, [UInt8], Int)] = [
            ("not final", FrameDecoder(role: .client), wireFrame(0x1, fin: false, hello), 100),
            ("continuation", FrameDecoder(role: .client), wireFrame(0x0, hello), 100),
            ("ping", FrameDecoder(role: .client), wireFrame(0x9, hello), 100),
            ("RSV1", FrameDecoder(role: .client, allowedRSV: 4), wireFrame(0x1, rsv: 4, hello), 100),
            ("empty", FrameDecoder(role: .client), wireFrame(0x2, []), 100),
            ("16-bit length", FrameDecoder(role: .client), wireFrame(0x2, Array(repeating: 7, count: 126)), 1000),
            ("payload cut short", FrameDecoder(role: .client), Array(wireFrame(0x2, hello).dropLast()), 100),
            ("larger than a piece", FrameDecoder(role: .client), wireFrame(0x2, hello), 4),
            ("unmasked to a server", FrameDecoder(role: .server), wireFrame(0x2, hello), 100),
            ("masked to a client", FrameDecoder(role: .client), wireFrame(0x2, key: rfcKey, hello), 100),
            ("over the frame limit", FrameDecoder(role: .client, maxFramePayload: 4), wireFrame(0x2, hello), 100),
            ("over the message limit", FrameDecoder(role: .client, maxMessageSize: 4), wireFrame(0x2, hello), 100),
        ]
        for (name, original, frame, maxPayload) in declined {
            var decoder = original
            var bytes = frame
            bytes.withUnsafeMutableBytes { buffer in
                var consumed = 0
                XCTAssertNil(decoder.nextSmallMessage(buffer, consumed: &consumed, maxPayload: maxPayload), name)
                XCTAssertEqual(consumed, 0, name)
            }
            XCTAssertEqual(bytes, frame, "\(name): bytes changed")
            var reference = original
            XCTAssertEqual(decode(frame, with: &decoder), decode(frame, with: &reference), name)
        }
    }

    /// Random streams of valid and invalid frames, split at random, decode
    /// to the same events, and leave the same decoder state, whether small
    /// messages are taken whole or not.
    func testTakingSmallMessagesChangesNoEvent() {
        var random = SplitMix64(state: 0x5EED_0F_5A11)
        for round in 0..<400 {
            let role: FrameDecoder.Role = random.next() % 2 == 0 ? .server : .client
            let limits: [UInt64] = [0, 0, 40, 100]
            let original = FrameDecoder(role: role, allowedRSV: random.next() % 3 == 0 ? 4 : 0,
                                        maxFramePayload: limits.randomElement(using: &random)!,
                                        maxMessageSize: limits.randomElement(using: &random)!)
            let stream = randomFrames(role: role, using: &random)
            let splits = (0..<4).map { _ in Int(random.next() % 200) + 1 }
            let maxPayload = [3, 64, 125, 4096][Int(random.next() % 4)]

            var plain = original
            var shortcut = original
            let expected = decode(stream, with: &plain, chunkSizes: splits)
            let actual = decode(stream, with: &shortcut, chunkSizes: splits, smallMessagesUpTo: maxPayload)
            XCTAssertEqual(actual, expected, "round \(round)")
            XCTAssertEqual(shortcut.isBetweenMessages, plain.isBetweenMessages, "round \(round)")
            XCTAssertEqual(shortcut.remainingPayloadInFrame, plain.remainingPayloadInFrame, "round \(round)")
            XCTAssertEqual(shortcut.currentFrameIsFinal, plain.currentFrameIsFinal, "round \(round)")
        }
    }

    /// Mostly well-formed frames for `role`'s peer, with the occasional
    /// rule broken (wrong masking, stray continuation, reserved opcode or
    /// bit), so both the shortcut's and the rules' edges are crossed.
    private func randomFrames(role: FrameDecoder.Role, using random: inout SplitMix64) -> [UInt8] {
        var out: [UInt8] = []
        var inMessage = false
        for _ in 0..<Int(random.next() % 12) + 1 {
            let lengths = [0, 1, 5, 64, 125, 126, 300]
            let length = lengths[Int(random.next() % UInt64(lengths.count))]
            var payload = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let kind = random.next() % 20
            var opcode: UInt8 = random.next() % 2 == 0 ? 0x1 : 0x2
            var fin = true
            var rsv: UInt8 = 0
            switch kind {
            case 0..<10: break
            case 10..<13: fin = false
            case 13..<15: opcode = 0x9; payload = Array(payload.prefix(10))
            case 15: opcode = 0x0
            case 16: opcode = 0x3
            case 17: rsv = 4
            default: break
            }
            if inMessage && opcode < 0x8 && kind != 18 { opcode = 0x0 }
            if opcode < 0x8 { inMessage = !fin }
            let wantMask = (role == .server) != (kind == 19)
            out += wireFrame(opcode, fin: fin, rsv: rsv, key: wantMask ? rfcKey : nil, payload)
        }
        return out
    }
}
