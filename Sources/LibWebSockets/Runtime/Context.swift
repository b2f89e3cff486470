import CLibWebSockets
import WebSocketProtocol

/// A `struct libwebsocket_context`: the protocols, the listening socket, the
/// poller and every connection, serviced by one thread.
///
/// The C handle is an unretained pointer to this object; the context keeps
/// itself alive from `libwebsocket_create_context` until
/// `libwebsocket_context_destroy` releases it.
final class Context {
    let protocols: UnsafeMutablePointer<libwebsocket_protocols>
    let protocolCount: Int
    let user: UnsafeMutableRawPointer?
    let options: UInt32
    let tokenLimits: TokenLimits
    let keepalive: Socket.Keepalive?

    var listenFd: Int32 = -1
    let epollFd: Int32
    let wake: WakeSignal
    var canonicalHostname: [CChar] = [0]
    let tls: TLSContext
    let extensionSet: ExtensionSet
    var proxy: ProxyAddress?

    /// Connections by file descriptor: the fd is the key every poll event carries.
    var connectionsByFd: [Connection?] = []
    var protocolMembers: [ProtocolMembers]
    var timeouts = TimeoutSet()
    /// Spare receive states for connections whose input ends mid-frame.
    var receiveStates = ReceiveStatePool()
    var nextSerial: UInt32 = 1
    var maskingKeys = MaskingKeyPool()
    /// Where a frame that extensions transformed (compressed) is built
    /// before it is sent; see `takeFrameScratch`.
    private var frameScratch: [UInt8] = []

    /// Work for the next service call: writable callbacks that need no poll
    /// round trip, input held back by flow control or pipelining, and
    /// connections whose close was requested inside a user callback.
    var pendingWritable: [Connection] = []
    var pendingInput: [Connection] = []
    var pendingClose: [Connection] = []
    /// Inside a service call writes are corked, and flushed per connection
    /// when the batch ends: one send for all of a connection's frames.
    var corking = false
    /// The connections written to in this service call.
    var batchWriters: [Connection] = []
    /// Memory the connections' outbound buffers gave back, for reuse.
    let spareBlocks = SpareBlocks()
    /// Destroyed connections, kept until the outermost service call in
    /// progress returns (or the next one, when none was): API calls reach
    /// a connection through its handle without retaining it
    /// (`Connection.with`), and a call may destroy the connection midway.
    var retired: [Connection] = []
    var serviceDepth = 0

    /// Set once the application calls `libwebsocket_service`: from then on a
    /// writable request on an idle socket is answered without a poll round
    /// trip. External-poll applications never call it and get POLLOUT.
    var usesInternalService = false
    var serviceThread: pthread_t = 0
    var hasServiceThread = false
    /// The service thread's id as the application's GET_THREAD_ID gave it (0: not provided).
    var serviceThreadTag: Int32 = 0
    var lastTimeoutScan: UInt64 = 0
    var acceptBackoff = AcceptBackoff()
    var heapTrim = HeapTrim()

    /// One receive buffer for all connections: input is consumed before the
    /// next read, so it never needs to be per connection. It has
    /// LWS_SEND_BUFFER_PRE_PADDING bytes of headroom so a RECEIVE callback
    /// may write its reply in place, as 1.4 applications do.
    let readBuffer: UnsafeMutableRawBufferPointer
    private let readAllocation: UnsafeMutableRawPointer
    let epollEvents: UnsafeMutablePointer<epoll_event>
    static let epollBatch = 256
    private var filePieceStorage: UnsafeMutableRawBufferPointer?

    /// What files served over TLS are read into, a piece at a time (see
    /// `FileTransfer`); made on first use, shared, since each piece is sent
    /// (or copied into the outbound buffer) before the next is read.
    var filePiece: UnsafeMutableRawBufferPointer {
        if let existing = filePieceStorage { return existing }
        let fresh = UnsafeMutableRawBufferPointer.allocate(byteCount: FileTransfer.pieceSize, alignment: 16)
        filePieceStorage = fresh
        return fresh
    }
    static let readBufferSize = 65536

    var handle: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    static func from(_ handle: OpaquePointer?) -> Context? {
        guard let handle else { return nil }
        return Unmanaged<Context>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
    }

    private init(info: lws_context_creation_info, protocolCount: Int, epollFd: Int32, wake: WakeSignal) {
        self.protocols = info.protocols
        self.protocolCount = protocolCount
        self.user = info.user
        self.options = info.options
        self.epollFd = epollFd
        self.wake = wake
        self.tls = TLSContext(info: info)
        self.extensionSet = ExtensionSet(info.extensions)
        var limits = TokenLimits()
        if let custom = info.token_limits {
            withUnsafeBytes(of: custom.pointee.token_limit) { raw in
                let values = raw.bindMemory(to: UInt16.self)
                for i in 0..<min(values.count, HeaderToken.count) where values[i] != 0 {
                    limits.limits[i] = values[i]
                }
            }
        }
        self.tokenLimits = limits
        self.keepalive = info.ka_time > 0
            ? Socket.Keepalive(time: info.ka_time, probes: max(info.ka_probes, 1), interval: max(info.ka_interval, 1))
            : nil
        self.protocolMembers = [ProtocolMembers](repeating: ProtocolMembers(), count: protocolCount)
        let padding = Int(LWS_SEND_BUFFER_PRE_PADDING)
        readAllocation = UnsafeMutableRawPointer.allocate(byteCount: padding + Context.readBufferSize + Int(LWS_SEND_BUFFER_POST_PADDING), alignment: 16)
        readBuffer = UnsafeMutableRawBufferPointer(start: readAllocation + padding, count: Context.readBufferSize)
        epollEvents = UnsafeMutablePointer<epoll_event>.allocate(capacity: Context.epollBatch)
    }

    /// `libwebsocket_create_context`: everything or nothing — on any failure
    /// the partial context is torn down and nil returned with a logged reason.
    static func create(_ info: lws_context_creation_info) -> Context? {
        guard let protocols = info.protocols else {
            Log.error("create_context: no protocols array")
            return nil
        }
        var count = 0
        while protocols[count].callback != nil { count += 1 }
        guard count > 0 else {
            Log.error("create_context: the protocols array has no entry with a callback")
            return nil
        }
        // A connection keeps its protocol's index in 16 bits.
        guard count <= Int(UInt16.max) else {
            Log.error("create_context: more than 65535 protocols")
            return nil
        }
        let epollFd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFd >= 0 else {
            Log.error("create_context: epoll_create1 failed, errno \(lws_c_errno())")
            return nil
        }
        guard let wake = WakeSignal() else {
            Log.error("create_context: eventfd failed, errno \(lws_c_errno())")
            Socket.close(epollFd)
            return nil
        }
        let context = Context(info: info, protocolCount: count, epollFd: epollFd, wake: wake)
        _ = Unmanaged.passRetained(context)
        for i in 0..<count {
            protocols[i].owning_server = context.handle
            protocols[i].protocol_index = Int32(i)
        }
        if info.port != CONTEXT_PORT_NO_LISTEN {
            guard context.listen(port: info.port, iface: info.iface) else {
                context.release()
                return nil
            }
        }
        if context.listenFd >= 0 && info.ssl_cert_filepath != nil {
            guard context.tls.setUpServer(context, info: info) else {
                context.release()
                return nil
            }
            Log.note("TLS enabled on port \(info.port)")
        }
        context.dropPrivileges(gid: info.gid, uid: info.uid)
        if context.options & UInt32(LWS_SERVER_OPTION_SKIP_SERVER_CANONICAL_NAME.rawValue) == 0 {
            context.lookUpCanonicalHostname()
        }
        context.proxy = ProxyAddress.fromCreationInfo(info)
        context.registerPoll(fd: wake.fd, events: Int16(POLLIN), connection: nil)
        if context.listenFd >= 0 {
            context.registerPoll(fd: context.listenFd, events: Int16(POLLIN), connection: nil)
        }
        context.extensionSet.constructAll(context, serving: context.listenFd >= 0)
        for i in 0..<count {
            _ = context.callProtocol(i, nil, LWS_CALLBACK_PROTOCOL_INIT, nil, nil, 0)
        }
        Log.note("libwebsockets context created, \(count) protocols, port \(info.port)")
        return context
    }

    /// Binds the listening socket: IPv6 dual-stack unless disabled, or the
    /// address of `iface` (an interface name or an address literal).
    private func listen(port: Int32, iface: UnsafePointer<CChar>?) -> Bool {
        guard port >= 0 && port <= 65535 else {
            Log.error("create_context: invalid port \(port)")
            return false
        }
        let ipv6 = options & UInt32(LWS_SERVER_OPTION_DISABLE_IPV6.rawValue) == 0
        var address: SocketAddress
        if let iface {
            guard let found = SocketAddress.literal(iface, port: UInt16(port))
                ?? SocketAddress.interface(iface, port: UInt16(port), ipv6: ipv6) else {
                Log.error("create_context: unknown interface \(cString: iface)")
                return false
            }
            address = found
        } else {
            address = SocketAddress.any(port: UInt16(port), ipv6: ipv6)
        }
        var fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 && iface == nil && address.family == AF_INET6 {
            // A kernel without IPv6: fall back to IPv4 rather than fail.
            address = SocketAddress.any(port: UInt16(port), ipv6: false)
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        guard fd >= 0 else {
            Log.error("create_context: socket failed, errno \(lws_c_errno())")
            return false
        }
        Socket.setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        // Sharing the port was asked for: without it every listener but
        // the first would fail to bind, so a kernel that refuses it fails
        // this context now, with the reason, rather than a later one.
        if options & UInt32(LWS_SERVER_OPTION_ALLOW_LISTEN_SHARE.rawValue) != 0
            && !Socket.setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1) {
            Log.error("create_context: SO_REUSEPORT refused, errno \(lws_c_errno())")
            Socket.close(fd)
            return false
        }
        if address.family == AF_INET6 {
            Socket.setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 0)
        }
        let bound = address.withSockaddr { bind(fd, $0, $1) }
        guard bound == 0 else {
            Log.error("create_context: bind to port \(port) failed, errno \(lws_c_errno())")
            Socket.close(fd)
            return false
        }
        guard CLibWebSockets.listen(fd, SOMAXCONN) == 0 else {
            Log.error("create_context: listen failed, errno \(lws_c_errno())")
            Socket.close(fd)
            return false
        }
        listenFd = fd
        Log.note("listening on port \(port)")
        return true
    }

    private func dropPrivileges(gid: Int32, uid: Int32) {
        if gid != -1 && setgid(gid_t(bitPattern: gid)) != 0 {
            Log.warning("setgid(\(gid)) failed, errno \(lws_c_errno())")
        }
        if uid != -1 && setuid(uid_t(bitPattern: uid)) != 0 {
            Log.warning("setuid(\(uid)) failed, errno \(lws_c_errno())")
        }
    }

    private func lookUpCanonicalHostname() {
        var name = [CChar](repeating: 0, count: 256)
        if gethostname(&name, name.count - 1) == 0 {
            canonicalHostname = name
        }
    }

    /// Calls protocol `index`'s callback; a context-level call has no wsi.
    @discardableResult
    func callProtocol(_ index: Int, _ connection: Connection?, _ reason: libwebsocket_callback_reasons,
                      _ user: UnsafeMutableRawPointer?, _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
        guard index >= 0, index < protocolCount, let callback = protocols[index].callback else { return 0 }
        return callback(handle, connection?.handle, reason, user, input, length)
    }

    func connection(forFd fd: Int32) -> Connection? {
        guard fd >= 0, Int(fd) < connectionsByFd.count else { return nil }
        return connectionsByFd[Int(fd)]
    }

    func adopt(_ connection: Connection) {
        let index = Int(connection.fd)
        if index >= connectionsByFd.count {
            connectionsByFd.append(contentsOf: repeatElement(nil, count: index + 1 - connectionsByFd.count))
        }
        connectionsByFd[index] = connection
        heapTrim.connectionAdded()
    }

    func forget(_ connection: Connection) {
        let index = Int(connection.fd)
        if index < connectionsByFd.count && connectionsByFd[index] === connection {
            connectionsByFd[index] = nil
            heapTrim.connectionRemoved()
        }
        retired.append(connection)
    }

    /// Brackets a service call: this thread is known to service the
    /// context until it returns (`isForeignThread`), and the connections it
    /// destroyed are released once the outermost one returns, when no
    /// callback can hold a handle. Returns what `leaveService` restores.
    func enterService() -> UnsafeRawPointer? {
        serviceDepth += 1
        let previous = lws_c_get_serviced_context()
        lws_c_set_serviced_context(UnsafeRawPointer(handle))
        return previous
    }

    func leaveService(restoring previous: UnsafeRawPointer?) {
        lws_c_set_serviced_context(previous)
        serviceDepth -= 1
        if serviceDepth == 0 && !retired.isEmpty { retired.removeAll(keepingCapacity: true) }
    }

    /// The frame scratch array, emptied with its capacity kept; whoever
    /// takes it puts it back when done (`returnFrameScratch`).
    func takeFrameScratch() -> [UInt8] {
        var taken: [UInt8] = []
        swap(&taken, &frameScratch)
        taken.removeAll(keepingCapacity: true)
        return taken
    }

    /// Keeps the scratch array for the next frame, unless a large message
    /// grew it: that memory goes back rather than staying for good.
    func returnFrameScratch(_ scratch: [UInt8]) {
        frameScratch = scratch.capacity <= Context.keptScratchCapacity ? scratch : []
    }

    static let keptScratchCapacity = 65536

    func makeSerial() -> UInt32 {
        defer { nextSerial &+= 1 }
        return nextSerial
    }

    /// `libwebsocket_context_destroy`: every connection is closed (each gets
    /// its CLOSED / CLOSED_HTTP callback), then each protocol gets
    /// PROTOCOL_DESTROY, then all memory is released.
    func destroy() {
        let wasServing = listenFd >= 0
        for case let connection? in connectionsByFd {
            connection.drop("closed before the handshake completed", goingAway: true)
        }
        if listenFd >= 0 {
            unregisterPoll(fd: listenFd, connection: nil)
            Socket.close(listenFd)
            listenFd = -1
        }
        unregisterPoll(fd: wake.fd, connection: nil)
        for i in 0..<protocolCount {
            _ = callProtocol(i, nil, LWS_CALLBACK_PROTOCOL_DESTROY, nil, nil, 0)
        }
        extensionSet.destructAll(self, serving: wasServing)
        release()
    }

    /// Frees what the context itself holds and ends its self-retain.
    private func release() {
        for i in 0..<protocolCount where protocols[i].owning_server == handle {
            protocols[i].owning_server = nil
        }
        wake.close()
        Socket.close(epollFd)
        if listenFd >= 0 { Socket.close(listenFd) }
        readAllocation.deallocate()
        epollEvents.deallocate()
        filePieceStorage?.deallocate()
        filePieceStorage = nil
        // Connections hold their context strongly: every list of them goes.
        connectionsByFd = []
        retired = []
        batchWriters = []
        timeouts = TimeoutSet()
        protocolMembers = [ProtocolMembers](repeating: ProtocolMembers(), count: protocolCount)
        pendingWritable = []
        pendingInput = []
        pendingClose = []
        Unmanaged.passUnretained(self).release()
    }
}
