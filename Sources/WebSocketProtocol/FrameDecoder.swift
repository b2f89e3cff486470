/// What `FrameDecoder` announces before a data frame's payload: enough for
/// the receiver to tell where each payload chunk sits in its message
/// (`lws_frame_is_binary`, `libwebsocket_is_final_fragment`).
public struct FrameInfo: Hashable {
    /// The frame's own opcode: text or binary on the first frame of a
    /// message, continuation on the others.
    public var opcode: Opcode
    /// Text or binary: the opcode of the message the frame belongs to, so a
    /// continuation frame need not be traced back to its first frame.
    public var messageOpcode: Opcode
    public var fin: Bool
    public var rsv: UInt8
    public var payloadLength: UInt64
    public var isFirstFrameOfMessage: Bool

    public init(opcode: Opcode, messageOpcode: Opcode, fin: Bool, rsv: UInt8, payloadLength: UInt64,
                isFirstFrameOfMessage: Bool) {
        self.opcode = opcode
        self.messageOpcode = messageOpcode
        self.fin = fin
        self.rsv = rsv
        self.payloadLength = payloadLength
        self.isFirstFrameOfMessage = isFirstFrameOfMessage
    }
}

/// A one-frame text or binary message decoded in one step
/// (`FrameDecoder.nextSmallMessage`).
public struct SmallMessage: Hashable {
    public var isText: Bool
    /// The payload in the caller's buffer, already unmasked; never empty.
    public var payload: Range<Int>

    public init(isText: Bool, payload: Range<Int>) {
        self.isText = isText
        self.payload = payload
    }
}

/// One step of decoding, returned by `FrameDecoder.next(_:consumed:)`.
public enum FrameEvent: Hashable {
    /// Every byte of the buffer has been consumed; call again with more.
    case needMoreData
    /// A data frame's header is complete; its payload follows.
    case frameStart(FrameInfo)
    /// Payload bytes of the current data frame: a non-empty range of the
    /// caller's buffer, already unmasked in place. Data payload is never
    /// copied, since it can be arbitrarily large.
    case payload(Range<Int>)
    /// The current data frame's payload is complete.
    case frameEnd
    /// A complete close, ping or pong frame, unmasked. Control payloads are at
    /// most 125 bytes and must be acted on as a whole (a close reason is
    /// validated, a ping echoed), so they are buffered even when split
    /// across reads.
    case control(opcode: Opcode, payload: [UInt8])
    /// The peer broke RFC 6455 (or a configured limit); the connection must
    /// be failed with this code. The decoder stays failed.
    case protocolError(CloseCode)
}

/// A streaming decoder of the frames a peer sends (RFC 6455 section 5).
///
/// It is fed whatever the socket returned, split anywhere, and hands back one
/// event per call, so the caller can deliver each payload chunk before
/// reading more and the decoder keeps no payload of its own. Every rule that
/// can be checked from a header is checked as soon as its byte arrives, so a
/// misbehaving peer is rejected before it can make us wait for a payload.
public struct FrameDecoder {
    /// Which side of the connection the decoder runs on; it decides the
    /// masking rule (RFC 6455 section 5.1).
    public enum Role {
        /// Decodes frames from a client, which must all be masked.
        case server
        /// Decodes frames from a server, which must never be masked.
        case client
    }

    public let role: Role
    /// The RSV bits (`FrameHeader.rsv1` etc.) a negotiated extension owns;
    /// any other RSV bit fails the connection. Settable because extensions
    /// are only known once the handshake has completed.
    public var allowedRSV: UInt8
    /// The largest data frame payload accepted; 0 means unlimited.
    public var maxFramePayload: UInt64
    /// The largest data message (sum of its frames' payloads) accepted;
    /// 0 means unlimited.
    public var maxMessageSize: UInt64

    /// Payload bytes of the current data frame not yet returned as `.payload`
    /// (what `libwebsockets_remaining_packet_payload` reports). Control frames
    /// leave it untouched, since they never reach the data receiver.
    public private(set) var remainingPayloadInFrame: UInt64 = 0
    /// The FIN bit of the current data frame: whether its payload ends the
    /// message (`libwebsocket_is_final_fragment`).
    public private(set) var currentFrameIsFinal: Bool = false

    /// No frame and no fragmented message is partly decoded: a fresh
    /// decoder with the same settings would go on exactly as this one. A
    /// receiver that keeps many idle connections can drop its decoder here
    /// and make a new one when the next frame arrives.
    public var isBetweenMessages: Bool {
        guard case .header(.awaitingFirstByte) = state else { return false }
        return fragmentedMessageOpcode == nil
    }

    private var state: State = .header(.awaitingFirstByte)
    /// The payload of the control frame `.controlPayload` collects.
    private var controlPayload: [UInt8] = []
    /// The opcode of a message whose first frame had FIN clear and whose final
    /// frame has not started yet; it is what makes continuation frames legal.
    private var fragmentedMessageOpcode: Opcode?
    /// Payload bytes announced so far for the current message.
    private var messageLength: UInt64 = 0

    public init(role: Role, allowedRSV: UInt8 = 0, maxFramePayload: UInt64 = 0, maxMessageSize: UInt64 = 0) {
        self.role = role
        self.allowedRSV = allowedRSV
        self.maxFramePayload = maxFramePayload
        self.maxMessageSize = maxMessageSize
    }

    /// Decodes from `buffer[consumed...]`, advances `consumed` past what it
    /// used and returns the next event.
    ///
    /// Call repeatedly until `.needMoreData` (or `.protocolError`): a call
    /// returns after at most one event, so a buffer holding several frames
    /// takes several calls. Masked payload bytes are unmasked in `buffer`
    /// itself, which is why it is mutable. A `consumed` outside
    /// `0...buffer.count` is clamped into it rather than trusted.
    ///
    /// `maxPayload` caps the size of one `.payload` event (at least one byte
    /// is returned). A receiver that hands payload to an application in
    /// pieces asks for one piece at a time, so that when the application
    /// stops the flow after a piece, the bytes it has not seen are still
    /// undecoded (and masked) in the buffer and can be kept for later.
    public mutating func next(_ buffer: UnsafeMutableRawBufferPointer, consumed: inout Int,
                              maxPayload: Int = .max) -> FrameEvent {
        consumed = min(max(consumed, 0), buffer.count)
        while true {
            switch state {
            case .failed(let code):
                return .protocolError(code)

            case .dataPayload(let maskingKey, let keyOffset):
                return nextDataPayload(buffer, consumed: &consumed, maskingKey: maskingKey, keyOffset: keyOffset,
                                       maxPayload: max(maxPayload, 1))

            case .controlPayload:
                return nextControlPayload(buffer, consumed: &consumed)

            case .header(let progress):
                // The common case: the whole header is in the buffer.
                if case .awaitingFirstByte = progress, buffer.count &- consumed >= 2,
                   case .decoded(let event) = decodeWholeHeader(buffer, consumed: &consumed) {
                    if let event { return event }
                    continue
                }
                guard consumed < buffer.count else { return .needMoreData }
                let byte = buffer[consumed]
                consumed &+= 1
                if let event = nextHeaderByte(byte, after: progress) {
                    return event
                }
            }
        }
    }

    /// Ends the current data frame when all of its payload has been
    /// returned, as the `.frameEnd` the next call would report, and says
    /// whether it did. A receiver that handles the end right after the
    /// last `.payload` saves a call and an event per frame (a third of the
    /// events of a small message).
    public mutating func takeFrameEnd() -> Bool {
        guard case .dataPayload = state, remainingPayloadInFrame == 0 else { return false }
        state = .header(.awaitingFirstByte)
        return true
    }

    /// A whole small message in one step: when the bytes at `consumed` are
    /// a complete, unfragmented, extension-free text or binary frame of 1
    /// to 125 payload bytes (and at most `maxPayload`), it is decoded
    /// exactly as `.frameStart`, `.payload` and `takeFrameEnd` would
    /// decode it, with the payload unmasked in place, and its opcode and
    /// payload range are returned. Anything else, including every frame
    /// that breaks a rule, returns nil and changes nothing: `next` then
    /// decodes it, or reports the error.
    ///
    /// Most messages of a chat or game protocol are such frames; taking
    /// them in one call rather than three events halved the decoding cost
    /// of a pipelined small echo.
    public mutating func nextSmallMessage(_ buffer: UnsafeMutableRawBufferPointer, consumed: inout Int,
                                          maxPayload: Int) -> SmallMessage? {
        guard case .header(.awaitingFirstByte) = state, fragmentedMessageOpcode == nil,
              consumed >= 0, buffer.count &- consumed >= 2 else { return nil }
        let start = consumed
        let firstByte = buffer[start]
        // FIN set, no RSV bit, text (1) or binary (2).
        guard firstByte == 0x81 || firstByte == 0x82 else { return nil }
        let lengthByte = buffer[start &+ 1]
        let masked = lengthByte & 0x80 != 0
        let length = Int(lengthByte & 0x7F)
        guard masked == (role == .server), length > 0, length < 126, length <= maxPayload,
              sizeLimitError(firstByte: firstByte, payloadLength: UInt64(length)) == nil else { return nil }
        let headerLength = masked ? 6 : 2
        guard buffer.count &- start >= headerLength &+ length else { return nil }
        let payload = start &+ headerLength ..< start &+ headerLength &+ length
        if masked {
            FrameDecoder.maskingKey(in: buffer, at: start &+ 2)
                .apply(to: UnsafeMutableRawBufferPointer(rebasing: buffer[payload]), startingAt: 0)
        }
        messageLength = UInt64(length)
        remainingPayloadInFrame = 0
        currentFrameIsFinal = true
        consumed = payload.upperBound
        return SmallMessage(isText: firstByte == 0x81, payload: payload)
    }

    // MARK: - States

    private enum State {
        case header(HeaderProgress)
        /// `remainingPayloadInFrame` counts what is left; `keyOffset` is the
        /// position within the frame, mod 4, for unmasking the next chunk.
        case dataPayload(maskingKey: MaskingKey?, keyOffset: Int)
        case controlPayload(PartialControlFrame)
        case failed(CloseCode)
    }

    /// How far a frame header has been read when it arrived split: such a
    /// header is read byte by byte, which makes a header split anywhere no
    /// different from a whole one (whole headers take `decodeWholeHeader`).
    private enum HeaderProgress {
        case awaitingFirstByte
        case awaitingLengthByte(firstByte: UInt8)
        /// The 16- or 64-bit length after a 126 or 127 length byte, read
        /// big-endian.
        case awaitingExtendedLength(firstByte: UInt8, masked: Bool, missingBytes: Int, partialLength: UInt64)
        case awaitingMaskingKey(firstByte: UInt8, payloadLength: UInt64, missingBytes: Int, partialKey: UInt32)
    }

    /// A control frame whose payload is being collected (in
    /// `controlPayload`, outside the state: with no reference in it the
    /// state is a plain value, which every event of every data frame copies
    /// and tests without reference counting).
    private struct PartialControlFrame {
        var opcode: Opcode
        var maskingKey: MaskingKey?
        var length: Int
    }

    // MARK: - Header

    /// Advances the header states by one byte; returns an event when the byte
    /// completes a frame header or breaks a rule.
    private mutating func nextHeaderByte(_ byte: UInt8, after progress: HeaderProgress) -> FrameEvent? {
        switch progress {
        case .awaitingFirstByte:
            if let error = validateFirstByte(byte) {
                return fail(error)
            }
            state = .header(.awaitingLengthByte(firstByte: byte))
            return nil

        case .awaitingLengthByte(let firstByte):
            let masked = byte & 0x80 != 0
            guard masked == (role == .server) else {
                return fail(.protocolError)
            }
            let length = byte & 0x7F
            // 126 and 127 announce longer lengths, so this rejects those too.
            if Opcode(rawValue: firstByte).isControl && length > 125 {
                return fail(.protocolError)
            }
            switch length {
            case 126, 127:
                state = .header(.awaitingExtendedLength(firstByte: firstByte, masked: masked,
                                                        missingBytes: length == 126 ? 2 : 8, partialLength: 0))
                return nil
            default:
                return lengthKnown(firstByte: firstByte, masked: masked, payloadLength: UInt64(length))
            }

        case .awaitingExtendedLength(let firstByte, let masked, let missingBytes, let partialLength):
            // RFC 6455 section 5.2: the most significant bit of a 64-bit
            // length must be 0.
            if missingBytes == 8 && byte & 0x80 != 0 {
                return fail(.protocolError)
            }
            let length = partialLength << 8 | UInt64(byte)
            if missingBytes > 1 {
                state = .header(.awaitingExtendedLength(firstByte: firstByte, masked: masked,
                                                        missingBytes: missingBytes - 1, partialLength: length))
                return nil
            }
            return lengthKnown(firstByte: firstByte, masked: masked, payloadLength: length)

        case .awaitingMaskingKey(let firstByte, let payloadLength, let missingBytes, let partialKey):
            let key = partialKey << 8 | UInt32(byte)
            if missingBytes > 1 {
                state = .header(.awaitingMaskingKey(firstByte: firstByte, payloadLength: payloadLength,
                                                    missingBytes: missingBytes - 1, partialKey: key))
                return nil
            }
            return headerComplete(firstByte: firstByte, payloadLength: payloadLength,
                                  maskingKey: MaskingKey(networkOrder: key))
        }
    }

    /// The rules decidable from FIN, RSV and opcode alone (RFC 6455 sections
    /// 5.2, 5.4 and 5.5; RFC 7692 section 6 for RSV1 on control frames).
    private func validateFirstByte(_ byte: UInt8) -> CloseCode? {
        let fin = byte & 0x80 != 0
        let rsv = (byte >> 4) & 7
        let opcode = Opcode(rawValue: byte)
        if rsv & ~allowedRSV != 0 || opcode.isReserved {
            return .protocolError
        }
        if opcode.isControl {
            // Control frames are never fragmented and never compressed.
            if !fin || rsv & FrameHeader.rsv1 != 0 {
                return .protocolError
            }
        } else if (opcode == .continuation) != (fragmentedMessageOpcode != nil) {
            // A continuation needs a message to continue; a new message may
            // not start inside another one.
            return .protocolError
        }
        return nil
    }

    private enum WholeHeader {
        case incomplete
        case decoded(FrameEvent?)
    }

    /// Decodes a header that is entirely in `buffer` in one go, applying the
    /// same rules as the byte-by-byte path and consuming exactly as far as
    /// it would (up to the offending byte on an error). `.incomplete` when
    /// the header continues beyond the buffer: the byte path takes over.
    private mutating func decodeWholeHeader(_ buffer: UnsafeMutableRawBufferPointer, consumed: inout Int) -> WholeHeader {
        let start = consumed
        let firstByte = buffer[start]
        let lengthByte = buffer[start &+ 1]
        let masked = lengthByte & 0x80 != 0
        let code = lengthByte & 0x7F
        let extendedBytes = code == 126 ? 2 : (code == 127 ? 8 : 0)
        let headerLength = 2 &+ extendedBytes &+ (masked ? 4 : 0)
        guard buffer.count &- start >= headerLength else { return .incomplete }
        if let error = validateFirstByte(firstByte) {
            consumed = start &+ 1
            return .decoded(fail(error))
        }
        guard masked == (role == .server), !(Opcode(rawValue: firstByte).isControl && code > 125) else {
            consumed = start &+ 2
            return .decoded(fail(.protocolError))
        }
        var position = start &+ 2
        var payloadLength = UInt64(code)
        if extendedBytes > 0 {
            if extendedBytes == 8 && buffer[position] & 0x80 != 0 {
                consumed = position &+ 1
                return .decoded(fail(.protocolError))
            }
            payloadLength = 0
            for _ in 0..<extendedBytes {
                payloadLength = payloadLength << 8 | UInt64(buffer[position])
                position &+= 1
            }
        }
        if let error = sizeLimitError(firstByte: firstByte, payloadLength: payloadLength) {
            consumed = position
            return .decoded(fail(error))
        }
        var maskingKey: MaskingKey?
        if masked {
            maskingKey = FrameDecoder.maskingKey(in: buffer, at: position)
            position &+= 4
        }
        consumed = position
        return .decoded(headerComplete(firstByte: firstByte, payloadLength: payloadLength, maskingKey: maskingKey))
    }

    /// The four key bytes at `position`, in wire order.
    private static func maskingKey(in buffer: UnsafeMutableRawBufferPointer, at position: Int) -> MaskingKey {
        MaskingKey(networkOrder: UInt32(buffer[position]) << 24 | UInt32(buffer[position &+ 1]) << 16
            | UInt32(buffer[position &+ 2]) << 8 | UInt32(buffer[position &+ 3]))
    }

    /// The configured frame and message size limits (data frames only).
    private func sizeLimitError(firstByte: UInt8, payloadLength: UInt64) -> CloseCode? {
        guard !Opcode(rawValue: firstByte).isControl else { return nil }
        if maxFramePayload != 0 && payloadLength > maxFramePayload {
            return .messageTooLarge
        }
        if maxMessageSize != 0 {
            let previous = fragmentedMessageOpcode == nil ? 0 : messageLength
            let (total, overflow) = previous.addingReportingOverflow(payloadLength)
            if overflow || total > maxMessageSize {
                return .messageTooLarge
            }
        }
        return nil
    }

    private mutating func lengthKnown(firstByte: UInt8, masked: Bool, payloadLength: UInt64) -> FrameEvent? {
        if let error = sizeLimitError(firstByte: firstByte, payloadLength: payloadLength) {
            return fail(error)
        }
        if masked {
            state = .header(.awaitingMaskingKey(firstByte: firstByte, payloadLength: payloadLength, missingBytes: 4,
                                                partialKey: 0))
            return nil
        }
        return headerComplete(firstByte: firstByte, payloadLength: payloadLength, maskingKey: nil)
    }

    private mutating func headerComplete(firstByte: UInt8, payloadLength: UInt64, maskingKey: MaskingKey?)
        -> FrameEvent?
    {
        let opcode = Opcode(rawValue: firstByte)
        if opcode.isControl {
            // At most 125 bytes, checked at the length byte.
            let length = Int(truncatingIfNeeded: payloadLength)
            if length == 0 {
                state = .header(.awaitingFirstByte)
                return .control(opcode: opcode, payload: [])
            }
            controlPayload = []
            controlPayload.reserveCapacity(length)
            state = .controlPayload(PartialControlFrame(opcode: opcode, maskingKey: maskingKey, length: length))
            return nil
        }

        let fin = firstByte & 0x80 != 0
        let messageOpcode = fragmentedMessageOpcode ?? opcode
        let isFirst = opcode != .continuation
        // Only read when `maxMessageSize` is set, and then the check in
        // `lengthKnown` has ruled out overflow, so wrapping is harmless.
        messageLength = isFirst ? payloadLength : messageLength &+ payloadLength
        fragmentedMessageOpcode = fin ? nil : messageOpcode
        remainingPayloadInFrame = payloadLength
        currentFrameIsFinal = fin
        state = .dataPayload(maskingKey: maskingKey, keyOffset: 0)
        return .frameStart(FrameInfo(opcode: opcode, messageOpcode: messageOpcode, fin: fin,
                                     rsv: (firstByte >> 4) & 7, payloadLength: payloadLength,
                                     isFirstFrameOfMessage: isFirst))
    }

    // MARK: - Payload

    private mutating func nextDataPayload(_ buffer: UnsafeMutableRawBufferPointer, consumed: inout Int,
                                          maskingKey: MaskingKey?, keyOffset: Int, maxPayload: Int) -> FrameEvent
    {
        if remainingPayloadInFrame == 0 {
            state = .header(.awaitingFirstByte)
            return .frameEnd
        }
        let available = min(buffer.count &- consumed, maxPayload)
        guard available > 0 else { return .needMoreData }
        let count = UInt64(available) < remainingPayloadInFrame
            ? available : Int(truncatingIfNeeded: remainingPayloadInFrame)
        let range = consumed ..< consumed &+ count
        if let maskingKey {
            maskingKey.apply(to: UnsafeMutableRawBufferPointer(rebasing: buffer[range]), startingAt: keyOffset)
            state = .dataPayload(maskingKey: maskingKey, keyOffset: (keyOffset &+ count) & 3)
        }
        remainingPayloadInFrame &-= UInt64(count)
        consumed = range.upperBound
        return .payload(range)
    }

    private mutating func nextControlPayload(_ buffer: UnsafeMutableRawBufferPointer, consumed: inout Int)
        -> FrameEvent
    {
        guard consumed < buffer.count, case .controlPayload(let frame) = state else { return .needMoreData }
        let count = min(buffer.count &- consumed, frame.length &- controlPayload.count)
        let chunk = UnsafeMutableRawBufferPointer(rebasing: buffer[consumed ..< consumed &+ count])
        frame.maskingKey?.apply(to: chunk, startingAt: controlPayload.count)
        controlPayload.append(contentsOf: chunk)
        consumed &+= count
        guard controlPayload.count == frame.length else { return .needMoreData }
        state = .header(.awaitingFirstByte)
        let payload = controlPayload
        controlPayload = []
        return .control(opcode: frame.opcode, payload: payload)
    }

    private mutating func fail(_ code: CloseCode) -> FrameEvent {
        state = .failed(code)
        return .protocolError(code)
    }
}
