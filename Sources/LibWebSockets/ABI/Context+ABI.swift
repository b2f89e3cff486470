import CLibWebSockets

// Context lifetime and context-wide settings (seed: libwebsocket_create_context,
// libwebsocket_context_destroy, libwebsocket_context_user,
// libwebsocket_canonical_hostname, libwebsocket_set_proxy).

@_cdecl("libwebsocket_create_context")
public func libwebsocket_create_context(_ info: UnsafeMutablePointer<lws_context_creation_info>?) -> OpaquePointer? {
    guard let info else {
        Log.error("libwebsocket_create_context: info is NULL")
        return nil
    }
    return Context.create(info.pointee)?.handle
}

@_cdecl("libwebsocket_context_destroy")
public func libwebsocket_context_destroy(_ context: OpaquePointer?) {
    Context.from(context)?.destroy()
}

@_cdecl("libwebsocket_context_user")
public func libwebsocket_context_user(_ context: OpaquePointer?) -> UnsafeMutableRawPointer? {
    Context.from(context)?.user
}

@_cdecl("libwebsocket_canonical_hostname")
public func libwebsocket_canonical_hostname(_ context: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let context = Context.from(context) else { return nil }
    return context.canonicalHostname.withUnsafeBufferPointer { $0.baseAddress }
}

@_cdecl("libwebsocket_set_proxy")
public func libwebsocket_set_proxy(_ context: OpaquePointer?, _ proxy: UnsafePointer<CChar>?) -> Int32 {
    guard let context = Context.from(context), let proxy else {
        Log.error("libwebsocket_set_proxy: NULL argument")
        return -1
    }
    guard let parsed = ProxyAddress.parse(proxy) else {
        Log.error("libwebsocket_set_proxy: \(cString: proxy) is not host:port")
        return -1
    }
    context.proxy = parsed
    return 0
}
