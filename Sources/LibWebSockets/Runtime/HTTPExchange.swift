import WebSocketProtocol

/// The HTTP exchange: the head being parsed and its headers (a server's
/// request; a client's proxy and handshake responses), and what a server
/// needs while answering a plain HTTP request (the body still to read,
/// keep-alive, the answer's progress, a file being served). Used from
/// accept (or connect) until the WebSocket session is established, the
/// keep-alive connection's next request, or the close; the headers stay
/// until ESTABLISHED has seen them.
///
/// A reference the connection holds only while it is in HTTP
/// (`Connection.exchange`): made on first use, dropped once the WebSocket
/// session is established or the connection closes. Inline, its 48 bytes
/// were carried by every idle WebSocket connection.
final class HTTPExchange {
    var headParser: Boxed<HTTPHeadParser>?
    var headers: Boxed<HTTPHeaderTable>?
    /// libwebsockets_serve_http_file's file, until it is all sent.
    var fileTransfer: FileTransfer?
    /// Request body bytes not yet read (HTTP_BODY).
    var bodyRemaining: UInt64 = 0
    /// The request's HTTP/1.x minor version, which the answer repeats.
    var versionMinor = 1
    /// The connection outlives the current request (HTTP/1.1 without
    /// `Connection: close`, or HTTP/1.0 asking for keep-alive).
    var keepAlive = false
    /// A plain HTTP request reached the application: its close is CLOSED_HTTP.
    var sawRequest = false
    /// The application has written part of its answer to the current request.
    var answerStarted = false
    /// The pending timeout is the one for an answer not yet started.
    var answerTimeoutArmed = false
}
