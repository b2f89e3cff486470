import WebSocketProtocol

/// The per-frame compression extension that predates RFC 7692, offered by
/// libwebsockets 1.4 for the browsers of its day: `deflate-frame`, which
/// WebKit and Chrome spelt `x-webkit-deflate-frame`
/// (draft-tyoshino-hybi-websocket-perframe-deflate).
///
/// Each data frame with RSV1 set carries its own payload compressed the way
/// permessage-deflate compresses a message: sync-flushed, the 00 00 ff ff
/// tail stripped, the window kept from frame to frame. The codecs are
/// therefore `MessageDeflater` and `MessageInflater` with one frame standing
/// for one message: the sender calls `compress(_:isFinal: true, …)` per
/// frame and sets RSV1; the receiver feeds an RSV1 frame's payload with
/// `isFinalFragmentOfMessage` on its last piece, so the size limit applies
/// per frame. Frames without RSV1 and control frames are not compressed.
public enum DeflateFrame {
    /// Limits on one side's compressor. Parameters in a client's offer
    /// limit the server's compressor; parameters in the server's response
    /// limit the client's.
    public struct Settings: Hashable {
        /// `no_context_takeover`: every frame starts from an empty window.
        public var noContextTakeover: Bool
        /// `max_window_bits`: the largest LZ77 window, 8...15.
        public var maxWindowBits: Int

        public init(noContextTakeover: Bool = false, maxWindowBits: Int = 15) {
            self.noContextTakeover = noContextTakeover
            self.maxWindowBits = maxWindowBits
        }

        /// Nil when `element` is not deflate-frame under either name, or has
        /// a parameter unknown, repeated or malformed.
        init?(_ element: ExtensionOffer) {
            guard DeflateFrame.isDeflateFrame(element.name) else { return nil }
            self.init()
            var hasNoContextTakeover = false
            var hasMaxWindowBits = false
            for parameter in element.parameters {
                if parameter.name.matchesIgnoringCase("no_context_takeover") {
                    guard !hasNoContextTakeover, parameter.value == nil else { return nil }
                    hasNoContextTakeover = true
                    noContextTakeover = true
                } else if parameter.name.matchesIgnoringCase("max_window_bits") {
                    guard !hasMaxWindowBits, let value = parameter.value,
                          let bits = PerMessageDeflateElement.windowBits(value) else { return nil }
                    hasMaxWindowBits = true
                    maxWindowBits = bits
                } else {
                    return nil
                }
            }
        }
    }

    /// The names the extension goes by, the draft's first.
    public static let names: [[UInt8]] = [("deflate-frame" as StaticString).bytes,
                                          ("x-webkit-deflate-frame" as StaticString).bytes]

    public static func isDeflateFrame(_ name: [UInt8]) -> Bool {
        name.matchesIgnoringCase("deflate-frame") || name.matchesIgnoringCase("x-webkit-deflate-frame")
    }

    /// Server side: accepts the first valid deflate-frame offer (under
    /// either name) among `offers`, returning the limits it sets on the
    /// server's compressor and the response element, which is the offered
    /// name alone: the server asks nothing of the client's compressor.
    public static func negotiate(offers: [ExtensionOffer]) -> (settings: Settings, responseValue: [UInt8])? {
        for offer in offers {
            guard let settings = Settings(offer) else { continue }
            return (settings, offer.name)
        }
        return nil
    }

    /// Client side: the limits the server's response element sets on the
    /// client's compressor, or nil when the client must fail the connection
    /// (not deflate-frame, or a parameter unknown, repeated or malformed).
    public static func acceptResponse(_ response: ExtensionOffer) -> Settings? {
        Settings(response)
    }

    /// The compressor for the frames this side sends under `settings`.
    public static func makeDeflater(settings: Settings = .init(), compressionLevel: Int = -1,
                                    memoryLevel: Int = 8) -> MessageDeflater? {
        MessageDeflater(windowBits: settings.maxWindowBits, resetsContextPerMessage: settings.noContextTakeover,
                        compressionLevel: compressionLevel, memoryLevel: memoryLevel)
    }

    /// The decompressor for the frames the peer sends. Its window is the
    /// largest and it keeps context: neither side here asks the peer for
    /// less, so the peer may use either.
    public static func makeInflater(maxFramePayload: Int = 0) -> MessageInflater? {
        MessageInflater(windowBits: 15, resetsContextPerMessage: false, maxMessageSize: maxFramePayload)
    }
}
