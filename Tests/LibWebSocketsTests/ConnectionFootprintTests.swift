import CLibWebSockets
import XCTest
@testable import LibWebSockets

/// Every idle connection pays for `Connection`'s stored properties, so
/// their size is a budget: at most 136 bytes, the largest object glibc
/// serves from a 144-byte chunk (RSS per idle connection is measured by
/// bench/run.sh's idle rows; this catches a field that silently pushes the
/// object into the next size class).
/// glibc's `malloc_usable_size` (declared in malloc.h, which no module map
/// here covers).
@_silgen_name("malloc_usable_size")
private func mallocUsableSize(_ block: UnsafeMutableRawPointer) -> Int

final class ConnectionFootprintTests: XCTestCase {
    func testAConnectionFitsA144ByteMallocChunk() throws {
        let protocols = UnsafeMutablePointer<libwebsocket_protocols>.allocate(capacity: 2)
        defer { protocols.deallocate() }
        protocols.initialize(repeating: libwebsocket_protocols(), count: 2)
        protocols[0].name = UnsafePointer(strdup("footprint"))
        protocols[0].callback = { _, _, _, _, _, _ in 0 }
        defer { free(UnsafeMutableRawPointer(mutating: protocols[0].name)) }
        var info = lws_context_creation_info()
        info.port = CONTEXT_PORT_NO_LISTEN
        info.protocols = protocols
        info.gid = -1
        info.uid = -1
        let handle = try XCTUnwrap(libwebsocket_create_context(&info))
        defer { libwebsocket_context_destroy(handle) }
        let context = Unmanaged<Context>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()

        let connection = Connection(context: context, fd: -1, role: .server)
        let object = Unmanaged.passUnretained(connection).toOpaque()
        XCTAssertLessThanOrEqual(mallocUsableSize(object), 136)
        // Nothing else is allocated for a connection that has not started.
        XCTAssertNil(connection.exchange)
        XCTAssertNil(connection.receiving)
        XCTAssertNil(connection.extensions)
        withExtendedLifetime(connection) {}
    }
}
