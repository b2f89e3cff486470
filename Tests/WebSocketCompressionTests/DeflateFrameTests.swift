import XCTest
import WebSocketCompression

final class DeflateFrameTests: XCTestCase {
    private func offers(_ text: String) -> [ExtensionOffer] {
        ExtensionHeader.parse(Array(text.utf8)) ?? []
    }

    func testServerAcceptsEitherNameAndAnswersWithIt() {
        let webkit = DeflateFrame.negotiate(offers: offers("x-webkit-deflate-frame"))
        XCTAssertEqual(webkit.map { String(decoding: $0.responseValue, as: UTF8.self) }, "x-webkit-deflate-frame")
        XCTAssertEqual(webkit?.settings, DeflateFrame.Settings())

        let plain = DeflateFrame.negotiate(offers: offers("permessage-deflate; foo, deflate-frame"))
        XCTAssertEqual(plain.map { String(decoding: $0.responseValue, as: UTF8.self) }, "deflate-frame")
        XCTAssertNil(DeflateFrame.negotiate(offers: offers("permessage-deflate, deflate-stream")))
    }

    /// The offer's parameters limit the server's compressor; a malformed
    /// offer is passed over for the next one.
    func testOfferParameters() {
        let limited = DeflateFrame.negotiate(offers: offers("deflate-frame; max_window_bits=10; no_context_takeover"))
        XCTAssertEqual(limited?.settings, DeflateFrame.Settings(noContextTakeover: true, maxWindowBits: 10))
        XCTAssertEqual(limited.map { String(decoding: $0.responseValue, as: UTF8.self) }, "deflate-frame")

        for text in ["deflate-frame; foo", "deflate-frame; max_window_bits", "deflate-frame; max_window_bits=16",
                     "deflate-frame; no_context_takeover=1", "deflate-frame; no_context_takeover; no_context_takeover"] {
            XCTAssertNil(DeflateFrame.negotiate(offers: offers(text)), text)
        }
        let fallback = DeflateFrame.negotiate(offers: offers("deflate-frame; max_window_bits=99, x-webkit-deflate-frame"))
        XCTAssertEqual(fallback.map { String(decoding: $0.responseValue, as: UTF8.self) }, "x-webkit-deflate-frame")
    }

    func testClientChecksResponse() {
        XCTAssertEqual(DeflateFrame.acceptResponse(offers("x-webkit-deflate-frame")[0]), DeflateFrame.Settings())
        XCTAssertEqual(DeflateFrame.acceptResponse(offers("deflate-frame; max_window_bits=9")[0]),
                       DeflateFrame.Settings(maxWindowBits: 9))
        XCTAssertNil(DeflateFrame.acceptResponse(offers("deflate-frame; bogus")[0]))
        XCTAssertNil(DeflateFrame.acceptResponse(offers("permessage-deflate")[0]))
    }

    /// Each frame stands alone on the wire but shares the window, so a
    /// repeated frame is tiny; pulled in chunks of 1, 7 and 4096 bytes.
    func testFramesRoundTripWithSharedWindow() throws {
        var generator = SeededGenerator(seed: 11)
        let frame = Samples.random(count: 3000, using: &generator)
        for chunkSize in [1, 7, 4096] {
            let deflater = try XCTUnwrap(DeflateFrame.makeDeflater())
            let inflater = try XCTUnwrap(DeflateFrame.makeInflater())
            let first = deflateMessage(deflater, frame)
            let second = deflateMessage(deflater, frame)
            XCTAssertLessThan(second.count, 60)  // twelve 258-byte matches; the first is over 3000
            XCTAssertEqual(inflateMessage(inflater, first, chunkSize: chunkSize).value, frame)
            // A frame payload may arrive in pieces; only its last piece ends it.
            let pieces = Samples.split(second, maxPieces: 4, using: &generator)
            XCTAssertEqual(inflateMessage(inflater, payloads: pieces, chunkSize: chunkSize).value, frame)
            for size in [0, 1, 100, 70_000] {
                let payload = Samples.compressible(count: size, using: &generator)
                XCTAssert(inflateMessage(inflater, deflateMessage(deflater, payload), chunkSize: chunkSize).value == payload)
            }
        }
    }

    func testNegotiatedLimitsApplyToTheDeflater() throws {
        let settings = DeflateFrame.Settings(noContextTakeover: true, maxWindowBits: 9)
        let deflater = try XCTUnwrap(DeflateFrame.makeDeflater(settings: settings))
        XCTAssertTrue(deflater.resetsContextPerMessage)
        var generator = SeededGenerator(seed: 12)
        let block = Samples.random(count: 200, using: &generator)
        let frame = block + Samples.random(count: 2000, using: &generator) + block
        let compressed = deflateMessage(deflater, frame)
        XCTAssertEqual(deflateMessage(deflater, frame), compressed)
        // A peer with a 512-byte window can follow.
        let smallWindow = try XCTUnwrap(MessageInflater(windowBits: 9))
        XCTAssert(inflateMessage(smallWindow, compressed).value == frame)
    }

    func testFramePayloadLimit() throws {
        let deflater = try XCTUnwrap(DeflateFrame.makeDeflater())
        let inflater = try XCTUnwrap(DeflateFrame.makeInflater(maxFramePayload: 1000))
        XCTAssertEqual(inflateMessage(inflater, deflateMessage(deflater, [UInt8](repeating: 7, count: 1001))).error,
                       .messageTooBig)
    }
}
