/// One element of a `Sec-WebSocket-Extensions` header (RFC 6455 section 9.1):
/// an extension name and its parameters in the order they were written.
///
/// The same shape is a client's offer and a server's acceptance; which one it
/// is depends only on the header it came from. Parameters stay a list, not a
/// table, because order and repetition matter: a repeated parameter makes a
/// permessage-deflate offer invalid (RFC 7692 section 7.1), which a table
/// would hide.
public struct ExtensionOffer: Equatable {
    public var name: [UInt8]
    /// Each parameter's name and, for `name=value`, its value with any
    /// quoted-string quoting already removed.
    public var parameters: [(name: [UInt8], value: [UInt8]?)]

    public init(name: [UInt8], parameters: [(name: [UInt8], value: [UInt8]?)] = []) {
        self.name = name
        self.parameters = parameters
    }

    public static func == (lhs: ExtensionOffer, rhs: ExtensionOffer) -> Bool {
        guard lhs.name == rhs.name, lhs.parameters.count == rhs.parameters.count else { return false }
        for (left, right) in zip(lhs.parameters, rhs.parameters) {
            guard left.name == right.name, left.value == right.value else { return false }
        }
        return true
    }

    /// The element as written in a header: `name; param; param=value`.
    /// A value that is not a token is written as a quoted-string so that the
    /// result always parses back to the same offer.
    public var headerValue: [UInt8] {
        var out = name
        for parameter in parameters {
            out.append(.semicolon)
            out.append(.space)
            out.append(contentsOf: parameter.name)
            guard let value = parameter.value else { continue }
            out.append(.equals)
            if value.isToken {
                out.append(contentsOf: value)
                continue
            }
            out.append(.quote)
            for byte in value {
                if byte == .quote || byte == .backslash { out.append(.backslash) }
                out.append(byte)
            }
            out.append(.quote)
        }
        return out
    }
}
