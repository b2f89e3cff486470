import CZlib

/// Compresses outgoing messages for permessage-deflate (RFC 7692 section
/// 7.2.1), one fragment at a time.
///
/// Every fragment is sync-flushed, so each frame carries everything written
/// so far and the peer can hand a fragment's data to its application as soon
/// as it arrives, as it could without compression. The final fragment's
/// output loses the 00 00 ff ff that ends the flush marker: the receiver
/// appends it back (section 7.2.2).
public final class MessageDeflater {
    /// Whether each message starts from an empty window ("no context
    /// takeover"), so it never refers to an earlier message.
    public let resetsContextPerMessage: Bool
    private let zlib: ZlibDeflater

    /// - Parameters:
    ///   - windowBits: the LZ77 window the peer's decoder was promised,
    ///     8...15 (values outside are clamped). zlib rejects a 256-byte
    ///     window (8) for raw DEFLATE, so 8 compresses with 9; that is still
    ///     within the promise, because zlib never emits a distance longer
    ///     than the window size minus 262 bytes of lookahead, i.e. 250 for
    ///     a 512-byte window.
    ///   - resetsContextPerMessage: the negotiated no-context-takeover flag
    ///     for this side's messages.
    ///   - compressionLevel: zlib's level, 0...9 or -1 for its default (6).
    ///   - memoryLevel: zlib's memLevel, 1...9; lower values save memory
    ///     per connection at some cost in ratio.
    /// - Returns: nil when zlib cannot allocate its state.
    public init?(windowBits: Int = 15, resetsContextPerMessage: Bool = false, compressionLevel: Int = -1,
                 memoryLevel: Int = 8) {
        let bits = min(max(windowBits, 9), 15)
        guard let zlib = ZlibDeflater(windowBits: bits, level: min(max(compressionLevel, -1), 9),
                                      memoryLevel: min(max(memoryLevel, 1), 9)) else { return nil }
        self.zlib = zlib
        self.resetsContextPerMessage = resetsContextPerMessage
    }

    /// A deflater for the messages `role` sends under `parameters`.
    public convenience init?(parameters: PerMessageDeflateParameters, role: PerMessageDeflateParameters.Role,
                             compressionLevel: Int = -1, memoryLevel: Int = 8) {
        self.init(windowBits: parameters.maxWindowBits(of: role),
                  resetsContextPerMessage: parameters.noContextTakeover(of: role),
                  compressionLevel: compressionLevel, memoryLevel: memoryLevel)
    }

    /// Compresses one fragment of a message and appends the frame payload
    /// to `output`, which the caller can reuse from message to message
    /// (`removeAll(keepingCapacity: true)`) and may have pre-filled, e.g.
    /// with room for a frame header.
    ///
    /// A non-final fragment may produce no bytes at all (an empty frame is
    /// legal); the final fragment always produces at least one.
    /// - Returns: false only if zlib reports its state broken.
    public func compress(_ payload: UnsafeRawBufferPointer, isFinal: Bool, appendingTo output: inout [UInt8]) -> Bool {
        let start = output.count
        guard zlib.compress(payload, flush: Z_SYNC_FLUSH, appendingTo: &output) else { return false }
        guard isFinal else { return true }
        if output.count - start >= 4 && output[(output.count - 4)...].elementsEqual(DeflateTail.bytes) {
            output.removeLast(4)
        } else {
            // zlib emitted nothing: the previous fragment was already flushed
            // and nothing came since. Its marker cannot be the one the peer
            // will append, so end the message with what RFC 7692 section
            // 7.2.3.6 sends for an empty one: an empty stored block without
            // its four-byte tail.
            output.append(0x00)
        }
        if resetsContextPerMessage { zlib.reset() }
        return true
    }

    /// Convenience for a whole message in one array.
    public func compress(_ payload: [UInt8], isFinal: Bool = true, appendingTo output: inout [UInt8]) -> Bool {
        payload.withUnsafeBytes { compress($0, isFinal: isFinal, appendingTo: &output) }
    }
}
