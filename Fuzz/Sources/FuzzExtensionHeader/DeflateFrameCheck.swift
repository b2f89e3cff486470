import WebSocketCompression

/// deflate-frame negotiation: a server answers with the name of the offer
/// it took, and that offer's settings are what a client reading the same
/// element would use.
enum DeflateFrameCheck {
    static func check(offers: [ExtensionOffer]) {
        for offer in offers {
            guard let settings = DeflateFrame.acceptResponse(offer) else { continue }
            precondition(DeflateFrame.isDeflateFrame(offer.name), "deflate-frame settings from another extension")
            precondition(PerMessageDeflateParameters.windowBitsRange.contains(settings.maxWindowBits),
                         "deflate-frame window bits outside 8...15")
        }
        if let result = DeflateFrame.negotiate(offers: offers) {
            guard let offer = offers.first(where: { DeflateFrame.acceptResponse($0) != nil }) else {
                preconditionFailure("deflate-frame agreed to no acceptable offer")
            }
            precondition(result.responseValue == offer.name && result.settings == DeflateFrame.acceptResponse(offer),
                         "deflate-frame answered for another offer")
        } else {
            precondition(!offers.contains { DeflateFrame.acceptResponse($0) != nil }, "a deflate-frame offer was passed over")
        }
    }
}
