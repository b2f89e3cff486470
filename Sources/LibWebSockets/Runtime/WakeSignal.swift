import CLibWebSockets

/// The one fd another thread may poke: an eventfd in the context's poll set.
///
/// `libwebsocket_cancel_service` writes it so a blocked service call returns;
/// `libwebsocket_callback_on_writable` from a foreign thread queues its
/// request here (under a mutex) and writes it, and the service thread applies
/// the queue. Requests name a connection by fd and serial, never by pointer,
/// so a request for a connection that closed meanwhile is simply dropped.
final class WakeSignal {
    struct WritableRequest {
        var fd: Int32
        var serial: UInt32
    }

    let fd: Int32
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var requests: [WritableRequest] = []
    private var protocolRequests: [Int] = []

    init?() {
        let fd = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard fd >= 0 else { return nil }
        self.fd = fd
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    func signal() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { write(fd, $0.baseAddress, 8) }
    }

    /// Reads the counter back to zero so the fd stops polling readable.
    func drain() {
        var value: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &value) { read(fd, $0.baseAddress, 8) }
    }

    func enqueue(_ request: WritableRequest) {
        pthread_mutex_lock(mutex)
        requests.append(request)
        pthread_mutex_unlock(mutex)
        signal()
    }

    func enqueue(protocolIndex: Int) {
        pthread_mutex_lock(mutex)
        protocolRequests.append(protocolIndex)
        pthread_mutex_unlock(mutex)
        signal()
    }

    /// Hands over everything queued so far, leaving the queues empty.
    func take() -> (connections: [WritableRequest], protocols: [Int]) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if requests.isEmpty && protocolRequests.isEmpty { return ([], []) }
        let taken = (requests, protocolRequests)
        requests = []
        protocolRequests = []
        return taken
    }

    /// Runs body under the mutex of the queues (it also guards the
    /// context's record of its service thread).
    func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    func close() {
        Socket.close(fd)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }
}
