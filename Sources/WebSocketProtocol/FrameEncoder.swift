/// Writes frame headers (RFC 6455 section 5.2) in front of a payload that is
/// already in place.
///
/// `libwebsocket_write` callers leave `LWS_SEND_BUFFER_PRE_PADDING` bytes in
/// front of their payload precisely so the header can be written there and
/// header plus payload sent with one syscall and no copy; hence the header is
/// written backwards from the payload's first byte.
public enum FrameEncoder {
    /// The longest header: 2 fixed bytes, an 8-byte length and a 4-byte key.
    public static let maxHeaderLength = 14

    /// The size of the header for a frame of `payloadLength` bytes, using the
    /// shortest length encoding as RFC 6455 section 5.2 requires: 7 bits up
    /// to 125, 16 bits up to 65535, 64 bits above; plus 4 for a masking key.
    public static func headerLength(payloadLength: Int, masked: Bool) -> Int {
        headerLength(payloadLength: UInt64(clamping: payloadLength), masked: masked)
    }

    /// `headerLength(payloadLength:masked:)` for the header's own length type.
    public static func headerLength(payloadLength: UInt64, masked: Bool) -> Int {
        let lengthBytes: Int
        if payloadLength <= 125 {
            lengthBytes = 2
        } else if payloadLength <= 0xFFFF {
            lengthBytes = 4
        } else {
            lengthBytes = 10
        }
        return masked ? lengthBytes + 4 : lengthBytes
    }

    /// Writes `header` into the bytes immediately before `end` and returns how
    /// many it wrote (at most `maxHeaderLength`); the frame then starts at
    /// `end - returnValue`.
    ///
    /// Only the header is written: masking the payload is the caller's job
    /// (`header.maskingKey?.apply(to:startingAt:)`), because it may mask in
    /// place or while copying. `rsv` is truncated to its three bits.
    public static func writeHeader(_ header: FrameHeader, endingAt end: UnsafeMutableRawPointer) -> Int {
        let length = header.payloadLength
        let total = headerLength(payloadLength: length, masked: header.maskingKey != nil)
        let start = end - total

        let finBit: UInt8 = header.fin ? 0x80 : 0
        start.storeBytes(of: finBit | (header.rsv & 7) << 4 | header.opcode.rawValue, as: UInt8.self)

        let maskBit: UInt8 = header.maskingKey == nil ? 0 : 0x80
        var offset = 2
        if length <= 125 {
            start.storeBytes(of: maskBit | UInt8(truncatingIfNeeded: length), toByteOffset: 1, as: UInt8.self)
        } else if length <= 0xFFFF {
            start.storeBytes(of: maskBit | 126, toByteOffset: 1, as: UInt8.self)
            start.storeBytes(of: UInt16(truncatingIfNeeded: length).bigEndian, toByteOffset: 2, as: UInt16.self)
            offset = 4
        } else {
            start.storeBytes(of: maskBit | 127, toByteOffset: 1, as: UInt8.self)
            start.storeBytes(of: length.bigEndian, toByteOffset: 2, as: UInt64.self)
            offset = 10
        }

        if let key = header.maskingKey {
            start.storeBytes(of: key.networkOrder.bigEndian, toByteOffset: offset, as: UInt32.self)
        }
        return total
    }
}
