/// SHA-1 (FIPS 180-4), used only to compute `Sec-WebSocket-Accept`
/// (RFC 6455 section 4.2.2) — not for anything that needs collision resistance.
///
/// Written in Swift rather than taken from OpenSSL so the protocol layer stays free
/// of C and can be unit-tested on its own. The 64-byte block buffer and the message
/// schedule live in fixed-size inline storage, so hashing never allocates until
/// `finalize()` returns the digest.
public struct SHA1 {
    /// The five chaining words h0...h4.
    private var h0: UInt32 = 0x6745_2301
    private var h1: UInt32 = 0xEFCD_AB89
    private var h2: UInt32 = 0x98BA_DCFE
    private var h3: UInt32 = 0x1032_5476
    private var h4: UInt32 = 0xC3D2_E1F0

    /// A partially filled block waiting for more input (64 bytes, inline).
    private var block: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    /// How many bytes of `block` are filled (0..<64).
    private var blockFill: Int = 0
    /// Total message length in bytes; the padding encodes it in bits, modulo 2^64.
    private var totalBytes: UInt64 = 0

    public init() {}

    /// Feeds more message bytes; may be called any number of times before `finalize()`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var input = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        totalBytes &+= UInt64(truncatingIfNeeded: remaining)

        // Top up a partially filled block first.
        if blockFill > 0 {
            let take = min(64 - blockFill, remaining)
            let fill = blockFill
            withUnsafeMutableBytes(of: &block) { buffer in
                buffer.baseAddress!.advanced(by: fill).copyMemory(from: input, byteCount: take)
            }
            blockFill += take
            input += take
            remaining -= take
            guard blockFill == 64 else { return }
            compressBufferedBlock()
            blockFill = 0
        }

        // Whole blocks straight from the caller's memory, no copy.
        while remaining >= 64 {
            compress(input)
            input += 64
            remaining -= 64
        }

        if remaining > 0 {
            withUnsafeMutableBytes(of: &block) { buffer in
                buffer.baseAddress!.copyMemory(from: input, byteCount: remaining)
            }
            blockFill = remaining
        }
    }

    /// Pads the message, processes the final block(s) and returns the 20-byte digest.
    /// The hasher is spent afterwards; start a new one for another message.
    public mutating func finalize() -> [UInt8] {
        let bitLength = totalBytes &<< 3
        var fill = blockFill
        withUnsafeMutableBytes(of: &block) { buffer in
            buffer[fill] = 0x80
        }
        fill += 1
        if fill > 56 {
            // No room for the 8-byte length: pad this block out and use one more.
            withUnsafeMutableBytes(of: &block) { buffer in
                for i in fill..<64 { buffer[i] = 0 }
            }
            compressBufferedBlock()
            fill = 0
        }
        withUnsafeMutableBytes(of: &block) { buffer in
            for i in fill..<56 { buffer[i] = 0 }
            buffer.storeBytes(of: bitLength.bigEndian, toByteOffset: 56, as: UInt64.self)
        }
        compressBufferedBlock()
        blockFill = 0

        let words = (h0, h1, h2, h3, h4)
        return [UInt8](unsafeUninitializedCapacity: 20) { digest, count in
            let raw = UnsafeMutableRawBufferPointer(digest)
            raw.storeBytes(of: words.0.bigEndian, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: words.1.bigEndian, toByteOffset: 4, as: UInt32.self)
            raw.storeBytes(of: words.2.bigEndian, toByteOffset: 8, as: UInt32.self)
            raw.storeBytes(of: words.3.bigEndian, toByteOffset: 12, as: UInt32.self)
            raw.storeBytes(of: words.4.bigEndian, toByteOffset: 16, as: UInt32.self)
            count = 20
        }
    }

    /// One-shot digest of `bytes`.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = SHA1()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// One-shot digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0) }
    }

    private mutating func compressBufferedBlock() {
        var copy = block
        withUnsafeBytes(of: &copy) { compress($0.baseAddress!) }
    }

    /// Runs the 80 rounds over one 64-byte block, using a rolling 16-word
    /// schedule. The rounds come as four loops of twenty, one per round
    /// function, so no round branches on its number (a switch per round
    /// tripled the cost of the two blocks every opening handshake hashes).
    private mutating func compress(_ input: UnsafeRawPointer) {
        var schedule: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        var a = h0, b = h1, c = h2, d = h3, e = h4
        withUnsafeMutableBytes(of: &schedule) { w in
            for i in 0..<16 {
                let word = UInt32(bigEndian: input.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self))
                w.storeBytes(of: word, toByteOffset: i &* 4, as: UInt32.self)
            }
            /// Schedule word `i`: the first sixteen as loaded, then each
            /// mixed from earlier ones into the slot it replaces.
            @inline(__always) func word(_ i: Int) -> UInt32 {
                func at(_ j: Int) -> UInt32 { w.load(fromByteOffset: (j & 15) &* 4, as: UInt32.self) }
                guard i >= 16 else { return at(i) }
                let mixed = at(i &+ 13) ^ at(i &+ 8) ^ at(i &+ 2) ^ at(i)
                let next = (mixed &<< 1) | (mixed &>> 31)
                w.storeBytes(of: next, toByteOffset: (i & 15) &* 4, as: UInt32.self)
                return next
            }
            @inline(__always) func round(_ f: UInt32, _ k: UInt32, _ word: UInt32) {
                let temp = ((a &<< 5) | (a &>> 27)) &+ f &+ e &+ k &+ word
                e = d
                d = c
                c = (b &<< 30) | (b &>> 2)
                b = a
                a = temp
            }
            for i in 0..<20 { round((b & c) | (~b & d), 0x5A82_7999, word(i)) }
            for i in 20..<40 { round(b ^ c ^ d, 0x6ED9_EBA1, word(i)) }
            for i in 40..<60 { round((b & c) | (b & d) | (c & d), 0x8F1B_BCDC, word(i)) }
            for i in 60..<80 { round(b ^ c ^ d, 0xCA62_C1D6, word(i)) }
        }
        h0 &+= a
        h1 &+= b
        h2 &+= c
        h3 &+= d
        h4 &+= e
    }
}
