import CLibWebSockets
import WebSocketCompression
import WebSocketProtocol

/// Extension negotiation in both roles, and the hooks through which active
/// extensions see the data.
extension Connection {
    /// The compression extension that owns RSV1, if any: it inflates what
    /// reaches RECEIVE and deflates what we send (the last layer when
    /// deflate-frame runs twice).
    var compression: ActiveExtension? {
        deflateLayers?.lastLayer ?? activeExtensions.first { $0.ownsRSV1 }
    }

    /// The largest message a compressed message may inflate to: beyond it
    /// the connection closes with 1009 (a "zip bomb" guard).
    static let maxInflatedMessageSize = 64 << 20

    /// zlib's level and memLevel for the messages we compress with
    /// permessage-deflate, chosen from a measured curve rather than zlib's
    /// default (6). bench/run.sh's deflate rows (16 KiB JSON-like text,
    /// window 8, 10 connections; medians of 3), server CPU per message and
    /// bytes per echo on the wire:
    ///
    ///     level      1     2     3     4     5     6     7     9
    ///     µs/msg   196   211   238   265   340   367   420   683
    ///     bytes   3895  3747  3554  3347  3165  3094  3061  3026
    ///
    /// Level 4 is the knee: each level up to it buys about 200 bytes for
    /// about 27 µs, the next costs 75 µs for 180; against 6 it saves 28 %
    /// of the CPU for 8 % more bytes, and it beats libwebsockets 4.x at
    /// level 6 on both (297 µs, 3498 bytes). memLevel 9 and 4 at level 6
    /// cost more (388 and 463 µs) for no fewer bytes, so zlib's 8 stays.
    static let deflateLevel = 4
    static let deflateMemoryLevel = 8

    // MARK: Server

    /// Picks from the client's Sec-WebSocket-Extensions what this context
    /// supports, lets protocols[0] veto each (CONFIRM_EXTENSION_OKAY), and
    /// returns the accepted list for the response (nil: none). Only one
    /// extension may own RSV1.
    func negotiateServerExtensions(_ header: ArraySlice<UInt8>?) -> [UInt8]? {
        let supported = context.extensionSet
        guard let header, supported.count > 0 else { return nil }
        guard let offers = ExtensionHeader.parse(Array(header)) else {
            Log.note("fd \(fd): malformed Sec-WebSocket-Extensions ignored")
            return nil
        }
        var response: [UInt8] = []
        var rsv1Taken = false
        var seen: [[UInt8]] = []
        for offer in offers where !seen.contains(offer.name) {
            seen.append(offer.name)
            guard let index = supported.index(named: offer.name) else { continue }
            let kind = supported.kind(index)
            let sameName = offers.filter { $0.name == offer.name }
            var accepted: [UInt8]
            var parameters: PerMessageDeflateParameters?
            var frameSettings: DeflateFrame.Settings?
            switch kind {
            case .perMessageDeflate:
                guard !rsv1Taken, let result = PerMessageDeflate.negotiate(offers: sameName) else { continue }
                parameters = result.parameters
                accepted = result.responseValue
            case .deflateFrame:
                guard !rsv1Taken, let result = DeflateFrame.negotiate(offers: sameName) else { continue }
                frameSettings = result.settings
                accepted = result.responseValue
            case .application:
                accepted = offer.name
            }
            var name = offer.name
            name.append(0)
            let vetoed = name.withUnsafeMutableBytes { raw in
                context.callProtocol(0, self, LWS_CALLBACK_CONFIRM_EXTENSION_OKAY, userData, raw.baseAddress, 0)
            }
            if vetoed != 0 { continue }
            guard let active = activate(index, kind: kind, role: .server, parameters: parameters, frameSettings: frameSettings) else {
                continue
            }
            supported.call(index, context, self, LWS_EXT_CALLBACK_CONSTRUCT, active.userData, nil, 0)
            if active.ownsRSV1 { rsv1Taken = true }
            if !response.isEmpty { response.append(", ") }
            response.append(contentsOf: accepted)
        }
        return response.isEmpty ? nil : response
    }

    private func activate(_ index: Int, kind: ExtensionKind, role: PerMessageDeflateParameters.Role,
                          parameters: PerMessageDeflateParameters?, frameSettings: DeflateFrame.Settings?) -> ActiveExtension? {
        let entry = context.extensionSet.entry(index)
        guard let active = ActiveExtension(index: index, kind: kind, userDataSize: entry.pointee.per_session_data_size) else {
            Log.error("fd \(fd): no memory for an extension's per-session data")
            return nil
        }
        switch kind {
        case .perMessageDeflate:
            guard let parameters,
                  let deflater = MessageDeflater(parameters: parameters, role: role,
                                                 compressionLevel: Connection.deflateLevel,
                                                 memoryLevel: Connection.deflateMemoryLevel),
                  let inflater = MessageInflater(parameters: parameters, role: role, maxMessageSize: Connection.maxInflatedMessageSize) else {
                Log.error("fd \(fd): cannot set up permessage-deflate")
                return nil
            }
            active.deflater = deflater
            active.inflater = inflater
        case .deflateFrame:
            let settings = frameSettings ?? DeflateFrame.Settings()
            guard let deflater = DeflateFrame.makeDeflater(settings: settings),
                  let inflater = DeflateFrame.makeInflater(maxFramePayload: Connection.maxInflatedMessageSize) else {
                Log.error("fd \(fd): cannot set up deflate-frame")
                return nil
            }
            active.deflater = deflater
            active.inflater = inflater
        case .application:
            break
        }
        activeExtensions.append(active)
        return active
    }

    // MARK: Client

    /// The Sec-WebSocket-Extensions value to offer: every supported
    /// extension that protocols[0] does not veto
    /// (CLIENT_CONFIRM_EXTENSION_SUPPORTED) and whose own callback agrees
    /// (CHECK_OK_TO_PROPOSE_EXTENSION).
    func clientExtensionOffer() -> [UInt8]? {
        let supported = context.extensionSet
        var offers: [ExtensionOffer] = []
        for i in 0..<supported.count {
            var name = supported.name(i)
            name.append(0)
            let vetoed = name.withUnsafeMutableBytes { raw -> Bool in
                context.callProtocol(0, self, LWS_CALLBACK_CLIENT_CONFIRM_EXTENSION_SUPPORTED, nil, raw.baseAddress, 0) != 0
                    || supported.call(i, context, self, LWS_EXT_CALLBACK_CHECK_OK_TO_PROPOSE_EXTENSION, nil, raw.baseAddress, 0) != 0
            }
            if vetoed { continue }
            switch supported.kind(i) {
            case .perMessageDeflate:
                offers.append(PerMessageDeflate.offer(requesting: PerMessageDeflateParameters()))
            case .deflateFrame, .application:
                offers.append(ExtensionOffer(name: supported.name(i)))
            }
        }
        clientOfferedExtensions = offers
        return offers.isEmpty ? nil : ExtensionHeader.value(of: offers)
    }

    /// Checks the server's Sec-WebSocket-Extensions against what we offered
    /// and activates what it accepted; a reason string when it is invalid.
    func acceptServerExtensions(_ header: ArraySlice<UInt8>?) -> StaticString? {
        guard let header, !header.isEmpty else { return nil }
        guard let answers = ExtensionHeader.parse(Array(header)) else { return "malformed Sec-WebSocket-Extensions" }
        var rsv1Taken = false
        for answer in answers {
            guard let offer = clientOfferedExtensions.first(where: { $0.name == answer.name }),
                  let index = context.extensionSet.index(named: answer.name) else {
                return "server accepted an extension we did not offer"
            }
            let kind = context.extensionSet.kind(index)
            var parameters: PerMessageDeflateParameters?
            var frameSettings: DeflateFrame.Settings?
            switch kind {
            case .perMessageDeflate:
                guard let accepted = PerMessageDeflate.acceptResponse(answer, to: offer) else {
                    return "invalid permessage-deflate response"
                }
                parameters = accepted
            case .deflateFrame:
                guard let accepted = DeflateFrame.acceptResponse(answer) else { return "invalid deflate-frame response" }
                frameSettings = accepted
            case .application:
                break
            }
            if kind != .application {
                // Only deflate-frame may be stacked (a 1.4 server answers
                // both of its names and runs both: DeflateFrameLayers).
                let stacked = activeExtensions.filter { $0.ownsRSV1 }
                if stacked.contains(where: { $0.kind != .deflateFrame }) || (rsv1Taken && kind != .deflateFrame) {
                    return "server accepted two extensions that both use RSV1"
                }
                rsv1Taken = true
            }
            guard let active = activate(index, kind: kind, role: .client, parameters: parameters, frameSettings: frameSettings) else {
                return "cannot activate an accepted extension"
            }
            context.extensionSet.call(index, context, self, LWS_EXT_CALLBACK_CLIENT_CONSTRUCT, active.userData, nil, 0)
        }
        let layers = activeExtensions.filter { $0.ownsRSV1 }
        if layers.count > 1 {
            Log.note("client fd \(fd): server accepted deflate-frame under \(layers.count) names: compressing each frame \(layers.count) times, as 1.4 servers do")
            deflateLayers = DeflateFrameLayers(layers: layers)
        }
        return nil
    }

    // MARK: Lifetime

    /// The RSV bits received data frames may carry: RSV1 only while a
    /// compression extension is active.
    var extensionRSV: UInt8 {
        activeExtensions.contains { $0.ownsRSV1 } ? FrameHeader.rsv1 : 0
    }

    /// ANY_WSI_ESTABLISHED to every extension of the context.
    func announceEstablishedToExtensions() {
        let supported = context.extensionSet
        for i in 0..<supported.count {
            supported.call(i, context, self, LWS_EXT_CALLBACK_ANY_WSI_ESTABLISHED, nil, nil, 0)
        }
    }

    /// DESTROY to each active extension, then its data is freed; then
    /// DESTROY_ANY_WSI_CLOSING to every extension of the context, the
    /// counterpart of ANY_WSI_ESTABLISHED for extensions that track
    /// connections they are not active on.
    func destroyExtensions() {
        let active = activeExtensions
        extensions = nil
        for ext in active {
            context.extensionSet.call(ext.index, context, self, LWS_EXT_CALLBACK_DESTROY, ext.userData, nil, 0)
        }
        let supported = context.extensionSet
        for i in 0..<supported.count {
            supported.call(i, context, self, LWS_EXT_CALLBACK_DESTROY_ANY_WSI_CLOSING, nil, nil, 0)
        }
    }

    /// LWS_EXT_CALLBACK_1HZ, once a second, to each active application extension.
    func tickExtensions() {
        for ext in activeExtensions where ext.kind == .application {
            context.extensionSet.call(ext.index, context, self, LWS_EXT_CALLBACK_1HZ, ext.userData, nil, 0)
        }
    }

    // MARK: Data hooks for application extensions

    /// Runs `reason` (PAYLOAD_RX / PAYLOAD_TX / PACKET_*) over a buffer
    /// through every active application extension, each of which may
    /// transform it in place or repoint the lws_tokens to a buffer of its own.
    func applyExtensions(_ reason: libwebsocket_extension_callback_reasons,
                         _ buffer: UnsafeMutableRawPointer, _ length: Int) -> (UnsafeMutableRawPointer, Int)? {
        var tokens = lws_tokens(token: buffer.assumingMemoryBound(to: CChar.self), token_len: Int32(truncatingIfNeeded: length))
        for ext in activeExtensions where ext.kind == .application {
            let refused = withUnsafeMutablePointer(to: &tokens) { pointer in
                context.extensionSet.call(ext.index, context, self, reason, ext.userData, UnsafeMutableRawPointer(pointer), 0)
            }
            if refused < 0 { return nil }
        }
        guard let token = tokens.token, tokens.token_len >= 0 else { return (buffer, 0) }
        return (UnsafeMutableRawPointer(token), Int(tokens.token_len))
    }

    /// Asked twice per message received: nil extensions answer without
    /// touching (retaining) anything.
    var hasApplicationExtensions: Bool {
        if extensions == nil { return false }
        return activeExtensions.contains { $0.kind == .application }
    }

    /// Received socket bytes pass PACKET_RX_PREPARSE before frame decoding.
    /// Bytes an extension replaced are decoded from a padded copy (RECEIVE
    /// may use the padding around what it is given). Input left over when
    /// flow control stops decoding midway is held, marked as prepared so it
    /// is not passed through the extensions twice.
    func consumeFramesThroughExtensions(_ bytes: UnsafeMutableRawBufferPointer) -> Int {
        guard let (prepared, length) = applyExtensions(LWS_EXT_CALLBACK_PACKET_RX_PREPARSE, bytes.baseAddress!, bytes.count) else {
            failWebSocket(.unexpectedCondition, "an extension refused received data")
            return bytes.count
        }
        if prepared == bytes.baseAddress! && length == bytes.count {
            return consumeFrames(bytes)
        }
        let padding = Int(LWS_SEND_BUFFER_PRE_PADDING)
        var copy = [UInt8](repeating: 0, count: padding + length + Int(LWS_SEND_BUFFER_POST_PADDING))
        copy.withUnsafeMutableBytes { all in
            let body = UnsafeMutableRawBufferPointer(rebasing: all[padding..<(padding + length)])
            body.copyMemory(from: UnsafeRawBufferPointer(start: prepared, count: length))
            let used = consumeFrames(body)
            if used < length && state != .dead && !muted {
                hold(UnsafeRawBufferPointer(rebasing: body[used...]))
                input.heldIsPrepared = true
            }
        }
        return bytes.count
    }

    /// Notifies active application extensions of a writability event
    /// (IS_WRITEABLE before the application's WRITEABLE, FLUSH_PENDING_TX
    /// when our own buffer has drained, REQUEST_ON_WRITEABLE when the
    /// application asks for a writable callback).
    func notifyExtensions(_ reason: libwebsocket_extension_callback_reasons) {
        for ext in activeExtensions where ext.kind == .application {
            context.extensionSet.call(ext.index, context, self, reason, ext.userData, nil, 0)
        }
    }
}
