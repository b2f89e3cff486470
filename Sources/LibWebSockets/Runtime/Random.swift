import CLibWebSockets

/// Kernel randomness for masking keys, handshake keys and
/// `libwebsockets_get_random`.
///
/// Without it, RFC 6455's unpredictable values would be zeros: a client
/// masking with 0000 or offering a key of 16 zero bytes. So the values come
/// back optional, and a caller cannot use one without deciding what its
/// absence means (the connection fails, the call returns -1).
enum Random {
    /// `count` random bytes, nil without randomness.
    static func bytes(_ count: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        let filled = out.withUnsafeMutableBytes { fill($0) }
        return filled ? out : nil
    }

    /// Fills the buffer completely from getrandom(2), or from /dev/urandom
    /// where getrandom is unavailable (old kernels, seccomp filters).
    /// Returns false only when neither source can be read.
    static func fill(_ buffer: UnsafeMutableRawBufferPointer) -> Bool {
        var filled = 0
        while filled < buffer.count {
            let n = getrandom(buffer.baseAddress! + filled, buffer.count - filled, 0)
            if n > 0 {
                filled += n
            } else if lws_c_errno() != lws_c_EINTR() {
                return fillFromDevice(UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            }
        }
        return true
    }

    private static func fillFromDevice(_ buffer: UnsafeMutableRawBufferPointer) -> Bool {
        let fd = lws_c_open_readonly("/dev/urandom")
        guard fd >= 0 else { return false }
        defer { Socket.close(fd) }
        var filled = 0
        while filled < buffer.count {
            let n = read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            if n > 0 {
                filled += n
            } else if n == 0 || lws_c_errno() != lws_c_EINTR() {
                return false
            }
        }
        return true
    }
}
