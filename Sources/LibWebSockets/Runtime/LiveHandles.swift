import CLibWebSockets

/// The handle of every connection alive in the process, for the one call
/// that may name a connection from any thread
/// (`libwebsocket_callback_on_writable`).
///
/// Such a call must not touch the object behind its `wsi` before knowing
/// it is alive: a close on the service thread may have freed it a moment
/// ago. The table holds handle addresses only. Under its lock, a handle
/// found there is one whose deinit has not yet removed it, so its
/// constant fields (the owning context, the fd and the serial) can still
/// be read; a stale pointer is refused instead of dereferenced. A freed
/// handle's address may be reused by a newer connection; a request through
/// the old pointer then reaches that connection as a spurious WRITEABLE,
/// never freed memory.
///
/// Open addressing with linear probing on malloc'd slots of one word
/// (0 marks a free slot), grown at three quarters load: about 13 bytes per
/// connection at 10,000. Slots that also carried the context, fd and
/// serial were 32 bytes, about 50 per connection, a tenth of what an idle
/// one cost. No Swift collection, so no hashing seed and no copy-on-write
/// under the lock.
final class LiveHandles {

    /// What a live handle resolves to.
    struct Live {
        let context: Context
        let fd: Int32
        let serial: UInt32
    }

    static let shared = LiveHandles()

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var slots: UnsafeMutablePointer<UInt>
    private var capacity = 64
    private var count = 0

    private init() {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        slots = LiveHandles.makeSlots(capacity)
    }

    /// Records a connection as alive (from its creation).
    func insert(_ connection: Connection) {
        let address = LiveHandles.address(of: connection)
        pthread_mutex_lock(mutex)
        if (count + 1) * 4 > capacity * 3 { grow() }
        place(address)
        count += 1
        pthread_mutex_unlock(mutex)
    }

    /// Forgets a connection (at its deinit: from then on its handle is stale).
    func remove(_ connection: Connection) {
        let address = LiveHandles.address(of: connection)
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let mask = capacity - 1
        var i = LiveHandles.home(address, mask)
        while slots[i] != address {
            if slots[i] == 0 { return }
            i = (i + 1) & mask
        }
        slots[i] = 0
        count -= 1
        // Backward-shift deletion: entries after the gap that may sit there
        // move into it, so every lookup still finds its key before a free slot.
        var gap = i
        var j = (i + 1) & mask
        while slots[j] != 0 {
            let home = LiveHandles.home(slots[j], mask)
            if (j &- home) & mask >= (j &- gap) & mask {
                slots[gap] = slots[j]
                slots[j] = 0
                gap = j
            }
            j = (j + 1) & mask
        }
    }

    /// The live connection behind a C handle, or nil for a stale or foreign pointer.
    func find(_ handle: OpaquePointer) -> Live? {
        let address = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle)))
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let mask = capacity - 1
        var i = LiveHandles.home(address, mask)
        while slots[i] != 0 {
            if slots[i] == address {
                // Not retained: the object may already be in its deinit,
                // waiting for this lock to remove itself.
                return Unmanaged<Connection>.fromOpaque(UnsafeRawPointer(handle))._withUnsafeGuaranteedRef {
                    Live(context: $0.context, fd: $0.fd, serial: $0.serial)
                }
            }
            i = (i + 1) & mask
        }
        return nil
    }

    private func place(_ address: UInt) {
        let mask = capacity - 1
        var i = LiveHandles.home(address, mask)
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = address
    }

    private func grow() {
        let old = slots
        let oldCapacity = capacity
        capacity *= 2
        slots = LiveHandles.makeSlots(capacity)
        for i in 0..<oldCapacity where old[i] != 0 {
            place(old[i])
        }
        old.deallocate()
    }

    private static func makeSlots(_ capacity: Int) -> UnsafeMutablePointer<UInt> {
        let slots = UnsafeMutablePointer<UInt>.allocate(capacity: capacity)
        slots.initialize(repeating: 0, count: capacity)
        return slots
    }

    private static func address(of connection: Connection) -> UInt {
        UInt(bitPattern: Int(bitPattern: Unmanaged.passUnretained(connection).toOpaque()))
    }

    /// Objects are 16-byte aligned: the low bits carry nothing; a
    /// multiplicative hash spreads the rest.
    private static func home(_ address: UInt, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: ((address >> 4) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }
}
