/// The compression extensions the compression targets drive.
public enum CompressionExtension {
    case perMessageDeflate
    case deflateFrame

    /// From two bits of configuration, permessage-deflate three times as
    /// likely: it is what browsers negotiate. (Two bits still, so that
    /// inputs keep their layout and the corpus its meaning.)
    public init(twoBits: UInt8) {
        self = twoBits & 3 == 1 ? .deflateFrame : .perMessageDeflate
    }
}

/// Window sizes from three bits of configuration: all of RFC 7692's 8...15,
/// the default first, so a zero byte means the common case.
public func windowBits(threeBits: UInt8) -> Int {
    [15, 8, 9, 10, 11, 12, 13, 14][Int(threeBits & 7)]
}
