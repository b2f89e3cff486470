/// The fields of a frame header (RFC 6455 section 5.2), as written by
/// `FrameEncoder` and announced by `FrameDecoder`.
public struct FrameHeader: Hashable {
    /// RSV bit values within `rsv`, named for the extensions that own them
    /// (permessage-deflate, RFC 7692, owns RSV1).
    public static let rsv1: UInt8 = 4
    public static let rsv2: UInt8 = 2
    public static let rsv3: UInt8 = 1

    /// Set on the last frame of a message (and on every control frame).
    public var fin: Bool
    /// The three RSV bits as a number 0...7, RSV1 being the most significant.
    public var rsv: UInt8
    public var opcode: Opcode
    /// Present exactly when the frame is masked, i.e. sent by a client.
    public var maskingKey: MaskingKey?
    public var payloadLength: UInt64

    public init(fin: Bool, rsv: UInt8 = 0, opcode: Opcode, maskingKey: MaskingKey? = nil, payloadLength: UInt64) {
        self.fin = fin
        self.rsv = rsv
        self.opcode = opcode
        self.maskingKey = maskingKey
        self.payloadLength = payloadLength
    }
}
