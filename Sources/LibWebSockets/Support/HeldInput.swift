import CLibWebSockets

/// Received bytes that could not be used yet (flow control off, a pipelined
/// request while the previous one is answered), in arrival order.
///
/// They are processed where they lie when input resumes, never copied back
/// into the read buffer: so the storage has the read buffer's padding,
/// LWS_SEND_BUFFER_PRE_PADDING bytes before the first unprocessed byte and
/// LWS_SEND_BUFFER_POST_PADDING after the last, and a RECEIVE served from
/// here may build its reply in place as one served from the read buffer
/// may. (Copying the held bytes back piece by piece, and holding the rest
/// again each time the flow stopped, cost two copies of everything held per
/// pause: most of a pipelined echo server's time.) Processed bytes are
/// dropped by moving a head index; what lies before it is free padding.
///
/// Memory is the C heap's and released once everything is processed, so
/// an idle connection holds none; keeping bytes can fail (`append` returns
/// false) instead of trapping.
struct HeldInput: ~Copyable {
    private var allocation: UnsafeMutableRawPointer?
    /// Bytes that fit between the paddings.
    private var capacity = 0
    private var head = 0
    private var tail = 0

    init() {}

    deinit { free(allocation) }

    var isEmpty: Bool { head == tail }
    var count: Int { tail - head }

    private static let prePadding = Int(LWS_SEND_BUFFER_PRE_PADDING)
    private static let postPadding = Int(LWS_SEND_BUFFER_POST_PADDING)

    /// The unprocessed bytes, in place (empty when there are none).
    var bytes: UnsafeMutableRawBufferPointer {
        guard let allocation else { return UnsafeMutableRawBufferPointer(start: nil, count: 0) }
        return UnsafeMutableRawBufferPointer(start: allocation + HeldInput.prePadding + head, count: count)
    }

    /// Keeps `more` after what is held. False when there is no memory for
    /// them: nothing is appended.
    mutating func append(_ more: UnsafeRawBufferPointer) -> Bool {
        guard more.count > 0 else { return true }
        guard let base = more.baseAddress else { return true }
        if more.count > capacity - tail {
            guard makeRoom(for: more.count) else { return false }
        }
        (allocation! + HeldInput.prePadding + tail).copyMemory(from: base, byteCount: more.count)
        tail += more.count
        return true
    }

    /// Drops the first `n` held bytes (processed); the storage goes once
    /// nothing is left.
    mutating func removeFirst(_ n: Int) {
        head += min(max(n, 0), count)
        if isEmpty { removeAll() }
    }

    mutating func removeAll() {
        free(allocation)
        allocation = nil
        capacity = 0
        head = 0
        tail = 0
    }

    /// Hands the held bytes over and leaves this empty, so they can be
    /// processed while callbacks re-enter the connection.
    mutating func take() -> HeldInput {
        var taken = HeldInput()
        swap(&taken.allocation, &allocation)
        swap(&taken.capacity, &capacity)
        swap(&taken.head, &head)
        swap(&taken.tail, &tail)
        return taken
    }

    /// Moves the unprocessed bytes to the front when that makes room (each
    /// byte then moves about once), else into a larger block.
    private mutating func makeRoom(for extra: Int) -> Bool {
        let live = count
        let (wanted, overflow) = live.addingReportingOverflow(extra)
        guard !overflow else { return false }
        if let allocation, head >= live && wanted <= capacity {
            let start = allocation + HeldInput.prePadding
            start.copyMemory(from: start + head, byteCount: live)
            head = 0
            tail = live
            return true
        }
        var newCapacity = max(capacity, 4096)
        while newCapacity < wanted {
            let (doubled, tooLarge) = newCapacity.multipliedReportingOverflow(by: 2)
            newCapacity = tooLarge ? wanted : doubled
        }
        let (total, tooLarge) = newCapacity.addingReportingOverflow(HeldInput.prePadding + HeldInput.postPadding)
        guard !tooLarge, let larger = malloc(total) else { return false }
        if let allocation, live > 0 {
            (larger + HeldInput.prePadding).copyMemory(from: allocation + HeldInput.prePadding + head, byteCount: live)
        }
        free(allocation)
        allocation = larger
        capacity = newCapacity
        head = 0
        tail = live
        return true
    }
}
