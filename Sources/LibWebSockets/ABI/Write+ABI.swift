import CLibWebSockets

// Sending and its flow control (seed: libwebsocket_write,
// libwebsocket_callback_on_writable[_all_protocol],
// libwebsocket_callback_all_protocol, libwebsocket_rx_flow_control,
// libwebsocket_rx_flow_allow_all_protocol, libwebsocket_set_timeout,
// lws_partial_buffered, lws_send_pipe_choked, lws_get_peer_write_allowance).

@_cdecl("libwebsocket_write")
public func libwebsocket_write(_ wsi: OpaquePointer?, _ buf: UnsafeMutablePointer<UInt8>?, _ len: Int,
                               _ protocolBits: libwebsocket_write_protocol) -> Int32 {
    Connection.with(wsi, otherwise: -1) { connection in
        guard AddressSpace.contains(buf, count: len) else {
            Log.error("libwebsocket_write: no buffer has length \(UInt(bitPattern: len))")
            return -1
        }
        guard let buf else {
            if len == 0, let empty = connection.context.readBuffer.baseAddress {
                return connection.write(empty.assumingMemoryBound(to: UInt8.self), length: 0, protocolBits: protocolBits.rawValue)
            }
            Log.error("libwebsocket_write: NULL buffer")
            return -1
        }
        return connection.write(buf, length: len, protocolBits: protocolBits.rawValue)
    }
}

/// Safe from any thread: the handle is checked against the live handles
/// before anything behind it is read (a close on the service thread may
/// have freed it), and a request from any thread but the service thread is
/// queued and the service thread woken (dropped there if the connection
/// closed meanwhile). -1 for a stale handle or a connection that is
/// closing, as 1.4 answered for the latter.
@_cdecl("libwebsocket_callback_on_writable")
public func libwebsocket_callback_on_writable(_ context: OpaquePointer?, _ wsi: OpaquePointer?) -> Int32 {
    guard let wsi, let live = LiveHandles.shared.find(wsi) else {
        Log.warning("libwebsocket_callback_on_writable: not a live connection")
        return -1
    }
    if live.context.isForeignThread {
        live.context.wake.enqueue(WakeSignal.WritableRequest(fd: live.fd, serial: live.serial))
        return 1
    }
    return Connection.with(wsi, otherwise: -1) { $0.requestWritable() ? 1 : -1 }
}

@_cdecl("libwebsocket_callback_on_writable_all_protocol")
public func libwebsocket_callback_on_writable_all_protocol(_ protocolPointer: UnsafePointer<libwebsocket_protocols>?) -> Int32 {
    guard let (context, index) = resolveProtocol(protocolPointer) else { return -1 }
    if context.isForeignThread {
        context.wake.enqueue(protocolIndex: index)
    } else {
        context.requestWritableForProtocol(index)
    }
    return 0
}

@_cdecl("libwebsocket_callback_all_protocol")
public func libwebsocket_callback_all_protocol(_ protocolPointer: UnsafePointer<libwebsocket_protocols>?, _ reason: Int32) -> Int32 {
    guard let (context, index) = resolveProtocol(protocolPointer) else { return -1 }
    let members = context.protocolMembers[index].members
    for connection in members where connection.established {
        if connection.callUser(libwebsocket_callback_reasons(UInt32(bitPattern: reason))) != 0 {
            connection.requestClose()
        }
    }
    return 0
}

@_cdecl("libwebsocket_rx_flow_control")
public func libwebsocket_rx_flow_control(_ wsi: OpaquePointer?, _ enable: Int32) -> Int32 {
    Connection.with(wsi, otherwise: -1) { connection in
        connection.setReceiveFlow(enabled: enable != 0)
        return 0
    }
}

@_cdecl("libwebsocket_rx_flow_allow_all_protocol")
public func libwebsocket_rx_flow_allow_all_protocol(_ protocolPointer: UnsafePointer<libwebsocket_protocols>?) {
    guard let (context, index) = resolveProtocol(protocolPointer) else { return }
    for connection in context.protocolMembers[index].members {
        connection.setReceiveFlow(enabled: true)
    }
}

@_cdecl("libwebsocket_set_timeout")
public func libwebsocket_set_timeout(_ wsi: OpaquePointer?, _ reason: pending_timeout, _ secs: Int32) {
    Connection.with(wsi, otherwise: ()) { $0.setTimeout(reason: Int32(bitPattern: reason.rawValue), seconds: secs) }
}

@_cdecl("lws_partial_buffered")
public func lws_partial_buffered(_ wsi: OpaquePointer?) -> Int32 {
    Connection.with(wsi, otherwise: 0) { $0.hasBacklog ? 1 : 0 }
}

/// 1 when a write now would not go straight to the kernel: bytes the
/// socket refused are still buffered, or (inside a service call, where
/// writes are collected) a socket buffer's worth was already written in
/// this call. Answered from our own state, never with a poll(2): without a
/// backlog the kernel took everything we sent it, so the worst a "no" can
/// cost is one write kept in our buffer until the socket drains, after
/// which the backlog says "choked" (an application asking before every
/// message used to pay a syscall per message here).
@_cdecl("lws_send_pipe_choked")
public func lws_send_pipe_choked(_ wsi: OpaquePointer?) -> Int32 {
    Connection.with(wsi, otherwise: 1) { connection in
        connection.hasBacklog || connection.wroteSocketBufferInBatch ? 1 : 0
    }
}

/// HTTP/1 and WebSocket have no peer-granted write window: (size_t)-1 says
/// "no limit", as 1.4 answered outside HTTP/2.
@_cdecl("lws_get_peer_write_allowance")
public func lws_get_peer_write_allowance(_ wsi: OpaquePointer?) -> Int {
    -1
}

/// The context and index of an entry of a protocols array that was passed
/// to `libwebsocket_create_context` (its owning_server and protocol_index
/// were written then).
func resolveProtocol(_ pointer: UnsafePointer<libwebsocket_protocols>?) -> (Context, Int)? {
    guard let pointer, let context = Context.from(pointer.pointee.owning_server) else {
        Log.error("protocol is NULL or not registered with a context")
        return nil
    }
    let index = Int(pointer.pointee.protocol_index)
    guard index >= 0, index < context.protocolCount else { return nil }
    return (context, index)
}
