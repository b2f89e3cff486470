/// When accepting fails for want of resources (no file descriptor left in
/// the process or the system, no buffer memory), the pending connection
/// stays in the listen queue and the listener stays readable: accepting
/// again at once would fail again, on every turn of the loop, burning a
/// core and flooding the log. Instead the listener is left out of the poll
/// set for `pauseMilliseconds`, then tried again; one line is logged when
/// such an episode starts and one, with the count, when accepting works again.
struct AcceptBackoff {
    static let pauseMilliseconds: UInt64 = 1000

    /// Since when accepting has been failing (nil: it is not).
    private(set) var episodeStart: UInt64?
    /// Failed accepts in this episode (one per pause).
    private(set) var failures = 0
    /// When the listener is polled again (nil: it is being polled).
    private(set) var pausedUntil: UInt64?

    var isPaused: Bool { pausedUntil != nil }

    /// An accept failed for want of resources: pause. True when this
    /// starts an episode (the caller logs it).
    mutating func failed(at now: UInt64) -> Bool {
        failures += 1
        pausedUntil = now &+ AcceptBackoff.pauseMilliseconds
        guard episodeStart == nil else { return false }
        episodeStart = now
        return true
    }

    /// True when the pause is over: the listener is to be polled again.
    mutating func resumeIfDue(at now: UInt64) -> Bool {
        guard let until = pausedUntil, now >= until else { return false }
        pausedUntil = nil
        return true
    }

    /// A connection was accepted. When that ends an episode, how many
    /// accepts failed in it and for how many milliseconds.
    mutating func accepted(at now: UInt64) -> (failures: Int, milliseconds: UInt64)? {
        guard let start = episodeStart else { return nil }
        let ended = (failures, now &- start)
        episodeStart = nil
        failures = 0
        return ended
    }
}
