/// The compression extensions the compression targets drive.
public enum CompressionExtension {
    case perMessageDeflate
    case deflateFrame
    case deflateStream

    /// From two bits of configuration, permessage-deflate twice as likely:
    /// it is what browsers negotiate.
    public init(twoBits: UInt8) {
        self = [.perMessageDeflate, .deflateFrame, .deflateStream, .perMessageDeflate][Int(twoBits & 3)]
    }
}

/// Window sizes from three bits of configuration: all of RFC 7692's 8...15,
/// the default first, so a zero byte means the common case.
public func windowBits(threeBits: UInt8) -> Int {
    [15, 8, 9, 10, 11, 12, 13, 14][Int(threeBits & 7)]
}
