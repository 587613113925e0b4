import KonfidentCore
import Testing
import TestSupport

@Suite struct PersonnummerTests {
    static let today = CivilDate(year: 2025, month: 6, day: 15)

    private func parse(_ input: String, today: CivilDate = Self.today) throws(PersonnummerError) -> Personnummer {
        try Personnummer(parsing: input, today: today)
    }

    @Test(arguments: [
        ("199908072391", "199908072391"),
        ("19990807-2391", "199908072391"),
        ("9908072391", "199908072391"),
        ("990807-2391", "199908072391"),
        (" 990807-2391\n", "199908072391"),
        ("990807+2391", "189908072391"),
        ("201801012392", "201801012392"),
        ("1801012392", "201801012392"),
        ("180101-2392", "201801012392"),
        ("680164-2395", "196801642395"),
        ("196801642395", "196801642395"),
        ("19121212-1212", "191212121212"),
        ("121212-1212", "201212121212"),
        ("121212+1212", "191212121212"),
        ("000229-1235", "200002291235"),
        ("20000229-1235", "200002291235"),
        ("040229-1231", "200402291231"),
    ])
    func acceptsTheWrittenForms(_ input: String, _ digits: String) throws {
        #expect(try parse(input).digits == digits)
    }

    @Test func choosesTheCenturyFromToday() throws {
        // Born today: this century; born tomorrow: a hundred years ago.
        #expect(try parse("250615-1238").digits == "202506151238")
        #expect(try parse("250616-1237").digits == "192506161237")
        #expect(try parse("250615+1238").digits == "192506151238")
        #expect(try parse("250616+1237").digits == "182506161237")
        let dayBefore = CivilDate(year: 2012, month: 12, day: 11)
        #expect(try parse("121212-1212", today: dayBefore).digits == "191212121212")
        let birthday = CivilDate(year: 2012, month: 12, day: 12)
        #expect(try parse("121212-1212", today: birthday).digits == "201212121212")
        let nextCentury = CivilDate(year: 2101, month: 1, day: 1)
        #expect(try parse("990807-2391", today: nextCentury).digits == "209908072391")
    }

    @Test func describesItself() throws {
        let number = try parse("9908072391")
        #expect(number.masked == "19990807-****")
        #expect(number.description == "19990807-2391")
        #expect(number.birthDate == CivilDate(year: 1999, month: 8, day: 7))
        #expect(!number.isCoordinationNumber)
    }

    @Test func knowsACoordinationNumber() throws {
        let number = try parse("680164-2395")
        #expect(number.isCoordinationNumber)
        #expect(number.birthDate == CivilDate(year: 1968, month: 1, day: 4))
        #expect(number.masked == "19680164-****")
    }

    @Test func equalsByItsTwelveDigits() throws {
        #expect(try parse("990807-2391") == parse("199908072391"))
        #expect(try Set([parse("990807-2391"), parse("19990807-2391")]).count == 1)
        #expect(try parse("121212-1212") != parse("121212+1212"))
    }

    @Test(arguments: [
        "", " ", "abc", "99080-72391", "9908072391x", "990807 2391", "19990807+2391", "990807–2391",
        "990807_2391", "99-08-07-2391", "1999080723910", "99080723", "990807--2391", "+9908072391",
        "990807-239", "19990807\u{0}2391", "\u{0}", "٩٩٠٨٠٧٢٣٩١", "９９０８０７２３９１", "990807-2391😀",
        "199908072391-", "1999-08-07-2391", "99O807-2391",
    ])
    func refusesOtherForms(_ input: String) {
        #expect(throws: PersonnummerError.invalidFormat) { try parse(input) }
    }

    @Test(arguments: [
        "000229+1235",  // 1900 was not a leap year
        "20230229-1238", "230229-1238",
        "19680160-1235",  // day 60 is day 0
        "19680192-1237",  // day 92 is day 32
        "19680132-1230",
        "991301-1236", "990001-1231",
        "20991231-1231", "20250616-1237",  // the future
        "17991231-9994",  // before 1800
        "010229-1234",
    ])
    func refusesDatesThatDoNotExist(_ input: String) {
        #expect(throws: PersonnummerError.invalidDate) { try parse(input) }
    }

    @Test(arguments: ["199908072390", "990807-2392", "680164-2394", "19121212-1213", "201801012393"])
    func refusesAWrongCheckDigit(_ input: String) {
        #expect(throws: PersonnummerError.invalidChecksum) { try parse(input) }
    }

    @Test func refusesEverythingForANonsensicalToday() {
        for today in [CivilDate(year: .max, month: 1, day: 1), CivilDate(year: .min, month: 1, day: 1),
                      CivilDate(year: 1000, month: 1, day: 1)] {
            #expect(throws: PersonnummerError.invalidDate) { try parse("990807-2391", today: today) }
        }
    }

    @Test func survivesHugeInput() {
        for input in HostileInput.huge {
            #expect(throws: PersonnummerError.invalidFormat) { try parse(input) }
        }
    }

    /// Thousands of hostile strings: no crash, and what is accepted has a
    /// real, past date and a correct check digit, and parses back to itself.
    @Test func fuzzedInputRoundTrips() throws {
        let corpus = HostileInput.corpus(
            count: 8000, seed: 0x5045_5253,
            valid: ["199908072391", "990807-2391", "680164-2395", "121212+1212", "20000229-1235"],
            alphabet: ["0", "1", "2", "3", "6", "9", "-", "+", " "]
        )
        var accepted = 0
        for input in corpus {
            guard let number = try? parse(input) else { continue }
            accepted += 1
            let digits = Array(number.digits.utf8).map { Int($0) - Int(UInt8(ascii: "0")) }
            #expect(digits.count == 12 && digits.allSatisfy { (0...9).contains($0) })
            #expect(Self.luhnSum(digits.suffix(10)) % 10 == 0, "\(input.debugDescription)")
            #expect(number.birthDate.isValid)
            #expect(number.birthDate <= Self.today)
            #expect(try parse(number.digits) == number)
            #expect(try parse(number.description) == number)
            #expect(number.masked == number.description.prefix(9) + "****")
        }
        // The check digit refuses most edits; that is its purpose.
        #expect(accepted > 50)
        #expect(accepted < 2000)
    }

    /// Random valid numbers in every written form: each form gives the twelve
    /// digits back, with `-` below the age of 100 and `+` from it.
    @Test func generatedNumbersParseInEveryForm() throws {
        var generator = SplitMix64(seed: 0x4E55_4D52)
        for _ in 0..<3000 {
            let today = CivilDate(
                year: Int.random(in: 1950...2150, using: &generator),
                month: Int.random(in: 1...12, using: &generator),
                day: Int.random(in: 1...28, using: &generator)
            )
            let month = Int.random(in: 1...12, using: &generator)
            let born = CivilDate(
                year: Int.random(in: 1800...today.year, using: &generator), month: month,
                day: Int.random(in: 1...CivilDate.daysIn(month: month, year: 2000), using: &generator)
            )
            guard born.isValid, born <= today else { continue }
            let coordination = Bool.random(using: &generator)
            let serial = Int.random(in: 0...999, using: &generator)
            let nine = Self.pad(born.year % 100, 2) + Self.pad(born.month, 2)
                + Self.pad(born.day + (coordination ? 60 : 0), 2) + Self.pad(serial, 3)
            let check = (10 - Self.luhnSum(nine.utf8.map { Int($0) - 48 }) % 10) % 10
            let ten = nine + String(check)
            let twelve = Self.pad(born.year / 100, 2) + ten
            let date = String(twelve.prefix(8)), shortDate = String(ten.prefix(6)), last = String(ten.suffix(4))
            let centenarian = CivilDate(year: born.year + 100, month: born.month, day: born.day) <= today
            // Ten digits say nothing of a second century; BankID needs twelve anyway.
            let bicentenarian = CivilDate(year: born.year + 200, month: born.month, day: born.day) <= today
            var forms = [twelve, date + "-" + last]
            if !bicentenarian { forms.append(shortDate + (centenarian ? "+" : "-") + last) }

            for form in forms {
                let number = try parse(form, today: today)
                #expect(number.digits == twelve, "\(form) on \(today)")
                #expect(number.isCoordinationNumber == coordination)
                #expect(number.birthDate == born)
            }
            // Without a separator, ten digits mean "under 100".
            let withoutSeparator = try? parse(ten, today: today)
            #expect(
                (withoutSeparator?.digits == twelve) == !centenarian || bicentenarian,
                "\(ten) on \(today)"
            )
        }
    }

    private static func pad(_ number: Int, _ width: Int) -> String {
        let text = String(number)
        return String(repeating: "0", count: width - text.count) + text
    }

    /// The Luhn sum with weights 2, 1, 2, … from the left; over the
    /// ten-digit form, check digit included, it is a multiple of 10.
    private static func luhnSum(_ digits: some Collection<Int>) -> Int {
        digits.enumerated().reduce(0) { sum, element in
            let product = element.element * (element.offset % 2 == 0 ? 2 : 1)
            return sum + product / 10 + product % 10
        }
    }
}

@Suite struct CivilDateTests {
    @Test func knowsRealDates() {
        #expect(CivilDate(year: 2024, month: 2, day: 29).isValid)
        #expect(!CivilDate(year: 2023, month: 2, day: 29).isValid)
        #expect(CivilDate(year: 2000, month: 2, day: 29).isValid)
        #expect(!CivilDate(year: 1900, month: 2, day: 29).isValid)
        #expect(!CivilDate(year: 2025, month: 4, day: 31).isValid)
        #expect(!CivilDate(year: 2025, month: 13, day: 1).isValid)
        #expect(!CivilDate(year: 2025, month: 1, day: 0).isValid)
        #expect(CivilDate(year: 2025, month: 12, day: 31).isValid)
    }

    @Test func ordersByDay() {
        #expect(CivilDate(year: 2024, month: 12, day: 31) < CivilDate(year: 2025, month: 1, day: 1))
        #expect(CivilDate(year: 2025, month: 1, day: 31) < CivilDate(year: 2025, month: 2, day: 1))
        #expect(CivilDate(year: 2025, month: 6, day: 15).description == "2025-06-15")
    }
}
