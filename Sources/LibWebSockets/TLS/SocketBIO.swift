import CLibWebSockets

/// The BIO under every TLS session: socket I/O with send/recv and
/// MSG_NOSIGNAL.
///
/// OpenSSL's own socket BIO (what SSL_set_fd installs) writes with write(2),
/// so a peer that has reset the connection — an ordinary event, e.g. a client
/// that closes right after its last message while our close frame or
/// close_notify is on its way — raises SIGPIPE and kills the whole process.
/// The plain transport sends with MSG_NOSIGNAL and just sees EPIPE; this BIO
/// gives wss:// the same behaviour without touching the application's
/// signal dispositions.
///
/// One method per libwebsockets context; every session holds a reference,
/// so the method outlives the last BIO made from it.
final class SocketBIO {
    let method: OpaquePointer

    init?() {
        // No BIO_get_new_index(): OpenSSL hands out ~128 of those per
        // process, and a program may create many contexts. Nothing looks
        // this BIO up by type, so the generic source/sink type does.
        let type = Int32(BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR)
        guard let method = BIO_meth_new(type, "lws socket") else { return nil }
        guard BIO_meth_set_write(method, socketBIOWrite) == 1,
              BIO_meth_set_read(method, socketBIORead) == 1,
              BIO_meth_set_ctrl(method, socketBIOControl) == 1 else {
            BIO_meth_free(method)
            return nil
        }
        self.method = method
    }

    deinit {
        BIO_meth_free(method)
    }

    /// A BIO over fd (which it never closes: the connection owns it).
    func make(fd: Int32) -> OpaquePointer? {
        guard fd >= 0, let bio = BIO_new(method) else { return nil }
        BIO_set_data(bio, socketBIOData(fd))
        BIO_set_init(bio, 1)
        return bio
    }
}

/// The fd travels in the BIO's data pointer, offset by one so that fd 0 is
/// not a NULL pointer: no allocation to free with the BIO.
private func socketBIOData(_ fd: Int32) -> UnsafeMutableRawPointer? {
    UnsafeMutableRawPointer(bitPattern: UInt(fd) &+ 1)
}

private func socketBIOFD(_ bio: OpaquePointer) -> Int32 {
    Int32(truncatingIfNeeded: Int(bitPattern: BIO_get_data(bio)) &- 1)
}

private let bioRetryFlags = Int32(BIO_FLAGS_READ | BIO_FLAGS_WRITE | BIO_FLAGS_SHOULD_RETRY)

private let socketBIOWrite: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32 = { bio, data, length in
    guard let bio else { return -1 }
    BIO_clear_flags(bio, bioRetryFlags)
    guard length > 0 else { return 0 }
    while true {
        let n = send(socketBIOFD(bio), data, Int(length), Int32(MSG_NOSIGNAL))
        if n >= 0 { return Int32(truncatingIfNeeded: n) }
        let e = lws_c_errno()
        if e == lws_c_EINTR() { continue }
        if e == lws_c_EAGAIN() || e == lws_c_EWOULDBLOCK() {
            BIO_set_flags(bio, Int32(BIO_FLAGS_WRITE | BIO_FLAGS_SHOULD_RETRY))
        }
        return -1
    }
}

private let socketBIORead: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, Int32) -> Int32 = { bio, data, length in
    guard let bio else { return -1 }
    BIO_clear_flags(bio, bioRetryFlags)
    guard length > 0 else { return 0 }
    while true {
        let n = recv(socketBIOFD(bio), data, Int(length), 0)
        if n > 0 { return Int32(truncatingIfNeeded: n) }
        if n == 0 {
            // Lets OpenSSL tell a TCP close apart from a failed read.
            BIO_set_flags(bio, Int32(BIO_FLAGS_IN_EOF))
            return 0
        }
        let e = lws_c_errno()
        if e == lws_c_EINTR() { continue }
        if e == lws_c_EAGAIN() || e == lws_c_EWOULDBLOCK() {
            BIO_set_flags(bio, Int32(BIO_FLAGS_READ | BIO_FLAGS_SHOULD_RETRY))
        }
        return -1
    }
}

/// What libssl asks of a socket BIO: writes are unbuffered, so a flush
/// always succeeds; end-of-file is what the last read saw. And the fd, for
/// SSL_get_fd(): an application's certificate-verification callback gets
/// the SSL but no wsi, and the fd is how it tells connections apart.
private let socketBIOControl: @convention(c) (OpaquePointer?, Int32, Int, UnsafeMutableRawPointer?) -> Int = {
    bio, command, _, pointer in
    guard let bio else { return 0 }
    switch command {
    case BIO_CTRL_FLUSH:
        return 1
    case BIO_CTRL_EOF:
        return BIO_test_flags(bio, Int32(BIO_FLAGS_IN_EOF)) != 0 ? 1 : 0
    case BIO_C_GET_FD:
        let fd = socketBIOFD(bio)
        pointer?.assumingMemoryBound(to: Int32.self).pointee = fd
        return Int(fd)
    default:
        return 0
    }
}
