import FuzzSupport
import WebSocketCompression

/// libFuzzer entry point: compresses the input's plaintext, cut into
/// messages and fragments where the input says, with the deflater of
/// permessage-deflate or deflate-frame, and inflates each compressed
/// fragment as soon as it is made, as the peer would: what comes out must
/// be exactly what went in, for every window size, level, memory level and
/// context setting, with compressor and decompressor set up from the same
/// negotiated parameters.
///
/// Input: the setup bytes (`RoundTripSetup`), the cuts (`Cuts`; a marked cut
/// ends a message, an unmarked one a fragment), then the plaintext.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDeflateRoundTrip(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, count: size)
    let setup = RoundTripSetup(input.byte(), input.byte())
    var (plaintext, pieces) = input.cutPayload()
    if setup.mode == .deflateFrame {
        // Every frame is a message of its own.
        for index in pieces.indices { pieces[index].isMarked = true }
    }
    let codec = RoundTripCodec(setup: setup, largestMessage: largestMessage(in: pieces))
    var message: [UInt8] = []
    for piece in pieces {
        let fragment = UnsafeRawBufferPointer(rebasing: plaintext[piece.range])
        message.append(contentsOf: fragment)
        let inflated = codec.send(fragment, endsMessage: piece.isMarked)
        if piece.isMarked {
            precondition(inflated == message, "a message changed on its way through compression")
            message.removeAll(keepingCapacity: true)
        }
    }
    return 0
}

/// The longest message: the inflater's limit is set to exactly that, so a
/// message at the limit must pass it.
private func largestMessage(in pieces: [Piece]) -> Int {
    var largest = 0
    var current = 0
    for piece in pieces {
        current += piece.range.count
        if piece.isMarked {
            largest = max(largest, current)
            current = 0
        }
    }
    return largest
}
