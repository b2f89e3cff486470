import XCTest
import WebSocketCompression

final class DeflateStreamTests: XCTestCase {
    func testNegotiation() {
        func response(_ text: String) -> String? {
            DeflateStream.negotiate(offers: ExtensionHeader.parse(Array(text.utf8)) ?? []).map { String(decoding: $0, as: UTF8.self) }
        }
        XCTAssertEqual(response("deflate-stream"), "deflate-stream")
        XCTAssertEqual(response("permessage-deflate, deflate-stream"), "deflate-stream")
        XCTAssertNil(response("deflate-stream; level=9"))
        XCTAssertNil(response("deflate-frame"))
        XCTAssertEqual(DeflateStream.name, Array("deflate-stream".utf8))
    }

    /// Pulls everything the inflater can give from `bytes`.
    private func pull(_ inflater: DeflateStream.Inflater, _ bytes: [UInt8], chunkSize: Int) -> Result<[UInt8], InflateError> {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        let failure: InflateError? = bytes.withUnsafeBytes { input in
            inflater.feed(input)
            while true {
                switch buffer.withUnsafeMutableBytes({ inflater.nextChunk(into: $0) }) {
                case .produced(let count):
                    XCTAssert(count >= 1 && count <= chunkSize)
                    out.append(contentsOf: buffer[0..<count])
                case .needInput:
                    return nil
                case .messageEnd:
                    XCTFail("a stream has no messages")
                    return nil
                case .error(let error):
                    return error
                }
            }
        }
        return failure.map { .failure($0) } ?? .success(out)
    }

    /// Writes of any size, the compressed stream cut anywhere, pulled in
    /// chunks of 1, 7 and 4096 bytes: the bytes come back in order.
    func testStreamRoundTrip() throws {
        var generator = SeededGenerator(seed: 21)
        for chunkSize in [1, 7, 4096] {
            let deflater = try XCTUnwrap(DeflateStream.Deflater())
            let inflater = try XCTUnwrap(DeflateStream.Inflater())
            var plain: [UInt8] = []
            var compressed: [UInt8] = []
            for _ in 0..<30 {
                let size = Int(generator.next() % (chunkSize == 1 ? 3000 : 40_000))
                let write = generator.next() % 2 == 0 ? Samples.random(count: size, using: &generator)
                                                      : Samples.compressible(count: size, using: &generator)
                plain += write
                XCTAssertTrue(write.withUnsafeBytes { deflater.compress($0, appendingTo: &compressed) })
            }
            var out: [UInt8] = []
            for piece in Samples.split(compressed, maxPieces: 25, using: &generator) {
                out += try XCTUnwrap(pull(inflater, piece, chunkSize: chunkSize).value)
            }
            XCTAssert(out == plain, "chunk \(chunkSize)")
        }
    }

    /// Each write is flushed: the peer can inflate it completely before the
    /// next one is made, and a repeated write costs little.
    func testEachWriteIsFlushed() throws {
        let deflater = try XCTUnwrap(DeflateStream.Deflater())
        let inflater = try XCTUnwrap(DeflateStream.Inflater())
        let frame: [UInt8] = [0x81, 0x05] + Array("Hello".utf8)
        for round in 0..<3 {
            var compressed: [UInt8] = []
            XCTAssertTrue(frame.withUnsafeBytes { deflater.compress($0, appendingTo: &compressed) })
            XCTAssertEqual(Array(compressed.suffix(4)), [0x00, 0x00, 0xff, 0xff], "sync flush marker kept")
            if round > 0 { XCTAssertLessThan(compressed.count, 12) }
            XCTAssertEqual(pull(inflater, compressed, chunkSize: 4096).value, frame)
        }
    }

    func testGarbageFailsAndStaysFailed() throws {
        let inflater = try XCTUnwrap(DeflateStream.Inflater())
        XCTAssertEqual(pull(inflater, [0xff, 0xff, 0xff], chunkSize: 64).error, .invalidData)
        XCTAssertEqual(pull(inflater, [0x00], chunkSize: 64).error, .invalidData)
    }

    /// Found by the fuzzer: 4a ff 08 ff inflates to two bytes and then hits
    /// an invalid distance code. Fed whole, both bytes were dropped with the
    /// error; fed as 4a ff and 08 ff, the first came out. Bytes inflated
    /// before a failure now always come first, the failure after them.
    func testBytesBeforeBadDataComeFirstHoweverFed() throws {
        for pieces: [[UInt8]] in [[[0x4a, 0xff, 0x08, 0xff]], [[0x4a, 0xff], [0x08, 0xff]]] {
            let inflater = try XCTUnwrap(DeflateStream.Inflater())
            var out: [UInt8] = []
            var last = InflateStep.needInput
            var buffer = [UInt8](repeating: 0, count: 64)
            for piece in pieces where last == .needInput {
                piece.withUnsafeBytes { input in
                    inflater.feed(input)
                    while true {
                        last = buffer.withUnsafeMutableBytes { inflater.nextChunk(into: $0) }
                        guard case .produced(let count) = last else { break }
                        out += buffer[0..<count]
                    }
                }
            }
            XCTAssertEqual(out, [UInt8(ascii: "g"), 0xf1], "\(pieces)")
            XCTAssertEqual(last, .error(.invalidData), "\(pieces)")
        }
    }

    /// A peer that ends its stream with a final block may go on with a new
    /// one.
    func testStreamRestartsAfterFinalBlock() throws {
        let inflater = try XCTUnwrap(DeflateStream.Inflater())
        let bytes: [UInt8] = [0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00] + [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00, 0x00, 0xff, 0xff]
        XCTAssertEqual(pull(inflater, bytes, chunkSize: 3).value, Array("HelloHello".utf8))
    }
}
