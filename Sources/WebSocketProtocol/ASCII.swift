/// The ASCII the HTTP head, the handshake headers and the extension header
/// grammar share, defined once for every module: all of them read heads as
/// bytes and compare names against `StaticString` literals.
extension UInt8 {
    /// SP or HTAB: the blanks HTTP allows around field values and list
    /// items (RFC 7230 OWS).
    public var isWhitespace: Bool {
        self == UInt8(ascii: " ") || self == UInt8(ascii: "\t")
    }

    /// RFC 7230 tchar (the `token` of RFC 2616 that RFC 6455 section 9.1
    /// uses): ALPHA, DIGIT and !#$%&'*+-.^_`|~, as two 64-bit masks, one per
    /// half of ASCII. Branch-free: header names mix letters and '-', which
    /// would defeat branch prediction in the head parser.
    public var isTokenCharacter: Bool {
        let mask: UInt64 = self & 0x40 == 0 ? 0x03FF_6CFA_0000_0000 : 0x57FF_FFFF_C7FF_FFFE
        return self < 0x80 && (mask &>> UInt64(self & 63)) & 1 != 0
    }

    /// The byte with an ASCII capital made lowercase (0x20 is the case
    /// bit); every other byte, UTF-8 included, as it is.
    public var asciiLowercased: UInt8 {
        self &- UInt8(ascii: "A") < 26 ? self | 0x20 : self
    }
}

extension UnsafeRawBufferPointer {
    /// Whether these bytes, ASCII capitals lowercased, equal `lowercase`
    /// (which is lowercase already): header names, list tokens and
    /// extension names compare case-insensitively (RFC 7230 section 3.2).
    /// Compares eight bytes per step: the header lookup runs this for every
    /// header of every request, on names of up to 30 bytes.
    public func matchesIgnoringCase(_ lowercase: StaticString) -> Bool {
        let length = lowercase.utf8CodeUnitCount
        guard count == length else { return false }
        guard let base = baseAddress else { return true }
        let expected = UnsafeRawPointer(lowercase.utf8Start)
        var index = 0
        while length &- index >= 8 {
            let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            guard word.asciiLowercased == expected.loadUnaligned(fromByteOffset: index, as: UInt64.self) else { return false }
            index &+= 8
        }
        while index < length {
            guard base.load(fromByteOffset: index, as: UInt8.self).asciiLowercased
                    == expected.load(fromByteOffset: index, as: UInt8.self) else { return false }
            index &+= 1
        }
        return true
    }
}

extension Array where Element == UInt8 {
    /// See `UnsafeRawBufferPointer.matchesIgnoringCase(_:)`.
    public func matchesIgnoringCase(_ lowercase: StaticString) -> Bool {
        withUnsafeBytes { $0.matchesIgnoringCase(lowercase) }
    }
}

extension ArraySlice where Element == UInt8 {
    /// See `UnsafeRawBufferPointer.matchesIgnoringCase(_:)`.
    public func matchesIgnoringCase(_ lowercase: StaticString) -> Bool {
        withUnsafeBytes { $0.matchesIgnoringCase(lowercase) }
    }
}

extension UInt64 {
    /// Lowercases the ASCII capitals among the eight bytes, leaving every
    /// other byte as it is. Per lane on the low seven bits, so no carry
    /// crosses lanes: adding 0x3F sets the top bit from 'A' up, adding 0x25
    /// sets it above 'Z'.
    fileprivate var asciiLowercased: UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let tops: UInt64 = 0x8080_8080_8080_8080
        let lowSeven = self & ~tops
        let fromA = lowSeven &+ ones &* 0x3F
        let aboveZ = lowSeven &+ ones &* 0x25
        let isUpper = fromA & ~aboveZ & ~self & tops
        return self | (isUpper &>> 2)
    }
}
