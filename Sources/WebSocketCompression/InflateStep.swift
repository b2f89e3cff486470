import WebSocketProtocol

/// Why decompression stopped for good. The decoder that reported it stays
/// failed; the connection has to be closed with `closeCode`.
public enum InflateError: Error, Hashable {
    /// The bytes are not DEFLATE data, or a message ended in the middle of a
    /// block.
    case invalidData
    /// The message inflates to more than the configured maximum (a
    /// "zip bomb" is stopped here, having produced no more than the maximum).
    case messageTooBig
    /// zlib could not allocate its window.
    case outOfMemory

    public var closeCode: CloseCode {
        switch self {
        case .invalidData: return .invalidPayload  // 1007: the payload is not what the extension defines
        case .messageTooBig: return .messageTooLarge  // 1009
        case .outOfMemory: return .unexpectedCondition  // 1011
        }
    }
}

/// What one call to a decoder's `nextChunk(into:)` did.
public enum InflateStep: Hashable {
    /// Wrote this many bytes to the start of the buffer: at least one,
    /// unless the buffer was empty, where `.produced(0)` says that more
    /// output is ready for the next call.
    case produced(Int)
    /// Every byte fed so far has been inflated and handed out; feed more.
    case needInput
    /// The message is complete: all its bytes have been handed out. The
    /// next `feed` starts the next message.
    case messageEnd
    case error(InflateError)
}
