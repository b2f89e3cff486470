import FuzzSupport
import WebSocketProtocol

/// libFuzzer entry point: decodes the input's frame bytes twice, once as one
/// buffer and once cut where the input says (with the payload handed out in
/// pieces of a chosen size, and small messages taken whole by
/// `nextSmallMessage` as the receiver takes them), checking every call
/// against the decoder's contract, and requires both runs to see the same
/// frames. Text messages,
/// and the raw bytes as cut, are checked against the standard library's
/// UTF-8 validation.
///
/// Input: a configuration byte (`DecoderSetup`), a byte for the largest
/// payload piece (0: unlimited), the cuts (`Cuts`), then the wire bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrameDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, count: size)
    let setup = DecoderSetup(input.byte())
    let maxPayload = Int(input.byte())
    let (wire, pieces) = input.cutPayload()

    var wholeRun = FrameDecoderRun(setup: setup, maxPayload: .max)
    let whole = wholeRun.decode(wire, pieces: Piece.whole(ofLength: wire.count))
    var splitRun = FrameDecoderRun(setup: setup, maxPayload: maxPayload == 0 ? .max : maxPayload,
                                   takesSmallMessages: true)
    let split = splitRun.decode(wire, pieces: pieces)
    precondition(whole == split, "the same bytes decode differently when cut")

    // The validator on its own, on the raw bytes cut the same way: most
    // inputs are not frames that carry text, and this needs none.
    var text = TextMessageCheck()
    text.startMessage(isText: true)
    for piece in pieces {
        text.payload(UnsafeRawBufferPointer(rebasing: wire[piece.range]))
    }
    text.endMessage()
    return 0
}
