/// The request methods libwebsockets 1.4 knows. Each has its own URI token, so a
/// user callback learns the method by which of those tokens is present.
public enum HTTPMethod: Equatable {
    case get, post, options, put, patch, delete

    /// The header-table slot holding the request path for this method.
    public var uriToken: Int {
        switch self {
        case .get: return HeaderToken.getURI
        case .post: return HeaderToken.postURI
        case .options: return HeaderToken.optionsURI
        case .put: return HeaderToken.putURI
        case .patch: return HeaderToken.patchURI
        case .delete: return HeaderToken.deleteURI
        }
    }

    /// The method token as sent on the wire (methods are case-sensitive).
    public var name: StaticString {
        switch self {
        case .get: return "GET"
        case .post: return "POST"
        case .options: return "OPTIONS"
        case .put: return "PUT"
        case .patch: return "PATCH"
        case .delete: return "DELETE"
        }
    }

    /// Recognises a method from its bytes packed big-endian into an integer, which
    /// is how the head parser accumulates it: one compare per method, no buffer.
    /// Token characters are never 0, so names of different lengths cannot collide.
    init?(packedName: UInt64) {
        switch packedName {
        case 0x47_45_54: self = .get
        case 0x50_4F_53_54: self = .post
        case 0x4F_50_54_49_4F_4E_53: self = .options
        case 0x50_55_54: self = .put
        case 0x50_41_54_43_48: self = .patch
        case 0x44_45_4C_45_54_45: self = .delete
        default: return nil
        }
    }
}
