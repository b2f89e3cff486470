import CLibWebSockets

/// The library's logging: a level bitfield (LLL_*) and an emitter.
///
/// The state is process-wide, exactly as in 1.4 (`lws_set_log_level` takes no
/// context), and guarded by `ProcessSettings`: the level may change on one
/// thread while contexts log on others.
enum Log {
    static let err: Int32 = 1
    static let warn: Int32 = 2
    static let notice: Int32 = 4
    static let info: Int32 = 8
    static let debug: Int32 = 16
    static let parser: Int32 = 32
    static let header: Int32 = 64
    static let ext: Int32 = 128
    static let client: Int32 = 256
    static let latency: Int32 = 512

    typealias Emitter = @convention(c) (Int32, UnsafePointer<CChar>?) -> Void

    /// ERR, WARN and NOTICE are on by default, as the seed documents.
    /// Only under `ProcessSettings.withLock`.
    nonisolated(unsafe) private static var levelMask: Int32 = 7
    /// nil means the default stderr emitter. Only under the lock.
    nonisolated(unsafe) private static var emitter: Emitter?

    /// `lws_set_log_level`: a nil emitter keeps the current one.
    static func configure(level: Int32, emitter newEmitter: Emitter?) {
        ProcessSettings.withLock {
            levelMask = level
            if let newEmitter { emitter = newEmitter }
        }
    }

    static func isEnabled(_ level: Int32) -> Bool {
        ProcessSettings.withLock { levelMask & level != 0 }
    }

    /// Emits one of the library's own lines when `level` is enabled; the line
    /// is only built then. It reaches the emitter ending in one "\n", as 1.4's
    /// lines did: 1.4-era emitters cut the last character before printing.
    /// (A C caller's `_lws_log` line goes through `emit` as formatted.)
    static func write(_ level: Int32, _ line: @autoclosure () -> LogLine) {
        guard isEnabled(level) else { return }
        var bytes = line().bytes
        if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        bytes.append(0)
        bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                emit(level, $0)
            }
        }
    }

    static func error(_ line: @autoclosure () -> LogLine) { write(err, line()) }
    static func warning(_ line: @autoclosure () -> LogLine) { write(warn, line()) }
    static func note(_ line: @autoclosure () -> LogLine) { write(notice, line()) }
    static func information(_ line: @autoclosure () -> LogLine) { write(info, line()) }
    static func debugging(_ line: @autoclosure () -> LogLine) { write(debug, line()) }

    /// Hands a finished NUL-terminated line to the user's emitter or stderr.
    /// The emitter runs outside the lock: it may log, or set the level.
    static func emit(_ level: Int32, _ line: UnsafePointer<CChar>) {
        if let emitter = ProcessSettings.withLock({ emitter }) {
            emitter(level, line)
        } else {
            emitToStderr(level, line)
        }
    }

    /// The default emitter: `[seconds:NNNN] LEVEL: line` with NNNN in units
    /// of 100 µs, the format 1.4 printed (scripts parse it), written with
    /// a single write(2) so lines from several threads never interleave. The
    /// newline is added only when missing: the library's own lines carry one,
    /// a C caller's may or may not.
    static func emitToStderr(_ level: Int32, _ line: UnsafePointer<CChar>?) {
        var tv = timeval()
        gettimeofday(&tv, nil)
        var out = LogLine.Interpolation(literalCapacity: 160, interpolationCount: 3)
        out.appendLiteral("[")
        out.appendInterpolation(Int(tv.tv_sec))
        out.appendLiteral(":")
        var fraction: [UInt8] = []
        appendDecimal(Int(tv.tv_usec) / 100, to: &fraction)
        while fraction.count < 4 { fraction.insert(UInt8(ascii: "0"), at: 0) }
        out.appendInterpolation(bytes: fraction)
        out.appendLiteral("] ")
        out.appendLiteral(name(of: level))
        out.appendLiteral(": ")
        out.appendInterpolation(cString: line)
        if out.bytes.last != UInt8(ascii: "\n") { out.bytes.append(UInt8(ascii: "\n")) }
        _ = out.bytes.withUnsafeBytes { CLibWebSockets.write(2, $0.baseAddress, $0.count) }
    }

    /// syslog(3) priorities for each level, for `lwsl_emit_syslog`.
    static func syslogPriority(of level: Int32) -> Int32 {
        switch level {
        case err: return LOG_ERR
        case warn: return LOG_WARNING
        case notice: return LOG_NOTICE
        case info: return LOG_INFO
        default: return LOG_DEBUG
        }
    }

    static func name(of level: Int32) -> StaticString {
        switch level {
        case err: return "ERR"
        case warn: return "WARN"
        case notice: return "NOTICE"
        case info: return "INFO"
        case debug: return "DEBUG"
        case parser: return "PARSER"
        case header: return "HEADER"
        case ext: return "EXTENSION"
        case client: return "CLIENT"
        case latency: return "LATENCY"
        default: return "LOG"
        }
    }
}
