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
///
/// The buffer is one pointer: its indexes live at the start of the memory
/// they describe (`Header`), so a connection with nothing buffered pays 8
/// bytes for it rather than 48.
struct OutboundBuffer: ~Copyable {
    /// The bookkeeping at the start of a buffer's memory; the bytes follow.
    private struct Header {
        /// Bytes of room after the header.
        var capacity: Int
        var head: Int
        var tail: Int
        /// Where the last bytes appended start, when they are a pong that
        /// no send has been offered yet (-1: none). Once offered it must
        /// stay: over TLS, OpenSSL may hold it in a record it retries with
        /// the same bytes.
        var unsentPongStart: Int
    }

    private static let headerSize = MemoryLayout<Header>.stride

    private var memory: UnsafeMutablePointer<Header>?

    init() {}

    deinit { free(memory) }

    var isEmpty: Bool { count == 0 }
    var count: Int {
        guard let memory else { return 0 }
        return memory.pointee.tail - memory.pointee.head
    }

    /// False when there is no memory for the bytes: nothing is appended.
    mutating func append(_ bytes: UnsafeRawBufferPointer, blocks: SpareBlocks) -> Bool {
        // The usual case, a corked frame that fits behind the last one,
        // skips `reserve` and its checks (a third of a pipelined small
        // echo's send cost was spent keeping the frame).
        if let memory, memory.pointee.tail > memory.pointee.head,
           bytes.count <= memory.pointee.capacity &- memory.pointee.tail {
            copyIn(bytes, memory)
            memory.pointee.unsentPongStart = -1
            return true
        }
        guard let memory = reserve(bytes.count, blocks: blocks) else { return false }
        copyIn(bytes, memory)
        memory.pointee.unsentPongStart = -1
        return true
    }

    /// Appends a pong frame, in place of the previous pong when that is
    /// still the last thing here and unsent.
    mutating func appendPong(_ frame: UnsafeRawBufferPointer, blocks: SpareBlocks) -> Bool {
        if let memory, memory.pointee.unsentPongStart >= 0 {
            memory.pointee.tail = memory.pointee.unsentPongStart
        }
        guard let memory = reserve(frame.count, blocks: blocks) else { return false }
        memory.pointee.unsentPongStart = memory.pointee.tail
        copyIn(frame, memory)
        return true
    }

    /// Lets `body` send from the unsent bytes; it returns how many were taken.
    mutating func drain(blocks: SpareBlocks, _ body: (UnsafeRawBufferPointer) -> Int) {
        guard let memory, !isEmpty else { return }
        memory.pointee.unsentPongStart = -1
        let pending = count
        let taken = body(UnsafeRawBufferPointer(start: OutboundBuffer.bytes(memory) + memory.pointee.head, count: pending))
        guard taken > 0 else { return }
        memory.pointee.head += min(taken, pending)
        if isEmpty { clear(blocks: blocks) }
    }

    /// Drops what is buffered; the memory goes to `blocks`.
    mutating func clear(blocks: SpareBlocks) {
        guard let memory else { return }
        blocks.giveBack(SpareBlocks.Block(start: UnsafeMutableRawPointer(memory),
                                          capacity: memory.pointee.capacity + OutboundBuffer.headerSize))
        self.memory = nil
    }

    private static func bytes(_ memory: UnsafeMutablePointer<Header>) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(memory) + headerSize
    }

    private func copyIn(_ bytes: UnsafeRawBufferPointer, _ memory: UnsafeMutablePointer<Header>) {
        if let source = bytes.baseAddress, bytes.count > 0 {
            (OutboundBuffer.bytes(memory) + memory.pointee.tail).copyMemory(from: source, byteCount: bytes.count)
        }
        memory.pointee.tail += bytes.count
    }

    /// Makes room for `extra` more bytes at the tail and returns the
    /// memory: by moving the unsent bytes down when the consumed prefix is
    /// at least as large (so each byte moves about once), else in a larger
    /// block; a buffer without memory first takes a large enough block
    /// `blocks` kept. Nil, with nothing changed, when there is no memory.
    private mutating func reserve(_ extra: Int, blocks: SpareBlocks) -> UnsafeMutablePointer<Header>? {
        let live = count
        let (wanted, overflow) = live.addingReportingOverflow(extra)
        guard !overflow, wanted <= Int.max - OutboundBuffer.headerSize else { return nil }
        if memory == nil, let block = blocks.take(atLeast: wanted + OutboundBuffer.headerSize) {
            let fresh = block.start.bindMemory(to: Header.self, capacity: 1)
            fresh.initialize(to: Header(capacity: block.capacity - OutboundBuffer.headerSize,
                                        head: 0, tail: 0, unsentPongStart: -1))
            memory = fresh
        }
        if let memory {
            if live == 0 {
                memory.pointee.head = 0
                memory.pointee.tail = 0
            }
            if extra <= memory.pointee.capacity - memory.pointee.tail { return memory }
            if memory.pointee.head >= live && wanted <= memory.pointee.capacity {
                moveDown(from: memory, into: memory)
                return memory
            }
        }
        // Blocks, header included, are powers of two from 4 KiB: what
        // SpareBlocks keeps (up to 128 KiB) and what stays below malloc's
        // mmap threshold. (Sizing the bytes alone to a power of two made the
        // block for a full 64 KiB cork 32 bytes too large to be kept, and
        // every batch then mapped and unmapped it.)
        let needed = wanted + OutboundBuffer.headerSize
        var blockSize = max((memory?.pointee.capacity ?? 0) + OutboundBuffer.headerSize, 4096)
        while blockSize < needed {
            let (doubled, tooLarge) = blockSize.multipliedReportingOverflow(by: 2)
            blockSize = tooLarge ? needed : doubled
        }
        guard let raw = malloc(blockSize) else { return nil }
        let larger = raw.bindMemory(to: Header.self, capacity: 1)
        larger.initialize(to: Header(capacity: blockSize - OutboundBuffer.headerSize, head: 0, tail: 0,
                                     unsentPongStart: -1))
        if let memory {
            moveDown(from: memory, into: larger)
            clear(blocks: blocks)
        }
        memory = larger
        return larger
    }

    /// Puts the unsent bytes of `source` at the start of `destination`
    /// (which may be the same memory), with the pong mark.
    private func moveDown(from source: UnsafeMutablePointer<Header>, into destination: UnsafeMutablePointer<Header>) {
        let live = source.pointee.tail - source.pointee.head
        if live > 0 {
            OutboundBuffer.bytes(destination).copyMemory(from: OutboundBuffer.bytes(source) + source.pointee.head,
                                                         byteCount: live)
        }
        let pong = source.pointee.unsentPongStart
        let head = source.pointee.head
        destination.pointee.unsentPongStart = pong >= 0 ? pong - head : -1
        destination.pointee.head = 0
        destination.pointee.tail = live
    }
}
