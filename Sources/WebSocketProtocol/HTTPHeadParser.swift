/// An incremental parser for an HTTP/1.x request head (server side) or response
/// head (WebSocket client side), filling an `HTTPHeaderTable`.
///
/// Bytes may arrive in any split, down to one at a time, so all progress lives in
/// `state`; runs of target, name and value bytes are scanned and copied in bulk
/// rather than byte by byte. The parser is deliberately strict where leniency has
/// caused request smuggling or header injection (obs-fold, whitespace before the
/// colon, bare CR, conflicting lengths, duplicate Host) and tolerant only where
/// RFC 7230 allows it (bare LF line ends, empty lines before the request line)
/// or where libwebsockets 1.4 clients need it (see `State.strayLineFeed`).
public struct HTTPHeadParser {
    public enum Mode {
        case request
        case response
    }

    private enum State {
        /// Request mode, before the request line: empty lines are skipped
        /// (RFC 7230 section 3.5), e.g. a CRLF trailing a previous body.
        case leadingLine
        /// A CR of such an empty line was seen.
        case leadingLineFeed
        case method
        case target
        case requestVersion
        case responseVersion
        case statusCode
        case reasonPhrase
        /// A CR ended the start line or a field line; only LF may follow.
        case lineFeed
        /// At the start of a field line or of the blank line ending the head.
        case fieldStart
        case fieldName
        case valueLeadingSpace
        case value
        /// A bare LF ended a field line in a head whose start line ended in
        /// CRLF. A CRLF right after it completes the same line end instead of
        /// being the blank line: 1.4 clients pass "host:port\n" as the Host
        /// and send "Host: host:port\n\r\n" mid-head, which 1.4 (reading
        /// only CR as a line end) upgraded. Anything else here starts the next
        /// line, as after any line end.
        case strayLineFeed
        /// The CR of the blank line was seen.
        case headLineFeed
        case complete
        case failed(HTTPHeadError)
    }

    public let mode: Mode
    private let limits: TokenLimits
    private let maxHeadBytes: Int
    private let maxHeaderCount: Int

    private var state: State
    /// Head bytes consumed by earlier calls.
    private var headBytes = 0
    private var headerCount = 0
    /// Still in the request or status line (decides 414 versus 431).
    private var inStartLine = true
    /// The start line ended in CRLF: a bare LF in this head is a stray one.
    private var startLineEndsWithCR = false
    /// A CRLF was joined to a stray LF (see `State.strayLineFeed`).
    private var joinedStrayLineFeed = false
    /// Method, version or status digits, packed big-endian as they arrive.
    private var word: UInt64 = 0
    private var wordLength = 0
    /// The raw request-target until its closing space.
    private var target: [UInt8] = []
    /// The request method's URI token, where the canonical path goes.
    private var uriToken = 0
    /// The first bytes of a field name split across chunks: enough to recognise
    /// any known name (the longest is 30 bytes); longer names are unknown anyway.
    /// A name within one chunk is looked up in place, without this copy.
    private var fieldName: [UInt8] = []
    private var fieldNameLength = 0
    /// The token of the field being read, or -1 for an unknown field.
    private var fieldToken = -1

    /// The known header values; after a request head also the canonical path under
    /// the method's URI token and the raw query under `HeaderToken.uriArgs`, after
    /// a response head the status digits under `HeaderToken.http`.
    public var headers = HTTPHeaderTable()
    public private(set) var method: HTTPMethod?
    public private(set) var version: (major: Int, minor: Int) = (0, 0)
    /// The status code of a response head.
    public private(set) var statusCode = 0
    /// The body length announced by Content-Length, when present.
    public private(set) var contentLength: UInt64?
    /// True when Transfer-Encoding ends in "chunked".
    public private(set) var isChunked = false
    /// True when the request path tried to climb above the root with "..";
    /// the stored path is clamped at the root, but the request deserves a 403.
    public private(set) var pathEscapesRoot = false

    private static let maxKnownFieldNameLength = 30

    public init(mode: Mode, limits: TokenLimits = .init(), maxHeadBytes: Int = 8192, maxHeaderCount: Int = 64) {
        self.mode = mode
        self.limits = limits
        self.maxHeadBytes = max(0, maxHeadBytes)
        self.maxHeaderCount = max(0, maxHeaderCount)
        self.state = mode == .request ? .leadingLine : .responseVersion
    }

    /// Prepares for the next head on the same connection (keep-alive), keeping
    /// allocated buffers.
    public mutating func reset() {
        state = mode == .request ? .leadingLine : .responseVersion
        headBytes = 0
        headerCount = 0
        inStartLine = true
        startLineEndsWithCR = false
        joinedStrayLineFeed = false
        word = 0
        wordLength = 0
        target.removeAll(keepingCapacity: true)
        uriToken = 0
        fieldName.removeAll(keepingCapacity: true)
        fieldNameLength = 0
        fieldToken = -1
        headers.reset()
        method = nil
        version = (0, 0)
        statusCode = 0
        contentLength = nil
        isChunked = false
        pathEscapesRoot = false
    }

    /// Consumes the next bytes of the head.
    ///
    /// Once complete, further calls return `.complete(consumed: 0)`; once failed,
    /// the same failure. Call `reset()` to parse another head.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer) -> HTTPHeadParseResult {
        switch state {
        case .complete: return .complete(consumed: 0)
        case .failed(let error): return .failed(error)
        default: break
        }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .needMoreData }

        // Never look past the head budget: if the head has not ended within it,
        // it is too large, however the bytes were split.
        let end = min(bytes.count, maxHeadBytes - headBytes)
        var index = 0
        func byte(at offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }
        func run(_ from: Int, _ to: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base + from, count: to - from) }

        while index < end {
            switch state {
            case .leadingLine:
                let current = byte(at: index)
                if current == .lf {
                    index += 1
                } else if current == .cr {
                    index += 1
                    state = .leadingLineFeed
                } else {
                    state = .method
                }

            case .leadingLineFeed:
                guard byte(at: index) == .lf else { return fail(.malformed) }
                index += 1
                state = .leadingLine

            case .method:
                let current = byte(at: index)
                index += 1
                if current == .space {
                    guard wordLength > 0 else { return fail(.malformed) }
                    guard let method = HTTPMethod(packedName: word) else { return fail(.methodNotImplemented) }
                    self.method = method
                    uriToken = method.uriToken
                    word = 0
                    wordLength = 0
                    state = .target
                } else if current.isTokenCharacter {
                    // "OPTIONS" is the longest method we implement.
                    guard wordLength < 7 else { return fail(.methodNotImplemented) }
                    word = word &<< 8 | UInt64(current)
                    wordLength += 1
                } else {
                    return fail(.malformed)
                }

            case .target:
                // Anything visible belongs to the target; raw bytes >= 0x80 are
                // tolerated, as clients do send unescaped UTF-8.
                let runEnd = HTTPHeadParser.endOfVisibleRun(base, from: index, to: end, lowest: 0x21)
                if runEnd > index {
                    guard target.count + (runEnd - index) <= limits.limit(for: uriToken) else { return fail(.uriTooLong) }
                    target.appendRaw(run(index, runEnd))
                    index = runEnd
                }
                guard index < end else { break }
                guard byte(at: index) == .space, !target.isEmpty else { return fail(.malformed) }
                index += 1
                if let error = finishTarget() { return fail(error) }
                state = .requestVersion

            case .requestVersion:
                let current = byte(at: index)
                index += 1
                if current == .cr || current == .lf {
                    if let error = finishVersion() { return fail(error) }
                    state = endStartLine(with: current)
                } else {
                    guard wordLength < 8 else { return fail(.malformed) }
                    word = word &<< 8 | UInt64(current)
                    wordLength += 1
                }

            case .responseVersion:
                let current = byte(at: index)
                index += 1
                if current == .space {
                    if let error = finishVersion() { return fail(error) }
                    word = 0
                    wordLength = 0
                    state = .statusCode
                } else {
                    guard wordLength < 8 else { return fail(.malformed) }
                    word = word &<< 8 | UInt64(current)
                    wordLength += 1
                }

            case .statusCode:
                let current = byte(at: index)
                index += 1
                if wordLength < 3 {
                    guard current >= UInt8(ascii: "0") && current <= UInt8(ascii: "9") else { return fail(.malformed) }
                    word = word &<< 8 | UInt64(current)
                    wordLength += 1
                    if wordLength == 3 { storeStatusCode() }
                } else if current == .space {
                    state = .reasonPhrase
                } else if current == .cr || current == .lf {
                    state = endStartLine(with: current)
                } else {
                    return fail(.malformed)
                }

            case .reasonPhrase:
                index = HTTPHeadParser.endOfFieldValueRun(base, from: index, to: end)
                guard index < end else { break }
                let current = byte(at: index)
                index += 1
                guard current == .cr || current == .lf else { return fail(.malformed) }
                state = endStartLine(with: current)

            case .lineFeed:
                guard byte(at: index) == .lf else { return fail(.malformed) }
                index += 1
                state = startFields()

            case .fieldStart:
                let current = byte(at: index)
                if current == .cr {
                    index += 1
                    state = .headLineFeed
                } else if current == .lf {
                    return complete(consumed: index + 1)
                } else if current.isWhitespace {
                    // obs-fold (or whitespace before the first field): refused, as
                    // RFC 7230 section 3.2.4 allows, rather than unfolded.
                    return fail(.malformed)
                } else {
                    headerCount += 1
                    guard headerCount <= maxHeaderCount else { return fail(.headersTooLarge) }
                    fieldName.removeAll(keepingCapacity: true)
                    fieldNameLength = 0
                    state = .fieldName
                }

            case .fieldName:
                let nameStart = index
                var runEnd = index
                while runEnd < end && byte(at: runEnd).isTokenCharacter { runEnd += 1 }
                let nameIsInThisChunk = fieldNameLength == 0
                fieldNameLength += runEnd - index
                index = runEnd
                guard index < end else {
                    // The name continues in the next chunk.
                    keepFieldNamePrefix(run(nameStart, runEnd))
                    break
                }
                // Anything but the colon here — whitespace, CR, LF, a separator — is
                // refused: "Name : value" must not be read as a different header.
                guard byte(at: index) == .colon, fieldNameLength > 0 else { return fail(.malformed) }
                index += 1
                if nameIsInThisChunk {
                    fieldToken = HTTPHeadParser.token(forName: run(nameStart, runEnd))
                } else {
                    keepFieldNamePrefix(run(nameStart, runEnd))
                    fieldToken = fieldNameLength <= HTTPHeadParser.maxKnownFieldNameLength
                        ? fieldName.withUnsafeBytes { HTTPHeadParser.token(forName: $0) } : -1
                }
                if let error = openField() { return fail(error) }
                state = .valueLeadingSpace

            case .valueLeadingSpace:
                while index < end && byte(at: index).isWhitespace { index += 1 }
                if index < end { state = .value }

            case .value:
                let runEnd = HTTPHeadParser.endOfFieldValueRun(base, from: index, to: end)
                let lineEnds = runEnd < end
                if fieldToken >= 0 {
                    // Trailing whitespace is not part of the value; when the line ends
                    // in this chunk, leave it out now rather than trim it later.
                    var valueEnd = runEnd
                    if lineEnds {
                        while valueEnd > index && byte(at: valueEnd - 1).isWhitespace { valueEnd -= 1 }
                    }
                    if valueEnd > index { headers.appendToValue(run(index, valueEnd)) }
                }
                index = runEnd
                guard lineEnds else { break }
                let current = byte(at: index)
                index += 1
                guard current == .cr || current == .lf else { return fail(.malformed) }
                if let error = closeField() { return fail(error) }
                if current == .cr {
                    state = .lineFeed
                } else {
                    state = startLineEndsWithCR ? .strayLineFeed : .fieldStart
                }

            case .strayLineFeed:
                if byte(at: index) == .cr {
                    index += 1
                    joinedStrayLineFeed = true
                    state = .lineFeed
                } else {
                    state = .fieldStart
                }

            case .headLineFeed:
                guard byte(at: index) == .lf else { return fail(.malformed) }
                return complete(consumed: index + 1)

            case .complete, .failed:
                // Handled before the loop; the loop returns as soon as either is reached.
                return .needMoreData
            }
        }

        headBytes += end
        if end < bytes.count {
            return fail(inStartLine && mode == .request ? .uriTooLong : .headersTooLarge)
        }
        return .needMoreData
    }

    // MARK: Byte scanning

    /// The end of the run in `base[start..<end]` of bytes that are >= `lowest` and
    /// not DEL. Heads are mostly long runs of such bytes, so whole 8-byte words are
    /// tested at once (SWAR: a lane borrows into its top bit only when it is below
    /// the bound, which is exact for "does any lane"), then bytes one by one near
    /// the end of the run.
    private static func endOfVisibleRun(_ base: UnsafeRawPointer, from start: Int, to end: Int, lowest: UInt8) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let tops: UInt64 = 0x8080_8080_8080_8080
        let bound = ones &* UInt64(lowest)
        var index = start
        while end &- index >= 8 {
            let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let below = (word &- bound) & ~word & tops
            let delLanes = word ^ (ones &* 0x7F)
            let isDel = (delLanes &- ones) & ~delLanes & tops
            if below | isDel != 0 { break }
            index &+= 8
        }
        while index < end {
            let byte = base.load(fromByteOffset: index, as: UInt8.self)
            if byte < lowest || byte == 0x7F { break }
            index &+= 1
        }
        return index
    }

    /// The end of the run of bytes allowed in a field value or reason phrase: HTAB,
    /// space, visible ASCII and obs-text; never another control character, which
    /// could inject a header downstream.
    private static func endOfFieldValueRun(_ base: UnsafeRawPointer, from start: Int, to end: Int) -> Int {
        var index = endOfVisibleRun(base, from: start, to: end, lowest: 0x20)
        while index < end && base.load(fromByteOffset: index, as: UInt8.self) == .tab {
            index = endOfVisibleRun(base, from: index &+ 1, to: end, lowest: 0x20)
        }
        return index
    }

    // MARK: Steps

    private mutating func fail(_ error: HTTPHeadError) -> HTTPHeadParseResult {
        state = .failed(error)
        return .failed(error)
    }

    private mutating func complete(consumed: Int) -> HTTPHeadParseResult {
        headBytes += consumed
        if let error = finishHead() { return fail(error) }
        state = .complete
        return .complete(consumed: consumed)
    }

    private mutating func startFields() -> State {
        inStartLine = false
        return .fieldStart
    }

    /// The state after the CR or LF that ends the request or status line.
    private mutating func endStartLine(with lineEnd: UInt8) -> State {
        startLineEndsWithCR = lineEnd == .cr
        return startLineEndsWithCR ? .lineFeed : startFields()
    }

    /// Splits, decodes and canonicalises the request-target into the URI and
    /// query tokens.
    private mutating func finishTarget() -> HTTPHeadError? {
        let allowAsterisk = method == .options
        let outcome = target.withUnsafeMutableBufferPointer { HTTPRequestTarget.normalize($0, allowAsterisk: allowAsterisk) }
        guard case .normalized(let pathLength, let query, let escapesRoot) = outcome else { return .malformed }
        if let query = query {
            guard query.count <= limits.limit(for: HeaderToken.uriArgs) else { return .uriTooLong }
            headers.set(HeaderToken.uriArgs, target[query])
        }
        headers.set(uriToken, target[0..<pathLength])
        pathEscapesRoot = escapesRoot
        return nil
    }

    /// Checks the packed "HTTP/d.d" in `word`.
    private mutating func finishVersion() -> HTTPHeadError? {
        // "HTTP/2", "HTTP/3": a real protocol version we do not speak
        // (505), not a malformed line (400).
        if mode == .request && wordLength == 6 && word &>> 8 == 0x48_54_54_50_2F {
            let major = UInt8(truncatingIfNeeded: word)
            return major.isDigit && major != UInt8(ascii: "1") ? .unsupportedVersion : .malformed
        }
        // "HTTP/" in the top five of eight bytes.
        guard wordLength == 8, word &>> 24 == 0x48_54_54_50_2F else { return .malformed }
        let major = UInt8(truncatingIfNeeded: word &>> 16)
        let dot = UInt8(truncatingIfNeeded: word &>> 8)
        let minor = UInt8(truncatingIfNeeded: word)
        guard major.isDigit, dot == UInt8(ascii: "."), minor.isDigit else { return .malformed }
        version = (Int(major &- UInt8(ascii: "0")), Int(minor &- UInt8(ascii: "0")))
        guard version.major == 1 && version.minor <= 1 else { return .unsupportedVersion }
        return nil
    }

    /// Records the three status digits packed in `word`.
    private mutating func storeStatusCode() {
        var digits = (UInt8(truncatingIfNeeded: word &>> 16), UInt8(truncatingIfNeeded: word &>> 8), UInt8(truncatingIfNeeded: word))
        let zero = UInt8(ascii: "0")
        statusCode = Int(digits.0 &- zero) * 100 + Int(digits.1 &- zero) * 10 + Int(digits.2 &- zero)
        withUnsafeBytes(of: &digits) { headers.set(HeaderToken.http, $0) }
    }

    /// Keeps as much of a chunk-split field name as a lookup can use.
    private mutating func keepFieldNamePrefix(_ bytes: UnsafeRawBufferPointer) {
        let room = HTTPHeadParser.maxKnownFieldNameLength - fieldName.count
        guard room > 0 else { return }
        fieldName.appendRaw(UnsafeRawBufferPointer(rebasing: bytes.prefix(room)))
    }

    /// The token of a complete field name, or -1 when it is not a known header.
    private static func token(forName name: UnsafeRawBufferPointer) -> Int {
        HeaderToken.index(forHeaderName: name) ?? -1
    }

    /// Called at the colon, `fieldToken` known: opens the field's table slot.
    private mutating func openField() -> HTTPHeadError? {
        guard fieldToken >= 0 else { return nil }
        // Two Host fields could name two different origins (RFC 7230 section 5.4).
        if fieldToken == HeaderToken.host && headers.isPresent(HeaderToken.host) { return .malformed }
        headers.beginValue(fieldToken)
        return nil
    }

    /// Called at the end of a field line: trims the value and checks its limit.
    private mutating func closeField() -> HTTPHeadError? {
        guard fieldToken >= 0 else { return nil }
        let length = headers.endValue()
        guard length <= limits.limit(for: fieldToken) else { return .headersTooLarge }
        return nil
    }

    /// Derives the body framing once the whole head is in.
    private mutating func finishHead() -> HTTPHeadError? {
        // A parser that ends this head at its stray LF would take the later
        // fields for a body or the next request; framing a body on top of
        // that disagreement is how requests are smuggled, so refuse it.
        if joinedStrayLineFeed && (headers.isPresent(HeaderToken.contentLength) || headers.isPresent(HeaderToken.transferEncoding)) {
            return .malformed
        }
        let transferEncoding = headers.withValue(of: HeaderToken.transferEncoding) { HTTPHeadParser.endsWithChunked($0) }
        if let lengthResult = headers.withValue(of: HeaderToken.contentLength, { HTTPHeadParser.contentLength($0) }) {
            guard let length = lengthResult, transferEncoding == nil else { return .conflictingContentLength }
            contentLength = length
        }
        if let chunked = transferEncoding {
            // A request whose last coding is not chunked has no knowable body
            // length (RFC 7230 section 3.3.3); a response is read until close.
            if !chunked && mode == .request { return .malformed }
            isChunked = chunked
        }
        return nil
    }

    /// Parses a Content-Length value, possibly a list after repeated fields were
    /// joined: every element must be a number and all must be equal.
    private static func contentLength(_ value: UnsafeRawBufferPointer) -> UInt64? {
        var result: UInt64? = nil
        var index = 0
        while true {
            while index < value.count && value[index].isWhitespace { index += 1 }
            var number: UInt64 = 0
            var digits = 0
            while index < value.count && value[index].isDigit {
                let (times10, overflow1) = number.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt64(value[index] &- UInt8(ascii: "0")))
                guard !overflow1 && !overflow2 else { return nil }
                number = sum
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            while index < value.count && value[index].isWhitespace { index += 1 }
            if let earlier = result, earlier != number { return nil }
            result = number
            if index == value.count { return result }
            guard value[index] == UInt8(ascii: ",") else { return nil }
            index += 1
        }
    }

    /// True when the last transfer coding of a Transfer-Encoding value is "chunked".
    private static func endsWithChunked(_ value: UnsafeRawBufferPointer) -> Bool {
        var end = value.count
        while end > 0 && value[end - 1].isWhitespace { end -= 1 }
        var start = end
        while start > 0 && value[start - 1] != UInt8(ascii: ",") { start -= 1 }
        while start < end && value[start].isWhitespace { start += 1 }
        return UnsafeRawBufferPointer(rebasing: value[start..<end]).matchesIgnoringCase("chunked")
    }
}

extension UInt8 {
    fileprivate static let cr = UInt8(ascii: "\r")
    fileprivate static let lf = UInt8(ascii: "\n")
    fileprivate static let space = UInt8(ascii: " ")
    fileprivate static let tab = UInt8(ascii: "\t")
    fileprivate static let colon = UInt8(ascii: ":")

    fileprivate var isDigit: Bool { self &- UInt8(ascii: "0") < 10 }
}
