import WebSocketCompression

/// A connection's extensions: those active on it, deflate-frame's second
/// layer, and what a client offered (to check the server's answer).
///
/// Most connections negotiate none, so the connection holds this only
/// once it has something to keep (`Connection.extensions`); inline, its
/// three references were 24 of the bytes every idle connection carried.
final class ExtensionState {
    var active: [ActiveExtension] = []
    /// deflate-frame answered under both names by a 1.4 server: run twice.
    var deflateLayers: DeflateFrameLayers?
    var clientOffered: [ExtensionOffer] = []
}

extension Connection {
    var activeExtensions: [ActiveExtension] {
        get { extensions?.active ?? [] }
        set { if extensions != nil || !newValue.isEmpty { extensionState.active = newValue } }
    }

    var deflateLayers: DeflateFrameLayers? {
        get { extensions?.deflateLayers }
        set { if extensions != nil || newValue != nil { extensionState.deflateLayers = newValue } }
    }

    var clientOfferedExtensions: [ExtensionOffer] {
        get { extensions?.clientOffered ?? [] }
        set { if extensions != nil || !newValue.isEmpty { extensionState.clientOffered = newValue } }
    }

    private var extensionState: ExtensionState {
        if let extensions { return extensions }
        let fresh = ExtensionState()
        extensions = fresh
        return fresh
    }
}
