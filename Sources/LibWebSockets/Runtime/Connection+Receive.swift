import CLibWebSockets
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
        if info.isFirstFrameOfMessage {
            messageIsText = info.messageOpcode == .text
            if messageIsText { utf8.reset() }
        }
        rxFinal = info.fin
        if info.payloadLength == 0 {
            zeroLengthFrame = true
        }
    }

    /// Payload bytes of the current data frame, already unmasked in place.
    private func receivePayload(_ payload: UnsafeMutableRawBufferPointer) {
        guard state == .webSocket else { return }  // after our close: ignored
        if messageIsText && !utf8.validate(UnsafeRawBufferPointer(payload)) {
            failWebSocket(1007, "invalid UTF-8 in text message")
            return
        }
        let limit = rxBufferSize
        var rest = payload
        while rest.count > 0 && state == .webSocket && !closeRequested {
            let chunk = ensureChunk(limit)
            if chunk.count == 0 && (rest.count >= limit || decoder.remainingPayloadInFrame == 0) {
                // The whole chunk is in the read buffer (which has the same
                // padding around it): deliver it from there, no copy.
                let n = min(rest.count, limit)
                rxRemaining = decoder.remainingPayloadInFrame + UInt64(rest.count - n)
                deliverReceive(rest.baseAddress!, n)
                rest = UnsafeMutableRawBufferPointer(rebasing: rest[n...])
                continue
            }
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
        rxRemaining = 0
        if let chunk = rxChunk, chunk.count > 0 {
            flushChunk(chunk)
        } else if zeroLengthFrame {
            // Empty frames are messages too (an empty text message is valid).
            deliverReceive(context.readBuffer.baseAddress!, 0)
        }
        zeroLengthFrame = false
        if rxFinal && messageIsText && state == .webSocket && !utf8.isAtCharacterBoundary {
            failWebSocket(1007, "text message ends inside a UTF-8 sequence")
        }
    }

    private func deliverReceive(_ bytes: UnsafeMutableRawPointer, _ count: Int) {
        let reason = role == .client ? LWS_CALLBACK_CLIENT_RECEIVE : LWS_CALLBACK_RECEIVE
        if callUser(reason, bytes, count) != 0 {
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
