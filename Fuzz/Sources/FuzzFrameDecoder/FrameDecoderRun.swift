import FuzzSupport
import WebSocketProtocol

/// One pass of a `FrameDecoder` over the wire bytes, fed piece by piece as a
/// receiver would feed socket reads, with the contract of `next` checked on
/// every call (a violation traps, which libFuzzer reports as a crash).
///
/// The harness keeps its own account of where the stream stands — inside a
/// frame or not, how much payload is owed, which message is open — and
/// requires the decoder's events and counters to agree with it.
struct FrameDecoderRun {
    private let setup: DecoderSetup
    private let maxPayload: Int
    private var decoder: FrameDecoder
    private var events: [DecodedEvent] = []
    private var text = TextMessageCheck()

    /// Payload still owed by the current data frame; nil between frames.
    private var owedInFrame: UInt64?
    /// The opcode of a message whose final frame has not started yet.
    private var openMessage: Opcode?
    /// The opcode and size so far of the message the current frame belongs to.
    private var messageOpcode = Opcode.binary
    private var messageSize: UInt64 = 0
    private var frameIsFinal = false

    /// Whether every call first offers the bytes to `nextSmallMessage`, as
    /// the receiver does.
    private let takesSmallMessages: Bool

    init(setup: DecoderSetup, maxPayload: Int, takesSmallMessages: Bool = false) {
        self.setup = setup
        self.maxPayload = maxPayload
        self.takesSmallMessages = takesSmallMessages
        decoder = setup.makeDecoder()
    }

    /// Decodes `wire` cut into `pieces` (each copied to a buffer of its own)
    /// and returns the events, up to and including a protocol error.
    mutating func decode(_ wire: UnsafeRawBufferPointer, pieces: [Piece]) -> [DecodedEvent] {
        for piece in pieces {
            let failed = withExactCopy(of: UnsafeRawBufferPointer(rebasing: wire[piece.range])) { buffer in
                decodeBuffer(buffer, startingAt: piece.range.lowerBound)
            }
            if failed { break }
        }
        return events
    }

    /// Calls `next` until the buffer is used up; true once the stream failed.
    private mutating func decodeBuffer(_ buffer: UnsafeMutableRawBufferPointer, startingAt base: Int) -> Bool {
        var consumed = 0
        // Every event but `frameEnd` consumes a byte, and `frameEnd` never
        // comes twice in a row: more calls than this is a decoder stuck.
        var callsLeft = 2 * buffer.count + 2
        while true {
            precondition(callsLeft > 0, "the decoder makes no progress")
            callsLeft -= 1
            let before = consumed
            if takesSmallMessages,
               let message = decoder.nextSmallMessage(buffer, consumed: &consumed, maxPayload: maxPayload) {
                smallMessage(message, in: buffer, before: before, after: consumed)
                continue
            }
            precondition(consumed == before, "a declined small message moved consumed")
            let event = decoder.next(buffer, consumed: &consumed, maxPayload: maxPayload)
            precondition(consumed >= before && consumed <= buffer.count, "consumed moved backwards or past the buffer")
            switch event {
            case .needMoreData:
                precondition(consumed == buffer.count, "needMoreData with bytes left")
                return false
            case .frameStart(let info):
                precondition(consumed > before, "a frame header consumed nothing")
                frameStarted(info)
            case .payload(let range):
                payload(range, in: buffer, before: before, after: consumed)
            case .frameEnd:
                precondition(consumed == before, "frameEnd consumed bytes")
                frameEnded()
            case .control(let opcode, let payload):
                precondition(consumed > before, "a control frame consumed nothing")
                control(opcode, payload)
            case .protocolError(let code):
                failed(code, at: base + consumed, buffer: buffer)
                return true
            }
        }
    }

    private mutating func frameStarted(_ info: FrameInfo) {
        precondition(decoder.remainingPayloadInFrame == info.payloadLength, "remainingPayloadInFrame is not the frame length")
        precondition(decoder.currentFrameIsFinal == info.fin, "currentFrameIsFinal is not the FIN bit")
        startFrame(info)
    }

    /// The frame rules and the harness's account of a frame that starts,
    /// whichever call reported it.
    private mutating func startFrame(_ info: FrameInfo) {
        precondition(owedInFrame == nil, "a frame started inside another frame's payload")
        precondition(!info.opcode.isControl && !info.opcode.isReserved, "frameStart for a control or reserved opcode")
        precondition(info.messageOpcode == .text || info.messageOpcode == .binary, "a message that is neither text nor binary")
        precondition(info.isFirstFrameOfMessage == (info.opcode != .continuation), "isFirstFrameOfMessage disagrees with the opcode")
        if let open = openMessage {
            precondition(info.opcode == .continuation && info.messageOpcode == open, "a new message inside a fragmented one")
        } else {
            precondition(info.opcode != .continuation && info.messageOpcode == info.opcode, "a continuation without a message")
            messageSize = 0
            text.startMessage(isText: info.opcode == .text)
        }
        precondition(info.rsv & ~setup.allowedRSV == 0, "an RSV bit no extension owns")
        precondition(setup.maxFramePayload == 0 || info.payloadLength <= setup.maxFramePayload, "frame over the limit")
        messageSize += info.payloadLength
        precondition(setup.maxMessageSize == 0 || messageSize <= setup.maxMessageSize, "message over the limit")
        owedInFrame = info.payloadLength
        messageOpcode = info.messageOpcode
        frameIsFinal = info.fin
        openMessage = info.fin ? nil : info.messageOpcode
        events.append(.frameStart(info))
    }

    private mutating func payload(_ range: Range<Int>, in buffer: UnsafeMutableRawBufferPointer, before: Int, after: Int) {
        guard let owed = owedInFrame else { preconditionFailure("payload outside a data frame") }
        precondition(!range.isEmpty && range.count <= maxPayload, "payload piece empty or larger than asked for")
        precondition(range.lowerBound == before && range.upperBound == after, "payload range is not what was consumed")
        precondition(UInt64(range.count) <= owed, "more payload than the frame announced")
        owedInFrame = owed - UInt64(range.count)
        precondition(decoder.remainingPayloadInFrame == owedInFrame, "remainingPayloadInFrame out of step")
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[range])
        text.payload(bytes)
        events.appendPayload(bytes)
    }

    /// A message `nextSmallMessage` took: it must be what `next` would
    /// have reported as a frame's start, its payload and its end, and leave
    /// the decoder as `takeFrameEnd` would.
    private mutating func smallMessage(_ message: SmallMessage, in buffer: UnsafeMutableRawBufferPointer,
                                       before: Int, after: Int) {
        precondition(owedInFrame == nil && openMessage == nil, "a small message inside another message")
        let length = message.payload.count
        precondition(length >= 1 && length <= 125 && length <= maxPayload, "small message of a size not asked for")
        precondition(message.payload.upperBound == after && message.payload.lowerBound > before,
                     "small message payload is not the end of what was consumed")
        let opcode: Opcode = message.isText ? .text : .binary
        startFrame(FrameInfo(opcode: opcode, messageOpcode: opcode, fin: true, rsv: 0, payloadLength: UInt64(length),
                             isFirstFrameOfMessage: true))
        precondition(decoder.remainingPayloadInFrame == 0 && decoder.currentFrameIsFinal && decoder.isBetweenMessages,
                     "a small message left the decoder inside a frame")
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[message.payload])
        text.payload(bytes)
        events.appendPayload(bytes)
        owedInFrame = 0
        frameEnded()
    }

    private mutating func frameEnded() {
        precondition(owedInFrame == 0 && decoder.remainingPayloadInFrame == 0, "frameEnd with payload owed")
        owedInFrame = nil
        if frameIsFinal { text.endMessage() }
        events.append(.frameEnd)
    }

    private mutating func control(_ opcode: Opcode, _ payload: [UInt8]) {
        precondition(owedInFrame == nil, "a control frame inside a data frame's payload")
        precondition(opcode == .close || opcode == .ping || opcode == .pong, "control event for a non-control opcode")
        precondition(payload.count <= 125, "control payload over 125 bytes")
        if opcode == .close { CloseFrameCheck.check(payload) }
        events.append(.control(opcode, payload))
    }

    /// A failed decoder stays failed: it repeats the error and reads nothing.
    private mutating func failed(_ code: CloseCode, at offset: Int, buffer: UnsafeMutableRawBufferPointer) {
        precondition(code == .protocolError || code == .messageTooLarge, "an unexpected close code")
        precondition(code != .messageTooLarge || setup.maxFramePayload != 0 || setup.maxMessageSize != 0,
                     "1009 without a size limit")
        var consumed = 0
        precondition(decoder.next(buffer, consumed: &consumed) == .protocolError(code) && consumed == 0,
                     "a failed decoder recovered")
        events.append(.protocolError(code, offset: offset))
    }
}
