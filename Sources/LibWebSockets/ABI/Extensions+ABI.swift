import CLibWebSockets

// Extensions (header: libwebsocket_get_internal_extensions). The extension
// engine is issue 7; until it lands the built-in list is empty (just the
// NULL-name terminator), which 1.4 documents as "no extensions", so
// applications that pass it to create_context work and negotiate none.

nonisolated(unsafe) private var internalExtensions: UnsafeMutablePointer<libwebsocket_extension> = {
    let list = UnsafeMutablePointer<libwebsocket_extension>.allocate(capacity: 1)
    list.initialize(to: libwebsocket_extension())
    return list
}()

@_cdecl("libwebsocket_get_internal_extensions")
public func libwebsocket_get_internal_extensions() -> UnsafeMutablePointer<libwebsocket_extension>? {
    internalExtensions
}
