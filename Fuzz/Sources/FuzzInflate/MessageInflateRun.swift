import FuzzSupport
import WebSocketCompression

/// What one message inflated to: its bytes, and the error that ended it.
struct InflatedMessage: Equatable {
    var bytes: [UInt8] = []
    var error: InflateError?
}

/// One pass of a `MessageInflater` over the pieces, fed and pulled as a
/// receiver does, with the contract of `feed` and `nextChunk` checked on
/// every call.
struct MessageInflateRun {
    private let setup: InflateSetup
    private let chunkSize: Int
    private let retainsInput: Bool
    private let inflater: MessageInflater
    private var messages: [InflatedMessage] = []
    private var current = InflatedMessage()

    /// Unlimited runs stop quietly past this much output: a zip bomb is
    /// expected to inflate, and checking megabytes of it finds nothing new.
    /// (DEFLATE expands at most 1032-fold, so inputs of libFuzzer's default
    /// 4096-byte maximum never get there.)
    static let outputCap = 8 << 20
    private var total = 0

    init(setup: InflateSetup, chunkSize: Int, retainsInput: Bool) {
        self.setup = setup
        self.chunkSize = chunkSize
        self.retainsInput = retainsInput
        inflater = setup.makeInflater()
    }

    /// The messages the pieces inflate to, the last one possibly unfinished
    /// or failed; nil when the run stopped at the output cap, where runs
    /// pulling different sizes stop at different bytes.
    mutating func inflate(_ compressed: UnsafeRawBufferPointer, pieces: [Piece]) -> [InflatedMessage]? {
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer { output.deallocate() }
        for piece in pieces {
            let goesOn = withExactCopy(of: UnsafeRawBufferPointer(rebasing: compressed[piece.range])) { fed in
                pull(fed, isFinal: piece.isMarked, into: output)
            }
            if !goesOn { break }
        }
        if total > Self.outputCap { return nil }
        if current != InflatedMessage() { messages.append(current) }
        return messages
    }

    /// Feeds one piece and pulls until it is used up; false when the run
    /// is over (failed, or past the output cap).
    private mutating func pull(_ fed: UnsafeMutableRawBufferPointer, isFinal: Bool,
                               into output: UnsafeMutableRawBufferPointer) -> Bool {
        inflater.feed(UnsafeRawBufferPointer(fed), isFinalFragmentOfMessage: isFinal)
        var endIsAnnounced = false
        var previousWasProduced = false
        while true {
            let step = inflater.nextChunk(into: output)
            if endIsAnnounced { precondition(step == .messageEnd, "isMessageComplete, but the message went on") }
            switch step {
            case .produced(let count):
                precondition(count >= 1 && count <= output.count, "produced nothing or more than the buffer")
                current.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: output[..<count]))
                precondition(setup.maxMessageSize == 0 || current.bytes.count <= setup.maxMessageSize,
                             "a message inflated past maxMessageSize")
                endIsAnnounced = inflater.isMessageComplete
                previousWasProduced = true
                total += count
                if total > Self.outputCap { return false }
                if retainsInput {
                    // The receiver's read buffer is reused once the rest is retained.
                    inflater.retainInput()
                    fed.initializeMemory(as: UInt8.self, repeating: 0xA5)
                }
                continue
            case .needInput:
                precondition(!isFinal, "needInput after the final fragment")
                return true
            case .messageEnd:
                precondition(isFinal, "messageEnd before the final fragment")
                precondition(!previousWasProduced || endIsAnnounced, "the last chunk was not flagged as the last")
                messages.append(current)
                current = InflatedMessage()
                return true
            case .error(let error):
                precondition(inflater.nextChunk(into: output) == .error(error), "a failed inflater recovered")
                precondition(error != .messageTooBig
                             || (setup.maxMessageSize > 0 && current.bytes.count == setup.maxMessageSize),
                             "messageTooBig short of the limit")
                precondition(error != .outOfMemory, "zlib ran out of memory")
                current.error = error
                return false
            }
        }
    }
}
