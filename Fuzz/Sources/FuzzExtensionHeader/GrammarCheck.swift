import WebSocketCompression

/// `ExtensionHeader.parse` against properties of the grammar: what it
/// returns is made of tokens and writes back to a value that parses to the
/// same offers, and blanks or empty elements around the list change
/// nothing.
enum GrammarCheck {
    static func parse(_ value: [UInt8]) -> [ExtensionOffer]? {
        let offers = ExtensionHeader.parse(value)
        let padded = Array(" \t".utf8) + value + Array(" ".utf8)
        precondition(ExtensionHeader.parse(padded) == offers, "blanks around the list changed it")
        precondition(ExtensionHeader.parse(Array(", ,".utf8) + value) == offers, "leading empty elements changed the list")
        guard let offers = offers else { return nil }

        for offer in offers {
            precondition(isToken(offer.name), "an extension name that is not a token")
            for parameter in offer.parameters {
                precondition(isToken(parameter.name), "a parameter name that is not a token")
                precondition(parameter.value.map(isToken) ?? true, "a parameter value that is not a token")
            }
        }
        let written = ExtensionHeader.value(of: offers)
        precondition(ExtensionHeader.parse(written) == offers, "a written header parses to other offers")
        return offers
    }

    /// RFC 2616 separators: what a token may not contain besides controls.
    private static let separators = Array("()<>@,;:\\\"/[]?={} \t".utf8)

    /// RFC 7230 tchar, spelt out here rather than taken from the module.
    static func isToken(_ bytes: [UInt8]) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { $0 > 0x20 && $0 < 0x7F && !separators.contains($0) }
    }
}
