import CLibWebSockets

// Extensions (header: libwebsocket_get_internal_extensions).

/// Our built-in extensions, in the order a client offers them: the
/// per-frame deflate 1.4 shipped, under its two names, then
/// permessage-deflate (RFC 7692, what today's browsers and servers speak).
/// deflate-frame comes first so that two 1.4 programs on this library
/// agree on what they agreed on with 1.4 (each frame reaches RECEIVE
/// whole); a server that knows only permessage-deflate picks that.
/// deflate-stream is not offered, as 1.4's default build did not offer it.
/// The entries are run natively by the engine (see ExtensionSet).
nonisolated(unsafe) private var internalExtensions: UnsafeMutablePointer<libwebsocket_extension> = {
    let names: [StaticString] = ["deflate-frame", "x-webkit-deflate-frame", "permessage-deflate"]
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
