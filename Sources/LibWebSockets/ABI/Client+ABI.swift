import CLibWebSockets

// Client connections (seed: libwebsocket_client_connect,
// libwebsocket_client_connect_extended). The client role is not built yet
// (issue 4): both calls log why and return NULL, the documented failure
// value, so a client program fails cleanly instead of hanging.

@_cdecl("libwebsocket_client_connect")
public func libwebsocket_client_connect(_ context: OpaquePointer?, _ address: UnsafePointer<CChar>?, _ port: Int32,
                                        _ sslConnection: Int32, _ path: UnsafePointer<CChar>?,
                                        _ host: UnsafePointer<CChar>?, _ origin: UnsafePointer<CChar>?,
                                        _ protocolList: UnsafePointer<CChar>?, _ ietfVersion: Int32) -> OpaquePointer? {
    libwebsocket_client_connect_extended(context, address, port, sslConnection, path, host, origin, protocolList, ietfVersion, nil)
}

@_cdecl("libwebsocket_client_connect_extended")
public func libwebsocket_client_connect_extended(_ context: OpaquePointer?, _ address: UnsafePointer<CChar>?, _ port: Int32,
                                                 _ sslConnection: Int32, _ path: UnsafePointer<CChar>?,
                                                 _ host: UnsafePointer<CChar>?, _ origin: UnsafePointer<CChar>?,
                                                 _ protocolList: UnsafePointer<CChar>?, _ ietfVersion: Int32,
                                                 _ userdata: UnsafeMutableRawPointer?) -> OpaquePointer? {
    Log.error("libwebsocket_client_connect: the client role is not available in this build yet")
    return nil
}
