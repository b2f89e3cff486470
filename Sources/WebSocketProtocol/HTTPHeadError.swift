/// Why a received HTTP head was refused; each maps to the status a server answers.
public enum HTTPHeadError: Equatable {
    /// Syntax the parser will not guess about: obs-fold, whitespace before a colon,
    /// a bare CR, control characters, a bad request-target or escape, a duplicate
    /// Host, Transfer-Encoding without final chunked in a request.
    case malformed
    /// The request line or request-target exceeds its limit.
    case uriTooLong
    /// The head, one header value, or the number of header lines exceeds its limit.
    case headersTooLarge
    /// A version other than HTTP/1.0 or HTTP/1.1.
    case unsupportedVersion
    /// A method token this library does not implement.
    case methodNotImplemented
    /// Content-Length values that differ or are not numbers, or Content-Length
    /// together with Transfer-Encoding: the body length would be ambiguous, the
    /// root of request smuggling (RFC 7230 section 3.3.3).
    case conflictingContentLength

    /// The HTTP status code to answer with.
    public var status: Int {
        switch self {
        case .malformed, .conflictingContentLength: return 400
        case .uriTooLong: return 414
        case .headersTooLarge: return 431
        case .unsupportedVersion: return 505
        case .methodNotImplemented: return 501
        }
    }
}

/// What one `HTTPHeadParser.parse` call achieved.
public enum HTTPHeadParseResult: Equatable {
    /// Every byte was consumed and the head is not finished yet.
    case needMoreData
    /// The head ended after `consumed` bytes of this call (blank line included);
    /// the remaining bytes are body or WebSocket frames.
    case complete(consumed: Int)
    /// The head is refused; the parser stays failed.
    case failed(HTTPHeadError)
}
