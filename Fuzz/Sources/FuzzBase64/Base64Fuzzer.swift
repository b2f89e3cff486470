import FuzzSupport
import WebSocketProtocol

/// libFuzzer entry point: decodes the input as base64 into a buffer of a
/// chosen size and checks the result against `Base64Reference`, then
/// encodes the input's bytes and decodes them back. Buffers are exactly as
/// large as the call is told, so a write past one is caught.
///
/// Input: two bytes choosing the output sizes around what the calls need,
/// then the text (or bytes) to decode and encode.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBase64(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, count: size)
    let decodeSlack = Int(input.byte() % 8) - 4
    let encodeSlack = Int(input.byte() % 8) - 4
    let text = input.rest()
    checkDecode(text, slack: decodeSlack)
    checkEncode(text, slack: encodeSlack)
    return 0
}

/// `decode` returns the reference's bytes and a NUL when they fit with
/// room for the NUL, and -1 when they do not or the text is not base64.
private func checkDecode(_ text: UnsafeRawBufferPointer, slack: Int) {
    let expected = Base64Reference.decode(text)
    let size = max((expected?.count ?? text.count) + 1 + slack, 0)
    let out = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
    defer { out.deallocate() }
    let result = Base64.decode(text, into: out)
    guard let expected = expected, size > expected.count else {
        precondition(result == -1, "decode succeeded on invalid text or without room")
        return
    }
    precondition(result == expected.count, "decode returned the wrong length")
    precondition(Array(out[..<result]) == expected && out[result] == 0, "decode wrote the wrong bytes")
    for byte in text.prefix(while: { $0 != 0 }) {
        precondition(Base64.isEncodingCharacter(byte), "a character decode took is not an encoding character")
    }
}

/// `encode` writes the standard alphabet with padding and a NUL when there
/// is room, -1 otherwise; the array form agrees, and decoding gives back
/// the bytes.
private func checkEncode(_ bytes: UnsafeRawBufferPointer, slack: Int) {
    let length = Base64.encodedLength(bytes.count)
    precondition(length % 4 == 0 && length >= bytes.count * 4 / 3 && length < bytes.count * 4 / 3 + 4,
                 "encodedLength is not the padded length")
    let size = max(length + 1 + slack, 0)
    let out = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
    defer { out.deallocate() }
    let result = Base64.encode(bytes, into: out)
    guard size > length else {
        precondition(result == -1, "encode succeeded without room")
        return
    }
    precondition(result == length && out[length] == 0, "encode returned the wrong length")
    let encoded = Array(out[..<length])
    precondition(encoded == Base64.encode(Array(bytes)), "the two encode calls disagree")
    precondition(encoded.allSatisfy { Base64Reference.standardValue($0) != nil || $0 == UInt8(ascii: "=") },
                 "encode wrote a character outside the standard alphabet")
    let decoded = encoded.withUnsafeBytes { Base64Reference.decode($0) }
    precondition(decoded.map { $0.elementsEqual(bytes) } ?? false, "encoded bytes do not decode back")
}
