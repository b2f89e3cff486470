import WebSocketProtocol

/// Checks `CloseFrame` on every close payload the decoder delivers: the
/// verdict of `parse` against RFC 6455 sections 5.5.1 and 7.4 worked out
/// here independently, and `payload(code:reason:)` building a frame that
/// fits the control limit and keeps a valid reason valid.
enum CloseFrameCheck {
    static func check(_ payload: [UInt8]) {
        let parsed = CloseFrame.parse(payload)
        guard payload.count >= 2 else {
            precondition(parsed == (payload.isEmpty ? .empty : .invalid(.protocolError)), "close payload of 0 or 1 bytes")
            return
        }
        let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
        let reason = Array(payload[2...])
        if !CloseCode.isValidOnWire(code) {
            precondition(parsed == .invalid(.protocolError), "a close code not allowed on the wire was accepted")
        } else if !UTF8Reference.isValid(reason) {
            precondition(parsed == .invalid(.invalidPayload), "an invalid close reason was accepted")
        } else {
            precondition(parsed == .code(code, reasonRange: 2..<payload.count), "a valid close payload was refused")
        }

        // Building: the payload doubled as a reason is often over the limit
        // and has to be cut at a character boundary.
        let built = CloseFrame.payload(code: code, reason: reason + payload)
        precondition(built.count <= 125 && built.count >= 2, "built close payload outside 2...125 bytes")
        precondition(built[0] == payload[0] && built[1] == payload[1], "built close payload lost its code")
        precondition(Array(built[2...]) == Array((reason + payload).prefix(built.count - 2)), "built reason is not a prefix")
        if UTF8Reference.isValid(reason + payload) {
            precondition(UTF8Reference.isValid(built[2...]), "cutting a valid reason made it invalid")
        }
    }
}
