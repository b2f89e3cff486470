/// Per-token maximum value lengths, the Swift side of `struct lws_token_limits`
/// (83 `unsigned short`s).
///
/// A value longer than its limit fails the request (414 for the URI tokens, 431 for
/// header fields) instead of being truncated, so the application never acts on a
/// silently shortened header. The default of 4096 bytes per token is generous for
/// every real header (cookies included) while the parser's `maxHeadBytes` still
/// bounds the whole head.
public struct TokenLimits {
    public static let defaultLimit: UInt16 = 4096

    /// One limit per token index, always `HeaderToken.count` entries.
    public var limits: [UInt16]

    public init() {
        limits = [UInt16](repeating: TokenLimits.defaultLimit, count: HeaderToken.count)
    }

    /// Takes the first `HeaderToken.count` entries of `limits`; missing entries get
    /// the default, so the table always covers every token.
    public init(limits: [UInt16]) {
        var table = [UInt16](repeating: TokenLimits.defaultLimit, count: HeaderToken.count)
        for index in 0..<min(limits.count, HeaderToken.count) {
            table[index] = limits[index]
        }
        self.limits = table
    }

    /// The limit for `token`, or 0 for an index outside the table.
    public func limit(for token: Int) -> Int {
        guard token >= 0 && token < limits.count else { return 0 }
        return Int(limits[token])
    }
}
