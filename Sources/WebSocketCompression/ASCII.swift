import WebSocketProtocol

/// Byte-level helpers for the extension header grammar, which is ASCII: the
/// module works on `[UInt8]` and `StaticString` so it needs no `String`
/// (Embedded Swift). What the HTTP head shares with it (token characters,
/// blanks, case-insensitive names) comes from WebSocketProtocol's ASCII.
extension UInt8 {
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let comma = UInt8(ascii: ",")
    static let semicolon = UInt8(ascii: ";")
    static let equals = UInt8(ascii: "=")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")

    /// Quoted-string content (RFC 2616 qdtext): visible ASCII and blanks;
    /// the quote and backslash only arrive escaped.
    var isQuotedTextCharacter: Bool {
        (self >= .space && self <= UInt8(ascii: "~") && self != .quote && self != .backslash) || self == .tab
    }
}

extension StaticString {
    /// The string's bytes, for names that end up in a header value.
    var bytes: [UInt8] {
        Array(UnsafeBufferPointer(start: utf8Start, count: utf8CodeUnitCount))
    }
}

extension Array where Element == UInt8 {
    var isToken: Bool {
        !isEmpty && allSatisfy { $0.isTokenCharacter }
    }
}
