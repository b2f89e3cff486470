/// Negotiation of the permessage-deflate extension (RFC 7692 section 7.1)
/// for both ends of the handshake.
public enum PerMessageDeflate {
    /// The extension's name in `Sec-WebSocket-Extensions`.
    public static let name: [UInt8] = PerMessageDeflateElement.name.bytes

    /// Server side: accepts the first valid permessage-deflate offer among
    /// `offers` (every extension of the client's header, in order; other
    /// extensions are skipped) and returns the agreed parameters with the
    /// response element for the server's `Sec-WebSocket-Extensions`.
    ///
    /// An offer that breaks section 7.1 (an unknown or repeated parameter, a
    /// value on a flag, a window size missing where it is required or not a
    /// decimal 8...15) is declined and the next one tried, which is how a
    /// client offers fallbacks. Nil when no offer is acceptable: the
    /// connection then goes on without the extension.
    ///
    /// `preferences` says what the server would like beyond what the client
    /// asks for: no context takeover on either side, and window limits. A
    /// limit on the client's window is only applied when the client offered
    /// `client_max_window_bits`, since otherwise it cannot be asked to.
    public static func negotiate(offers: [ExtensionOffer], preferences: PerMessageDeflateParameters = .init())
        -> (parameters: PerMessageDeflateParameters, responseValue: [UInt8])? {
        let preferences = preferences.clamped
        for offer in offers {
            guard let element = PerMessageDeflateElement(offer, from: .offer) else { continue }
            var agreed = PerMessageDeflateParameters()
            agreed.serverNoContextTakeover = element.serverNoContextTakeover || preferences.serverNoContextTakeover
            // Echoing the client's own hint keeps both ends' view of the
            // parameters identical, whatever the client made of the omission.
            agreed.clientNoContextTakeover = element.clientNoContextTakeover || preferences.clientNoContextTakeover
            agreed.serverMaxWindowBits = min(element.serverMaxWindowBits ?? 15, preferences.serverMaxWindowBits)
            if element.hasClientMaxWindowBits {
                agreed.clientMaxWindowBits = min(element.clientMaxWindowBits ?? 15, preferences.clientMaxWindowBits)
            }
            var response = ExtensionOffer(name: name)
            if agreed.serverNoContextTakeover { response.parameters.append((name: serverNoContextTakeover, value: nil)) }
            if agreed.clientNoContextTakeover { response.parameters.append((name: clientNoContextTakeover, value: nil)) }
            // Section 7.1.2.1: an offered server limit must be answered.
            if element.serverMaxWindowBits != nil || agreed.serverMaxWindowBits < 15 {
                response.parameters.append((name: serverMaxWindowBits, value: decimal(agreed.serverMaxWindowBits)))
            }
            if agreed.clientMaxWindowBits < 15 {
                response.parameters.append((name: clientMaxWindowBits, value: decimal(agreed.clientMaxWindowBits)))
            }
            return (agreed, response.headerValue)
        }
        return nil
    }

    /// Client side: the offer asking for `request` (values out of 8...15
    /// are clamped). `client_max_window_bits` is always included, without a
    /// value when the client has no limit of its own, because the client
    /// can honour any limit the server picks.
    public static func offer(requesting request: PerMessageDeflateParameters = .init()) -> ExtensionOffer {
        let request = request.clamped
        var offer = ExtensionOffer(name: name)
        if request.serverNoContextTakeover { offer.parameters.append((name: serverNoContextTakeover, value: nil)) }
        if request.clientNoContextTakeover { offer.parameters.append((name: clientNoContextTakeover, value: nil)) }
        if request.serverMaxWindowBits < 15 {
            offer.parameters.append((name: serverMaxWindowBits, value: decimal(request.serverMaxWindowBits)))
        }
        offer.parameters.append((name: clientMaxWindowBits,
                                 value: request.clientMaxWindowBits < 15 ? decimal(request.clientMaxWindowBits) : nil))
        return offer
    }

    /// Client side: checks the server's permessage-deflate response element
    /// against the `offer` the client sent, returning the parameters to use
    /// or nil when the client must fail the connection (section 7.1): a
    /// parameter unknown, repeated or malformed; `client_max_window_bits`
    /// not offered, without a value or above the offered one;
    /// `server_max_window_bits` missing although offered, or above the
    /// offered value; `server_no_context_takeover` missing although offered.
    public static func acceptResponse(_ response: ExtensionOffer, to offer: ExtensionOffer) -> PerMessageDeflateParameters? {
        guard let offered = PerMessageDeflateElement(offer, from: .offer),
              let answer = PerMessageDeflateElement(response, from: .response) else { return nil }
        if offered.serverNoContextTakeover && !answer.serverNoContextTakeover { return nil }
        if let limit = offered.serverMaxWindowBits {
            guard let bits = answer.serverMaxWindowBits, bits <= limit else { return nil }
        }
        if answer.hasClientMaxWindowBits {
            guard offered.hasClientMaxWindowBits else { return nil }
            if let limit = offered.clientMaxWindowBits, let bits = answer.clientMaxWindowBits, bits > limit { return nil }
        }
        var agreed = PerMessageDeflateParameters()
        agreed.serverNoContextTakeover = answer.serverNoContextTakeover
        // A client that offered the flag compresses without context either
        // way: always safe for the server, which only keeps an unused window.
        agreed.clientNoContextTakeover = answer.clientNoContextTakeover || offered.clientNoContextTakeover
        agreed.serverMaxWindowBits = answer.serverMaxWindowBits ?? 15
        agreed.clientMaxWindowBits = answer.clientMaxWindowBits ?? offered.clientMaxWindowBits ?? 15
        return agreed
    }

    private static let serverNoContextTakeover = ("server_no_context_takeover" as StaticString).bytes
    private static let clientNoContextTakeover = ("client_no_context_takeover" as StaticString).bytes
    private static let serverMaxWindowBits = ("server_max_window_bits" as StaticString).bytes
    private static let clientMaxWindowBits = ("client_max_window_bits" as StaticString).bytes

    /// 8...15 as decimal ASCII.
    private static func decimal(_ value: Int) -> [UInt8] {
        value < 10 ? [UInt8(ascii: "0") + UInt8(value)] : [UInt8(ascii: "1"), UInt8(ascii: "0") + UInt8(value - 10)]
    }
}
