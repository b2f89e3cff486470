import XCTest
import WebSocketCompression

final class PerMessageDeflateNegotiationTests: XCTestCase {
    private func offers(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [ExtensionOffer] {
        guard let offers = ExtensionHeader.parse(Array(text.utf8)) else {
            XCTFail("unparsable: \(text)", file: file, line: line)
            return []
        }
        return offers
    }

    private func element(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ExtensionOffer {
        offers(text, file: file, line: line).first ?? ExtensionOffer(name: [])
    }

    /// Runs the server side and returns the response as text.
    private func negotiate(_ text: String, preferences: PerMessageDeflateParameters = .init())
        -> (parameters: PerMessageDeflateParameters, response: String)? {
        guard let result = PerMessageDeflate.negotiate(offers: offers(text), preferences: preferences) else { return nil }
        return (result.parameters, String(decoding: result.responseValue, as: UTF8.self))
    }

    // MARK: Server

    func testPlainOfferIsAcceptedWithDefaults() {
        let result = negotiate("permessage-deflate")
        XCTAssertEqual(result?.response, "permessage-deflate")
        XCTAssertEqual(result?.parameters, PerMessageDeflateParameters())
    }

    /// The offer browsers send: client_max_window_bits without a value only
    /// says the client could limit its window.
    func testClientMaxWindowBitsWithoutValue() {
        let result = negotiate("permessage-deflate; client_max_window_bits")
        XCTAssertEqual(result?.response, "permessage-deflate")
        XCTAssertEqual(result?.parameters.clientMaxWindowBits, 15)

        let limited = negotiate("permessage-deflate; client_max_window_bits",
                                preferences: .init(clientMaxWindowBits: 10))
        XCTAssertEqual(limited?.response, "permessage-deflate; client_max_window_bits=10")
        XCTAssertEqual(limited?.parameters.clientMaxWindowBits, 10)
    }

    /// The server can only limit the client's window when the client
    /// offered the parameter.
    func testClientWindowPreferenceNeedsTheOfferParameter() {
        let result = negotiate("permessage-deflate", preferences: .init(clientMaxWindowBits: 9))
        XCTAssertEqual(result?.response, "permessage-deflate")
        XCTAssertEqual(result?.parameters.clientMaxWindowBits, 15)
    }

    /// A client's own window limit is echoed, or lowered by the server's.
    func testClientMaxWindowBitsWithValue() {
        XCTAssertEqual(negotiate("permessage-deflate; client_max_window_bits=10")?.response,
                       "permessage-deflate; client_max_window_bits=10")
        XCTAssertEqual(negotiate("permessage-deflate; client_max_window_bits=12", preferences: .init(clientMaxWindowBits: 9))?.response,
                       "permessage-deflate; client_max_window_bits=9")
        XCTAssertEqual(negotiate("permessage-deflate; client_max_window_bits=\"11\"")?.parameters.clientMaxWindowBits, 11)
    }

    /// Section 7.1.2.1: an offered server_max_window_bits must be answered
    /// with it, at most the offered value.
    func testServerMaxWindowBits() {
        let result = negotiate("permessage-deflate; server_max_window_bits=10")
        XCTAssertEqual(result?.response, "permessage-deflate; server_max_window_bits=10")
        XCTAssertEqual(result?.parameters.serverMaxWindowBits, 10)

        XCTAssertEqual(negotiate("permessage-deflate; server_max_window_bits=15")?.response,
                       "permessage-deflate; server_max_window_bits=15")
        XCTAssertEqual(negotiate("permessage-deflate; server_max_window_bits=12", preferences: .init(serverMaxWindowBits: 10))?.response,
                       "permessage-deflate; server_max_window_bits=10")
        XCTAssertEqual(negotiate("permessage-deflate", preferences: .init(serverMaxWindowBits: 8))?.response,
                       "permessage-deflate; server_max_window_bits=8")
    }

    func testNoContextTakeoverFlags() {
        let result = negotiate("permessage-deflate; server_no_context_takeover; client_no_context_takeover")
        XCTAssertEqual(result?.response, "permessage-deflate; server_no_context_takeover; client_no_context_takeover")
        XCTAssertEqual(result?.parameters, PerMessageDeflateParameters(serverNoContextTakeover: true, clientNoContextTakeover: true))

        let preferred = negotiate("permessage-deflate", preferences: .init(serverNoContextTakeover: true, clientNoContextTakeover: true))
        XCTAssertEqual(preferred?.response, "permessage-deflate; server_no_context_takeover; client_no_context_takeover")
    }

    func testEverythingAtOnce() {
        let result = negotiate("permessage-deflate; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=8")
        XCTAssertEqual(result?.response,
                       "permessage-deflate; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=8")
        XCTAssertEqual(result?.parameters, PerMessageDeflateParameters(serverNoContextTakeover: false, clientNoContextTakeover: true,
                                                                      serverMaxWindowBits: 9, clientMaxWindowBits: 8))
    }

    /// Section 7.1: each of these offers must be declined.
    func testInvalidOffersAreDeclined() {
        let invalid = [
            "permessage-deflate; foo",  // unknown parameter
            "permessage-deflate; foo=1",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",  // repeated
            "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
            "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
            "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
            "permessage-deflate; server_no_context_takeover=1",  // flag with a value
            "permessage-deflate; client_no_context_takeover=\"x\"",
            "permessage-deflate; server_max_window_bits",  // value required
            "permessage-deflate; server_max_window_bits=7",  // out of 8...15
            "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; server_max_window_bits=0",
            "permessage-deflate; server_max_window_bits=010",  // leading zero
            "permessage-deflate; server_max_window_bits=08",
            "permessage-deflate; server_max_window_bits=1a",
            "permessage-deflate; server_max_window_bits=-9",
            "permessage-deflate; server_max_window_bits=\"\\31\\30x\"",
            "permessage-deflate; client_max_window_bits=16",
            "permessage-deflate; client_max_window_bits=7",
            "permessage-deflate; client_max_window_bits=1000000000000000000000",
        ]
        for text in invalid {
            XCTAssertNil(negotiate(text), text)
        }
    }

    func testOtherExtensionsAreSkippedAndNameIsCaseInsensitive() {
        XCTAssertNil(negotiate("x-webkit-deflate-frame, deflate-stream"))
        XCTAssertEqual(negotiate("x-foo; a=1, Permessage-Deflate")?.response, "permessage-deflate")
    }

    /// The client's fallbacks: the first offer is declined, the second taken.
    func testFirstValidOfferWins() {
        let result = negotiate("permessage-deflate; server_max_window_bits=20, permessage-deflate; server_max_window_bits=12, permessage-deflate")
        XCTAssertEqual(result?.response, "permessage-deflate; server_max_window_bits=12")

        let unknownFirst = negotiate("permessage-deflate; x-extra, permessage-deflate; client_max_window_bits")
        XCTAssertEqual(unknownFirst?.response, "permessage-deflate")

        let bothValid = negotiate("permessage-deflate; server_no_context_takeover, permessage-deflate")
        XCTAssertEqual(bothValid?.response, "permessage-deflate; server_no_context_takeover")
    }

    func testPreferencesOutOfRangeAreClamped() {
        let result = negotiate("permessage-deflate; client_max_window_bits",
                               preferences: .init(serverMaxWindowBits: 3, clientMaxWindowBits: 99))
        XCTAssertEqual(result?.response, "permessage-deflate; server_max_window_bits=8")
    }

    // MARK: Client

    func testClientOffers() {
        XCTAssertEqual(String(decoding: PerMessageDeflate.offer().headerValue, as: UTF8.self),
                       "permessage-deflate; client_max_window_bits")
        let everything = PerMessageDeflate.offer(requesting: .init(serverNoContextTakeover: true, clientNoContextTakeover: true,
                                                                    serverMaxWindowBits: 10, clientMaxWindowBits: 12))
        XCTAssertEqual(String(decoding: everything.headerValue, as: UTF8.self),
                       "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12")
    }

    func testClientAcceptsValidResponses() {
        let offer = PerMessageDeflate.offer()
        XCTAssertEqual(PerMessageDeflate.acceptResponse(element("permessage-deflate"), to: offer), PerMessageDeflateParameters())
        XCTAssertEqual(PerMessageDeflate.acceptResponse(element("permessage-deflate; client_max_window_bits=9"), to: offer),
                       PerMessageDeflateParameters(clientMaxWindowBits: 9))
        // The server may add limits and flags of its own.
        XCTAssertEqual(PerMessageDeflate.acceptResponse(element("permessage-deflate; server_max_window_bits=11; server_no_context_takeover; client_no_context_takeover"), to: offer),
                       PerMessageDeflateParameters(serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 11))
        // An offered client limit holds even when the response leaves it out,
        // as does the client's own no-context-takeover.
        let limited = element("permessage-deflate; client_no_context_takeover; client_max_window_bits=10")
        XCTAssertEqual(PerMessageDeflate.acceptResponse(element("permessage-deflate"), to: limited),
                       PerMessageDeflateParameters(clientNoContextTakeover: true, clientMaxWindowBits: 10))
    }

    func testClientRejectsInvalidResponses() {
        let offer = PerMessageDeflate.offer()
        let rejected = [
            "x-webkit-deflate-frame",  // not what was offered
            "permessage-deflate; foo",  // unknown
            "permessage-deflate; client_max_window_bits",  // a response must give the value
            "permessage-deflate; client_max_window_bits=16",
            "permessage-deflate; server_max_window_bits",
            "permessage-deflate; server_max_window_bits=7",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "permessage-deflate; client_no_context_takeover=1",
        ]
        for text in rejected {
            XCTAssertNil(PerMessageDeflate.acceptResponse(element(text), to: offer), text)
        }
    }

    /// Section 7.1.2.2: client_max_window_bits only in answer to an offer of it.
    func testClientRejectsClientWindowItDidNotOffer() {
        let bare = element("permessage-deflate")
        XCTAssertNil(PerMessageDeflate.acceptResponse(element("permessage-deflate; client_max_window_bits=10"), to: bare))
        XCTAssertNotNil(PerMessageDeflate.acceptResponse(element("permessage-deflate"), to: bare))
    }

    func testClientRejectsResponsesIgnoringItsRequests() {
        let request = PerMessageDeflate.offer(requesting: .init(serverNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 11))
        XCTAssertNotNil(PerMessageDeflate.acceptResponse(element("permessage-deflate; server_no_context_takeover; server_max_window_bits=10"), to: request))
        XCTAssertNotNil(PerMessageDeflate.acceptResponse(element("permessage-deflate; server_no_context_takeover; server_max_window_bits=9; client_max_window_bits=11"), to: request))
        // server_no_context_takeover requested but not granted
        XCTAssertNil(PerMessageDeflate.acceptResponse(element("permessage-deflate; server_max_window_bits=10"), to: request))
        // server_max_window_bits requested but not answered, or answered larger
        XCTAssertNil(PerMessageDeflate.acceptResponse(element("permessage-deflate; server_no_context_takeover"), to: request))
        XCTAssertNil(PerMessageDeflate.acceptResponse(element("permessage-deflate; server_no_context_takeover; server_max_window_bits=11"), to: request))
        // client window above the one offered
        XCTAssertNil(PerMessageDeflate.acceptResponse(element("permessage-deflate; server_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12"), to: request))
    }

    /// Client offer → server answer → client check: both ends agree.
    func testBothSidesAgree() {
        let requests = [
            PerMessageDeflateParameters(),
            PerMessageDeflateParameters(serverNoContextTakeover: true),
            PerMessageDeflateParameters(clientNoContextTakeover: true, serverMaxWindowBits: 9),
            PerMessageDeflateParameters(serverNoContextTakeover: true, clientNoContextTakeover: true,
                                        serverMaxWindowBits: 8, clientMaxWindowBits: 13),
        ]
        let preferences = [PerMessageDeflateParameters(),
                           PerMessageDeflateParameters(clientNoContextTakeover: true, serverMaxWindowBits: 12, clientMaxWindowBits: 10)]
        for request in requests {
            for preference in preferences {
                let offer = PerMessageDeflate.offer(requesting: request)
                let header = ExtensionHeader.value(of: [offer])
                guard let server = PerMessageDeflate.negotiate(offers: ExtensionHeader.parse(header) ?? [], preferences: preference),
                      let response = ExtensionHeader.parse(server.responseValue), response.count == 1 else {
                    XCTFail("no agreement for \(request) / \(preference)")
                    continue
                }
                XCTAssertEqual(PerMessageDeflate.acceptResponse(response[0], to: offer), server.parameters, "\(request) / \(preference)")
            }
        }
    }
}
