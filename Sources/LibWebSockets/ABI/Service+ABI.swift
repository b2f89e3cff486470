import CLibWebSockets

// The service loop (seed: libwebsocket_service, libwebsocket_service_fd,
// libwebsocket_cancel_service).

@_cdecl("libwebsocket_service")
public func libwebsocket_service(_ context: OpaquePointer?, _ timeoutMs: Int32) -> Int32 {
    guard let context = Context.from(context) else { return -1 }
    return context.service(timeoutMs: timeoutMs)
}

@_cdecl("libwebsocket_service_fd")
public func libwebsocket_service_fd(_ context: OpaquePointer?, _ pollfd: UnsafeMutablePointer<pollfd>?) -> Int32 {
    guard let context = Context.from(context) else { return -1 }
    return context.serviceFd(pollfd)
}

/// Safe from any thread: it only writes the context's eventfd.
@_cdecl("libwebsocket_cancel_service")
public func libwebsocket_cancel_service(_ context: OpaquePointer?) {
    Context.from(context)?.wake.signal()
}
