/// What a sign-in link carries after `/_konfident/verify/`: the attempt's id and the link token,
/// as `ID.TOKEN`. The id finds the attempt by its primary key; the token proves the link, its
/// SHA-256 compared in constant time with the one stored (DESIGN §2: only the hash is kept).
///
/// Found by the token's hash instead, every Next wrote a page of an index of random keys (and
/// its checkpoint wrote it again): about eight system calls of a member's Next. The search no
/// longer depends on a secret either. The id tells a link's holder how many sign-ins were
/// started before theirs, nothing that opens a door.
public struct SignInLink: Sendable, Equatable {
    public let attemptID: Int64
    /// The raw link token (43 URL-safe base64 characters), as `ServerKey.linkToken` derives it.
    public let token: String

    public init(attemptID: Int64, token: String) {
        self.attemptID = attemptID
        self.token = token
    }

    /// `ID.TOKEN`: a decimal id of 1 to 18 digits without a leading zero, a dot, and 43 URL-safe
    /// base64 characters. Anything else is no link of ours.
    public init?(parsing text: String) {
        let bytes = Array(text.utf8)
        guard let dot = bytes.firstIndex(of: UInt8(ascii: ".")), (1...18).contains(dot), bytes[0] != UInt8(ascii: "0"),
              bytes[..<dot].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        let token = String(decoding: bytes[(dot + 1)...], as: UTF8.self)
        guard Base64URL.isWellFormed(token, length: 43...43),
              let id = Int64(String(decoding: bytes[..<dot], as: UTF8.self))
        else { return nil }
        self.init(attemptID: id, token: token)
    }

    /// The path segment: `ID.TOKEN`.
    public var text: String { "\(attemptID).\(token)" }
}
