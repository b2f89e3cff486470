import CLibWebSockets

// Client connections (seed: libwebsocket_client_connect,
// libwebsocket_client_connect_extended).

@_cdecl("libwebsocket_client_connect")
public func libwebsocket_client_connect(_ context: OpaquePointer?, _ address: UnsafePointer<CChar>?, _ port: Int32,
                                        _ sslConnection: Int32, _ path: UnsafePointer<CChar>?,
                                        _ host: UnsafePointer<CChar>?, _ origin: UnsafePointer<CChar>?,
                                        _ protocolList: UnsafePointer<CChar>?, _ ietfVersion: Int32) -> OpaquePointer? {
    libwebsocket_client_connect_extended(context, address, port, sslConnection, path, host, origin, protocolList, ietfVersion, nil)
}

/// `userdata`, when not NULL, becomes the connection's user pointer instead
/// of a per-session allocation (and is never freed by the library).
@_cdecl("libwebsocket_client_connect_extended")
public func libwebsocket_client_connect_extended(_ context: OpaquePointer?, _ address: UnsafePointer<CChar>?, _ port: Int32,
                                                 _ sslConnection: Int32, _ path: UnsafePointer<CChar>?,
                                                 _ host: UnsafePointer<CChar>?, _ origin: UnsafePointer<CChar>?,
                                                 _ protocolList: UnsafePointer<CChar>?, _ ietfVersion: Int32,
                                                 _ userdata: UnsafeMutableRawPointer?) -> OpaquePointer? {
    guard let owner = Context.from(context), let address else {
        Log.error("libwebsocket_client_connect: NULL context or address")
        return nil
    }
    return owner.connectClient(address: address, port: port, ssl: sslConnection, path: path, host: host,
                               origin: origin, protocols: protocolList, ietfVersion: ietfVersion,
                               userData: userdata)?.handle
}
