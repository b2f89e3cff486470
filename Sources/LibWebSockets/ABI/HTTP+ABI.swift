import CLibWebSockets
import WebSocketProtocol

// HTTP: request headers, responses and files (seed: lws_hdr_total_length,
// lws_hdr_copy, libwebsockets_serve_http_file[_fragment],
// libwebsockets_return_http_status, lws_add_http_header_*,
// lws_finalize_http_header, lws_http_transaction_completed).

@_cdecl("lws_hdr_total_length")
public func lws_hdr_total_length(_ wsi: OpaquePointer?, _ token: lws_token_indexes) -> Int32 {
    Connection.with(wsi, otherwise: 0) { connection in
        guard let headers = connection.exchange?.headers?.contents else { return 0 }
        return Int32(truncatingIfNeeded: headers.length(of: Int(token.rawValue)))
    }
}

/// Copies a header's value and NUL-terminates it; returns its length, or -1
/// when `len` has no room for the value and its NUL. An absent header copies
/// as the empty string.
@_cdecl("lws_hdr_copy")
public func lws_hdr_copy(_ wsi: OpaquePointer?, _ dest: UnsafeMutablePointer<CChar>?, _ len: Int32, _ token: lws_token_indexes) -> Int32 {
    guard let dest, len > 0 else { return -1 }
    return Connection.with(wsi, otherwise: -1) { connection in
        guard let headers = connection.exchange?.headers?.contents else {
            dest[0] = 0
            return 0
        }
        // The table's own copy: no pointer into an empty value is ever unwrapped.
        let out = UnsafeMutableRawBufferPointer(start: dest, count: Int(len))
        return Int32(truncatingIfNeeded: headers.copyValue(of: Int(token.rawValue), into: out))
    }
}

@_cdecl("libwebsockets_serve_http_file")
public func libwebsockets_serve_http_file(_ context: OpaquePointer?, _ wsi: OpaquePointer?, _ file: UnsafePointer<CChar>?,
                                          _ contentType: UnsafePointer<CChar>?, _ otherHeaders: UnsafePointer<CChar>?,
                                          _ otherHeadersLength: Int32) -> Int32 {
    guard wsi != nil, let file else {
        Log.error("libwebsockets_serve_http_file: NULL wsi or file")
        return -1
    }
    return Connection.with(wsi, otherwise: -1) { connection in
        connection.serveFile(path: file, contentType: contentType, otherHeaders: otherHeaders,
                             otherHeadersLength: otherHeadersLength)
    }
}

@_cdecl("libwebsockets_serve_http_file_fragment")
public func libwebsockets_serve_http_file_fragment(_ context: OpaquePointer?, _ wsi: OpaquePointer?) -> Int32 {
    Connection.with(wsi, otherwise: -1) { $0.continueFileTransfer() }
}

@_cdecl("libwebsockets_return_http_status")
public func libwebsockets_return_http_status(_ context: OpaquePointer?, _ wsi: OpaquePointer?, _ code: UInt32,
                                             _ htmlBody: UnsafePointer<CChar>?) -> Int32 {
    Connection.with(wsi, otherwise: -1) { connection in
        connection.sendStatusResponse(status: Int(code), body: htmlBody, extraHeaders: "")
        return connection.closeRequested ? -1 : 0
    }
}

@_cdecl("lws_http_transaction_completed")
public func lws_http_transaction_completed(_ wsi: OpaquePointer?) -> Int32 {
    Connection.with(wsi, otherwise: 1) { $0.completeHTTPTransaction() }
}

/// The `lws_add_http_header_*` helpers and `lws_finalize_http_header`
/// answer 0 when the line was written, 1 when it did not fit (or the
/// arguments were unusable); `HeaderBlock` does the writing. `*p` and `end`
/// come as a pointer to the caller's cursor and its end.
public typealias HeaderCursor = UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>

private func headerResult(_ written: Bool) -> Int32 { written ? 0 : 1 }

@_cdecl("lws_add_http_header_status")
public func lws_add_http_header_status(_ context: OpaquePointer?, _ wsi: OpaquePointer?, _ code: UInt32,
                                       _ p: HeaderCursor?, _ end: UnsafeMutablePointer<UInt8>?) -> Int32 {
    guard let block = HeaderBlock(cursor: p, end: end) else { return 1 }
    guard wsi != nil else { return headerResult(block.appendStatus(Int(code), for: nil)) }
    return Connection.with(wsi, otherwise: 1) { headerResult(block.appendStatus(Int(code), for: $0)) }
}

@_cdecl("lws_add_http_header_by_name")
public func lws_add_http_header_by_name(_ context: OpaquePointer?, _ wsi: OpaquePointer?, _ name: UnsafePointer<UInt8>?,
                                        _ value: UnsafePointer<UInt8>?, _ length: Int32,
                                        _ p: HeaderCursor?, _ end: UnsafeMutablePointer<UInt8>?) -> Int32 {
    guard let name, let block = HeaderBlock(cursor: p, end: end) else { return 1 }
    let nameLength = strlen(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self))
    return headerResult(block.appendField(name: UnsafeBufferPointer(start: name, count: nameLength), value: value, length: length))
}

@_cdecl("lws_add_http_header_by_token")
public func lws_add_http_header_by_token(_ context: OpaquePointer?, _ wsi: OpaquePointer?, _ token: lws_token_indexes,
                                         _ value: UnsafePointer<UInt8>?, _ length: Int32,
                                         _ p: HeaderCursor?, _ end: UnsafeMutablePointer<UInt8>?) -> Int32 {
    guard let name = HeaderToken.wireName(Int(token.rawValue)), let block = HeaderBlock(cursor: p, end: end) else { return 1 }
    return headerResult(name.withUTF8Buffer { block.appendField(name: $0, value: value, length: length) })
}

@_cdecl("lws_add_http_header_content_length")
public func lws_add_http_header_content_length(_ context: OpaquePointer?, _ wsi: OpaquePointer?, _ contentLength: UInt,
                                               _ p: HeaderCursor?, _ end: UnsafeMutablePointer<UInt8>?) -> Int32 {
    var digits: [UInt8] = []
    digits.appendDecimal(contentLength)
    return digits.withUnsafeBufferPointer { buffer in
        lws_add_http_header_by_token(context, wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, buffer.baseAddress, Int32(buffer.count), p, end)
    }
}

@_cdecl("lws_finalize_http_header")
public func lws_finalize_http_header(_ context: OpaquePointer?, _ wsi: OpaquePointer?,
                                     _ p: HeaderCursor?, _ end: UnsafeMutablePointer<UInt8>?) -> Int32 {
    guard let block = HeaderBlock(cursor: p, end: end) else { return 1 }
    return headerResult(block.finish())
}
