import XCTest
import WebSocketProtocol

final class FrameEncoderTests: XCTestCase {
    /// LWS_SEND_BUFFER_PRE_PADDING: the space callers leave before a payload.
    private let prePadding = 18

    /// Writes `header` in front of `payload` as `libwebsocket_write` does and
    /// returns the frame bytes; also checks nothing before the header was
    /// touched.
    private func encode(_ header: FrameHeader, _ payload: [UInt8],
                        file: StaticString = #filePath, line: UInt = #line) -> [UInt8] {
        var buffer = [UInt8](repeating: 0xEE, count: prePadding) + payload
        let written = buffer.withUnsafeMutableBytes { raw -> Int in
            let end = raw.baseAddress! + prePadding
            let length = FrameEncoder.writeHeader(header, endingAt: end)
            header.maskingKey?.apply(to: UnsafeMutableRawBufferPointer(rebasing: raw[prePadding...]), startingAt: 0)
            return length
        }
        XCTAssertEqual(written, FrameEncoder.headerLength(payloadLength: payload.count,
                                                          masked: header.maskingKey != nil), file: file, line: line)
        XCTAssertLessThanOrEqual(written, FrameEncoder.maxHeaderLength, file: file, line: line)
        XCTAssertEqual(Array(buffer[..<(prePadding - written)]),
                       [UInt8](repeating: 0xEE, count: prePadding - written), file: file, line: line)
        return Array(buffer[(prePadding - written)...])
    }

    func testHeaderLengths() {
        let cases: [(Int, Bool, Int)] = [
            (0, false, 2), (1, false, 2), (125, false, 2), (126, false, 4), (127, false, 4),
            (65535, false, 4), (65536, false, 10), (Int.max, false, 10),
            (0, true, 6), (125, true, 6), (126, true, 8), (65535, true, 8), (65536, true, 14),
        ]
        for (length, masked, expected) in cases {
            XCTAssertEqual(FrameEncoder.headerLength(payloadLength: length, masked: masked), expected,
                           "\(length) masked \(masked)")
            XCTAssertEqual(FrameEncoder.headerLength(payloadLength: UInt64(length), masked: masked), expected)
        }
        XCTAssertEqual(FrameEncoder.headerLength(payloadLength: UInt64.max >> 1, masked: true), 14)
        XCTAssertEqual(FrameEncoder.maxHeaderLength, 14)
    }

    func testRFC6455Examples() {
        XCTAssertEqual(encode(FrameHeader(fin: true, opcode: .text, payloadLength: 5), hello),
                       [0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F])
        XCTAssertEqual(encode(FrameHeader(fin: true, opcode: .text, maskingKey: MaskingKey((0x37, 0xFA, 0x21, 0x3D)),
                                          payloadLength: 5), hello),
                       [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])
        XCTAssertEqual(encode(FrameHeader(fin: false, opcode: .text, payloadLength: 3), Array("Hel".utf8)),
                       [0x01, 0x03, 0x48, 0x65, 0x6C])
        XCTAssertEqual(encode(FrameHeader(fin: true, opcode: .continuation, payloadLength: 2), Array("lo".utf8)),
                       [0x80, 0x02, 0x6C, 0x6F])
        XCTAssertEqual(encode(FrameHeader(fin: true, opcode: .ping, payloadLength: 5), hello),
                       [0x89, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F])
        XCTAssertEqual(encode(FrameHeader(fin: true, opcode: .pong, maskingKey: MaskingKey((0x37, 0xFA, 0x21, 0x3D)),
                                          payloadLength: 5), hello),
                       [0x8A, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])

        let p256 = [UInt8](repeating: 0x5A, count: 256)
        XCTAssertEqual(Array(encode(FrameHeader(fin: true, opcode: .binary, payloadLength: 256), p256).prefix(4)),
                       [0x82, 0x7E, 0x01, 0x00])
        let p64k = [UInt8](repeating: 0x5A, count: 65536)
        XCTAssertEqual(Array(encode(FrameHeader(fin: true, opcode: .binary, payloadLength: 65536), p64k).prefix(10)),
                       [0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00])
    }

    func testRSVBitsAndBoundaryLengths() {
        XCTAssertEqual(encode(FrameHeader(fin: true, rsv: FrameHeader.rsv1, opcode: .text, payloadLength: 0), []),
                       [0xC1, 0x00])
        XCTAssertEqual(encode(FrameHeader(fin: false, rsv: 7, opcode: .binary, payloadLength: 0), []), [0x72, 0x00])
        // Extra high bits in `rsv` cannot leak into FIN.
        XCTAssertEqual(encode(FrameHeader(fin: false, rsv: 0xF8 | 2, opcode: .binary, payloadLength: 0), []),
                       [0x22, 0x00])
        XCTAssertEqual(Array(encode(FrameHeader(fin: true, opcode: .binary, payloadLength: 125),
                                    [UInt8](repeating: 0, count: 125)).prefix(2)), [0x82, 0x7D])
        XCTAssertEqual(Array(encode(FrameHeader(fin: true, opcode: .binary, payloadLength: 126),
                                    [UInt8](repeating: 0, count: 126)).prefix(4)), [0x82, 0x7E, 0x00, 0x7E])
        XCTAssertEqual(Array(encode(FrameHeader(fin: true, opcode: .binary, payloadLength: 65535),
                                    [UInt8](repeating: 0, count: 65535)).prefix(4)), [0x82, 0x7E, 0xFF, 0xFF])
        XCTAssertEqual(Array(encode(FrameHeader(fin: true, opcode: .binary, maskingKey: MaskingKey((1, 2, 3, 4)),
                                                payloadLength: 65536),
                                    [UInt8](repeating: 0, count: 65536)).prefix(14)),
                       [0x82, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3, 4])
    }

    func testHeaderOnlyWritesAnnouncedLengthWithoutPayload() {
        // The header announces the length; the encoder never reads the payload.
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 14, alignment: 1)
        defer { storage.deallocate() }
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        let header = FrameHeader(fin: true, opcode: .binary, payloadLength: 0x0102_0304_0506_0708)
        XCTAssertEqual(FrameEncoder.writeHeader(header, endingAt: storage.baseAddress! + 14), 10)
        XCTAssertEqual(Array(storage[4...]), [0x82, 0x7F, 1, 2, 3, 4, 5, 6, 7, 8])
    }

    func testEncodeDecodeRoundTrips() {
        for length in [0, 1, 125, 126, 127, 65535, 65536] {
            let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 29 &+ 3) }
            for masked in [false, true] {
                for opcode in [Opcode.text, .binary] {
                    let key = masked ? MaskingKey((0xA1, 0xB2, 0xC3, UInt8(truncatingIfNeeded: length))) : nil
                    let header = FrameHeader(fin: true, opcode: opcode, maskingKey: key,
                                             payloadLength: UInt64(length))
                    let frame = encode(header, payload)
                    XCTAssertEqual(frame.count, length + FrameEncoder.headerLength(payloadLength: length, masked: masked))
                    if masked && length > 0 {
                        XCTAssertNotEqual(Array(frame.suffix(length)), payload)
                    }

                    var decoder = FrameDecoder(role: masked ? .server : .client)
                    let expected: [Decoded] = length == 0
                        ? [.start(info(opcode, length: 0)), .end]
                        : [.start(info(opcode, length: UInt64(length))), .data(payload), .end]
                    XCTAssertEqual(decode(frame, with: &decoder, chunkSizes: [1000]), expected,
                                   "length \(length) masked \(masked)")
                }
            }
        }
    }

    func testControlFrameRoundTrip() {
        let reason = CloseFrame.payload(code: 1001, reason: Array("bye".utf8))
        let frame = encode(FrameHeader(fin: true, opcode: .close, maskingKey: MaskingKey(networkOrder: 0xCAFE_BABE),
                                       payloadLength: UInt64(reason.count)), reason)
        var decoder = FrameDecoder(role: .server)
        XCTAssertEqual(decode(frame, with: &decoder, chunkSizes: [1]), [.control(.close, reason)])
    }
}
