/// A token that names the row it opens: `ID.SECRET`, the row's id, a dot and 43 URL-safe base64
/// characters (DESIGN §2's ≥128-bit secret). The id finds the row by its primary key; the secret
/// proves the holder, its SHA-256 compared in constant time with the one stored (only the hash is
/// kept). Sign-in links (`/_konfident/verify/ID.TOKEN`, the id an attempt's) and the attempt cookie
/// (`ID.BROWSER-SECRET`) have this form.
///
/// Found by the secret's hash instead, each row needed an index of random keys, and every member's
/// Next wrote a page of each at a random place (its checkpoint wrote it again): about eight of the
/// 46 system calls of a member's Next for the link index alone. The search no longer depends on a
/// secret either. The id tells the holder how many rows were made before theirs, and opens nothing.
public struct SplitToken: Sendable, Equatable {
    public let id: Int64
    public let secret: String

    public init(id: Int64, secret: String) {
        self.id = id
        self.secret = secret
    }

    /// `ID.SECRET`: a decimal id of 1 to 18 digits without a leading zero, a dot, and 43 URL-safe
    /// base64 characters. Anything else is no token of ours.
    public init?(parsing text: String) {
        let bytes = Array(text.utf8)
        guard let dot = bytes.firstIndex(of: UInt8(ascii: ".")), (1...18).contains(dot), bytes[0] != UInt8(ascii: "0"),
              bytes[..<dot].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        let secret = String(decoding: bytes[(dot + 1)...], as: UTF8.self)
        guard Base64URL.isWellFormed(secret, length: 43...43),
              let id = Int64(String(decoding: bytes[..<dot], as: UTF8.self))
        else { return nil }
        self.init(id: id, secret: secret)
    }

    /// `ID.SECRET`, as it goes into a path or a cookie.
    public var text: String { "\(id).\(secret)" }
}
