import CLibWebSockets

/// An IPv4 or IPv6 socket address, big enough for either.
struct SocketAddress {
    var storage = sockaddr_storage()
    var length: socklen_t = 0

    var family: Int32 { Int32(storage.ss_family) }

    static func any(port: UInt16, ipv6: Bool) -> SocketAddress {
        var address = SocketAddress()
        if ipv6 {
            withUnsafeMutableBytes(of: &address.storage) { raw in
                let sin6 = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                sin6.pointee.sin6_family = sa_family_t(AF_INET6)
                sin6.pointee.sin6_port = port.bigEndian
            }
            address.length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            withUnsafeMutableBytes(of: &address.storage) { raw in
                let sin = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
                sin.pointee.sin_family = sa_family_t(AF_INET)
                sin.pointee.sin_port = port.bigEndian
            }
            address.length = socklen_t(MemoryLayout<sockaddr_in>.size)
        }
        return address
    }

    /// Parses an IPv4 or IPv6 literal.
    static func literal(_ text: UnsafePointer<CChar>, port: UInt16) -> SocketAddress? {
        var address = SocketAddress()
        let ok: Bool = withUnsafeMutableBytes(of: &address.storage) { raw in
            let sin = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
            if inet_pton(AF_INET, text, &sin.pointee.sin_addr) == 1 {
                sin.pointee.sin_family = sa_family_t(AF_INET)
                sin.pointee.sin_port = port.bigEndian
                return true
            }
            let sin6 = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
            if inet_pton(AF_INET6, text, &sin6.pointee.sin6_addr) == 1 {
                sin6.pointee.sin6_family = sa_family_t(AF_INET6)
                sin6.pointee.sin6_port = port.bigEndian
                return true
            }
            return false
        }
        guard ok else { return nil }
        address.length = socklen_t(address.family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
        return address
    }

    /// The first address of a network interface by name ("lo", "eth0"),
    /// preferring IPv4 when `ipv6` is off, as `iface` in the creation info allows.
    static func interface(_ name: UnsafePointer<CChar>, port: UInt16, ipv6: Bool) -> SocketAddress? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return nil }
        defer { freeifaddrs(list) }
        var best: SocketAddress?
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let addr = entry.pointee.ifa_addr, strcmp(entry.pointee.ifa_name, name) == 0 else { continue }
            let family = Int32(addr.pointee.sa_family)
            guard family == AF_INET || (family == AF_INET6 && ipv6) else { continue }
            var found = SocketAddress()
            let size = family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size
            withUnsafeMutableBytes(of: &found.storage) { raw in
                _ = memcpy(raw.baseAddress!, addr, size)
            }
            found.length = socklen_t(size)
            found.setPort(port)
            if family == AF_INET { return found }
            if best == nil { best = found }
        }
        return best
    }

    mutating func setPort(_ port: UInt16) {
        let family = self.family
        withUnsafeMutableBytes(of: &storage) { raw in
            if family == AF_INET {
                raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self).pointee.sin_port = port.bigEndian
            } else {
                raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self).pointee.sin6_port = port.bigEndian
            }
        }
    }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }

    /// The numeric host ("127.0.0.1", "::1"; v4-mapped IPv6 shown as IPv4).
    func numericHost() -> [CChar] {
        var out = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        withUnsafeBytes(of: storage) { raw in
            if family == AF_INET {
                let sin = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
                var a = sin.pointee.sin_addr
                _ = inet_ntop(AF_INET, &a, &out, socklen_t(out.count))
            } else if family == AF_INET6 {
                let sin6 = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                var a = sin6.pointee.sin6_addr
                let isMapped = withUnsafeBytes(of: &a) { b in
                    b[0..<10].allSatisfy { $0 == 0 } && b[10] == 0xff && b[11] == 0xff
                }
                if isMapped {
                    var v4 = in_addr()
                    withUnsafeBytes(of: &a) { b in
                        withUnsafeMutableBytes(of: &v4) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: b[12..<16])) }
                    }
                    _ = inet_ntop(AF_INET, &v4, &out, socklen_t(out.count))
                } else {
                    _ = inet_ntop(AF_INET6, &a, &out, socklen_t(out.count))
                }
            }
        }
        return out
    }
}
