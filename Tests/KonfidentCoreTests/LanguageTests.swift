import KonfidentCore
import Testing

@Suite struct LanguageTests {
    @Test(arguments: [
        ("sv-SE,sv;q=0.9,en;q=0.8", Language.sv),
        ("en-US", .en),
        ("en-US,en;q=0.9", .en),
        ("de", .en),
        ("de-DE,de;q=0.9", .en),
        ("en;q=0.1, sv;q=0.5", .sv),
        ("en;q=0.1,sv;q=0.5", .sv),
        ("de, sv;q=0.3, en;q=0.2", .sv),
        ("fr;q=1, en;q=0.4, sv;q=0.6", .sv),
        ("sv", .sv),
        ("SV-se", .sv),
        ("sv-FI", .sv),
        ("  sv  ;  q=0.7 ", .sv),
        ("*", .en),
        ("*;q=0.5, sv;q=0.6", .sv),
        ("sv;q=0.5, *;q=0.6", .en),
        ("sv;q=0", .en),
        ("sv;q=0, en;q=0", .en),
        ("en, sv", .en),
        ("sv, en", .sv),
        ("nb-NO,nb;q=0.9,no;q=0.8,nn;q=0.7,sv;q=0.6", .sv),
        ("svx", .en),
        ("e", .en),
        ("", .en),
    ])
    func picksByQuality(_ header: String, _ expected: Language) {
        #expect(Language(acceptLanguage: header) == expected)
    }

    @Test func noHeaderIsEnglish() {
        #expect(Language(acceptLanguage: nil) == .en)
    }

    @Test func rawValuesAreTheHTMLLangValues() {
        #expect(Language.en.rawValue == "en")
        #expect(Language.sv.rawValue == "sv")
        #expect(Language.allCases == [.en, .sv])
    }

    @Test(arguments: [
        ",,,,", ";;;;", ";q=0.9", "sv;", "sv;;q=", "q=1", "-", "-sv", "sv-", "\u{0}sv", "sv\u{0}",
        "sv;q=nan", "sv;q=inf", "sv;q=1e309", "😀;q=0.5", "\u{FFFD}\u{FFFD}", "sv;q=0.5;q=0.1",
    ])
    func garbageDoesNotCrash(_ header: String) {
        let language = Language(acceptLanguage: header)
        #expect(Language.allCases.contains(language))
    }

    @Test func hugeHeadersDoNotCrash() {
        _ = Language(acceptLanguage: String(repeating: "sv-SE,", count: 200_000))
        _ = Language(acceptLanguage: String(repeating: ",", count: 500_000))
        _ = Language(acceptLanguage: String(repeating: "x", count: 500_000))
        _ = Language(acceptLanguage: String(repeating: ";q=0.5", count: 100_000))
        for header in HostileInput.huge { _ = Language(acceptLanguage: header) }
        #expect(Language(acceptLanguage: String(repeating: "sv-SE,", count: 200_000)) == .sv)
        // Only the first parts count: a preference far down a padded header is ignored.
        #expect(Language(acceptLanguage: String(repeating: "de,", count: 100) + "sv") == .en)
    }

    @Test func hostileInputNeverCrashes() {
        let inputs = HostileInput.corpus(count: 4_000, seed: 0x1A_46, valid: [
            "sv-SE,sv;q=0.9,en;q=0.8", "en-US", "en;q=0.1, sv;q=0.5",
        ], alphabet: ["s", "v", "e", "n", "-", ",", ";", "q", "=", "0", ".", "9", " ", "*"])
        for input in inputs {
            #expect(Language.allCases.contains(Language(acceptLanguage: input)))
        }
    }
}
