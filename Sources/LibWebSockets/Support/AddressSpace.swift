/// Whether a buffer a C caller describes by start and length could exist.
///
/// size_t arrives in Swift as Int, so SIZE_MAX and its neighbours arrive
/// negative; and no Linux platform maps user memory at or beyond 2^57
/// (x86-64 with five-level paging ends at 2^56, arm64 at 2^52). A length
/// reaching further is a caller's mistake that would otherwise trap in our
/// arithmetic (`header + length`), or run a copy or an in-place mask off
/// the end of the caller's memory: it is refused before anything depends
/// on it. A smaller wrong length is, as everywhere in C, the caller's
/// promise.
enum AddressSpace {
    static let end: UInt = MemoryLayout<UInt>.size == 8 ? UInt(1) << 57 : UInt.max

    static func contains(_ start: UnsafeRawPointer?, count: Int) -> Bool {
        guard count >= 0 else { return false }
        let (last, overflow) = UInt(bitPattern: start).addingReportingOverflow(UInt(count))
        return !overflow && last <= end
    }
}
