// SplitToken: `ID.SECRET`, the form of sign-in links and the attempt cookie.
import KonfidentCore
import Testing

@Suite struct SplitTokenTests {
    static let token = Base64URL.encode(Array(0..<32))

    @Test func readsWhatItWrites() throws {
        for id: Int64 in [1, 9, 10, 42, 1_000_000, 999_999_999_999_999_999] {
            let link = SplitToken(id: id, secret: Self.token)
            #expect(link.text == "\(id).\(Self.token)")
            #expect(SplitToken(parsing: link.text) == link)
        }
    }

    @Test(arguments: [
        "", ".", "1.", ".\(token)", "1\(token)", "0.\(token)", "01.\(token)", "-1.\(token)", "+1.\(token)",
        "1.\(token)x", "1.\(token.dropLast())", "1.\(token).", "1..\(token)", "1.2.\(token)", " 1.\(token)",
        "1 .\(token)", "1.\(token) ", "1000000000000000000.\(token)", "9223372036854775808.\(token)",
        "1.\(token.dropLast())=", "1.\(token.dropLast())+", "1.\(token.dropLast())/", "1.\(token.dropLast())%",
        "\u{0661}.\(token)", "\u{FF11}.\(token)", "1\u{FF0E}\(token)", "1.\(token.dropLast())\u{0430}",
        "\(token)", "1/\(token)", "1%2E\(token)",
    ])
    func refuses(_ text: String) {
        #expect(SplitToken(parsing: text) == nil, "\(text)")
    }

    /// Hostile text: nothing crashes, and whatever is accepted is exactly an id and a token that
    /// print back to the same text.
    @Test func hostileInputIsRefusedOrReadExactly() {
        let corpus = HostileInput.corpus(
            count: 4000, seed: 0x4C49_4E4B,
            valid: ["1.\(Self.token)", "123456789.\(Self.token)"],
            alphabet: ["0", "1", "9", ".", "A", "z", "-", "_", "=", "/"]
        )
        var accepted = 0
        for input in corpus {
            guard let link = SplitToken(parsing: input) else { continue }
            accepted += 1
            #expect(link.text == input)
            #expect(link.id >= 1)
            #expect(Base64URL.isWellFormed(link.secret, length: 43...43))
        }
        #expect(accepted > 50)
        for input in HostileInput.huge {
            #expect(SplitToken(parsing: input) == nil)
            #expect(SplitToken(parsing: "1." + input) == nil)
        }
    }
}
