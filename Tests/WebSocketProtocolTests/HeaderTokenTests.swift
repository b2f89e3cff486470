import XCTest
@testable import WebSocketProtocol

final class HeaderTokenTests: XCTestCase {
    /// Every named constant in index order: must be exactly 0..<83, which pins each
    /// name to its `enum lws_token_indexes` value.
    private let allTokens = [
            HeaderToken.getURI, HeaderToken.postURI, HeaderToken.optionsURI, HeaderToken.host,
            HeaderToken.connection, HeaderToken.upgrade, HeaderToken.origin, HeaderToken.draft,
            HeaderToken.challenge, HeaderToken.extensions, HeaderToken.key1, HeaderToken.key2,
            HeaderToken.webSocketProtocol, HeaderToken.accept, HeaderToken.nonce, HeaderToken.http,
            HeaderToken.http2Settings, HeaderToken.httpAccept, HeaderToken.accessControlRequestHeaders, HeaderToken.ifModifiedSince,
            HeaderToken.ifNoneMatch, HeaderToken.acceptEncoding, HeaderToken.acceptLanguage, HeaderToken.pragma,
            HeaderToken.cacheControl, HeaderToken.authorization, HeaderToken.cookie, HeaderToken.contentLength,
            HeaderToken.contentType, HeaderToken.date, HeaderToken.range, HeaderToken.referer,
            HeaderToken.key, HeaderToken.version, HeaderToken.webSocketOrigin, HeaderToken.colonAuthority,
            HeaderToken.colonMethod, HeaderToken.colonPath, HeaderToken.colonScheme, HeaderToken.colonStatus,
            HeaderToken.acceptCharset, HeaderToken.acceptRanges, HeaderToken.accessControlAllowOrigin, HeaderToken.age,
            HeaderToken.allow, HeaderToken.contentDisposition, HeaderToken.contentEncoding, HeaderToken.contentLanguage,
            HeaderToken.contentLocation, HeaderToken.contentRange, HeaderToken.etag, HeaderToken.expect,
            HeaderToken.expires, HeaderToken.from, HeaderToken.ifMatch, HeaderToken.ifRange,
            HeaderToken.ifUnmodifiedSince, HeaderToken.lastModified, HeaderToken.link, HeaderToken.location,
            HeaderToken.maxForwards, HeaderToken.proxyAuthenticate, HeaderToken.proxyAuthorization, HeaderToken.refresh,
            HeaderToken.retryAfter, HeaderToken.server, HeaderToken.setCookie, HeaderToken.strictTransportSecurity,
            HeaderToken.transferEncoding, HeaderToken.userAgent, HeaderToken.vary, HeaderToken.via,
            HeaderToken.wwwAuthenticate, HeaderToken.proxy, HeaderToken.patchURI, HeaderToken.putURI,
            HeaderToken.deleteURI, HeaderToken.uriArgs, HeaderToken.clientSentProtocols, HeaderToken.clientPeerAddress,
            HeaderToken.clientURI, HeaderToken.clientHost, HeaderToken.clientOrigin,
    ]

    private func lookup(_ name: String) -> Int? {
        Array(name.utf8).withUnsafeBytes { HeaderToken.index(forHeaderName: $0) }
    }

    private func lookup(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBytes { HeaderToken.index(forHeaderName: $0) }
    }

    private func wire(_ index: Int) -> String? {
        HeaderToken.wireName(index).map { $0.withUTF8Buffer { String(decoding: $0, as: UTF8.self) } }
    }

    func testConstantsMatchTheABI() {
        XCTAssertEqual(HeaderToken.count, 83)
        XCTAssertEqual(allTokens, Array(0..<83))
        XCTAssertEqual(HeaderToken.getURI, 0)
        XCTAssertEqual(HeaderToken.host, 3)
        XCTAssertEqual(HeaderToken.challenge, 8)
        XCTAssertEqual(HeaderToken.webSocketProtocol, 12)
        XCTAssertEqual(HeaderToken.http, 15)
        XCTAssertEqual(HeaderToken.contentLength, 27)
        XCTAssertEqual(HeaderToken.key, 32)
        XCTAssertEqual(HeaderToken.version, 33)
        XCTAssertEqual(HeaderToken.colonAuthority, 35)
        XCTAssertEqual(HeaderToken.transferEncoding, 68)
        XCTAssertEqual(HeaderToken.proxy, 73)
        XCTAssertEqual(HeaderToken.patchURI, 74)
        XCTAssertEqual(HeaderToken.putURI, 75)
        XCTAssertEqual(HeaderToken.deleteURI, 76)
        XCTAssertEqual(HeaderToken.uriArgs, 77)
        XCTAssertEqual(HeaderToken.clientSentProtocols, 78)
        XCTAssertEqual(HeaderToken.clientOrigin, 82)
    }

    func testWireNames() {
        XCTAssertEqual(wire(HeaderToken.getURI), "get ")
        XCTAssertEqual(wire(HeaderToken.postURI), "post ")
        XCTAssertEqual(wire(HeaderToken.optionsURI), "options ")
        XCTAssertEqual(wire(HeaderToken.patchURI), "patch ")
        XCTAssertEqual(wire(HeaderToken.putURI), "put ")
        XCTAssertEqual(wire(HeaderToken.deleteURI), "delete ")
        XCTAssertEqual(wire(HeaderToken.host), "host:")
        XCTAssertEqual(wire(HeaderToken.connection), "connection:")
        XCTAssertEqual(wire(HeaderToken.key), "sec-websocket-key:")
        XCTAssertEqual(wire(HeaderToken.accept), "sec-websocket-accept:")
        XCTAssertEqual(wire(HeaderToken.httpAccept), "accept:")
        XCTAssertEqual(wire(HeaderToken.challenge), "\r\n")
        XCTAssertEqual(wire(HeaderToken.http), "http/1.1 ")
        XCTAssertEqual(wire(HeaderToken.colonAuthority), ":authority:")
        XCTAssertEqual(wire(HeaderToken.colonStatus), ":status:")
        XCTAssertEqual(wire(HeaderToken.proxy), "proxy ")
        XCTAssertEqual(wire(HeaderToken.wwwAuthenticate), "www-authenticate:")
        XCTAssertEqual(wire(HeaderToken.accessControlRequestHeaders), "access-control-request-headers:")
    }

    func testEveryWireTokenHasALowercaseNameAndOthersAreNil() {
        for index in 0..<HeaderToken.uriArgs {
            guard let name = wire(index) else { return XCTFail("token \(index) has no wire name") }
            XCTAssertFalse(name.isEmpty)
            XCTAssertEqual(name, name.lowercased(), "token \(index)")
            XCTAssertTrue(name.hasSuffix(":") || name.hasSuffix(" ") || name == "\r\n", "token \(index): \(name)")
        }
        for index in [HeaderToken.uriArgs, 78, 79, 80, 81, 82, 83, 84, 1000, -1, Int.min, Int.max] {
            XCTAssertNil(HeaderToken.wireName(index), "token \(index)")
        }
    }

    func testWireNamesAreDistinct() {
        let names = (0..<HeaderToken.count).compactMap { wire($0) }
        XCTAssertEqual(Set(names).count, names.count)
    }

    /// Every header field token round-trips through its wire name, in any case.
    func testLookupFindsEveryHeaderFieldInAnyCase() {
        var found = 0
        for index in 0..<HeaderToken.count {
            guard let name = wire(index), name.hasSuffix(":"), !name.hasPrefix(":") else { continue }
            let field = String(name.dropLast())
            XCTAssertEqual(lookup(field), index, field)
            XCTAssertEqual(lookup(field.uppercased()), index, field)
            let mixed = String(field.enumerated().map { $0.offset % 2 == 0 ? Character($0.element.uppercased()) : $0.element })
            XCTAssertEqual(lookup(mixed), index, mixed)
            found += 1
        }
        XCTAssertEqual(found, 63)
        XCTAssertEqual(lookup("Sec-WebSocket-Key"), HeaderToken.key)
        XCTAssertEqual(lookup("Sec-WebSocket-Version"), HeaderToken.version)
        XCTAssertEqual(lookup("Accept"), HeaderToken.httpAccept)
    }

    /// Case folding is done eight bytes at a time: substitute every byte value at
    /// every position and check only the letter's two cases still match.
    func testLookupFoldsOnlyASCIILettersAtEveryPosition() {
        for name in ["sec-websocket-protocol", "access-control-request-headers", "content-length", "if-none-match", "via"] {
            let bytes = Array(name.utf8)
            let token = lookup(bytes)
            XCTAssertNotNil(token, name)
            for position in bytes.indices {
                let original = bytes[position]
                let isLetter = original >= UInt8(ascii: "a") && original <= UInt8(ascii: "z")
                for value in 0...255 {
                    var changed = bytes
                    changed[position] = UInt8(value)
                    let matches = UInt8(value) == original || (isLetter && UInt8(value) == original - 0x20)
                    XCTAssertEqual(lookup(changed), matches ? token : nil, "\(name) with \(value) at \(position)")
                }
            }
        }
    }

    func testLookupRejectsEverythingElse() {
        let notHeaders = [
            "", "get", "get ", "post", "http/1.1", "http", ":authority", "authority", ":path", "proxy",
            "hos", "hostx", "host:", " host", "host ", "x-forwarded-for", "sec-websocket-key3",
            "content_length", "contentlength", "uri-args", "user_agent",
        ]
        for name in notHeaders {
            XCTAssertNil(lookup(name), "'\(name)'")
        }
        // Only ASCII letters fold: a control byte that differs from '-' by the case
        // bit must not match.
        XCTAssertNil(lookup(Array("sec".utf8) + [0x0D] + Array("websocket-key".utf8)))
        XCTAssertNil(lookup([0x48 ^ 0x80, 0x4F, 0x53, 0x54]))
        XCTAssertNil(lookup([0x08, 0x6F, 0x73, 0x74]))
        XCTAssertNil(lookup([UInt8](repeating: 0x61, count: 200)))
    }
}
