import CZlib

/// One raw-DEFLATE compression stream (RFC 1951) owned by zlib.
///
/// A final class because zlib's internal state points back at its
/// `z_stream`, so the stream must never move: it is allocated once here and
/// released in `deinit`, never stored inline in a value that Swift may copy.
final class ZlibDeflater {
    private let stream: UnsafeMutablePointer<z_stream>
    /// Where zlib writes before the bytes are appended to the caller's
    /// array: zlib needs raw memory, and growing the array first would mean
    /// guessing the output size and zero-filling it.
    private let scratch: UnsafeMutableRawBufferPointer

    /// `windowBits` 9...15, `level` -1 (zlib's default) or 0...9,
    /// `memoryLevel` 1...9. Nil only when zlib cannot allocate its state.
    init?(windowBits: Int, level: Int, memoryLevel: Int) {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard czlib_deflate_init_raw(stream, Int32(level), Int32(windowBits), Int32(memoryLevel)) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            return nil
        }
        self.stream = stream
        scratch = .allocate(byteCount: 16 << 10, alignment: 1)
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        scratch.deallocate()
    }

    /// Forgets the sliding window, so the next byte compressed starts a new
    /// stream that refers to nothing before it.
    func reset() {
        deflateReset(stream)
    }

    /// Compresses all of `input`, then flushes with `flush`, appending what
    /// zlib emits to `output`. False only if zlib reports its own state
    /// broken, which no input can cause.
    func compress(_ input: UnsafeRawBufferPointer, flush: Int32, appendingTo output: inout [UInt8]) -> Bool {
        var remaining = input
        while true {
            // zlib counts in 32 bits.
            let piece = min(remaining.count, 1 << 30)
            let isLastPiece = piece == remaining.count
            stream.pointee.next_in = UnsafeMutablePointer(mutating: remaining.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(piece)
            repeat {
                stream.pointee.next_out = scratch.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(scratch.count)
                let result = deflate(stream, isLastPiece ? flush : Z_NO_FLUSH)
                // Z_BUF_ERROR only means there was nothing to do: a flush
                // repeated with no new input.
                guard result == Z_OK || result == Z_BUF_ERROR else { return false }
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<(scratch.count - Int(stream.pointee.avail_out))]))
                // A full buffer means zlib may have more to say.
            } while stream.pointee.avail_out == 0
            if isLastPiece { return true }
            remaining = UnsafeRawBufferPointer(rebasing: remaining[piece...])
        }
    }
}
