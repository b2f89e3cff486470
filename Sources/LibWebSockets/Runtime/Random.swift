import CLibWebSockets

/// Kernel randomness for masking keys, handshake keys and
/// `libwebsockets_get_random`.
enum Random {
    /// Fills the buffer completely from getrandom(2), or from /dev/urandom
    /// where getrandom is unavailable (old kernels, seccomp filters).
    /// Returns false only when neither source can be read.
    @discardableResult
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
