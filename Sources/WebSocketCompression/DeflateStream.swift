import CZlib

/// The oldest WebSocket compression extension, `deflate-stream`, which
/// libwebsockets 1.4 can offer: everything a connection sends after the
/// handshake, frame headers included, is one raw DEFLATE stream, and what it
/// receives is another. Each write is sync-flushed so it reaches the peer
/// whole without waiting for the next one; nothing is stripped or appended,
/// and frames are decoded from the inflated bytes.
public enum DeflateStream {
    public static let name: [UInt8] = ("deflate-stream" as StaticString).bytes

    /// Server side: the response element when `offers` contain
    /// deflate-stream, which has no parameters (an offer with any is
    /// declined); nil otherwise.
    public static func negotiate(offers: [ExtensionOffer]) -> [UInt8]? {
        for offer in offers where offer.name.matchesIgnoringCase("deflate-stream") && offer.parameters.isEmpty {
            return offer.name
        }
        return nil
    }

    /// Compresses the outgoing byte stream.
    public final class Deflater {
        private let zlib: ZlibDeflater

        /// Nil when zlib cannot allocate its state. `compressionLevel` and
        /// `memoryLevel` are zlib's (-1 or 0...9, and 1...9).
        public init?(compressionLevel: Int = -1, memoryLevel: Int = 8) {
            guard let zlib = ZlibDeflater(windowBits: 15, level: min(max(compressionLevel, -1), 9),
                                          memoryLevel: min(max(memoryLevel, 1), 9)) else { return nil }
            self.zlib = zlib
        }

        /// Appends the compressed, sync-flushed form of `bytes` to `output`.
        /// False only if zlib reports its state broken.
        public func compress(_ bytes: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) -> Bool {
            zlib.compress(bytes, flush: Z_SYNC_FLUSH, appendingTo: &output)
        }
    }

    /// Decompresses the incoming byte stream into the caller's buffers, with
    /// the same feed-then-pull contract as `MessageInflater`, minus messages:
    /// it answers `.produced` or `.needInput`, or `.error(.invalidData)` /
    /// `.error(.outOfMemory)` after which it stays failed.
    public final class Inflater {
        private let zlib: ZlibInflater
        private var input = UnsafeRawBufferPointer(start: nil, count: 0)
        private var failure: InflateError?

        /// Nil when zlib cannot allocate its state.
        public init?() {
            guard let zlib = ZlibInflater(windowBits: 15) else { return nil }
            self.zlib = zlib
        }

        /// Hands the decoder bytes read from the connection. They are not
        /// copied, so they must stay valid and unchanged until `nextChunk`
        /// has returned `.needInput` or `.error`; feeding before that is a
        /// programming error.
        public func feed(_ compressed: UnsafeRawBufferPointer) {
            precondition(input.isEmpty, "DeflateStream.Inflater.feed called before the previous input was used up")
            if failure == nil { input = compressed }
        }

        /// Inflates into `output`, at most `output.count` bytes (at least one).
        public func nextChunk(into output: UnsafeMutableRawBufferPointer) -> InflateStep {
            precondition(!output.isEmpty, "DeflateStream.Inflater.nextChunk needs room for at least one byte")
            var produced = 0
            while true {
                if let failure = failure { return .error(failure) }
                if produced == output.count { return .produced(produced) }
                let inputBefore = input.count
                let (count, outcome) = zlib.inflate(&input, into: UnsafeMutableRawBufferPointer(rebasing: output[produced...]))
                produced += count
                switch outcome {
                case .dataError:
                    return fail(.invalidData, after: produced)
                case .memoryError:
                    return fail(.outOfMemory, after: produced)
                case .streamEnd:
                    // The stream is never meant to end; a peer that ended it
                    // anyway can only go on with a new one.
                    guard zlib.restartKeepingWindow() else { return fail(.outOfMemory, after: produced) }
                case .progress:
                    if produced == output.count { continue }
                    if input.isEmpty { return produced > 0 ? .produced(produced) : .needInput }
                    guard input.count < inputBefore || count > 0 else { return fail(.invalidData, after: produced) }
                }
            }
        }

        /// Bytes inflated before the failure are handed out first, as
        /// `MessageInflater` does, and the failure comes with the next call:
        /// otherwise what the peer sent before the bad data would be lost or
        /// not depending on how the reads happened to split it.
        private func fail(_ error: InflateError, after produced: Int) -> InflateStep {
            failure = error
            input = UnsafeRawBufferPointer(start: nil, count: 0)
            return produced > 0 ? .produced(produced) : .error(error)
        }
    }
}
