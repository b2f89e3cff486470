/// The values of the known header tokens of one HTTP head, as `lws_hdr_total_length`
/// and `lws_hdr_copy` expose them.
///
/// All values share one byte store and each token records where its value lies, so
/// parsing a head costs a handful of appends to one array rather than an array per
/// header, and `reset()` keeps the capacity for the next request on the connection.
/// A repeated header is joined onto the earlier value with ", " (RFC 7230 section
/// 3.2.2), keeping every value contiguous.
public struct HTTPHeaderTable {
    /// Where a token's value lies in `storage`; `start == absent` marks a token never
    /// set. 32-bit offsets keep the table small; a head is bounded far below 4 GiB.
    private struct Slot {
        var start: UInt32
        var length: UInt32
    }

    private static let absent = UInt32.max

    private var storage: [UInt8] = []
    private var slots: [Slot]

    /// The token whose value the parser is appending to, and where this field's own
    /// bytes began (after a ", " joiner when the header was repeated).
    private var openToken = -1
    private var openFieldStart = 0
    private var openIsJoined = false

    public init() {
        slots = [Slot](repeating: Slot(start: HTTPHeaderTable.absent, length: 0), count: HeaderToken.count)
    }

    /// True when `token` was received or set, even with an empty value.
    public func isPresent(_ token: Int) -> Bool {
        guard token >= 0 && token < slots.count else { return false }
        return slots[token].start != HTTPHeaderTable.absent
    }

    /// The value's length in bytes, 0 when absent (or `token` is out of range).
    public func length(of token: Int) -> Int {
        guard isPresent(token) else { return 0 }
        return Int(slots[token].length)
    }

    /// The value of `token`, nil when absent.
    public func value(of token: Int) -> ArraySlice<UInt8>? {
        guard isPresent(token) else { return nil }
        let slot = slots[token]
        return storage[Int(slot.start)..<Int(slot.start) + Int(slot.length)]
    }

    /// Calls `body` with the value's bytes without copying them; nil when absent.
    public func withValue<Result>(of token: Int, _ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        guard isPresent(token) else { return nil }
        let slot = slots[token]
        return storage.withUnsafeBytes { bytes in
            body(UnsafeRawBufferPointer(rebasing: bytes[Int(slot.start)..<Int(slot.start) + Int(slot.length)]))
        }
    }

    /// `lws_hdr_copy` semantics: copies the value and a NUL into `out`.
    /// - Returns: the value length, or -1 when `out` cannot hold value and NUL. An
    ///   absent token copies as an empty value.
    public func copyValue(of token: Int, into out: UnsafeMutableRawBufferPointer) -> Int {
        let length = self.length(of: token)
        guard out.count > length, let destination = out.baseAddress else { return -1 }
        if length > 0 {
            let start = Int(slots[token].start)
            storage.withUnsafeBytes { bytes in
                destination.copyMemory(from: bytes.baseAddress! + start, byteCount: length)
            }
        }
        destination.storeBytes(of: 0, toByteOffset: length, as: UInt8.self)
        return length
    }

    /// Replaces the value of `token` (the runtime uses this for the client-side
    /// tokens 78...82). Out-of-range tokens are ignored.
    public mutating func set(_ token: Int, _ value: UnsafeRawBufferPointer) {
        guard token >= 0 && token < slots.count,
              value.count < Int(HTTPHeaderTable.absent) - storage.count else { return }
        let start = UInt32(truncatingIfNeeded: storage.count)
        storage.appendRaw(value)
        slots[token] = Slot(start: start, length: UInt32(truncatingIfNeeded: value.count))
    }

    /// Replaces the value of `token`.
    public mutating func set(_ token: Int, _ value: [UInt8]) {
        value.withUnsafeBytes { set(token, $0) }
    }

    /// Replaces the value of `token`.
    public mutating func set(_ token: Int, _ value: ArraySlice<UInt8>) {
        value.withUnsafeBytes { set(token, $0) }
    }

    /// Forgets every value, keeping the allocated capacity.
    public mutating func reset() {
        storage.removeAll(keepingCapacity: true)
        for index in slots.indices {
            slots[index] = Slot(start: HTTPHeaderTable.absent, length: 0)
        }
        openToken = -1
    }

    // MARK: Incremental filling by the head parser

    /// Opens `token` for appending a received field value. A repeated token with a
    /// non-empty value gets ", " appended; if another value was stored after it, its earlier value is
    /// first copied to the end so the joined value stays contiguous (rare: most
    /// repeated headers arrive back to back).
    mutating func beginValue(_ token: Int) {
        var slot = slots[token]
        if slot.start == HTTPHeaderTable.absent || slot.length == 0 {
            // Nothing to join onto: an earlier empty field adds nothing to the list.
            slot = Slot(start: UInt32(truncatingIfNeeded: storage.count), length: 0)
            openIsJoined = false
        } else {
            let start = Int(slot.start)
            let end = start + Int(slot.length)
            if end != storage.count {
                let earlier = [UInt8](storage[start..<end])
                slot.start = UInt32(truncatingIfNeeded: storage.count)
                storage.append(contentsOf: earlier)
            }
            storage.append(UInt8(ascii: ","))
            storage.append(UInt8(ascii: " "))
            openIsJoined = true
        }
        slots[token] = slot
        openToken = token
        openFieldStart = storage.count
    }

    /// Appends received value bytes to the open token.
    mutating func appendToValue(_ bytes: UnsafeRawBufferPointer) {
        storage.appendRaw(bytes)
    }

    /// Closes the open token: trims trailing whitespace (RFC 7230 OWS) and drops the
    /// joiner again when the repeated field turned out empty.
    /// - Returns: the token's complete value length.
    mutating func endValue() -> Int {
        var end = storage.count
        while end > openFieldStart && (storage[end - 1] == UInt8(ascii: " ") || storage[end - 1] == UInt8(ascii: "\t")) {
            end -= 1
        }
        if end == openFieldStart && openIsJoined {
            end -= 2
        }
        if end < storage.count { storage.removeLast(storage.count - end) }
        let length = end - Int(slots[openToken].start)
        slots[openToken].length = UInt32(truncatingIfNeeded: length)
        openToken = -1
        return length
    }
}

extension Array where Element == UInt8 {
    /// Appends raw bytes as one block copy; `append(contentsOf:)` given a raw buffer
    /// goes through the generic element-by-element path.
    mutating func appendRaw(_ bytes: UnsafeRawBufferPointer) {
        bytes.withMemoryRebound(to: UInt8.self) { append(contentsOf: $0) }
    }
}
