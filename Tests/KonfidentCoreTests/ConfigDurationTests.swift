import KonfidentCore
import Testing

@Suite struct ConfigDurationTests {
    @Test(arguments: [
        ("90s", 90), ("10m", 600), ("12h", 43_200), ("7d", 604_800), ("1s", 1), ("30m", 1800),
        ("  10m\n", 600), ("010m", 600), ("106751991167300d", 9_223_372_036_854_720_000),
    ] as [(String, Int64)])
    func readsANumberAndAUnit(_ input: String, _ seconds: Int64) throws {
        #expect(try ConfigDuration(parsing: input).seconds == seconds)
    }

    @Test(arguments: [
        "", " ", "10", "m", "0s", "00m", "-5m", "+5m", "1.5h", "10 m", "10M", "10min", "10ms", "1h30m",
        "10mm", "ten m", "1e3s", "0x10s", "10w", "10y", "\u{0}", "10m\u{0}", "\u{FF11}\u{FF10}m", "\u{0661}m", "5😀",
        "9223372036854775807s1", "9223372036854775808s", "106751991167301d", "99999999999999999999999h",
    ])
    func refusesEverythingElse(_ input: String) {
        #expect(throws: ConfigValueError.self) { try ConfigDuration(parsing: input) }
    }

    @Test func acceptsTheLargestValueThatFits() throws {
        #expect(try ConfigDuration(parsing: "9223372036854775807s").seconds == .max)
    }

    @Test func saysWhatIsWrong() {
        #expect(throws: ConfigValueError(
            message: "'10x' is not a duration: write a positive whole number and s, m, h or d, e.g. 90s, 10m, 12h, 7d"
        )) { try ConfigDuration(parsing: "10x") }
        #expect(throws: ConfigValueError(message: "'9999999999999999d' is too long a duration")) {
            try ConfigDuration(parsing: "9999999999999999d")
        }
    }

    @Test func describesItselfInTheLargestWholeUnit() throws {
        #expect(try ConfigDuration(parsing: "600s").description == "10m")
        #expect(try ConfigDuration(parsing: "24h").description == "1d")
        #expect(try ConfigDuration(parsing: "90s").description == "90s")
        #expect(try ConfigDuration(parsing: "36h").description == "36h")
        #expect(try ConfigDuration(parsing: "10m") < ConfigDuration(parsing: "1h"))
        #expect(try ConfigDuration(parsing: "60m") == ConfigDuration(parsing: "1h"))
    }

    @Test func fuzzedInputRoundTrips() throws {
        let corpus = HostileInput.corpus(
            count: 4000, seed: 0x4455_5241,
            valid: ["90s", "10m", "12h", "7d"],
            alphabet: ["0", "1", "9", "s", "m", "h", "d", " ", "-", "."]
        )
        var accepted = 0
        for input in corpus {
            guard let duration = try? ConfigDuration(parsing: input) else { continue }
            accepted += 1
            #expect(duration.seconds > 0)
            #expect(try ConfigDuration(parsing: duration.description) == duration)
        }
        #expect(accepted > 300)
        for input in HostileInput.huge {
            #expect(throws: ConfigValueError.self) { try ConfigDuration(parsing: input) }
        }
    }
}
