/// Markup built so that escaping is the default: text interpolated into `HTML` is escaped,
/// `HTML` interpolated into `HTML` is kept, and the only way to write raw markup from a string
/// is `HTML(trusted:)`, meant for constants.
///
/// It holds the UTF-8 that goes out, not a `String`: a page is put together from some fifty pieces,
/// and appending bytes costs a fraction of appending strings; the response body is these bytes.
public struct HTML: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The markup as it is sent.
    public private(set) var bytes: [UInt8]

    /// The markup as a string (for tests and logs; responses use `bytes`).
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public init(trusted text: String) {
        self.bytes = Array(text.utf8)
    }

    public init(stringLiteral value: String) {
        self.bytes = Array(value.utf8)
    }

    public init(stringInterpolation: Interpolation) {
        self.bytes = stringInterpolation.bytes
    }

    /// Text, escaped: the same as interpolating it.
    public init(escaping text: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        HTML.escape(text, into: &bytes)
        self.bytes = bytes
    }

    init(trustedBytes bytes: [UInt8]) {
        self.bytes = bytes
    }

    public static let empty = HTML(trusted: "")

    public var description: String { text }

    public static func == (lhs: HTML, rhs: HTML) -> Bool {
        lhs.text == rhs.text
    }

    public static func + (lhs: HTML, rhs: HTML) -> HTML {
        HTML(trustedBytes: lhs.bytes + rhs.bytes)
    }

    public struct Interpolation: StringInterpolationProtocol {
        var bytes: [UInt8] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            bytes.reserveCapacity(literalCapacity + interpolationCount * 64)
        }

        public mutating func appendLiteral(_ literal: String) {
            bytes.append(contentsOf: literal.utf8)
        }

        /// Text: escaped.
        public mutating func appendInterpolation(_ value: String) {
            HTML.escape(value, into: &bytes)
        }

        public mutating func appendInterpolation(_ value: Int) {
            bytes.append(contentsOf: String(value).utf8)
        }

        /// Markup: kept.
        public mutating func appendInterpolation(_ value: HTML) {
            bytes.append(contentsOf: value.bytes)
        }

        public mutating func appendInterpolation(_ values: [HTML]) {
            for value in values { bytes.append(contentsOf: value.bytes) }
        }
    }

    /// Escapes the five characters that matter in text and in quoted attribute values.
    public static func escape(_ value: String, into out: inout String) {
        var bytes: [UInt8] = []
        escape(value, into: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// The same, appending UTF-8. The five characters are ASCII, so no byte of a longer character
    /// is ever one of them: escaping byte by byte is escaping character by character.
    static func escape(_ value: String, into out: inout [UInt8]) {
        var value = value
        value.withUTF8 { text in
            var start = 0
            for index in 0..<text.count {
                let entity: StaticString
                switch text[index] {
                case UInt8(ascii: "&"): entity = "&amp;"
                case UInt8(ascii: "<"): entity = "&lt;"
                case UInt8(ascii: ">"): entity = "&gt;"
                case UInt8(ascii: "\""): entity = "&quot;"
                case UInt8(ascii: "'"): entity = "&#39;"
                default: continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: text[start..<index]))
                out.append(contentsOf: UnsafeBufferPointer(start: entity.utf8Start, count: entity.utf8CodeUnitCount))
                start = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[start...]))
        }
    }
}

/// Markup whose constant parts are rendered once: the page is rendered a single time with a marker
/// in each slot (escaping leaves the markers as they are), and the bytes between the markers are
/// kept. Filling it appends those parts and the slots' values, already `HTML` (escaped where they
/// were text), to one buffer of the right size. The markup has one source, the function that renders it.
struct HTMLTemplate: Sendable {
    /// The constant parts, one after the other; `parts[i]` is a range of it.
    private let constant: [UInt8]
    private let parts: [Range<Int>]
    /// The slot whose value follows `parts[i]`; a slot may appear more than once.
    private let order: [Int]

    /// Nil when a slot's marker does not come out of `render` as it went in (the caller then renders
    /// every time): a text that changed its argument must not lose it.
    init?(slots: Int, _ render: ([String]) -> HTML) {
        let markers = (0..<slots).map { String(Character(Self.marker($0))) }
        let text = render(markers).text
        var constant: [UInt8] = []
        var parts: [Range<Int>] = []
        var order: [Int] = []
        var start = 0
        for scalar in text.unicodeScalars {
            let index = Int(scalar.value) - Int(Self.firstMarker)
            if index >= 0 && index < slots {
                parts.append(start..<constant.count)
                order.append(index)
                start = constant.count
            } else {
                constant.append(contentsOf: String(scalar).utf8)
            }
        }
        parts.append(start..<constant.count)
        guard Set(order).count == slots else { return nil }
        self.constant = constant
        self.parts = parts
        self.order = order
    }

    /// Characters of Unicode's last private-use plane: no text of ours contains them.
    private static let firstMarker: UInt32 = 0xF0000

    private static func marker(_ index: Int) -> Unicode.Scalar {
        Unicode.Scalar(firstMarker + UInt32(index))!
    }

    /// The markup with `values[i]` in slot `i`.
    func render(_ values: [HTML]) -> HTML {
        var length = constant.count
        for slot in order { length += values[slot].bytes.count }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        constant.withUnsafeBufferPointer { constant in
            for index in order.indices {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: constant[parts[index]]))
                bytes.append(contentsOf: values[order[index]].bytes)
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: constant[parts[parts.count - 1]]))
        }
        return HTML(trustedBytes: bytes)
    }
}
