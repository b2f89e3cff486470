import WebSocketProtocol

/// Masking keys for the frames a client sends (RFC 6455 5.3), drawn from
/// the kernel 64 at a time: a getrandom(2) per frame was a syscall per
/// message. Each key is used once; the pool belongs to one context, whose
/// frames are all sent from its service thread.
struct MaskingKeyPool {
    private var keys = [UInt32](repeating: 0, count: 64)
    private var used = 64

    /// The next key, nil without randomness (see `Random`).
    mutating func next() -> MaskingKey? {
        if used == keys.count {
            guard keys.withUnsafeMutableBytes({ Random.fill($0) }) else { return nil }
            used = 0
        }
        defer { used += 1 }
        return MaskingKey(networkOrder: keys[used])
    }
}
