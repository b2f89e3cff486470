/// The result of `CloseFrame.parse`.
public enum CloseFrameParse: Hashable {
    /// No payload: the peer closed without a status code (reported locally
    /// as 1005, `CloseCode.noStatus`).
    case empty
    /// A valid status code; `reasonRange` locates the UTF-8 reason (possibly
    /// empty) within the parsed payload.
    case code(UInt16, reasonRange: Range<Int>)
    /// A malformed close payload; the connection must be failed with this code.
    case invalid(CloseCode)
}

/// The payload of a close frame (RFC 6455 section 5.5.1): an optional
/// big-endian status code followed by an optional UTF-8 reason.
public enum CloseFrame {
    /// The longest reason that fits a control frame after the 2-byte code.
    public static let maxReasonLength = 123

    /// Checks a received close payload against RFC 6455 sections 5.5.1, 7.4
    /// and 8.1: a lone byte cannot hold a code (1002), the code must be one
    /// a peer may send (1002), and the reason must be valid UTF-8 (1007).
    public static func parse(_ payload: [UInt8]) -> CloseFrameParse {
        switch payload.count {
        case 0:
            return .empty
        case 1:
            return .invalid(.protocolError)
        default:
            let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
            guard CloseCode.isValidOnWire(code) else {
                return .invalid(.protocolError)
            }
            var validator = UTF8Validator()
            let reasonIsValid = payload.withUnsafeBytes { bytes in
                validator.validate(UnsafeRawBufferPointer(rebasing: bytes[2...])) && validator.isAtCharacterBoundary
            }
            guard reasonIsValid else {
                return .invalid(.invalidPayload)
            }
            return .code(code, reasonRange: 2 ..< payload.count)
        }
    }

    /// Builds a close payload: `code` big-endian, then `reason`.
    ///
    /// A reason longer than `maxReasonLength` is cut at the last UTF-8
    /// character boundary that fits, so the frame stays within the 125-byte
    /// control limit and a valid reason stays valid.
    public static func payload(code: UInt16, reason: [UInt8]) -> [UInt8] {
        var end = reason.count
        if end > maxReasonLength {
            end = maxReasonLength
            // Back off continuation bytes (10xxxxxx) so the cut lands before
            // the lead byte of the character it would have split.
            while end > 0 && reason[end] & 0xC0 == 0x80 {
                end -= 1
            }
        }
        var payload: [UInt8] = []
        payload.reserveCapacity(2 + end)
        payload.append(UInt8(truncatingIfNeeded: code >> 8))
        payload.append(UInt8(truncatingIfNeeded: code))
        payload.append(contentsOf: reason[..<end])
        return payload
    }
}
