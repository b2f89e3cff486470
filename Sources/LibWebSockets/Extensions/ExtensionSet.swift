import CLibWebSockets
import WebSocketCompression

/// The extensions a context supports: the application's
/// `lws_context_creation_info.extensions` array (NULL-name terminated).
///
/// Entries whose callback is our built-in one are run natively in Swift
/// (permessage-deflate, deflate-frame); any other entry is the
/// application's own extension, driven through its C callback with the
/// 1.4 extension callback reasons.
struct ExtensionSet {
    let entries: UnsafeMutablePointer<libwebsocket_extension>?
    let count: Int

    init(_ entries: UnsafeMutablePointer<libwebsocket_extension>?) {
        self.entries = entries
        var n = 0
        if let entries {
            while entries[n].name != nil { n += 1 }
        }
        count = n
    }

    func entry(_ index: Int) -> UnsafeMutablePointer<libwebsocket_extension> { entries! + index }

    func name(_ index: Int) -> [UInt8] {
        guard let name = entries?[index].name else { return [] }
        return bytesOf(name)
    }

    func kind(_ index: Int) -> ExtensionKind {
        guard let entries else { return .application }
        let callback = entries[index].callback
        guard isBuiltinCallback(callback) else { return .application }
        let name = self.name(index)
        if name == PerMessageDeflate.name { return .perMessageDeflate }
        if DeflateFrame.isDeflateFrame(name) { return .deflateFrame }
        return .application
    }

    /// The index of the supported extension called `name` (exact match).
    func index(named name: [UInt8]) -> Int? {
        for i in 0..<count where self.name(i) == name { return i }
        return nil
    }

    /// Calls extension `index`'s callback.
    @discardableResult
    func call(_ index: Int, _ context: Context, _ connection: Connection?,
              _ reason: libwebsocket_extension_callback_reasons, _ user: UnsafeMutableRawPointer?,
              _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
        guard let entries, let callback = entries[index].callback else { return 0 }
        return callback(context.handle, entries + index, connection?.handle, reason, user, input, length)
    }

    /// SERVER/CLIENT_CONTEXT_CONSTRUCT for every extension, at context creation.
    func constructAll(_ context: Context, serving: Bool) {
        for i in 0..<count {
            call(i, context, nil, serving ? LWS_EXT_CALLBACK_SERVER_CONTEXT_CONSTRUCT : LWS_EXT_CALLBACK_CLIENT_CONTEXT_CONSTRUCT,
                 nil, nil, 0)
        }
    }

    func destructAll(_ context: Context, serving: Bool) {
        for i in 0..<count {
            call(i, context, nil, serving ? LWS_EXT_CALLBACK_SERVER_CONTEXT_DESTRUCT : LWS_EXT_CALLBACK_CLIENT_CONTEXT_DESTRUCT,
                 nil, nil, 0)
        }
    }
}

enum ExtensionKind {
    case perMessageDeflate
    case deflateFrame
    case application
}

/// The callback of our built-in extension entries. The engine recognises
/// the entries by this pointer and runs them natively, so every reason is
/// answered "carry on".
func builtinExtensionCallback(_ context: OpaquePointer?, _ ext: UnsafeMutablePointer<libwebsocket_extension>?,
                              _ wsi: OpaquePointer?, _ reason: libwebsocket_extension_callback_reasons,
                              _ user: UnsafeMutableRawPointer?, _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
    0
}

/// The C function-pointer type of `libwebsocket_extension.callback` (the
/// header's `extension_callback_function` typedef names the function type,
/// which Swift imports as a thick closure, not as a pointer).
typealias ExtensionCallbackPointer = @convention(c) (OpaquePointer?, UnsafeMutablePointer<libwebsocket_extension>?, OpaquePointer?,
                                                     libwebsocket_extension_callback_reasons, UnsafeMutableRawPointer?,
                                                     UnsafeMutableRawPointer?, Int) -> Int32

private let builtinCallbackPointer: ExtensionCallbackPointer = builtinExtensionCallback

func isBuiltinCallback(_ callback: ExtensionCallbackPointer?) -> Bool {
    guard let callback else { return false }
    return unsafeBitCast(callback, to: UnsafeRawPointer.self) == unsafeBitCast(builtinCallbackPointer, to: UnsafeRawPointer.self)
}
