/// Runs `body` on a copy of `bytes` in a heap block of exactly that size.
///
/// The fuzzer's own buffer is larger than the input it holds, so a read just
/// past a piece would go unnoticed; in a block of its own, AddressSanitizer
/// reports the first byte beyond it. The copy is also what the code under
/// test may write to (the frame decoder unmasks in place).
public func withExactCopy<Result>(of bytes: UnsafeRawBufferPointer,
                                  _ body: (UnsafeMutableRawBufferPointer) -> Result) -> Result {
    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
    defer { copy.deallocate() }
    copy.copyMemory(from: bytes)
    return body(copy)
}
