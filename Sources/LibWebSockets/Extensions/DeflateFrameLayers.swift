import WebSocketCompression

/// deflate-frame negotiated under both of its names at once.
///
/// A 1.4 server accepts every extension it knows that a client offers, so
/// offered "deflate-frame, x-webkit-deflate-frame" it answers both, and
/// then runs both: each data frame it sends is compressed by the first
/// answered extension and the result again by the second (RSV1 set once),
/// and it inflates what it receives twice in the same order. Each layer
/// keeps its own zlib stream across frames, so both ends stay in step as
/// long as they apply the layers in the order of the server's answer.
/// The layer applied last is the one the normal streaming path drives on
/// receive (its output reaches RECEIVE); this runs the others, on a frame
/// collected whole, and compresses through every layer on send.
final class DeflateFrameLayers {
    /// The largest output one outer layer may produce for one frame: a 1.4
    /// peer never sends more (it fails the connection past 65535 bytes per
    /// layer), and the bound keeps a tiny frame from inflating without limit.
    static let maxLayerOutput = 65535

    /// Every deflate-frame layer, in the order of the server's answer:
    /// the order frames are compressed in and inflated in.
    let layers: [ActiveExtension]
    /// The compressed payload of the frame being received, collected until
    /// its end because the outer layers must see it whole.
    private(set) var frame: [UInt8] = []
    /// What the earlier layers produced for the current frame: the input
    /// of the last layer, which reads from it until it has drained.
    private(set) var lastLayerInput: [UInt8] = []

    init(layers: [ActiveExtension]) {
        self.layers = layers
    }

    /// The layer applied last: on receive its output reaches the
    /// application, on send its output goes on the wire.
    var lastLayer: ActiveExtension { layers[layers.count - 1] }

    func collect(_ payload: UnsafeRawBufferPointer) -> Bool {
        guard frame.count + payload.count <= DeflateFrameLayers.maxLayerOutput * 2 else { return false }
        frame.append(contentsOf: payload)
        return true
    }

    /// Runs the collected frame through every layer but the last; nil
    /// when a layer's data is invalid or exceeds the bound.
    func inflateEarlierLayers() -> [UInt8]? {
        var data = frame
        frame = []
        for layer in layers.dropLast() {
            guard let inflater = layer.inflater, let out = DeflateFrameLayers.inflateWhole(data, with: inflater) else {
                return nil
            }
            data = out
        }
        lastLayerInput = data
        return lastLayerInput
    }

    /// Compresses one frame's payload through every layer, in order, into
    /// `output`.
    func compress(_ payload: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) -> Bool {
        var data = Array(payload)
        for layer in layers.dropLast() {
            var next: [UInt8] = []
            guard let deflater = layer.deflater, deflater.compress(data, isFinal: true, appendingTo: &next) else {
                return false
            }
            data = next
        }
        guard let last = lastLayer.deflater else { return false }
        return last.compress(data, isFinal: true, appendingTo: &output)
    }

    private static func inflateWhole(_ data: [UInt8], with inflater: MessageInflater) -> [UInt8]? {
        var out: [UInt8] = []
        var piece = [UInt8](repeating: 0, count: 4096)
        var failed = false
        data.withUnsafeBytes { input in
            inflater.feed(input, isFinalFragmentOfMessage: true)
            while !failed {
                let step = piece.withUnsafeMutableBytes { inflater.nextChunk(into: $0) }
                switch step {
                case .produced(let n):
                    out.append(contentsOf: piece[0..<n])
                    if out.count > maxLayerOutput { failed = true }
                case .messageEnd:
                    return
                case .needInput, .error:
                    failed = true
                }
            }
        }
        return failed ? nil : out
    }
}
