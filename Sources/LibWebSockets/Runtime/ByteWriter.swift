import WebSocketProtocol

/// Helpers for building HTTP heads as bytes.
extension Array where Element == UInt8 {
    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    mutating func appendDecimal<T: BinaryInteger>(_ value: T) {
        LibWebSockets.appendDecimal(value, to: &self)
    }

    mutating func appendCRLF() {
        append(UInt8(ascii: "\r"))
        append(UInt8(ascii: "\n"))
    }
}

/// The first item of a comma-separated header value (each item trimmed of
/// spaces and tabs) for which `match` returns a result. One walker for
/// every list the handshakes read: Connection, Upgrade, subprotocols.
func firstListItem<Result>(_ list: ArraySlice<UInt8>, _ match: (ArraySlice<UInt8>) -> Result?) -> Result? {
    var itemStart = list.startIndex
    var i = list.startIndex
    while i <= list.endIndex {
        if i == list.endIndex || list[i] == UInt8(ascii: ",") {
            var a = itemStart
            var b = i
            while a < b && list[a].isWhitespace { a += 1 }
            while b > a && list[b - 1].isWhitespace { b -= 1 }
            if let found = match(list[a..<b]) { return found }
            itemStart = i + 1
        }
        i += 1
    }
    return nil
}

/// Whether a comma-separated header value contains `token` (ASCII
/// case-insensitive), as the Connection and Upgrade headers are matched.
func listContainsToken(_ value: ArraySlice<UInt8>, _ token: StaticString) -> Bool {
    firstListItem(value) { $0.matchesIgnoringCase(token) ? true : nil } ?? false
}
