/// A calendar date without time or zone, as the caller's clock sees "today".
///
/// The core has no clock; whoever needs a date derived from the current time
/// makes one of these and passes it in. It is not checked: `isValid` says
/// whether it names a real day.
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Whether the date exists in the proleptic Gregorian calendar.
    public var isValid: Bool {
        (1...12).contains(month) && (1...Self.daysIn(month: month, year: year)).contains(day)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        "\(year)-\(Self.twoDigits(month))-\(Self.twoDigits(day))"
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public static func isLeap(year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The number of days in a month (1–12) of a year; 0 for no month.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: 31
        case 4, 6, 9, 11: 30
        case 2: isLeap(year: year) ? 29 : 28
        default: 0
        }
    }

    private static func twoDigits(_ number: Int) -> String {
        number < 10 && number >= 0 ? "0\(number)" : "\(number)"
    }
}

/// Why a personnummer was refused.
public enum PersonnummerError: Error, Equatable, Sendable {
    /// Not one of the accepted written forms.
    case invalidFormat
    /// The date part is not a real day, or lies in the future.
    case invalidDate
    /// The check digit does not match (a typo, most likely).
    case invalidChecksum
}

/// A Swedish personal identity number (personnummer) or coordination number
/// (samordningsnummer), as BankID's `personalNumber` and the member records
/// need it: twelve digits, `YYYYMMDDNNNC`.
///
/// Accepted input, surrounding whitespace ignored: `YYYYMMDDNNNC`,
/// `YYYYMMDD-NNNC`, `YYMMDDNNNC`, `YYMMDD-NNNC` and `YYMMDD+NNNC`. A ten-digit
/// form gets the latest century that does not put the birth date after
/// `today`, or, with `+` (written for people who have turned 100), the century
/// before that. A coordination number has 60 added to the day. The date must
/// exist and not lie after `today`, the year must be 1800 or later (nobody
/// older holds a number; a `today` outside 1800–9999 refuses everything),
/// and the Luhn check digit over the ten-digit form must match.
///
/// The number is stored and compared with its coordination day as written
/// (`19680164…`), since that is the number, not a date.
public struct Personnummer: Sendable, Hashable, CustomStringConvertible {
    /// Twelve ASCII digits, `YYYYMMDDNNNC`.
    public let digits: String

    /// Years a birth date can have: nobody alive was born before 1800, and
    /// the twelve-digit form has room for four digits.
    static let years = 1800...9999
    static let coordinationDayOffset = 60

    /// Parses what a person typed, taking `today` from the caller's clock.
    public init(parsing raw: String, today: CivilDate) throws(PersonnummerError) {
        let written = try WrittenPersonnummer(raw.trimmingSurroundingWhitespace())
        guard Self.years.contains(today.year) else { throw .invalidDate }
        let year = Self.year(of: written, today: today)
        let date = CivilDate(year: year, month: written.month, day: written.day % Self.coordinationDayOffset)
        guard Self.years.contains(year), date.isValid, date <= today else { throw .invalidDate }
        guard Self.luhnCheckDigit(written.tenDigits.prefix(9)) == written.tenDigits.last else {
            throw .invalidChecksum
        }
        digits = String(year) + String(decoding: written.tenDigits.dropFirst(2), as: UTF8.self)
    }

    /// The date of birth (for a coordination number, the day without the 60).
    public var birthDate: CivilDate {
        let bytes = Array(digits.utf8)
        return CivilDate(
            year: Self.number(bytes[0..<4]),
            month: Self.number(bytes[4..<6]),
            day: Self.number(bytes[6..<8]) % Self.coordinationDayOffset
        )
    }

    /// Whether this is a samordningsnummer (day + 60), given to people who
    /// are not or not yet registered as living in Sweden.
    public var isCoordinationNumber: Bool {
        Self.number(Array(digits.utf8)[6..<8]) > Self.coordinationDayOffset
    }

    /// The date part with the last four digits hidden, for pages and logs:
    /// `19990807-****`.
    public var masked: String {
        Self.masked(digits: digits)
    }

    /// The same for twelve stored digits, without parsing them again.
    public static func masked(digits: String) -> String {
        String(digits.prefix(8)) + "-****"
    }

    /// `YYYYMMDD-NNNC`, the usual written form.
    public var description: String {
        String(digits.prefix(8)) + "-" + String(digits.suffix(4))
    }

    /// The year of birth: written out, or the century chosen from `today`.
    private static func year(of written: WrittenPersonnummer, today: CivilDate) -> Int {
        if let century = written.century { return century * 100 + written.yearOfCentury }
        var year = today.year - today.year % 100 + written.yearOfCentury
        let day = written.day % coordinationDayOffset
        if CivilDate(year: year, month: written.month, day: day) > today { year -= 100 }
        if written.isCentenarian { year -= 100 }
        return year
    }

    /// The Luhn digit for nine digits, weights 2, 1, 2, … from the left.
    static func luhnCheckDigit(_ nine: ArraySlice<UInt8>) -> UInt8 {
        var sum = 0
        for (index, byte) in nine.enumerated() {
            let product = Int(byte - UInt8(ascii: "0")) * (index % 2 == 0 ? 2 : 1)
            sum += product / 10 + product % 10
        }
        return UInt8(ascii: "0") + UInt8((10 - sum % 10) % 10)
    }

    private static func number(_ bytes: ArraySlice<UInt8>) -> Int {
        bytes.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }
}

/// The parts of a personnummer as written, before any date rule is applied.
private struct WrittenPersonnummer {
    /// YYMMDDNNNC.
    var tenDigits: ArraySlice<UInt8>
    /// The first two digits of a twelve-digit form.
    var century: Int?
    /// Written with `+`: the person is 100 or older.
    var isCentenarian: Bool

    init(_ text: String) throws(PersonnummerError) {
        var bytes = Array(text.utf8)
        var separator: UInt8?
        // The separator, if any, sits before the last four digits.
        if bytes.count == 11 || bytes.count == 13 {
            separator = bytes.remove(at: bytes.count - 5)
        }
        guard bytes.count == 10 || bytes.count == 12,
              bytes.allSatisfy(ASCII.isDigit),
              separator == nil || separator == UInt8(ascii: "-")
                  || (separator == UInt8(ascii: "+") && bytes.count == 10)
        else { throw .invalidFormat }
        century = bytes.count == 12 ? Int(bytes[0] - UInt8(ascii: "0")) * 10 + Int(bytes[1] - UInt8(ascii: "0")) : nil
        tenDigits = bytes.suffix(10)
        isCentenarian = separator == UInt8(ascii: "+")
    }

    var yearOfCentury: Int { pair(at: 0) }
    var month: Int { pair(at: 2) }
    var day: Int { pair(at: 4) }

    private func pair(at offset: Int) -> Int {
        let start = tenDigits.startIndex + offset
        return Int(tenDigits[start] - UInt8(ascii: "0")) * 10 + Int(tenDigits[start + 1] - UInt8(ascii: "0"))
    }
}
