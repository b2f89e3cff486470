import CLibWebSockets

/// The OpenSSL contexts of one libwebsockets context: a server SSL_CTX when
/// the creation info names a certificate, and a client SSL_CTX made on the
/// first wss:// connect (or the application's `provided_client_ssl_ctx`,
/// which is used as is and never freed).
final class TLSContext {
    var server: OpaquePointer?
    var client: OpaquePointer?
    var ownsClient = true
    /// Plain HTTP/WS clients are served on the TLS port too (sniffed).
    var allowPlainOnTLSPort = false

    /// What the client context needs from the creation info, kept because
    /// it is built lazily (the creation info's strings are only valid
    /// during create_context, so they are copied).
    var clientCertificate: [CChar]?
    var clientPrivateKey: [CChar]?
    var caFile: [CChar]?
    var privateKeyPassword: [CChar]?
    var useSystemCAs = true
    /// The BIO every session of this context does its socket I/O through.
    let socketBIO = SocketBIO()

    /// The safe default when `ssl_cipher_list` is NULL: forward-secret AEAD
    /// suites for TLS 1.2 (TLS 1.3's suites are always the safe set).
    static let defaultCipherList: StaticString =
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

    deinit {
        if let server { SSL_CTX_free(server) }
        if let client, ownsClient { SSL_CTX_free(client) }
        // In place: binding the array to a local first would wipe a copy.
        privateKeyPassword?.withUnsafeMutableBytes { _ = memset($0.baseAddress!, 0, $0.count) }
    }

    init(info: lws_context_creation_info) {
        if let path = info.ssl_cert_filepath { clientCertificate = cStringBytes(path) }
        if let path = info.ssl_private_key_filepath { clientPrivateKey = cStringBytes(path) }
        if let path = info.ssl_ca_filepath { caFile = cStringBytes(path) }
        if let password = info.ssl_private_key_password { privateKeyPassword = cStringBytes(password) }
        useSystemCAs = info.options & UInt32(LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS.rawValue) == 0
        allowPlainOnTLSPort = info.options & UInt32(LWS_SERVER_OPTION_ALLOW_NON_SSL_ON_SSL_PORT.rawValue) != 0
        if let provided = info.provided_client_ssl_ctx {
            client = OpaquePointer(provided)
            ownsClient = false
        }
    }

    /// Builds the server SSL_CTX: certificate chain, private key (or the
    /// OPENSSL_CONTEXT_REQUIRES_PRIVATE_KEY callback), CA file, client
    /// certificate policy. false (logged) when anything is missing or wrong.
    func setUpServer(_ context: Context, info: lws_context_creation_info) -> Bool {
        guard let ctx = SSL_CTX_new(TLS_server_method()) else {
            TLSError.log(Log.err, "TLS: cannot create the server context")
            return false
        }
        server = ctx
        _ = lws_c_ssl_ctx_set_app_data(ctx, UnsafeMutableRawPointer(context.handle))
        configureCommon(ctx, options: lws_c_ssl_options_server())
        guard setCipherList(ctx, info.ssl_cipher_list) else { return false }
        installPasswordCallback(ctx)
        if let caFile, !loadVerifyLocations(ctx, caFile) { return false }
        if info.options & UInt32(LWS_SERVER_OPTION_REQUIRE_VALID_OPENSSL_CLIENT_CERT.rawValue) != 0 {
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, clientCertificateVerifier)
        }
        context.callProtocol(0, nil, LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS, UnsafeMutableRawPointer(ctx), nil, 0)
        guard let certificate = info.ssl_cert_filepath,
              SSL_CTX_use_certificate_chain_file(ctx, certificate) == 1 else {
            TLSError.log(Log.err, "TLS: cannot load the server certificate")
            return false
        }
        if let key = info.ssl_private_key_filepath {
            guard SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) == 1 else {
                TLSError.log(Log.err, "TLS: cannot load the server private key")
                return false
            }
        } else {
            let refused = context.callProtocol(0, nil, LWS_CALLBACK_OPENSSL_CONTEXT_REQUIRES_PRIVATE_KEY,
                                               UnsafeMutableRawPointer(ctx), nil, 0)
            if refused != 0 {
                Log.error("TLS: the application could not provide the private key")
                return false
            }
        }
        guard SSL_CTX_check_private_key(ctx) == 1 else {
            TLSError.log(Log.err, "TLS: the private key does not match the certificate")
            return false
        }
        return true
    }

    /// The client SSL_CTX, built on first use.
    func clientContext(_ context: Context) -> OpaquePointer? {
        if let client { return client }
        guard let ctx = SSL_CTX_new(TLS_client_method()) else {
            TLSError.log(Log.err, "TLS: cannot create the client context")
            return nil
        }
        configureCommon(ctx, options: lws_c_ssl_options_client())
        guard setCipherList(ctx, nil) else {
            SSL_CTX_free(ctx)
            return nil
        }
        if useSystemCAs { _ = SSL_CTX_set_default_verify_paths(ctx) }
        if let caFile, !loadVerifyLocations(ctx, caFile) {
            SSL_CTX_free(ctx)
            return nil
        }
        installPasswordCallback(ctx)
        if let certificate = clientCertificate, let key = clientPrivateKey, server == nil {
            let loaded = certificate.withUnsafeBufferPointer { c in
                key.withUnsafeBufferPointer { k in
                    SSL_CTX_use_certificate_chain_file(ctx, c.baseAddress) == 1
                        && SSL_CTX_use_PrivateKey_file(ctx, k.baseAddress, SSL_FILETYPE_PEM) == 1
                }
            }
            if !loaded {
                TLSError.log(Log.err, "TLS: cannot load the client certificate or key")
                SSL_CTX_free(ctx)
                return nil
            }
        }
        context.callProtocol(0, nil, LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS, UnsafeMutableRawPointer(ctx), nil, 0)
        client = ctx
        return ctx
    }

    private func configureCommon(_ ctx: OpaquePointer, options: UInt) {
        _ = lws_c_ssl_ctx_set_min_tls12(ctx)
        _ = SSL_CTX_set_options(ctx, UInt64(options))
        _ = lws_c_ssl_ctx_set_partial_write_modes(ctx)
        lws_c_ssl_ctx_set_read_ahead(ctx)
    }

    private func setCipherList(_ ctx: OpaquePointer, _ list: UnsafePointer<CChar>?) -> Bool {
        let ok: Bool
        if let list {
            ok = SSL_CTX_set_cipher_list(ctx, list) == 1
        } else {
            ok = TLSContext.defaultCipherList.withUTF8Buffer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count + 1) {
                    SSL_CTX_set_cipher_list(ctx, $0) == 1
                }
            }
        }
        if !ok { TLSError.log(Log.err, "TLS: invalid cipher list") }
        return ok
    }

    private func loadVerifyLocations(_ ctx: OpaquePointer, _ file: [CChar]) -> Bool {
        let ok = file.withUnsafeBufferPointer { SSL_CTX_load_verify_locations(ctx, $0.baseAddress, nil) == 1 }
        if !ok { TLSError.log(Log.err, "TLS: cannot load the CA file") }
        return ok
    }

    /// An encrypted private key is unlocked with `ssl_private_key_password`.
    /// Installed even without a password: OpenSSL's default would prompt on
    /// the controlling terminal and block the application; ours answers
    /// "no password" and the key simply fails to load (logged).
    private func installPasswordCallback(_ ctx: OpaquePointer) {
        let selfPointer = Unmanaged.passUnretained(self).toOpaque()
        SSL_CTX_set_default_passwd_cb_userdata(ctx, selfPointer)
        SSL_CTX_set_default_passwd_cb(ctx) { buffer, size, _, userdata in
            guard let buffer, let userdata else { return 0 }
            let tls = Unmanaged<TLSContext>.fromOpaque(userdata).takeUnretainedValue()
            guard let password = tls.privateKeyPassword else { return 0 }
            let length = min(password.count - 1, Int(size) - 1)
            guard length >= 0 else { return 0 }
            for i in 0..<length { buffer[i] = password[i] }
            buffer[length] = 0
            return Int32(length)
        }
    }
}

/// OpenSSL's verify callback for client certificates: hands the decision
/// to protocols[0] as LWS_CALLBACK_OPENSSL_PERFORM_CLIENT_CERT_VERIFICATION
/// (context and wsi NULL, user = the X509_STORE_CTX, in = the SSL, len =
/// preverify_ok); a non-zero return fails the certificate.
private let clientCertificateVerifier: @convention(c) (Int32, OpaquePointer?) -> Int32 = { preverifyOK, store in
    guard let store, let ssl = lws_c_ssl_from_store_ctx(store),
          let sslContext = SSL_get_SSL_CTX(ssl),
          let contextPointer = lws_c_ssl_ctx_get_app_data(sslContext) else { return preverifyOK }
    let context = Unmanaged<Context>.fromOpaque(contextPointer).takeUnretainedValue()
    guard let callback = context.protocols[0].callback else { return preverifyOK }
    let refused = callback(nil, nil, LWS_CALLBACK_OPENSSL_PERFORM_CLIENT_CERT_VERIFICATION,
                           UnsafeMutableRawPointer(store), UnsafeMutableRawPointer(ssl), Int(preverifyOK))
    return refused == 0 ? 1 : 0
}
