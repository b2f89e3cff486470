import CLibWebSockets

/// The buffer RECEIVE callbacks are served from when a chunk spans reads.
///
/// It holds up to the protocol's rx_buffer_size bytes with
/// LWS_SEND_BUFFER_PRE_PADDING before and LWS_SEND_BUFFER_POST_PADDING after,
/// so the application may build its reply in place, as 1.4 allowed.
final class ReceiveChunk {
    let capacity: Int
    private let allocation: UnsafeMutableRawPointer
    let start: UnsafeMutableRawPointer
    var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        let padding = Int(LWS_SEND_BUFFER_PRE_PADDING)
        allocation = UnsafeMutableRawPointer.allocate(byteCount: padding + capacity + Int(LWS_SEND_BUFFER_POST_PADDING), alignment: 16)
        start = allocation + padding
    }

    deinit { allocation.deallocate() }

    var space: Int { capacity - count }

    func append(_ bytes: UnsafeRawBufferPointer) {
        (start + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        count += bytes.count
    }
}
