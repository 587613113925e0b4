import KonfidentCore
import Testing

@Suite struct RateLimitPolicyTests {
    @Test func hasTheDocumentedDefaults() {
        let defaults = RateLimitPolicy.defaults
        #expect(!defaults.isOff)
        #expect(defaults.limits == [
            .ip: RateLimit(count: 60, windowSeconds: 60),
            .member: RateLimit(count: 5, windowSeconds: 600),
            .sms: RateLimit(count: 5, windowSeconds: 600),
            .smscountry: RateLimit(count: 30, windowSeconds: 3600),
        ])
        #expect(defaults.description == "ip=60/min,member=5/10min,sms=5/10min,smscountry=30/h")
    }

    @Test func readsAFullList() throws {
        let policy = try RateLimitPolicy(parsing: "ip=60/min,member=5/10min,sms=3/10min,smscountry=20/h")
        #expect(!policy.isOff)
        #expect(policy.limits[.ip] == RateLimit(count: 60, windowSeconds: 60))
        #expect(policy.limits[.member] == RateLimit(count: 5, windowSeconds: 600))
        #expect(policy.limits[.sms] == RateLimit(count: 3, windowSeconds: 600))
        #expect(policy.limits[.smscountry] == RateLimit(count: 20, windowSeconds: 3600))
        #expect(policy.limit(for: .smscountry) == RateLimit(count: 20, windowSeconds: 3600))
    }

    @Test func overridesOnlyTheKindsItNames() throws {
        let policy = try RateLimitPolicy(parsing: "member=10/h")
        #expect(policy.limits[.member] == RateLimit(count: 10, windowSeconds: 3600))
        #expect(policy.limits[.ip] == RateLimitPolicy.defaults.limits[.ip])
        #expect(policy.limits[.sms] == RateLimitPolicy.defaults.limits[.sms])
        #expect(policy.limits[.smscountry] == RateLimitPolicy.defaults.limits[.smscountry])
        #expect(policy.limits.count == RateLimitKind.allCases.count)
    }

    @Test func canBeTurnedOff() throws {
        for input in ["off", " off\n"] {
            let policy = try RateLimitPolicy(parsing: input)
            #expect(policy.isOff)
            #expect(policy.limits.isEmpty)
            #expect(policy.limit(for: .ip) == nil)
            #expect(policy.description == "off")
        }
    }

    @Test(arguments: [
        ("ip=1/s", 1), ("ip=1/90s", 90), ("ip=1/min", 60), ("ip=1/10min", 600), ("ip=1/h", 3600),
        ("ip=1/2h", 7200), ("ip=1/d", 86_400), ("ip=1/7d", 604_800), ("ip = 1 / 10min", 600),
        (" ip=1/min , member=2/min ", 60),
    ] as [(String, Int64)])
    func readsTheWindow(_ input: String, _ seconds: Int64) throws {
        #expect(try RateLimitPolicy(parsing: input).limits[.ip]?.windowSeconds == seconds)
    }

    @Test(arguments: [
        "", " ", ",", "ip=60/min,", ",ip=60/min", "ip=60/min,,sms=1/h", "ip", "ip=", "ip=60", "ip=60/", "ip=/min",
        "ip=0/min", "ip=-1/min", "ip=1.5/min", "ip=60/0min", "ip=60/m", "ip=60/10m", "ip=60/mins", "ip=60/minute",
        "ip=60/1.5h", "ip=60/-1h", "ip=60/w", "ip=60/min/2", "ip==60/min", "ip=60=min", "ip=60/min;member=1/h",
        "IP=60/min", "foo=1/min", "ips=1/min", "ip=60/min,ip=30/min", "member=1/h,sms=1/h,member=2/h",
        "OFF", "off,ip=1/min", "ip=1/min,off", "none", "ip=99999999999/min", "ip=1/99999999999999999d",
        "ip=1/9223372036854775807min", "ip=\u{0}1/min", "ip=1/min\u{0}", "ip=\u{FF11}/min", "ip=1/mín", "ip=😀/min",
    ])
    func refusesEverythingElse(_ input: String) {
        #expect(throws: ConfigValueError.self) { try RateLimitPolicy(parsing: input) }
    }

    @Test func namesWhatIsWrong() {
        #expect(throws: ConfigValueError(message: "unknown limit 'foo' (known: ip, member, sms, smscountry)")) {
            try RateLimitPolicy(parsing: "ip=1/min,foo=1/min")
        }
        #expect(throws: ConfigValueError(message: "limit 'ip' is given twice")) {
            try RateLimitPolicy(parsing: "ip=1/min,ip=2/min")
        }
    }

    @Test func describesItselfInTheConfigurationForm() throws {
        let policy = try RateLimitPolicy(parsing: "smscountry=100/d,ip=1000/90s,member=7/120min")
        #expect(policy.description == "ip=1000/90s,member=7/2h,sms=5/10min,smscountry=100/d")
        #expect(try RateLimitPolicy(parsing: policy.description) == policy)
        #expect(RateLimit(count: 5, windowSeconds: 600).description == "5/10min")
    }

    @Test func fuzzedInputRoundTrips() throws {
        let corpus = HostileInput.corpus(
            count: 4000, seed: 0x5241_5445,
            valid: ["ip=60/min,member=5/10min,sms=3/10min,smscountry=20/h", "off", "sms=1/d", "member=5/90s"],
            alphabet: ["ip", "sms", "member", "=", "/", ",", "0", "1", "5", "min", "s", "h", "d", " ", "off"]
        )
        var accepted = 0
        for input in corpus {
            guard let policy = try? RateLimitPolicy(parsing: input) else { continue }
            accepted += 1
            #expect(try RateLimitPolicy(parsing: policy.description) == policy)
            if !policy.isOff {
                #expect(policy.limits.count == RateLimitKind.allCases.count)
                #expect(policy.limits.values.allSatisfy { $0.count > 0 && $0.windowSeconds > 0 })
            }
        }
        #expect(accepted > 50)
        for input in HostileInput.huge {
            #expect(throws: ConfigValueError.self) { try RateLimitPolicy(parsing: input) }
        }
    }
}
