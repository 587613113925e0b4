// HTMLText.escaped: the text of mails and the simulator's page.
import KonfidentCore
import Testing
import TestSupport

@Suite struct HTMLTextTests {
    @Test(arguments: [
        ("", ""),
        ("plain text", "plain text"),
        ("a & b", "a &amp; b"),
        ("<b>", "&lt;b&gt;"),
        ("\"quoted\" 'single'", "&quot;quoted&quot; &#39;single&#39;"),
        ("Åre & <Öl> 😀", "Åre &amp; &lt;Öl&gt; 😀"),
        ("&amp;", "&amp;amp;"),
    ])
    func escapesTheFiveAndNothingElse(input: String, expected: String) {
        #expect(HTMLText.escaped(input) == expected)
    }

    /// Random text of any Unicode: the escaped form holds none of the five raw, and turning the
    /// entities back gives the text that went in.
    @Test(arguments: 1...100)
    func randomTextComesBackWhole(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let alphabet: [Character] = ["a", "&", "<", ">", "\"", "'", " ", "é", "\u{301}", "😀", "👩‍👩‍👧", "\n", ";", "#"]
        let text = String((0..<Int.random(in: 0...80, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
        let escaped = HTMLText.escaped(text)
        #expect(!escaped.utf8.contains { [60, 62, 34, 39].contains($0) })
        #expect(Self.unescaped(escaped) == text, "seed \(seed)")
    }

    /// The five entities back to their characters, on bytes (a combining mark after an entity's
    /// `;` makes one character of them, which a search by characters would not match).
    static func unescaped(_ text: String) -> String {
        let entities: [(String, UInt8)] = [("&lt;", 60), ("&gt;", 62), ("&quot;", 34), ("&#39;", 39), ("&amp;", 38)]
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        next: while index < bytes.count {
            for (entity, byte) in entities where bytes[index...].starts(with: entity.utf8) {
                out.append(byte)
                index += entity.utf8.count
                continue next
            }
            out.append(bytes[index])
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
