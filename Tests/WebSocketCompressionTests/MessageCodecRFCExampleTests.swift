import XCTest
import WebSocketCompression

/// The payload examples of RFC 7692 section 7.2.3, byte for byte.
final class MessageCodecRFCExampleTests: XCTestCase {
    private let hello = Samples.bytes("Hello")

    /// Section 7.2.3.1: "Hello" in one compressed block.
    func testHelloCompressesToSingleBlockExample() throws {
        let deflater = try XCTUnwrap(MessageDeflater())
        XCTAssertEqual(deflateMessage(deflater, hello), [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00])
    }

    func testSingleBlockExampleInflates() throws {
        let inflater = try XCTUnwrap(MessageInflater())
        XCTAssertEqual(inflateMessage(inflater, [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]).value, hello)
    }

    /// Section 7.2.3.1, fragmented: the compressed data split over two frames.
    func testFragmentedExampleInflates() throws {
        let inflater = try XCTUnwrap(MessageInflater())
        let result = inflateMessage(inflater, payloads: [[0xf2, 0x48, 0xcd], [0xc9, 0xc9, 0x07, 0x00]], chunkSize: 4096)
        XCTAssertEqual(result.value, hello)
    }

    /// Section 7.2.3.2: with context takeover the second "Hello" is a
    /// back-reference into the first.
    func testSecondHelloWithContextTakeoverIsBackReference() throws {
        let deflater = try XCTUnwrap(MessageDeflater())
        XCTAssertEqual(deflateMessage(deflater, hello), [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00])
        XCTAssertEqual(deflateMessage(deflater, hello), [0xf2, 0x00, 0x11, 0x00, 0x00])

        let inflater = try XCTUnwrap(MessageInflater())
        XCTAssertEqual(inflateMessage(inflater, [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]).value, hello)
        XCTAssertEqual(inflateMessage(inflater, [0xf2, 0x00, 0x11, 0x00, 0x00]).value, hello)
    }

    /// Section 7.2.3.2's other half: without context takeover each message
    /// compresses as if it were the first.
    func testSecondHelloWithoutContextTakeoverRepeatsFirst() throws {
        let deflater = try XCTUnwrap(MessageDeflater(resetsContextPerMessage: true))
        XCTAssertEqual(deflateMessage(deflater, hello), [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00])
        XCTAssertEqual(deflateMessage(deflater, hello), [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00])
    }

    /// Section 7.2.3.3: a stored (uncompressed) block.
    func testStoredBlockExampleInflates() throws {
        let inflater = try XCTUnwrap(MessageInflater())
        let payload: [UInt8] = [0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00]
        XCTAssertEqual(inflateMessage(inflater, payload).value, hello)
    }

    /// Section 7.2.3.4: a block with BFINAL set, followed by the empty
    /// stored block's first byte; the next message must still decode.
    func testFinalBlockExampleInflatesAndNextMessageStillDecodes() throws {
        let inflater = try XCTUnwrap(MessageInflater())
        XCTAssertEqual(inflateMessage(inflater, [0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00]).value, hello)
        XCTAssertEqual(inflateMessage(inflater, [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]).value, hello)
    }

    /// A sender that ends on the BFINAL block without the empty stored block
    /// section 7.2.1 asks for: accepted, and the stream stays usable.
    func testFinalBlockWithoutTrailingEmptyBlockIsAccepted() throws {
        let inflater = try XCTUnwrap(MessageInflater())
        XCTAssertEqual(inflateMessage(inflater, [0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]).value, hello)
        XCTAssertEqual(inflateMessage(inflater, [0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]).value, hello)
        XCTAssertEqual(inflateMessage(inflater, [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]).value, hello)
    }

    /// After a BFINAL block the window is kept, so a sender that carries its
    /// context over may still refer back to the first message.
    func testWindowSurvivesFinalBlock() throws {
        let inflater = try XCTUnwrap(MessageInflater())
        XCTAssertEqual(inflateMessage(inflater, [0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00]).value, hello)
        XCTAssertEqual(inflateMessage(inflater, [0xf2, 0x00, 0x11, 0x00, 0x00]).value, hello)
    }

    /// Section 7.2.3.5: two blocks in one message.
    func testTwoBlocksExampleInflates() throws {
        let inflater = try XCTUnwrap(MessageInflater())
        let payload: [UInt8] = [0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00]
        XCTAssertEqual(inflateMessage(inflater, payload).value, hello)
    }

    /// Section 7.2.3.6: an empty message is the single byte 0x00.
    func testEmptyMessageIsSingleZeroByte() throws {
        let deflater = try XCTUnwrap(MessageDeflater())
        XCTAssertEqual(deflateMessage(deflater, []), [0x00])
        XCTAssertEqual(deflateMessage(deflater, []), [0x00])
        let inflater = try XCTUnwrap(MessageInflater())
        XCTAssertEqual(inflateMessage(inflater, [0x00]).value, [])
        XCTAssertEqual(inflateMessage(inflater, [0x00]).value, [])
        XCTAssertEqual(inflateMessage(inflater, [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]).value, hello)
    }

    /// Some senders compress an empty message to no byte at all; that must
    /// neither fail nor disturb the next message.
    func testMessageWithNoBytesIsEmptyAndHarmless() throws {
        let inflater = try XCTUnwrap(MessageInflater())
        XCTAssertEqual(inflateMessage(inflater, []).value, [])
        XCTAssertEqual(inflateMessage(inflater, [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]).value, hello)
        XCTAssertEqual(inflateMessage(inflater, payloads: [[], []], chunkSize: 16).value, [])
        XCTAssertEqual(inflateMessage(inflater, [0xf2, 0x00, 0x11, 0x00, 0x00]).value, hello)
    }
}
