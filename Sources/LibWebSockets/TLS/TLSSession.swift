import CLibWebSockets

/// One connection's TLS state over a non-blocking socket.
///
/// Every call may want the other direction (a read that must write during a
/// handshake or key update, a write that must read): the result says which,
/// and the connection polls for it.
final class TLSSession {
    enum Progress {
        case done
        case wantRead
        case wantWrite
        case failed
    }

    let ssl: OpaquePointer
    /// lws_is_ssl's answer: 1 for a verified (or server-side) session, 2 for
    /// a client that was told to skip verification.
    let verification: Int32
    /// The last operation stopped because it needs the socket writable.
    var wantsWrite = false
    /// Keeps the BIO method alive as long as the SSL's BIO uses it.
    private let socketBIO: SocketBIO

    init?(context sslContext: OpaquePointer, fd: Int32, socketBIO: SocketBIO, verification: Int32) {
        guard let ssl = SSL_new(sslContext) else { return nil }
        guard let bio = socketBIO.make(fd: fd) else {
            SSL_free(ssl)
            return nil
        }
        SSL_set_bio(ssl, bio, bio)
        self.ssl = ssl
        self.socketBIO = socketBIO
        self.verification = verification
    }

    deinit {
        SSL_free(ssl)
    }

    /// Advances the handshake (SSL_accept or SSL_connect as set up).
    func handshake() -> Progress {
        TLSError.clear()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            wantsWrite = false
            return .done
        }
        return progress(after: result)
    }

    private func progress(after result: Int32) -> Progress {
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ:
            wantsWrite = false
            return .wantRead
        case SSL_ERROR_WANT_WRITE:
            wantsWrite = true
            return .wantWrite
        default:
            return .failed
        }
    }

    func receive(into buffer: UnsafeMutableRawBufferPointer) -> Socket.IOResult {
        TLSError.clear()
        let n = SSL_read(ssl, buffer.baseAddress, Int32(min(buffer.count, Int(Int32.max))))
        if n > 0 {
            wantsWrite = false
            return .transferred(Int(n))
        }
        let error = SSL_get_error(ssl, n)
        switch error {
        case SSL_ERROR_WANT_READ:
            wantsWrite = false
            return .wouldBlock
        case SSL_ERROR_WANT_WRITE:
            wantsWrite = true
            return .wouldBlock
        case SSL_ERROR_ZERO_RETURN:
            return .closed
        case SSL_ERROR_SSL:
            // TCP closed without close_notify: OpenSSL 3 calls it an error,
            // but it is just the peer leaving.
            if ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING {
                TLSError.clear()
                return .closed
            }
            // A fatal alert from the peer (e.g. TLS 1.3's "certificate
            // required", which a client only learns after its handshake
            // completed) or a corrupt record: this is where its reason is.
            TLSError.log(Log.notice, "TLS: read failed")
            return .failed(error)
        default:
            return .failed(error)
        }
    }

    func send(_ bytes: UnsafeRawBufferPointer) -> Socket.IOResult {
        guard bytes.count > 0 else { return .transferred(0) }
        TLSError.clear()
        let n = SSL_write(ssl, bytes.baseAddress, Int32(min(bytes.count, Int(Int32.max))))
        if n > 0 {
            wantsWrite = false
            return .transferred(Int(n))
        }
        let error = SSL_get_error(ssl, n)
        switch error {
        case SSL_ERROR_WANT_WRITE:
            wantsWrite = true
            return .wouldBlock
        case SSL_ERROR_WANT_READ:
            return .wouldBlock
        default:
            return .failed(error)
        }
    }

    /// Input already inside OpenSSL: epoll cannot see it, so the reader must
    /// drain it before waiting again. SSL_has_pending, not SSL_pending: with
    /// read-ahead, whole records can sit unprocessed in OpenSSL's buffer.
    var hasBufferedInput: Bool { SSL_has_pending(ssl) == 1 }

    /// Best-effort close_notify; never waits for the peer's.
    func shutdown() {
        TLSError.clear()
        _ = SSL_shutdown(ssl)
        TLSError.clear()
    }

    /// The verification result of the peer certificate, as text for logs.
    func verifyResultText() -> UnsafePointer<CChar>? {
        let result = SSL_get_verify_result(ssl)
        guard result != X509_V_OK else { return nil }
        return X509_verify_cert_error_string(result)
    }
}
