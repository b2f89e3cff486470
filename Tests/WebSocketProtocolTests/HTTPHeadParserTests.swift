import XCTest
@testable import WebSocketProtocol

/// Test conveniences shared by the HTTP*Tests files.
extension HTTPHeadParser {
    /// Parses `text` in one call.
    mutating func feed(_ text: String) -> HTTPHeadParseResult {
        feed(Array(text.utf8))
    }

    mutating func feed(_ bytes: [UInt8]) -> HTTPHeadParseResult {
        bytes.withUnsafeBytes { parse($0) }
    }

    /// Parses `bytes` one byte per call, stopping at the first result that is not
    /// `.needMoreData`; returns it with the offset of the byte that produced it.
    mutating func feedByteByByte(_ bytes: [UInt8]) -> (result: HTTPHeadParseResult, at: Int) {
        for index in bytes.indices {
            let result = feed([bytes[index]])
            if result != .needMoreData { return (result, index) }
        }
        return (.needMoreData, bytes.count)
    }

    func text(_ token: Int) -> String? {
        headers.value(of: token).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Parses the complete head `bytes` split in two at every position; each
    /// split must complete exactly at the end, then `check` looks at the result.
    static func checkEverySplit(_ bytes: [UInt8], mode: Mode, file: StaticString = #filePath, line: UInt = #line,
                                _ check: (HTTPHeadParser) -> Void) {
        for split in 1..<bytes.count {
            var parser = HTTPHeadParser(mode: mode)
            XCTAssertEqual(parser.feed(Array(bytes[0..<split])), .needMoreData, "split \(split)", file: file, line: line)
            XCTAssertEqual(parser.feed(Array(bytes[split...])), .complete(consumed: bytes.count - split), "split \(split)",
                           file: file, line: line)
            check(parser)
        }
    }
}

final class HTTPHeadParserTests: XCTestCase {
    private let upgradeRequest = """
        GET /chat?room=1 HTTP/1.1\r
        Host: server.example.com\r
        Upgrade: websocket\r
        Connection: Upgrade\r
        Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
        Origin: http://example.com\r
        Sec-WebSocket-Protocol: chat, superchat\r
        Sec-WebSocket-Version: 13\r
        X-Unknown-Header: ignored\r
        \r

        """

    private func checkUpgradeRequest(_ parser: HTTPHeadParser, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(parser.method, .get, file: file, line: line)
        XCTAssertEqual(parser.version.major, 1, file: file, line: line)
        XCTAssertEqual(parser.version.minor, 1, file: file, line: line)
        XCTAssertEqual(parser.text(HeaderToken.getURI), "/chat", file: file, line: line)
        XCTAssertEqual(parser.text(HeaderToken.uriArgs), "room=1", file: file, line: line)
        XCTAssertEqual(parser.text(HeaderToken.host), "server.example.com", file: file, line: line)
        XCTAssertEqual(parser.text(HeaderToken.upgrade), "websocket", file: file, line: line)
        XCTAssertEqual(parser.text(HeaderToken.connection), "Upgrade", file: file, line: line)
        XCTAssertEqual(parser.text(HeaderToken.key), "dGhlIHNhbXBsZSBub25jZQ==", file: file, line: line)
        XCTAssertEqual(parser.text(HeaderToken.origin), "http://example.com", file: file, line: line)
        XCTAssertEqual(parser.text(HeaderToken.webSocketProtocol), "chat, superchat", file: file, line: line)
        XCTAssertEqual(parser.text(HeaderToken.version), "13", file: file, line: line)
        XCTAssertEqual(parser.headers.length(of: HeaderToken.key), 24, file: file, line: line)
        XCTAssertFalse(parser.headers.isPresent(HeaderToken.postURI), file: file, line: line)
        XCTAssertFalse(parser.headers.isPresent(HeaderToken.cookie), file: file, line: line)
        XCTAssertFalse(parser.headers.isPresent(HeaderToken.http), file: file, line: line)
        XCTAssertNil(parser.contentLength, file: file, line: line)
        XCTAssertFalse(parser.isChunked, file: file, line: line)
        XCTAssertFalse(parser.pathEscapesRoot, file: file, line: line)
    }

    func testUpgradeRequestWhole() {
        var parser = HTTPHeadParser(mode: .request)
        XCTAssertEqual(parser.feed(upgradeRequest), .complete(consumed: upgradeRequest.utf8.count))
        checkUpgradeRequest(parser)
        XCTAssertEqual(parser.feed("more"), .complete(consumed: 0), "a finished head consumes nothing more")
    }

    func testUpgradeRequestByteByByte() {
        var parser = HTTPHeadParser(mode: .request)
        let bytes = Array(upgradeRequest.utf8)
        let (result, at) = parser.feedByteByByte(bytes)
        XCTAssertEqual(result, .complete(consumed: 1))
        XCTAssertEqual(at, bytes.count - 1)
        checkUpgradeRequest(parser)
    }

    func testUpgradeRequestSplitAtEveryPosition() {
        HTTPHeadParser.checkEverySplit(Array(upgradeRequest.utf8), mode: .request) { checkUpgradeRequest($0) }
    }

    /// The bytes after the blank line are WebSocket frames (or a body) and must be
    /// left to the caller, whichever call the head ends in.
    func testCompleteReportsOnlyHeadBytesWhenFramesFollow() {
        let head = Array(upgradeRequest.utf8)
        let frame: [UInt8] = [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58]
        var whole = HTTPHeadParser(mode: .request)
        XCTAssertEqual(whole.feed(head + frame), .complete(consumed: head.count))
        checkUpgradeRequest(whole)

        for split in stride(from: 1, to: head.count, by: 7) {
            var parser = HTTPHeadParser(mode: .request)
            XCTAssertEqual(parser.feed(Array(head[0..<split])), .needMoreData)
            XCTAssertEqual(parser.feed(Array(head[split...]) + frame), .complete(consumed: head.count - split))
        }
        // Only the final LF in the last call.
        var parser = HTTPHeadParser(mode: .request)
        XCTAssertEqual(parser.feed(Array(head.dropLast())), .needMoreData)
        XCTAssertEqual(parser.feed([UInt8(ascii: "\n")] + frame), .complete(consumed: 1))
    }

    func testEmptyLinesBeforeTheRequestLineAreSkipped() {
        var parser = HTTPHeadParser(mode: .request)
        let text = "\r\n\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n"
        XCTAssertEqual(parser.feed(text), .complete(consumed: text.utf8.count))
        XCTAssertEqual(parser.text(HeaderToken.getURI), "/x")
        var bare = HTTPHeadParser(mode: .request)
        XCTAssertEqual(bare.feed("\rGET / HTTP/1.1\r\n\r\n"), .failed(.malformed))
    }

    func testEveryMethodUsesItsURIToken() {
        let methods: [(String, HTTPMethod, Int)] = [
            ("GET", .get, HeaderToken.getURI), ("POST", .post, HeaderToken.postURI),
            ("OPTIONS", .options, HeaderToken.optionsURI), ("PUT", .put, HeaderToken.putURI),
            ("PATCH", .patch, HeaderToken.patchURI), ("DELETE", .delete, HeaderToken.deleteURI),
        ]
        let uriTokens = methods.map { $0.2 }
        for (name, method, token) in methods {
            var parser = HTTPHeadParser(mode: .request)
            XCTAssertEqual(parser.feed("\(name) /res HTTP/1.1\r\nHost: h\r\n\r\n"), .complete(consumed: 30 + name.count - 3))
            XCTAssertEqual(parser.method, method)
            XCTAssertEqual(method.uriToken, token)
            XCTAssertEqual(method.name.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }, name)
            XCTAssertEqual(parser.text(token), "/res")
            for other in uriTokens where other != token {
                XCTAssertFalse(parser.headers.isPresent(other), "\(name) must only fill its own URI token")
            }
        }
    }

    func testUnknownMethodsAreNotImplemented() {
        for line in ["HEAD / HTTP/1.1", "BREW / HTTP/1.1", "get / HTTP/1.1", "CONNECT a:1 HTTP/1.1", "OPTIONSX / HTTP/1.1", "GETS / HTTP/1.1"] {
            var parser = HTTPHeadParser(mode: .request)
            XCTAssertEqual(parser.feed(line + "\r\n\r\n"), .failed(.methodNotImplemented), line)
            XCTAssertEqual(HTTPHeadError.methodNotImplemented.status, 501)
        }
        for line in [" GET / HTTP/1.1", "G@T / HTTP/1.1", "GET\t/ HTTP/1.1", "GET", "\u{16}\u{03}\u{01}"] {
            var parser = HTTPHeadParser(mode: .request)
            XCTAssertEqual(parser.feed(line + "\r\n\r\n"), .failed(.malformed), line)
        }
    }

    func testRequestLineSyntax() {
        let malformed = [
            "GET  / HTTP/1.1", "GET / HTTP/1.1 ", "GET /  HTTP/1.1", "GET /", "GET / HTTQ/1.1", "GET / http/1.1",
            "GET / HTTP/1.1x", "GET / HTTP/1", "GET / HTTP/a.1", "GET / HTTP/1,1", "GET / HTTP/10.0",
        ]
        for line in malformed {
            var parser = HTTPHeadParser(mode: .request)
            XCTAssertEqual(parser.feed(line + "\r\nHost: a\r\n\r\n"), .failed(.malformed), line)
        }
        for line in ["GET / HTTP/2.0", "GET / HTTP/1.2", "GET / HTTP/0.9", "GET / HTTP/3.1", "GET / HTTP/2", "GET / HTTP/3"] {
            var parser = HTTPHeadParser(mode: .request)
            XCTAssertEqual(parser.feed(line + "\r\nHost: a\r\n\r\n"), .failed(.unsupportedVersion), line)
        }
        XCTAssertEqual(HTTPHeadError.unsupportedVersion.status, 505)
    }

    func testFieldSyntaxErrors() {
        let cases: [(String, String)] = [
            ("obs-fold", "X-A: a\r\n  continued\r\n"),
            ("obs-fold with tab", "Host: a\r\n\tb\r\n"),
            ("space before colon", "Host : a\r\n"),
            ("tab before colon", "Host\t: a\r\n"),
            ("no colon", "Host\r\n"),
            ("no colon bare LF", "Host\n"),
            ("empty name", ": a\r\n"),
            ("separator in name", "Ho(st: a\r\n"),
            ("quote in name", "Ho\"st: a\r\n"),
            ("slash in name", "a/b: c\r\n"),
            ("non-ASCII name", "H\u{e9}st: a\r\n"),
            ("bare CR in value", "Host: a\rb\r\n"),
            ("bare CR ending value", "Host: a\rX-B: c\r\n"),
            ("NUL in value", "X-A: a\u{0}b\r\n"),
            ("control in value", "X-A: a\u{1}b\r\n"),
            ("escape in value", "Origin: a\u{1b}[31m\r\n"),
            ("DEL in value", "X-A: a\u{7f}\r\n"),
            ("CR then not LF at blank line", "Host: a\r\n\rX"),
            ("CR after a stray LF, then not LF", "Host: a\n\rX-A: b\r\n"),
            ("CR CR after a stray LF", "Host: a\n\r\r\n"),
            ("obs-fold after a stray LF's line end", "Host: a\n\r\n b\r\n"),
            ("obs-fold after a bare LF", "X-A: a\n\tb\r\n"),
        ]
        for (name, fields) in cases {
            var whole = HTTPHeadParser(mode: .request)
            XCTAssertEqual(whole.feed("GET / HTTP/1.1\r\n" + fields + "\r\n"), .failed(.malformed), name)
            var byteByByte = HTTPHeadParser(mode: .request)
            XCTAssertEqual(byteByByte.feedByteByByte(Array(("GET / HTTP/1.1\r\n" + fields + "\r\n").utf8)).result, .failed(.malformed), name)
        }
        // A bare CR in the request line.
        var parser = HTTPHeadParser(mode: .request)
        XCTAssertEqual(parser.feed("GET / HTTP/1.1\rHost: a\r\n\r\n"), .failed(.malformed))
        XCTAssertEqual(parser.feed("GET / HTTP/1.1\r\n\r\n"), .failed(.malformed), "a failed parser stays failed")
        XCTAssertEqual(HTTPHeadError.malformed.status, 400)
    }

    func testValuesAreTrimmedAndKeepInnerWhitespaceAndObsText() {
        var parser = HTTPHeadParser(mode: .request)
        let text = "GET / HTTP/1.1\r\nHost: \t example.com \t \r\nUser-Agent:a  b\tc\r\nOrigin:\r\nCookie: caf\u{e9}\r\nReferer:    \r\n\r\n"
        XCTAssertEqual(parser.feed(text), .complete(consumed: text.utf8.count))
        // Byte by byte, trailing whitespace is stored first and trimmed at the line end.
        var byteByByte = HTTPHeadParser(mode: .request)
        XCTAssertEqual(byteByByte.feedByteByByte(Array(text.utf8)).result, .complete(consumed: 1))
        for parsed in [parser, byteByByte] {
            XCTAssertEqual(parsed.text(HeaderToken.host), "example.com")
            XCTAssertEqual(parsed.text(HeaderToken.userAgent), "a  b\tc")
            XCTAssertEqual(parsed.text(HeaderToken.origin), "")
            XCTAssertTrue(parsed.headers.isPresent(HeaderToken.origin))
            XCTAssertEqual(parsed.text(HeaderToken.cookie), "caf\u{e9}")
            XCTAssertEqual(parsed.text(HeaderToken.referer), "")
        }
    }

    func testFieldNamesAreCaseInsensitive() {
        var parser = HTTPHeadParser(mode: .request)
        let text = "GET / HTTP/1.1\r\nHOST: a\r\nsec-WEBSOCKET-key: k\r\nupgrade: websocket\r\n\r\n"
        XCTAssertEqual(parser.feed(text), .complete(consumed: text.utf8.count))
        XCTAssertEqual(parser.text(HeaderToken.host), "a")
        XCTAssertEqual(parser.text(HeaderToken.key), "k")
        XCTAssertEqual(parser.text(HeaderToken.upgrade), "websocket")
    }

    func testRepeatedHeadersAreJoined() {
        var parser = HTTPHeadParser(mode: .request)
        let text = """
            GET / HTTP/1.1\r
            Cookie: a=1\r
            Origin: o\r
            Cookie: b=2 \r
            X-Other: x\r
            Cookie:c=3\r
            Cookie:\r
            Accept: text/html\r
            Accept: */*\r
            Sec-WebSocket-Protocol: chat\r
            Sec-WebSocket-Protocol: superchat\r
            Pragma:\r
            Pragma: no-cache\r
            \r

            """
        XCTAssertEqual(parser.feed(text), .complete(consumed: text.utf8.count))
        XCTAssertEqual(parser.text(HeaderToken.cookie), "a=1, b=2, c=3")
        XCTAssertEqual(parser.text(HeaderToken.origin), "o")
        XCTAssertEqual(parser.text(HeaderToken.httpAccept), "text/html, */*")
        XCTAssertEqual(parser.text(HeaderToken.webSocketProtocol), "chat, superchat")
        XCTAssertEqual(parser.text(HeaderToken.pragma), "no-cache")

        var byteByByte = HTTPHeadParser(mode: .request)
        XCTAssertEqual(byteByByte.feedByteByByte(Array(text.utf8)).result, .complete(consumed: 1))
        XCTAssertEqual(byteByByte.text(HeaderToken.cookie), "a=1, b=2, c=3")
    }

    func testDuplicateHostIsRejected() {
        var parser = HTTPHeadParser(mode: .request)
        XCTAssertEqual(parser.feed("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"), .failed(.malformed))
        var caseVariant = HTTPHeadParser(mode: .request)
        XCTAssertEqual(caseVariant.feed("GET / HTTP/1.1\r\nHost: a\r\nX: y\r\nhOST: b\r\n\r\n"), .failed(.malformed))
    }

    func testContentLength() {
        let accepted: [(String, UInt64)] = [
            ("Content-Length: 5\r\n", 5), ("Content-Length: 0\r\n", 0), ("Content-Length:  42 \r\n", 42),
            ("Content-Length: 5\r\nContent-Length: 5\r\n", 5), ("Content-Length: 7, 7\r\n", 7),
            ("Content-Length: 18446744073709551615\r\n", UInt64.max), ("Content-Length: 007\r\n", 7),
        ]
        for (fields, length) in accepted {
            var parser = HTTPHeadParser(mode: .request)
            let text = "POST /p HTTP/1.1\r\nHost: h\r\n" + fields + "\r\n"
            XCTAssertEqual(parser.feed(text + "body"), .complete(consumed: text.utf8.count), fields)
            XCTAssertEqual(parser.contentLength, length, fields)
        }
        let rejected = [
            "Content-Length: 5\r\nContent-Length: 6\r\n", "Content-Length: 5, 6\r\n", "Content-Length: abc\r\n",
            "Content-Length:\r\n", "Content-Length: -1\r\n", "Content-Length: +1\r\n", "Content-Length: 1 2\r\n",
            "Content-Length: 0x10\r\n", "Content-Length: 5,\r\n", "Content-Length: ,5\r\n",
            "Content-Length: 18446744073709551616\r\n", "Content-Length: 99999999999999999999999\r\n",
            "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
        ]
        for fields in rejected {
            var parser = HTTPHeadParser(mode: .request)
            XCTAssertEqual(parser.feed("POST /p HTTP/1.1\r\nHost: h\r\n" + fields + "\r\n"), .failed(.conflictingContentLength), fields)
        }
        XCTAssertEqual(HTTPHeadError.conflictingContentLength.status, 400)
    }

    func testTransferEncoding() {
        for value in ["chunked", "Chunked", "gzip, chunked", "gzip,chunked ", "CHUNKED"] {
            var parser = HTTPHeadParser(mode: .request)
            let text = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \(value)\r\n\r\n"
            XCTAssertEqual(parser.feed(text), .complete(consumed: text.utf8.count), value)
            XCTAssertTrue(parser.isChunked, value)
            XCTAssertNil(parser.contentLength)
        }
        // In a request, a last coding other than chunked leaves the body length unknown.
        for value in ["gzip", "chunked, gzip", "chunkedx", "", "xchunked"] {
            var parser = HTTPHeadParser(mode: .request)
            XCTAssertEqual(parser.feed("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \(value)\r\n\r\n"), .failed(.malformed), value)
        }
        var split = HTTPHeadParser(mode: .request)
        let repeated = "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
        XCTAssertEqual(split.feed(repeated), .complete(consumed: repeated.utf8.count))
        XCTAssertTrue(split.isChunked)
    }

    /// Randomly mutated requests (fixed seed) must give the same outcome, the same
    /// consumed total and the same header values whether fed whole or in random
    /// pieces — and must never trap.
    func testMutatedRequestsParseTheSameInAnySplit() {
        var state: UInt64 = 0x0DDB_A11_5EED
        func random(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let base = Array((upgradeRequest + "Cookie: a=1\r\nContent-Length: 3\r\n").utf8) + Array("\r\nabc".utf8)
        let interesting: [UInt8] = Array("\r\n :\t%./?#=,0123456789Hh".utf8) + [0, 0x7F, 0x80, 0xFF]
        var outcomes: [String: Int] = [:]
        for _ in 0..<3000 {
            var bytes = base
            for _ in 0..<(1 + random(4)) {
                let position = random(bytes.count)
                switch random(3) {
                case 0: bytes[position] = interesting[random(interesting.count)]
                case 1: bytes.insert(interesting[random(interesting.count)], at: position)
                default: bytes.remove(at: position)
                }
            }
            var whole = HTTPHeadParser(mode: .request)
            let wholeResult = whole.feed(bytes)
            outcomes["\(wholeResult)".components(separatedBy: "(").first!, default: 0] += 1

            var pieces = HTTPHeadParser(mode: .request)
            var offset = 0
            var consumedTotal = 0
            var pieceResult = HTTPHeadParseResult.needMoreData
            while offset < bytes.count {
                let take = 1 + random(min(40, bytes.count - offset))
                pieceResult = pieces.feed(Array(bytes[offset..<offset + take]))
                if case .complete(let consumed) = pieceResult {
                    consumedTotal += consumed
                    break
                }
                if case .failed = pieceResult { break }
                consumedTotal += take
                offset += take
            }
            let context = String(decoding: bytes, as: UTF8.self).debugDescription
            switch (wholeResult, pieceResult) {
            case (.complete(let consumed), .complete):
                XCTAssertEqual(consumedTotal, consumed, context)
                for token in 0..<HeaderToken.count {
                    XCTAssertEqual(whole.headers.value(of: token), pieces.headers.value(of: token), "token \(token) in \(context)")
                }
                XCTAssertEqual(whole.contentLength, pieces.contentLength, context)
                XCTAssertEqual(whole.pathEscapesRoot, pieces.pathEscapesRoot, context)
            default:
                XCTAssertEqual(wholeResult, pieceResult, context)
            }
        }
        // The mutations must reach both outcomes often.
        XCTAssertGreaterThan(outcomes["complete", default: 0], 500)
        XCTAssertGreaterThan(outcomes["failed", default: 0], 500)
    }

    func testResetParsesTheNextRequestFromScratch() {
        var parser = HTTPHeadParser(mode: .request)
        XCTAssertEqual(parser.feed(upgradeRequest), .complete(consumed: upgradeRequest.utf8.count))
        parser.reset()
        let next = "\r\nPOST /form HTTP/1.0\r\nContent-Length: 3\r\n\r\n"
        XCTAssertEqual(parser.feed(next + "a=b"), .complete(consumed: next.utf8.count))
        XCTAssertEqual(parser.method, .post)
        XCTAssertEqual(parser.version.minor, 0)
        XCTAssertEqual(parser.text(HeaderToken.postURI), "/form")
        XCTAssertNil(parser.text(HeaderToken.getURI))
        XCTAssertNil(parser.text(HeaderToken.host))
        XCTAssertNil(parser.text(HeaderToken.uriArgs))
        XCTAssertEqual(parser.contentLength, 3)

        parser.reset()
        XCTAssertEqual(parser.feed("BREW / HTTP/1.1\r\n"), .failed(.methodNotImplemented))
        parser.reset()
        XCTAssertEqual(parser.feed(upgradeRequest), .complete(consumed: upgradeRequest.utf8.count), "reset also clears a failure")
        checkUpgradeRequest(parser)
    }
}
