import WebSocketProtocol

/// The parser configuration the input chose: request or response mode and
/// the limits, small ones included so that every limit is reached by heads
/// short enough for the fuzzer to build.
struct ParserSetup {
    var mode: HTTPHeadParser.Mode
    var limits: TokenLimits
    var maxHeadBytes: Int
    var maxHeaderCount: Int

    private static let headLimits = [8192, 64, 300, 1024]
    private static let countLimits = [64, 0, 3, 10]

    /// Bit 0: response mode; bit 1: every token limited to `tokenLimit`
    /// bytes instead of the default 4096; bits 2-3 and 4-5: the head size
    /// and header count limits.
    init(_ byte: UInt8, tokenLimit: UInt8) {
        mode = byte & 1 == 0 ? .request : .response
        limits = byte & 2 == 0
            ? TokenLimits()
            : TokenLimits(limits: [UInt16](repeating: UInt16(tokenLimit), count: HeaderToken.count))
        maxHeadBytes = Self.headLimits[Int(byte >> 2 & 3)]
        maxHeaderCount = Self.countLimits[Int(byte >> 4 & 3)]
    }

    func makeParser() -> HTTPHeadParser {
        HTTPHeadParser(mode: mode, limits: limits, maxHeadBytes: maxHeadBytes, maxHeaderCount: maxHeaderCount)
    }
}
