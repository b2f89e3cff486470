import CLibWebSockets

// Questions about one connection (seed: libwebsocket_get_socket_fd,
// libwebsockets_get_protocol, libwebsockets_remaining_packet_payload,
// libwebsocket_is_final_fragment, lws_frame_is_binary,
// libwebsocket_get_reserved_bits, lws_is_ssl, libwebsockets_get_peer_addresses,
// libwebsocket_read).

@_cdecl("libwebsocket_get_socket_fd")
public func libwebsocket_get_socket_fd(_ wsi: OpaquePointer?) -> Int32 {
    Connection.with(wsi, otherwise: -1) { $0.fd }
}

@_cdecl("libwebsockets_get_protocol")
public func libwebsockets_get_protocol(_ wsi: OpaquePointer?) -> UnsafePointer<libwebsocket_protocols>? {
    Connection.with(wsi, otherwise: nil) { UnsafePointer($0.protocolPointer) }
}

@_cdecl("libwebsockets_remaining_packet_payload")
public func libwebsockets_remaining_packet_payload(_ wsi: OpaquePointer?) -> Int {
    Connection.with(wsi, otherwise: 0) { Int(truncatingIfNeeded: $0.receiving?.incoming.pointee.remaining ?? 0) }
}

@_cdecl("libwebsocket_is_final_fragment")
public func libwebsocket_is_final_fragment(_ wsi: OpaquePointer?) -> Int32 {
    Connection.with(wsi, otherwise: 0) { connection in
        guard let message = connection.receiving?.incoming.pointee else { return 0 }
        return message.isFinalFrame && message.remaining == 0 ? 1 : 0
    }
}

@_cdecl("lws_frame_is_binary")
public func lws_frame_is_binary(_ wsi: OpaquePointer?) -> Int32 {
    Connection.with(wsi, otherwise: 0) { $0.receiving?.incoming.pointee.isBinary == true ? 1 : 0 }
}

/// The RSV bits of the frame being received, in the frame header's
/// positions (RSV1 = 0x40, RSV2 = 0x20, RSV3 = 0x10) as 1.4 reported them.
@_cdecl("libwebsocket_get_reserved_bits")
public func libwebsocket_get_reserved_bits(_ wsi: OpaquePointer?) -> UInt8 {
    Connection.with(wsi, otherwise: 0) { (($0.receiving?.incoming.pointee.reservedBits ?? 0) & 7) << 4 }
}

/// 0 plain, 1 TLS with a verified peer (every server-side TLS connection),
/// 2 TLS where the client was told to accept any certificate.
@_cdecl("lws_is_ssl")
public func lws_is_ssl(_ wsi: OpaquePointer?) -> Int32 {
    Connection.with(wsi, otherwise: 0) { $0.tls?.verification ?? 0 }
}

@_cdecl("libwebsockets_get_peer_addresses")
public func libwebsockets_get_peer_addresses(_ context: OpaquePointer?, _ wsi: OpaquePointer?, _ fd: Int32,
                                             _ name: UnsafeMutablePointer<CChar>?, _ nameLength: Int32,
                                             _ rip: UnsafeMutablePointer<CChar>?, _ ripLength: Int32) {
    if let name, nameLength > 0 { name[0] = 0 }
    if let rip, ripLength > 0 { rip[0] = 0 }
    var address = SocketAddress()
    address.length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let ok = withUnsafeMutableBytes(of: &address.storage) { raw in
        getpeername(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &address.length) == 0
    }
    guard ok else {
        Log.information("get_peer_addresses: getpeername on fd \(fd) failed")
        return
    }
    if let rip, ripLength > 0 {
        let numeric = address.numericHost()
        copyTruncated(numeric, into: rip, capacity: Int(ripLength))
    }
    if let name, nameLength > 0 {
        var host = [CChar](repeating: 0, count: 256)
        let found = address.withSockaddr { sa, length in
            getnameinfo(sa, length, &host, socklen_t(host.count), nil, 0, 0) == 0
        }
        if found { copyTruncated(host, into: name, capacity: Int(nameLength)) }
    }
}

/// Copies a NUL-terminated string, truncating to fit and always terminating.
func copyTruncated(_ source: [CChar], into destination: UnsafeMutablePointer<CChar>, capacity: Int) {
    var i = 0
    while i < capacity - 1 && i < source.count && source[i] != 0 {
        destination[i] = source[i]
        i += 1
    }
    destination[i] = 0
}

/// Feeds bytes the application read itself into the connection, exactly as
/// if the library had read them from the socket.
@_cdecl("libwebsocket_read")
public func libwebsocket_read(_ context: OpaquePointer?, _ wsi: OpaquePointer?, _ buf: UnsafeMutablePointer<UInt8>?, _ len: Int) -> Int32 {
    guard let buf, AddressSpace.contains(buf, count: len) else { return -1 }
    return Connection.with(wsi, otherwise: -1) { connection in
        guard len > 0 else { return 0 }
        let buffer = connection.context.readBuffer
        var offset = 0
        while offset < len && connection.state != .dead {
            let n = min(len - offset, buffer.count)
            buffer.baseAddress!.copyMemory(from: buf + offset, byteCount: n)
            offset += n
            connection.consume(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n]))
        }
        connection.completeRequestedClose()
        return 0
    }
}
