import CLibWebSockets
import WebSocketProtocol

// HTTP: request headers, responses and files (seed: lws_hdr_total_length,
// lws_hdr_copy, libwebsockets_serve_http_file[_fragment],
// libwebsockets_return_http_status, lws_add_http_header_*,
// lws_finalize_http_header, lws_http_transaction_completed).

@_cdecl("lws_hdr_total_length")
public func lws_hdr_total_length(_ wsi: OpaquePointer?, _ token: lws_token_indexes) -> Int32 {
    guard let connection = Connection.from(wsi), let headers = connection.headers else { return 0 }
    return Int32(truncatingIfNeeded: headers.length(of: Int(token.rawValue)))
}

/// Copies a header's value and NUL-terminates it; returns its length, or -1
/// when `len` has no room for the value and its NUL. An absent header copies
/// as the empty string.
@_cdecl("lws_hdr_copy")
public func lws_hdr_copy(_ wsi: OpaquePointer?, _ dest: UnsafeMutablePointer<CChar>?, _ len: Int32, _ token: lws_token_indexes) -> Int32 {
    guard let connection = Connection.from(wsi), let dest, len > 0 else { return -1 }
    guard let headers = connection.headers else {
        dest[0] = 0
        return 0
    }
    // The table's own copy: no pointer into an empty value is ever unwrapped.
    let out = UnsafeMutableRawBufferPointer(start: dest, count: Int(len))
    return Int32(truncatingIfNeeded: headers.copyValue(of: Int(token.rawValue), into: out))
}

@_cdecl("libwebsockets_serve_http_file")
public func libwebsockets_serve_http_file(_ context: OpaquePointer?, _ wsi: OpaquePointer?, _ file: UnsafePointer<CChar>?,
                                          _ contentType: UnsafePointer<CChar>?, _ otherHeaders: UnsafePointer<CChar>?,
                                          _ otherHeadersLength: Int32) -> Int32 {
    guard let connection = Connection.from(wsi), let file else {
        Log.error("libwebsockets_serve_http_file: NULL wsi or file")
        return -1
    }
    return connection.serveFile(path: file, contentType: contentType, otherHeaders: otherHeaders,
                                otherHeadersLength: otherHeadersLength)
}

@_cdecl("libwebsockets_serve_http_file_fragment")
public func libwebsockets_serve_http_file_fragment(_ context: OpaquePointer?, _ wsi: OpaquePointer?) -> Int32 {
    guard let connection = Connection.from(wsi) else { return -1 }
    return connection.continueFileTransfer()
}

@_cdecl("libwebsockets_return_http_status")
public func libwebsockets_return_http_status(_ context: OpaquePointer?, _ wsi: OpaquePointer?, _ code: UInt32,
                                             _ htmlBody: UnsafePointer<CChar>?) -> Int32 {
    guard let connection = Connection.from(wsi) else { return -1 }
    connection.sendStatusResponse(status: Int(code), body: htmlBody, extraHeaders: "")
    return connection.closeRequested ? -1 : 0
}

@_cdecl("lws_http_transaction_completed")
public func lws_http_transaction_completed(_ wsi: OpaquePointer?) -> Int32 {
    guard let connection = Connection.from(wsi) else { return 1 }
    return connection.completeHTTPTransaction()
}

/// The bytes from *p to `end`, 0 when there is no cursor or end, or end
/// lies before it. Computed on addresses: pointer subtraction traps when the
/// two are further apart than Int.max, and `end` is the caller's.
private func headerRoom(_ p: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?, _ end: UnsafeMutablePointer<UInt8>?) -> UInt {
    guard let cursor = p?.pointee, let end else { return 0 }
    let (room, before) = UInt(bitPattern: end).subtractingReportingOverflow(UInt(bitPattern: cursor))
    return before ? 0 : room
}

/// Appends bytes at *p when they fit before `end`; returns 1 (and writes
/// nothing) when they do not.
private func appendHeaderBytes(_ bytes: [UInt8], _ p: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
                               _ end: UnsafeMutablePointer<UInt8>?) -> Int32 {
    guard let p, let cursor = p.pointee, UInt(bytes.count) <= headerRoom(p, end) else { return 1 }
    bytes.withUnsafeBytes { UnsafeMutableRawPointer(cursor).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    p.pointee = cursor + bytes.count
    return 0
}

@_cdecl("lws_add_http_header_status")
public func lws_add_http_header_status(_ context: OpaquePointer?, _ wsi: OpaquePointer?, _ code: UInt32,
                                       _ p: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
                                       _ end: UnsafeMutablePointer<UInt8>?) -> Int32 {
    var line: [UInt8] = []
    if let connection = Connection.from(wsi) {
        connection.appendStatusLine(Int(code), to: &line)
    } else {
        line.append("HTTP/1.1 ")
        line.appendDecimal(code)
        line.append(" ")
        line.append(HTTPStatus.reasonPhrase(Int(code)))
        line.appendCRLF()
    }
    return appendHeaderBytes(line, p, end)
}

/// `name` is written as given (1.4 callers include the colon, e.g.
/// "content-type:"), then a space, the value and CRLF.
@_cdecl("lws_add_http_header_by_name")
public func lws_add_http_header_by_name(_ context: OpaquePointer?, _ wsi: OpaquePointer?, _ name: UnsafePointer<UInt8>?,
                                        _ value: UnsafePointer<UInt8>?, _ length: Int32,
                                        _ p: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
                                        _ end: UnsafeMutablePointer<UInt8>?) -> Int32 {
    guard let name else { return 1 }
    let nameLength = strlen(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self))
    return appendHeaderLine(UnsafeBufferPointer(start: name, count: nameLength), value, length, p, end)
}

@_cdecl("lws_add_http_header_by_token")
public func lws_add_http_header_by_token(_ context: OpaquePointer?, _ wsi: OpaquePointer?, _ token: lws_token_indexes,
                                         _ value: UnsafePointer<UInt8>?, _ length: Int32,
                                         _ p: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
                                         _ end: UnsafeMutablePointer<UInt8>?) -> Int32 {
    guard let name = HeaderToken.wireName(Int(token.rawValue)) else { return 1 }
    return name.withUTF8Buffer { appendHeaderLine($0, value, length, p, end) }
}

private func appendHeaderLine(_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafePointer<UInt8>?, _ length: Int32,
                              _ p: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
                              _ end: UnsafeMutablePointer<UInt8>?) -> Int32 {
    guard length >= 0, value != nil || length == 0 else { return 1 }
    // Checked before the value is read: `length` may exceed the value, not the room.
    guard UInt(name.count) + 3 + UInt(length) <= headerRoom(p, end) else { return 1 }
    var line: [UInt8] = []
    line.append(contentsOf: name)
    line.append(32)
    if let value { line.append(contentsOf: UnsafeBufferPointer(start: value, count: Int(length))) }
    line.appendCRLF()
    return appendHeaderBytes(line, p, end)
}

@_cdecl("lws_add_http_header_content_length")
public func lws_add_http_header_content_length(_ context: OpaquePointer?, _ wsi: OpaquePointer?, _ contentLength: UInt,
                                               _ p: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
                                               _ end: UnsafeMutablePointer<UInt8>?) -> Int32 {
    var digits: [UInt8] = []
    digits.appendDecimal(contentLength)
    return digits.withUnsafeBufferPointer { buffer in
        lws_add_http_header_by_token(context, wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, buffer.baseAddress, Int32(buffer.count), p, end)
    }
}

@_cdecl("lws_finalize_http_header")
public func lws_finalize_http_header(_ context: OpaquePointer?, _ wsi: OpaquePointer?,
                                     _ p: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
                                     _ end: UnsafeMutablePointer<UInt8>?) -> Int32 {
    appendHeaderBytes([13, 10], p, end)
}
