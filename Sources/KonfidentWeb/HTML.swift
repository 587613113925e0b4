/// Markup built so that escaping is the default: text interpolated into `HTML` is escaped,
/// `HTML` interpolated into `HTML` is kept, and the only way to write raw markup from a string
/// is `HTML(trusted:)`, meant for constants.
public struct HTML: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var text: String

    public init(trusted text: String) {
        self.text = text
    }

    public init(stringLiteral value: String) {
        self.text = value
    }

    public init(stringInterpolation: Interpolation) {
        self.text = stringInterpolation.text
    }

    public static let empty = HTML(trusted: "")

    public var description: String { text }

    public static func + (lhs: HTML, rhs: HTML) -> HTML {
        HTML(trusted: lhs.text + rhs.text)
    }

    public struct Interpolation: StringInterpolationProtocol {
        var text = ""

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 64)
        }

        public mutating func appendLiteral(_ literal: String) {
            text += literal
        }

        /// Text: escaped.
        public mutating func appendInterpolation(_ value: String) {
            HTML.escape(value, into: &text)
        }

        public mutating func appendInterpolation(_ value: Int) {
            text += String(value)
        }

        /// Markup: kept.
        public mutating func appendInterpolation(_ value: HTML) {
            text += value.text
        }

        public mutating func appendInterpolation(_ values: [HTML]) {
            for value in values { text += value.text }
        }
    }

    /// Text, escaped: the same as interpolating it.
    public init(escaping text: String) {
        var out = ""
        HTML.escape(text, into: &out)
        self.text = out
    }

    /// Escapes the five characters that matter in text and in quoted attribute values.
    public static func escape(_ value: String, into out: inout String) {
        var value = value
        let needsEscape = value.withUTF8 { bytes in
            for byte in bytes where byte == 38 || byte == 60 || byte == 62 || byte == 34 || byte == 39 { return true }
            return false
        }
        guard needsEscape else { out += value; return }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
    }
}

/// Markup whose constant parts are rendered once: the page is rendered a single time with a marker
/// in each slot (escaping leaves the markers as they are), and the text between the markers is kept.
/// Filling it appends those parts and the slots' values, already `HTML` (escaped where they were text),
/// to one string of the right size. The markup has one source, the function that renders it.
struct HTMLTemplate: Sendable {
    private let parts: [String]
    /// The slot whose value follows `parts[i]`; a slot may appear more than once.
    private let order: [Int]
    private let constantLength: Int

    /// Nil when a slot's marker does not come out of `render` as it went in (the caller then renders
    /// every time): a text that changed its argument must not lose it.
    init?(slots: Int, _ render: ([String]) -> HTML) {
        let markers = (0..<slots).map { String(Character(Self.marker($0))) }
        let text = render(markers).text
        var parts: [String] = []
        var order: [Int] = []
        var current = ""
        for scalar in text.unicodeScalars {
            let index = Int(scalar.value) - Int(Self.firstMarker)
            if index >= 0 && index < slots {
                parts.append(current)
                order.append(index)
                current = ""
            } else {
                current.unicodeScalars.append(scalar)
            }
        }
        parts.append(current)
        guard Set(order).count == slots else { return nil }
        self.parts = parts
        self.order = order
        self.constantLength = parts.reduce(0) { $0 + $1.utf8.count }
    }

    /// Characters of Unicode's last private-use plane: no text of ours contains them.
    private static let firstMarker: UInt32 = 0xF0000

    private static func marker(_ index: Int) -> Unicode.Scalar {
        Unicode.Scalar(firstMarker + UInt32(index))!
    }

    /// The markup with `values[i]` in slot `i`.
    func render(_ values: [HTML]) -> HTML {
        var length = constantLength
        for slot in order { length += values[slot].text.utf8.count }
        var text = ""
        text.reserveCapacity(length)
        for index in order.indices {
            text += parts[index]
            text += values[order[index]].text
        }
        text += parts[parts.count - 1]
        return HTML(trusted: text)
    }
}
