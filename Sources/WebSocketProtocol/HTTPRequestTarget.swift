/// Splits and canonicalises a received request-target (RFC 7230 section 5.3) so the
/// URI the application sees — and the file server maps onto disk — has a single
/// spelling: percent-escapes decoded, "." and ".." resolved, "//" collapsed.
///
/// Decoding happens before dot segments are resolved, so "%2e%2e" cannot smuggle a
/// ".." past the check. Everything is done in place in the received bytes: decoding
/// and removing segments only ever shrink the path.
enum HTTPRequestTarget {
    enum Outcome {
        /// The canonical path is `bytes[0..<pathLength]`; the raw query string
        /// (after '?', still encoded) is `query`, when a '?' was present.
        case normalized(pathLength: Int, query: Range<Int>?, escapesRoot: Bool)
        case invalid
    }

    /// Canonicalises the request-target held in `bytes` (non-empty).
    ///
    /// Accepted forms: origin-form ("/path?query"), absolute-form
    /// ("http://host/path", whose path is kept and authority dropped, as servers must
    /// accept it), and "*" when `allowAsterisk` (OPTIONS). A '#' never belongs in a
    /// request-target, and "%00" or a malformed escape makes it invalid.
    static func normalize(_ bytes: UnsafeMutableBufferPointer<UInt8>, allowAsterisk: Bool) -> Outcome {
        let count = bytes.count
        var pathEnd = count
        var query: Range<Int>? = nil
        for index in 0..<count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "#") { return .invalid }
            if byte == UInt8(ascii: "?") && query == nil {
                pathEnd = index
                query = (index + 1)..<count
            }
        }

        let pathStart: Int
        if count > 0 && bytes[0] == UInt8(ascii: "/") {
            pathStart = 0
        } else if count == 1 && bytes[0] == UInt8(ascii: "*") && allowAsterisk {
            return .normalized(pathLength: 1, query: nil, escapesRoot: false)
        } else if let authorityStart = schemeLength(bytes, end: pathEnd) {
            var slash = authorityStart
            while slash < pathEnd && bytes[slash] != UInt8(ascii: "/") { slash += 1 }
            pathStart = slash
        } else {
            return .invalid
        }

        guard let (length, escapes) = canonicalPath(bytes, from: pathStart, to: pathEnd) else { return .invalid }
        return .normalized(pathLength: length, query: query, escapesRoot: escapes)
    }

    /// The length of a leading "http://" or "https://" (scheme case-insensitive),
    /// or nil when the target does not start with one.
    private static func schemeLength(_ bytes: UnsafeMutableBufferPointer<UInt8>, end: Int) -> Int? {
        if hasPrefix(bytes, end: end, "https://") { return 8 }
        if hasPrefix(bytes, end: end, "http://") { return 7 }
        return nil
    }

    private static func hasPrefix(_ bytes: UnsafeMutableBufferPointer<UInt8>, end: Int, _ lowercase: StaticString) -> Bool {
        let length = lowercase.utf8CodeUnitCount
        guard end >= length else { return false }
        return UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: bytes[..<length])).matchesIgnoringCase(lowercase)
    }

    /// Decodes and canonicalises `bytes[start..<end]` (which begins with '/' unless
    /// empty) into `bytes[0...]`, always producing a path starting with '/'.
    /// - Returns: the canonical length and whether a ".." tried to climb above the
    ///   root (it is then clamped at the root), or nil for "%00" or a bad escape.
    private static func canonicalPath(_ bytes: UnsafeMutableBufferPointer<UInt8>, from start: Int, to end: Int) -> (Int, Bool)? {
        let slash = UInt8(ascii: "/")
        let dot = UInt8(ascii: ".")
        // Invariant: written <= read, so decoding in place never overwrites input
        // that is still to be read.
        bytes[0] = slash
        var written = 1
        var read = start < end ? start + 1 : end
        var segmentStart = 1
        var escapesRoot = false
        while true {
            let atEnd = read >= end
            var byte: UInt8 = 0
            if !atEnd {
                byte = bytes[read]
                if byte == UInt8(ascii: "%") {
                    guard end - read >= 3,
                          let high = hexValue(bytes[read + 1]),
                          let low = hexValue(bytes[read + 2]) else { return nil }
                    byte = high << 4 | low
                    guard byte != 0 else { return nil }
                    read += 3
                } else {
                    read += 1
                }
            }
            guard atEnd || byte == slash else {
                bytes[written] = byte
                written += 1
                continue
            }
            // A segment bytes[segmentStart..<written] just ended.
            let length = written - segmentStart
            if length == 1 && bytes[segmentStart] == dot {
                written = segmentStart
            } else if length == 2 && bytes[segmentStart] == dot && bytes[segmentStart + 1] == dot {
                if segmentStart == 1 {
                    escapesRoot = true
                    written = 1
                } else {
                    // Drop the previous segment: back up to the '/' before it.
                    var previousSlash = segmentStart - 2
                    while bytes[previousSlash] != slash { previousSlash -= 1 }
                    written = previousSlash + 1
                }
            } else if length > 0 && !atEnd {
                bytes[written] = slash
                written += 1
            }
            if atEnd { break }
            segmentStart = written
        }
        return (written, escapesRoot)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
