/// The standard library's UTF-8 validation, an implementation independent
/// of `UTF8Validator` that the fuzzer checks it against.
enum UTF8Reference {
    static func isValid<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        String(validating: bytes, as: UTF8.self) != nil
    }
}
