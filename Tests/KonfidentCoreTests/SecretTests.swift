import KonfidentCore
import Testing

private func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}

@Suite struct SecretTests {
    @Test func sha256OfABCIsTheFIPSVector() {
        #expect(hex(Secret.hash("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(Secret.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(Secret.hash("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Secret.hash("abc").count == 32)
    }

    @Test func constantTimeEqualsComparesContentAndLength() {
        #expect(Secret.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(Secret.constantTimeEquals([UInt8](), []))
        #expect(!Secret.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!Secret.constantTimeEquals([1, 2, 3], [0, 2, 3]))
        #expect(!Secret.constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(!Secret.constantTimeEquals([1, 2], [1, 2, 3]))
        #expect(!Secret.constantTimeEquals([], [0]))
        #expect(Secret.constantTimeEquals("token", "token"))
        #expect(!Secret.constantTimeEquals("token", "Token"))
        #expect(!Secret.constantTimeEquals("token", "token "))
        #expect(Secret.constantTimeEquals("å", "\u{E5}"))
    }
}

@Suite struct Base64URLTests {
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"),
        ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648VectorsWithoutPadding(_ input: String, _ expected: String) {
        #expect(Base64URL.encode(Array(input.utf8)) == expected)
    }

    @Test func usesTheURLAlphabet() {
        // Standard base64 would be "+/+/", "+/8=" and "/w==".
        #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.encode([0xFF]) == "_w")
        #expect(Base64URL.encode([0, 0, 0]) == "AAAA")
        #expect(Base64URL.encode(Array(0...255)).count == 342)
        let all = Base64URL.encode(Array(0...255))
        #expect(all.utf8.allSatisfy { byte in
            (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || byte == 45 || byte == 95
        })
    }

    @Test(arguments: [0, 1, 2, 3, 4, 5, 16, 31, 32, 33])
    func lengthIsCeilingOfFourThirds(_ count: Int) {
        let bytes = [UInt8](repeating: 0xA5, count: count)
        #expect(Base64URL.encode(bytes).count == (count * 4 + 2) / 3)
    }

    @Test func isWellFormedChecksAlphabetAndLength() {
        #expect(Base64URL.isWellFormed("Zm9v-_", length: 1...10))
        #expect(!Base64URL.isWellFormed("", length: 1...10))
        #expect(Base64URL.isWellFormed("", length: 0...10))
        #expect(!Base64URL.isWellFormed("Zm9v+/", length: 1...10))
        #expect(!Base64URL.isWellFormed("Zm9v=", length: 1...10))
        #expect(!Base64URL.isWellFormed("Zm 9v", length: 1...10))
        #expect(!Base64URL.isWellFormed("Zm9vå", length: 1...10))
        #expect(!Base64URL.isWellFormed(String(repeating: "A", count: 44), length: 43...43))
        #expect(Base64URL.isWellFormed(String(repeating: "A", count: 43), length: 43...43))
    }
}

@Suite struct ServerKeyTests {
    let key = ServerKey(bytes: Array(0..<32))
    let nonce: [UInt8] = Array(repeating: 7, count: 16)

    @Test func hmacMatchesRFC4231WithALongKey() {
        // RFC 4231 test case 6: 131-byte key of 0xaa.
        let key = ServerKey(bytes: Array(repeating: 0xAA, count: 131))
        let mac = key.authenticate("Test Using Larger Than Block-Size Key - Hash Key First")
        #expect(hex(mac) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        #expect(key.authenticate(Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)) == mac)
    }

    @Test func linkTokensAreDeterministicAnd43URLCharacters() {
        let token = key.linkToken(purpose: .signIn, id: 42, nonce: nonce, channel: .email)
        #expect(token.count == 43)
        #expect(Base64URL.isWellFormed(token, length: 43...43))
        #expect(token == key.linkToken(purpose: .signIn, id: 42, nonce: nonce, channel: .email))
        #expect(token == ServerKey(bytes: Array(0..<32)).linkToken(purpose: .signIn, id: 42, nonce: nonce, channel: .email))
        // It is the HMAC of "purpose|id|channel|" + nonce.
        let expected = Base64URL.encode(key.authenticate(Array("sign-in|42|email|".utf8) + nonce))
        #expect(token == expected)
    }

    @Test func linkTokensDifferInEveryInput() {
        let base = key.linkToken(purpose: .signIn, id: 42, nonce: nonce, channel: .email)
        let variants = [
            key.linkToken(purpose: .signIn, id: 43, nonce: nonce, channel: .email),
            key.linkToken(purpose: .signIn, id: 42, nonce: nonce + [0], channel: .email),
            key.linkToken(purpose: .signIn, id: 42, nonce: Array(repeating: 8, count: 16), channel: .email),
            key.linkToken(purpose: .signIn, id: 42, nonce: nonce, channel: .sms),
            key.linkToken(purpose: .invitation, id: 42, nonce: nonce, channel: .email),
            ServerKey(bytes: Array(1...32)).linkToken(purpose: .signIn, id: 42, nonce: nonce, channel: .email),
        ]
        for variant in variants {
            #expect(variant != base)
            #expect(variant.count == 43)
        }
        #expect(Set(variants).count == variants.count)
    }

    @Test func idAndNonceCannotBeShiftedIntoEachOther() {
        // "1|…" + nonce "2…" must not equal "12|…": the separator keeps the id and nonce apart.
        let a = key.linkToken(purpose: .signIn, id: 1, nonce: Array("2".utf8), channel: .email)
        let b = key.linkToken(purpose: .signIn, id: 12, nonce: [], channel: .email)
        #expect(a != b)
    }

    @Test func theLinkPurposeNamesAreFixed() {
        #expect(LinkPurpose.signIn.rawValue == "sign-in")
        #expect(LinkPurpose.invitation.rawValue == "invitation")
    }
}
