/// Base64 (RFC 4648 section 4) for the WebSocket handshake keys and the
/// `lws_b64_encode_string` / `lws_b64_decode_string` exports.
///
/// The buffer-based calls follow the C contract of those exports: output is
/// NUL-terminated, the return value is the length without the NUL, and -1 means
/// "did not fit or was invalid" — nothing is ever written past `out`.
public enum Base64 {
    /// The standard alphabet, indexed by 6-bit value. A `StaticString` is constant
    /// data in the binary, so no table is built at run time.
    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    /// Characters needed to encode `byteCount` bytes, padding included.
    public static func encodedLength(_ byteCount: Int) -> Int {
        (byteCount / 3 + (byteCount % 3 == 0 ? 0 : 1)) * 4
    }

    /// Encodes `input` into `out` followed by a NUL.
    /// - Returns: the number of characters written (without the NUL), or -1 when
    ///   `out` is smaller than `encodedLength(input.count) + 1`.
    public static func encode(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int {
        let length = encodedLength(input.count)
        guard out.count > length, let destination = out.baseAddress else { return -1 }
        if length > 0, let source = input.baseAddress {
            encode(source, count: input.count, to: destination)
        }
        destination.storeBytes(of: 0, toByteOffset: length, as: UInt8.self)
        return length
    }

    /// Encodes `bytes` into a new array (no NUL).
    public static func encode(_ bytes: [UInt8]) -> [UInt8] {
        let length = encodedLength(bytes.count)
        return [UInt8](unsafeUninitializedCapacity: length) { out, count in
            bytes.withUnsafeBytes { input in
                if let source = input.baseAddress, let destination = out.baseAddress, length > 0 {
                    encode(source, count: input.count, to: UnsafeMutableRawPointer(destination))
                }
            }
            count = length
        }
    }

    /// Decodes `input`, which ends at its first NUL or at its end, into `out` followed by
    /// a NUL.
    ///
    /// Accepts the standard alphabet and, like libwebsockets 1.4, the URL-safe `-` and
    /// `_`; '=' padding may be present (then it must complete the last quantum) or
    /// omitted. Non-zero pad bits are tolerated (RFC 4648 section 3.5 leaves that to
    /// the decoder). Whitespace and any other character make the input invalid.
    /// - Returns: the decoded byte count, or -1 when the input is invalid or `out` is
    ///   smaller than the decoded length + 1.
    public static func decode(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int {
        guard let destination = out.baseAddress else { return -1 }
        var end = 0
        if let source = input.baseAddress {
            while end < input.count && source.load(fromByteOffset: end, as: UInt8.self) != 0 { end += 1 }
        }
        var dataEnd = end
        while dataEnd > 0 && dataEnd > end - 2 && input[dataEnd - 1] == UInt8(ascii: "=") { dataEnd -= 1 }
        let padding = end - dataEnd
        let tail = dataEnd % 4
        // A lone leftover character carries only 6 bits: no byte can come from it.
        if tail == 1 { return -1 }
        // Padding, when present, must fill the last quantum exactly.
        if padding > 0 && (end % 4 != 0 || padding != 4 - tail) { return -1 }
        let decodedLength = dataEnd / 4 * 3 + (tail == 0 ? 0 : tail - 1)
        guard out.count > decodedLength else { return -1 }

        var accumulator: UInt32 = 0
        var written = 0
        var index = 0
        while index < dataEnd {
            let value = sextet(input[index])
            if value > 63 { return -1 }
            accumulator = accumulator &<< 6 | value
            index += 1
            if index & 3 == 0 {
                destination.storeBytes(of: UInt8(truncatingIfNeeded: accumulator &>> 16), toByteOffset: written, as: UInt8.self)
                destination.storeBytes(of: UInt8(truncatingIfNeeded: accumulator &>> 8), toByteOffset: written + 1, as: UInt8.self)
                destination.storeBytes(of: UInt8(truncatingIfNeeded: accumulator), toByteOffset: written + 2, as: UInt8.self)
                written += 3
                accumulator = 0
            }
        }
        if tail == 2 {
            destination.storeBytes(of: UInt8(truncatingIfNeeded: accumulator &>> 4), toByteOffset: written, as: UInt8.self)
            written += 1
        } else if tail == 3 {
            destination.storeBytes(of: UInt8(truncatingIfNeeded: accumulator &>> 10), toByteOffset: written, as: UInt8.self)
            destination.storeBytes(of: UInt8(truncatingIfNeeded: accumulator &>> 2), toByteOffset: written + 1, as: UInt8.self)
            written += 2
        }
        destination.storeBytes(of: 0, toByteOffset: written, as: UInt8.self)
        return written
    }

    /// Whether `character` can be part of an encoding: a character of either
    /// alphabet accepted by `decode`, or the '=' pad.
    public static func isEncodingCharacter(_ character: UInt8) -> Bool {
        character == UInt8(ascii: "=") || sextet(character) <= 63
    }

    /// Writes `encodedLength(count)` characters; the caller has checked the room.
    private static func encode(_ source: UnsafeRawPointer, count: Int, to destination: UnsafeMutableRawPointer) {
        let table = alphabet.utf8Start
        var read = 0
        var written = 0
        func put(_ character: UInt8) {
            destination.storeBytes(of: character, toByteOffset: written, as: UInt8.self)
            written += 1
        }
        func putSextet(_ group: UInt32, _ shift: UInt32) {
            put(table[Int((group &>> shift) & 63)])
        }
        while count - read >= 3 {
            let group = UInt32(source.load(fromByteOffset: read, as: UInt8.self)) << 16
                | UInt32(source.load(fromByteOffset: read + 1, as: UInt8.self)) << 8
                | UInt32(source.load(fromByteOffset: read + 2, as: UInt8.self))
            putSextet(group, 18)
            putSextet(group, 12)
            putSextet(group, 6)
            putSextet(group, 0)
            read += 3
        }
        let left = count - read
        guard left > 0 else { return }
        var group = UInt32(source.load(fromByteOffset: read, as: UInt8.self)) << 16
        if left == 2 { group |= UInt32(source.load(fromByteOffset: read + 1, as: UInt8.self)) << 8 }
        putSextet(group, 18)
        putSextet(group, 12)
        if left == 2 { putSextet(group, 6) } else { put(UInt8(ascii: "=")) }
        put(UInt8(ascii: "="))
    }

    /// The 6-bit value of a character of either alphabet, or 255 for anything else
    /// (including '=', which is only valid as trailing padding).
    private static func sextet(_ character: UInt8) -> UInt32 {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt32(character &- UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt32(character &- UInt8(ascii: "a") &+ 26)
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(character &- UInt8(ascii: "0") &+ 52)
        case UInt8(ascii: "+"), UInt8(ascii: "-"): return 62
        case UInt8(ascii: "/"), UInt8(ascii: "_"): return 63
        default: return 255
        }
    }
}
