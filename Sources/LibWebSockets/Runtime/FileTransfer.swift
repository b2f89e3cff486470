import CLibWebSockets

/// A file being sent as an HTTP response body, a piece per writable round.
///
/// Only one piece is read at a time, and only once the previous one has left
/// the outbound buffer, so a huge file to a slow reader costs one piece of
/// memory, not the file.
final class FileTransfer {
    static let pieceSize = 65536
    /// Seconds the peer has to take each piece: one that stops reading
    /// must not keep the connection (and the file open) forever.
    static let stallSeconds: Int32 = 30
    let fd: Int32
    var remaining: UInt64

    init(fd: Int32, size: UInt64) {
        self.fd = fd
        self.remaining = size
    }

    func close() {
        Socket.close(fd)
    }
}

extension Connection {
    /// `libwebsockets_serve_http_file`: sends the head at once and starts the
    /// body. Returns -1 on error (a 404 has been answered when the file is
    /// missing), 1 when the whole file has gone out and the transaction was
    /// completed (the application should then close when that said so), 0 when
    /// the rest follows in later writable rounds.
    func serveFile(path: UnsafePointer<CChar>, contentType: UnsafePointer<CChar>?,
                   otherHeaders: UnsafePointer<CChar>?, otherHeadersLength: Int32) -> Int32 {
        guard state == .httpResponding || state == .readingHTTPBody || state == .awaitingHTTPHead else { return -1 }
        noteAnswerStarted()
        let file = lws_c_open_readonly(path)
        var info = stat()
        guard file >= 0, fstat(file, &info) == 0, info.st_mode & UInt32(S_IFMT) == UInt32(S_IFREG) else {
            if file >= 0 { Socket.close(file) }
            Log.note("fd \(fd): cannot serve \(cString: path), answering 404")
            sendStatusResponse(status: 404, body: nil, extraHeaders: "")
            return -1
        }
        var head: [UInt8] = []
        appendStatusLine(200, to: &head)
        head.append("Server: libwebsockets\r\nContent-Type: ")
        if let contentType {
            head.append(contentsOf: UnsafeRawBufferPointer(start: contentType, count: strlen(contentType)))
        } else {
            head.append("application/octet-stream")
        }
        head.append("\r\nContent-Length: ")
        head.appendDecimal(info.st_size)
        head.appendCRLF()
        appendConnectionHeader(to: &head)
        if let otherHeaders {
            // Up to other_headers_len bytes, but never past the string's NUL.
            let length = otherHeadersLength > 0 ? strnlen(otherHeaders, Int(otherHeadersLength)) : strlen(otherHeaders)
            head.append(contentsOf: UnsafeRawBufferPointer(start: otherHeaders, count: length))
        }
        head.appendCRLF()
        head.withUnsafeBytes { sendRaw($0) }
        fileTransfer = FileTransfer(fd: file, size: UInt64(info.st_size))
        return continueFileTransfer()
    }

    /// Sends file pieces while the socket takes them. On the last piece:
    /// FILE_COMPLETION, then the transaction is completed. Returns 1 when
    /// done, 0 when more rounds are needed, -1 on error.
    @discardableResult
    func continueFileTransfer() -> Int32 {
        guard let transfer = fileTransfer else { return 1 }
        var piece = [UInt8](repeating: 0, count: FileTransfer.pieceSize)
        while outbound.isEmpty && transfer.remaining > 0 && !closeRequested && state != .dead {
            let wanted = Int(min(UInt64(piece.count), transfer.remaining))
            let n = piece.withUnsafeMutableBytes { read(transfer.fd, $0.baseAddress, wanted) }
            if n <= 0 {
                Log.error("fd \(fd): reading the served file failed")
                transfer.close()
                fileTransfer = nil
                requestClose()
                return -1
            }
            transfer.remaining -= UInt64(n)
            piece.withUnsafeBytes { sendRaw(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        if closeRequested { return -1 }
        if transfer.remaining > 0 {
            setTimeout(reason: Int32(PENDING_TIMEOUT_HTTP_CONTENT.rawValue), seconds: FileTransfer.stallSeconds)
            updatePoll()
            return 0
        }
        transfer.close()
        fileTransfer = nil
        updatePoll()
        if callUser(LWS_CALLBACK_HTTP_FILE_COMPLETION) != 0 {
            requestClose()
            return -1
        }
        // While a request body is still arriving the transaction cannot be
        // reused: completing it closes the connection after the file.
        if (state == .httpResponding || state == .readingHTTPBody) && completeHTTPTransaction() != 0 {
            requestClose()
        }
        return 1
    }
}
