/// Helpers for building HTTP heads as bytes.
extension Array where Element == UInt8 {
    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    mutating func appendDecimal<T: BinaryInteger>(_ value: T) {
        LibWebSockets.appendDecimal(value, to: &self)
    }

    mutating func appendCRLF() {
        append(13)
        append(10)
    }
}

/// ASCII case-insensitive equality of a byte run with a lowercase literal.
func equalsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ lowercase: StaticString) -> Bool {
    lowercase.withUTF8Buffer { expected in
        guard bytes.count == expected.count else { return false }
        var i = bytes.startIndex
        for e in expected {
            var b = bytes[i]
            if b >= 65 && b <= 90 { b += 32 }
            if b != e { return false }
            i += 1
        }
        return true
    }
}

/// Whether a comma-separated header value contains `token` (ASCII
/// case-insensitive, optional whitespace around items), as the Connection
/// and Upgrade headers are matched.
func listContainsToken(_ value: ArraySlice<UInt8>, _ token: StaticString) -> Bool {
    var itemStart = value.startIndex
    var i = value.startIndex
    while i <= value.endIndex {
        if i == value.endIndex || value[i] == 44 {  // ","
            var a = itemStart
            var b = i
            while a < b && (value[a] == 32 || value[a] == 9) { a += 1 }
            while b > a && (value[b - 1] == 32 || value[b - 1] == 9) { b -= 1 }
            if equalsIgnoringCase(value[a..<b], token) { return true }
            itemStart = i + 1
        }
        i += 1
    }
    return false
}
