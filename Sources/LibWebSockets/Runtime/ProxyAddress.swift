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
        var bytes = bytesOf(text)
        let scheme: StaticString = "http://"
        if scheme.withUTF8Buffer({ bytes.count > $0.count && bytes.starts(with: $0) }) {
            bytes.removeFirst(scheme.utf8CodeUnitCount)
        }
        while bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
        guard let colon = bytes.lastIndex(of: UInt8(ascii: ":")) else { return nil }
        var host = Array(bytes[..<colon])
        let portText = bytes[(colon + 1)...]
        guard !host.isEmpty, !portText.isEmpty, portText.count <= 5 else { return nil }
        var port = 0
        for c in portText {
            guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { return nil }
            port = port * 10 + Int(c - UInt8(ascii: "0"))
        }
        guard port >= 1 && port <= 65535 else { return nil }
        if host.first == UInt8(ascii: "[") && host.last == UInt8(ascii: "]") {
            host = Array(host.dropFirst().dropLast())
        }
        host.append(0)
        return ProxyAddress(host: host.map { CChar(bitPattern: $0) }, port: UInt16(port))
    }
}

/// A NUL-terminated copy of a C string.
func cStringBytes(_ text: UnsafePointer<CChar>) -> [CChar] {
    let length = strlen(text)
    return Array(UnsafeBufferPointer(start: text, count: length + 1))
}
