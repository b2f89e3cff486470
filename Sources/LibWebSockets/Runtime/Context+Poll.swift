import CLibWebSockets

/// The poll set: epoll inside, the 1.4 external-poll notifications outside.
///
/// Every change is applied to our epoll set (so `libwebsocket_service` never
/// scans idle connections) and announced to protocols[0] as ADD_POLL_FD /
/// DEL_POLL_FD / CHANGE_MODE_POLL_FD between LOCK_POLL and UNLOCK_POLL, so an
/// application with its own poll loop can mirror the set exactly. POLLIN and
/// POLLOUT have the same bit values in poll(2) and epoll(7).
extension Context {
    func registerPoll(fd: Int32, events: Int16, connection: Connection?) {
        if !epollControl(EPOLL_CTL_ADD, fd: fd, events: events, connection: connection) {
            Log.error("epoll_ctl ADD fd \(fd) failed, errno \(lws_c_errno())")
        }
        notifyPoll(LWS_CALLBACK_ADD_POLL_FD, fd: fd, events: events, previous: 0, connection: connection)
    }

    /// Also called with equal events when only the hang-up watch changed:
    /// then the application is told nothing.
    func changePoll(fd: Int32, from previous: Int16, to events: Int16, connection: Connection?) {
        if !epollControl(EPOLL_CTL_MOD, fd: fd, events: events, connection: connection) {
            Log.error("epoll_ctl MOD fd \(fd) failed, errno \(lws_c_errno())")
        }
        if events != previous {
            notifyPoll(LWS_CALLBACK_CHANGE_MODE_POLL_FD, fd: fd, events: events, previous: previous, connection: connection)
        }
    }

    func unregisterPoll(fd: Int32, connection: Connection?) {
        var event = epoll_event()
        _ = epoll_ctl(epollFd, EPOLL_CTL_DEL, fd, &event)
        notifyPoll(LWS_CALLBACK_DEL_POLL_FD, fd: fd, events: 0, previous: 0, connection: connection)
    }

    /// Our own interest in fd: the announced events, plus EPOLLRDHUP for a
    /// connection, so a peer's FIN is noticed while its input is not being
    /// read (POLLERR and POLLHUP are reported anyway). Only epoll gets it:
    /// external poll loops mirror POLLIN and POLLOUT, as 1.4 announced.
    func epollControl(_ operation: Int32, fd: Int32, events: Int16, connection: Connection?) -> Bool {
        var event = epoll_event()
        event.events = UInt32(UInt16(bitPattern: events))
        if let connection, connection.watchesPeerFinish {
            event.events |= EPOLLRDHUP.rawValue
        }
        event.data.u64 = UInt64(UInt32(bitPattern: fd))
        return epoll_ctl(epollFd, operation, fd, &event) == 0
    }

    private func notifyPoll(_ reason: libwebsocket_callback_reasons, fd: Int32, events: Int16, previous: Int16,
                            connection: Connection?) {
        var args = libwebsocket_pollargs(fd: fd, events: Int32(events), prev_events: Int32(previous))
        callProtocol(0, connection, LWS_CALLBACK_LOCK_POLL, nil, nil, 0)
        withUnsafeMutablePointer(to: &args) {
            _ = callProtocol(0, connection, reason, connection?.userData, UnsafeMutableRawPointer($0), 0)
        }
        callProtocol(0, connection, LWS_CALLBACK_UNLOCK_POLL, nil, nil, 0)
    }
}
