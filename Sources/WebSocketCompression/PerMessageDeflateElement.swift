import WebSocketProtocol

/// The parameters of one `permessage-deflate` offer or response, read and
/// checked against RFC 7692 section 7.1: every parameter known, none
/// repeated, flags without a value, window sizes a decimal 8...15 without
/// leading zeros (quoted or not; the header parser has already unquoted it).
struct PerMessageDeflateElement {
    /// Which header the element came from: the two differ only in whether
    /// `client_max_window_bits` may appear without a value.
    enum Source {
        case offer
        case response
    }

    var serverNoContextTakeover = false
    var clientNoContextTakeover = false
    var serverMaxWindowBits: Int?
    /// Present at all: in an offer, even without a value, it says the client
    /// can limit its window when the server asks (section 7.1.2.2).
    var hasClientMaxWindowBits = false
    var clientMaxWindowBits: Int?

    static let name: StaticString = "permessage-deflate"

    /// Nil when the element is not permessage-deflate or breaks a rule; a
    /// server then declines this offer, a client fails the connection.
    init?(_ element: ExtensionOffer, from source: Source) {
        guard element.name.matchesIgnoringCase(Self.name) else { return nil }
        var hasServerNoContextTakeover = false
        var hasClientNoContextTakeover = false
        for parameter in element.parameters {
            if parameter.name.matchesIgnoringCase("server_no_context_takeover") {
                guard !hasServerNoContextTakeover, parameter.value == nil else { return nil }
                hasServerNoContextTakeover = true
                serverNoContextTakeover = true
            } else if parameter.name.matchesIgnoringCase("client_no_context_takeover") {
                guard !hasClientNoContextTakeover, parameter.value == nil else { return nil }
                hasClientNoContextTakeover = true
                clientNoContextTakeover = true
            } else if parameter.name.matchesIgnoringCase("server_max_window_bits") {
                guard serverMaxWindowBits == nil, let bits = Self.windowBits(parameter.value) else { return nil }
                serverMaxWindowBits = bits
            } else if parameter.name.matchesIgnoringCase("client_max_window_bits") {
                guard !hasClientMaxWindowBits else { return nil }
                hasClientMaxWindowBits = true
                if let value = parameter.value {
                    guard let bits = Self.windowBits(value) else { return nil }
                    clientMaxWindowBits = bits
                } else if source == .response {
                    return nil
                }
            } else {
                return nil
            }
        }
    }

    /// "8" to "15": RFC 7692's window-bits value syntax (section 7.1.2), also
    /// used by deflate-frame's `max_window_bits`.
    static func windowBits(_ value: [UInt8]?) -> Int? {
        guard let value = value, value.count == 1 || value.count == 2, value[0] != UInt8(ascii: "0") else { return nil }
        var number = 0
        for digit in value {
            guard digit >= UInt8(ascii: "0") && digit <= UInt8(ascii: "9") else { return nil }
            number = number * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return PerMessageDeflateParameters.windowBitsRange.contains(number) ? number : nil
    }
}
