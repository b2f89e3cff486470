import CLibWebSockets

/// Bytes accepted from the user that the socket has not taken yet.
///
/// `libwebsocket_write` promises that nothing is ever dropped: whatever the
/// kernel refuses is kept here and flushed before the next WRITEABLE
/// callback. The memory is the C heap's, so that keeping bytes can fail
/// (`append` returns false: the write fails, as a failed malloc failed it
/// in 1.4) instead of trapping. Consumed bytes are tracked with a head
/// index and moved down only when the dead prefix dominates, so a slow
/// reader costs about one copy per byte, not one per partial send. The
/// memory goes back as soon as everything has been sent: kept, it made
/// every connection that had ever been written to 4 KiB larger for good.
/// It goes back to the context's `SpareBlocks`, where the next buffer
/// to need memory finds it (already grown to what a batch takes).
///
/// The one exception to "never dropped" is a pong we owe: only the latest
/// ping needs its answer (RFC 6455 5.5.3), so a newer pong replaces one
/// still waiting here, and a peer that floods pings without reading is owed
/// one pong, not one per ping.
struct OutboundBuffer: ~Copyable {
    private var storage: UnsafeMutableRawPointer?
    private var capacity = 0
    private var head = 0
    private var tail = 0
    /// Where the last bytes appended start, when they are a pong that no
    /// send has been offered yet. Once offered it must stay: over TLS,
    /// OpenSSL may hold it in a record it retries with the same bytes.
    private var unsentPongStart: Int?

    init() {}

    deinit { free(storage) }

    var isEmpty: Bool { head == tail }
    var count: Int { tail - head }

    /// False when there is no memory for the bytes: nothing is appended.
    mutating func append(_ bytes: UnsafeRawBufferPointer, blocks: SpareBlocks) -> Bool {
        guard reserve(bytes.count, blocks: blocks) else { return false }
        copyIn(bytes)
        unsentPongStart = nil
        return true
    }

    /// Appends a pong frame, in place of the previous pong when that is
    /// still the last thing here and unsent.
    mutating func appendPong(_ frame: UnsafeRawBufferPointer, blocks: SpareBlocks) -> Bool {
        if let start = unsentPongStart { tail = start }
        guard reserve(frame.count, blocks: blocks) else { return false }
        unsentPongStart = tail
        copyIn(frame)
        return true
    }

    /// Lets `body` send from the unsent bytes; it returns how many were taken.
    mutating func drain(blocks: SpareBlocks, _ body: (UnsafeRawBufferPointer) -> Int) {
        guard !isEmpty, let storage else { return }
        unsentPongStart = nil
        let taken = body(UnsafeRawBufferPointer(start: storage + head, count: count))
        guard taken > 0 else { return }
        head += min(taken, count)
        if isEmpty { clear(blocks: blocks) }
    }

    /// Drops what is buffered; the memory goes to `blocks`.
    mutating func clear(blocks: SpareBlocks) {
        head = 0
        tail = 0
        unsentPongStart = nil
        if let storage { blocks.giveBack(SpareBlocks.Block(start: storage, capacity: capacity)) }
        storage = nil
        capacity = 0
    }

    private mutating func copyIn(_ bytes: UnsafeRawBufferPointer) {
        if let source = bytes.baseAddress, let storage, bytes.count > 0 {
            (storage + tail).copyMemory(from: source, byteCount: bytes.count)
        }
        tail += bytes.count
    }

    /// Makes room for `extra` more bytes at the tail: by moving the unsent
    /// bytes down when the consumed prefix is at least as large (so each
    /// byte moves about once), else in a larger block; a buffer without
    /// memory first takes a large enough block `blocks` kept.
    private mutating func reserve(_ extra: Int, blocks: SpareBlocks) -> Bool {
        if isEmpty {
            head = 0
            tail = 0
        }
        if storage == nil, let block = blocks.take(atLeast: extra) {
            storage = block.start
            capacity = block.capacity
        }
        let live = count
        let (wanted, overflow) = live.addingReportingOverflow(extra)
        guard !overflow else { return false }
        if extra <= capacity - tail { return true }
        if head >= live && wanted <= capacity {
            moveDown(into: storage)
            return true
        }
        var newCapacity = max(capacity, 4096)
        while newCapacity < wanted {
            let (doubled, tooLarge) = newCapacity.multipliedReportingOverflow(by: 2)
            newCapacity = tooLarge ? wanted : doubled
        }
        guard let larger = malloc(newCapacity) else { return false }
        moveDown(into: larger)
        if let storage { blocks.giveBack(SpareBlocks.Block(start: storage, capacity: capacity)) }
        storage = larger
        capacity = newCapacity
        return true
    }

    /// Puts the unsent bytes at the start of `destination`.
    private mutating func moveDown(into destination: UnsafeMutableRawPointer?) {
        if let destination, let storage, count > 0 {
            destination.copyMemory(from: storage + head, byteCount: count)
        }
        unsentPongStart = unsentPongStart.map { $0 - head }
        tail = count
        head = 0
    }
}
