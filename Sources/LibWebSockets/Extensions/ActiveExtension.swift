import CLibWebSockets
import WebSocketCompression

/// An extension negotiated on one connection, with its per-session data.
final class ActiveExtension {
    let index: Int
    let kind: ExtensionKind
    /// The `user` block the application's extension callback receives
    /// (per_session_data_size bytes, zeroed, freed after DESTROY).
    var userData: UnsafeMutableRawPointer?
    /// Built-in codecs: compress what we send, inflate what we receive.
    var deflater: MessageDeflater?
    var inflater: MessageInflater?

    /// Fails when a non-zero per_session_data_size cannot be allocated:
    /// the extension is then not used, rather than handed a NULL user.
    init?(index: Int, kind: ExtensionKind, userDataSize: Int) {
        self.index = index
        self.kind = kind
        userData = Allocator.allocateZeroed(userDataSize)
        if userDataSize != 0 && userData == nil { return nil }
    }

    /// Owns RSV1 (the "compressed" bit) on data frames.
    var ownsRSV1: Bool { kind != .application }

    deinit { Allocator.free(userData) }
}
