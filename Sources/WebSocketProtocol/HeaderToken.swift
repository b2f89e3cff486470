/// The header token indexes of libwebsockets 1.4 (`enum lws_token_indexes`), their
/// wire spellings, and the lookup from a received header field name to its index.
///
/// Indexes are plain `Int`s rather than an enum because they cross the C ABI
/// unchanged (`lws_hdr_total_length`, `lws_hdr_copy`, `lws_token_limits`) and a
/// C caller may pass any integer, which must be answered, not trapped on.
public enum HeaderToken {
    /// `WSI_TOKEN_COUNT`: the number of slots in a header table and in `lws_token_limits`.
    public static let count = 83

    public static let getURI = 0  // WSI_TOKEN_GET_URI
    public static let postURI = 1  // WSI_TOKEN_POST_URI
    public static let optionsURI = 2  // WSI_TOKEN_OPTIONS_URI
    public static let host = 3  // WSI_TOKEN_HOST
    public static let connection = 4  // WSI_TOKEN_CONNECTION
    public static let upgrade = 5  // WSI_TOKEN_UPGRADE
    public static let origin = 6  // WSI_TOKEN_ORIGIN
    public static let draft = 7  // WSI_TOKEN_DRAFT
    public static let challenge = 8  // WSI_TOKEN_CHALLENGE
    public static let extensions = 9  // WSI_TOKEN_EXTENSIONS
    public static let key1 = 10  // WSI_TOKEN_KEY1
    public static let key2 = 11  // WSI_TOKEN_KEY2
    public static let webSocketProtocol = 12  // WSI_TOKEN_PROTOCOL
    public static let accept = 13  // WSI_TOKEN_ACCEPT
    public static let nonce = 14  // WSI_TOKEN_NONCE
    public static let http = 15  // WSI_TOKEN_HTTP
    public static let http2Settings = 16  // WSI_TOKEN_HTTP2_SETTINGS
    public static let httpAccept = 17  // WSI_TOKEN_HTTP_ACCEPT
    public static let accessControlRequestHeaders = 18  // WSI_TOKEN_HTTP_AC_REQUEST_HEADERS
    public static let ifModifiedSince = 19  // WSI_TOKEN_HTTP_IF_MODIFIED_SINCE
    public static let ifNoneMatch = 20  // WSI_TOKEN_HTTP_IF_NONE_MATCH
    public static let acceptEncoding = 21  // WSI_TOKEN_HTTP_ACCEPT_ENCODING
    public static let acceptLanguage = 22  // WSI_TOKEN_HTTP_ACCEPT_LANGUAGE
    public static let pragma = 23  // WSI_TOKEN_HTTP_PRAGMA
    public static let cacheControl = 24  // WSI_TOKEN_HTTP_CACHE_CONTROL
    public static let authorization = 25  // WSI_TOKEN_HTTP_AUTHORIZATION
    public static let cookie = 26  // WSI_TOKEN_HTTP_COOKIE
    public static let contentLength = 27  // WSI_TOKEN_HTTP_CONTENT_LENGTH
    public static let contentType = 28  // WSI_TOKEN_HTTP_CONTENT_TYPE
    public static let date = 29  // WSI_TOKEN_HTTP_DATE
    public static let range = 30  // WSI_TOKEN_HTTP_RANGE
    public static let referer = 31  // WSI_TOKEN_HTTP_REFERER
    public static let key = 32  // WSI_TOKEN_KEY
    public static let version = 33  // WSI_TOKEN_VERSION
    public static let webSocketOrigin = 34  // WSI_TOKEN_SWORIGIN
    public static let colonAuthority = 35  // WSI_TOKEN_HTTP_COLON_AUTHORITY
    public static let colonMethod = 36  // WSI_TOKEN_HTTP_COLON_METHOD
    public static let colonPath = 37  // WSI_TOKEN_HTTP_COLON_PATH
    public static let colonScheme = 38  // WSI_TOKEN_HTTP_COLON_SCHEME
    public static let colonStatus = 39  // WSI_TOKEN_HTTP_COLON_STATUS
    public static let acceptCharset = 40  // WSI_TOKEN_HTTP_ACCEPT_CHARSET
    public static let acceptRanges = 41  // WSI_TOKEN_HTTP_ACCEPT_RANGES
    public static let accessControlAllowOrigin = 42  // WSI_TOKEN_HTTP_ACCESS_CONTROL_ALLOW_ORIGIN
    public static let age = 43  // WSI_TOKEN_HTTP_AGE
    public static let allow = 44  // WSI_TOKEN_HTTP_ALLOW
    public static let contentDisposition = 45  // WSI_TOKEN_HTTP_CONTENT_DISPOSITION
    public static let contentEncoding = 46  // WSI_TOKEN_HTTP_CONTENT_ENCODING
    public static let contentLanguage = 47  // WSI_TOKEN_HTTP_CONTENT_LANGUAGE
    public static let contentLocation = 48  // WSI_TOKEN_HTTP_CONTENT_LOCATION
    public static let contentRange = 49  // WSI_TOKEN_HTTP_CONTENT_RANGE
    public static let etag = 50  // WSI_TOKEN_HTTP_ETAG
    public static let expect = 51  // WSI_TOKEN_HTTP_EXPECT
    public static let expires = 52  // WSI_TOKEN_HTTP_EXPIRES
    public static let from = 53  // WSI_TOKEN_HTTP_FROM
    public static let ifMatch = 54  // WSI_TOKEN_HTTP_IF_MATCH
    public static let ifRange = 55  // WSI_TOKEN_HTTP_IF_RANGE
    public static let ifUnmodifiedSince = 56  // WSI_TOKEN_HTTP_IF_UNMODIFIED_SINCE
    public static let lastModified = 57  // WSI_TOKEN_HTTP_LAST_MODIFIED
    public static let link = 58  // WSI_TOKEN_HTTP_LINK
    public static let location = 59  // WSI_TOKEN_HTTP_LOCATION
    public static let maxForwards = 60  // WSI_TOKEN_HTTP_MAX_FORWARDS
    public static let proxyAuthenticate = 61  // WSI_TOKEN_HTTP_PROXY_AUTHENTICATE
    public static let proxyAuthorization = 62  // WSI_TOKEN_HTTP_PROXY_AUTHORIZATION
    public static let refresh = 63  // WSI_TOKEN_HTTP_REFRESH
    public static let retryAfter = 64  // WSI_TOKEN_HTTP_RETRY_AFTER
    public static let server = 65  // WSI_TOKEN_HTTP_SERVER
    public static let setCookie = 66  // WSI_TOKEN_HTTP_SET_COOKIE
    public static let strictTransportSecurity = 67  // WSI_TOKEN_HTTP_STRICT_TRANSPORT_SECURITY
    public static let transferEncoding = 68  // WSI_TOKEN_HTTP_TRANSFER_ENCODING
    public static let userAgent = 69  // WSI_TOKEN_HTTP_USER_AGENT
    public static let vary = 70  // WSI_TOKEN_HTTP_VARY
    public static let via = 71  // WSI_TOKEN_HTTP_VIA
    public static let wwwAuthenticate = 72  // WSI_TOKEN_HTTP_WWW_AUTHENTICATE
    public static let proxy = 73  // WSI_TOKEN_PROXY
    public static let patchURI = 74  // WSI_TOKEN_PATCH_URI
    public static let putURI = 75  // WSI_TOKEN_PUT_URI
    public static let deleteURI = 76  // WSI_TOKEN_DELETE_URI
    public static let uriArgs = 77  // WSI_TOKEN_HTTP_URI_ARGS
    public static let clientSentProtocols = 78  // _WSI_TOKEN_CLIENT_SENT_PROTOCOLS
    public static let clientPeerAddress = 79  // _WSI_TOKEN_CLIENT_PEER_ADDRESS
    public static let clientURI = 80  // _WSI_TOKEN_CLIENT_URI
    public static let clientHost = 81  // _WSI_TOKEN_CLIENT_HOST
    public static let clientOrigin = 82  // _WSI_TOKEN_CLIENT_ORIGIN

    /// What `lws_token_to_string` answers for `index`: the lowercase wire spelling
    /// with its colon ("host:"), the method tokens with their trailing space ("get "),
    /// ":authority:" style for the HTTP/2 pseudo-headers, "http/1.1 " for the status
    /// line token and "\r\n" for the draft-76 challenge, as 1.4 did.
    ///
    /// nil for `uriArgs` and the client-side tokens (77...82): they are library
    /// bookkeeping, never sent or matched on the wire, so they have no spelling.
    /// nil too for any index outside `0..<count`.
    public static func wireName(_ index: Int) -> StaticString? {
        switch index {
        case getURI: return "get "
        case postURI: return "post "
        case optionsURI: return "options "
        case host: return "host:"
        case connection: return "connection:"
        case upgrade: return "upgrade:"
        case origin: return "origin:"
        case draft: return "sec-websocket-draft:"
        case challenge: return "\r\n"
        case extensions: return "sec-websocket-extensions:"
        case key1: return "sec-websocket-key1:"
        case key2: return "sec-websocket-key2:"
        case webSocketProtocol: return "sec-websocket-protocol:"
        case accept: return "sec-websocket-accept:"
        case nonce: return "sec-websocket-nonce:"
        case http: return "http/1.1 "
        case http2Settings: return "http2-settings:"
        case httpAccept: return "accept:"
        case accessControlRequestHeaders: return "access-control-request-headers:"
        case ifModifiedSince: return "if-modified-since:"
        case ifNoneMatch: return "if-none-match:"
        case acceptEncoding: return "accept-encoding:"
        case acceptLanguage: return "accept-language:"
        case pragma: return "pragma:"
        case cacheControl: return "cache-control:"
        case authorization: return "authorization:"
        case cookie: return "cookie:"
        case contentLength: return "content-length:"
        case contentType: return "content-type:"
        case date: return "date:"
        case range: return "range:"
        case referer: return "referer:"
        case key: return "sec-websocket-key:"
        case version: return "sec-websocket-version:"
        case webSocketOrigin: return "sec-websocket-origin:"
        case colonAuthority: return ":authority:"
        case colonMethod: return ":method:"
        case colonPath: return ":path:"
        case colonScheme: return ":scheme:"
        case colonStatus: return ":status:"
        case acceptCharset: return "accept-charset:"
        case acceptRanges: return "accept-ranges:"
        case accessControlAllowOrigin: return "access-control-allow-origin:"
        case age: return "age:"
        case allow: return "allow:"
        case contentDisposition: return "content-disposition:"
        case contentEncoding: return "content-encoding:"
        case contentLanguage: return "content-language:"
        case contentLocation: return "content-location:"
        case contentRange: return "content-range:"
        case etag: return "etag:"
        case expect: return "expect:"
        case expires: return "expires:"
        case from: return "from:"
        case ifMatch: return "if-match:"
        case ifRange: return "if-range:"
        case ifUnmodifiedSince: return "if-unmodified-since:"
        case lastModified: return "last-modified:"
        case link: return "link:"
        case location: return "location:"
        case maxForwards: return "max-forwards:"
        case proxyAuthenticate: return "proxy-authenticate:"
        case proxyAuthorization: return "proxy-authorization:"
        case refresh: return "refresh:"
        case retryAfter: return "retry-after:"
        case server: return "server:"
        case setCookie: return "set-cookie:"
        case strictTransportSecurity: return "strict-transport-security:"
        case transferEncoding: return "transfer-encoding:"
        case userAgent: return "user-agent:"
        case vary: return "vary:"
        case via: return "via:"
        case wwwAuthenticate: return "www-authenticate:"
        case proxy: return "proxy "
        case patchURI: return "patch "
        case putURI: return "put "
        case deleteURI: return "delete "
        default: return nil
        }
    }

    /// The token index of a received header field name (without its colon),
    /// compared case-insensitively (RFC 7230 section 3.2).
    ///
    /// Only real header fields are found: method tokens, pseudo-headers, the status
    /// line, the challenge and `proxy ` are not header names and give nil, as does
    /// any unknown name. This runs for every header of every request, so it switches
    /// on the length and the first byte, leaving at most three candidates to compare.
    public static func index(forHeaderName name: UnsafeRawBufferPointer) -> Int? {
        guard let first = name.first?.asciiLowercased else { return nil }
        switch name.count {
        case 3:
            switch first {
            case UInt8(ascii: "a"):
                if name.matchesIgnoringCase("age") { return age }
            case UInt8(ascii: "v"):
                if name.matchesIgnoringCase("via") { return via }
            default: break
            }
        case 4:
            switch first {
            case UInt8(ascii: "h"):
                if name.matchesIgnoringCase("host") { return host }
            case UInt8(ascii: "d"):
                if name.matchesIgnoringCase("date") { return date }
            case UInt8(ascii: "e"):
                if name.matchesIgnoringCase("etag") { return etag }
            case UInt8(ascii: "f"):
                if name.matchesIgnoringCase("from") { return from }
            case UInt8(ascii: "l"):
                if name.matchesIgnoringCase("link") { return link }
            case UInt8(ascii: "v"):
                if name.matchesIgnoringCase("vary") { return vary }
            default: break
            }
        case 5:
            switch first {
            case UInt8(ascii: "r"):
                if name.matchesIgnoringCase("range") { return range }
            case UInt8(ascii: "a"):
                if name.matchesIgnoringCase("allow") { return allow }
            default: break
            }
        case 6:
            switch first {
            case UInt8(ascii: "o"):
                if name.matchesIgnoringCase("origin") { return origin }
            case UInt8(ascii: "a"):
                if name.matchesIgnoringCase("accept") { return httpAccept }
            case UInt8(ascii: "p"):
                if name.matchesIgnoringCase("pragma") { return pragma }
            case UInt8(ascii: "c"):
                if name.matchesIgnoringCase("cookie") { return cookie }
            case UInt8(ascii: "e"):
                if name.matchesIgnoringCase("expect") { return expect }
            case UInt8(ascii: "s"):
                if name.matchesIgnoringCase("server") { return server }
            default: break
            }
        case 7:
            switch first {
            case UInt8(ascii: "u"):
                if name.matchesIgnoringCase("upgrade") { return upgrade }
            case UInt8(ascii: "r"):
                if name.matchesIgnoringCase("referer") { return referer }
                if name.matchesIgnoringCase("refresh") { return refresh }
            case UInt8(ascii: "e"):
                if name.matchesIgnoringCase("expires") { return expires }
            default: break
            }
        case 8:
            switch first {
            case UInt8(ascii: "i"):
                if name.matchesIgnoringCase("if-match") { return ifMatch }
                if name.matchesIgnoringCase("if-range") { return ifRange }
            case UInt8(ascii: "l"):
                if name.matchesIgnoringCase("location") { return location }
            default: break
            }
        case 10:
            switch first {
            case UInt8(ascii: "c"):
                if name.matchesIgnoringCase("connection") { return connection }
            case UInt8(ascii: "s"):
                if name.matchesIgnoringCase("set-cookie") { return setCookie }
            case UInt8(ascii: "u"):
                if name.matchesIgnoringCase("user-agent") { return userAgent }
            default: break
            }
        case 11:
            switch first {
            case UInt8(ascii: "r"):
                if name.matchesIgnoringCase("retry-after") { return retryAfter }
            default: break
            }
        case 12:
            switch first {
            case UInt8(ascii: "c"):
                if name.matchesIgnoringCase("content-type") { return contentType }
            case UInt8(ascii: "m"):
                if name.matchesIgnoringCase("max-forwards") { return maxForwards }
            default: break
            }
        case 13:
            switch first {
            case UInt8(ascii: "i"):
                if name.matchesIgnoringCase("if-none-match") { return ifNoneMatch }
            case UInt8(ascii: "c"):
                if name.matchesIgnoringCase("cache-control") { return cacheControl }
                if name.matchesIgnoringCase("content-range") { return contentRange }
            case UInt8(ascii: "a"):
                if name.matchesIgnoringCase("authorization") { return authorization }
                if name.matchesIgnoringCase("accept-ranges") { return acceptRanges }
            case UInt8(ascii: "l"):
                if name.matchesIgnoringCase("last-modified") { return lastModified }
            default: break
            }
        case 14:
            switch first {
            case UInt8(ascii: "h"):
                if name.matchesIgnoringCase("http2-settings") { return http2Settings }
            case UInt8(ascii: "c"):
                if name.matchesIgnoringCase("content-length") { return contentLength }
            case UInt8(ascii: "a"):
                if name.matchesIgnoringCase("accept-charset") { return acceptCharset }
            default: break
            }
        case 15:
            switch first {
            case UInt8(ascii: "a"):
                if name.matchesIgnoringCase("accept-encoding") { return acceptEncoding }
                if name.matchesIgnoringCase("accept-language") { return acceptLanguage }
            default: break
            }
        case 16:
            switch first {
            case UInt8(ascii: "c"):
                if name.matchesIgnoringCase("content-encoding") { return contentEncoding }
                if name.matchesIgnoringCase("content-language") { return contentLanguage }
                if name.matchesIgnoringCase("content-location") { return contentLocation }
            case UInt8(ascii: "w"):
                if name.matchesIgnoringCase("www-authenticate") { return wwwAuthenticate }
            default: break
            }
        case 17:
            switch first {
            case UInt8(ascii: "i"):
                if name.matchesIgnoringCase("if-modified-since") { return ifModifiedSince }
            case UInt8(ascii: "s"):
                if name.matchesIgnoringCase("sec-websocket-key") { return key }
            case UInt8(ascii: "t"):
                if name.matchesIgnoringCase("transfer-encoding") { return transferEncoding }
            default: break
            }
        case 18:
            switch first {
            case UInt8(ascii: "s"):
                if name.matchesIgnoringCase("sec-websocket-key1") { return key1 }
                if name.matchesIgnoringCase("sec-websocket-key2") { return key2 }
            case UInt8(ascii: "p"):
                if name.matchesIgnoringCase("proxy-authenticate") { return proxyAuthenticate }
            default: break
            }
        case 19:
            switch first {
            case UInt8(ascii: "s"):
                if name.matchesIgnoringCase("sec-websocket-draft") { return draft }
                if name.matchesIgnoringCase("sec-websocket-nonce") { return nonce }
            case UInt8(ascii: "c"):
                if name.matchesIgnoringCase("content-disposition") { return contentDisposition }
            case UInt8(ascii: "i"):
                if name.matchesIgnoringCase("if-unmodified-since") { return ifUnmodifiedSince }
            case UInt8(ascii: "p"):
                if name.matchesIgnoringCase("proxy-authorization") { return proxyAuthorization }
            default: break
            }
        case 20:
            switch first {
            case UInt8(ascii: "s"):
                if name.matchesIgnoringCase("sec-websocket-accept") { return accept }
                if name.matchesIgnoringCase("sec-websocket-origin") { return webSocketOrigin }
            default: break
            }
        case 21:
            switch first {
            case UInt8(ascii: "s"):
                if name.matchesIgnoringCase("sec-websocket-version") { return version }
            default: break
            }
        case 22:
            switch first {
            case UInt8(ascii: "s"):
                if name.matchesIgnoringCase("sec-websocket-protocol") { return webSocketProtocol }
            default: break
            }
        case 24:
            switch first {
            case UInt8(ascii: "s"):
                if name.matchesIgnoringCase("sec-websocket-extensions") { return extensions }
            default: break
            }
        case 25:
            switch first {
            case UInt8(ascii: "s"):
                if name.matchesIgnoringCase("strict-transport-security") { return strictTransportSecurity }
            default: break
            }
        case 27:
            switch first {
            case UInt8(ascii: "a"):
                if name.matchesIgnoringCase("access-control-allow-origin") { return accessControlAllowOrigin }
            default: break
            }
        case 30:
            switch first {
            case UInt8(ascii: "a"):
                if name.matchesIgnoringCase("access-control-request-headers") { return accessControlRequestHeaders }
            default: break
            }
        default: break
        }
        return nil
    }
}
