@testable import FastCGI
import Testing
import TestSupport

@Suite struct URLEncodedFormTests {
    typealias Field = (name: String, value: String)

    func pairs(_ form: URLEncodedForm) -> [String] {
        form.fields.map { "\($0.name)=\($0.value)" }
    }

    @Test func decodesPlusAsSpaceAndPercentEscapesAsUTF8() throws {
        let form = try URLEncodedForm(decoding: "a=1&b=x+y&c=%C3%A5")
        #expect(pairs(form) == ["a=1", "b=x y", "c=å"])
        #expect(form["a"] == "1")
        #expect(form["b"] == "x y")
        #expect(form["c"] == "\u{E5}")
        #expect(form["d"] == nil)
    }

    @Test func escapedSyntaxCharactersAreData() throws {
        let form = try URLEncodedForm(decoding: "q=%2B%26%3D%25&%61%62=lower%2fUPPER%2F")
        #expect(form["q"] == "+&=%")
        #expect(form["ab"] == "lower/UPPER/")
    }

    @Test func repeatedNamesKeepEveryValueInOrderAndTheFirstWins() throws {
        let form = try URLEncodedForm(decoding: "x=1&y=2&x=3&x=")
        #expect(form["x"] == "1")
        #expect(form.values(of: "x") == ["1", "3", ""])
        #expect(form.values(of: "y") == ["2"])
        #expect(form.values(of: "z") == [])
        #expect(form.fields.count == 4)
    }

    @Test func emptyPairsAreSkipped() throws {
        #expect(try URLEncodedForm(decoding: "").fields.isEmpty)
        #expect(try URLEncodedForm(decoding: "&").fields.isEmpty)
        #expect(try URLEncodedForm(decoding: "&&&").fields.isEmpty)
        let form = try URLEncodedForm(decoding: "&a=1&&b=2&")
        #expect(pairs(form) == ["a=1", "b=2"])
    }

    @Test func aNameWithoutEqualsHasAnEmptyValue() throws {
        let form = try URLEncodedForm(decoding: "flag&a=")
        #expect(form.fields.count == 2)
        #expect(form["flag"] == "")
        #expect(form["a"] == "")
    }

    @Test func onlyTheFirstEqualsSplitsNameFromValue() throws {
        let form = try URLEncodedForm(decoding: "token=abc==&x==y&=z")
        #expect(form["token"] == "abc==")
        #expect(form["x"] == "=y")
        #expect(form[""] == "z")
    }

    @Test(arguments: ["%", "%4", "%zz", "a=%", "a=%4", "a=%zz", "%=1", "a=1&b=%g0", "a=%0g", "a=%%41", "a=% 4"])
    func aBadEscapeIsAnError(_ input: String) {
        #expect(throws: URLEncodedForm.DecodingError.badEscape) {
            try URLEncodedForm(decoding: input)
        }
    }

    @Test(arguments: ["%ff", "a=%ff", "a=%C3", "a=%C3%28", "a=%ED%A0%80", "a=%F8%88%80%80%80", "%c0%af=1"])
    func invalidUTF8IsAnError(_ input: String) {
        #expect(throws: URLEncodedForm.DecodingError.invalidUTF8) {
            try URLEncodedForm(decoding: input)
        }
    }

    @Test func rawInvalidUTF8BytesAreAnErrorToo() {
        #expect(throws: URLEncodedForm.DecodingError.invalidUTF8) {
            try URLEncodedForm(decoding: [UInt8(ascii: "a"), UInt8(ascii: "="), 0xFF, 0xFE])
        }
    }

    @Test func tenThousandFieldsAreTooMany() {
        let body = Array(repeating: "a=1", count: 10_000).joined(separator: "&")
        #expect(throws: URLEncodedForm.DecodingError.tooManyFields(limit: 64)) {
            try URLEncodedForm(decoding: body)
        }
        #expect(throws: URLEncodedForm.DecodingError.tooManyFields(limit: 9_999)) {
            try URLEncodedForm(decoding: body, maximumFields: 9_999)
        }
    }

    @Test func exactlyTheMaximumNumberOfFieldsIsAccepted() throws {
        let body = (0..<64).map { "f\($0)=\($0)" }.joined(separator: "&")
        let form = try URLEncodedForm(decoding: body)
        #expect(form.fields.count == 64)
        #expect(form["f63"] == "63")
        let big = try URLEncodedForm(decoding: Array(repeating: "a=1", count: 10_000).joined(separator: "&"),
                                     maximumFields: 10_000)
        #expect(big.fields.count == 10_000)
        #expect(throws: URLEncodedForm.DecodingError.tooManyFields(limit: 64)) {
            try URLEncodedForm(decoding: body + "&one=more")
        }
    }

    @Test func emptyPairsDoNotCountAsFields() throws {
        let body = String(repeating: "&", count: 10_000) + "a=1"
        #expect(try URLEncodedForm(decoding: body)["a"] == "1")
    }

    @Test func encodeComponentKeepsOnlyUnreservedCharacters() {
        #expect(URLEncodedForm.encodeComponent("") == "")
        #expect(URLEncodedForm.encodeComponent("aZ09-_.~") == "aZ09-_.~")
        #expect(URLEncodedForm.encodeComponent("a b+c&d=e/f?") == "a%20b%2Bc%26d%3De%2Ff%3F")
        #expect(URLEncodedForm.encodeComponent("å") == "%C3%A5")
        #expect(URLEncodedForm.encodeComponent("%") == "%25")
        #expect(URLEncodedForm.encodeComponent("\0") == "%00")
        #expect(URLEncodedForm.encodeComponent("😀") == "%F0%9F%98%80")
    }

    @Test func encodedFormsDecodeBack() throws {
        let original: [Field] = [("email", "anna+tag@example.se"), ("name", "Åsa Öberg"), ("csrf", "a=b&c")]
        let body = original.map { URLEncodedForm.encodeComponent($0.name) + "=" + URLEncodedForm.encodeComponent($0.value) }
            .joined(separator: "&")
        #expect(try URLEncodedForm(decoding: body) == URLEncodedForm(fields: original))
    }

    @Test func equalityComparesFieldsInOrder() {
        #expect(URLEncodedForm(fields: [("a", "1"), ("b", "2")]) == URLEncodedForm(fields: [("a", "1"), ("b", "2")]))
        #expect(URLEncodedForm(fields: [("a", "1"), ("b", "2")]) != URLEncodedForm(fields: [("b", "2"), ("a", "1")]))
        #expect(URLEncodedForm(fields: [("a", "1")]) != URLEncodedForm(fields: [("a", "1"), ("a", "1")]))
    }

    // MARK: fuzz

    /// Bytes that matter to the decoder, plus a few that are never valid UTF-8 on their own.
    static let alphabet: [UInt8] = Array("%&=+aF09zZ ".utf8) + [0x00, 0x80, 0xC3, 0xA5, 0xFF, 0xED, 0xF0]

    @Test func randomBytesNeverCrashTheDecoder() {
        var generator = SplitMix64(seed: 0x5EED_F0C6)
        var decoded = 0
        var refused = 0
        for round in 0..<5_000 {
            let count = Int.random(in: 0...64, using: &generator)
            let bytes: [UInt8] = (0..<count).map { _ in
                round % 2 == 0
                    ? UInt8.random(in: .min ... .max, using: &generator)
                    : Self.alphabet[Int.random(in: 0..<Self.alphabet.count, using: &generator)]
            }
            let segments = bytes.split(separator: UInt8(ascii: "&")).count
            let plainText = !bytes.contains(UInt8(ascii: "%")) && String(validating: bytes, as: UTF8.self) != nil
            do throws(URLEncodedForm.DecodingError) {
                let form = try URLEncodedForm(decoding: bytes, maximumFields: 8)
                decoded += 1
                #expect(form.fields.count == segments, "bytes \(bytes)")
                #expect(form.fields.count <= 8)
            } catch .tooManyFields(let limit) {
                refused += 1
                #expect(limit == 8)
                #expect(segments > 8, "bytes \(bytes)")
            } catch {
                refused += 1
                // Valid UTF-8 without a percent sign has nothing to refuse but the field count.
                #expect(!plainText, "bytes \(bytes)")
            }
        }
        // Both outcomes happen: the corpus exercises the error paths and the happy path.
        #expect(decoded > 100)
        #expect(refused > 1_000)
    }

    @Test func randomUnicodeStringsSurviveEncodeThenDecode() throws {
        var generator = SplitMix64(seed: 42)
        let ranges: [ClosedRange<UInt32>] = [
            0x00...0x7F, 0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFD, 0x1_0000...0x10_FFFF,
        ]
        for _ in 0..<3_000 {
            let length = Int.random(in: 0...24, using: &generator)
            var scalars = String.UnicodeScalarView()
            for _ in 0..<length {
                let range = ranges[Int.random(in: 0..<ranges.count, using: &generator)]
                let value = UInt32.random(in: range, using: &generator)
                if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
            }
            let original = String(scalars)
            let name = URLEncodedForm.encodeComponent(original)
            #expect(name.utf8.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: "&") && $0 != UInt8(ascii: "=") && $0 != UInt8(ascii: "+") })
            let form = try URLEncodedForm(decoding: "k=" + name + "&" + name + "=v")
            #expect(form.fields.count == 2)
            #expect(form["k"] == original)
            #expect(form.fields.last?.name == original)
            #expect(form.fields.last?.value == "v")
        }
    }
}
