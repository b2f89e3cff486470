import CLibWebSockets
import WebSocketProtocol

// Utilities that need no connection (header: libwebsockets_SHA1,
// lws_b64_encode_string, lws_b64_decode_string, libwebsockets_get_random,
// lws_token_to_string, lws_get_library_version, lws_set_allocator,
// lws_daemonize).

@_cdecl("libwebsockets_SHA1")
public func libwebsockets_SHA1(_ d: UnsafePointer<UInt8>?, _ n: Int, _ md: UnsafeMutablePointer<UInt8>?) -> UnsafeMutablePointer<UInt8>? {
    guard let md, d != nil || n == 0, AddressSpace.contains(d, count: n) else {
        Log.error("libwebsockets_SHA1: bad buffer or length")
        return nil
    }
    var sha = SHA1()
    if let d { sha.update(UnsafeRawBufferPointer(start: d, count: n)) }
    let digest = sha.finalize()
    for i in 0..<digest.count { md[i] = digest[i] }
    return md
}

@_cdecl("lws_b64_encode_string")
public func lws_b64_encode_string(_ input: UnsafePointer<CChar>?, _ inputLength: Int32,
                                  _ out: UnsafeMutablePointer<CChar>?, _ outSize: Int32) -> Int32 {
    guard let out, outSize > 0, inputLength >= 0, input != nil || inputLength == 0 else {
        Log.error("lws_b64_encode_string: bad arguments")
        return -1
    }
    let source = UnsafeRawBufferPointer(start: input, count: Int(inputLength))
    let n = Base64.encode(source, into: UnsafeMutableRawBufferPointer(start: out, count: Int(outSize)))
    if n < 0 { Log.information("lws_b64_encode_string: output buffer too small") }
    return Int32(n)
}

/// Characters outside the base64 alphabet (the line breaks of wrapped text,
/// spaces) are skipped, as in 1.4 and as the header promises, before the
/// strict decoder sees the input; the handshake calls that decoder directly,
/// because there such characters must stay errors.
@_cdecl("lws_b64_decode_string")
public func lws_b64_decode_string(_ input: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<CChar>?, _ outSize: Int32) -> Int32 {
    guard let input, let out, outSize > 0 else {
        Log.error("lws_b64_decode_string: bad arguments")
        return -1
    }
    var kept: [UInt8] = []
    var cursor = input
    while cursor.pointee != 0 {
        let character = UInt8(bitPattern: cursor.pointee)
        if Base64.isEncodingCharacter(character) { kept.append(character) }
        cursor += 1
    }
    let n = kept.withUnsafeBytes {
        Base64.decode($0, into: UnsafeMutableRawBufferPointer(start: out, count: Int(outSize)))
    }
    if n < 0 { Log.information("lws_b64_decode_string: invalid input or output buffer too small") }
    return Int32(n)
}

@_cdecl("libwebsockets_get_random")
public func libwebsockets_get_random(_ context: OpaquePointer?, _ buf: UnsafeMutableRawPointer?, _ len: Int32) -> Int32 {
    guard let buf, len >= 0 else {
        Log.error("libwebsockets_get_random: bad arguments")
        return -1
    }
    guard Random.fill(UnsafeMutableRawBufferPointer(start: buf, count: Int(len))) else {
        Log.error("libwebsockets_get_random: no source of randomness")
        return -1
    }
    return len
}

@_cdecl("lws_token_to_string")
public func lws_token_to_string(_ token: lws_token_indexes) -> UnsafePointer<UInt8>? {
    guard let name = HeaderToken.wireName(Int(token.rawValue)) else { return nil }
    return name.utf8Start
}

@_cdecl("lws_get_library_version")
public func lws_get_library_version() -> UnsafePointer<CChar>? {
    lws_c_library_version()
}

@_cdecl("lws_set_allocator")
public func lws_set_allocator(_ allocator: (@convention(c) (UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer?)?) {
    Allocator.custom = allocator
}

/// Forks into the background: the child starts a new session, records its
/// pid in `lockPath` (refusing to start when that file names a process that
/// is still alive) and detaches from the terminal. The parent waits on a pipe
/// until the child reports that its lock is written, and only then exits, so
/// whoever started it finds the lock in place; if the child cannot start,
/// the parent stays and returns non-zero, as the header documents.
/// Returns 0 in the daemon.
@_cdecl("lws_daemonize")
public func lws_daemonize(_ lockPath: UnsafePointer<CChar>?) -> Int32 {
    if let lockPath, Daemon.lockHeldByLiveProcess(lockPath) {
        Log.error("lws_daemonize: \(cString: lockPath) names a running process")
        return 1
    }
    var ready: (Int32, Int32) = (-1, -1)
    let piped = withUnsafeMutableBytes(of: &ready) { pipe($0.baseAddress!.assumingMemoryBound(to: Int32.self)) }
    guard piped == 0 else {
        Log.error("lws_daemonize: pipe failed, errno \(lws_c_errno())")
        return -1
    }
    let child = fork()
    if child < 0 {
        Log.error("lws_daemonize: fork failed, errno \(lws_c_errno())")
        Socket.close(ready.0)
        Socket.close(ready.1)
        return -1
    }
    if child > 0 {
        Socket.close(ready.1)
        let started = Daemon.awaitStart(ready.0)
        Socket.close(ready.0)
        if started { _exit(0) }
        Log.error("lws_daemonize: the daemon did not start")
        return 1
    }
    Socket.close(ready.0)
    _ = setsid()
    _ = umask(0o022)
    if let lockPath, !Daemon.writeLock(lockPath) {
        Log.error("lws_daemonize: cannot write \(cString: lockPath), errno \(lws_c_errno())")
        _exit(1)
    }
    Daemon.reportStart(ready.1)
    Socket.close(ready.1)
    Daemon.detachStandardStreams()
    return 0
}

private enum Daemon {
    /// Whether the lock file names a running process. A lock naming none (a
    /// dead pid, or no pid at all: empty or garbage) is stale and is removed,
    /// because the daemon creates its lock exclusively and would fail on it.
    static func lockHeldByLiveProcess(_ path: UnsafePointer<CChar>) -> Bool {
        let fd = lws_c_open_readonly(path)
        guard fd >= 0 else { return false }
        var text = [UInt8](repeating: 0, count: 16)
        let n = text.withUnsafeMutableBytes { read(fd, $0.baseAddress, 15) }
        Socket.close(fd)
        var pid: Int32 = 0
        for c in text[0..<max(n, 0)] {
            guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"), pid < 100_000_000 else { break }
            pid = pid * 10 + Int32(c - UInt8(ascii: "0"))
        }
        // EPERM: the process exists but belongs to another user.
        if pid > 0 && (kill(pid, 0) == 0 || lws_c_errno() == EPERM) { return true }
        _ = unlink(path)
        return false
    }

    /// The daemon's one-byte "running" message to the waiting parent.
    static func reportStart(_ fd: Int32) {
        var running: UInt8 = 1
        while write(fd, &running, 1) < 0 && lws_c_errno() == lws_c_EINTR() {}
    }

    /// True once the daemon reports it is running; false when it exits first
    /// (end of file on the pipe).
    static func awaitStart(_ fd: Int32) -> Bool {
        var message: UInt8 = 0
        var n = read(fd, &message, 1)
        while n < 0 && lws_c_errno() == lws_c_EINTR() { n = read(fd, &message, 1) }
        return n == 1 && message == 1
    }

    static func writeLock(_ path: UnsafePointer<CChar>) -> Bool {
        let fd = lws_c_open_lockfile(path)
        guard fd >= 0 else { return false }
        defer { Socket.close(fd) }
        var text: [UInt8] = []
        text.appendDecimal(getpid())
        text.append(UInt8(ascii: "\n"))
        return text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == text.count
    }

    static func detachStandardStreams() {
        let null = lws_c_open_devnull()
        guard null >= 0 else { return }
        _ = dup2(null, 0)
        _ = dup2(null, 1)
        _ = dup2(null, 2)
        if null > 2 { Socket.close(null) }
    }
}
