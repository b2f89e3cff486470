import CLibWebSockets

/// When a crowd of connections has gone, gives the memory their buffers
/// took back to the kernel.
///
/// glibc returns freed memory on its own only from the top of the heap;
/// what a crowd freed below a block that is still in use (a connection
/// that came later, a kept spare block) stays resident. An attack run left
/// 4.4 MiB that way after 28,000 mutated frame streams had come and gone,
/// with nothing leaked. So once the connections have fallen to half their
/// peak, and by at least `minimumCrowd`, the once-a-second housekeeping
/// trims the heap. A steady churn of connections, whose count holds, never
/// triggers it.
struct HeapTrim {
    private var live = 0
    private var peak = 0

    static let minimumCrowd = 16

    mutating func connectionAdded() {
        live += 1
        if live > peak { peak = live }
    }

    mutating func connectionRemoved() {
        live -= 1
    }

    /// Trims the heap if a crowd has left since the last trim; then counts
    /// the peak from what remains.
    mutating func trimIfCrowdLeft() {
        guard peak - live >= HeapTrim.minimumCrowd, live <= peak / 2 else { return }
        peak = live
        lws_c_trim_heap()
    }
}
