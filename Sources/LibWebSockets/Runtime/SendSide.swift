/// What the send path (`Connection+Send`) keeps between writes: the current
/// service call's batch (corking), the WRITEABLE callback the application
/// asked for, and whether the message being sent is compressed. Every
/// phase that writes uses it: HTTP answers, the WebSocket session, the
/// flush while lingering.
///
/// The word-sized count first, flags last: the connection's small fields
/// fill the tail.
struct SendSide {
    /// Frame bytes written in the current service call (see
    /// `wroteSocketBufferInBatch`); non-zero puts the connection on the
    /// context's `batchWriters`.
    var writtenInBatch = 0
    /// `outbound` holds only bytes collected while the context corks (see
    /// `sendRaw`), not a backlog the socket refused.
    var corked = false
    /// The application asked for a writable callback and it is not yet delivered.
    var writableRequested = false
    /// Queued on the context's pendingWritable list.
    var writableQueued = false
    /// A compressed message is being sent: its continuation frames go
    /// through the deflater too.
    var messageCompressed = false
}
