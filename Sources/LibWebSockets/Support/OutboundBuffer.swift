/// Bytes accepted from the user that the socket has not taken yet.
///
/// `libwebsocket_write` promises that nothing is ever dropped: whatever the
/// kernel refuses is kept here and flushed before the next WRITEABLE
/// callback. Consumed bytes are tracked with a head index and the storage is
/// compacted only when it empties or the dead prefix dominates, so a slow
/// reader costs one copy per byte, not one per partial send.
struct OutboundBuffer {
    private var storage: [UInt8] = []
    private var head = 0

    var isEmpty: Bool { head == storage.count }
    var count: Int { storage.count - head }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if isEmpty { clear() }
        storage.append(contentsOf: bytes)
    }

    /// Lets `body` send from the unsent bytes; it returns how many were taken.
    mutating func drain(_ body: (UnsafeRawBufferPointer) -> Int) {
        guard !isEmpty else { return }
        let taken = storage.withUnsafeBytes { all in
            body(UnsafeRawBufferPointer(rebasing: all[head...]))
        }
        guard taken > 0 else { return }
        head += min(taken, count)
        if isEmpty {
            clear()
        } else if head > 65536 && head > storage.count / 2 {
            storage.removeSubrange(0..<head)
            head = 0
        }
    }

    mutating func clear() {
        storage.removeAll(keepingCapacity: storage.capacity <= 65536)
        head = 0
    }
}
