import XCTest
import WebSocketCompression
#if canImport(Glibc)
import Glibc
#endif

/// Inflating never allocates in proportion to the output: everything goes
/// through the caller's buffer.
final class MemoryBoundTests: XCTestCase {
    /// The process's resident set size, from /proc/self/statm.
    private func residentBytes() -> Int? {
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var text = [UInt8](repeating: 0, count: 128)
        let count = text.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let fields = text[0..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// 256 MiB of zeros, compressed to a few hundred KB, inflated with no
    /// size limit through a 64 KiB buffer: every byte arrives, and the
    /// resident size stays within a few MiB of where it started.
    func testUnlimitedInflationOfHugeMessageKeepsMemoryFlat() throws {
        let deflater = try XCTUnwrap(MessageDeflater())
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        var payloads: [[UInt8]] = []
        for index in 0..<256 {
            var out: [UInt8] = []
            XCTAssertTrue(deflater.compress(zeros, isFinal: index == 255, appendingTo: &out))
            payloads.append(out)
        }
        XCTAssertLessThan(payloads.reduce(0) { $0 + $1.count }, 1 << 20)

        let inflater = try XCTUnwrap(MessageInflater(maxMessageSize: 0))
        var buffer = [UInt8](repeating: 0xEE, count: 64 << 10)
        let start = try XCTUnwrap(residentBytes())
        var peak = start
        var total = 0
        var nonZero = false
        var calls = 0
        for (index, payload) in payloads.enumerated() {
            payload.withUnsafeBytes { input in
                inflater.feed(input, isFinalFragmentOfMessage: index == payloads.count - 1)
                while true {
                    let step = buffer.withUnsafeMutableBytes { inflater.nextChunk(into: $0) }
                    guard case .produced(let count) = step else {
                        XCTAssertEqual(step, index == payloads.count - 1 ? .messageEnd : .needInput)
                        return
                    }
                    total += count
                    nonZero = nonZero || buffer[0] != 0 || buffer[count - 1] != 0
                    calls += 1
                    if calls % 256 == 0, let now = residentBytes() { peak = max(peak, now) }
                }
            }
        }
        XCTAssertEqual(total, 256 << 20)
        XCTAssertFalse(nonZero)
        XCTAssertLessThan(peak - start, 8 << 20, "resident size grew while inflating")
    }
}
