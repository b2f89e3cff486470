import CLibWebSockets
import WebSocketCompression
import WebSocketProtocol

/// The WebSocket receive path: frames decoded in the read buffer, text
/// validated as it streams, payload handed to RECEIVE in chunks of at most
/// rx_buffer_size bytes, control frames answered.
extension Connection {
    var rxBufferSize: Int {
        let size = Int(protocolPointer.pointee.rx_buffer_size)
        return size > 0 ? size : 4096
    }

    /// Decodes frames from `bytes`; returns how many bytes were consumed
    /// (all, unless the connection was closed or flow-controlled midway).
    ///
    /// The decoder is asked for events until it needs more data: a frame's
    /// end is reported on the call after its last payload byte, even when
    /// the buffer is exhausted by then.
    func consumeFrames(_ bytes: UnsafeMutableRawBufferPointer) -> Int {
        var consumed = 0
        while true {
            let event = decoder.next(bytes, consumed: &consumed)
            switch event {
            case .needMoreData:
                return bytes.count
            case .frameStart(let info):
                frameStarted(info)
            case .payload(let range):
                receivePayload(UnsafeMutableRawBufferPointer(rebasing: bytes[range]))
            case .frameEnd:
                frameEnded()
            case .control(let opcode, let payload):
                receiveControl(opcode, payload)
            case .protocolError(let code):
                failWebSocket(code.rawValue, "frame violates RFC 6455")
                return bytes.count
            }
            if closeRequested || state == .lingering || state == .dead || !rxFlowEnabled {
                return consumed
            }
        }
    }

    private func frameStarted(_ info: FrameInfo) {
        rxReservedBits = info.rsv
        rxBinary = info.messageOpcode == .binary
        let compressedBit = info.rsv & FrameHeader.rsv1 != 0
        if info.isFirstFrameOfMessage {
            messageIsText = info.messageOpcode == .text
            if messageIsText { utf8.reset() }
            rxCompressed = compressedBit
        } else if compressedBit {
            if rxCodec?.kind == .perMessageDeflate {
                // RFC 7692 6.1: RSV1 only on the first frame of a message.
                failWebSocket(1002, "RSV1 on a continuation frame")
                return
            }
            rxCompressed = true
        } else if rxCodec?.kind == .deflateFrame {
            rxCompressed = false
        }
        rxFinal = info.fin
        if info.payloadLength == 0 {
            zeroLengthFrame = true
        }
    }

    /// Payload bytes of the current data frame, already unmasked in place.
    private func receivePayload(_ payload: UnsafeMutableRawBufferPointer) {
        guard state == .webSocket else { return }  // after our close: ignored
        if rxCompressed, let codec = rxCodec?.inflater {
            codec.feed(UnsafeRawBufferPointer(payload), isFinalFragmentOfMessage: false)
            drainInflater(codec)
            return
        }
        if messageIsText && !utf8.validate(UnsafeRawBufferPointer(payload)) {
            failWebSocket(1007, "invalid UTF-8 in text message")
            return
        }
        let limit = rxBufferSize
        var rest = payload
        while rest.count > 0 && state == .webSocket && !closeRequested {
            if (rxChunk?.count ?? 0) == 0 && (rest.count >= limit || decoder.remainingPayloadInFrame == 0) {
                // The whole chunk is in the read buffer (which has the same
                // padding around it): deliver it from there, no copy.
                let n = min(rest.count, limit)
                rxRemaining = decoder.remainingPayloadInFrame + UInt64(rest.count - n)
                deliverReceive(rest.baseAddress!, n)
                rest = UnsafeMutableRawBufferPointer(rebasing: rest[n...])
                continue
            }
            // Only a chunk split across reads needs the connection's own
            // buffer; it is allocated on demand and dropped at message end,
            // so idle connections hold none.
            let chunk = ensureChunk(limit)
            let n = min(rest.count, chunk.space)
            chunk.append(UnsafeRawBufferPointer(rebasing: rest[0..<n]))
            rest = UnsafeMutableRawBufferPointer(rebasing: rest[n...])
            if chunk.space == 0 {
                rxRemaining = decoder.remainingPayloadInFrame + UInt64(rest.count)
                flushChunk(chunk)
            }
        }
    }

    private func ensureChunk(_ limit: Int) -> ReceiveChunk {
        if let chunk = rxChunk, chunk.capacity == limit { return chunk }
        let chunk = ReceiveChunk(capacity: limit)
        rxChunk = chunk
        return chunk
    }

    private func flushChunk(_ chunk: ReceiveChunk) {
        let n = chunk.count
        chunk.count = 0
        deliverReceive(chunk.start, n)
    }

    private func frameEnded() {
        guard state == .webSocket else { return }
        if rxCompressed, let codec = rxCodec {
            // permessage-deflate ends at the message's last frame,
            // deflate-frame at every frame.
            let ends = codec.kind == .deflateFrame || rxFinal
            if ends, let inflater = codec.inflater {
                inflater.feed(UnsafeRawBufferPointer(start: nil, count: 0), isFinalFragmentOfMessage: true)
                drainInflater(inflater)
                if state != .webSocket { return }
                // A message that inflates to nothing is still delivered.
                if (rxChunk?.count ?? 0) == 0 { zeroLengthFrame = true }
            }
            if !ends {
                zeroLengthFrame = false
                return
            }
        }
        rxRemaining = 0
        if let chunk = rxChunk, chunk.count > 0 {
            flushChunk(chunk)
        } else if zeroLengthFrame {
            // Empty frames are messages too (an empty text message is valid).
            deliverReceive(context.readBuffer.baseAddress!, 0)
        }
        zeroLengthFrame = false
        if rxFinal {
            rxChunk = nil
            if messageIsText && state == .webSocket && !utf8.isAtCharacterBoundary {
                failWebSocket(1007, "text message ends inside a UTF-8 sequence")
            }
        }
    }

    private func deliverReceive(_ bytes: UnsafeMutableRawPointer, _ count: Int) {
        let reason = role == .client ? LWS_CALLBACK_CLIENT_RECEIVE : LWS_CALLBACK_RECEIVE
        var data = (bytes, count)
        if hasApplicationExtensions {
            guard let transformed = applyExtensions(LWS_EXT_CALLBACK_PAYLOAD_RX, bytes, count) else {
                failWebSocket(1011, "an extension refused received data")
                return
            }
            data = transformed
        }
        if callUser(reason, data.0, data.1) != 0 {
            requestClose()
        }
    }

    private func receiveControl(_ opcode: Opcode, _ payload: [UInt8]) {
        switch opcode {
        case .ping:
            if state == .webSocket {
                sendControl(opcode: .pong, payload: payload)
            }
        case .pong:
            if role == .client && state == .webSocket {
                var copy = payload
                copy.withUnsafeMutableBytes { raw in
                    if callUser(LWS_CALLBACK_CLIENT_RECEIVE_PONG, raw.baseAddress, raw.count) != 0 {
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

    /// The peer's close frame: validated, answered with the same code when we
    /// have not sent ours yet, then the connection closes.
    private func receiveClose(_ payload: [UInt8]) {
        switch CloseFrame.parse(payload) {
        case .invalid(let code):
            failWebSocket(code.rawValue, "invalid close frame")
        case .empty:
            if !sentClose {
                sentClose = true
                sendControl(opcode: .close, payload: [])
            }
            close(code: 0)
        case .code(let code, _):
            if !sentClose {
                sendCloseFrame(code: code, reason: [])
            }
            close(code: code)
        }
    }

    /// The compression extension active on this connection, if any.
    var rxCodec: ActiveExtension? {
        activeExtensions.first { $0.ownsRSV1 }
    }

    /// Pulls inflated bytes into the receive chunk, validating text and
    /// delivering full chunks; the last, partial chunk is left for
    /// frameEnded. Inflated data never reaches the user in pieces larger
    /// than rx_buffer_size, and a message that inflates beyond the bound
    /// closes with 1009.
    private func drainInflater(_ inflater: MessageInflater) {
        let limit = rxBufferSize
        var spare: UInt8 = 0
        while state == .webSocket && !closeRequested {
            let chunk = ensureChunk(limit)
            // A full chunk goes out only once a further byte is known to
            // follow (pulled into `spare`): a message whose inflated size is
            // a multiple of rx_buffer_size then ends with a full final piece
            // (delivered by frameEnded), as on the uncompressed path, instead
            // of a full piece followed by an empty final one.
            let isFull = chunk.space == 0
            let step = isFull
                ? withUnsafeMutableBytes(of: &spare) { inflater.nextChunk(into: $0) }
                : inflater.nextChunk(into: UnsafeMutableRawBufferPointer(start: chunk.start + chunk.count, count: chunk.space))
            switch step {
            case .produced(let n):
                if isFull {
                    rxRemaining = 1
                    flushChunk(chunk)
                    if state != .webSocket || closeRequested { return }
                    chunk.start.storeBytes(of: spare, as: UInt8.self)
                }
                let fresh = UnsafeRawBufferPointer(start: chunk.start + chunk.count, count: n)
                if messageIsText && !utf8.validate(fresh) {
                    failWebSocket(1007, "invalid UTF-8 in inflated text message")
                    return
                }
                chunk.count += n
            case .needInput, .messageEnd:
                return
            case .error(let error):
                failWebSocket(error.closeCode.rawValue, "compressed payload rejected")
                return
            }
        }
    }

    /// Fails the connection (RFC 6455 7.1.7): close frame with `code`, a log
    /// line, and the close.
    func failWebSocket(_ code: UInt16, _ why: StaticString) {
        Log.note("fd \(fd): closing with \(code): \(why)")
        if state == .webSocket && !sentClose {
            sendCloseFrame(code: code, reason: [])
        }
        close(code: code)
    }
}
