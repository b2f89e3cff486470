import CLibWebSockets

/// The transport under a connection: the plain socket or TLS over it. One
/// code path above this for both, so every protocol feature works on ws://
/// and wss:// alike.
extension Connection {
    func transportReceive(into buffer: UnsafeMutableRawBufferPointer) -> Socket.IOResult {
        if let tls { return tls.receive(into: buffer) }
        return Socket.receive(fd, into: buffer)
    }

    func transportSend(_ bytes: UnsafeRawBufferPointer) -> Socket.IOResult {
        if let tls { return tls.send(bytes) }
        return Socket.send(fd, bytes)
    }

    /// Ends our direction: TLS close_notify first, then the TCP FIN.
    func halfClose() {
        tls?.shutdown()
        _ = shutdown(fd, Int32(SHUT_WR))
    }

    /// An accepted connection on a TLS port: straight into the handshake, or
    /// first a look at the first byte when plain clients are allowed too.
    func beginServerTLS(_ sslContext: OpaquePointer, allowPlain: Bool) {
        setTimeout(reason: Int32(PENDING_TIMEOUT_SSL_ACCEPT.rawValue), seconds: Connection.tlsAcceptTimeoutSeconds)
        if allowPlain {
            state = .sniffingTLS
            return
        }
        startServerHandshake(sslContext)
    }

    static let tlsAcceptTimeoutSeconds: Int32 = 10

    private func startServerHandshake(_ sslContext: OpaquePointer) {
        guard let socketBIO = context.tls.socketBIO,
              let session = TLSSession(context: sslContext, fd: fd, socketBIO: socketBIO, verification: 1) else {
            TLSError.log(Log.err, "TLS: cannot create a session")
            abandonBeforeHTTP()
            return
        }
        SSL_set_accept_state(session.ssl)
        tls = session
        state = .tlsHandshaking
    }

    /// A TLS record starts with content type 22 (handshake); anything else
    /// on a port that allows it is plain HTTP.
    func sniffTLS() {
        var first: UInt8 = 0
        let n = recv(fd, &first, 1, Int32(MSG_PEEK))
        if n == 0 || (n < 0 && lws_c_errno() != lws_c_EAGAIN() && lws_c_errno() != lws_c_EINTR()) {
            abandonBeforeHTTP()
            return
        }
        guard n == 1 else { return }
        if first == 22, let sslContext = context.tls.server {
            startServerHandshake(sslContext)
            advanceTLSHandshake()
        } else {
            Log.information("fd \(fd): plain client on the TLS port")
            beginHTTPRequest()
        }
    }

    /// Client side of wss://: SNI, and certificate plus host-name
    /// verification unless the application asked to accept any certificate
    /// (ssl_connection 2).
    func beginClientTLS(_ request: ClientRequest) {
        guard let sslContext = context.tls.clientContext(context), let socketBIO = context.tls.socketBIO,
              let session = TLSSession(context: sslContext, fd: fd, socketBIO: socketBIO,
                                       verification: request.ssl == 1 ? 1 : 2) else {
            failClientConnection("cannot set up TLS")
            return
        }
        SSL_set_connect_state(session.ssl)
        var name = request.verifyName.map { CChar(bitPattern: $0) }
        name.append(0)
        let isLiteral = name.withUnsafeBufferPointer { SocketAddress.literal($0.baseAddress!, port: 0) != nil }
        name.withUnsafeBufferPointer { buffer in
            if !isLiteral { _ = lws_c_ssl_set_sni(session.ssl, buffer.baseAddress) }
            if request.ssl == 1 {
                SSL_set_verify(session.ssl, SSL_VERIFY_PEER, nil)
                if isLiteral {
                    _ = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(session.ssl), buffer.baseAddress)
                } else {
                    _ = SSL_set1_host(session.ssl, buffer.baseAddress)
                }
            } else {
                SSL_set_verify(session.ssl, SSL_VERIFY_NONE, nil)
            }
        }
        tls = session
        state = .tlsHandshaking
        setTimeout(reason: Int32(PENDING_TIMEOUT_ESTABLISH_WITH_SERVER.rawValue), seconds: ClientRequest.handshakeTimeout)
        advanceTLSHandshake()
    }

    /// Drives the handshake on readiness; when it completes the server
    /// starts reading its HTTP request and the client sends its handshake.
    func advanceTLSHandshake() {
        guard let session = tls else { return }
        switch session.handshake() {
        case .done:
            setTimeout(reason: 0, seconds: 0)
            if role == .server {
                beginHTTPRequest()
                updatePoll()
                // The client may have sent its request with the handshake.
                if session.hasBufferedInput { handleReadable() }
            } else {
                sendClientHandshake()
            }
        case .wantRead, .wantWrite:
            updatePoll()
        case .failed:
            if role == .client {
                TLSError.log(Log.notice, "TLS: handshake with the server failed")
                if let reason = session.verifyResultText() {
                    Log.note("TLS: certificate verification: \(cString: reason)")
                }
                failClientConnection("TLS handshake failed")
            } else {
                TLSError.log(Log.info, "TLS: handshake with a client failed")
                abandonBeforeHTTP()
            }
        }
    }

    /// Drops a server connection that never reached HTTP (TLS failure, a
    /// client that left): the application has seen nothing of it but
    /// WSI_CREATE, so it only gets WSI_DESTROY.
    func abandonBeforeHTTP() {
        tls = nil
        destroy()
    }
}
