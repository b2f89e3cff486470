import CLibWebSockets

/// A file being sent as an HTTP response body, as far as the socket takes
/// it per writable round.
///
/// Over a plain socket the kernel copies it (sendfile(2)), with no memory
/// of ours. Over TLS it is read a piece at a time into the context's
/// `filePiece`, and only once the previous piece has left the outbound
/// buffer, so a huge file to a slow reader costs one piece of memory, not
/// the file.
final class FileTransfer {
    static let pieceSize = 65536
    /// Seconds the peer has to take each piece: one that stops reading
    /// must not keep the connection (and the file open) forever.
    static let stallSeconds: Int32 = 30
    /// The most one sendfile call is asked for (it takes what the socket has
    /// room for).
    static let sendfileChunk = 1 << 30
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
        http.fileTransfer = FileTransfer(fd: file, size: UInt64(info.st_size))
        return continueFileTransfer()
    }

    /// Sends the file while the socket takes it. At its end:
    /// FILE_COMPLETION, then the transaction is completed. Returns 1 when
    /// done, 0 when more rounds are needed, -1 on error.
    @discardableResult
    func continueFileTransfer() -> Int32 {
        guard let transfer = exchange?.fileTransfer else { return 1 }
        while outbound.isEmpty && transfer.remaining > 0 && !closeRequested && state != .dead {
            let step = tls == nil ? sendFilePart(transfer) : sendFilePiece(transfer)
            switch step {
            case .sent(let count):
                transfer.remaining -= UInt64(count)
                continue
            case .socketFull:
                break  // POLLOUT resumes
            case .connectionFailed:
                Log.information("fd \(fd): send failed, closing")
                requestClose(.abnormal)
            case .fileFailed:
                Log.error("fd \(fd): reading the served file failed")
                transfer.close()
                exchange?.fileTransfer = nil
                requestClose()
                return -1
            }
            break
        }
        if closeRequested { return -1 }
        if transfer.remaining > 0 {
            setTimeout(reason: Int32(PENDING_TIMEOUT_HTTP_CONTENT.rawValue), seconds: FileTransfer.stallSeconds)
            updatePoll()
            return 0
        }
        transfer.close()
        exchange?.fileTransfer = nil
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

    /// One step of a file transfer.
    private enum FileStep {
        case sent(Int)
        case socketFull
        case connectionFailed
        /// Unreadable, or shorter than it was when the transfer began.
        case fileFailed
    }

    /// The kernel sends what the socket takes, straight from the file.
    private func sendFilePart(_ transfer: FileTransfer) -> FileStep {
        let wanted = Int(min(UInt64(FileTransfer.sendfileChunk), transfer.remaining))
        while true {
            let n = lws_c_sendfile(fd, transfer.fd, wanted)
            if n > 0 { return .sent(n) }
            if n == 0 { return .fileFailed }
            let e = lws_c_errno()
            if e == lws_c_EINTR() { continue }
            if e == lws_c_EAGAIN() || e == lws_c_EWOULDBLOCK() { return .socketFull }
            // sendfile's own errors about its input; the rest are the socket's.
            if e == EIO || e == EINVAL || e == EBADF || e == EOVERFLOW || e == ESPIPE { return .fileFailed }
            return .connectionFailed
        }
    }

    /// Reads the next piece and sends it (what the socket refuses is
    /// buffered; a send that fails requests the close itself).
    private func sendFilePiece(_ transfer: FileTransfer) -> FileStep {
        let piece = context.filePiece
        let wanted = Int(min(UInt64(piece.count), transfer.remaining))
        let n = read(transfer.fd, piece.baseAddress, wanted)
        guard n > 0 else { return .fileFailed }
        sendRaw(UnsafeRawBufferPointer(rebasing: piece[0..<n]))
        return .sent(n)
    }
}
