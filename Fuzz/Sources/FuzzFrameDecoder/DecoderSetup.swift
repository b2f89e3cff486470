import WebSocketProtocol

/// The decoder configuration chosen by the input's first byte: the role
/// (which decides the masking rule), the RSV bits an extension would own,
/// and the frame and message size limits, each from a few values that sit
/// around the boundaries of the length encodings (125, 126, 65535).
struct DecoderSetup {
    var role: FrameDecoder.Role
    var allowedRSV: UInt8
    var maxFramePayload: UInt64
    var maxMessageSize: UInt64

    private static let frameLimits: [UInt64] = [0, 125, 1000, 70000]
    private static let messageLimits: [UInt64] = [0, 126, 2000, 100_000]

    /// Bit 0: client role; bit 1: RSV1 allowed; bit 2: RSV2 and RSV3
    /// allowed; bits 3-4 and 5-6: the frame and message limits (0: none).
    init(_ byte: UInt8) {
        role = byte & 1 == 0 ? .server : .client
        allowedRSV = (byte & 2 != 0 ? FrameHeader.rsv1 : 0) | (byte & 4 != 0 ? FrameHeader.rsv2 | FrameHeader.rsv3 : 0)
        maxFramePayload = Self.frameLimits[Int(byte >> 3 & 3)]
        maxMessageSize = Self.messageLimits[Int(byte >> 5 & 3)]
    }

    func makeDecoder() -> FrameDecoder {
        FrameDecoder(role: role, allowedRSV: allowedRSV, maxFramePayload: maxFramePayload,
                     maxMessageSize: maxMessageSize)
    }
}
