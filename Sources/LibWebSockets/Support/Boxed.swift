/// A value kept out of line, so that an optional of it costs its owner one
/// pointer while absent.
///
/// A connection carries state that only one phase uses: the HTTP head
/// parser (about 200 bytes) until its request is read, the request's
/// header table until ESTABLISHED has seen it, the client's connect
/// request (about 90) until it is established. Stored inline they
/// made every idle WebSocket connection that much larger; boxed they cost
/// a word, and an allocation only while in use. The box is mutated in
/// place (`contents`), never copied.
final class Boxed<Value> {
    var contents: Value

    init(_ contents: Value) {
        self.contents = contents
    }
}
