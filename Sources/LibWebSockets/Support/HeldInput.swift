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
///
/// Like `OutboundBuffer`, the value is one pointer: the indexes sit at the
/// start of the memory, before the padding, so a connection holding
/// nothing pays 8 bytes for this.
struct HeldInput: ~Copyable {
    private struct Header {
        /// Bytes that fit between the paddings.
        var capacity: Int
        var head: Int
        var tail: Int
    }

    private static let headerSize = MemoryLayout<Header>.stride
    private static let prePadding = Int(LWS_SEND_BUFFER_PRE_PADDING)
    private static let postPadding = Int(LWS_SEND_BUFFER_POST_PADDING)

    private var memory: UnsafeMutablePointer<Header>?

    init() {}

    deinit { free(memory) }

    var isEmpty: Bool { count == 0 }
    var count: Int {
        guard let memory else { return 0 }
        return memory.pointee.tail - memory.pointee.head
    }

    /// Where byte 0 of the capacity lies (after the header and the padding).
    private static func start(_ memory: UnsafeMutablePointer<Header>) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(memory) + headerSize + prePadding
    }

    /// The unprocessed bytes, in place (empty when there are none).
    var bytes: UnsafeMutableRawBufferPointer {
        guard let memory else { return UnsafeMutableRawBufferPointer(start: nil, count: 0) }
        return UnsafeMutableRawBufferPointer(start: HeldInput.start(memory) + memory.pointee.head, count: count)
    }

    /// Keeps `more` after what is held. False when there is no memory for
    /// them: nothing is appended.
    mutating func append(_ more: UnsafeRawBufferPointer) -> Bool {
        guard more.count > 0 else { return true }
        guard let base = more.baseAddress else { return true }
        if more.count > (memory.map { $0.pointee.capacity - $0.pointee.tail } ?? 0) {
            guard makeRoom(for: more.count) else { return false }
        }
        guard let memory else { return false }
        (HeldInput.start(memory) + memory.pointee.tail).copyMemory(from: base, byteCount: more.count)
        memory.pointee.tail += more.count
        return true
    }

    /// Drops the first `n` held bytes (processed); the storage goes once
    /// nothing is left.
    mutating func removeFirst(_ n: Int) {
        guard let memory else { return }
        memory.pointee.head += min(max(n, 0), count)
        if isEmpty { removeAll() }
    }

    mutating func removeAll() {
        free(memory)
        memory = nil
    }

    /// Hands the held bytes over and leaves this empty, so they can be
    /// processed while callbacks re-enter the connection.
    mutating func take() -> HeldInput {
        var taken = HeldInput()
        swap(&taken.memory, &memory)
        return taken
    }

    /// Moves the unprocessed bytes to the front when that makes room (each
    /// byte then moves about once), else into a larger block.
    private mutating func makeRoom(for extra: Int) -> Bool {
        let live = count
        let (wanted, overflow) = live.addingReportingOverflow(extra)
        guard !overflow else { return false }
        if let memory, memory.pointee.head >= live && wanted <= memory.pointee.capacity {
            let start = HeldInput.start(memory)
            start.copyMemory(from: start + memory.pointee.head, byteCount: live)
            memory.pointee.head = 0
            memory.pointee.tail = live
            return true
        }
        var newCapacity = max(memory?.pointee.capacity ?? 0, 4096)
        while newCapacity < wanted {
            let (doubled, tooLarge) = newCapacity.multipliedReportingOverflow(by: 2)
            newCapacity = tooLarge ? wanted : doubled
        }
        let (total, tooLarge) = newCapacity.addingReportingOverflow(
            HeldInput.headerSize + HeldInput.prePadding + HeldInput.postPadding)
        guard !tooLarge, let raw = malloc(total) else { return false }
        let larger = raw.bindMemory(to: Header.self, capacity: 1)
        larger.initialize(to: Header(capacity: newCapacity, head: 0, tail: live))
        if let memory, live > 0 {
            HeldInput.start(larger).copyMemory(from: HeldInput.start(memory) + memory.pointee.head, byteCount: live)
        }
        free(memory)
        memory = larger
        return true
    }
}
