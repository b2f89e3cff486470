import CLibWebSockets
import WebSocketCompression
import WebSocketProtocol

/// The WebSocket receive path: frames decoded in the read buffer, text
/// validated as it streams, payload handed to RECEIVE in chunks of at most
/// rx_buffer_size bytes, control frames answered.
extension Connection {
    /// rx_buffer_size: 0 means 4096, and no more than
    /// `maxReceiveBufferSize` is allocated whatever it says (a size_t near
    /// SIZE_MAX arrives here negative).
    var rxBufferSize: Int {
        let size = protocolPointer.pointee.rx_buffer_size
        if size == 0 { return 4096 }
        return size < 0 ? Connection.maxReceiveBufferSize : min(size, Connection.maxReceiveBufferSize)
    }

    static let maxReceiveBufferSize = 64 << 20

    /// deflate-frame frames are delivered whole, as 1.4 delivered them, up
    /// to this many inflated bytes (or rx_buffer_size, if larger); a frame
    /// that inflates to more arrives in pieces of this size, so a small
    /// compressed frame cannot make us allocate without limit. (1.4 closed
    /// the connection beyond 64 KiB.)
    static let deflateFrameDeliveryBound = 64 << 10

    /// Where inflated output stopped because the application turned the
    /// receive flow off in a RECEIVE callback; it resumes from there when
    /// the flow is turned on again.
    enum PausedInflation {
        /// Within a frame: more compressed payload may follow.
        case midFrame
        /// After the frame's (or message's) last compressed byte: the
        /// frame's end is processed once the output is drained.
        case atFrameEnd
    }

    /// Decodes frames from `bytes`; returns how many bytes were consumed
    /// (all, unless the connection was closed or flow-controlled midway).
    ///
    /// The decoder is asked for events until it needs more data: a frame's
    /// end is reported on the call after its last payload byte, even when
    /// the buffer is exhausted by then.
    ///
    /// Uncompressed payload is taken from the decoder one RECEIVE's worth at
    /// a time, so when the application turns the flow off inside RECEIVE,
    /// the bytes it has not been given are still undecoded and are held
    /// with the rest of the input (1.4's mirror protocol relies on this).
    func consumeFrames(_ bytes: UnsafeMutableRawBufferPointer) -> Int {
        beginReceiving()
        let consumed = decodeFrames(bytes)
        finishReceiving()
        return consumed
    }

    private func decodeFrames(_ bytes: UnsafeMutableRawBufferPointer) -> Int {
        var consumed = 0
        // Read once per call, not per event: it goes through the protocol.
        let pieceSize = rxBufferSize
        while true {
            if let message = decoder.nextSmallMessage(bytes, consumed: &consumed, maxPayload: pieceSize) {
                receiveSmallMessage(message, in: bytes)
                if !decodingMayContinue { return consumed }
                continue
            }
            let piece = incoming.compressed ? Int.max
                : incoming.chunk == nil ? pieceSize : max(pieceSize - incoming.chunk!.count, 1)
            let event = decoder.next(bytes, consumed: &consumed, maxPayload: piece)
            switch event {
            case .needMoreData:
                return bytes.count
            case .frameStart(let info):
                frameStarted(info)
            case .payload(let range):
                receivePayload(UnsafeMutableRawBufferPointer(rebasing: bytes[range]), pieceSize: pieceSize)
                // The frame's last payload byte: its end is handled now
                // rather than as the next event, unless the callback
                // stopped the input (then the end waits with it).
                if decoder.remainingPayloadInFrame == 0 && decodingMayContinue && decoder.takeFrameEnd() {
                    frameEnded()
                }
            case .frameEnd:
                frameEnded()
            case .control(let opcode, let payload):
                receiveControl(opcode, payload)
            case .protocolError(let code):
                failWebSocket(code, "frame violates RFC 6455")
                return bytes.count
            }
            if !decodingMayContinue {
                return consumed
            }
        }
    }

    /// Nothing a callback did stops decoding: no close, flow still on.
    private var decodingMayContinue: Bool {
        !(closeRequested || muted || state == .dead || !input.flowEnabled)
    }

    // MARK: The receive state

    /// The frame decoder; only while `receiving` is there.
    var decoder: FrameDecoder {
        unsafeAddress { UnsafePointer(receiving!.decoder) }
        unsafeMutableAddress { receiving!.decoder }
    }

    /// The message being received; only while `receiving` is there.
    var incoming: IncomingMessage {
        unsafeAddress { UnsafePointer(receiving!.incoming) }
        unsafeMutableAddress { receiving!.incoming }
    }

    /// Inflated output waits for the application to turn the flow back on.
    var hasPausedInflation: Bool { receiving?.incoming.pointee.pausedInflation != nil }

    /// Makes sure `receiving` is there: the one left from an unfinished
    /// frame, or a fresh one from the context's pool.
    private func beginReceiving() {
        receiveDepth &+= 1
        guard receiving == nil else { return }
        let fresh = FrameDecoder(role: role == .server ? .server : .client, allowedRSV: extensionRSV)
        receiving = context.receiveStates.take(decoder: fresh)
    }

    /// The outermost receive call returns the state to the pool when
    /// nothing is in progress any more, or nothing will be received.
    private func finishReceiving() {
        receiveDepth &-= 1
        guard receiveDepth == 0, let state = receiving,
              state.isAtRest || muted || self.state == .dead else { return }
        returnReceiveState(state)
    }

    /// The logical close: what a message had collected goes now; the state
    /// itself once no receive call is on the stack.
    func endReceiving() {
        guard let state = receiving else { return }
        state.incoming.pointee.chunk = nil
        state.incoming.pointee.pausedInflation = nil
        guard receiveDepth == 0 else { return }
        returnReceiveState(state)
    }

    private func returnReceiveState(_ state: ReceiveState) {
        receiving = nil
        context.receiveStates.giveBack(state)
    }

    private func frameStarted(_ info: FrameInfo) {
        incoming.reservedBits = info.rsv
        incoming.isBinary = info.messageOpcode == .binary
        let compressedBit = info.rsv & FrameHeader.rsv1 != 0
        if info.isFirstFrameOfMessage {
            incoming.isText = info.messageOpcode == .text
            if incoming.isText { incoming.utf8.reset() }
            incoming.compressed = compressedBit
        } else if compressedBit {
            if compression?.kind == .perMessageDeflate {
                // RFC 7692 6.1: RSV1 only on the first frame of a message.
                failWebSocket(.protocolError, "RSV1 on a continuation frame")
                return
            }
            incoming.compressed = true
        } else if compression?.kind == .deflateFrame {
            incoming.compressed = false
        }
        incoming.isFinalFrame = info.fin
        if info.payloadLength == 0 {
            incoming.zeroLengthFrame = true
        }
    }

    /// A message of one small frame, whole in the read buffer: what
    /// `frameStarted`, `receivePayload` and `frameEnded` do for it, without
    /// the cases it cannot have (compression, a chunk, pieces, an empty
    /// payload).
    private func receiveSmallMessage(_ message: SmallMessage, in bytes: UnsafeMutableRawBufferPointer) {
        guard state == .webSocket else { return }  // after our close: ignored
        let payload = UnsafeMutableRawBufferPointer(rebasing: bytes[message.payload])
        incoming.reservedBits = 0
        incoming.compressed = false
        incoming.isText = message.isText
        incoming.isBinary = !message.isText
        incoming.isFinalFrame = true
        incoming.remaining = 0
        if message.isText { incoming.utf8.reset() }
        guard acceptsText(UnsafeRawBufferPointer(payload)) else { return }
        deliverReceive(payload.baseAddress!, payload.count)
        checkTextEndsOnCharacter()
    }

    /// Payload bytes of the current data frame, already unmasked in place:
    /// at most one RECEIVE's worth when uncompressed (see `consumeFrames`).
    private func receivePayload(_ payload: UnsafeMutableRawBufferPointer, pieceSize: Int) {
        guard state == .webSocket else { return }  // after our close: ignored
        if incoming.compressed, let layers = deflateLayers {
            if !layers.collect(UnsafeRawBufferPointer(payload)) {
                failWebSocket(.messageTooLarge, "layered deflate-frame frame too large")
            }
            return
        }
        if incoming.compressed, let codec = compression?.inflater {
            codec.feed(UnsafeRawBufferPointer(payload), isFinalFragmentOfMessage: false)
            if drainInflater(codec) { incoming.pausedInflation = .midFrame }
            return
        }
        guard acceptsText(UnsafeRawBufferPointer(payload)) else { return }
        if (incoming.chunk == nil || incoming.chunk!.count == 0)
            && (payload.count >= pieceSize || decoder.remainingPayloadInFrame == 0) {
            // The whole chunk is in the read buffer (which has the same
            // padding around it): deliver it from there, no copy.
            incoming.remaining = decoder.remainingPayloadInFrame
            deliverReceive(payload.baseAddress!, payload.count)
            return
        }
        // Only a chunk split across reads needs the connection's own
        // buffer; it is allocated on demand and dropped at message end, so
        // idle connections hold none.
        let chunk = ensureChunk(pieceSize)
        chunk.append(UnsafeRawBufferPointer(payload))
        if chunk.count >= pieceSize {
            incoming.remaining = decoder.remainingPayloadInFrame
            flushChunk(chunk)
        }
    }

    /// The connection's receive chunk, with room for at least `minimum`
    /// bytes when it is created; an existing chunk keeps its bytes.
    private func ensureChunk(_ minimum: Int) -> ReceiveChunk {
        if let chunk = incoming.chunk, chunk.capacity >= minimum || chunk.count > 0 { return chunk }
        let chunk = ReceiveChunk(capacity: minimum, blocks: context.spareBlocks)
        incoming.chunk = chunk
        return chunk
    }

    private func flushChunk(_ chunk: ReceiveChunk) {
        let n = chunk.count
        chunk.count = 0
        deliverReceive(chunk.start, n)
    }

    private func frameEnded() {
        guard state == .webSocket else { return }
        if incoming.compressed, let codec = compression {
            // permessage-deflate ends at the message's last frame,
            // deflate-frame at every frame.
            guard codec.kind == .deflateFrame || incoming.isFinalFrame else {
                incoming.zeroLengthFrame = false
                return
            }
            if let inflater = codec.inflater {
                if feedFrameEnd(to: inflater) {
                    incoming.pausedInflation = .atFrameEnd
                } else {
                    deliverInflatedFrameEnd()
                }
                return
            }
        }
        deliverFrameEnd()
    }

    /// The end of a compressed frame or message once its inflater has
    /// drained: one that inflated to nothing is still delivered.
    private func deliverInflatedFrameEnd() {
        guard state == .webSocket else { return }
        if (incoming.chunk?.count ?? 0) == 0 { incoming.zeroLengthFrame = true }
        deliverFrameEnd()
    }

    /// Ends the compressed input of a frame (deflate-frame) or message and
    /// drains the inflater; true when the application paused it. Layered
    /// deflate-frame first runs the frame through the earlier layers.
    private func feedFrameEnd(to inflater: MessageInflater) -> Bool {
        guard let layers = deflateLayers else {
            inflater.feed(UnsafeRawBufferPointer(start: nil, count: 0), isFinalFragmentOfMessage: true)
            return drainInflater(inflater)
        }
        guard let input = layers.inflateEarlierLayers() else {
            failWebSocket(.invalidPayload, "layered deflate-frame payload rejected")
            return false
        }
        // The layers own `input` until the next frame, and a paused
        // inflater copies what it has not read (retainInput).
        return input.withUnsafeBytes { bytes in
            inflater.feed(bytes, isFinalFragmentOfMessage: true)
            return drainInflater(inflater)
        }
    }

    /// Continues inflated output the application paused (flow control off
    /// inside RECEIVE); returns false while it stays paused.
    func resumePausedInflation() -> Bool {
        guard hasPausedInflation else { return true }
        beginReceiving()
        let resumed = resumeInflation()
        finishReceiving()
        return resumed
    }

    private func resumeInflation() -> Bool {
        guard let paused = incoming.pausedInflation else { return true }
        guard state == .webSocket, let inflater = compression?.inflater else {
            incoming.pausedInflation = nil
            return true
        }
        incoming.pausedInflation = nil
        if drainInflater(inflater) {
            incoming.pausedInflation = paused
            return false
        }
        if paused == .atFrameEnd { deliverInflatedFrameEnd() }
        return true
    }

    /// The end of a data frame as the application sees it: the last piece
    /// (possibly empty) is delivered, and a text message must end on a
    /// character boundary.
    private func deliverFrameEnd() {
        incoming.remaining = 0
        if let chunk = incoming.chunk, chunk.count > 0 {
            flushChunk(chunk)
        } else if incoming.zeroLengthFrame {
            // Empty frames are messages too (an empty text message is valid).
            deliverReceive(context.readBuffer.baseAddress!, 0)
        }
        incoming.zeroLengthFrame = false
        if incoming.isFinalFrame {
            incoming.chunk = nil
            checkTextEndsOnCharacter()
        }
    }

    /// Streams a text message's payload through its UTF-8 check; false,
    /// with the connection failed (1007), when the bytes cannot be valid
    /// text. Binary payload always passes.
    private func acceptsText(_ bytes: UnsafeRawBufferPointer,
                             _ why: StaticString = "invalid UTF-8 in text message") -> Bool {
        guard incoming.isText && !incoming.utf8.validate(bytes) else { return true }
        failWebSocket(.invalidPayload, why)
        return false
    }

    /// A text message has ended: it must not end inside a character.
    private func checkTextEndsOnCharacter() {
        if incoming.isText && state == .webSocket && !incoming.utf8.isAtCharacterBoundary {
            failWebSocket(.invalidPayload, "text message ends inside a UTF-8 sequence")
        }
    }

    /// One RECEIVE (or CLIENT_RECEIVE). `bytes` lies in the read buffer or
    /// a receive chunk, both with padding after the data, so the byte after
    /// it can be made a NUL for the callback's duration: 1.4 passed text
    /// that way and its programs compare it with strcmp. The byte is put
    /// back afterwards, since it may be the next frame's first.
    private func deliverReceive(_ bytes: UnsafeMutableRawPointer, _ count: Int) {
        let reason = role == .client ? LWS_CALLBACK_CLIENT_RECEIVE : LWS_CALLBACK_RECEIVE
        var data = (bytes, count)
        if hasApplicationExtensions {
            guard let transformed = applyExtensions(LWS_EXT_CALLBACK_PAYLOAD_RX, bytes, count) else {
                failWebSocket(.unexpectedCondition, "an extension refused received data")
                return
            }
            data = transformed
        }
        // Our buffers have the send paddings around the data, and the
        // application may write into them (a reply sent from `in` itself,
        // as 1.4 allowed). After the data may lie the next frame, not yet
        // decoded: those bytes are kept and put back, and the first is a
        // NUL meanwhile. An application extension may hand back memory of
        // its own, with no room we know of after it: it gets neither.
        let tail: UnsafeMutableRawPointer? = data.0 == bytes && data.1 <= count ? bytes + data.1 : nil
        let saved = tail?.loadUnaligned(as: Connection.PostPadding.self)
        tail?.storeBytes(of: 0, as: UInt8.self)
        let answer = callUser(reason, data.0, data.1)
        if let tail, let saved { tail.storeBytes(of: saved, as: Connection.PostPadding.self) }
        if answer != 0 {
            requestClose()
        }
    }

    /// LWS_SEND_BUFFER_POST_PADDING bytes, as one value.
    typealias PostPadding = UInt32

    private func receiveControl(_ opcode: Opcode, _ payload: [UInt8]) {
        switch opcode {
        case .ping:
            if state == .webSocket {
                sendControl(opcode: .pong, payload: payload)
            }
        case .pong:
            if role == .client && state == .webSocket {
                var copy = payload
                copy.append(0)  // NUL-terminated, like RECEIVE
                copy.withUnsafeMutableBytes { raw in
                    if callUser(LWS_CALLBACK_CLIENT_RECEIVE_PONG, raw.baseAddress, raw.count - 1) != 0 {
                        requestClose()
                    }
                }
            }
        case .close:
            receiveClose(payload)
        default:
            break
        }
    }

    /// The peer's close frame: validated, then the connection closes,
    /// answering with the same code (none for none) when we have not sent
    /// our close frame yet.
    private func receiveClose(_ payload: [UInt8]) {
        switch CloseFrame.parse(payload) {
        case .invalid(let code):
            failWebSocket(code, "invalid close frame")
        case .empty:
            close(.webSocket(.noStatus), peerClosed: true)
        case .code(let code, _):
            close(.webSocket(CloseCode(rawValue: code)), peerClosed: true)
        }
    }

    /// Pulls inflated bytes into the receive chunk, validating text and
    /// delivering full chunks; the last, partial chunk is left for
    /// frameEnded. permessage-deflate data reaches the user in pieces of at
    /// most rx_buffer_size; a deflate-frame frame whole, up to
    /// `deflateFrameDeliveryBound`. A message that inflates beyond the
    /// overall bound closes with 1009.
    ///
    /// Returns true when the application turned the receive flow off in a
    /// RECEIVE: the inflater then keeps its unconsumed input (the read
    /// buffer it points into is about to be reused) and the rest of the
    /// output waits for `resumePausedInflation`.
    private func drainInflater(_ inflater: MessageInflater) -> Bool {
        let wholeFrames = compression?.kind == .deflateFrame
        let limit = wholeFrames ? max(rxBufferSize, Connection.deflateFrameDeliveryBound) : rxBufferSize
        // The RECEIVE of a full chunk turned the flow off: the byte known to
        // follow is still taken (and its UTF-8 checked), then output stops.
        var pausing = false
        while state == .webSocket && !closeRequested {
            let chunk = ensureChunk(rxBufferSize)
            if chunk.space == 0 && chunk.capacity < limit {
                chunk.grow(to: min(chunk.capacity * 2, limit))
            }
            // A full chunk asks with no room, and goes out only once the
            // inflater says a further byte follows (`.produced(0)`): a
            // message whose inflated size is a multiple of rx_buffer_size
            // then ends with a full final piece (delivered by frameEnded),
            // as on the uncompressed path, instead of a full piece followed
            // by an empty final one.
            let room = pausing ? min(chunk.space, 1) : chunk.space
            switch inflater.nextChunk(into: UnsafeMutableRawBufferPointer(start: chunk.start + chunk.count, count: room)) {
            case .produced(0):
                incoming.remaining = 1
                flushChunk(chunk)
                if state != .webSocket || closeRequested { return false }
                pausing = !input.flowEnabled
            case .produced(let n):
                let fresh = UnsafeRawBufferPointer(start: chunk.start + chunk.count, count: n)
                guard acceptsText(fresh, "invalid UTF-8 in inflated text message") else { return false }
                chunk.count += n
                if pausing {
                    inflater.retainInput()
                    return true
                }
            case .needInput, .messageEnd:
                return false
            case .error(let error):
                failWebSocket(error.closeCode, "compressed payload rejected")
                return false
            }
        }
        return false
    }

    /// Fails the connection (RFC 6455 7.1.7): a log line, and the close
    /// with `code` in our close frame.
    func failWebSocket(_ code: CloseCode, _ why: StaticString) {
        Log.note("fd \(fd): closing with \(code.rawValue): \(why)")
        runRequestedWritableBeforeFailing()
        close(.webSocket(code))
    }
}
