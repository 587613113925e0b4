import Crypto
import Foundation
@testable import KonfidentCore
import Testing
import TestSupport

/// `ServerKey` computes HMAC-SHA256 from its padded key blocks; it must agree with swift-crypto's `HMAC`.
@Suite struct ServerKeyHMACTests {
    @Test(arguments: [32, 33, 63, 64, 65, 100, 131])
    func agreesWithSwiftCryptoForEveryKeyAndMessageLength(keyLength: Int) {
        let keyBytes = (0..<keyLength).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let key = ServerKey(bytes: keyBytes)
        for messageLength in [0, 1, 31, 55, 56, 63, 64, 65, 119, 120, 128, 200, 1_000] {
            let message = (0..<messageLength).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
            let expected = Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: keyBytes)))
            #expect(key.authenticate(message) == expected)
            let text = String(repeating: "å", count: messageLength)
            let expectedText = Array(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: SymmetricKey(data: keyBytes)))
            #expect(key.authenticate(text) == expectedText)
        }
    }

    @Test func rfc4231TestCase7() {
        // A key longer than a block and a message longer than a block (case 6 is in SecretTests).
        let key = ServerKey(bytes: Array(repeating: 0xAA, count: 131))
        let message = "This is a test using a larger than block-size key and a larger than block-size data. "
            + "The key needs to be hashed before being used by the HMAC algorithm."
        let mac = key.authenticate(message)
        #expect(mac.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
            == "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2")
    }

    /// The key's two hash states, taken in once, are shared by every thread that signs at once:
    /// each use must go on from a copy and leave them as they were.
    @Test func threadsSigningAtOnceGetTheHMACsOfSwiftCrypto() {
        let keyBytes = (0..<32).map { UInt8($0) }
        let key = ServerKey(bytes: keyBytes)
        let wrong = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for index in 0..<500 {
                let message = Array("thread \(thread) message \(index)".utf8)
                let expected = Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: keyBytes)))
                if key.authenticate(message) != expected { wrong.add() }
            }
        }
        #expect(wrong.value == 0)
    }
}
