/// Decompresses incoming permessage-deflate messages (RFC 7692 section
/// 7.2.2) into buffers the caller provides, in chunks of at most the
/// buffer's size.
///
/// The caller feeds each frame payload (or any piece of one) and then pulls
/// output until `.needInput`; after the message's last fragment it pulls
/// until `.messageEnd`. Nothing is copied on the way in: the decoder reads
/// straight from the fed buffer, so that buffer must stay valid and
/// unchanged until `nextChunk` has returned `.needInput`, `.messageEnd` or
/// `.error`. Output only ever goes to the caller's buffer, so the memory a
/// message costs is bounded by zlib's window whatever it inflates to, and
/// `maxMessageSize` stops it after that many bytes.
public final class MessageInflater {
    /// The largest message, in inflated bytes, accepted; 0 means unlimited.
    public let maxMessageSize: Int
    /// Whether each message starts from an empty window, the peer having
    /// promised not to refer to earlier messages.
    public let resetsContextPerMessage: Bool

    private let zlib: ZlibInflater
    /// The part of the fed bytes (or of `tail`) zlib has not consumed yet.
    private var input = UnsafeRawBufferPointer(start: nil, count: 0)
    private var phase: Phase = .awaitingInput
    /// Inflated bytes of the current message, checked against `maxMessageSize`.
    private var messageSize = 0
    /// Whether the decoder stands between two blocks (or before the first):
    /// zlib's own flag as of the last call that moved any byte. A call that
    /// moves nothing clears zlib's flag without a block having started, and
    /// a new or reset stream has not set it yet.
    private var isBetweenBlocks = true
    /// A byte inflated while looking ahead past a full buffer, owed to the
    /// next chunk.
    private var lookahead: UInt8?
    /// The 00 00 ff ff appended to every message, in memory of its own so
    /// that `input` can point at it like at any other input.
    private let tail: UnsafeMutableRawBufferPointer
    /// A copy of fed bytes made by `retainInput`, owned until the next feed.
    private var retained: UnsafeMutableRawBufferPointer?

    private enum Phase {
        /// All input fed so far is consumed; more of this message, or the
        /// next message, is expected from `feed`.
        case awaitingInput
        /// `input` points into a fed fragment.
        case fragment(isFinal: Bool)
        /// `input` points into `tail`: the message's compressed data is all
        /// consumed.
        case tail
        /// Everything is inflated; `.messageEnd` has not been reported yet.
        case messageComplete
        case failed(InflateError)
    }

    /// - Parameters:
    ///   - windowBits: the LZ77 window the peer promised to stay within,
    ///     8...15. It binds the peer's compressor only: the decoder always
    ///     keeps zlib's full 32 KiB window. zlib checks a back-reference
    ///     against its saved window plus what the current call has written,
    ///     so with a smaller window a reference beyond the promise failed or
    ///     passed depending on the size of the buffer a message was pulled
    ///     into; with the full window every reference DEFLATE can express
    ///     decodes the same however the message is pulled.
    ///   - resetsContextPerMessage: the negotiated no-context-takeover flag
    ///     for the peer's messages.
    ///   - maxMessageSize: inflated bytes allowed per message, 0 for no limit.
    /// - Returns: nil when zlib cannot allocate its state.
    public init?(windowBits: Int = 15, resetsContextPerMessage: Bool = false, maxMessageSize: Int = 0) {
        guard let zlib = ZlibInflater(windowBits: 15) else { return nil }
        self.zlib = zlib
        self.resetsContextPerMessage = resetsContextPerMessage
        self.maxMessageSize = max(maxMessageSize, 0)
        tail = .allocate(byteCount: DeflateTail.bytes.count, alignment: 1)
        tail.copyBytes(from: DeflateTail.bytes)
    }

    /// An inflater for the messages `role`'s peer sends under `parameters`.
    public convenience init?(parameters: PerMessageDeflateParameters, role: PerMessageDeflateParameters.Role,
                             maxMessageSize: Int = 0) {
        self.init(windowBits: parameters.maxWindowBits(of: role.peer),
                  resetsContextPerMessage: parameters.noContextTakeover(of: role.peer),
                  maxMessageSize: maxMessageSize)
    }

    deinit {
        tail.deallocate()
        retained?.deallocate()
    }

    /// Copies the fed bytes zlib has not consumed yet into memory the
    /// inflater owns, so the caller may reuse the buffer it fed from before
    /// pulling the rest of the output: a receiver whose application paused
    /// in the middle of a message's output resumes later from the copy.
    public func retainInput() {
        guard case .fragment = phase, !input.isEmpty else { return }
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: input.count, alignment: 1)
        copy.copyMemory(from: input)
        retained?.deallocate()
        retained = copy
        input = UnsafeRawBufferPointer(copy)
    }

    /// Hands the decoder the next piece of compressed data: a whole frame
    /// payload or part of one, possibly empty. `isFinalFragmentOfMessage`
    /// marks the piece that ends the message (the end of the FIN frame).
    ///
    /// Only valid when the previous `nextChunk` returned `.needInput` or
    /// `.messageEnd`, or before the first call; a failed decoder ignores it.
    public func feed(_ compressed: UnsafeRawBufferPointer, isFinalFragmentOfMessage: Bool) {
        switch phase {
        case .failed:
            return
        case .awaitingInput:
            retained?.deallocate()
            retained = nil
            input = compressed
            phase = .fragment(isFinal: isFinalFragmentOfMessage)
        case .fragment, .tail, .messageComplete:
            preconditionFailure("MessageInflater.feed called before the previous input was used up")
        }
    }

    /// Inflates into `output`, at most `output.count` bytes. Bytes decoded
    /// before a failure are handed out first; the failure comes with the
    /// next call.
    ///
    /// An empty `output` takes no bytes and only asks whether more follow:
    /// `.produced(0)` when another byte is ready for the next call (inflated
    /// ahead now if need be), otherwise `.needInput`, `.messageEnd` or
    /// `.error` as for any buffer. A receiver whose buffer is full asks this
    /// before it hands the buffer on as not the message's last.
    public func nextChunk(into output: UnsafeMutableRawBufferPointer) -> InflateStep {
        var produced = 0
        if !output.isEmpty, let byte = lookahead {
            output[0] = byte
            lookahead = nil
            produced = 1
        }
        produced += fill(UnsafeMutableRawBufferPointer(rebasing: output[produced...]))
        if produced == output.count && lookahead == nil {
            // The buffer is full, so whether the message goes on is unknown
            // until zlib is asked for one more byte. Knowing it now is what
            // lets the receiver flag this chunk as the message's last
            // without holding it back (`isMessageComplete`). This is the
            // one place that looks ahead.
            var byte: UInt8 = 0
            if withUnsafeMutableBytes(of: &byte, { fill($0) }) == 1 { lookahead = byte }
        }
        // Bytes within the limit are handed out even if looking further
        // failed; the failure is reported by the next call.
        if produced > 0 || lookahead != nil { return .produced(produced) }
        switch phase {
        case .failed(let error):
            return .error(error)
        case .messageComplete:
            finishMessage()
            return .messageEnd
        case .awaitingInput, .fragment, .tail:
            return .needInput
        }
    }

    /// After `.produced`, whether those bytes were the message's last, so
    /// that the next call returns `.messageEnd`. Exact even when the chunk
    /// filled the buffer: the inflater then looks one byte ahead. When the
    /// final fragment adds no byte, no chunk carries the flag and
    /// `.messageEnd` alone marks the end.
    public var isMessageComplete: Bool {
        if case .messageComplete = phase { return true }
        return false
    }

    /// Inflates into `output` until it is full or the input in hand runs
    /// out (the message ends, more input is needed, or decoding fails),
    /// moving through the phases; returns how many bytes it wrote.
    private func fill(_ output: UnsafeMutableRawBufferPointer) -> Int {
        var produced = 0
        while produced < output.count {
            switch phase {
            case .fragment, .tail:
                break
            case .awaitingInput, .messageComplete, .failed:
                return produced
            }
            // One byte past the limit is enough to know it was passed, and
            // asking no more keeps every reported byte within the limit.
            var room = output.count - produced
            if maxMessageSize > 0 {
                let allowance = maxMessageSize - messageSize
                if allowance < room { room = allowance + 1 }
            }
            let inputBefore = input.count
            let (count, outcome) = zlib.inflate(&input, into: UnsafeMutableRawBufferPointer(rebasing: output[produced..<(produced + room)]))
            messageSize += count
            if input.count < inputBefore || count > 0 { isBetweenBlocks = zlib.isAtBlockBoundary }
            if maxMessageSize > 0 && messageSize > maxMessageSize {
                // Only the byte past the limit is withheld.
                fail(.messageTooBig)
                return produced + count - 1
            }
            produced += count
            switch outcome {
            case .dataError:
                fail(.invalidData)
            case .memoryError:
                fail(.outOfMemory)
            case .streamEnd:
                streamEnded()
            case .progress:
                if count == room { continue }  // output full: zlib may hold more
                if !input.isEmpty {
                    // Only a piece of a huge input was offered; but a call
                    // that moved nothing must not be repeated forever.
                    if input.count == inputBefore && count == 0 { fail(.invalidData) }
                    continue
                }
                inputUsedUp()
            }
        }
        return produced
    }

    /// All of `input` is consumed and the output was not full, so zlib has
    /// handed out everything it can: move on to the next input.
    private func inputUsedUp() {
        switch phase {
        case .fragment(isFinal: false):
            phase = .awaitingInput
        case .fragment(isFinal: true):
            // The tail completes the empty stored block a sender's data ends
            // in. Data that ends between blocks has none to complete, and the
            // tail would open a bogus one that corrupts the next message:
            // this happens when a block with BFINAL set ends the message
            // without the empty block RFC 7692 section 7.2.1 asks for, and
            // when a sender sends an empty message as no byte at all rather
            // than as 0x00 (section 7.2.3.6).
            if isBetweenBlocks {
                phase = .messageComplete
            } else {
                input = UnsafeRawBufferPointer(tail)
                phase = .tail
            }
        case .tail:
            // A well-formed message always ends between blocks once the tail
            // is in; anywhere else it was cut short.
            if isBetweenBlocks {
                phase = .messageComplete
            } else {
                fail(.invalidData)
            }
        case .awaitingInput, .messageComplete, .failed:
            break
        }
    }

    /// A block with BFINAL set ended the DEFLATE stream (RFC 7692 section
    /// 7.2.3.4); what follows, if anything, starts a new stream.
    private func streamEnded() {
        guard zlib.restartKeepingWindow() else { return fail(.outOfMemory) }
        isBetweenBlocks = true
    }

    private func finishMessage() {
        phase = .awaitingInput
        messageSize = 0
        if resetsContextPerMessage {
            zlib.reset()
            isBetweenBlocks = true
        }
    }

    private func fail(_ error: InflateError) {
        phase = .failed(error)
        input = UnsafeRawBufferPointer(start: nil, count: 0)
        lookahead = nil
    }
}
