import CLibWebSockets

/// The service loop: one wait, then everything that is ready, then timeouts.
extension Context {
    /// `libwebsocket_service`: waits at most `timeoutMs` for activity (not at
    /// all when work is already pending), services it, runs timeouts.
    func service(timeoutMs: Int32) -> Int32 {
        usesInternalService = true
        noteServiceThread()
        let outerService = enterService()
        corking = true
        defer {
            flushCorked()
            corking = false
            leaveService(restoring: outerService)
        }
        // Writable callbacks wait until this call has read what is ready:
        // see runPendingWork.
        runPendingWork(deliveringWritable: false)
        flushCorked()
        var timeout = timeoutMs < 0 ? Int32(1000) : timeoutMs
        if hasPendingWork { timeout = 0 }
        // Wake at least once a second so timeouts are honoured.
        if timeout > 1000 { timeout = 1000 }
        let count = epoll_wait(epollFd, epollEvents, Int32(Context.epollBatch), timeout)
        if count < 0 {
            if lws_c_errno() == lws_c_EINTR() { return 0 }
            Log.error("epoll_wait failed, errno \(lws_c_errno())")
            return -1
        }
        for i in 0..<Int(count) {
            let event = epollEvents[i]
            let fd = Int32(truncatingIfNeeded: event.data.u64)
            serviceReady(fd: fd, revents: Int16(truncatingIfNeeded: event.events))
        }
        runPendingWork()
        runTimeoutsIfDue()
        return 0
    }

    /// `libwebsocket_service_fd`: services one of our fds from an external
    /// poll loop and zeroes its revents; a foreign fd is left untouched. A
    /// NULL pollfd only runs pending work and timeouts, as 1.4 allowed.
    func serviceFd(_ pollfd: UnsafeMutablePointer<pollfd>?) -> Int32 {
        noteServiceThread()
        let outerService = enterService()
        defer { leaveService(restoring: outerService) }
        guard let pollfd else {
            runPendingWork()
            runTimeoutsIfDue()
            return 0
        }
        let fd = pollfd.pointee.fd
        guard fd == listenFd || fd == wake.fd || connection(forFd: fd) != nil else { return 0 }
        let revents = pollfd.pointee.revents
        pollfd.pointee.revents = 0
        if revents != 0 {
            serviceReady(fd: fd, revents: revents)
        }
        runPendingWork()
        runTimeoutsIfDue()
        return 0
    }

    /// Ends a batch: every connection's corked bytes go out in one send.
    func flushCorked() {
        guard !batchWriters.isEmpty else { return }
        let batch = batchWriters
        batchWriters = []
        for connection in batch where connection.state != .dead {
            connection.endWriteBatch()
        }
    }

    /// Remembers which thread services the context, again whenever another
    /// thread takes the loop over (the old one is foreign from then on),
    /// with the id the application's GET_THREAD_ID gives that thread (its
    /// protocols[0] answering non-zero).
    private func noteServiceThread() {
        let current = pthread_self()
        // Only service threads write these, one at a time, so this read is safe unlocked.
        if hasServiceThread && pthread_equal(serviceThread, current) != 0 { return }
        let tag = callProtocol(0, nil, LWS_CALLBACK_GET_THREAD_ID, nil, nil, 0)
        wake.locked {
            serviceThread = current
            serviceThreadTag = tag
            hasServiceThread = true
        }
    }

    /// False only on the thread provably servicing the context: the pthread
    /// that last entered a service call. Any other thread, and every thread
    /// before the first service call, is foreign: its requests are queued
    /// for the service thread, which is always safe. The application's
    /// GET_THREAD_ID can only add foreignness (a different id on the
    /// service thread, as 1.4 honoured); it cannot make another pthread
    /// local, so a wrong answer costs a wake-up, never a data race.
    ///
    /// Inside a service call of this context on this thread (a callback's
    /// calls) and with no thread ids in play, the thread-local mark answers
    /// without the lock; the tag is read unlocked, as noteServiceThread
    /// reads these, since only service threads write it.
    var isForeignThread: Bool {
        if lws_c_get_serviced_context() == UnsafeRawPointer(handle) && serviceThreadTag == 0 { return false }
        let (known, thread, tag) = wake.locked { (hasServiceThread, serviceThread, serviceThreadTag) }
        guard known, pthread_equal(thread, pthread_self()) != 0 else { return true }
        return tag != 0 && callProtocol(0, nil, LWS_CALLBACK_GET_THREAD_ID, nil, nil, 0) != tag
    }

    var hasPendingWork: Bool {
        !pendingWritable.isEmpty || !pendingInput.isEmpty || !pendingClose.isEmpty
    }

    private func serviceReady(fd: Int32, revents: Int16) {
        if fd == wake.fd {
            wake.drain()
            applyForeignRequests()
        } else if fd == listenFd {
            // An external poll loop may still report the paused listener.
            if !acceptBackoff.isPaused { acceptConnections() }
        } else if let connection = connection(forFd: fd) {
            connection.service(revents: revents)
        }
    }

    /// Applies writable requests queued by other threads.
    private func applyForeignRequests() {
        let (requests, protocolIndexes) = wake.take()
        for request in requests {
            if let connection = connection(forFd: request.fd), connection.serial == request.serial {
                connection.requestWritable()
            }
        }
        for index in protocolIndexes {
            requestWritableForProtocol(index)
        }
    }

    func requestWritableForProtocol(_ index: Int) {
        guard index >= 0, index < protocolCount else { return }
        for connection in protocolMembers[index].members {
            connection.requestWritable()
        }
    }

    /// Work queued for "the next service call": writable callbacks on sockets
    /// with nothing buffered, input held back by flow control or pipelining,
    /// and closes requested from inside user callbacks.
    ///
    /// Writable callbacks are delivered after the input that was ready when
    /// the service call began has been read and delivered, as 1.4 did (it
    /// armed POLLOUT and served it on a later poll round). A WRITEABLE the
    /// application asks for again from inside WRITEABLE therefore comes only
    /// after another round of input: 1.4 programs (an MQTT broker among
    /// them) send only what became ready and stop asking when a WRITEABLE
    /// finds nothing, counting on the input in between to release more.
    func runPendingWork(deliveringWritable: Bool = true) {
        if !pendingClose.isEmpty {
            let closing = pendingClose
            pendingClose = []
            for connection in closing { connection.completeRequestedClose() }
        }
        if !pendingInput.isEmpty {
            let ready = pendingInput
            pendingInput = []
            for connection in ready { connection.resumeInput() }
        }
        if deliveringWritable && !pendingWritable.isEmpty {
            let ready = pendingWritable
            pendingWritable = []
            for connection in ready { connection.deliverPendingWritable() }
        }
    }

    private func runTimeoutsIfDue() {
        let now = Clock.nowMilliseconds()
        guard now &- lastTimeoutScan >= 1000 || now < lastTimeoutScan else { return }
        lastTimeoutScan = now
        if acceptBackoff.resumeIfDue(at: now) {
            changePoll(fd: listenFd, from: 0, to: Int16(POLLIN), connection: nil)
        }
        for connection in timeouts.expired(at: now) {
            connection.timeoutExpired()
        }
        heapTrim.trimIfCrowdLeft()
        if extensionSet.count > 0 {
            for case let connection? in connectionsByFd where connection.established && connection.hasApplicationExtensions {
                connection.tickExtensions()
            }
        }
    }

    /// Stops polling the listener for a while (`AcceptBackoff`).
    private func pauseAccepting(errno e: Int32) {
        if acceptBackoff.failed(at: Clock.nowMilliseconds()) {
            Log.warning("accept failed, errno \(e) (out of descriptors or memory): not accepting for \(AcceptBackoff.pauseMilliseconds) ms at a time until it works again")
        }
        changePoll(fd: listenFd, from: Int16(POLLIN), to: 0, connection: nil)
    }

    /// Accepts what the listen queue holds (bounded per call so one busy
    /// listener cannot starve established connections).
    private func acceptConnections() {
        for _ in 0..<64 {
            var address = SocketAddress()
            address.length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutableBytes(of: &address.storage) { raw in
                accept4(listenFd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &address.length,
                        Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
            }
            if fd < 0 {
                let e = lws_c_errno()
                if e == lws_c_EAGAIN() || e == lws_c_EWOULDBLOCK() { return }
                if e == lws_c_EINTR() { continue }
                if e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM {
                    pauseAccepting(errno: e)
                } else {
                    Log.warning("accept failed, errno \(e)")
                }
                return
            }
            if let episode = acceptBackoff.accepted(at: Clock.nowMilliseconds()) {
                Log.note("accepting again, after \(episode.failures) failed attempts in \(episode.milliseconds) ms")
            }
            let refused = callProtocol(0, nil, LWS_CALLBACK_FILTER_NETWORK_CONNECTION, nil,
                                       UnsafeMutableRawPointer(bitPattern: Int(fd)), 0)
            if refused != 0 {
                Log.information("connection on fd \(fd) refused by FILTER_NETWORK_CONNECTION")
                Socket.close(fd)
                continue
            }
            Socket.configureConnection(fd, keepalive: keepalive)
            let connection = Connection(context: self, fd: fd, role: .server)
            connection.start()
        }
    }
}
