/// Why a phone number was refused.
public enum PhoneNumberError: Error, Equatable, Sendable {
    /// A plausible number written in national form (`070-123 45 67`): the
    /// person should add the country code (`+46`).
    case missingCountryCode
    /// Not a phone number this service can send an SMS to.
    case invalid
}

/// A mobile number in E.164 form, the only form the SMS gateway and the
/// rate limits (per number, per country) work with.
///
/// Accepted input: the international form, introduced by `+` or by the `00`
/// international prefix, with spaces, dashes, dots and parenthesised groups
/// between the digits, and a `(0)` trunk prefix directly after the country
/// code, which is dropped: `+46 (0)70-123 45 67` and `0046701234567` both
/// give `+46701234567`. The result has 8 to 15 digits, and neither the
/// country code nor the number after it starts with 0.
///
/// Refused: a number without `+` or `00` (`.missingCountryCode` when it
/// otherwise looks like a phone number, since only the person knows which
/// country it belongs to), and letters, a second `+`, control characters,
/// non-ASCII digits or separators (`.invalid`).
public struct PhoneNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number as `+` and 8 to 15 digits, e.g. `+46701234567`.
    public let e164: String

    public var description: String { e164 }

    static let minimumDigits = 8
    static let maximumDigits = 15

    /// Parses what a person typed; surrounding whitespace is ignored.
    public init(parsing raw: String) throws(PhoneNumberError) {
        let bytes = Array(raw.trimmingSurroundingWhitespace().utf8)
        guard !bytes.isEmpty, bytes.allSatisfy(Self.isAllowed) else { throw .invalid }
        if bytes[0] == UInt8(ascii: "+") {
            e164 = try Self.international(bytes.dropFirst())
        } else if bytes.starts(with: "00".utf8) {
            e164 = try Self.international(bytes.dropFirst(2))
        } else {
            throw Self.refuseNational(bytes[...])
        }
    }

    /// The country calling code, e.g. `46`, `1` or `358`.
    public var countryCode: String {
        let digits = e164.utf8.dropFirst()
        return String(decoding: digits.prefix(Self.countryCodeLength(digits)), as: UTF8.self)
    }

    /// The number with all but its last two digits hidden, for pages and the
    /// audit log: the country code, a space, one `•` per hidden digit, then
    /// the last two digits. `+46701234567` gives `+46 •••••••67`.
    public var masked: String {
        let national = e164.utf8.dropFirst(1 + countryCode.utf8.count)
        let hidden = String(repeating: "•", count: national.count - 2)
        return "+" + countryCode + " " + hidden + String(decoding: national.suffix(2), as: UTF8.self)
    }

    /// How many leading digits of an international number are its country
    /// code, by the ITU's assignment: zones 1 and 7 are one digit, a fixed
    /// set is two digits, everything else three.
    static func countryCodeLength<Digits: Collection<UInt8>>(_ digits: Digits) -> Int {
        guard let first = digits.first else { return 0 }
        if first == UInt8(ascii: "1") || first == UInt8(ascii: "7") { return 1 }
        guard let second = digits.dropFirst().first else { return 2 }
        let twoDigits = Int(first - UInt8(ascii: "0")) * 10 + Int(second - UInt8(ascii: "0"))
        return twoDigitCountryCodes.contains(twoDigits) ? 2 : 3
    }

    private static let twoDigitCountryCodes: Set<Int> = Set(
        [20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 81, 82, 84, 86, 98]
            + Array(43...49) + Array(51...58) + Array(60...66) + Array(90...95)
    )

    private static func isAllowed(_ byte: UInt8) -> Bool {
        ASCII.isDigit(byte) || separators.contains(byte)
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")")
    }

    private static let separators: Set<UInt8> = Set(" -.".utf8)

    /// The E.164 form of what follows `+` or `00`.
    private static func international(_ body: ArraySlice<UInt8>) throws(PhoneNumberError) -> String {
        guard let groups = DigitGroups(body) else { throw .invalid }
        var digits = groups.digits
        if let trunk = groups.trunkZeroPositions.first {
            // "(0)" is only the trunk prefix right after a whole country code.
            guard groups.trunkZeroPositions.count == 1, trunk > 0,
                  countryCodeLength(digits) == trunk
            else { throw .invalid }
        }
        guard (minimumDigits...maximumDigits).contains(digits.count),
              digits[0] != UInt8(ascii: "0"),
              digits[countryCodeLength(digits)] != UInt8(ascii: "0")
        else { throw .invalid }
        digits.insert(UInt8(ascii: "+"), at: 0)
        return String(decoding: digits, as: UTF8.self)
    }

    /// The error for input without `+` or `00`.
    private static func refuseNational(_ bytes: ArraySlice<UInt8>) -> PhoneNumberError {
        guard let groups = DigitGroups(bytes) else { return .invalid }
        // Counted with any "(0)", which in national form is just a digit.
        let count = groups.digits.count + groups.trunkZeroPositions.count
        // A national number has a trunk prefix or at least a few digits.
        return (minimumDigits - 1...maximumDigits + 1).contains(count) ? .missingCountryCode : .invalid
    }
}

/// The digits of a number written with separators and parenthesised groups,
/// with each `(0)` group set aside as a possible trunk prefix.
private struct DigitGroups {
    var digits: [UInt8] = []
    /// For each `(0)`, how many digits came before it.
    var trunkZeroPositions: [Int] = []

    /// Nil when the text is not digits, separators and non-empty, unnested
    /// parenthesised groups, or holds no digit at all.
    init?(_ bytes: ArraySlice<UInt8>) {
        var groupStart: Int?
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "("):
                guard groupStart == nil else { return nil }
                groupStart = digits.count
            case UInt8(ascii: ")"):
                guard let start = groupStart, digits.count > start else { return nil }
                if digits.count == start + 1, digits[start] == UInt8(ascii: "0") {
                    digits.removeLast()
                    trunkZeroPositions.append(start)
                }
                groupStart = nil
            case UInt8(ascii: "+"):
                return nil
            default:
                if ASCII.isDigit(byte) { digits.append(byte) }
            }
        }
        guard groupStart == nil, !digits.isEmpty || !trunkZeroPositions.isEmpty else { return nil }
    }
}
