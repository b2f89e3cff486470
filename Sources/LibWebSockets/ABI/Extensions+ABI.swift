import CLibWebSockets

// Extensions (header: libwebsocket_get_internal_extensions).

/// Our built-in extensions, in the order a client offers them:
/// permessage-deflate (RFC 7692, what today's browsers speak), then the
/// per-frame deflate 1.4 shipped for old clients under its two names.
/// deflate-stream is not offered, as 1.4's default build did not offer it.
/// The entries are run natively by the engine (see ExtensionSet).
nonisolated(unsafe) private var internalExtensions: UnsafeMutablePointer<libwebsocket_extension> = {
    let names: [StaticString] = ["permessage-deflate", "deflate-frame", "x-webkit-deflate-frame"]
    let list = UnsafeMutablePointer<libwebsocket_extension>.allocate(capacity: names.count + 1)
    for (i, name) in names.enumerated() {
        let cName = UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
        list[i] = libwebsocket_extension(name: cName, callback: builtinExtensionCallback,
                                         per_session_data_size: 0, per_context_private_data: nil)
    }
    list[names.count] = libwebsocket_extension()
    return list
}()

@_cdecl("libwebsocket_get_internal_extensions")
public func libwebsocket_get_internal_extensions() -> UnsafeMutablePointer<libwebsocket_extension>? {
    internalExtensions
}
