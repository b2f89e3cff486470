/// Bytes accepted from the user that the socket has not taken yet.
///
/// `libwebsocket_write` promises that nothing is ever dropped: whatever the
/// kernel refuses is kept here and flushed before the next WRITEABLE
/// callback. Consumed bytes are tracked with a head index and the storage is
/// compacted only when it empties or the dead prefix dominates, so a slow
/// reader costs one copy per byte, not one per partial send.
///
/// The one exception to "never dropped" is a pong we owe: only the latest
/// ping needs its answer (RFC 6455 5.5.3), so a newer pong replaces one
/// still waiting here, and a peer that floods pings without reading is owed
/// one pong, not one per ping.
struct OutboundBuffer {
    private var storage: [UInt8] = []
    private var head = 0
    /// Where the last bytes appended start, when they are a pong that no
    /// send has been offered yet. Once offered it must stay: over TLS,
    /// OpenSSL may hold it in a record it retries with the same bytes.
    private var unsentPongStart: Int?

    var isEmpty: Bool { head == storage.count }
    var count: Int { storage.count - head }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if isEmpty { clear() }
        storage.append(contentsOf: bytes)
        unsentPongStart = nil
    }

    /// Appends a pong frame, in place of the previous pong when that is
    /// still the last thing here and unsent.
    mutating func appendPong(_ frame: UnsafeRawBufferPointer) {
        if let start = unsentPongStart {
            storage.removeSubrange(start...)
        } else if isEmpty {
            clear()
        }
        unsentPongStart = storage.count
        storage.append(contentsOf: frame)
    }

    /// Lets `body` send from the unsent bytes; it returns how many were taken.
    mutating func drain(_ body: (UnsafeRawBufferPointer) -> Int) {
        guard !isEmpty else { return }
        unsentPongStart = nil
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
        unsentPongStart = nil
    }
}
