import WebSocketProtocol

/// The WebSocket message being received and its current frame: what the
/// receive path (`Connection+Receive`) carries from one decoder event to the
/// next, and what the application asks about from inside RECEIVE
/// (remaining payload, final fragment, binary, reserved bits). Part of a
/// `ReceiveState`, held only while a frame or message is unfinished; the
/// logical close drops its buffers.
struct IncomingMessage {
    /// Payload split across reads (or inflated), collected until a
    /// RECEIVE's worth is there; allocated on demand and dropped at the
    /// message's end, so idle connections hold none.
    var chunk: ReceiveChunk?
    /// Payload still to come in the frame after the piece being delivered
    /// (1 while inflated output continues): `lws_remaining_packet_payload`.
    var remaining: UInt64 = 0
    /// A text message's UTF-8, checked as it streams in.
    var utf8 = UTF8Validator()
    /// Where inflated output stopped when the application turned the
    /// receive flow off in a RECEIVE.
    var pausedInflation: Connection.PausedInflation?
    /// The current frame's RSV bits.
    var reservedBits: UInt8 = 0
    /// The message (permessage-deflate) or frame (deflate-frame) is
    /// compressed: its payload goes through the inflater.
    var compressed = false
    var isText = false
    /// The current frame is its message's last (FIN).
    var isFinalFrame = false
    var isBinary = false
    /// The current frame has no payload: it is still delivered, as an empty RECEIVE.
    var zeroLengthFrame = false
}
