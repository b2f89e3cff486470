/// Byte-level helpers for the extension header grammar, which is ASCII: the
/// module works on `[UInt8]` and `StaticString` so it needs no `String`
/// (Embedded Swift).
extension UInt8 {
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let comma = UInt8(ascii: ",")
    static let semicolon = UInt8(ascii: ";")
    static let equals = UInt8(ascii: "=")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")

    var isWhitespace: Bool { self == .space || self == .tab }

    /// RFC 7230 tchar (the `token` of RFC 2616 that RFC 6455 section 9.1
    /// uses): ALPHA, DIGIT and !#$%&'*+-.^_`|~.
    var isTokenCharacter: Bool {
        switch self {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Quoted-string content (RFC 2616 qdtext): visible ASCII and blanks;
    /// the quote and backslash only arrive escaped.
    var isQuotedTextCharacter: Bool {
        (self >= 0x20 && self < 0x7F && self != .quote && self != .backslash) || self == .tab
    }

    var asciiLowercased: UInt8 {
        self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z") ? self | 0x20 : self
    }
}

extension StaticString {
    /// The string's bytes, for names that end up in a header value.
    var bytes: [UInt8] {
        Array(UnsafeBufferPointer(start: utf8Start, count: utf8CodeUnitCount))
    }
}

extension Array where Element == UInt8 {
    /// Whether the bytes spell `name` in any letter case: extension and
    /// parameter names are tokens, and HTTP tokens compare case-insensitively.
    func matchesIgnoringCase(_ name: StaticString) -> Bool {
        guard count == name.utf8CodeUnitCount else { return false }
        for index in 0..<count where self[index].asciiLowercased != name.utf8Start[index].asciiLowercased {
            return false
        }
        return true
    }

    var isToken: Bool {
        !isEmpty && allSatisfy { $0.isTokenCharacter }
    }
}
