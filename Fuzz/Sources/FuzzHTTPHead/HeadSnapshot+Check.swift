import WebSocketProtocol

/// What a finished head may contain, whatever bytes it was parsed from:
/// limits kept, field values free of control bytes and of the blanks
/// around them, a canonical request path, framing facts that match their
/// headers.
extension HeadSnapshot {
    /// The tokens whose values the parser derives rather than copies from a
    /// field line: request paths, the query, the status digits.
    private static let derivedTokens: Set<Int> = [
        HeaderToken.getURI, HeaderToken.postURI, HeaderToken.optionsURI, HeaderToken.putURI,
        HeaderToken.patchURI, HeaderToken.deleteURI, HeaderToken.uriArgs, HeaderToken.http,
    ]

    func check(against setup: ParserSetup) {
        guard case .complete(let end) = outcome else { return }
        precondition(end <= setup.maxHeadBytes, "a head longer than maxHeadBytes finished")
        for (token, value) in values.enumerated() {
            guard let value = value else { continue }
            // The status digits are stored whatever the limit says.
            if !(setup.mode == .response && token == HeaderToken.http) {
                precondition(value.count <= setup.limits.limit(for: token), "a value over its token limit")
            }
            if !Self.derivedTokens.contains(token) { Self.checkFieldValue(value) }
        }
        if setup.mode == .request {
            guard let method = method, let path = values[method.uriToken] else {
                preconditionFailure("a request without a method or path")
            }
            Self.checkPath(path, method: method)
            precondition(contentLength == nil || !isChunked, "a request framed by both length and chunking")
        } else {
            precondition(method == nil && statusCode <= 999, "a response with a method or a bad status")
            precondition(values[HeaderToken.http] == Array(Self.digits(statusCode)), "status digits not stored")
        }
        precondition(contentLength == nil || values[HeaderToken.contentLength] != nil, "a length without Content-Length")
        precondition(!isChunked || values[HeaderToken.transferEncoding] != nil, "chunked without Transfer-Encoding")
        if let length = values[HeaderToken.contentLength], length.count <= 18, !length.isEmpty,
           length.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            precondition(contentLength == length.reduce(0) { $0 * 10 + UInt64($1 - UInt8(ascii: "0")) },
                         "Content-Length misread")
        }
    }

    /// Field values reach applications and get copied into other heads, so
    /// no control byte but a tab, and no blank at either end.
    private static func checkFieldValue(_ value: [UInt8]) {
        for byte in value {
            precondition((byte >= 0x20 && byte != 0x7F) || byte == 0x09, "a control byte in a field value")
        }
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        precondition(!(value.first.map(blank) ?? false) && !(value.last.map(blank) ?? false), "an untrimmed value")
    }

    /// A canonical path starts at the root and has no empty, "." or ".."
    /// segment before its last one: what the file server maps onto disk.
    private static func checkPath(_ path: [UInt8], method: HTTPMethod) {
        if method == .options && path == [UInt8(ascii: "*")] { return }
        precondition(path.first == UInt8(ascii: "/"), "a path not starting at the root")
        precondition(!path.contains(0), "a NUL in a path")
        let segments = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst()
        for (index, segment) in segments.enumerated() {
            let isLast = index == segments.count - 1
            precondition(!segment.isEmpty || isLast, "an empty path segment")
            precondition(!segment.elementsEqual([0x2E]) && !segment.elementsEqual([0x2E, 0x2E]), "a dot segment in a path")
        }
    }

    private static func digits(_ code: Int) -> [UInt8] {
        [UInt8(48 + code / 100), UInt8(48 + code / 10 % 10), UInt8(48 + code % 10)]
    }
}
