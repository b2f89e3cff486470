import WebSocketCompression

/// Both ends of a permessage-deflate negotiation (RFC 7692 section 7.1):
/// whatever a server agrees to, the client that sent the accepted offer
/// reads the server's answer as the same parameters; whatever a client
/// accepts stays within what it asked for.
enum PerMessageDeflateCheck {
    static func server(offers: [ExtensionOffer], preferences: PerMessageDeflateParameters) {
        let result = PerMessageDeflate.negotiate(offers: offers, preferences: preferences)
        // The first offer that is acceptable on its own is the one taken.
        let accepted = offers.first { PerMessageDeflate.negotiate(offers: [$0], preferences: preferences) != nil }
        guard let result = result else {
            precondition(accepted == nil, "an acceptable offer was passed over")
            return
        }
        guard let offer = accepted else { preconditionFailure("agreed to no acceptable offer") }
        checkInRange(result.parameters)
        precondition(result.parameters.serverMaxWindowBits <= max(preferences.serverMaxWindowBits, 8),
                     "the server's window exceeds its preference")
        guard let response = ExtensionHeader.parse(result.responseValue), response.count == 1 else {
            preconditionFailure("the server's answer is not one extension")
        }
        precondition(PerMessageDeflate.acceptResponse(response[0], to: offer) == result.parameters,
                     "the client reads the server's answer differently")
    }

    /// A client's own offer must be acceptable, and any answer it accepts
    /// within its request.
    static func client(request: PerMessageDeflateParameters, preferences: PerMessageDeflateParameters,
                       responses: [ExtensionOffer]) {
        let offer = PerMessageDeflate.offer(requesting: request)
        precondition(ExtensionHeader.parse(offer.headerValue) == [offer], "the client's offer does not parse back")
        guard let agreed = PerMessageDeflate.negotiate(offers: [offer], preferences: preferences),
              let answer = ExtensionHeader.parse(agreed.responseValue), answer.count == 1 else {
            preconditionFailure("a server refuses the client's own offer")
        }
        precondition(PerMessageDeflate.acceptResponse(answer[0], to: offer) == agreed.parameters,
                     "the client reads the answer to its own offer differently")

        for response in responses.prefix(4) {
            guard let parameters = PerMessageDeflate.acceptResponse(response, to: offer) else { continue }
            checkInRange(parameters)
            let clamped = min(max(request.serverMaxWindowBits, 8), 15)
            precondition(parameters.serverMaxWindowBits <= clamped, "accepted a server window over the request")
            precondition(parameters.clientMaxWindowBits <= min(max(request.clientMaxWindowBits, 8), 15),
                         "accepted a client window over the request")
            precondition(!request.serverNoContextTakeover || parameters.serverNoContextTakeover,
                         "accepted an answer without the requested server_no_context_takeover")
        }
    }

    private static func checkInRange(_ parameters: PerMessageDeflateParameters) {
        precondition(PerMessageDeflateParameters.windowBitsRange.contains(parameters.serverMaxWindowBits)
                     && PerMessageDeflateParameters.windowBitsRange.contains(parameters.clientMaxWindowBits),
                     "window bits outside 8...15")
    }
}
