/// Why an email address was refused.
public enum EmailAddressError: Error, Equatable, Sendable {
    /// Nothing but whitespace was given.
    case empty
    /// The text is not an address this service accepts.
    case invalid
}

/// An email address as RFC 5321 allows it in practice, validated once at the
/// edge so that handlers never see a raw string.
///
/// Accepted: a dot-atom local part (ASCII letters, digits, ``!#$%&'*+/=?^_`{|}~-``
/// and single dots that neither start nor end it), so `+` tags and
/// apostrophes (`o'brien@x.se`) work; a domain of at least two LDH labels
/// (1–63 characters, no leading or trailing hyphen) whose last label is not
/// all digits; at most 64 bytes before the `@` and 254 bytes in all.
///
/// Refused on purpose, although RFC 5322 has them: quoted local parts,
/// comments, IP literals (`[192.0.2.1]`), and non-ASCII (SMTPUTF8) addresses:
/// no invitation needs them and each one widens what a lookalike can hide.
///
/// Two addresses are equal when they are equal without regard to case: the
/// local part is case-sensitive in theory and never in practice, and a member
/// who types `Anna@Example.se` must be the member invited as `anna@example.se`.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address as typed, without surrounding whitespace.
    public let value: String
    private let lowercased: String

    /// The whole address in lower case: the form to store, index and compare.
    public var normalized: String { lowercased }

    public var description: String { value }

    static let maximumLength = 254
    static let maximumLocalPartLength = 64
    static let maximumLabelLength = 63

    /// Parses what a person typed; surrounding whitespace is ignored.
    public init(parsing raw: String) throws(EmailAddressError) {
        let trimmed = raw.trimmingSurroundingWhitespace()
        if trimmed.isEmpty { throw .empty }
        let bytes = Array(trimmed.utf8)
        guard bytes.count <= Self.maximumLength else { throw .invalid }
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")) else { throw .invalid }
        // A second `@` lands in the domain, where the label check refuses it.
        guard Self.isDotAtom(bytes[..<at]),
              Self.isHostName(bytes[(at + 1)...])
        else { throw .invalid }
        value = trimmed
        lowercased = String(decoding: bytes.map(ASCII.lowercased), as: UTF8.self)
    }

    public static func == (lhs: EmailAddress, rhs: EmailAddress) -> Bool {
        lhs.lowercased == rhs.lowercased
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(lowercased)
    }

    private static func isDotAtom(_ local: ArraySlice<UInt8>) -> Bool {
        guard !local.isEmpty, local.count <= maximumLocalPartLength else { return false }
        var previousWasDot = true  // so that a leading dot is refused
        for byte in local {
            if byte == UInt8(ascii: ".") {
                if previousWasDot { return false }
                previousWasDot = true
            } else if ASCII.isAtomText(byte) {
                previousWasDot = false
            } else {
                return false
            }
        }
        return !previousWasDot
    }

    private static func isHostName(_ domain: ArraySlice<UInt8>) -> Bool {
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2, let last = labels.last else { return false }
        for label in labels where !isLabel(label) { return false }
        return !last.allSatisfy(ASCII.isDigit)
    }

    private static func isLabel(_ label: ArraySlice<UInt8>) -> Bool {
        guard let first = label.first, let last = label.last,
              label.count <= maximumLabelLength,
              first != UInt8(ascii: "-"), last != UInt8(ascii: "-")
        else { return false }
        return label.allSatisfy { ASCII.isLetter($0) || ASCII.isDigit($0) || $0 == UInt8(ascii: "-") }
    }
}

/// Byte classes shared by the parsers; everything outside ASCII is refused
/// before these are asked.
enum ASCII {
    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    /// `atext` of RFC 5322 §3.2.3.
    static func isAtomText(_ byte: UInt8) -> Bool {
        isLetter(byte) || isDigit(byte) || atomSpecials.contains(byte)
    }

    private static let atomSpecials: Set<UInt8> = Set("!#$%&'*+/=?^_`{|}~-".utf8)

    /// The value of a run of ASCII digits, or nil when it is empty, holds
    /// anything else, or does not fit.
    static func integer<Digits: Collection<UInt8>>(_ digits: Digits) -> Int64? {
        guard !digits.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard isDigit(byte) else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return value
    }
}

extension String {
    /// The string without leading and trailing whitespace (any Unicode
    /// whitespace, newlines included), as people paste it.
    func trimmingSurroundingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }
}
