/// The 4-byte key a client XORs over every payload byte it sends
/// (RFC 6455 section 5.3).
///
/// Unmasking runs over every byte a server receives, so `apply` works on
/// eight bytes per step instead of one.
public struct MaskingKey: Hashable {
    /// The key as a little-endian integer: key byte 0 in the low 8 bits.
    /// Keeping that one logical order makes the byte/word rotations below
    /// independent of the host's byte order.
    private let littleEndianValue: UInt32

    /// The key bytes in the order they appear on the wire.
    public init(_ bytes: (UInt8, UInt8, UInt8, UInt8)) {
        littleEndianValue = UInt32(bytes.0)
            | UInt32(bytes.1) << 8
            | UInt32(bytes.2) << 16
            | UInt32(bytes.3) << 24
    }

    /// The key read from the wire as a big-endian (network order) integer:
    /// its most significant byte is the first key byte on the wire.
    public init(networkOrder value: UInt32) {
        littleEndianValue = value.byteSwapped
    }

    /// The key bytes in wire order.
    public var bytes: (UInt8, UInt8, UInt8, UInt8) {
        (self[0], self[1], self[2], self[3])
    }

    /// The key as a big-endian integer, the inverse of `init(networkOrder:)`.
    public var networkOrder: UInt32 {
        littleEndianValue.byteSwapped
    }

    /// The key byte that masks payload byte `index`; any integer works, since
    /// the key repeats every four bytes.
    public subscript(index: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: littleEndianValue >> (UInt32(truncatingIfNeeded: index & 3) &* 8))
    }

    /// XORs the key over `buffer` in place; masking and unmasking are the same
    /// operation.
    ///
    /// - Parameter keyOffset: the position of `buffer`'s first byte within
    ///   the frame payload. A payload usually arrives in several socket reads;
    ///   passing the number of payload bytes already processed lets each chunk
    ///   continue the key where the previous one stopped.
    public func apply(to buffer: UnsafeMutableRawBufferPointer, startingAt keyOffset: Int) {
        guard let base = buffer.baseAddress else { return }
        let count = buffer.count
        var index = 0

        // Eight bytes at a time with the key rotated to the starting phase
        // (unaligned loads and stores: on the hosts we build for they cost
        // no more than aligned ones, and a byte loop to reach alignment
        // cost more than the rest of a small frame's unmasking). `rawWide`
        // repeats the key twice in little-endian order; shifting it right
        // by one byte per phase step starts the pattern at that key byte,
        // and `UInt64(littleEndian:)` turns the logical byte order into the
        // host's memory order. Whole words leave the phase unchanged.
        let phase = UInt64(truncatingIfNeeded: keyOffset & 3)
        let rawWide = UInt64(littleEndianValue) | UInt64(littleEndianValue) << 32
        let rotated = phase == 0 ? rawWide : (rawWide >> (phase &* 8)) | (rawWide << (64 &- phase &* 8))
        let wideKey = UInt64(littleEndian: rotated)
        while count &- index >= 8 {
            let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            base.storeBytes(of: word ^ wideKey, toByteOffset: index, as: UInt64.self)
            index &+= 8
        }
        // Then four (the same phase again: the low half of the rotated key)...
        if count &- index >= 4 {
            let word = base.loadUnaligned(fromByteOffset: index, as: UInt32.self)
            base.storeBytes(of: word ^ UInt32(littleEndian: UInt32(truncatingIfNeeded: rotated)),
                            toByteOffset: index, as: UInt32.self)
            index &+= 4
        }
        // ...and the last one to three bytes one by one.
        while index < count {
            base.storeBytes(of: base.load(fromByteOffset: index, as: UInt8.self) ^ self[keyOffset &+ index],
                            toByteOffset: index, as: UInt8.self)
            index &+= 1
        }
    }
}
