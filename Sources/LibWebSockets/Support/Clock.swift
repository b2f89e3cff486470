import CLibWebSockets

/// Monotonic time for timeouts: wall-clock jumps must not fire or stall them.
enum Clock {
    static func nowMilliseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1000 &+ UInt64(ts.tv_nsec / 1_000_000)
    }
}
