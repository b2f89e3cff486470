import WebSocketProtocol

/// The `Sec-WebSocket-Extensions` header value (RFC 6455 section 9.1):
///
///     extension-list  = 1#extension
///     extension       = extension-token *( ";" extension-param )
///     extension-param = token [ "=" (token | quoted-string) ]
///
/// with optional blanks around every separator, as the list rule of RFC 2616
/// allows. A quoted value must still be a token once unquoted (section 9.1),
/// so quoting never lets separators or control bytes into a value.
public enum ExtensionHeader {
    /// Parses a header value into its extensions, in order.
    ///
    /// Returns nil when the value breaks the grammar anywhere: a server then
    /// negotiates no extension at all rather than guess at the part it could
    /// read. Empty list elements (`a,,b`) are skipped, as RFC 7230 section 7
    /// tells recipients to do, so an empty value gives an empty list.
    public static func parse(_ value: UnsafeRawBufferPointer) -> [ExtensionOffer]? {
        var scanner = Scanner(bytes: value)
        var offers: [ExtensionOffer] = []
        while true {
            scanner.skipWhitespace()
            guard let byte = scanner.peek() else { return offers }
            if byte == .comma {
                scanner.index += 1
                continue
            }
            guard let offer = scanner.extensionElement() else { return nil }
            offers.append(offer)
            scanner.skipWhitespace()
            guard let separator = scanner.peek() else { return offers }
            guard separator == .comma else { return nil }
            scanner.index += 1
        }
    }

    public static func parse(_ value: [UInt8]) -> [ExtensionOffer]? {
        value.withUnsafeBytes { parse($0) }
    }

    /// A header value listing `offers` in order, separated by ", ".
    public static func value(of offers: [ExtensionOffer]) -> [UInt8] {
        var out: [UInt8] = []
        for offer in offers {
            if !out.isEmpty {
                out.append(.comma)
                out.append(.space)
            }
            out.append(contentsOf: offer.headerValue)
        }
        return out
    }
}

/// A cursor over the header value; every method either consumes a whole
/// syntactic element or reports failure.
private struct Scanner {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    mutating func skipWhitespace() {
        while let byte = peek(), byte.isWhitespace { index += 1 }
    }

    /// `extension-token *( ";" extension-param )`, starting at a non-blank.
    mutating func extensionElement() -> ExtensionOffer? {
        guard let name = token() else { return nil }
        var offer = ExtensionOffer(name: name)
        while true {
            skipWhitespace()
            guard peek() == .semicolon else { return offer }
            index += 1
            skipWhitespace()
            guard let parameterName = token() else { return nil }
            skipWhitespace()
            var value: [UInt8]? = nil
            if peek() == .equals {
                index += 1
                skipWhitespace()
                guard let parameterValue = peek() == .quote ? quotedToken() : token() else { return nil }
                value = parameterValue
            }
            offer.parameters.append((name: parameterName, value: value))
        }
    }

    mutating func token() -> [UInt8]? {
        let start = index
        while let byte = peek(), byte.isTokenCharacter { index += 1 }
        guard index > start else { return nil }
        return Array(bytes[start..<index])
    }

    /// A quoted-string whose unescaped content is a token.
    mutating func quotedToken() -> [UInt8]? {
        index += 1  // the opening quote
        var content: [UInt8] = []
        while let byte = peek() {
            index += 1
            switch byte {
            case .quote:
                return content.isToken ? content : nil
            case .backslash:
                // quoted-pair = "\" CHAR: any US-ASCII byte may follow.
                guard let escaped = peek(), escaped < 0x80 else { return nil }
                index += 1
                content.append(escaped)
            default:
                guard byte.isQuotedTextCharacter else { return nil }
                content.append(byte)
            }
        }
        return nil  // unterminated
    }
}
