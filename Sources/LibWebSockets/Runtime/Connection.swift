import CLibWebSockets
import WebSocketCompression
import WebSocketProtocol

/// A `struct libwebsocket`: one TCP connection, from accept (or connect)
/// through HTTP and the WebSocket session to its close.
///
/// The C handle is an unretained pointer to this object; the context's fd
/// table owns it. User callbacks may re-enter the library with this handle,
/// so nothing here keeps an exclusive access to its own state across a
/// callback, and a close requested inside a callback is carried out after it
/// returns (`requestClose`). docs/DESIGN.md draws the close path.
final class Connection {
    enum Role {
        case server
        case client
    }

    /// Where the connection is in its life. Each state says what incoming
    /// bytes mean.
    enum State {
        /// Reading an HTTP request head (server) — possibly the next one on a
        /// keep-alive connection.
        case awaitingHTTPHead
        /// Delivering a request body of known length as HTTP_BODY callbacks.
        case readingHTTPBody
        /// The request was handed to the application, which is answering it;
        /// further input stays unread until `lws_http_transaction_completed`.
        case httpResponding
        /// An established WebSocket session.
        case webSocket
        /// Server, TLS port with plain clients allowed: waiting for the first
        /// byte to tell a TLS ClientHello from plain HTTP.
        case sniffingTLS
        /// The TLS handshake is in progress (server accept or client connect).
        case tlsHandshaking
        /// Client: the TCP connect is in progress.
        case clientConnecting
        /// Client: CONNECT sent to the HTTP proxy, waiting for its 200.
        case clientAwaitingProxy
        /// Client: the opening handshake is sent, waiting for the 101.
        case clientAwaitingHandshake
        /// The application wrote a close frame first (LWS_WRITE_CLOSE); we
        /// wait for the peer's close.
        case awaitingCloseAck
        /// Logically closed (CLOSED or CLOSED_HTTP delivered, or being
        /// delivered); flushing what is buffered, then half-closing and
        /// discarding input until the peer closes too, so the last bytes we
        /// sent are not destroyed by a TCP reset.
        case lingering
        /// The socket is closed and the object is about to be released.
        case dead
    }

    // Every connection carries all of these, idle or not. State that only
    // one phase or an unfinished message uses is a reference, nil while
    // unused (HTTPExchange, ReceiveState, ExtensionState, ClientRequest,
    // the buffers). The order is chosen for size: references first, then
    // 4- and 2-byte fields, then InputFlow and SendSide each followed by
    // single bytes that fill the tail alignment would otherwise waste.
    // Swift lays stored properties out in declaration order, so moving one
    // can cost a malloc size class (16 bytes per connection): keep the
    // object at most 136 bytes, the largest that glibc serves from a
    // 144-byte chunk.

    /// Strong, though the context owns its connections: each access to an
    /// unowned reference retained and released the context (two atomic
    /// operations, several times per message). The cycle ends when the
    /// context is destroyed, which drops every connection.
    let context: Context
    /// per_session_data: allocated zeroed by us (freed after CLOSED) unless
    /// the client connect call supplied its own (`ownsUserData` false).
    var userData: UnsafeMutableRawPointer?
    /// Client role: what the connect call asked for, until established.
    var clientRequest: Boxed<ClientRequest>?
    /// TLS over the socket, when this connection uses it.
    var tls: TLSSession?
    /// Negotiated extensions; nil while there are none.
    var extensions: ExtensionState?
    /// The WebSocket receive path's state while frames are decoded or one
    /// is unfinished (`ReceiveState`); nil between messages.
    var receiving: ReceiveState?
    /// The HTTP exchange while there is one (see `http`).
    var exchange: HTTPExchange?
    var outbound = OutboundBuffer()

    let fd: Int32
    /// Tells this connection from a later one on the same fd, for requests
    /// queued by other threads. 32 bits: a request would have to wait
    /// through four billion connections to be misdelivered, and then it
    /// would cost one spurious WRITEABLE.
    let serial: UInt32
    /// Indexes in the context's TimeoutSet and ProtocolMembers (-1: not a
    /// member), owned by those sets.
    var timeoutSlot: Int32 = -1
    var memberSlot: Int32 = -1
    /// A close asked for while a user callback may be on the stack.
    var requestedClose: CloseReason?
    /// Index into the context's protocols array (0 until a protocol is
    /// chosen); a context has at most 65535 protocols.
    private var protocolSlot: UInt16 = 0
    /// The events currently requested from the poller (POLLIN / POLLOUT).
    var pollEvents: Int16 = 0

    var input = InputFlow()
    let role: Role
    var state: State = .awaitingHTTPHead
    var ownsUserData = true
    var sending = SendSide()
    /// How many receive-path calls (`consumeFrames`, a resumed inflation)
    /// are on the stack: `receiving` may only go back to the pool from the
    /// outermost, since a callback can feed input again (libwebsocket_read).
    var receiveDepth: UInt8 = 0
    /// The application has been told the connection ended (CLOSED,
    /// CLOSED_HTTP, CLIENT_CONNECTION_ERROR), or is being told: no further
    /// callbacks, input or writes. Not a state, since the client's error
    /// comes in whatever state the handshake failed.
    var muted = false

    var protocolIndex: Int {
        get { Int(protocolSlot) }
        set { protocolSlot = UInt16(truncatingIfNeeded: newValue) }
    }

    var closeRequested: Bool { requestedClose != nil }

    /// A WebSocket session is open (our close frame may have gone out:
    /// `awaitingCloseAck`); it ends with the logical close.
    var established: Bool { state == .webSocket || state == .awaitingCloseAck }

    var handle: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    /// Runs `body` on the connection behind a C handle (`otherwise` for
    /// NULL), without retaining it: the context keeps every connection
    /// alive until the end of the service call that destroys it
    /// (`Context.retired`), so a handle is good for the whole of an API
    /// call. A retain and release per call (two atomic operations) was a
    /// tenth of what echoing a small message cost.
    static func with<Result>(_ handle: OpaquePointer?, otherwise: Result, _ body: (Connection) -> Result) -> Result {
        guard let handle else { return otherwise }
        return Unmanaged<Connection>.fromOpaque(UnsafeRawPointer(handle))._withUnsafeGuaranteedRef(body)
    }

    init(context: Context, fd: Int32, role: Role) {
        self.context = context
        self.fd = fd
        self.role = role
        self.serial = context.makeSerial()
        LiveHandles.shared.insert(self)
    }

    deinit {
        LiveHandles.shared.remove(self)
        receiving?.free()
    }

    /// Puts an accepted connection into service: it joins the fd table and
    /// the poll set, and the application hears about it.
    func start() {
        context.adopt(self)
        context.callProtocol(0, self, LWS_CALLBACK_WSI_CREATE, nil, nil, 0)
        context.callProtocol(0, self, LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED, nil, nil, 0)
        if let sslContext = context.tls.server {
            beginServerTLS(sslContext, allowPlain: context.tls.allowPlainOnTLSPort)
        } else {
            beginHTTPRequest()
        }
        pollEvents = readsInput ? Int16(POLLIN) : 0
        context.registerPoll(fd: fd, events: pollEvents, connection: self)
    }

    var protocolPointer: UnsafeMutablePointer<libwebsocket_protocols> { context.protocols + protocolIndex }

    /// Calls this connection's protocol callback with its user data.
    @discardableResult
    func callUser(_ reason: libwebsocket_callback_reasons, _ input: UnsafeMutableRawPointer? = nil, _ length: Int = 0) -> Int32 {
        context.callProtocol(protocolIndex, self, reason, userData, input, length)
    }

    // MARK: Poll interest

    /// Whether the socket is read now. Input the connection cannot use yet
    /// (an HTTP request is being answered, flow control is off, input read
    /// earlier is still held) stays in the kernel: polling for it anyway
    /// made epoll report the socket readable on every turn, a busy loop.
    /// Nor is a peer read while answering it made us owe it too much.
    var readsInput: Bool {
        switch state {
        case .lingering:
            return true
        case .httpResponding, .clientConnecting, .dead:
            return false
        default:
            return input.flowEnabled && input.held.isEmpty && !hasPausedInflation && !input.pausedByBacklog
        }
    }

    /// Whether epoll watches for the peer's FIN (EPOLLRDHUP): until it has
    /// been seen once, since an unread FIN stays reported.
    var watchesPeerFinish: Bool { !input.peerFinished }

    /// Recomputes what to poll for from the connection's state: input while
    /// it can be used, output while something is buffered or a writable
    /// callback waits for the socket.
    func updatePoll() {
        guard state != .dead else { return }
        var wanted: Int16 = 0
        if readsInput { wanted |= Int16(POLLIN) }
        if hasBacklog || (sending.writableRequested && !sending.writableQueued) || exchange?.fileTransfer != nil
            || state == .clientConnecting || tls?.wantsWrite == true {
            wanted |= Int16(POLLOUT)
        }
        if wanted != pollEvents {
            let previous = pollEvents
            pollEvents = wanted
            context.changePoll(fd: fd, from: previous, to: wanted, connection: self)
        }
    }

    // MARK: Events

    func service(revents: Int16) {
        if state == .sniffingTLS || state == .tlsHandshaking {
            if revents & Int16(POLLERR | POLLHUP) != 0 && revents & Int16(POLLIN) == 0 {
                peerVanished()
            } else if state == .sniffingTLS {
                sniffTLS()
            } else {
                advanceTLSHandshake()
            }
            completeRequestedClose()
            return
        }
        // A connect that failed reports POLLERR and POLLHUP with POLLOUT;
        // completing the connect handles them (next address, or failure).
        let connecting = state == .clientConnecting
        if revents & Int16(POLLOUT) != 0 {
            // A TLS read that needed to write is retried on writability.
            if tls?.wantsWrite == true && state != .clientConnecting {
                handleReadable()
            }
            handleWritable()
        }
        if revents & Int16(POLLIN) != 0 && state != .dead {
            handleReadable()
        }
        if !connecting && state != .dead {
            noticeHangUp(revents)
        }
        completeRequestedClose()
    }

    /// EPOLLRDHUP as it arrives in revents (POLLRDHUP has the same value).
    static let peerFinishEvent = Int16(truncatingIfNeeded: EPOLLRDHUP.rawValue)

    /// Hang-ups count whether or not the socket is being read: input held
    /// or left unread must not hide a peer that is gone.
    private func noticeHangUp(_ revents: Int16) {
        if revents & Int16(POLLERR | POLLHUP) != 0 {
            peerVanished()
        } else if revents & Connection.peerFinishEvent != 0 && !readsInput {
            peerFinishedSending()
        }
    }

    /// The peer's FIN while its input is not being read. A request being
    /// answered ends the connection there, as reading that end of stream
    /// always did (and 1.4 did). Otherwise the input before the FIN is still
    /// wanted (flow control is off, or held input waits): epoll stops
    /// watching, and reading finds the end of the stream once it resumes.
    private func peerFinishedSending() {
        if state == .httpResponding {
            peerVanished()
            return
        }
        input.peerFinished = true
        context.changePoll(fd: fd, from: pollEvents, to: pollEvents, connection: self)
    }

    func handleReadable() {
        if state == .lingering {
            discardUntilPeerCloses()
            return
        }
        // Input held back earlier must be processed before anything newer,
        // or messages would be reordered.
        if !input.held.isEmpty || hasPausedInflation {
            resumeInput()
            guard input.held.isEmpty, !hasPausedInflation else { return }
        }
        let buffer = context.readBuffer
        // TLS may hold decrypted bytes epoll cannot see: keep reading while
        // it does (bounded, so one connection cannot starve the others).
        // Once the input cannot be used, they stay inside OpenSSL until it
        // can (`inputMayResume`).
        for _ in 0..<16 {
            guard readingContinues else { break }
            switch transportReceive(into: buffer) {
            case .transferred(let count):
                let bytes = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
                if case .stopped(let offset) = processAnswering(bytes) {
                    hold(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
                }
            case .wouldBlock:
                updatePoll()
                return
            case .closed, .failed:
                peerVanished()
                return
            }
            guard tls?.hasBufferedInput == true else { break }
        }
        if readingContinues && tls?.hasBufferedInput == true { scheduleHeldInput() }
        updatePoll()
    }

    private var readingContinues: Bool { readsInput && !muted && !closeRequested }

    /// How far `process` got with a buffer of input.
    enum InputProgress {
        /// All of it was used, or what is left no longer matters (the
        /// connection is closing).
        case finished
        /// Processing stopped before this offset: the bytes from there on
        /// wait until input may be used again (flow control off, a
        /// pipelined request while the current one is answered).
        case stopped(at: Int)
    }

    /// Processes received bytes according to the state, up to where the
    /// state says the rest must wait.
    func process(_ bytes: UnsafeMutableRawBufferPointer) -> InputProgress {
        var offset = 0
        while offset < bytes.count && !closeRequested && !muted {
            if !input.flowEnabled { return .stopped(at: offset) }
            let rest = UnsafeMutableRawBufferPointer(rebasing: bytes[offset...])
            switch state {
            case .awaitingHTTPHead:
                offset += consumeHTTPHead(rest)
            case .readingHTTPBody:
                offset += consumeHTTPBody(rest)
            case .webSocket, .awaitingCloseAck:
                offset += hasApplicationExtensions && !input.heldIsPrepared
                    ? consumeFramesThroughExtensions(rest) : consumeFrames(rest)
            case .clientAwaitingProxy:
                offset += consumeProxyResponse(rest)
            case .clientAwaitingHandshake:
                offset += consumeHandshakeResponse(rest)
            case .httpResponding, .clientConnecting, .sniffingTLS, .tlsHandshaking:
                return .stopped(at: offset)
            case .lingering, .dead:
                return .finished
            }
        }
        return .finished
    }

    /// Processes received bytes; whatever cannot be processed now is held
    /// for later.
    func consume(_ bytes: UnsafeMutableRawBufferPointer) {
        if case .stopped(let offset) = process(bytes) {
            hold(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
        }
    }

    /// Processes the peer's input and stops reading it when answering that
    /// input pushed what we owe it past `owedBound`. Only answers count: our
    /// own large writes must not stop us reading a peer that may itself
    /// wait for us to read before it reads (both sides would wait forever).
    private func processAnswering(_ bytes: UnsafeMutableRawBufferPointer) -> InputProgress {
        let owedBefore = outbound.count
        let progress = process(bytes)
        if outbound.count > owedBefore && owesTooMuch {
            input.pausedByBacklog = true
        }
        return progress
    }

    /// Keeps input for later; without memory for it, the connection fails
    /// (input cannot be skipped).
    func hold(_ bytes: UnsafeRawBufferPointer) {
        guard input.held.append(bytes) else {
            Log.error("fd \(fd): no memory to hold \(bytes.count) received bytes, closing")
            requestClose(.webSocket(.unexpectedCondition))
            return
        }
    }

    /// Processes held input once it may be (flow control back on, or the
    /// previous HTTP transaction completed). Called from the service loop.
    ///
    /// The bytes are processed where they are held (see `HeldInput`); if
    /// processing stops again, the rest simply stays held.
    func resumeInput() {
        input.queued = false
        guard state != .dead, input.flowEnabled else { return }
        guard resumePausedInflation() else {
            updatePoll()
            completeRequestedClose()
            return
        }
        if input.held.isEmpty && (state == .webSocket || state == .awaitingCloseAck) {
            // Flow control may have stopped decoding right after a frame's
            // last payload byte: its end (the last inflated piece, the UTF-8
            // check) is due now, not when the peer next sends something.
            _ = consumeFrames(UnsafeMutableRawBufferPointer(start: context.readBuffer.baseAddress, count: 0))
        }
        if input.held.isEmpty {
            if tls?.hasBufferedInput == true { handleReadable() }
            updatePoll()
            completeRequestedClose()
            return
        }
        // Taken out while callbacks run: they may hold input of their own
        // (an extension's prepared bytes), which then comes first.
        var pending = input.held.take()
        let progress = processAnswering(pending.bytes)
        if case .stopped(let offset) = progress, state != .dead, !muted {
            pending.removeFirst(offset)
            if input.held.isEmpty {
                input.held = pending
            } else {
                hold(UnsafeRawBufferPointer(pending.bytes))
            }
        }
        if input.held.isEmpty { input.heldIsPrepared = false }
        // Input OpenSSL decrypted before flow control stopped us is invisible
        // to epoll: read it now, or it would wait for the peer's next bytes.
        if input.held.isEmpty && input.flowEnabled && tls?.hasBufferedInput == true { handleReadable() }
        updatePoll()
        completeRequestedClose()
    }

    /// `libwebsocket_rx_flow_control`: off stops reading the socket (input
    /// already read is held); on resumes, held input first.
    func setReceiveFlow(enabled: Bool) {
        guard state != .dead, !muted, input.flowEnabled != enabled else { return }
        input.flowEnabled = enabled
        if enabled {
            inputMayResume()
        } else {
            updatePoll()
        }
    }

    /// What kept input from being used is gone: held input (and what
    /// OpenSSL holds) is processed from the service loop first, then the
    /// socket is read again.
    func inputMayResume() {
        scheduleHeldInput()
        updatePoll()
    }

    func scheduleHeldInput() {
        guard !input.held.isEmpty || hasPausedInflation || tls?.hasBufferedInput == true, !input.queued else { return }
        input.queued = true
        context.pendingInput.append(self)
        if !context.usesInternalService { context.wake.signal() }
    }

    // MARK: Timeouts

    func setTimeout(reason: Int32, seconds: Int32) {
        exchange?.answerTimeoutArmed = false
        if reason == 0 || seconds <= 0 {
            context.timeouts.remove(self)
            return
        }
        context.timeouts.arm(self, reason: reason, deadline: Clock.nowMilliseconds() &+ UInt64(seconds) &* 1000)
    }

    /// A timeout ends any state the same way (`drop`); the close-ack one of
    /// awaitingCloseAck and lingering included.
    func timeoutExpired() {
        guard state != .dead else { return }
        Log.information("fd \(fd): timeout (reason \(context.timeouts.reason(of: self)))")
        context.timeouts.remove(self)
        drop("timed out")
    }

    // MARK: Closing (drawn in docs/DESIGN.md)

    /// Asks for the connection to be closed once the current callback has
    /// returned. The first reason asked for is kept, except that `.abnormal`
    /// replaces a wire code: once the transport has failed, the close frame
    /// an earlier request wanted can no longer go out.
    func requestClose(_ reason: CloseReason = .webSocket(.normal)) {
        guard state != .dead, !muted else { return }
        if closeRequested {
            if reason == .abnormal { requestedClose = .abnormal }
            return
        }
        requestedClose = reason
        context.pendingClose.append(self)
        // Asked for outside a service call (a write that failed, a callback
        // run by libwebsocket_callback_all_protocol), the close must not
        // wait for unrelated traffic: an external poll loop is woken to
        // call back in; libwebsocket_service finds the work pending.
        if !context.usesInternalService { context.wake.signal() }
    }

    func completeRequestedClose() {
        guard let reason = requestedClose else { return }
        requestedClose = nil
        close(reason)
    }

    /// The logical close: an open WebSocket is sent its close frame, the
    /// application gets CLOSED or CLOSED_HTTP and its per-session data is
    /// freed; then the socket lingers to flush.
    ///
    /// `peerClosed`: the peer's close frame ended the session, so the close
    /// handshake is complete and the peer sends nothing more (RFC 6455
    /// 5.5.1). A server's plain socket whose last bytes the kernel has
    /// taken then closes at once, as RFC 6455 7.1.1 wants of a server (a
    /// client waits for the server to close) and as 1.4 did: waiting for
    /// the peer's FIN cost a wakeup and a read per connection, and with
    /// nothing left to read, closing sends no reset. After `.abnormal` the
    /// transport failed: nothing can be flushed, no FIN is worth waiting for.
    func close(_ reason: CloseReason, peerClosed: Bool = false) {
        guard state != .dead, !muted else { return }
        if isClientHandshaking {
            failClientConnection("closed before the handshake completed")
            return
        }
        sendCloseFrame(reason)
        finishForApplication()
        linger(unlessDone: reason == .abnormal || peerClosed && role == .server && tls == nil)
    }

    /// The peer closed TCP or the socket failed: no close handshake is possible.
    func peerVanished() {
        drop("connection closed by the server during the handshake")
    }

    /// Closes without lingering: the peer is gone, a timeout expired, or the
    /// context is being destroyed (`goingAway`: an open WebSocket with
    /// nothing unsent is told 1001 first). A client still handshaking gets
    /// CLIENT_CONNECTION_ERROR with `clientError` instead of CLOSED; a
    /// connection the application already heard the end of is only destroyed.
    func drop(_ clientError: StaticString, goingAway: Bool = false) {
        guard state != .dead else { return }
        if !muted {
            if isClientHandshaking {
                failClientConnection(clientError)
                return
            }
            if goingAway && outbound.isEmpty { sendCloseFrame(.webSocket(.goingAway)) }
            finishForApplication()
        }
        destroy()
    }

    /// Everything the application sees of a close, exactly once. The state
    /// is already `lingering` during CLOSED / CLOSED_HTTP: a write or a
    /// writable request from there is refused (-1, as in 1.4), so nothing
    /// follows our close frame (RFC 6455 5.5.1).
    private func finishForApplication() {
        let wasEstablished = established
        state = .lingering
        muted = true
        context.protocolMembers[protocolIndex].remove(self)
        sending.writableRequested = false
        if let transfer = exchange?.fileTransfer {
            transfer.close()
            exchange?.fileTransfer = nil
        }
        if wasEstablished {
            callUser(LWS_CALLBACK_CLOSED)
        } else if exchange?.sawRequest == true {
            callUser(LWS_CALLBACK_CLOSED_HTTP)
        }
        destroyExtensions()
        releaseUserData()
        endHTTPExchange()
        endReceiving()
        input.held.removeAll()
    }

    /// Allocates per_session_data (zeroed). False when a non-zero size
    /// cannot be had: the application is never handed a NULL it did not
    /// ask for, the connection fails instead (as in 1.4).
    func allocateUserData(_ size: Int) -> Bool {
        userData = Allocator.allocateZeroed(size)
        ownsUserData = true
        if size != 0 && userData == nil {
            Log.error("fd \(fd): no memory for \(UInt(bitPattern: size)) bytes of per-session data")
            return false
        }
        return true
    }

    func releaseUserData() {
        if ownsUserData { Allocator.free(userData) }
        userData = nil
        ownsUserData = true
    }

    /// Flush, half-close, and wait briefly for the peer's FIN; or, when
    /// `unlessDone` and everything was flushed, close now.
    private func linger(unlessDone: Bool = false) {
        guard state != .dead else { return }  // CLOSED destroyed the context, and us
        input.flowEnabled = true
        flushOutbound()
        if state == .dead { return }
        if unlessDone && outbound.isEmpty {
            destroy()
            return
        }
        setTimeout(reason: Int32(PENDING_TIMEOUT_CLOSE_ACK.rawValue), seconds: 5)
        if outbound.isEmpty {
            halfClose()
        }
        updatePoll()
    }

    /// Reads and drops what a closed connection's peer still sends, a
    /// bounded number of reads per wake-up: a peer that keeps sending must
    /// not hold the service thread (the level-triggered poll brings us back,
    /// and the close-ack timeout ends the lingering in any case).
    private func discardUntilPeerCloses() {
        let buffer = context.readBuffer
        for _ in 0..<Connection.discardReadsPerWake {
            switch transportReceive(into: buffer) {
            case .transferred:
                continue
            case .wouldBlock:
                return
            case .closed, .failed:
                destroy()
                return
            }
        }
    }

    static let discardReadsPerWake = 16

    /// Final teardown: out of the poll set and fd table, socket closed,
    /// WSI_DESTROY delivered. The context's table held the last reference.
    func destroy() {
        guard state != .dead else { return }
        state = .dead
        context.timeouts.remove(self)
        context.protocolMembers[protocolIndex].remove(self)
        context.unregisterPoll(fd: fd, connection: self)
        tls = nil
        Socket.close(fd)
        context.callProtocol(0, self, LWS_CALLBACK_WSI_DESTROY, nil, nil, 0)
        releaseUserData()
        if let transfer = exchange?.fileTransfer {
            transfer.close()
            exchange?.fileTransfer = nil
        }
        context.forget(self)
    }
}
