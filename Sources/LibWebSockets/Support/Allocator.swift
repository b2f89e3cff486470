import CLibWebSockets

/// Memory the library hands to C code (per-session data, extension user
/// data) goes through the `realloc`-style function set by `lws_set_allocator`,
/// so an application with its own allocator sees every such block.
enum Allocator {
    typealias Realloc = @convention(c) (UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer?

    nonisolated(unsafe) static var custom: Realloc?

    /// A zeroed block of `size` bytes, or nil when out of memory or size is 0.
    static func allocateZeroed(_ size: Int) -> UnsafeMutableRawPointer? {
        guard size > 0 else { return nil }
        let block: UnsafeMutableRawPointer?
        if let custom {
            block = custom(nil, size)
        } else {
            block = malloc(size)
        }
        if let block { memset(block, 0, size) }
        return block
    }

    static func free(_ block: UnsafeMutableRawPointer?) {
        guard let block else { return }
        if let custom {
            _ = custom(block, 0)
        } else {
            CLibWebSockets.free(block)
        }
    }
}
