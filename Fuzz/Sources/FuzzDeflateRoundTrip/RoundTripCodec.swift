import WebSocketCompression

/// A compressor and the peer's decompressor for one mode, set up from the
/// same parameters, as a handshake leaves the two ends. A class, so that
/// the pull buffer it owns is freed with it.
final class RoundTripCodec {
    private let setup: RoundTripSetup
    private let deflater: MessageDeflater?
    private let inflater: MessageInflater?
    private let streamDeflater: DeflateStream.Deflater?
    private let streamInflater: DeflateStream.Inflater?
    private let output: UnsafeMutableRawBufferPointer
    /// What the inflater has produced of the current message.
    private var inflated: [UInt8] = []

    init(setup: RoundTripSetup, largestMessage: Int) {
        self.setup = setup
        let limit = max(largestMessage, 1)
        switch setup.mode {
        case .perMessageDeflate:
            deflater = MessageDeflater(windowBits: setup.windowBits, resetsContextPerMessage: setup.noContextTakeover,
                                       compressionLevel: setup.compressionLevel, memoryLevel: setup.memoryLevel)
            inflater = MessageInflater(windowBits: setup.windowBits, resetsContextPerMessage: setup.noContextTakeover,
                                       maxMessageSize: limit)
            streamDeflater = nil
            streamInflater = nil
        case .deflateFrame:
            let settings = DeflateFrame.Settings(noContextTakeover: setup.noContextTakeover, maxWindowBits: setup.windowBits)
            deflater = DeflateFrame.makeDeflater(settings: settings, compressionLevel: setup.compressionLevel,
                                                 memoryLevel: setup.memoryLevel)
            inflater = DeflateFrame.makeInflater(maxFramePayload: limit)
            streamDeflater = nil
            streamInflater = nil
        case .deflateStream:
            deflater = nil
            inflater = nil
            streamDeflater = DeflateStream.Deflater(compressionLevel: setup.compressionLevel, memoryLevel: setup.memoryLevel)
            streamInflater = DeflateStream.Inflater()
        }
        output = .allocate(byteCount: setup.chunkSize, alignment: 1)
    }

    deinit {
        output.deallocate()
    }

    /// Compresses `fragment`, hands the result to the inflater and returns
    /// everything inflated of the current message so far (of the stream so
    /// far, minus what earlier calls returned, for deflate-stream).
    func send(_ fragment: UnsafeRawBufferPointer, endsMessage: Bool) -> [UInt8] {
        var compressed: [UInt8] = []
        if let deflater = deflater, let inflater = inflater {
            precondition(deflater.compress(fragment, isFinal: endsMessage, appendingTo: &compressed), "deflate failed")
            precondition(!endsMessage || !compressed.isEmpty, "a final fragment compressed to nothing")
            compressed.withUnsafeBytes { inflateMessage($0, endsMessage: endsMessage, with: inflater) }
        } else if let deflater = streamDeflater, let inflater = streamInflater {
            precondition(deflater.compress(fragment, appendingTo: &compressed), "deflate failed")
            compressed.withUnsafeBytes { inflateStream($0, with: inflater) }
        } else {
            preconditionFailure("zlib could not allocate a codec")
        }
        defer { if endsMessage || setup.mode == .deflateStream { inflated.removeAll(keepingCapacity: true) } }
        return inflated
    }

    private func inflateMessage(_ compressed: UnsafeRawBufferPointer, endsMessage: Bool,
                                         with inflater: MessageInflater) {
        inflater.feed(compressed, isFinalFragmentOfMessage: endsMessage)
        while true {
            switch inflater.nextChunk(into: output) {
            case .produced(let count):
                inflated.append(contentsOf: UnsafeRawBufferPointer(rebasing: output[..<count]))
            case .needInput:
                precondition(!endsMessage, "needInput after the final fragment")
                return
            case .messageEnd:
                precondition(endsMessage, "messageEnd before the final fragment")
                return
            case .error(let error):
                preconditionFailure(error == .messageTooBig ? "a message at the limit was refused"
                                                            : "our own compressed data failed to inflate")
            }
        }
    }

    private func inflateStream(_ compressed: UnsafeRawBufferPointer, with inflater: DeflateStream.Inflater) {
        inflater.feed(compressed)
        while true {
            switch inflater.nextChunk(into: output) {
            case .produced(let count):
                inflated.append(contentsOf: UnsafeRawBufferPointer(rebasing: output[..<count]))
            case .needInput:
                return
            case .messageEnd, .error:
                preconditionFailure("our own deflate-stream failed to inflate")
            }
        }
    }
}
