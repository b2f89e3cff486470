import CLibWebSockets
import WebSocketProtocol

/// What the WebSocket receive path keeps from one read to the next while a
/// frame or a fragmented message is unfinished: the decoder's progress and
/// the message being received, in one block of memory this handle points
/// to.
///
/// Between messages none of it matters, and most connections are between
/// messages most of the time, so a connection holds one only while it
/// decodes or is mid-message (`Connection.receiving`). Kept inline it was
/// 128 of the 393 bytes every idle connection cost.
///
/// The two parts are laid out by hand, the message after the decoder, so
/// that each is reached through a typed pointer: the connection's
/// `decoder` and `incoming` are addressors over them. (Accessor coroutines
/// over one struct were not inlined and cost a tenth of a small echo.)
struct ReceiveState {
    private let block: UnsafeMutableRawPointer

    private static let incomingOffset: Int = {
        let alignment = MemoryLayout<IncomingMessage>.alignment
        return (MemoryLayout<FrameDecoder>.stride + alignment - 1) / alignment * alignment
    }()
    static let size = incomingOffset + MemoryLayout<IncomingMessage>.stride
    static let alignment = max(MemoryLayout<FrameDecoder>.alignment, MemoryLayout<IncomingMessage>.alignment)

    var decoder: UnsafeMutablePointer<FrameDecoder> {
        block.assumingMemoryBound(to: FrameDecoder.self)
    }

    var incoming: UnsafeMutablePointer<IncomingMessage> {
        (block + ReceiveState.incomingOffset).assumingMemoryBound(to: IncomingMessage.self)
    }

    /// Nothing in progress: a fresh state would carry on identically.
    var isAtRest: Bool {
        decoder.pointee.isBetweenMessages && incoming.pointee.chunk == nil && incoming.pointee.pausedInflation == nil
    }

    /// Starts a state in `block` (uninitialized memory of `size` bytes).
    fileprivate init(initializing block: UnsafeMutableRawPointer, decoder: FrameDecoder) {
        self.block = block
        block.bindMemory(to: FrameDecoder.self, capacity: 1).initialize(to: decoder)
        (block + ReceiveState.incomingOffset).bindMemory(to: IncomingMessage.self, capacity: 1)
            .initialize(to: IncomingMessage())
    }

    /// Ends the state; its memory is handed back uninitialized.
    fileprivate func deinitialize() -> UnsafeMutableRawPointer {
        decoder.deinitialize(count: 1)
        incoming.deinitialize(count: 1)
        return block
    }

    /// Ends the state and frees its memory (a connection going away).
    func free() {
        deinitialize().deallocate()
    }
}

/// Spare `ReceiveState` memory of one context, so that a busy connection
/// whose reads end mid-frame does not call malloc and free each time.
/// Bounded: a context keeps at most `kept` blocks.
struct ReceiveStatePool: ~Copyable {
    static let kept = 64

    private var spare: [UnsafeMutableRawPointer] = []

    init() {}

    deinit {
        for block in spare { block.deallocate() }
    }

    mutating func take(decoder: FrameDecoder) -> ReceiveState {
        let block = spare.popLast()
            ?? UnsafeMutableRawPointer.allocate(byteCount: ReceiveState.size, alignment: ReceiveState.alignment)
        return ReceiveState(initializing: block, decoder: decoder)
    }

    mutating func giveBack(_ state: ReceiveState) {
        let block = state.deinitialize()
        if spare.count < ReceiveStatePool.kept {
            spare.append(block)
        } else {
            block.deallocate()
        }
    }
}
