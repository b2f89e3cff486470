/// The permessage-deflate settings of one connection (RFC 7692 section 7.1):
/// what the handshake agreed on or, as input to negotiation, what an
/// endpoint would like.
///
/// Each side's compressor follows its own pair of fields (`server…` for what
/// the server sends, `client…` for what the client sends) and the other
/// side's decompressor relies on them.
public struct PerMessageDeflateParameters: Hashable {
    /// Which end of the connection a codec runs on.
    public enum Role: Hashable {
        case server
        case client

        var peer: Role {
            self == .server ? .client : .server
        }
    }

    /// The window sizes RFC 7692 allows, as base-2 logarithms.
    public static let windowBitsRange = 8...15

    /// The server starts every message from an empty window.
    public var serverNoContextTakeover: Bool
    /// The client starts every message from an empty window.
    public var clientNoContextTakeover: Bool
    /// The largest LZ77 window the server's compressor uses, 8...15.
    public var serverMaxWindowBits: Int
    /// The largest LZ77 window the client's compressor uses, 8...15.
    public var clientMaxWindowBits: Int

    public init(serverNoContextTakeover: Bool = false, clientNoContextTakeover: Bool = false,
                serverMaxWindowBits: Int = 15, clientMaxWindowBits: Int = 15) {
        self.serverNoContextTakeover = serverNoContextTakeover
        self.clientNoContextTakeover = clientNoContextTakeover
        self.serverMaxWindowBits = serverMaxWindowBits
        self.clientMaxWindowBits = clientMaxWindowBits
    }

    /// The window of the compressor of the messages `sender` sends.
    public func maxWindowBits(of sender: Role) -> Int {
        sender == .server ? serverMaxWindowBits : clientMaxWindowBits
    }

    /// Whether the messages `sender` sends are compressed without context
    /// takeover.
    public func noContextTakeover(of sender: Role) -> Bool {
        sender == .server ? serverNoContextTakeover : clientNoContextTakeover
    }

    /// The same settings with both windows forced into 8...15, so a
    /// preference given out of range cannot reach a header.
    var clamped: PerMessageDeflateParameters {
        var result = self
        result.serverMaxWindowBits = min(max(serverMaxWindowBits, 8), 15)
        result.clientMaxWindowBits = min(max(clientMaxWindowBits, 8), 15)
        return result
    }
}
