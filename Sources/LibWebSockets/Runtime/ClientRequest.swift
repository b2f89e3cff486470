import CLibWebSockets
import WebSocketProtocol

/// What `libwebsocket_client_connect` was asked for, kept until the
/// connection is established (or has failed).
struct ClientRequest {
    /// Addresses to try in order (all those the resolver returned), so a
    /// host name with both an IPv6 and an IPv4 address still connects when
    /// only one of them is served.
    var addresses: [SocketAddress]
    var nextAddress = 0
    /// "host:port" for CONNECT when the connection goes through a proxy.
    var proxyTarget: [UInt8]?
    var path: [UInt8]
    var host: [UInt8]
    var origin: [UInt8]?
    /// The comma-separated list sent in Sec-WebSocket-Protocol, as given.
    var protocols: [UInt8]?
    /// Our Sec-WebSocket-Key (base64 of 16 random bytes).
    var key: [UInt8]
    var ssl: Int32
    /// The name the server certificate must match (the address connected
    /// to, as given), also sent as SNI when it is not an IP literal.
    var verifyName: [UInt8]
    /// The application's own user data (connect_extended), if any.
    var userData: UnsafeMutableRawPointer?

    /// Seconds for each client phase (connect, proxy answer, 101 answer).
    static let connectTimeout: Int32 = 20
    static let proxyTimeout: Int32 = 10
    static let handshakeTimeout: Int32 = 10

    /// Sec-WebSocket-Key: base64 of a random 16-byte nonce; nil without
    /// randomness (a fixed key is what RFC 6455 4.1 rules out).
    static func makeKey() -> [UInt8]? {
        Random.bytes(16).map { Base64.encode($0) }
    }

    /// Resolves `host` with getaddrinfo. This is the one blocking step of a
    /// client connect: a single resolver call made inside the connect call
    /// (an IP literal resolves without any network traffic).
    static func resolve(_ host: UnsafePointer<CChar>, port: UInt16) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var found: [SocketAddress] = []
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ai_next }
            guard let addr = entry.pointee.ai_addr else { continue }
            let family = Int32(addr.pointee.sa_family)
            guard family == AF_INET || family == AF_INET6 else { continue }
            var address = SocketAddress()
            withUnsafeMutableBytes(of: &address.storage) { raw in
                _ = memcpy(raw.baseAddress!, addr, Int(entry.pointee.ai_addrlen))
            }
            address.length = entry.pointee.ai_addrlen
            address.setPort(port)
            found.append(address)
        }
        return found
    }
}

