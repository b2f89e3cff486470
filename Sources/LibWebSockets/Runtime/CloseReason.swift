import WebSocketProtocol

/// Why a connection is being closed, which decides the close frame an open
/// WebSocket still sends its peer (`Connection.sendCloseFrame`).
///
/// The outcomes that have no close frame are cases of their own rather than
/// close codes: RFC 6455 7.4.1 keeps 1006 for local reporting only, and a
/// number passed along as if it were a code once reached the frame builder.
enum CloseReason: Equatable {
    /// An open WebSocket sends a close frame with this code. A code that may
    /// not go on the wire (1005, the peer's close frame carried none) gives
    /// a close frame without a code. Any other connection simply closes.
    case webSocket(CloseCode)
    /// The transport failed (a send error, no randomness for a masking key):
    /// no close frame can go out any more, so none is attempted. This is
    /// what RFC 6455 calls 1006.
    case abnormal
    /// We answered an HTTP request (or refused its upgrade) with an error
    /// status of our own: there is no WebSocket to send a close frame on.
    case httpError
}
