import WebSocketProtocol

/// Runs each text message's payload pieces through a streaming
/// `UTF8Validator`, as the receiver does, and checks its verdicts against
/// `UTF8Reference`: the pieces fall wherever the cuts put them, so code
/// points split across frames and reads are the common case here.
struct TextMessageCheck {
    private var isText = false
    private var validator = UTF8Validator()
    private var message: [UInt8] = []
    /// Whether the validator has rejected the message at some piece.
    private var rejected = false

    mutating func startMessage(isText: Bool) {
        self.isText = isText
        validator.reset()
        message.removeAll(keepingCapacity: true)
        rejected = false
    }

    mutating func payload(_ bytes: UnsafeRawBufferPointer) {
        guard isText else { return }
        message.append(contentsOf: bytes)
        let accepted = validator.validate(bytes)
        precondition(!(rejected && accepted), "UTF8Validator recovered from a failure")
        if !accepted {
            rejected = true
            // What was rejected is not valid text as it stands (whether it
            // could have been completed into valid text, the end of the
            // message decides).
            precondition(!UTF8Reference.isValid(message), "UTF8Validator rejected valid UTF-8")
        } else if validator.isAtCharacterBoundary {
            precondition(UTF8Reference.isValid(message), "UTF8Validator accepted invalid UTF-8")
        }
    }

    /// At the end of the message's final frame.
    mutating func endMessage() {
        guard isText else { return }
        let valid = !rejected && validator.isAtCharacterBoundary
        precondition(valid == UTF8Reference.isValid(message), "UTF8Validator and the reference disagree on a message")
        isText = false
    }
}
