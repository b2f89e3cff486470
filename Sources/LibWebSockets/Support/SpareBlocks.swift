import CLibWebSockets

/// Memory blocks that emptied connection buffers hand back, for the next
/// buffer that needs one.
///
/// A connection's buffers give their memory up as soon as they are empty
/// (an outbound buffer once everything was sent, a receive chunk at the end
/// of its message), so an idle connection holds none. But a busy connection
/// corks every service call, and without this each batch paid a malloc and,
/// as the batch grew past 4 KiB, copies into ever larger blocks (a tenth of
/// the instructions of a pipelined small-message echo); and a 16 KiB
/// message split across reads paid a fresh chunk, often in pages the heap
/// had just given back to the kernel (page faults were a twentieth of the
/// server's time at 16 KiB). Kept here, the blocks serve the next buffers.
/// Bounded: blocks of at most `largestKept` bytes, at most `bytesKept` in
/// all, so what a context holds back is small next to what its
/// connections' buffers take at once anyway. One per context, used only
/// from its service thread: no lock. Blocks are malloc'd; `free` releases
/// them.
final class SpareBlocks {
    struct Block {
        let start: UnsafeMutableRawPointer
        let capacity: Int
    }

    /// A block larger than two full corks (a slow reader's backlog, a huge
    /// rx_buffer_size) goes back to the C heap.
    static let largestKept = Connection.corkLimit * 2
    static let bytesKept = 1 << 20

    private var kept: [Block] = []
    private var keptBytes = 0

    deinit {
        for block in kept { free(block.start) }
    }

    /// The most recently returned block of at least `minimum` bytes (its
    /// memory is the likeliest still in cache), or nil when none is kept.
    func take(atLeast minimum: Int) -> Block? {
        var i = kept.count - 1
        while i >= 0 {
            if kept[i].capacity >= minimum {
                let block = kept.remove(at: i)
                keptBytes -= block.capacity
                return block
            }
            i -= 1
        }
        return nil
    }

    /// Keeps a block for reuse, or frees it when it is too large or enough
    /// is kept already.
    func giveBack(_ block: Block) {
        guard block.capacity <= SpareBlocks.largestKept,
              keptBytes + block.capacity <= SpareBlocks.bytesKept else {
            free(block.start)
            return
        }
        kept.append(block)
        keptBytes += block.capacity
    }
}
