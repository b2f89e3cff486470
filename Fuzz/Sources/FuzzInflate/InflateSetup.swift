import FuzzSupport
import WebSocketCompression

/// The decoder and pulling pattern chosen by the input's first two bytes.
struct InflateSetup {
    var mode: CompressionExtension
    var windowBits: Int
    var resetsContextPerMessage: Bool
    /// 0: unlimited.
    var maxMessageSize: Int
    var firstChunkSize: Int
    var secondChunkSize: Int
    var retainsInput: Bool

    private static let limitChoices = [65536, 1, 1000, 0]
    private static let chunkChoices = [1, 2, 3, 7, 64, 1000, 4096, 65536]

    /// `byte`: bits 0-1 the mode, bit 2 no context takeover, bits 3-5 the
    /// window bits, bits 6-7 the limit.
    /// `pulls`: bits 0-2 and 3-5 the two runs' chunk sizes, bit 6 retain.
    init(_ byte: UInt8, pulls: UInt8) {
        mode = CompressionExtension(twoBits: byte)
        resetsContextPerMessage = byte & 4 != 0
        windowBits = FuzzSupport.windowBits(threeBits: byte >> 3)
        maxMessageSize = Self.limitChoices[Int(byte >> 6 & 3)]
        firstChunkSize = Self.chunkChoices[Int(pulls & 7)]
        secondChunkSize = Self.chunkChoices[Int(pulls >> 3 & 7)]
        retainsInput = pulls & 0x40 != 0
        // Unlimited output pulled a byte at a time would make a small
        // zip bomb a slow input, not a bug; keep such runs to big pulls.
        if maxMessageSize == 0 {
            firstChunkSize = max(firstChunkSize, 64)
            secondChunkSize = max(secondChunkSize, 64)
        }
    }

    /// deflate-frame's decoder is fixed by the extension: the largest
    /// window, context kept, the limit per frame.
    func makeInflater() -> MessageInflater {
        let inflater = mode == .deflateFrame
            ? DeflateFrame.makeInflater(maxFramePayload: maxMessageSize)
            : MessageInflater(windowBits: windowBits, resetsContextPerMessage: resetsContextPerMessage,
                              maxMessageSize: maxMessageSize)
        guard let inflater = inflater else { preconditionFailure("zlib could not allocate an inflater") }
        return inflater
    }
}
