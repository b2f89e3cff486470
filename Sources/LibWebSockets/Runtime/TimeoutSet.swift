/// The connections that have a pending timeout, each with its deadline and
/// the reason the application gave (`libwebsocket_set_timeout`).
///
/// Only these are examined by the once-a-second timeout pass, so idle
/// connections without a timeout cost nothing per service call. The
/// deadline and reason live here rather than on the connection: most
/// connections have no timeout most of the time, and every byte of
/// `Connection` is paid by every idle connection. Each member remembers
/// its index here (`Connection.timeoutSlot`), so insert, update and remove
/// are O(1); removing moves the last entry into the freed slot.
struct TimeoutSet {
    struct Pending {
        let connection: Connection
        var deadline: UInt64
        var reason: Int32
    }

    private(set) var pending: [Pending] = []

    /// Arms (or re-arms) the connection's timeout.
    mutating func arm(_ connection: Connection, reason: Int32, deadline: UInt64) {
        if let slot = slot(of: connection) {
            pending[slot].deadline = deadline
            pending[slot].reason = reason
            return
        }
        connection.timeoutSlot = Int32(pending.count)
        pending.append(Pending(connection: connection, deadline: deadline, reason: reason))
    }

    mutating func remove(_ connection: Connection) {
        guard let slot = slot(of: connection) else { return }
        let last = pending.removeLast()
        if slot < pending.count {
            pending[slot] = last
            last.connection.timeoutSlot = Int32(slot)
        }
        connection.timeoutSlot = -1
    }

    /// The reason of the connection's pending timeout; 0 when none.
    func reason(of connection: Connection) -> Int32 {
        slot(of: connection).map { pending[$0].reason } ?? 0
    }

    /// The connection's index here, checked against the entry (a stale
    /// slot field never reaches another connection's entry).
    private func slot(of connection: Connection) -> Int? {
        let slot = Int(connection.timeoutSlot)
        guard slot >= 0, slot < pending.count, pending[slot].connection === connection else { return nil }
        return slot
    }

    /// The members whose deadline has passed, collected first so that closing
    /// them (which edits the set) cannot disturb the scan.
    func expired(at now: UInt64) -> [Connection] {
        var due: [Connection] = []
        for entry in pending where entry.deadline <= now {
            due.append(entry.connection)
        }
        return due
    }
}
