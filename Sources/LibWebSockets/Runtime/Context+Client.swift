import CLibWebSockets

extension Context {
    /// `libwebsocket_client_connect_extended`: validates the arguments,
    /// resolves the address (the proxy's, when one is set), and starts a
    /// non-blocking connect. nil (with a log line) for anything that fails
    /// at once; later failures arrive as CLIENT_CONNECTION_ERROR.
    func connectClient(address: UnsafePointer<CChar>, port: Int32, ssl: Int32, path: UnsafePointer<CChar>?,
                       host: UnsafePointer<CChar>?, origin: UnsafePointer<CChar>?,
                       protocols: UnsafePointer<CChar>?, ietfVersion: Int32,
                       userData: UnsafeMutableRawPointer?) -> Connection? {
        guard ietfVersion == -1 || ietfVersion == 13 else {
            Log.error("client_connect: unsupported protocol version \(ietfVersion) (only 13, RFC 6455)")
            return nil
        }
        guard port > 0 && port <= 65535 else {
            Log.error("client_connect: invalid port \(port)")
            return nil
        }
        guard ssl >= 0 && ssl <= 2 else {
            Log.error("client_connect: invalid ssl_connection \(ssl)")
            return nil
        }
        if ssl != 0 && tls.clientContext(self) == nil {
            Log.error("client_connect: TLS client context unavailable")
            return nil
        }
        let target = host.map { bytesOf($0) } ?? authorityHost(bytesOf(address))
        var proxyTarget: [UInt8]?
        let addresses: [SocketAddress]
        if let proxy {
            var hostPort = authorityHost(bytesOf(address))
            hostPort.append(UInt8(ascii: ":"))
            hostPort.appendDecimal(port)
            proxyTarget = hostPort
            addresses = proxy.host.withUnsafeBufferPointer { ClientRequest.resolve($0.baseAddress!, port: proxy.port) }
        } else {
            addresses = ClientRequest.resolve(address, port: UInt16(port))
        }
        guard let first = addresses.first else {
            Log.error("client_connect: cannot resolve \(cString: address)")
            return nil
        }
        guard let key = ClientRequest.makeKey() else {
            Log.error("client_connect: no randomness for Sec-WebSocket-Key")
            return nil
        }
        let fd = socket(first.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            Log.error("client_connect: socket failed, errno \(lws_c_errno())")
            return nil
        }
        let connection = Connection(context: self, fd: fd, role: .client)
        var hostHeader = target
        if host == nil && port != (ssl == 0 ? 80 : 443) {
            hostHeader.append(UInt8(ascii: ":"))
            hostHeader.appendDecimal(port)
        }
        connection.clientRequest = Boxed(ClientRequest(
            addresses: addresses, proxyTarget: proxyTarget,
            path: path.map { bytesOf($0) }.flatMap { $0.isEmpty ? nil : $0 } ?? [UInt8(ascii: "/")],
            host: hostHeader, origin: origin.map { bytesOf($0) },
            protocols: protocols.map { bytesOf($0) }.flatMap { $0.isEmpty ? nil : $0 },
            key: key, ssl: ssl, verifyName: bytesOf(address), userData: userData))
        if let userData {
            connection.userData = userData
            connection.ownsUserData = false
        }
        connection.protocolIndex = protocols.flatMap { firstServedProtocol(in: ArraySlice(bytesOf($0))) } ?? 0
        adopt(connection)
        callProtocol(0, connection, LWS_CALLBACK_WSI_CREATE, nil, nil, 0)
        connection.state = .clientConnecting
        guard connection.connectToNextAddress() else {
            Log.error("client_connect: connect to \(cString: address) failed, errno \(lws_c_errno())")
            connection.destroy()
            return nil
        }
        connection.pollEvents = Int16(POLLOUT)
        registerPoll(fd: fd, events: connection.pollEvents, connection: connection)
        return connection
    }

    /// The first entry of a comma-separated protocol list that this context
    /// serves: the server's choice from a client's list, and the protocol
    /// whose callback hears about a client connection until the server
    /// has chosen.
    func firstServedProtocol(in list: ArraySlice<UInt8>) -> Int? {
        firstListItem(list) { $0.isEmpty ? nil : protocolIndex(named: $0) }
    }

    /// The protocols[] entry a server's Sec-WebSocket-Protocol answer binds
    /// a client connection to. 1.4 programs may name an entry with a comma
    /// list ("dumb-increment-protocol,fake-nonexistant-protocol") and offer
    /// that string: an RFC server answers one name of it, a 1.4 server the
    /// whole list. So: the entry named exactly as answered, else the first
    /// entry whose comma-list name contains the answer, else (an answered
    /// list) the first served name in it.
    func clientProtocolIndex(answered: ArraySlice<UInt8>) -> Int? {
        if let exact = protocolIndex(named: answered) { return exact }
        for i in 0..<protocolCount {
            guard let name = protocols[i].name, strchr(name, Int32(UInt8(ascii: ","))) != nil else { continue }
            if listContainsItem(ArraySlice(bytesOf(name)), answered) { return i }
        }
        return firstServedProtocol(in: answered)
    }
}

/// A host as the host part of "host:port" (CONNECT target, Host header):
/// an IPv6 literal goes in brackets (RFC 3986 3.2.2), or its colons would
/// run into the port's.
func authorityHost(_ host: [UInt8]) -> [UInt8] {
    guard host.contains(UInt8(ascii: ":")), host.first != UInt8(ascii: "[") else { return host }
    return [UInt8(ascii: "[")] + host + [UInt8(ascii: "]")]
}

/// The bytes of a C string, without its NUL.
func bytesOf(_ text: UnsafePointer<CChar>) -> [UInt8] {
    Array(UnsafeRawBufferPointer(start: text, count: strlen(text)))
}
