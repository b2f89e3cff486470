/// Whether the peer's input is read now, and what was read but could not be
/// used yet. Every phase that reads uses it: a pipelined HTTP request waits
/// here while the one before it is answered, a WebSocket's input while the
/// application has turned the receive flow off (`Connection.readsInput`
/// says when the socket is read).
///
/// Noncopyable, as the held bytes are. The buffer first, flags last: no
/// padding between them.
struct InputFlow: ~Copyable {
    /// Received bytes not yet processed, in arrival order.
    var held = HeldInput()
    /// `libwebsocket_rx_flow_control`: off stops reading and processing.
    var flowEnabled = true
    /// The held input already went through PACKET_RX_PREPARSE.
    var heldIsPrepared = false
    /// Queued on the context's pendingInput list.
    var queued = false
    /// The peer's FIN arrived while its input was not being read: the end
    /// of its stream waits in the kernel behind the rest of its input.
    var peerFinished = false
    /// Answering this peer's input left us owing it more than `owedBound`.
    var pausedByBacklog = false
}
