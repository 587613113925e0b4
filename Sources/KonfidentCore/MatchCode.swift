/// The short code shown on the waiting page and on the link page, so the person approving
/// can see that the link belongs to the window they are looking at: two digits and a word.
public struct MatchCode: Sendable, Hashable, CustomStringConvertible {
    public let text: String

    public init(text: String) {
        self.text = text
    }

    /// Builds a code from three random bytes supplied by the caller (the module has no randomness).
    public init(randomBytes: [UInt8]) {
        precondition(randomBytes.count >= 3, "a match code needs three random bytes")
        let number = (Int(randomBytes[0]) << 8 | Int(randomBytes[1])) % 100
        let word = MatchCode.words[Int(randomBytes[2]) % MatchCode.words.count]
        let digits = number < 10 ? "0\(number)" : "\(number)"
        self.text = "\(digits) \(word)"
    }

    public var description: String { text }

    /// Short words that read the same in English and Swedish and are hard to confuse.
    static let words = [
        "alpaca", "amber", "anchor", "apple", "arctic", "atlas", "banjo", "basil",
        "beacon", "bison", "cactus", "canal", "cobalt", "comet", "coral", "cosmos",
        "delta", "dingo", "echo", "falcon", "fjord", "flamingo", "gecko", "glacier",
        "gorilla", "harbor", "iris", "jaguar", "kayak", "koala", "lagoon", "lemon",
        "llama", "lotus", "mango", "maple", "marble", "meteor", "mocca", "nova",
        "oasis", "olive", "opal", "orbit", "panda", "papaya", "pepper", "piano",
        "pixel", "polar", "puma", "radar", "raven", "rocket", "safari", "salsa",
        "sierra", "sonar", "tango", "tiger", "tundra", "vanilla", "violin", "zebra",
    ]
}
