import FuzzSupport
import WebSocketProtocol

/// Everything a parse left behind that a caller can see: how it ended and,
/// for a finished head, every token's value and the derived facts. Two
/// parses of the same bytes must leave equal snapshots.
struct HeadSnapshot: Equatable {
    enum Outcome: Equatable {
        case needMoreData
        /// The head ended this many bytes into the input.
        case complete(at: Int)
        case failed(HTTPHeadError)
    }

    var outcome = Outcome.needMoreData
    var values: [[UInt8]?] = []
    var method: HTTPMethod?
    var version: [Int] = []
    var statusCode = 0
    var contentLength: UInt64?
    var isChunked = false
    var pathEscapesRoot = false

    /// Feeds `head` cut into `pieces` (each in a buffer of its own) until
    /// the parser finishes or fails, checking each call's result.
    init(parsing head: UnsafeRawBufferPointer, pieces: [Piece], with parser: inout HTTPHeadParser) {
        for piece in pieces where outcome == .needMoreData {
            outcome = withExactCopy(of: UnsafeRawBufferPointer(rebasing: head[piece.range])) { buffer in
                Self.parse(UnsafeRawBufferPointer(buffer), at: piece.range.lowerBound, with: &parser)
            }
        }
        guard case .complete = outcome else { return }
        values = (0..<HeaderToken.count).map { token in parser.headers.value(of: token).map { Array($0) } }
        method = parser.method
        version = [parser.version.major, parser.version.minor]
        statusCode = parser.statusCode
        contentLength = parser.contentLength
        isChunked = parser.isChunked
        pathEscapesRoot = parser.pathEscapesRoot
    }

    private static func parse(_ buffer: UnsafeRawBufferPointer, at base: Int, with parser: inout HTTPHeadParser) -> Outcome {
        switch parser.parse(buffer) {
        case .needMoreData:
            return .needMoreData
        case .complete(let consumed):
            precondition(consumed >= 1 && consumed <= buffer.count, "complete(consumed:) outside the buffer")
            let rest = UnsafeRawBufferPointer(rebasing: buffer[consumed...])
            precondition(parser.parse(rest) == .complete(consumed: 0), "a complete parser read on")
            return .complete(at: base + consumed)
        case .failed(let error):
            precondition(parser.parse(buffer) == .failed(error), "a failed parser recovered")
            return .failed(error)
        }
    }
}
