import CLibWebSockets

/// An HTTP proxy for client connections, "host:port".
///
/// Parsed once, at context creation (the `http_proxy_address` /
/// `http_proxy_port` members, else the `http_proxy` environment variable) or
/// by `libwebsocket_set_proxy`, which overrides both.
struct ProxyAddress {
    var host: [CChar]
    var port: UInt16

    static func fromCreationInfo(_ info: lws_context_creation_info) -> ProxyAddress? {
        if let address = info.http_proxy_address {
            if info.http_proxy_port != 0 {
                guard info.http_proxy_port <= 65535 else {
                    Log.error("http_proxy_port \(info.http_proxy_port) is not a port")
                    return nil
                }
                return ProxyAddress(host: cStringBytes(address), port: UInt16(info.http_proxy_port))
            }
            return parse(address)
        }
        if let environment = getenv("http_proxy") {
            return parse(environment)
        }
        return nil
    }

    /// Accepts "host:port", optionally with an "http://" prefix and a trailing
    /// "/" (as the http_proxy variable is usually written); an IPv6 host goes
    /// in brackets. nil when the port is missing or not 1...65535.
    static func parse(_ text: UnsafePointer<CChar>) -> ProxyAddress? {
        var bytes = cStringBytes(text)
        bytes.removeLast()  // the NUL
        let scheme: [CChar] = [104, 116, 116, 112, 58, 47, 47]  // "http://"
        if bytes.count > scheme.count && Array(bytes[0..<scheme.count]) == scheme {
            bytes.removeFirst(scheme.count)
        }
        while bytes.last == 47 { bytes.removeLast() }  // "/"
        guard let colon = bytes.lastIndex(of: 58) else { return nil }  // ":"
        var host = Array(bytes[..<colon])
        let portText = bytes[(colon + 1)...]
        guard !host.isEmpty, !portText.isEmpty, portText.count <= 5 else { return nil }
        var port = 0
        for c in portText {
            guard c >= 48 && c <= 57 else { return nil }
            port = port * 10 + Int(c - 48)
        }
        guard port >= 1 && port <= 65535 else { return nil }
        if host.first == 91 && host.last == 93 {  // "[v6]"
            host = Array(host.dropFirst().dropLast())
        }
        host.append(0)
        return ProxyAddress(host: host, port: UInt16(port))
    }
}

/// A NUL-terminated copy of a C string.
func cStringBytes(_ text: UnsafePointer<CChar>) -> [CChar] {
    let length = strlen(text)
    return Array(UnsafeBufferPointer(start: text, count: length + 1))
}
