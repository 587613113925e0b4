@preconcurrency import Crypto

/// The server key (DESIGN §2): a file outside the database that keys link tokens and CSRF tokens.
/// A copy of the database alone opens no door.
public struct ServerKey: Sendable {
    let key: SymmetricKey
    /// SHA-256 states that have taken in the key's two padded blocks of HMAC (RFC 2104), once. Each
    /// use goes on from a copy: swift-crypto's `SHA256` is a value that copies its state before its
    /// first change, so these are never changed and threads may share them. Two of the four
    /// compressions of an HMAC are done once instead of per use (a login page computes one HMAC,
    /// Next two), and none of keying swift-crypto's `HMAC` per use.
    private let innerState: SHA256
    private let outerState: SHA256

    public init(bytes: [UInt8]) {
        precondition(bytes.count >= 32, "the server key must have at least 256 bits")
        key = SymmetricKey(data: bytes)
        var block = bytes.count > 64 ? Array(SHA256.hash(data: bytes)) : bytes
        block += Array(repeating: 0, count: 64 - block.count)
        var inner = SHA256()
        inner.update(data: block.map { $0 ^ 0x36 })
        innerState = inner
        var outer = SHA256()
        outer.update(data: block.map { $0 ^ 0x5c })
        outerState = outer
    }

    /// HMAC-SHA256 of `message` under the key.
    public func authenticate(_ message: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { authenticate(bytes: $0) }
    }

    public func authenticate(_ message: String) -> [UInt8] {
        var message = message
        return message.withUTF8 { authenticate(bytes: UnsafeRawBufferPointer($0)) }
    }

    private func authenticate(bytes message: UnsafeRawBufferPointer) -> [UInt8] {
        var inner = innerState
        inner.update(bufferPointer: message)
        let innerDigest = inner.finalize()
        var outer = outerState
        innerDigest.withUnsafeBytes { outer.update(bufferPointer: $0) }
        return outer.finalize().withUnsafeBytes { Array($0) }
    }

    /// The raw link token of a message: derived, never stored. `purpose` keeps sign-in links and
    /// invitation links apart; the nonce is random per attempt and stored beside its id.
    public func linkToken(purpose: LinkPurpose, id: Int64, nonce: [UInt8], channel: LinkChannel) -> String {
        var message = Array("\(purpose.rawValue)|\(id)|\(channel.rawValue)|".utf8)
        message.append(contentsOf: nonce)
        return Base64URL.encode(authenticate(message))
    }
}

public enum LinkPurpose: String, Sendable {
    case signIn = "sign-in"
    case invitation
}

/// Hashing and comparing secrets.
public enum Secret {
    /// SHA-256 of a token as stored at rest.
    public static func hash(_ token: String) -> [UInt8] {
        var token = token
        return token.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// Straight from the bytes: swift-crypto's `hash(data:)` walks an array as generic `DataProtocol` regions.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bufferPointer: bytes)
        return hasher.finalize().withUnsafeBytes { Array($0) }
    }

    /// Compares without an early exit, so the time taken tells nothing about where two secrets differ.
    public static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    public static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        constantTimeEquals(Array(lhs.utf8), Array(rhs.utf8))
    }
}

/// Base64 with the URL alphabet and no padding (RFC 4648 §5): tokens in links and cookies.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(alphabet[Int(value >> 6 & 63)])
            out.append(alphabet[Int(value & 63)])
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let value = UInt32(bytes[index]) << 16
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
        } else if rest == 2 {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(alphabet[Int(value >> 6 & 63)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// True when `text` could be a token we issued: only URL-alphabet characters, bounded length.
    public static func isWellFormed(_ text: String, length: ClosedRange<Int>) -> Bool {
        guard length.contains(text.utf8.count) else { return false }
        var text = text
        return text.withUTF8 { bytes in
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                     UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"): continue
                default: return false
                }
            }
            return true
        }
    }
}
