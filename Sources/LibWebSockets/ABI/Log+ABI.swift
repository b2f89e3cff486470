import CLibWebSockets

// Logging (seed: lws_set_log_level; header: _lws_log, _lws_logv,
// lwsl_emit_syslog, lwsl_hexdump). `_lws_log` and `_lws_logv` are the C shim
// in Sources/CLibWebSockets/log_shim.c, which formats and forwards here.

@_cdecl("lws_set_log_level")
public func lws_set_log_level(_ level: Int32, _ emit: (@convention(c) (Int32, UnsafePointer<CChar>?) -> Void)?) {
    Log.configure(level: level, emitter: emit)
}

/// For the C shim's `_lws_logv`: whether a line at `level` would be emitted.
@_cdecl("lws_swift_log_enabled")
public func lws_swift_log_enabled(_ level: Int32) -> Int32 {
    Log.isEnabled(level) ? 1 : 0
}

/// For the C shim's `_lws_logv`: emits a formatted line.
@_cdecl("lws_swift_log_emit")
public func lws_swift_log_emit(_ level: Int32, _ line: UnsafePointer<CChar>?) {
    guard let line else { return }
    Log.emit(level, line)
}

@_cdecl("lwsl_emit_syslog")
public func lwsl_emit_syslog(_ level: Int32, _ line: UnsafePointer<CChar>?) {
    guard let line else { return }
    lws_c_syslog(Log.syslogPriority(of: level), line)
}

/// Logs `len` bytes as lines of 16 hex bytes plus their printable ASCII, at
/// LLL_DEBUG like 1.4.
@_cdecl("lwsl_hexdump")
public func lwsl_hexdump(_ buf: UnsafeMutableRawPointer?, _ len: Int) {
    guard Log.isEnabled(Log.debug) else { return }
    guard let buf, len > 0, AddressSpace.contains(buf, count: len) else { return }
    let bytes = UnsafeRawBufferPointer(start: buf, count: len)
    let hex: StaticString = "0123456789abcdef"
    var offset = 0
    while offset < len {
        var line: [UInt8] = []
        var position = [UInt8]()
        appendDecimal(offset, to: &position)
        while position.count < 5 { position.insert(UInt8(ascii: "0"), at: 0) }
        line.append(contentsOf: position)
        line.append(": ")
        let end = min(offset + 16, len)
        for i in offset..<(offset + 16) {
            if i < end {
                line.append(hex.utf8Start[Int(bytes[i] >> 4)])
                line.append(hex.utf8Start[Int(bytes[i] & 15)])
                line.append(UInt8(ascii: " "))
            } else {
                line.append("   ")
            }
        }
        line.append(UInt8(ascii: " "))
        for i in offset..<end {
            let b = bytes[i]
            line.append(b >= UInt8(ascii: " ") && b <= UInt8(ascii: "~") ? b : UInt8(ascii: "."))
        }
        Log.write(Log.debug, LogLine(bytes: line))
        offset = end
    }
}
