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

    /// Escapes the five characters that matter in text and in quoted attribute values.
    public static func escape(_ value: String, into out: inout String) {
        var needsEscape = false
        for byte in value.utf8 where byte == 38 || byte == 60 || byte == 62 || byte == 34 || byte == 39 {
            needsEscape = true
            break
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
