import WebSocketCompression

/// A compressor and the peer's decompressor for one mode, set up from the
/// same parameters, as a handshake leaves the two ends. A class, so that
/// the pull buffer it owns is freed with it.
final class RoundTripCodec {
    private let deflater: MessageDeflater
    private let inflater: MessageInflater
    private let output: UnsafeMutableRawBufferPointer
    /// What the inflater has produced of the current message.
    private var inflated: [UInt8] = []

    init(setup: RoundTripSetup, largestMessage: Int) {
        let limit = max(largestMessage, 1)
        let deflater: MessageDeflater?
        let inflater: MessageInflater?
        switch setup.mode {
        case .perMessageDeflate:
            deflater = MessageDeflater(windowBits: setup.windowBits, resetsContextPerMessage: setup.noContextTakeover,
                                       compressionLevel: setup.compressionLevel, memoryLevel: setup.memoryLevel)
            inflater = MessageInflater(windowBits: setup.windowBits, resetsContextPerMessage: setup.noContextTakeover,
                                       maxMessageSize: limit)
        case .deflateFrame:
            let settings = DeflateFrame.Settings(noContextTakeover: setup.noContextTakeover, maxWindowBits: setup.windowBits)
            deflater = DeflateFrame.makeDeflater(settings: settings, compressionLevel: setup.compressionLevel,
                                                 memoryLevel: setup.memoryLevel)
            inflater = DeflateFrame.makeInflater(maxFramePayload: limit)
        }
        guard let deflater = deflater, let inflater = inflater else { preconditionFailure("zlib could not allocate a codec") }
        self.deflater = deflater
        self.inflater = inflater
        output = .allocate(byteCount: setup.chunkSize, alignment: 1)
    }

    deinit {
        output.deallocate()
    }

    /// Compresses `fragment`, hands the result to the inflater and returns
    /// everything inflated of the current message so far.
    func send(_ fragment: UnsafeRawBufferPointer, endsMessage: Bool) -> [UInt8] {
        var compressed: [UInt8] = []
        precondition(deflater.compress(fragment, isFinal: endsMessage, appendingTo: &compressed), "deflate failed")
        precondition(!endsMessage || !compressed.isEmpty, "a final fragment compressed to nothing")
        compressed.withUnsafeBytes { inflate($0, endsMessage: endsMessage) }
        defer { if endsMessage { inflated.removeAll(keepingCapacity: true) } }
        return inflated
    }

    private func inflate(_ compressed: UnsafeRawBufferPointer, endsMessage: Bool) {
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
}
