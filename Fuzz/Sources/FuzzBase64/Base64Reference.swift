/// Base64 decoding written straight from RFC 4648 and the contract of
/// `lws_b64_decode_string`, bit by bit, as an oracle for the table-driven
/// `Base64.decode`: the text ends at its first NUL; both alphabets are
/// accepted; '=' padding is either absent or completes the last quantum;
/// a lone leftover character is invalid; leftover pad bits are ignored.
enum Base64Reference {
    static func decode(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        let text = Array(input.prefix { $0 != 0 })
        let padding = text.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        let data = text.dropLast(padding)
        guard padding <= 2, data.count % 4 != 1, padding == 0 || (data.count + padding) % 4 == 0 else { return nil }
        var bytes: [UInt8] = []
        var bits: UInt32 = 0
        var bitCount = 0
        for character in data {
            guard let value = value(character) else { return nil }
            bits = bits << 6 | value
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(bitCount)))
                bits &= (1 << UInt32(bitCount)) - 1
            }
        }
        return bytes
    }

    /// Each character's value in the standard alphabet, 0xFF for others.
    private static let standardValues: [UInt8] = {
        var values = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            values[Int(character)] = UInt8(value)
        }
        return values
    }()

    /// The standard alphabet only: what an encoder may write.
    static func standardValue(_ character: UInt8) -> UInt32? {
        let value = standardValues[Int(character)]
        return value == 0xFF ? nil : UInt32(value)
    }

    /// Either alphabet: the URL-safe one has '-' and '_' for '+' and '/'.
    private static func value(_ character: UInt8) -> UInt32? {
        switch character {
        case UInt8(ascii: "-"): return 62
        case UInt8(ascii: "_"): return 63
        default: return standardValue(character)
        }
    }
}
