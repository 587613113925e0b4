import KonfidentCore
import Testing

@Suite struct EmailAddressTests {
    @Test(arguments: [
        "anna@example.se",
        "anna+tag@example.se",
        "anna+tag+more@example.se",
        "o'brien@x.se",
        "first.last@mail.sub.example.co.uk",
        "A-Za-z0-9!#$%&'*+/=?^_`{|}~-@example.com",
        "x@a-b.se",
        "x@1a.se",
        "x@example.xn--p1ai",
        "_@x.se",
        "123@456.se",
    ])
    func acceptsWhatPeopleType(_ address: String) throws {
        let email = try EmailAddress(parsing: address)
        #expect(email.value == address)
    }

    @Test func trimsSurroundingWhitespaceAndKeepsTheCaseAsTyped() throws {
        let email = try EmailAddress(parsing: "  \tAnna.Berg@Example.SE \r\n")
        #expect(email.value == "Anna.Berg@Example.SE")
        #expect(email.normalized == "anna.berg@example.se")
        #expect(email.description == "Anna.Berg@Example.SE")
    }

    @Test func comparesWithoutCase() throws {
        let typed = try EmailAddress(parsing: "O'Brien+News@X.SE")
        let invited = try EmailAddress(parsing: "o'brien+news@x.se")
        #expect(typed == invited)
        #expect(typed.hashValue == invited.hashValue)
        #expect(Set([typed, invited]).count == 1)
        #expect(try EmailAddress(parsing: "anna@x.se") != EmailAddress(parsing: "anna2@x.se"))
        #expect(try EmailAddress(parsing: "anna+a@x.se") != EmailAddress(parsing: "anna+b@x.se"))
    }

    @Test(arguments: ["", " ", "\t\n", "\u{00A0}\u{3000}"])
    func refusesEmptyInput(_ input: String) {
        #expect(throws: EmailAddressError.empty) { try EmailAddress(parsing: input) }
    }

    @Test(arguments: [
        "plain", "@x.se", "a@", "a@@x.se", "a@b@x.se", "a@x.se@x.se",
        ".a@x.se", "a.@x.se", "a..b@x.se", ".@x.se",
        "a b@x.se", "a@x .se", "\"a\"@x.se", "\"a b\"@x.se", "a(comment)@x.se", "<a@x.se>", "Anna <a@x.se>",
        "a@[192.0.2.1]", "a@[IPv6:2001:db8::1]", "a@192.0.2.1", "a@x.123",
        "a@localhost", "a@x", "a@-x.se", "a@x-.se", "a@x.-se", "a@x..se", "a@.x.se", "a@x.se.", "a@x_y.se",
        "a\0@x.se", "a@x.se\0", "\0", "a\u{7}@x.se", "a@x.se\nbcc@evil.se", "a\r\n@x.se",
        "å@x.se", "a@exämple.se", "\u{0430}@x.se", "a\u{FF20}x.se", "a@x\u{FF0E}se", "a\u{200B}@x.se",
        "😀@x.se", "a@😀.se", "a@x.se\u{202E}", "e\u{0301}@x.se", "a,b@x.se", "a;b@x.se", "a\\b@x.se",
        "mailto:a@x.se",
    ])
    func refusesEverythingElse(_ input: String) {
        #expect(throws: EmailAddressError.invalid) { try EmailAddress(parsing: input) }
    }

    @Test func enforcesTheLengthLimits() throws {
        let local64 = String(repeating: "l", count: 64)
        let label63 = String(repeating: "d", count: 63)
        let domain189 = label63 + "." + label63 + "." + String(repeating: "d", count: 61)
        let longest = local64 + "@" + domain189
        #expect(longest.utf8.count == 254)
        #expect(try EmailAddress(parsing: longest).value == longest)

        #expect(throws: EmailAddressError.invalid) { try EmailAddress(parsing: "l" + longest) }
        #expect(throws: EmailAddressError.invalid) {
            try EmailAddress(parsing: String(repeating: "l", count: 65) + "@x.se")
        }
        #expect(throws: EmailAddressError.invalid) {
            try EmailAddress(parsing: "a@" + String(repeating: "d", count: 64) + ".se")
        }
        #expect(try EmailAddress(parsing: "a@" + label63 + ".se").normalized == "a@" + label63 + ".se")
    }

    @Test func survivesHugeInput() throws {
        for input in HostileInput.huge {
            #expect(throws: EmailAddressError.self) { try EmailAddress(parsing: input) }
        }
        let padding = String(repeating: " ", count: 100_000)
        #expect(try EmailAddress(parsing: padding + "a@b.se" + padding).value == "a@b.se")
    }

    /// Thousands of hostile strings: the parser never crashes, agrees with an
    /// independent statement of the rule, and what it accepts round-trips.
    @Test func fuzzedInputAgreesWithTheRuleAndRoundTrips() throws {
        let corpus = HostileInput.corpus(
            count: 8000, seed: 0x4B4F_4E46,
            valid: ["anna@example.se", "o'brien+tag@mail.x.se", "A.B-c_d@sub.do-main.com", "x@y.co"],
            alphabet: ["a", "Z", "0", "9", "@", ".", "-", "+", "'", "_", "!", "~", " ", "\"", "[", "]", ":", ","]
        )
        var accepted = 0
        for input in corpus {
            let expected = Oracle.accepts(input)
            do {
                let email = try EmailAddress(parsing: input)
                accepted += 1
                #expect(expected, "accepted \(input.debugDescription)")
                #expect(try EmailAddress(parsing: email.normalized) == email)
                #expect(try EmailAddress(parsing: email.value).value == email.value)
                #expect(email.normalized == email.value.lowercased())
                #expect(email.normalized.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F })
                #expect(email.normalized.utf8.count <= 254)
            } catch {
                #expect(!expected, "refused \(input.debugDescription) with \(error)")
            }
        }
        // The corpus must exercise both sides, or the test proves nothing.
        #expect(accepted > 500)
        #expect(accepted < 7000)
    }
}

/// The accepted syntax restated as a regular expression, to check the
/// hand-written parser against.
private enum Oracle {
    static let atom = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
    static let label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    static let address = "\(atom)(?:\\.\(atom))*@(?:\(label)\\.)+\(label)"

    static func accepts(_ input: String) -> Bool {
        let scalars = input.unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return false }
        let trimmed = String(scalars[start...end])
        guard trimmed.utf8.count <= 254, trimmed.unicodeScalars.allSatisfy(\.isASCII),
              let regex = try? Regex(address), (try? regex.wholeMatch(in: trimmed)) != nil,
              let at = trimmed.firstIndex(of: "@"), trimmed[..<at].utf8.count <= 64,
              let topLevel = trimmed.split(separator: ".").last
        else { return false }
        return !topLevel.allSatisfy(\.isNumber)
    }
}
