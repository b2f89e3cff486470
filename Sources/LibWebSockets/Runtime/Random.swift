import CLibWebSockets

/// Kernel randomness for masking keys, handshake keys and
/// `libwebsockets_get_random`.
enum Random {
    /// Fills the buffer completely; getrandom(2) on a local buffer only fails
    /// by being interrupted, so it is simply retried.
    static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        var filled = 0
        while filled < buffer.count {
            let n = getrandom(buffer.baseAddress! + filled, buffer.count - filled, 0)
            if n > 0 { filled += n }
        }
    }
}
