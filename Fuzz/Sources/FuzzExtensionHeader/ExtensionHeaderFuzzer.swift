import FuzzSupport
import WebSocketCompression

/// libFuzzer entry point: parses the input as a `Sec-WebSocket-Extensions`
/// value and runs every negotiation on what it finds, as a server reading a
/// client's offers and as a client reading a server's answer, checking that
/// both ends of each negotiation agree.
///
/// Input: the server's permessage-deflate preferences and the client's
/// request (a byte each, `NegotiationSetup`), then the header value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExtensionHeader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, count: size)
    let preferences = NegotiationSetup.parameters(input.byte())
    let request = NegotiationSetup.parameters(input.byte())
    let value = Array(input.rest())

    let offers = GrammarCheck.parse(value)
    guard let offers = offers else { return 0 }
    PerMessageDeflateCheck.server(offers: offers, preferences: preferences)
    PerMessageDeflateCheck.client(request: request, preferences: preferences, responses: offers)
    DeflateFrameCheck.check(offers: offers)
    return 0
}
