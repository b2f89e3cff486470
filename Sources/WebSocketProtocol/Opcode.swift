/// The 4-bit frame opcode of RFC 6455 section 5.2.
///
/// A struct rather than an enum so that every value a peer can put on the
/// wire is representable: the decoder must be able to hold a reserved opcode
/// long enough to reject it with close code 1002 instead of failing to parse.
public struct Opcode: RawRepresentable, Hashable {
    /// The opcode nibble, always in 0...15.
    public let rawValue: UInt8

    /// Keeps only the low four bits, because that is all the frame header has
    /// room for; a caller can therefore never build an opcode that would
    /// corrupt the FIN/RSV bits sharing the first header byte.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue & 0x0F
    }

    public static let continuation = Opcode(rawValue: 0x0)
    public static let text = Opcode(rawValue: 0x1)
    public static let binary = Opcode(rawValue: 0x2)
    public static let close = Opcode(rawValue: 0x8)
    public static let ping = Opcode(rawValue: 0x9)
    public static let pong = Opcode(rawValue: 0xA)

    /// Control frames (close, ping, pong and the reserved 0xB...0xF) are the
    /// opcodes with the high bit of the nibble set; they have the stricter
    /// rules of RFC 6455 section 5.5 (FIN set, at most 125 payload bytes).
    public var isControl: Bool {
        rawValue & 0x8 != 0
    }

    /// Opcodes 0x3...0x7 and 0xB...0xF have no meaning yet; RFC 6455 section
    /// 5.2 requires failing the connection when one arrives.
    public var isReserved: Bool {
        switch rawValue {
        case 0x3...0x7, 0xB...0xF:
            return true
        default:
            return false
        }
    }
}
