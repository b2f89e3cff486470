import CLibWebSockets

/// Thin wrappers over the socket calls the runtime makes, retrying EINTR and
/// turning errno into a small enum so callers never read errno late.
enum Socket {
    enum IOResult {
        case transferred(Int)
        case wouldBlock
        case closed
        case failed(Int32)
    }

    static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n > 0 { return .transferred(n) }
            if n == 0 { return .closed }
            let e = lws_c_errno()
            if e == lws_c_EINTR() { continue }
            if e == lws_c_EAGAIN() || e == lws_c_EWOULDBLOCK() { return .wouldBlock }
            return .failed(e)
        }
    }

    static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> IOResult {
        guard bytes.count > 0 else { return .transferred(0) }
        while true {
            let n = CLibWebSockets.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return .transferred(n) }
            let e = lws_c_errno()
            if e == lws_c_EINTR() { continue }
            if e == lws_c_EAGAIN() || e == lws_c_EWOULDBLOCK() { return .wouldBlock }
            return .failed(e)
        }
    }

    /// Most options are best effort (a missing one costs speed, not
    /// correctness); the few that are not check the result.
    @discardableResult
    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) -> Bool {
        var v = value
        return setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) == 0
    }

    /// TCP_NODELAY always (WebSocket frames are latency-sensitive and we
    /// already coalesce header and payload), keepalive when the context asks.
    static func configureConnection(_ fd: Int32, keepalive: Keepalive?) {
        setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        guard let keepalive else { return }
        setOption(fd, SOL_SOCKET, SO_KEEPALIVE, 1)
        setOption(fd, Int32(IPPROTO_TCP), TCP_KEEPIDLE, keepalive.time)
        setOption(fd, Int32(IPPROTO_TCP), TCP_KEEPINTVL, keepalive.interval)
        setOption(fd, Int32(IPPROTO_TCP), TCP_KEEPCNT, keepalive.probes)
    }

    struct Keepalive {
        var time: Int32
        var probes: Int32
        var interval: Int32
    }

    static func close(_ fd: Int32) {
        _ = CLibWebSockets.close(fd)
    }
}
