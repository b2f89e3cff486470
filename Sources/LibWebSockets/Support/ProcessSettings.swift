import CLibWebSockets

/// The lock of the settings a process shares between all its contexts and
/// threads: the log level and emitter. `lws_set_log_level` takes no context
/// and may be called from any thread while others service their contexts,
/// so they are read and written under this mutex. A plain mutex: they are
/// read once per log line, never per byte.
final class ProcessSettings {
    static let shared = ProcessSettings()

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    private init() {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    static func withLock<T>(_ body: () -> T) -> T {
        let mutex = shared.mutex
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }
}
