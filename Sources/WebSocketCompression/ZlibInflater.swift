import CZlib

/// One raw-DEFLATE decompression stream (RFC 1951) owned by zlib.
///
/// A final class for the same reason as `ZlibDeflater`: zlib's state points
/// back at its `z_stream`, which therefore lives in memory of its own.
final class ZlibInflater {
    /// How one call to `inflate(_:into:)` ended.
    enum Outcome {
        /// Stopped because the input ran out or the output filled up.
        case progress
        /// A block with BFINAL set has ended the DEFLATE stream; input after
        /// it is untouched.
        case streamEnd
        case dataError
        case memoryError
    }

    private let stream: UnsafeMutablePointer<z_stream>
    private let windowBits: Int

    /// `windowBits` 8...15. Nil only when zlib cannot allocate its state.
    init?(windowBits: Int) {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard czlib_inflate_init_raw(stream, Int32(windowBits)) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            return nil
        }
        self.stream = stream
        self.windowBits = windowBits
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Whether the last `inflate` call stopped between two blocks, as a
    /// message must end: zlib sets bit 128 of `data_type` when it stopped
    /// right before a block header. (A call that can do nothing clears it.)
    var isAtBlockBoundary: Bool {
        stream.pointee.data_type & 128 != 0
    }

    /// Forgets the sliding window and any partial block.
    func reset() {
        inflateReset(stream)
    }

    /// Makes the decoder ready for a new DEFLATE stream after `.streamEnd`
    /// while keeping the window, so data after the final block may still
    /// refer back to what came before it (a sender that keeps its context
    /// across a BFINAL block would do so). False if out of memory.
    func restartKeepingWindow() -> Bool {
        let window = UnsafeMutablePointer<Bytef>.allocate(capacity: 1 << windowBits)
        defer { window.deallocate() }
        var length: uInt = 0
        guard inflateGetDictionary(stream, window, &length) == Z_OK, inflateReset(stream) == Z_OK else { return false }
        return length == 0 || inflateSetDictionary(stream, window, length) == Z_OK
    }

    /// Inflates from `input` into `output`, advancing `input` past the bytes
    /// zlib consumed; returns how many bytes it wrote.
    func inflate(_ input: inout UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> (produced: Int, outcome: Outcome) {
        // zlib counts in 32 bits; a shorter pass just means another call.
        let inputPiece = min(input.count, 1 << 30)
        let outputPiece = min(output.count, 1 << 30)
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(inputPiece)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(outputPiece)
        let result = CZlib.inflate(stream, Z_SYNC_FLUSH)
        let consumed = inputPiece - Int(stream.pointee.avail_in)
        let produced = outputPiece - Int(stream.pointee.avail_out)
        input = UnsafeRawBufferPointer(rebasing: input[consumed...])
        switch result {
        case Z_OK, Z_BUF_ERROR:
            return (produced, .progress)
        case Z_STREAM_END:
            return (produced, .streamEnd)
        case Z_MEM_ERROR:
            return (produced, .memoryError)
        default:
            // Z_DATA_ERROR, and Z_NEED_DICT, which raw DEFLATE cannot ask for.
            return (produced, .dataError)
        }
    }
}
