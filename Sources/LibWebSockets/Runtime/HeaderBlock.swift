import WebSocketProtocol

/// The caller's buffer that the `lws_add_http_header_*` helpers fill: a
/// cursor (`*p`) advanced past each line written, and the end of the room.
///
/// Each line is written whole or not at all, and the cursor moves only
/// past what was written, so a caller that runs out of room keeps a
/// well-formed prefix. Room is computed on addresses: the two pointers are
/// the caller's, and pointer subtraction traps when they are further apart
/// than Int.max.
struct HeaderBlock {
    private let cursor: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>
    private let end: UnsafeMutablePointer<UInt8>

    init?(cursor: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?, end: UnsafeMutablePointer<UInt8>?) {
        guard let cursor, cursor.pointee != nil, let end else { return nil }
        self.cursor = cursor
        self.end = end
    }

    /// Bytes left before `end` (0 when the cursor is past it).
    private var room: UInt {
        guard let position = cursor.pointee else { return 0 }
        let (room, before) = UInt(bitPattern: end).subtractingReportingOverflow(UInt(bitPattern: position))
        return before ? 0 : room
    }

    /// Writes bytes when they fit; false (nothing written) when not.
    func append(_ bytes: [UInt8]) -> Bool {
        guard let position = cursor.pointee, UInt(bytes.count) <= room else { return false }
        bytes.withUnsafeBytes { UnsafeMutableRawPointer(position).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        cursor.pointee = position + bytes.count
        return true
    }

    /// "HTTP/1.x code reason" for the connection's HTTP version (1.1 without one).
    func appendStatus(_ code: Int, for connection: Connection?) -> Bool {
        var line: [UInt8] = []
        if let connection {
            connection.appendStatusLine(code, to: &line)
        } else {
            line.append("HTTP/1.1 ")
            line.appendDecimal(code)
            line.append(" ")
            line.append(HTTPStatus.reasonPhrase(code))
            line.appendCRLF()
        }
        return append(line)
    }

    /// "name value" and CRLF; `name` as given (1.4 callers include the
    /// colon). `length` bytes of `value` are read only once they are known
    /// to fit: a length larger than the value cannot be larger than the room.
    func appendField(name: UnsafeBufferPointer<UInt8>, value: UnsafePointer<UInt8>?, length: Int32) -> Bool {
        guard length >= 0, value != nil || length == 0 else { return false }
        guard UInt(name.count) + 3 + UInt(length) <= room else { return false }
        var line: [UInt8] = []
        line.append(contentsOf: name)
        line.append(UInt8(ascii: " "))
        if let value { line.append(contentsOf: UnsafeBufferPointer(start: value, count: Int(length))) }
        line.appendCRLF()
        return append(line)
    }

    /// The empty line that ends the head.
    func finish() -> Bool {
        append([UInt8(ascii: "\r"), UInt8(ascii: "\n")])
    }
}
