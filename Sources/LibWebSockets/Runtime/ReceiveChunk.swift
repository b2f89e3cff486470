import CLibWebSockets

/// The buffer RECEIVE callbacks are served from when a chunk spans reads or
/// comes out of an inflater.
///
/// It holds `capacity` bytes with LWS_SEND_BUFFER_PRE_PADDING before and
/// LWS_SEND_BUFFER_POST_PADDING after, so the application may build its
/// reply in place, as 1.4 allowed, and the byte after the data can be a NUL.
final class ReceiveChunk {
    private(set) var capacity: Int
    private var allocation: UnsafeMutableRawPointer
    private(set) var start: UnsafeMutableRawPointer
    var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        allocation = ReceiveChunk.allocate(capacity)
        start = allocation + Int(LWS_SEND_BUFFER_PRE_PADDING)
    }

    deinit { allocation.deallocate() }

    var space: Int { capacity - count }

    func append(_ bytes: UnsafeRawBufferPointer) {
        (start + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        count += bytes.count
    }

    /// Enlarges the buffer, keeping its bytes (a deflate-frame frame is
    /// delivered whole, up to a bound, whatever rx_buffer_size says).
    func grow(to newCapacity: Int) {
        guard newCapacity > capacity else { return }
        let larger = ReceiveChunk.allocate(newCapacity)
        let newStart = larger + Int(LWS_SEND_BUFFER_PRE_PADDING)
        newStart.copyMemory(from: start, byteCount: count)
        allocation.deallocate()
        allocation = larger
        start = newStart
        capacity = newCapacity
    }

    private static func allocate(_ capacity: Int) -> UnsafeMutableRawPointer {
        .allocate(byteCount: Int(LWS_SEND_BUFFER_PRE_PADDING) + capacity + Int(LWS_SEND_BUFFER_POST_PADDING),
                  alignment: 16)
    }
}
