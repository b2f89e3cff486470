import XCTest
@testable import LibWebSockets
import CLibWebSockets

final class SupportTests: XCTestCase {
    func testLogLineInterpolatesIntegersBytesAndCStrings() {
        let name: [CChar] = [104, 105, 0]  // "hi"
        let line: LogLine = name.withUnsafeBufferPointer { p in
            "fd \(42) code \(-7) name \(cString: p.baseAddress) \(bytes: [65, 66])"
        }
        XCTAssertEqual(line.bytes, Array("fd 42 code -7 name hi AB".utf8))
        let null: LogLine = "x \(cString: nil)"
        XCTAssertEqual(null.bytes, Array("x (null)".utf8))
    }

    func testAppendDecimal() {
        var out: [UInt8] = []
        appendDecimal(0, to: &out)
        out.append(32)
        appendDecimal(UInt64.max, to: &out)
        out.append(32)
        appendDecimal(Int64.min, to: &out)
        XCTAssertEqual(out, Array("0 18446744073709551615 -9223372036854775808".utf8))
    }

    func testListContainsTokenIsCaseInsensitiveAndListAware() {
        XCTAssertTrue(listContainsToken(ArraySlice(Array("keep-alive, Upgrade".utf8)), "upgrade"))
        XCTAssertTrue(listContainsToken(ArraySlice(Array("UPGRADE".utf8)), "upgrade"))
        XCTAssertTrue(listContainsToken(ArraySlice(Array(" a ,\tWebSocket\t".utf8)), "websocket"))
        XCTAssertFalse(listContainsToken(ArraySlice(Array("upgraded".utf8)), "upgrade"))
        XCTAssertFalse(listContainsToken(ArraySlice(Array("".utf8)), "upgrade"))
    }

    func testProxyAddressParsing() {
        func parse(_ s: String) -> ProxyAddress? {
            s.withCString { ProxyAddress.parse($0) }
        }
        let plain = parse("proxy.example:3128")
        XCTAssertEqual(plain?.port, 3128)
        XCTAssertEqual(plain.map { String(cString: $0.host) }, "proxy.example")
        let url = parse("http://10.0.0.1:8080/")
        XCTAssertEqual(url?.port, 8080)
        XCTAssertEqual(url.map { String(cString: $0.host) }, "10.0.0.1")
        let v6 = parse("[::1]:99")
        XCTAssertEqual(v6.map { String(cString: $0.host) }, "::1")
        XCTAssertNil(parse("noport"))
        XCTAssertNil(parse("host:"))
        XCTAssertNil(parse("host:0"))
        XCTAssertNil(parse("host:65536"))
        XCTAssertNil(parse("host:12a"))
        XCTAssertNil(parse(":80"))
    }

    func testOutboundBufferKeepsOrderAcrossPartialDrains() {
        let blocks = SpareBlocks()
        var buffer = OutboundBuffer()
        XCTAssertTrue(buffer.isEmpty)
        [UInt8](0..<100).withUnsafeBytes { XCTAssertTrue(buffer.append($0, blocks: blocks)) }
        var seen: [UInt8] = []
        buffer.drain(blocks: blocks) { bytes in
            seen.append(contentsOf: bytes.prefix(30))
            return 30
        }
        [UInt8](100..<120).withUnsafeBytes { XCTAssertTrue(buffer.append($0, blocks: blocks)) }
        XCTAssertEqual(buffer.count, 90)
        while !buffer.isEmpty {
            buffer.drain(blocks: blocks) { bytes in
                seen.append(contentsOf: bytes.prefix(7))
                return min(7, bytes.count)
            }
        }
        XCTAssertEqual(seen, [UInt8](0..<120))
    }

    /// A pong replaces the previous one only while that is the last thing
    /// buffered and no send has been offered it.
    func testOutboundBufferReplacesOnlyAnUnsentTrailingPong() {
        let blocks = SpareBlocks()
        func contents(_ buffer: inout OutboundBuffer) -> [UInt8] {
            var seen: [UInt8] = []
            buffer.drain(blocks: blocks) { bytes in
                seen.append(contentsOf: bytes)
                return bytes.count
            }
            return seen
        }
        var buffer = OutboundBuffer()
        [UInt8]([1, 2]).withUnsafeBytes { XCTAssertTrue(buffer.append($0, blocks: blocks)) }
        [UInt8]([10, 10, 10]).withUnsafeBytes { XCTAssertTrue(buffer.appendPong($0, blocks: blocks)) }
        [UInt8]([11]).withUnsafeBytes { XCTAssertTrue(buffer.appendPong($0, blocks: blocks)) }
        XCTAssertEqual(contents(&buffer), [1, 2, 11])

        // Data after the pong keeps it.
        [UInt8]([20]).withUnsafeBytes { XCTAssertTrue(buffer.appendPong($0, blocks: blocks)) }
        [UInt8]([3]).withUnsafeBytes { XCTAssertTrue(buffer.append($0, blocks: blocks)) }
        [UInt8]([21]).withUnsafeBytes { XCTAssertTrue(buffer.appendPong($0, blocks: blocks)) }
        XCTAssertEqual(contents(&buffer), [20, 3, 21])

        // A pong a send was offered (and refused) stays too.
        [UInt8]([30]).withUnsafeBytes { XCTAssertTrue(buffer.appendPong($0, blocks: blocks)) }
        buffer.drain(blocks: blocks) { _ in 0 }
        [UInt8]([31]).withUnsafeBytes { XCTAssertTrue(buffer.appendPong($0, blocks: blocks)) }
        XCTAssertEqual(contents(&buffer), [30, 31])
    }

    /// Growing past its block and moving down after drains keep the
    /// bytes and their order, and the pong replacement.
    func testOutboundBufferGrowsAndMovesDown() {
        let blocks = SpareBlocks()
        var buffer = OutboundBuffer()
        var expected: [UInt8] = []
        var seen: [UInt8] = []
        for round in 0..<200 {
            let chunk = [UInt8](repeating: UInt8(round & 0xff), count: 97 + round * 13)
            chunk.withUnsafeBytes { XCTAssertTrue(buffer.append($0, blocks: blocks)) }
            expected.append(contentsOf: chunk)
            buffer.drain(blocks: blocks) { bytes in
                let n = bytes.count / 2
                seen.append(contentsOf: bytes.prefix(n))
                return n
            }
        }
        [UInt8]([1]).withUnsafeBytes { XCTAssertTrue(buffer.appendPong($0, blocks: blocks)) }
        [UInt8]([2]).withUnsafeBytes { XCTAssertTrue(buffer.appendPong($0, blocks: blocks)) }
        expected.append(2)
        buffer.drain(blocks: blocks) { bytes in
            seen.append(contentsOf: bytes)
            return bytes.count
        }
        XCTAssertTrue(buffer.isEmpty)
        XCTAssertEqual(seen, expected)
    }

    /// An emptied buffer's memory goes to the context's blocks and the next
    /// buffer starts from it; blocks too large, or more than the budget,
    /// go back to the heap instead.
    func testSpareBlocksRecycleWithinBounds() {
        let blocks = SpareBlocks()
        var first = OutboundBuffer()
        let batch = [UInt8](repeating: 7, count: 10_000)
        batch.withUnsafeBytes { XCTAssertTrue(first.append($0, blocks: blocks)) }
        first.drain(blocks: blocks) { $0.count }
        XCTAssertTrue(first.isEmpty)
        XCTAssertNil(blocks.take(atLeast: 1 << 20), "no kept block is that large")
        guard let grown = blocks.take(atLeast: batch.count) else { return XCTFail("the emptied buffer kept no block") }
        XCTAssertGreaterThanOrEqual(grown.capacity, batch.count)
        XCTAssertNil(blocks.take(atLeast: 0))
        blocks.giveBack(grown)

        var second = OutboundBuffer()
        batch.withUnsafeBytes { XCTAssertTrue(second.append($0, blocks: blocks)) }
        XCTAssertNil(blocks.take(atLeast: 0), "the second buffer took the kept block")
        second.clear(blocks: blocks)
        let again = blocks.take(atLeast: 0)
        XCTAssertEqual(again?.start, grown.start)
        if let again { blocks.giveBack(again) }
        XCTAssertNotNil(blocks.take(atLeast: 0).map { free($0.start) })

        let huge = SpareBlocks.Block(start: malloc(SpareBlocks.largestKept + 1)!,
                                        capacity: SpareBlocks.largestKept + 1)
        blocks.giveBack(huge)
        XCTAssertNil(blocks.take(atLeast: 0))
        let count = SpareBlocks.bytesKept / SpareBlocks.largestKept + 1
        for _ in 0..<count {
            blocks.giveBack(SpareBlocks.Block(start: malloc(SpareBlocks.largestKept)!,
                                                 capacity: SpareBlocks.largestKept))
        }
        var kept = 0
        while let block = blocks.take(atLeast: 0) {
            kept += 1
            free(block.start)
        }
        XCTAssertEqual(kept, count - 1)
    }

    /// A buffer grown to hold a full cork (64 KiB and a frame more) gives
    /// back a block SpareBlocks keeps: a block just over its limit was
    /// freed after every batch and, above malloc's mmap threshold, mapped
    /// again for the next one.
    func testAFullCorkBlockIsKept() {
        let blocks = SpareBlocks()
        var buffer = OutboundBuffer()
        let frame = [UInt8](repeating: 9, count: 1024)
        for _ in 0 ..< (Connection.corkLimit / frame.count + 1) {
            frame.withUnsafeBytes { XCTAssertTrue(buffer.append($0, blocks: blocks)) }
        }
        buffer.drain(blocks: blocks) { $0.count }
        XCTAssertTrue(buffer.isEmpty)
        guard let kept = blocks.take(atLeast: Connection.corkLimit + frame.count) else {
            return XCTFail("the block of a full cork was not kept")
        }
        XCTAssertLessThanOrEqual(kept.capacity, SpareBlocks.largestKept)
        free(kept.start)
    }

    /// Held input comes back in arrival order however it is appended and
    /// consumed, and is processed in place: the bytes before and after it
    /// (the padding a RECEIVE may write into) belong to it.
    func testHeldInputKeepsOrderAndPadding() {
        var held = HeldInput()
        XCTAssertTrue(held.isEmpty)
        XCTAssertEqual(held.bytes.count, 0)
        var expected: [UInt8] = []
        var seen: [UInt8] = []
        for round in 0..<200 {
            let chunk = [UInt8](repeating: UInt8(round & 0xff), count: 61 + round * 29)
            chunk.withUnsafeBytes { XCTAssertTrue(held.append($0)) }
            expected.append(contentsOf: chunk)
            let bytes = held.bytes
            let n = bytes.count / 3
            seen.append(contentsOf: bytes.prefix(n))
            // The padding around the held bytes is writable.
            let pre = Int(LWS_SEND_BUFFER_PRE_PADDING)
            (bytes.baseAddress! - pre).initializeMemory(as: UInt8.self, repeating: 0xee, count: pre)
            (bytes.baseAddress! + bytes.count).storeBytes(of: 0, as: UInt8.self)
            held.removeFirst(n)
        }
        seen.append(contentsOf: held.bytes)
        XCTAssertEqual(seen, expected)
        held.removeFirst(held.count)
        XCTAssertTrue(held.isEmpty)
    }

    func testHeldInputTakeLeavesItEmpty() {
        var held = HeldInput()
        [UInt8](1...5).withUnsafeBytes { XCTAssertTrue(held.append($0)) }
        held.removeFirst(2)
        var taken = held.take()
        XCTAssertTrue(held.isEmpty)
        XCTAssertEqual(Array(taken.bytes), [3, 4, 5])
        [UInt8]([6]).withUnsafeBytes { XCTAssertTrue(taken.append($0)) }
        XCTAssertEqual(Array(taken.bytes), [3, 4, 5, 6])
        taken.removeAll()
        XCTAssertTrue(taken.isEmpty)
    }

    func testAddressSpaceRefusesLengthsNoBufferCanHave() {
        let p = UnsafeRawPointer(bitPattern: 0x1000)
        XCTAssertTrue(AddressSpace.contains(p, count: 0))
        XCTAssertTrue(AddressSpace.contains(p, count: 1 << 40))
        XCTAssertTrue(AddressSpace.contains(nil, count: 0))
        XCTAssertFalse(AddressSpace.contains(p, count: -1))
        XCTAssertFalse(AddressSpace.contains(p, count: Int.min))
        XCTAssertFalse(AddressSpace.contains(p, count: 1 << 57))
        XCTAssertFalse(AddressSpace.contains(p, count: 1 << 62))
        XCTAssertFalse(AddressSpace.contains(p, count: Int.max))
        XCTAssertFalse(AddressSpace.contains(UnsafeRawPointer(bitPattern: UInt.max - 1), count: 4))
    }
}
