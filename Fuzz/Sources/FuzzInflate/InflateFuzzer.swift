import FuzzSupport
import WebSocketCompression

/// libFuzzer entry point: inflates the input's compressed bytes as
/// permessage-deflate messages or deflate-frame frames, twice: pulled in
/// chunks of one size, then of another with each fragment cut in two and,
/// if the input says so, the fed buffers copied with `retainInput` and
/// overwritten. Every pull is checked against the decoder's contract and
/// the message size limit, and both runs must produce the same bytes and
/// fail the same way.
///
/// Input: the setup bytes (`InflateSetup`), the cuts (`Cuts`; a marked cut
/// ends a message), then the compressed bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInflate(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, count: size)
    let setup = InflateSetup(input.byte(), pulls: input.byte())
    let (compressed, pieces) = input.cutPayload()

    var firstRun = MessageInflateRun(setup: setup, chunkSize: setup.firstChunkSize, retainsInput: false)
    let first = firstRun.inflate(compressed, pieces: pieces)
    var secondRun = MessageInflateRun(setup: setup, chunkSize: setup.secondChunkSize, retainsInput: setup.retainsInput)
    let second = secondRun.inflate(compressed, pieces: halved(pieces))
    precondition(first == nil || second == nil || first == second, "inflated messages depend on how they are fed or pulled")
    return 0
}

/// Each piece cut in two, the first half never ending a message: feeding a
/// fragment in parts must inflate to the same bytes.
private func halved(_ pieces: [Piece]) -> [Piece] {
    pieces.flatMap { piece -> [Piece] in
        let middle = piece.range.lowerBound + piece.range.count / 2
        return [Piece(range: piece.range.lowerBound..<middle, isMarked: false),
                Piece(range: middle..<piece.range.upperBound, isMarked: piece.isMarked)]
    }
}
