import CLibWebSockets

/// Memory blocks that emptied outbound buffers hand back, for the next
/// buffer that needs one.
///
/// A buffer gives its memory up as soon as everything in it was sent, so an
/// idle connection holds none; but a busy connection corks every service
/// call, and without this each batch paid a malloc and, as the batch grew
/// past 4 KiB, copies into ever larger blocks (a tenth of the instructions
/// of a pipelined small-message echo). Kept here, the grown blocks serve
/// the next batches. Bounded: blocks of at most `largestKept` bytes, at
/// most `bytesKept` in all, so what a context holds back is small next to
/// what its connections' corked writes take at once anyway. One per
/// context, used only from its service thread: no lock.
final class OutboundBlocks {
    struct Block {
        let start: UnsafeMutableRawPointer
        let capacity: Int
    }

    /// A block larger than a full cork (a slow reader's backlog) goes back
    /// to the C heap.
    static let largestKept = Connection.corkLimit * 2
    static let bytesKept = 1 << 20

    private var kept: [Block] = []
    private var keptBytes = 0

    deinit {
        for block in kept { free(block.start) }
    }

    /// The most recently returned block (its memory is the likeliest still
    /// in cache), or nil when none is kept.
    func take() -> Block? {
        guard let block = kept.popLast() else { return nil }
        keptBytes -= block.capacity
        return block
    }

    /// Keeps a block for reuse, or frees it when it is too large or enough
    /// is kept already.
    func giveBack(_ block: Block) {
        guard block.capacity <= OutboundBlocks.largestKept,
              keptBytes + block.capacity <= OutboundBlocks.bytesKept else {
            free(block.start)
            return
        }
        kept.append(block)
        keptBytes += block.capacity
    }
}
