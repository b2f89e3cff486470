import FuzzSupport
import WebSocketCompression

/// One pass of a `DeflateStream.Inflater`: everything it inflates to, and
/// the error that stopped it.
struct StreamInflateRun {
    let chunkSize: Int
    private static let outputCap = MessageInflateRun.outputCap

    /// Nil when the run stopped at the output cap (see `MessageInflateRun`).
    func inflate(_ compressed: UnsafeRawBufferPointer, pieces: [Piece]) -> InflatedMessage? {
        guard let inflater = DeflateStream.Inflater() else { preconditionFailure("zlib could not allocate an inflater") }
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer { output.deallocate() }
        var result = InflatedMessage()
        for piece in pieces where result.error == nil && result.bytes.count <= Self.outputCap {
            withExactCopy(of: UnsafeRawBufferPointer(rebasing: compressed[piece.range])) { fed in
                inflater.feed(UnsafeRawBufferPointer(fed))
                pulling: while result.bytes.count <= Self.outputCap {
                    switch inflater.nextChunk(into: output) {
                    case .produced(let count):
                        precondition(count >= 1 && count <= output.count, "produced nothing or more than the buffer")
                        result.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: output[..<count]))
                    case .needInput:
                        break pulling
                    case .messageEnd:
                        preconditionFailure("a deflate-stream has no messages")
                    case .error(let error):
                        precondition(error == .invalidData, "deflate-stream failed for another reason than bad data")
                        result.error = error
                        break pulling
                    }
                }
            }
        }
        return result.bytes.count > Self.outputCap ? nil : result
    }
}
