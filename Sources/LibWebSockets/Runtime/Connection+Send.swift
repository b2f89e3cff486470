import CLibWebSockets
import WebSocketCompression
import WebSocketProtocol

/// The write path: frames built in place, sent at once when the socket takes
/// them, buffered (never dropped) when it does not.
extension Connection {
    /// Sends bytes, or queues them behind what is already buffered so the
    /// byte order on the wire is the order of the calls. A send error
    /// requests a close (carried out after the current callback returns).
    ///
    /// Inside a service call the context corks: writes are collected and
    /// each connection's are sent with one syscall when the batch ends
    /// (`Context.flushCorked`), or as soon as they reach `corkLimit`.
    /// A frame of `directSendSize` or more is never collected: what is
    /// corked before it goes first, then the frame leaves straight from the
    /// caller's memory, and only what the socket refuses is copied.
    ///
    /// A pong we answer a ping with replaces one still waiting unsent
    /// behind bytes the socket refused (a peer that does not read owes us
    /// one pong, not one per ping). Pongs merely corked in this batch are
    /// all sent: pings read together are each answered, as 1.4 did.
    func sendRaw(_ bytes: UnsafeRawBufferPointer, isPongReply: Bool = false) {
        guard state != .dead else { return }
        let large = bytes.count >= Connection.directSendSize
        if context.corking && state == .webSocket { noteWrittenInBatch(bytes.count) }
        if !outbound.isEmpty && sending.corked && large {
            uncork()
            guard state != .dead else { return }
        }
        if !outbound.isEmpty {
            guard queue(bytes, isPongReply: isPongReply && !sending.corked) else { return }
            if sending.corked && outbound.count >= Connection.corkLimit { uncork() }
            return
        }
        // Only WebSocket frames are corked: HTTP answers keep their order
        // of events with file transfers and transaction completion.
        if context.corking && state == .webSocket && !large {
            guard queue(bytes, isPongReply: false) else { return }
            sending.corked = true
            return
        }
        switch transportSend(bytes) {
        case .transferred(let sent):
            if sent < bytes.count {
                queue(UnsafeRawBufferPointer(rebasing: bytes[sent...]), isPongReply: false)
                updatePoll()
            }
        case .wouldBlock:
            queue(bytes, isPongReply: false)
            updatePoll()
        case .closed, .failed:
            Log.information("fd \(fd): send failed, closing")
            requestClose(.abnormal)
        }
    }

    /// Keeps bytes for later. Without memory for them, what was promised
    /// can no longer be kept: the connection closes (and a write reports -1).
    @discardableResult
    private func queue(_ bytes: UnsafeRawBufferPointer, isPongReply: Bool) -> Bool {
        // Borrowed, not retained: the context keeps its blocks for its life
        // (a retain and release per queued frame showed in the profile).
        let kept = Unmanaged.passUnretained(context.spareBlocks)._withUnsafeGuaranteedRef { blocks in
            isPongReply ? outbound.appendPong(bytes, blocks: blocks) : outbound.append(bytes, blocks: blocks)
        }
        if !kept {
            Log.error("fd \(fd): no memory to keep \(bytes.count) unsent bytes, closing")
            requestClose(.webSocket(.unexpectedCondition))
        }
        return kept
    }

    /// Bytes collected while corked stay collected up to this much.
    static let corkLimit = 65536

    /// Frames this large are sent at once rather than collected: copying
    /// them costs more than the syscall corking would save, and a large
    /// message copied into a freshly grown buffer paid for its page faults
    /// as well (a 1 MiB echo cost three times the floor's).
    static let directSendSize = 16384

    /// What answering a peer's input may leave us owing it (unsent frames,
    /// pongs, the close) before we stop reading it until it has read some:
    /// a peer that sends without reading (requests whose answers it never
    /// takes) would otherwise make us buffer without limit. Above the cork
    /// limit, so corking alone never stops reading.
    static let owedBound = 256 << 10

    var owesTooMuch: Bool { outbound.count > Connection.owedBound }

    /// Counts frames written in this service call, corked or sent; the
    /// first one puts the connection on the list the batch's end goes
    /// through (`Context.flushCorked`).
    private func noteWrittenInBatch(_ count: Int) {
        if sending.writtenInBatch == 0 { context.batchWriters.append(self) }
        sending.writtenInBatch &+= max(count, 1)
    }

    /// The service call's batch of writes is over: what is corked goes out.
    func endWriteBatch() {
        sending.writtenInBatch = 0
        uncork()
    }

    /// Sends what corking collected; what the socket refuses becomes a real
    /// backlog (POLLOUT, lws_partial_buffered).
    func uncork() {
        guard sending.corked else { return }
        sending.corked = false
        flushOutbound()
        if state != .dead { updatePoll() }
    }

    /// Bytes the socket refused earlier (not merely corked): the condition
    /// under which writes must wait for POLLOUT.
    var hasBacklog: Bool { !outbound.isEmpty && !sending.corked }

    /// Inside a service call, the pipe counts as choked once a socket
    /// buffer's worth has been written in this call (corked, or sent
    /// straight away when large). 1.4 set each WebSocket's SO_SNDBUF to
    /// rx_buffer_size (4096 when 0) plus padding, so a write-until-choked
    /// loop in WRITEABLE yielded after about that much and asked for
    /// another WRITEABLE; 1.4-era producers depend on that one coming (an
    /// MQTT broker picks up there what acknowledgements released
    /// meanwhile). Answered from our own state, without a poll(2).
    var wroteSocketBufferInBatch: Bool {
        let socketBuffer = max(rxBufferSize, 4096) + Int(LWS_SEND_BUFFER_PRE_PADDING) + Int(LWS_SEND_BUFFER_POST_PADDING)
        return sending.writtenInBatch >= socketBuffer
    }

    /// Pushes buffered bytes into the socket as far as it takes them; once
    /// what we owe is back under `owedBound`, a peer whose input had pushed
    /// it over is read again.
    func flushOutbound() {
        var failed = false
        outbound.drain(blocks: context.spareBlocks) { bytes in
            switch transportSend(bytes) {
            case .transferred(let sent): return sent
            case .wouldBlock: return 0
            case .closed, .failed:
                failed = true
                return 0
            }
        }
        // Whatever is left now was refused by the socket: a real backlog.
        sending.corked = false
        if failed {
            outbound.clear(blocks: context.spareBlocks)
            if muted {
                destroy()
            } else {
                requestClose(.abnormal)
            }
        } else if input.pausedByBacklog && !owesTooMuch && !muted {
            input.pausedByBacklog = false
            inputMayResume()
        }
    }

    /// POLLOUT: buffered bytes first; only when they are all gone does the
    /// file transfer continue or the application get its WRITEABLE callback.
    func handleWritable() {
        if state == .clientConnecting {
            clientConnectCompleted()
            return
        }
        flushOutbound()
        guard state != .dead else { return }
        if !outbound.isEmpty {
            updatePoll()
            return
        }
        if state == .lingering {
            halfClose()
            updatePoll()
            return
        }
        if exchange?.fileTransfer != nil {
            continueFileTransfer()
            updatePoll()
            return
        }
        if sending.writableRequested && !sending.writableQueued {
            if hasApplicationExtensions { notifyExtensions(LWS_EXT_CALLBACK_FLUSH_PENDING_TX) }
            deliverWritable()
        }
        updatePoll()
    }

    /// `libwebsocket_callback_on_writable`. With the internal service loop a
    /// socket with nothing buffered is known to be writable, so the callback
    /// is queued for the next service call without a poll round trip;
    /// otherwise POLLOUT is requested. False when the connection is closing.
    @discardableResult
    func requestWritable() -> Bool {
        guard state != .dead, !muted else { return false }
        guard !sending.writableRequested else { return true }
        sending.writableRequested = true
        if hasApplicationExtensions { notifyExtensions(LWS_EXT_CALLBACK_REQUEST_ON_WRITEABLE) }
        if context.usesInternalService && !hasBacklog && exchange?.fileTransfer == nil {
            sending.writableQueued = true
            context.pendingWritable.append(self)
        } else {
            updatePoll()
        }
        return true
    }

    func deliverPendingWritable() {
        sending.writableQueued = false
        guard state != .dead, sending.writableRequested else { return }
        if !hasBacklog && exchange?.fileTransfer == nil {
            deliverWritable()
        }
        updatePoll()
        completeRequestedClose()
    }

    /// A WRITEABLE the application asked for before its peer broke the
    /// protocol still runs, once, ahead of the close frame: the echo an
    /// application queued from RECEIVE for the last good message must not
    /// be lost to the failure of the frame that followed it in the same
    /// read. Only when a write could go out now; nothing more is asked.
    func runRequestedWritableBeforeFailing() {
        guard state == .webSocket, sending.writableRequested, !closeRequested,
              !hasBacklog, exchange?.fileTransfer == nil else { return }
        deliverWritable()
    }

    private func deliverWritable() {
        sending.writableRequested = false
        let reason: libwebsocket_callback_reasons
        switch state {
        case .webSocket:
            reason = role == .client ? LWS_CALLBACK_CLIENT_WRITEABLE : LWS_CALLBACK_SERVER_WRITEABLE
        case .httpResponding, .readingHTTPBody, .awaitingHTTPHead:
            reason = LWS_CALLBACK_HTTP_WRITEABLE
        default:
            return
        }
        if state == .webSocket && hasApplicationExtensions { notifyExtensions(LWS_EXT_CALLBACK_IS_WRITEABLE) }
        if callUser(reason) != 0 {
            requestClose()
        }
    }

    /// `libwebsocket_write`. `buffer` has LWS_SEND_BUFFER_PRE_PADDING bytes
    /// before it for the frame header. Returns the payload bytes accepted
    /// (all of them: what the socket refuses is buffered) or -1.
    func write(_ buffer: UnsafeMutablePointer<UInt8>, length: Int, protocolBits: UInt32) -> Int32 {
        guard state != .dead, !muted, length >= 0 else { return -1 }
        let kind = protocolBits & 0x3f
        switch kind {
        case UInt32(LWS_WRITE_HTTP.rawValue), UInt32(LWS_WRITE_HTTP_FINAL.rawValue), UInt32(LWS_WRITE_HTTP_HEADERS.rawValue):
            noteAnswerStarted()
            sendRaw(UnsafeRawBufferPointer(start: buffer, count: length))
            return closeRequested ? -1 : Int32(truncatingIfNeeded: length)
        default:
            break
        }
        guard let opcode = Connection.opcode(forWriteKind: kind) else {
            Log.error("libwebsocket_write: unknown write protocol \(protocolBits)")
            return -1
        }
        guard state == .webSocket || (state == .awaitingCloseAck && opcode == .pong) else {
            Log.information("libwebsocket_write: fd \(fd) is not an open WebSocket")
            return -1
        }
        if opcode.isControl && length > 125 {
            Log.error("libwebsocket_write: control frame payload \(length) > 125")
            return -1
        }
        let fin = opcode.isControl || protocolBits & UInt32(LWS_WRITE_NO_FIN.rawValue) == 0
        let masked = role == .client && protocolBits & UInt32(LWS_WRITE_CLIENT_IGNORE_XOR_MASK.rawValue) == 0
        if opcode.isControl || activeExtensions.isEmpty {
            sendFrame(opcode: opcode, fin: fin, masked: masked, payload: buffer, length: length)
        } else if !sendInDeflateFramePieces(opcode: opcode, fin: fin, masked: masked, payload: buffer, length: length) {
            return -1
        }
        if opcode == .close {
            state = .awaitingCloseAck
            setTimeout(reason: Int32(PENDING_TIMEOUT_CLOSE_ACK.rawValue), seconds: 5)
        }
        return closeRequested ? -1 : Int32(truncatingIfNeeded: length)
    }

    /// The most payload one deflate-frame frame carries before compression:
    /// a 1.4 peer drops the connection beyond it (its inflate buffer stops
    /// at 65535 bytes), so a larger write goes out as several frames of one
    /// message.
    static let maxDeflateFramePayload = 65535

    private func sendInDeflateFramePieces(opcode: Opcode, fin: Bool, masked: Bool,
                                          payload: UnsafeMutablePointer<UInt8>, length: Int) -> Bool {
        guard compression?.kind == .deflateFrame, length > Connection.maxDeflateFramePayload else {
            return sendThroughExtensions(opcode: opcode, fin: fin, masked: masked, payload: payload, length: length)
        }
        var offset = 0
        while offset < length {
            let n = min(length - offset, Connection.maxDeflateFramePayload)
            let last = offset + n == length
            guard sendThroughExtensions(opcode: offset == 0 ? opcode : .continuation, fin: fin && last,
                                        masked: masked, payload: payload + offset, length: n) else { return false }
            offset += n
        }
        return true
    }

    /// A data frame with extensions active: application extensions see the
    /// payload first (PAYLOAD_TX), then the compression extension deflates
    /// it — permessage-deflate per message with RSV1 on its first frame,
    /// deflate-frame per frame with RSV1 on each.
    private func sendThroughExtensions(opcode: Opcode, fin: Bool, masked: Bool,
                                       payload: UnsafeMutablePointer<UInt8>, length: Int) -> Bool {
        var data = (UnsafeMutableRawPointer(payload), length)
        if hasApplicationExtensions {
            guard let transformed = applyExtensions(LWS_EXT_CALLBACK_PAYLOAD_TX, data.0, data.1) else {
                Log.error("fd \(fd): an extension refused data to send")
                return false
            }
            data = transformed
        }
        let startsMessage = opcode != .continuation
        var rsv: UInt8 = 0
        let padding = Int(LWS_SEND_BUFFER_PRE_PADDING)
        // The context's scratch array, taken while in use (an extension
        // callback may send too): one array for every message, not one each.
        var framed = context.takeFrameScratch()
        defer { context.returnFrameScratch(framed) }
        framed.append(contentsOf: repeatElement(0, count: padding))
        if let codec = compression, let deflater = codec.deflater {
            if startsMessage { sending.messageCompressed = true }
            if codec.kind == .deflateFrame || sending.messageCompressed {
                let isFinal = codec.kind == .deflateFrame || fin
                let plain = UnsafeRawBufferPointer(start: data.0, count: data.1)
                let compressed = deflateLayers.map { $0.compress(plain, appendingTo: &framed) }
                    ?? deflater.compress(plain, isFinal: isFinal, appendingTo: &framed)
                guard compressed else {
                    Log.error("fd \(fd): compression failed")
                    return false
                }
                rsv = codec.kind == .deflateFrame || startsMessage ? FrameHeader.rsv1 : 0
            } else {
                framed.append(contentsOf: UnsafeRawBufferPointer(start: data.0, count: data.1))
            }
        } else if data.0 == UnsafeMutableRawPointer(payload) {
            // Transformed in place: the caller's padding is still there.
            sendFrame(opcode: opcode, fin: fin, masked: masked, payload: payload, length: data.1)
            return true
        } else {
            framed.append(contentsOf: UnsafeRawBufferPointer(start: data.0, count: data.1))
        }
        if fin { sending.messageCompressed = false }
        let bodyLength = framed.count - padding
        framed.append(contentsOf: repeatElement(0, count: Int(LWS_SEND_BUFFER_POST_PADDING)))
        framed.withUnsafeMutableBufferPointer { all in
            sendFrame(opcode: opcode, fin: fin, masked: masked, payload: all.baseAddress! + padding, length: bodyLength, rsv: rsv)
        }
        return true
    }

    static func opcode(forWriteKind kind: UInt32) -> Opcode? {
        switch kind {
        case UInt32(LWS_WRITE_TEXT.rawValue): return .text
        case UInt32(LWS_WRITE_BINARY.rawValue): return .binary
        case UInt32(LWS_WRITE_CONTINUATION.rawValue): return .continuation
        case UInt32(LWS_WRITE_CLOSE.rawValue): return .close
        case UInt32(LWS_WRITE_PING.rawValue): return .ping
        case UInt32(LWS_WRITE_PONG.rawValue): return .pong
        default: return nil
        }
    }

    /// Writes the header into the padding before `payload`, masks in place
    /// for a client, and sends header and payload as one piece. A client
    /// without randomness for the key fails the connection: a predictable
    /// mask is what RFC 6455 10.3 forbids.
    func sendFrame(opcode: Opcode, fin: Bool, masked: Bool, payload: UnsafeMutablePointer<UInt8>, length: Int,
                   rsv: UInt8 = 0, isPongReply: Bool = false) {
        var key: MaskingKey?
        if masked {
            guard let fresh = context.maskingKeys.next() else {
                Log.error("fd \(fd): no randomness for a masking key, failing the connection")
                requestClose(.abnormal)  // no close frame can be masked either
                return
            }
            key = fresh
        }
        let header = FrameHeader(fin: fin, rsv: rsv, opcode: opcode, maskingKey: key, payloadLength: UInt64(length))
        let headerLength = FrameEncoder.writeHeader(header, endingAt: UnsafeMutableRawPointer(payload))
        if let key {
            key.apply(to: UnsafeMutableRawBufferPointer(start: payload, count: length), startingAt: 0)
        }
        let frame = UnsafeMutableRawPointer(payload) - headerLength
        if hasApplicationExtensions {
            // PACKET_TX_PRESEND: the whole frame, as it goes to the socket.
            guard let (prepared, count) = applyExtensions(LWS_EXT_CALLBACK_PACKET_TX_PRESEND, frame, headerLength + length) else {
                Log.error("fd \(fd): an extension refused a frame")
                requestClose(.webSocket(.unexpectedCondition))
                return
            }
            sendRaw(UnsafeRawBufferPointer(start: prepared, count: count), isPongReply: isPongReply)
            return
        }
        sendRaw(UnsafeRawBufferPointer(start: frame, count: headerLength + length), isPongReply: isPongReply)
    }

    /// Sends a control frame from our own bytes (pong replies, close frames).
    /// Our pongs answer pings, so a newer one may replace an unsent one.
    func sendControl(opcode: Opcode, payload: [UInt8]) {
        let padding = Int(LWS_SEND_BUFFER_PRE_PADDING)
        var frame = [UInt8](repeating: 0, count: padding + payload.count + Int(LWS_SEND_BUFFER_POST_PADDING))
        frame.withUnsafeMutableBufferPointer { all in
            let start = all.baseAddress! + padding
            for i in 0..<payload.count { start[i] = payload[i] }
            sendFrame(opcode: opcode, fin: true, masked: role == .client, payload: start, length: payload.count,
                      isPongReply: opcode == .pong)
        }
    }

    /// Our close frame, when the session still owes one: only an open
    /// WebSocket does (`write` moved one whose application sent its own to
    /// awaitingCloseAck; the close moves on to lingering), and only while
    /// the transport works. A code that may not go on the wire gives a
    /// close frame without a code, which is what 1005 reports.
    func sendCloseFrame(_ reason: CloseReason) {
        guard state == .webSocket, requestedClose != .abnormal, case .webSocket(let code) = reason else { return }
        let wire = CloseCode.isValidOnWire(code.rawValue)
        sendControl(opcode: .close, payload: wire ? CloseFrame.payload(code: code.rawValue, reason: []) : [])
    }
}
