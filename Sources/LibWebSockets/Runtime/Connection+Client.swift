import CLibWebSockets
import WebSocketProtocol

/// The client role: connect (directly or through an HTTP proxy), the opening
/// handshake, and its verification. After the 101 the connection shares the
/// whole frame, write and close machinery with the server role.
extension Connection {
    var isClientHandshaking: Bool {
        role == .client && (state == .clientConnecting || state == .clientAwaitingProxy
            || state == .clientAwaitingHandshake || state == .tlsHandshaking)
    }

    /// Starts the non-blocking connect to the next address; false when no
    /// address could even be tried (the caller then fails the connection).
    func connectToNextAddress() -> Bool {
        guard let request = clientRequest else { return false }
        while request.contents.nextAddress < request.contents.addresses.count {
            let address = request.contents.addresses[request.contents.nextAddress]
            request.contents.nextAddress += 1
            let result = address.withSockaddr { connect(fd, $0, $1) }
            if result == 0 || lws_c_errno() == lws_c_EINPROGRESS() {
                state = .clientConnecting
                setTimeout(reason: Int32(PENDING_TIMEOUT_AWAITING_CONNECT_RESPONSE.rawValue), seconds: ClientRequest.connectTimeout)
                return true
            }
            Log.information("client fd \(fd): connect failed at once, errno \(lws_c_errno())")
            return false
        }
        return false
    }

    /// POLLOUT while connecting: the connect finished, one way or the other.
    func clientConnectCompleted() {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        if error != 0 {
            if retryWithNextAddress() { return }
            failClientConnection("connect failed")
            return
        }
        Socket.configureConnection(fd, keepalive: context.keepalive)
        if let target = clientRequest?.contents.proxyTarget {
            sendProxyConnect(target)
            return
        }
        startClientSession()
    }

    /// After TCP (and the proxy tunnel, if any): TLS first for wss://, then
    /// the WebSocket handshake.
    func startClientSession() {
        if let request = clientRequest?.contents, request.ssl != 0 {
            beginClientTLS(request)
            return
        }
        sendClientHandshake()
    }

    private func sendProxyConnect(_ target: [UInt8]) {
        var request: [UInt8] = []
        request.append("CONNECT ")
        request.append(contentsOf: target)
        request.append(" HTTP/1.1\r\nHost: ")
        request.append(contentsOf: target)
        request.append("\r\n\r\n")
        state = .clientAwaitingProxy
        http.headParser = Boxed(HTTPHeadParser(mode: .response, limits: context.tokenLimits))
        setTimeout(reason: Int32(PENDING_TIMEOUT_AWAITING_PROXY_RESPONSE.rawValue), seconds: ClientRequest.proxyTimeout)
        request.withUnsafeBytes { sendRaw($0) }
        updatePoll()
    }

    /// A connect that failed asynchronously moves on to the next resolved
    /// address on a fresh socket; the wsi the application holds stays the
    /// same object, so only the fd changes hands inside the context.
    private func retryWithNextAddress() -> Bool {
        guard let request = clientRequest?.contents, request.nextAddress < request.addresses.count else { return false }
        let next = request.addresses[request.nextAddress]
        let replacement = socket(next.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard replacement >= 0 else { return false }
        guard dup2(replacement, fd) == fd else {
            Socket.close(replacement)
            return false
        }
        Socket.close(replacement)
        // dup2 replaced the socket behind our fd: re-register it with epoll.
        var event = epoll_event()
        _ = epoll_ctl(context.epollFd, EPOLL_CTL_DEL, fd, &event)
        _ = context.epollControl(EPOLL_CTL_ADD, fd: fd, events: pollEvents, connection: self)
        return connectToNextAddress()
    }

    /// The proxy's answer to CONNECT: a 2xx opens the tunnel.
    func consumeProxyResponse(_ bytes: UnsafeMutableRawBufferPointer) -> Int {
        guard let parser = http.headParser else { return bytes.count }
        switch parser.contents.parse(UnsafeRawBufferPointer(bytes)) {
        case .needMoreData:
            return bytes.count
        case .failed:
            failClientConnection("malformed proxy response")
            return bytes.count
        case .complete(let consumed):
            let status = parser.contents.statusCode
            http.headParser = nil
            guard status >= 200 && status < 300 else {
                Log.note("client fd \(fd): proxy answered \(status) to CONNECT")
                failClientConnection("proxy refused CONNECT")
                return bytes.count
            }
            startClientSession()
            return consumed
        }
    }

    /// Builds and sends the RFC 6455 opening handshake, letting protocols[0]
    /// append headers through CLIENT_APPEND_HANDSHAKE_HEADER.
    func sendClientHandshake() {
        guard let request = clientRequest?.contents else { return }
        var head: [UInt8] = []
        head.append("GET ")
        head.append(contentsOf: request.path)
        head.append(" HTTP/1.1\r\nPragma: no-cache\r\nCache-Control: no-cache\r\nHost: ")
        head.append(contentsOf: request.host)
        head.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ")
        head.append(contentsOf: request.key)
        head.appendCRLF()
        if let origin = request.origin {
            head.append("Origin: ")
            head.append(contentsOf: origin)
            head.appendCRLF()
        }
        if let protocols = request.protocols {
            head.append("Sec-WebSocket-Protocol: ")
            head.append(contentsOf: protocols)
            head.appendCRLF()
        }
        if let offer = clientExtensionOffer() {
            head.append("Sec-WebSocket-Extensions: ")
            head.append(contentsOf: offer)
            head.appendCRLF()
        }
        head.append("Sec-WebSocket-Version: 13\r\n")
        appendApplicationHeaders(&head)
        head.appendCRLF()
        state = .clientAwaitingHandshake
        http.headParser = Boxed(HTTPHeadParser(mode: .response, limits: context.tokenLimits))
        setTimeout(reason: Int32(PENDING_TIMEOUT_AWAITING_SERVER_RESPONSE.rawValue), seconds: ClientRequest.handshakeTimeout)
        head.withUnsafeBytes { sendRaw($0) }
        updatePoll()
    }

    /// Gives protocols[0] a `char **` cursor into a scratch buffer and the
    /// room left, exactly as the seed's example expects, and keeps what it
    /// wrote (if it stayed inside the buffer).
    private func appendApplicationHeaders(_ head: inout [UInt8]) {
        let room = 2048
        var scratch = [CChar](repeating: 0, count: room + 1)
        let written: Int = scratch.withUnsafeMutableBufferPointer { buffer in
            let start = buffer.baseAddress!
            var cursor: UnsafeMutablePointer<CChar>? = start
            let refused = withUnsafeMutablePointer(to: &cursor) { cursorPointer in
                context.callProtocol(0, self, LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER, nil,
                                     UnsafeMutableRawPointer(cursorPointer), room)
            }
            guard refused == 0, let end = cursor, end >= start, end - start <= room else { return 0 }
            return end - start
        }
        if written > 0 {
            scratch.withUnsafeBytes { head.append(contentsOf: $0[0..<written]) }
        }
    }

    /// The server's answer: 101, the upgrade headers, the accept key and a
    /// subprotocol we offered. Anything else fails the connection.
    func consumeHandshakeResponse(_ bytes: UnsafeMutableRawBufferPointer) -> Int {
        guard let box = http.headParser else { return bytes.count }
        switch box.contents.parse(UnsafeRawBufferPointer(bytes)) {
        case .needMoreData:
            return bytes.count
        case .failed:
            failClientConnection("malformed handshake response")
            return bytes.count
        case .complete(let consumed):
            setTimeout(reason: 0, seconds: 0)
            let parser = box.contents
            guard let request = clientRequest?.contents else { return bytes.count }
            http.headParser = nil
            http.headers = Boxed(parser.headers)
            recordClientTokens(request)
            if let problem = verifyHandshake(parser, request) {
                Log.note("client fd \(fd): handshake rejected: \(problem)")
                failClientConnection(problem)
                return bytes.count
            }
            establishClient(request)
            return consumed
        }
    }

    /// The values the 1.4 API exposes about our own request through
    /// lws_hdr_* (_WSI_TOKEN_CLIENT_*).
    private func recordClientTokens(_ request: ClientRequest) {
        http.headers?.contents.set(HeaderToken.clientSentProtocols, request.protocols ?? [])
        http.headers?.contents.set(HeaderToken.clientURI, request.path)
        http.headers?.contents.set(HeaderToken.clientHost, request.host)
        if let origin = request.origin { http.headers?.contents.set(HeaderToken.clientOrigin, origin) }
        if let first = request.addresses.first {
            var numeric = first.numericHost().map { UInt8(bitPattern: $0) }
            if let nul = numeric.firstIndex(of: 0) { numeric.removeSubrange(nul...) }
            http.headers?.contents.set(HeaderToken.clientPeerAddress, numeric)
        }
    }

    private func verifyHandshake(_ parser: HTTPHeadParser, _ request: ClientRequest) -> StaticString? {
        guard parser.statusCode == 101 else { return "server did not answer 101" }
        let table = parser.headers
        guard listContainsToken(table.value(of: HeaderToken.upgrade) ?? [], "websocket") else {
            return "missing Upgrade: websocket"
        }
        guard listContainsToken(table.value(of: HeaderToken.connection) ?? [], "upgrade") else {
            return "missing Connection: Upgrade"
        }
        guard let accept = table.value(of: HeaderToken.accept),
              accept.elementsEqual(Connection.acceptValue(for: ArraySlice(request.key))) else {
            return "bad Sec-WebSocket-Accept"
        }
        let chosen = table.value(of: HeaderToken.webSocketProtocol)
        guard let offered = request.protocols else {
            if chosen != nil { return "server chose a subprotocol we did not offer" }
            return acceptServerExtensions(table.value(of: HeaderToken.extensions))
        }
        guard let chosen else { return "server chose no subprotocol" }
        // RFC servers answer one name from the list; 1.4 servers echoed the
        // whole list a 1.4 client offered ("a,b"), byte for byte.
        let echoedWholeOffer = chosen.elementsEqual(offered)
        guard echoedWholeOffer || listContainsItem(ArraySlice(offered), chosen) else {
            return "server chose a subprotocol we did not offer"
        }
        guard let index = context.clientProtocolIndex(answered: chosen) else {
            return "server chose a subprotocol this context does not serve"
        }
        protocolIndex = index
        return acceptServerExtensions(table.value(of: HeaderToken.extensions))
    }

    /// Enters the WebSocket session: per-session data for the chosen
    /// protocol (unless the application supplied its own), FILTER_PRE_ESTABLISH,
    /// then CLIENT_ESTABLISHED.
    private func establishClient(_ request: ClientRequest) {
        if request.userData == nil && !allocateUserData(protocolPointer.pointee.per_session_data_size) {
            failClientConnection("no memory for per-session data")
            return
        }
        if callUser(LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH) != 0 {
            failClientConnection("refused by CLIENT_FILTER_PRE_ESTABLISH")
            return
        }
        clientRequest = nil
        endHTTPExchange()
        state = .webSocket
        context.protocolMembers[protocolIndex].insert(self)
        announceEstablishedToExtensions()
        if callUser(LWS_CALLBACK_CLIENT_ESTABLISHED) != 0 {
            requestClose()
        }
    }

    /// CLIENT_CONNECTION_ERROR exactly once, then the connection is freed.
    /// `in` carries a short reason (NUL-terminated; 1.4 passed NULL, so
    /// applications that ignore it are unaffected).
    func failClientConnection(_ why: StaticString) {
        guard state != .dead, !muted else { return }
        Log.note("client fd \(fd): connection failed: \(why)")
        muted = true
        clientRequest = nil
        exchange?.headParser = nil
        var reason: [UInt8] = []
        reason.append(why)
        let length = reason.count
        reason.append(0)
        reason.withUnsafeMutableBytes { raw in
            _ = callUser(LWS_CALLBACK_CLIENT_CONNECTION_ERROR, raw.baseAddress, length)
        }
        destroyExtensions()
        releaseUserData()
        endHTTPExchange()
        destroy()
    }
}

/// Whether a comma-separated list contains `item` exactly (trimmed).
func listContainsItem(_ list: ArraySlice<UInt8>, _ item: ArraySlice<UInt8>) -> Bool {
    firstListItem(list) { $0.elementsEqual(item) ? true : nil } ?? false
}
