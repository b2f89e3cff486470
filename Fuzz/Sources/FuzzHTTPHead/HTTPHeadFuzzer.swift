import FuzzSupport
import WebSocketProtocol

/// libFuzzer entry point: parses the input's head bytes as one buffer with a
/// fresh parser, then again cut where the input says with the same parser
/// after `reset()`, checking the parse contract on every call and what a
/// finished head may contain, and requires both runs to agree on the
/// outcome and on every stored value: a split must change nothing, and
/// `reset()` must forget everything.
///
/// Input: two configuration bytes (`ParserSetup`), the cuts (`Cuts`), then
/// the head bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPHead(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, count: size)
    let setup = ParserSetup(input.byte(), tokenLimit: input.byte())
    let (head, pieces) = input.cutPayload()

    var parser = setup.makeParser()
    let whole = HeadSnapshot(parsing: head, pieces: Piece.whole(ofLength: head.count), with: &parser)
    whole.check(against: setup)
    parser.reset()
    let split = HeadSnapshot(parsing: head, pieces: pieces, with: &parser)
    precondition(whole == split, "the same head parses differently when cut, or reset() kept state")
    return 0
}
