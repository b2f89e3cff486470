import CLibWebSockets
import WebSocketProtocol

/// The server side of HTTP: request heads, the WebSocket upgrade, request
/// bodies and the end of a transaction.
extension Connection {
    /// Seconds a client has to send a complete request head: a slow-header
    /// (one byte a second) client is dropped when it runs out.
    static let headTimeoutSeconds: Int32 = 10
    /// Seconds a request body may stall before the connection is dropped.
    static let bodyTimeoutSeconds: Int32 = 10
    /// Seconds the application has to start answering a request it took
    /// without answering (LWS_CALLBACK_HTTP or HTTP_BODY_COMPLETION returned
    /// 0): generous, since it may answer from a later callback or from
    /// outside (1.4 allowed 5), but an application that never answers must
    /// not keep the connection, and the requests pipelined behind, forever.
    static let answerTimeoutSeconds: Int32 = 30

    static let webSocketGUID: StaticString = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// The HTTP exchange, made when HTTP first needs it. Paths that run
    /// in any state (sending, closing) read `exchange` instead, so that a
    /// WebSocket connection never makes one again.
    var http: HTTPExchange {
        if let exchange { return exchange }
        let fresh = HTTPExchange()
        exchange = fresh
        return fresh
    }

    /// HTTP is over for this connection: the session is established, or
    /// the connection is closing.
    func endHTTPExchange() {
        exchange = nil
    }

    func beginHTTPRequest() {
        state = .awaitingHTTPHead
        http.headParser = Boxed(HTTPHeadParser(mode: .request, limits: context.tokenLimits))
        http.headers = nil
        http.answerStarted = false
        setTimeout(reason: Int32(PENDING_TIMEOUT_HTTP_CONTENT.rawValue), seconds: Connection.headTimeoutSeconds)
    }

    /// The request waits for the application's answer: it has
    /// `answerTimeoutSeconds` to start it (or to arm a timeout of its own).
    private func awaitAnswer() {
        guard state == .httpResponding, !http.answerStarted else { return }
        setTimeout(reason: Int32(PENDING_TIMEOUT_HTTP_CONTENT.rawValue), seconds: Connection.answerTimeoutSeconds)
        http.answerTimeoutArmed = true
    }

    /// The application wrote the first bytes of its answer: from here on it
    /// drives the connection, so the answer timeout, if still ours, ends.
    func noteAnswerStarted() {
        guard state == .httpResponding || state == .readingHTTPBody, !http.answerStarted else { return }
        http.answerStarted = true
        if http.answerTimeoutArmed { setTimeout(reason: 0, seconds: 0) }
    }

    func consumeHTTPHead(_ bytes: UnsafeMutableRawBufferPointer) -> Int {
        guard let parser = http.headParser else { return bytes.count }
        let result = parser.contents.parse(UnsafeRawBufferPointer(bytes))
        switch result {
        case .needMoreData:
            return bytes.count
        case .failed(let error):
            Log.note("fd \(fd): bad request head, answering \(error.status)")
            respondAndClose(status: error.status)
            return bytes.count
        case .complete(let consumed):
            setTimeout(reason: 0, seconds: 0)
            handleRequestHead()
            return consumed
        }
    }

    private func handleRequestHead() {
        guard let parser = http.headParser?.contents else { return }
        http.headers = Boxed(parser.headers)
        http.headParser = nil
        http.versionMinor = parser.version.minor
        let table = parser.headers
        let connectionHeader = table.value(of: HeaderToken.connection) ?? []
        let upgradeHeader = table.value(of: HeaderToken.upgrade) ?? []
        if listContainsToken(upgradeHeader, "websocket") && listContainsToken(connectionHeader, "upgrade") {
            upgradeToWebSocket(parser)
        } else {
            http.keepAlive = parser.version.minor >= 1 && !listContainsToken(connectionHeader, "close")
                || parser.version.minor == 0 && listContainsToken(connectionHeader, "keep-alive")
            serveHTTPRequest(parser)
        }
    }

    // MARK: Plain HTTP

    private func serveHTTPRequest(_ parser: HTTPHeadParser) {
        guard let method = parser.method else {
            respondAndClose(status: 501)
            return
        }
        // RFC 7230 section 5.4: an HTTP/1.1 request without Host gets 400
        // (HTTP/1.0 predates the header).
        if parser.version.minor >= 1 && !parser.headers.isPresent(HeaderToken.host) {
            Log.note("fd \(fd): HTTP/1.1 request without Host, answering 400")
            respondAndClose(status: 400)
            return
        }
        if parser.pathEscapesRoot {
            Log.note("fd \(fd): request path escapes the root, answering 403")
            respondAndClose(status: 403)
            return
        }
        if parser.isChunked {
            Log.note("fd \(fd): chunked request body not supported, answering 501")
            respondAndClose(status: 501)
            return
        }
        http.sawRequest = true
        state = .httpResponding
        protocolIndex = 0
        guard userData != nil || allocateUserData(context.protocols[0].per_session_data_size) else {
            respondAndClose(status: 500)
            return
        }
        var uri = Array(http.headers?.contents.value(of: method.uriToken) ?? [])
        let uriLength = uri.count
        uri.append(0)
        let refused = uri.withUnsafeMutableBytes { raw in
            callUser(LWS_CALLBACK_FILTER_HTTP_CONNECTION, raw.baseAddress, uriLength)
        }
        if refused != 0 {
            Log.information("fd \(fd): HTTP request refused by FILTER_HTTP_CONNECTION")
            respondAndClose(status: 403)
            return
        }
        http.bodyRemaining = parser.contentLength ?? 0
        let closeNow = uri.withUnsafeMutableBytes { raw in
            callUser(LWS_CALLBACK_HTTP, raw.baseAddress, uriLength)
        }
        if closeNow != 0 {
            requestClose()
            return
        }
        guard http.bodyRemaining > 0 && state == .httpResponding else {
            awaitAnswer()
            return
        }
        state = .readingHTTPBody
        setTimeout(reason: Int32(PENDING_TIMEOUT_HTTP_CONTENT.rawValue), seconds: Connection.bodyTimeoutSeconds)
        // RFC 7231 section 5.1.1: a client that sent "Expect: 100-continue"
        // holds its body back until told to go on (curl waits a second).
        // It is told only now, once the application has taken the request
        // without answering it, so a refusal never invites the body.
        if http.versionMinor >= 1, let expect = parser.headers.value(of: HeaderToken.expect),
           listContainsToken(expect, "100-continue") {
            let goOn: StaticString = "HTTP/1.1 100 Continue\r\n\r\n"
            sendRaw(UnsafeRawBufferPointer(start: goOn.utf8Start, count: goOn.utf8CodeUnitCount))
        }
    }

    func consumeHTTPBody(_ bytes: UnsafeMutableRawBufferPointer) -> Int {
        let n = Int(min(UInt64(bytes.count), http.bodyRemaining))
        http.bodyRemaining -= UInt64(n)
        setTimeout(reason: Int32(PENDING_TIMEOUT_HTTP_CONTENT.rawValue), seconds: Connection.bodyTimeoutSeconds)
        if callUser(LWS_CALLBACK_HTTP_BODY, bytes.baseAddress, n) != 0 {
            requestClose()
            return bytes.count
        }
        if http.bodyRemaining == 0 && state == .readingHTTPBody {
            setTimeout(reason: 0, seconds: 0)
            state = .httpResponding
            if callUser(LWS_CALLBACK_HTTP_BODY_COMPLETION) != 0 {
                requestClose()
                return bytes.count
            }
            awaitAnswer()
        }
        return n
    }

    /// `lws_http_transaction_completed`: 1 when the connection must close
    /// (HTTP/1.0 without keep-alive, or `Connection: close`, or a request
    /// body the application answered without reading to its end); otherwise
    /// the connection waits for its next request and 0 is returned.
    ///
    /// The unread rest of a body must never be parsed as the next request:
    /// a body that looks like a request would be smuggled past whatever
    /// front end framed it as a body.
    func completeHTTPTransaction() -> Int32 {
        guard http.keepAlive, http.bodyRemaining == 0, state != .dead, !muted else { return 1 }
        if let transfer = http.fileTransfer {
            transfer.close()
            http.fileTransfer = nil
        }
        beginHTTPRequest()
        inputMayResume()
        return 0
    }

    // MARK: Responses of our own

    /// Answers with a status and a small HTML body, then closes (after the
    /// answer has been flushed).
    func respondAndClose(status: Int, extraHeaders: StaticString = "") {
        http.keepAlive = false
        sendStatusResponse(status: status, body: nil, extraHeaders: extraHeaders)
        close(.httpError)
    }

    func sendStatusResponse(status: Int, body: UnsafePointer<CChar>?, extraHeaders: StaticString) {
        noteAnswerStarted()
        var html: [UInt8] = []
        html.append("<html><head><title>")
        html.appendDecimal(status)
        html.append("</title></head><body><h1>")
        html.appendDecimal(status)
        html.append(" ")
        html.append(HTTPStatus.reasonPhrase(status))
        html.append("</h1>")
        if let body {
            html.append(contentsOf: UnsafeRawBufferPointer(start: body, count: strlen(body)))
        }
        html.append("</body></html>")
        var head: [UInt8] = []
        appendStatusLine(status, to: &head)
        head.append("Server: libwebsockets\r\nContent-Type: text/html\r\nContent-Length: ")
        head.appendDecimal(html.count)
        head.appendCRLF()
        appendConnectionHeader(to: &head)
        head.append(extraHeaders)
        head.appendCRLF()
        head.append(contentsOf: html)
        head.withUnsafeBytes { sendRaw($0) }
    }

    /// Tells the client what becomes of the connection after this response:
    /// "close" when it ends, "keep-alive" when an HTTP/1.0 client asked to
    /// keep it (for 1.0 persistence must be announced, RFC 7230 section
    /// 6.3), nothing for HTTP/1.1, which is persistent by default.
    func appendConnectionHeader(to head: inout [UInt8]) {
        if !http.keepAlive {
            head.append("Connection: close\r\n")
        } else if http.versionMinor == 0 {
            head.append("Connection: keep-alive\r\n")
        }
    }

    func appendStatusLine(_ status: Int, to head: inout [UInt8]) {
        head.append(http.versionMinor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        head.appendDecimal(status)
        head.append(" ")
        head.append(HTTPStatus.reasonPhrase(status))
        head.appendCRLF()
    }

    // MARK: WebSocket upgrade

    /// RFC 6455 4.2: validates the opening handshake, chooses the protocol,
    /// lets the application filter it, answers 101 and enters the session.
    private func upgradeToWebSocket(_ parser: HTTPHeadParser) {
        guard let table = http.headers?.contents else { return }
        guard parser.method == .get, parser.version.major == 1, parser.version.minor >= 1 else {
            Log.note("fd \(fd): upgrade request is not GET over HTTP/1.1, answering 400")
            respondAndClose(status: 400)
            return
        }
        guard table.isPresent(HeaderToken.host) else {
            Log.note("fd \(fd): upgrade request without Host, answering 400")
            respondAndClose(status: 400)
            return
        }
        let version = table.value(of: HeaderToken.version) ?? []
        guard version.elementsEqual([UInt8(ascii: "1"), UInt8(ascii: "3")]) else {
            Log.note("fd \(fd): unsupported WebSocket version, answering 426")
            respondAndClose(status: 426, extraHeaders: "Sec-WebSocket-Version: 13\r\n")
            return
        }
        guard let key = table.value(of: HeaderToken.key), Connection.isValidKey(key) else {
            Log.note("fd \(fd): missing or malformed Sec-WebSocket-Key, answering 400")
            respondAndClose(status: 400)
            return
        }
        let requested = table.value(of: HeaderToken.webSocketProtocol)
        guard let chosen = chooseProtocol(requested) else {
            Log.note("fd \(fd): no offered subprotocol is served here, answering 400")
            respondAndClose(status: 400)
            return
        }
        if userData != nil { releaseUserData() }
        protocolIndex = chosen
        guard allocateUserData(protocolPointer.pointee.per_session_data_size) else {
            respondAndClose(status: 500)
            return
        }
        let name = UnsafeMutableRawPointer(mutating: protocolPointer.pointee.name)
        let nameLength = protocolPointer.pointee.name.map { strlen($0) } ?? 0
        if callUser(LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION, name, nameLength) != 0 {
            Log.information("fd \(fd): upgrade refused by FILTER_PROTOCOL_CONNECTION")
            respondAndClose(status: 403)
            return
        }
        let acceptedExtensions = negotiateServerExtensions(table.value(of: HeaderToken.extensions))
        var response: [UInt8] = []
        response.append("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ")
        response.append(contentsOf: Connection.acceptValue(for: key))
        response.appendCRLF()
        if requested != nil, let protocolName = protocolPointer.pointee.name {
            response.append("Sec-WebSocket-Protocol: ")
            response.append(contentsOf: UnsafeRawBufferPointer(start: protocolName, count: strlen(protocolName)))
            response.appendCRLF()
        }
        if let acceptedExtensions {
            response.append("Sec-WebSocket-Extensions: ")
            response.append(contentsOf: acceptedExtensions)
            response.appendCRLF()
        }
        response.appendCRLF()
        response.withUnsafeBytes { sendRaw($0) }
        state = .webSocket
        context.protocolMembers[protocolIndex].insert(self)
        announceEstablishedToExtensions()
        if callUser(LWS_CALLBACK_ESTABLISHED) != 0 {
            requestClose()
        }
        // The request headers are no longer needed once ESTABLISHED has seen them.
        endHTTPExchange()
    }

    /// The first protocol in the client's list that we serve; protocols[0]
    /// when the client asked for none; nil when it asked only for others.
    private func chooseProtocol(_ requested: ArraySlice<UInt8>?) -> Int? {
        guard let requested else { return 0 }
        return context.firstServedProtocol(in: requested)
    }

    /// A key is the base64 of 16 bytes: 24 characters ending in "==".
    static func isValidKey(_ key: ArraySlice<UInt8>) -> Bool {
        guard key.count == 24 else { return false }
        var decoded = [UInt8](repeating: 0, count: 20)
        let n = Array(key).withUnsafeBytes { input in
            decoded.withUnsafeMutableBytes { Base64.decode(input, into: $0) }
        }
        return n == 16
    }

    /// Sec-WebSocket-Accept: base64(SHA-1(key + GUID)).
    static func acceptValue(for key: ArraySlice<UInt8>) -> [UInt8] {
        var sha = SHA1()
        Array(key).withUnsafeBytes { sha.update($0) }
        webSocketGUID.withUTF8Buffer { sha.update(UnsafeRawBufferPointer($0)) }
        return Base64.encode(sha.finalize())
    }
}

extension Context {
    /// The index of the protocol whose name equals `name` exactly.
    func protocolIndex(named name: ArraySlice<UInt8>) -> Int? {
        for i in 0..<protocolCount {
            guard let candidate = protocols[i].name else { continue }
            let length = strlen(candidate)
            guard length == name.count else { continue }
            if name.withUnsafeBytes({ memcmp($0.baseAddress!, candidate, length) }) == 0 { return i }
        }
        return nil
    }
}
