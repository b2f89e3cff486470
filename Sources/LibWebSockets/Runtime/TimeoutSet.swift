/// The connections that currently have a pending timeout.
///
/// Only these are examined by the once-a-second timeout pass, so idle
/// connections without a timeout cost nothing per service call. Membership is
/// O(1) both ways: each connection remembers its slot.
struct TimeoutSet {
    private(set) var members: [Connection] = []

    mutating func insert(_ connection: Connection) {
        guard connection.timeoutSlot < 0 else { return }
        connection.timeoutSlot = members.count
        members.append(connection)
    }

    mutating func remove(_ connection: Connection) {
        let slot = connection.timeoutSlot
        guard slot >= 0, slot < members.count, members[slot] === connection else { return }
        let last = members.removeLast()
        if slot < members.count {
            members[slot] = last
            last.timeoutSlot = slot
        }
        connection.timeoutSlot = -1
    }

    /// The members whose deadline has passed, collected first so that closing
    /// them (which edits the set) cannot disturb the scan.
    func expired(at now: UInt64) -> [Connection] {
        var due: [Connection] = []
        for connection in members where connection.timeoutDeadline <= now {
            due.append(connection)
        }
        return due
    }
}

/// The connections of one protocol, for the `..._all_protocol` calls.
struct ProtocolMembers {
    private(set) var members: [Connection] = []

    mutating func insert(_ connection: Connection) {
        guard connection.memberSlot < 0 else { return }
        connection.memberSlot = members.count
        members.append(connection)
    }

    mutating func remove(_ connection: Connection) {
        let slot = connection.memberSlot
        guard slot >= 0, slot < members.count, members[slot] === connection else { return }
        let last = members.removeLast()
        if slot < members.count {
            members[slot] = last
            last.memberSlot = slot
        }
        connection.memberSlot = -1
    }
}
