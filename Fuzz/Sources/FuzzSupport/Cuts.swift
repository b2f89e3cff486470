/// Where the input chose to cut a payload into the pieces a streaming
/// decoder is fed.
///
/// The decoders under test promise that the split makes no difference, and
/// the bugs that break such a promise live at particular offsets (a header
/// cut after its first length byte, a UTF-8 sequence cut after its lead), so
/// the offsets come straight from the input, where libFuzzer's comparisons
/// and mutations can steer them, rather than from a random generator.
public struct Cuts {
    /// Offsets into the payload (reduced modulo its length + 1) with their
    /// mark bits, in input order.
    private var cuts: [(offset: Int, isMarked: Bool)] = []

    /// At most this many cuts are read: enough for any boundary pattern
    /// that matters, few enough that the payload is most of the input.
    public static let maxCount = 15

    /// Reads a count byte (its low four bits) and that many big-endian
    /// 16-bit cuts: bit 15 is the mark, bits 0...14 the offset.
    public init(from input: inout FuzzInput) {
        let count = Int(input.byte() & 0x0F)
        for _ in 0..<count {
            let raw = input.uint16()
            cuts.append((offset: Int(raw & 0x7FFF), isMarked: raw & 0x8000 != 0))
        }
    }

    /// The pieces a payload of `length` bytes falls into, in order, covering
    /// it exactly; empty pieces are kept (feeding nothing must be harmless).
    /// A piece is marked when the cut that ends it is; the last piece
    /// always is, since the payload ends there.
    public func pieces(ofLength length: Int) -> [Piece] {
        let sorted = cuts.map { (offset: $0.offset % (length + 1), isMarked: $0.isMarked) }
            .sorted { $0.offset < $1.offset }
        var pieces: [Piece] = []
        var start = 0
        for cut in sorted {
            pieces.append(Piece(range: start..<cut.offset, isMarked: cut.isMarked))
            start = cut.offset
        }
        pieces.append(Piece(range: start..<length, isMarked: true))
        return pieces
    }
}

/// One piece of a cut payload.
public struct Piece {
    public var range: Range<Int>
    /// What the mark means is the target's business, e.g. "this piece ends
    /// a message".
    public var isMarked: Bool

    public init(range: Range<Int>, isMarked: Bool) {
        self.range = range
        self.isMarked = isMarked
    }

    /// The whole payload as one piece: the run every cut run is compared to.
    public static func whole(ofLength length: Int) -> [Piece] {
        [Piece(range: 0..<length, isMarked: true)]
    }
}

extension FuzzInput {
    /// Reads the cuts and takes the rest of the input as the payload they
    /// cut: the tail of every target's input format.
    public mutating func cutPayload() -> (payload: UnsafeRawBufferPointer, pieces: [Piece]) {
        let cuts = Cuts(from: &self)
        let payload = rest()
        return (payload, cuts.pieces(ofLength: payload.count))
    }
}
