/// A close status code (RFC 6455 section 7.4), the first two bytes of a close
/// frame's payload.
///
/// A struct rather than an enum because peers may send any 16-bit value and
/// applications may use the private range 4000...4999; the named values are
/// the ones `enum lws_close_status` gives names to.
public struct CloseCode: RawRepresentable, Hashable {
    public let rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    public static let normal = CloseCode(rawValue: 1000)
    public static let goingAway = CloseCode(rawValue: 1001)
    public static let protocolError = CloseCode(rawValue: 1002)
    public static let unacceptableOpcode = CloseCode(rawValue: 1003)
    /// Reserved by RFC 6455; never sent.
    public static let reserved = CloseCode(rawValue: 1004)
    /// Reported locally when a close frame carried no code; never sent.
    public static let noStatus = CloseCode(rawValue: 1005)
    /// Reported locally when the connection dropped without a close frame;
    /// never sent.
    public static let abnormalClose = CloseCode(rawValue: 1006)
    public static let invalidPayload = CloseCode(rawValue: 1007)
    public static let policyViolation = CloseCode(rawValue: 1008)
    public static let messageTooLarge = CloseCode(rawValue: 1009)
    public static let extensionRequired = CloseCode(rawValue: 1010)
    public static let unexpectedCondition = CloseCode(rawValue: 1011)
    /// Reported locally when the TLS handshake failed; never sent.
    public static let tlsFailure = CloseCode(rawValue: 1015)

    /// Whether `code` may appear in a close frame on the wire.
    ///
    /// RFC 6455 section 7.4 plus the IANA "WebSocket Close Code Number"
    /// registry: 1000...1003 and 1007...1014 are defined; 1004 is reserved and
    /// 1005, 1006 and 1015 are for local reporting only; the rest of
    /// 0...2999 is unassigned or reserved for the standard; 3000...3999
    /// (registered) and 4000...4999 (private use) belong to applications;
    /// anything from 5000 up is undefined. A receiver must fail the
    /// connection with 1002 on an invalid code, which is why this is a pure
    /// function of the number.
    public static func isValidOnWire(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999:
            return true
        default:
            return false
        }
    }
}
