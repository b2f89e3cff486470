/// A log message built without `String`.
///
/// The shipping library is Embedded Swift, where `String` drags in Unicode
/// tables we never need for log lines. `LogLine` keeps the convenience of
/// interpolation (`"accept failed, errno \(e)"`) but appends plain bytes, and
/// because log calls take it as an autoclosure nothing is built when the level
/// is filtered out.
struct LogLine: ExpressibleByStringInterpolation {
    var bytes: [UInt8]

    init(stringLiteral value: StaticString) {
        var interpolation = Interpolation(literalCapacity: value.utf8CodeUnitCount, interpolationCount: 0)
        interpolation.appendLiteral(value)
        bytes = interpolation.bytes
    }

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    init(stringInterpolation: Interpolation) {
        bytes = stringInterpolation.bytes
    }

    struct Interpolation: StringInterpolationProtocol {
        typealias StringLiteralType = StaticString
        var bytes: [UInt8] = []

        init(literalCapacity: Int, interpolationCount: Int) {
            bytes.reserveCapacity(literalCapacity + interpolationCount * 12)
        }

        mutating func appendLiteral(_ literal: StaticString) {
            appendStatic(literal)
        }

        mutating func appendInterpolation(_ literal: StaticString) {
            appendStatic(literal)
        }

        mutating func appendInterpolation<T: BinaryInteger>(_ value: T) {
            appendDecimal(value, to: &bytes)
        }

        mutating func appendInterpolation(bytes value: ArraySlice<UInt8>) {
            bytes.append(contentsOf: value)
        }

        mutating func appendInterpolation(bytes value: [UInt8]) {
            bytes.append(contentsOf: value)
        }

        /// A C string from the caller (a path, a protocol name); NULL prints as "(null)".
        mutating func appendInterpolation(cString value: UnsafePointer<CChar>?) {
            guard let value else {
                appendStatic("(null)")
                return
            }
            var p = value
            while p.pointee != 0 {
                bytes.append(UInt8(bitPattern: p.pointee))
                p += 1
            }
        }

        private mutating func appendStatic(_ s: StaticString) {
            s.withUTF8Buffer { bytes.append(contentsOf: $0) }
        }
    }
}

/// Appends the decimal form of an integer: used by log lines and HTTP headers.
func appendDecimal<T: BinaryInteger>(_ value: T, to bytes: inout [UInt8]) {
    if value == 0 {
        bytes.append(UInt8(ascii: "0"))
        return
    }
    var magnitude = value.magnitude
    if value < 0 { bytes.append(UInt8(ascii: "-")) }
    var reversed = [UInt8]()
    reversed.reserveCapacity(20)
    while magnitude > 0 {
        let digit = UInt8(truncatingIfNeeded: magnitude % 10)
        reversed.append(UInt8(ascii: "0") + digit)
        magnitude /= 10
    }
    bytes.append(contentsOf: reversed.reversed())
}
