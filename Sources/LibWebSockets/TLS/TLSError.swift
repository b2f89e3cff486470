import CLibWebSockets

/// OpenSSL's error queue as log text.
enum TLSError {
    /// Logs (and clears) every queued OpenSSL error after `what`, so each
    /// failure carries OpenSSL's own reason.
    static func log(_ level: Int32, _ what: StaticString) {
        var any = false
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            any = true
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            text.withUnsafeBufferPointer { Log.write(level, "\(what): \(cString: $0.baseAddress)") }
        }
        if !any { Log.write(level, "\(what)") }
    }

    static func clear() {
        ERR_clear_error()
    }
}
