import KonfidentCore
import Testing

@Suite struct MatchCodeTests {
    /// The words a code may end in, read back from codes built with every third byte.
    static let words: [String] = (0..<64).map { MatchCode(randomBytes: [0, 0, UInt8($0)]).text.split(separator: " ")[1].description }

    @Test func knownBytesGiveKnownCodes() {
        #expect(MatchCode(randomBytes: [0, 0, 0]).text == "00 alpaca")
        #expect(MatchCode(randomBytes: [0, 5, 1]).text == "05 amber")
        #expect(MatchCode(randomBytes: [0, 99, 63]).text == "99 zebra")
        #expect(MatchCode(randomBytes: [1, 0, 2]).text == "56 anchor")   // 256 % 100
        #expect(MatchCode(randomBytes: [0xFF, 0xFF, 64]).text == "35 alpaca")  // 65535 % 100, 64 % 64
        #expect(MatchCode(randomBytes: [0, 100, 0xFF]).text == "00 zebra")
    }

    @Test func extraBytesAreIgnored() {
        #expect(MatchCode(randomBytes: [0, 7, 3, 9, 9, 9]) == MatchCode(randomBytes: [0, 7, 3]))
    }

    @Test func theWordListHasSixtyFourDistinctLowercaseWords() {
        #expect(Set(Self.words).count == 64)
        for word in Self.words {
            #expect(word.count >= 4 && word.count <= 8, "\(word)")
            #expect(word.utf8.allSatisfy { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }, "\(word)")
        }
    }

    @Test func everyCodeIsTwoDigitsASpaceAndAWord() {
        var seen: Set<String> = []
        for first in stride(from: 0, through: 255, by: 17) {
            for second in 0...255 {
                let bytes = [UInt8(first), UInt8(second), UInt8((first &+ second * 7) & 0xFF)]
                let code = MatchCode(randomBytes: bytes)
                let parts = code.text.split(separator: " ", omittingEmptySubsequences: false)
                #expect(parts.count == 2)
                #expect(parts[0].count == 2)
                #expect(parts[0].utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
                #expect(Self.words.contains(String(parts[1])))
                #expect(code.description == code.text)
                // Deterministic: the same bytes give the same code.
                #expect(MatchCode(randomBytes: bytes) == code)
                seen.insert(String(parts[0]))
            }
        }
        #expect(seen.count == 100)
    }

    @Test func aStoredCodeIsKeptAsIs() {
        let code = MatchCode(text: "42 tiger")
        #expect(code.text == "42 tiger")
        #expect("\(code)" == "42 tiger")
        #expect(code == MatchCode(randomBytes: [0, 42, 59]))
    }
}
