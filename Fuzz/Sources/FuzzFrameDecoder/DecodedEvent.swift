import WebSocketProtocol

/// A decoder event with its bytes copied out, so runs over differently cut
/// buffers can be compared: payload pieces are merged (their sizes depend
/// on the cuts), and an error records where in the whole input it struck.
enum DecodedEvent: Equatable {
    case frameStart(FrameInfo)
    case payload([UInt8])
    case frameEnd
    case control(Opcode, [UInt8])
    case protocolError(CloseCode, offset: Int)
}

extension Array where Element == DecodedEvent {
    /// Appends `bytes` to a payload event just before, or as a new one.
    mutating func appendPayload(_ bytes: UnsafeRawBufferPointer) {
        if case .payload(var merged)? = last {
            removeLast()
            merged.append(contentsOf: bytes)
            append(.payload(merged))
        } else {
            append(.payload([UInt8](bytes)))
        }
    }
}
