import FuzzSupport

/// The compression settings chosen by the input's first two bytes.
struct RoundTripSetup {
    var mode: CompressionExtension
    var windowBits: Int
    var noContextTakeover: Bool
    /// zlib's level, -1 (its default) or 0...9.
    var compressionLevel: Int
    var memoryLevel: Int
    var chunkSize: Int

    private static let chunkChoices = [4096, 1, 7, 65536]

    /// `first`: bits 0-2 window bits, bit 3 no context takeover, bits 4-7
    /// the level (10 and up: zlib's default). `second`: bits 0-3 the memory
    /// level (clamped into 1...9 by the deflater), bits 4-5 the mode,
    /// bits 6-7 the pull size.
    init(_ first: UInt8, _ second: UInt8) {
        windowBits = FuzzSupport.windowBits(threeBits: first)
        noContextTakeover = first & 8 != 0
        let level = Int(first >> 4)
        compressionLevel = level > 9 ? -1 : level
        memoryLevel = Int(second & 15)
        mode = CompressionExtension(twoBits: second >> 4)
        chunkSize = Self.chunkChoices[Int(second >> 6)]
    }
}
