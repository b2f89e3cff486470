import CLibWebSockets

/// The buffer RECEIVE callbacks are served from when a chunk spans reads or
/// comes out of an inflater.
///
/// It holds `capacity` bytes with LWS_SEND_BUFFER_PRE_PADDING before and
/// LWS_SEND_BUFFER_POST_PADDING after, so the application may build its
/// reply in place, as 1.4 allowed, and the byte after the data can be a NUL.
///
/// Its memory comes from, and goes back to, the context's `SpareBlocks`:
/// the chunk lives only while a message is split, so without them every
/// split message paid a fresh allocation.
final class ReceiveChunk {
    private(set) var capacity: Int
    private var allocation: SpareBlocks.Block
    private(set) var start: UnsafeMutableRawPointer
    var count = 0
    private let blocks: SpareBlocks

    /// `capacity` is what the chunk holds, even when the block it got is
    /// larger: it is the RECEIVE piece size (rx_buffer_size), which the
    /// application sees.
    init(capacity: Int, blocks: SpareBlocks) {
        self.blocks = blocks
        self.capacity = capacity
        allocation = ReceiveChunk.allocate(capacity, from: blocks)
        start = allocation.start + Int(LWS_SEND_BUFFER_PRE_PADDING)
    }

    deinit { blocks.giveBack(allocation) }

    var space: Int { capacity - count }

    func append(_ bytes: UnsafeRawBufferPointer) {
        (start + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        count += bytes.count
    }

    /// Enlarges the buffer, keeping its bytes (a deflate-frame frame is
    /// delivered whole, up to a bound, whatever rx_buffer_size says).
    func grow(to newCapacity: Int) {
        guard newCapacity > capacity else { return }
        let larger = ReceiveChunk.allocate(newCapacity, from: blocks)
        let newStart = larger.start + Int(LWS_SEND_BUFFER_PRE_PADDING)
        newStart.copyMemory(from: start, byteCount: count)
        blocks.giveBack(allocation)
        allocation = larger
        start = newStart
        capacity = newCapacity
    }

    private static let padding = Int(LWS_SEND_BUFFER_PRE_PADDING) + Int(LWS_SEND_BUFFER_POST_PADDING)

    /// A kept block if one is large enough, else a new one; out of memory
    /// traps, as Swift's own allocation did here (the size is bounded by
    /// the application's rx_buffer_size, not by a peer).
    private static func allocate(_ capacity: Int, from blocks: SpareBlocks) -> SpareBlocks.Block {
        let bytes = padding + capacity
        if let block = blocks.take(atLeast: bytes) { return block }
        guard let start = malloc(bytes) else { fatalError("no memory for a receive chunk") }
        return SpareBlocks.Block(start: start, capacity: bytes)
    }
}
