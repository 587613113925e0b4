import KonfidentCore
import Testing

@Suite struct PhoneNumberTests {
    @Test(arguments: [
        ("+46701234567", "+46701234567"),
        ("+46 (0)70-123 45 67", "+46701234567"),
        ("+46(0)701234567", "+46701234567"),
        ("+46 70 123 45 67", "+46701234567"),
        ("+46-70-123-45-67", "+46701234567"),
        ("+46.70.123.45.67", "+46701234567"),
        ("0046701234567", "+46701234567"),
        ("0046 (0)70 123 45 67", "+46701234567"),
        ("00 46 70 123 45 67", "+46701234567"),
        ("  +46701234567\n", "+46701234567"),
        ("+1 (202) 555-0123", "+12025550123"),
        ("+44 (0)20 7946 0958", "+442079460958"),
        ("+358 (0)40 1234567", "+358401234567"),
        ("+7 912 345-67-89", "+79123456789"),
        ("+46701234", "+46701234"),
        ("+358401234567890", "+358401234567890"),
    ])
    func acceptsTheInternationalForm(_ input: String, _ e164: String) throws {
        #expect(try PhoneNumber(parsing: input).e164 == e164)
    }

    @Test(arguments: [
        ("+46701234567", "46"),
        ("+12025550123", "1"),
        ("+79123456789", "7"),
        ("+358401234567", "358"),
        ("+201001234567", "20"),
        ("+27821234567", "27"),
        ("+4915123456789", "49"),
        ("+420601123456", "420"),
        ("+212612345678", "212"),
        ("+351912345678", "351"),
        ("+8613812345678", "86"),
        ("+8801712345678", "880"),
        ("+989121234567", "98"),
        ("+998901234567", "998"),
        ("+6591234567", "65"),
        ("+6731234567", "673"),
    ])
    func findsTheCountryCode(_ input: String, _ countryCode: String) throws {
        #expect(try PhoneNumber(parsing: input).countryCode == countryCode)
    }

    @Test func masksAllButTheLastTwoDigits() throws {
        #expect(try PhoneNumber(parsing: "+46701234567").masked == "+46 •••••••67")
        #expect(try PhoneNumber(parsing: "+1 202 555 0123").masked == "+1 ••••••••23")
        #expect(try PhoneNumber(parsing: "+358401234567").masked == "+358 •••••••67")
        #expect(try PhoneNumber(parsing: "+46701234567").description == "+46701234567")
    }

    @Test func equalsByItsE164Form() throws {
        let typed = try PhoneNumber(parsing: "+46 (0)70-123 45 67")
        let stored = try PhoneNumber(parsing: "0046701234567")
        #expect(typed == stored)
        #expect(Set([typed, stored]).count == 1)
        #expect(try PhoneNumber(parsing: "+46701234567") != PhoneNumber(parsing: "+46701234568"))
    }

    @Test(arguments: [
        "0701234567", "070-123 45 67", "070 123 45 67", "(0)70-123 45 67", "08-123 456 78",
        "46701234567", "(070) 123 45 67",
    ])
    func asksForTheCountryCode(_ input: String) {
        #expect(throws: PhoneNumberError.missingCountryCode) { try PhoneNumber(parsing: input) }
    }

    @Test(arguments: [
        "", "   ", "+", "+46", "00", "12", "070", "+4670123", "+467012", "+4670123 ", "+4670123456789012",
        "+46 070 123 45 67", "+0701234567", "+46 (0)(0)70 123 45 67", "+4 (0)6 70 123 45 67",
        "+46 70 (0)123 45 67", "(0)+46 70 123 45 67", "000046701234567", "00+46701234567", "0+46701234567",
        "++46701234567", "+46+701234567", "46+701234567", "+46 70 123 45 6x", "+46 70 ABC DE FG",
        "tel:+46701234567", "+46701234567;ext=1", "+46 70 123 45 67 #", "+46/70 123 45 67",
        "+46 (070 123 45 67", "+46 ) 70 123 45 67", "+46 () 70 123 45 67", "+46 ((0)) 70 123 45 67",
        "+46\u{0}701234567", "+46701234567\u{0}", "+46\t701234567", "+46\u{7F}701234567",
        "+46\n701234567", "\u{0}",
        "+\u{0664}\u{0666}\u{0667}\u{0660}\u{0661}\u{0662}\u{0663}\u{0664}\u{0665}\u{0666}\u{0667}",
        "\u{FF0B}46701234567", "+\u{FF14}\u{FF16}701234567", "+46\u{00A0}70 123 45 67",
        "+46\u{2013}70\u{2013}123 45 67", "+46 70 123 45 67 😀", "1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣",
    ])
    func refusesEverythingElse(_ input: String) {
        #expect(throws: PhoneNumberError.invalid) { try PhoneNumber(parsing: input) }
    }

    @Test func survivesHugeInput() {
        for input in HostileInput.huge {
            #expect(throws: PhoneNumberError.self) { try PhoneNumber(parsing: input) }
        }
        let manyZeros = "+46 " + String(repeating: "(0)", count: 50_000) + "70 123 45 67"
        #expect(throws: PhoneNumberError.invalid) { try PhoneNumber(parsing: manyZeros) }
    }

    /// Thousands of hostile strings: no crash, and what is accepted is a
    /// well-formed E.164 number that parses back to itself.
    @Test func fuzzedInputRoundTrips() throws {
        let corpus = HostileInput.corpus(
            count: 8000, seed: 0x5048_4F4E,
            valid: ["+46 (0)70-123 45 67", "0046701234567", "+1 (202) 555-0123", "+358 40 123 4567"],
            alphabet: ["0", "1", "4", "6", "7", "9", "+", " ", "-", ".", "(", ")", "(0)", "x", "/"]
        )
        var accepted = 0
        var missingCountryCode = 0
        for input in corpus {
            let number: PhoneNumber
            do {
                number = try PhoneNumber(parsing: input)
            } catch .missingCountryCode {
                missingCountryCode += 1
                continue
            } catch {
                #expect(error == .invalid)
                continue
            }
            accepted += 1
            try checkInvariants(number, parsedFrom: input)
        }
        #expect(accepted > 500)
        #expect(accepted < 7000)
        #expect(missingCountryCode > 50)
    }

    private func checkInvariants(_ number: PhoneNumber, parsedFrom input: String) throws {
        let digits = Array(number.e164.utf8.dropFirst())
        #expect(number.e164.first == "+")
        #expect((8...15).contains(digits.count), "\(input.debugDescription)")
        #expect(digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        #expect(digits.first != UInt8(ascii: "0"))
        #expect(number.e164.dropFirst().hasPrefix(number.countryCode))
        #expect(digits[number.countryCode.utf8.count] != UInt8(ascii: "0"), "\(input.debugDescription)")
        #expect(try PhoneNumber(parsing: number.e164) == number)
        #expect(number.masked.hasPrefix("+" + number.countryCode + " "))
        #expect(number.masked.hasSuffix(String(number.e164.suffix(2))))
        // The digits typed are the number's, give or take `00` and one `(0)`.
        let typed = input.unicodeScalars.filter { ("0"..."9").contains($0) }.map(String.init).joined()
        #expect(typed.hasSuffix(String(number.e164.suffix(digits.count - number.countryCode.count))))
        #expect(typed.count - digits.count <= 3)
    }
}
