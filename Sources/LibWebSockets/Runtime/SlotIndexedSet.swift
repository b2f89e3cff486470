/// A set of connections in which insert and remove are O(1) both ways:
/// each member remembers its index in `members` (its slot), and removing
/// one moves the last member into the freed slot. A connection belongs to
/// several such sets at once, so each kind of set has a slot field of its
/// own on `Connection`; `Slot` names it. (The timeouts, which carry a
/// deadline per member, are a `TimeoutSet`.)
struct SlotIndexedSet<Slot: ConnectionSlot> {
    private(set) var members: [Connection] = []

    mutating func insert(_ connection: Connection) {
        guard Slot[connection] < 0 else { return }
        Slot[connection] = members.count
        members.append(connection)
    }

    mutating func remove(_ connection: Connection) {
        let slot = Slot[connection]
        guard slot >= 0, slot < members.count, members[slot] === connection else { return }
        let last = members.removeLast()
        if slot < members.count {
            members[slot] = last
            Slot[last] = slot
        }
        Slot[connection] = -1
    }
}

/// Which of a connection's slot fields a `SlotIndexedSet` keeps: a type
/// rather than a stored key, so that each set compiles to direct field
/// accesses (and Embedded Swift needs no existential).
protocol ConnectionSlot {
    /// The connection's index in the set's `members`; -1 when it is not a
    /// member.
    static subscript(_ connection: Connection) -> Int { get set }
}

/// The connections of one protocol, for the `..._all_protocol` calls.
typealias ProtocolMembers = SlotIndexedSet<MemberSlot>

enum MemberSlot: ConnectionSlot {
    static subscript(_ connection: Connection) -> Int {
        get { Int(connection.memberSlot) }
        set { connection.memberSlot = Int32(newValue) }
    }
}
