/// Streaming UTF-8 validation (RFC 3629) of WebSocket text messages.
///
/// RFC 6455 section 8.1 requires failing the connection as soon as invalid UTF-8 is
/// seen, and a message may arrive in many fragments and socket reads, so a code
/// point can be split anywhere. The validator therefore keeps only what the next
/// byte needs to be judged: how many continuation bytes are still owed and the
/// range the next one must fall in.
///
/// That range is what rejects overlong forms, surrogates and code points above
/// U+10FFFF without decoding anything: only the first continuation byte after
/// E0, ED, F0 and F4 is narrower than 80...BF, e.g. after ED it must be 80...9F,
/// which excludes D800...DFFF.
public struct UTF8Validator {
    /// Continuation bytes still expected for the current sequence (0...3).
    private var pending: UInt8 = 0
    /// Inclusive range for the next continuation byte while `pending > 0`.
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF
    /// Sticky: once invalid, the message stays invalid.
    private var failed = false

    public init() {}

    /// True when no multi-byte sequence is open: a text message is valid only if
    /// every chunk validated and this holds after its last byte.
    public var isAtCharacterBoundary: Bool { pending == 0 && !failed }

    /// Starts over for a new message.
    public mutating func reset() {
        self = UTF8Validator()
    }

    /// Validates the next chunk of a message.
    /// - Returns: false as soon as an invalid byte is seen (and for every call after).
    public mutating func validate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !failed else { return false }
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var index = 0
        var pending = self.pending
        var lower = self.lower
        var upper = self.upper

        while true {
            // Finish (or continue) an open sequence.
            while pending > 0 {
                guard index < count else {
                    self.pending = pending
                    self.lower = lower
                    self.upper = upper
                    return true
                }
                let byte = base.load(fromByteOffset: index, as: UInt8.self)
                guard byte >= lower && byte <= upper else {
                    failed = true
                    return false
                }
                index &+= 1
                pending &-= 1
                lower = 0x80
                upper = 0xBF
            }

            // ASCII fast path: 32 bytes per step while no high bit is set
            // (four words ORed, one test), then eight. Text is mostly ASCII,
            // and this loop is most of what validating it costs.
            while count &- index >= 32 {
                let w0 = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                let w1 = base.loadUnaligned(fromByteOffset: index &+ 8, as: UInt64.self)
                let w2 = base.loadUnaligned(fromByteOffset: index &+ 16, as: UInt64.self)
                let w3 = base.loadUnaligned(fromByteOffset: index &+ 24, as: UInt64.self)
                if (w0 | w1 | w2 | w3) & 0x8080_8080_8080_8080 != 0 { break }
                index &+= 32
            }
            while count &- index >= 8 {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                let highBits = word & 0x8080_8080_8080_8080
                if highBits != 0 {
                    // Skip the ASCII bytes before the first non-ASCII one.
                    index &+= highBits.trailingZeroBitCount &>> 3
                    break
                }
                index &+= 8
            }
            guard index < count else {
                self.pending = 0
                return true
            }

            let lead = base.load(fromByteOffset: index, as: UInt8.self)
            index &+= 1
            // Every lead sets both bounds, so nothing carries over from an earlier
            // sequence.
            switch lead {
            case 0x00...0x7F:
                continue
            case 0xC2...0xDF:
                pending = 1
                lower = 0x80
                upper = 0xBF
            case 0xE0:
                pending = 2
                lower = 0xA0  // below A0 would be an overlong 3-byte form
                upper = 0xBF
            case 0xE1...0xEC, 0xEE...0xEF:
                pending = 2
                lower = 0x80
                upper = 0xBF
            case 0xED:
                pending = 2
                lower = 0x80
                upper = 0x9F  // above 9F would be a UTF-16 surrogate
            case 0xF0:
                pending = 3
                lower = 0x90  // below 90 would be an overlong 4-byte form
                upper = 0xBF
            case 0xF1...0xF3:
                pending = 3
                lower = 0x80
                upper = 0xBF
            case 0xF4:
                pending = 3
                lower = 0x80
                upper = 0x8F  // above 8F would exceed U+10FFFF
            default:
                // Stray continuation bytes, C0/C1 (always overlong) and F5...FF.
                failed = true
                return false
            }
        }
    }
}
