/// The fuzzer's input read front to back: a few configuration fields, then
/// the points where the payload is cut (`Cuts`), then the payload itself.
///
/// Every field reads as 0 once the input has run out, so any byte string is
/// a valid input and a short one simply means the default configuration:
/// libFuzzer wastes no runs on inputs the harness would reject, and a
/// mutation that shortens the input still tests something.
public struct FuzzInput {
    public let bytes: UnsafeRawBufferPointer
    public private(set) var position = 0

    public init(_ data: UnsafePointer<UInt8>?, count: Int) {
        bytes = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : count)
    }

    public mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// Big-endian, like the lengths in the formats being fuzzed, so seeds
    /// are easy to write by hand.
    public mutating func uint16() -> UInt16 {
        UInt16(byte()) << 8 | UInt16(byte())
    }

    /// Everything not read yet; the input is used up afterwards.
    public mutating func rest() -> UnsafeRawBufferPointer {
        defer { position = bytes.count }
        return UnsafeRawBufferPointer(rebasing: bytes[min(position, bytes.count)...])
    }
}
