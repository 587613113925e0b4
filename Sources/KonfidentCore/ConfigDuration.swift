/// A configuration value that could not be read; `message` says what is wrong
/// in words fit for the one start-up line that also names the variable.
public struct ConfigValueError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// A length of time in the configuration (`KONFIDENT_LINK_TTL`,
/// `KONFIDENT_SESSION_IDLE`, …), written as a positive whole number and one
/// unit: `90s`, `10m`, `12h`, `7d`.
///
/// Nothing else is accepted (no fractions, signs, spaces inside, combined
/// units or `ms`), so that a typo stops start-up instead of becoming a
/// surprising lifetime. Surrounding whitespace is ignored.
public struct ConfigDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let seconds: Int64

    public init(seconds: Int64) {
        self.seconds = seconds
    }

    public init(parsing raw: String) throws(ConfigValueError) {
        let text = raw.trimmingSurroundingWhitespace()
        let refusal = ConfigValueError(
            message: "'\(text)' is not a duration: write a positive whole number and s, m, h or d, e.g. 90s, 10m, 12h, 7d"
        )
        guard let unit = text.utf8.last, let unitSeconds = Self.unitSeconds[unit],
              let count = ASCII.integer(text.utf8.dropLast()), count > 0
        else { throw refusal }
        let (product, overflow) = count.multipliedReportingOverflow(by: unitSeconds)
        guard !overflow else {
            throw ConfigValueError(message: "'\(text)' is too long a duration")
        }
        seconds = product
    }

    /// The largest whole unit: `600` seconds is `10m`.
    public var description: String {
        for (unit, length) in Self.unitsLargestFirst where seconds % length == 0 && seconds != 0 {
            return "\(seconds / length)\(unit)"
        }
        return "\(seconds)s"
    }

    public static func < (lhs: ConfigDuration, rhs: ConfigDuration) -> Bool {
        lhs.seconds < rhs.seconds
    }

    private static let unitSeconds: [UInt8: Int64] = [
        UInt8(ascii: "s"): 1, UInt8(ascii: "m"): 60, UInt8(ascii: "h"): 3600, UInt8(ascii: "d"): 86400,
    ]

    private static let unitsLargestFirst: [(String, Int64)] = [("d", 86400), ("h", 3600), ("m", 60)]
}
