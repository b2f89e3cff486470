import WebSocketCompression

/// permessage-deflate parameters chosen by one input byte. Window sizes
/// include values outside 8...15, which negotiation must clamp rather than
/// put in a header.
enum NegotiationSetup {
    private static let windowBits = [15, 8, 9, 10, 12, 14, 0, 99]

    /// Bit 0: server_no_context_takeover; bit 1: client_no_context_takeover;
    /// bits 2-4 and 5-7: the server's and the client's window bits.
    static func parameters(_ byte: UInt8) -> PerMessageDeflateParameters {
        PerMessageDeflateParameters(serverNoContextTakeover: byte & 1 != 0, clientNoContextTakeover: byte & 2 != 0,
                                    serverMaxWindowBits: windowBits[Int(byte >> 2 & 7)],
                                    clientMaxWindowBits: windowBits[Int(byte >> 5 & 7)])
    }
}
