// Shared pieces of the Delivery tests: a seeded generator, a clock the tests move, fake
// transports, a migrated store in a temporary directory, and a small independent MIME reader
// (so that the product's encoders are not checked only with the product's own decoder).
import Foundation
import KonfidentCore
import KonfidentStore
import Testing
@testable import Delivery
import TestSupport

// MARK: - Randomness and time

/// A clock that stands still until the test moves it.
final class TestClock: KonfidentCore.Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64

    init(_ start: Int64) {
        value = start
    }

    func now() -> Int64 {
        lock.withLock { value }
    }

    func advance(by seconds: Int64) {
        lock.withLock { value += seconds }
    }
}

/// Random multi-line text of the kind that breaks quoted-printable encoders: long lines,
/// trailing blanks, `=` signs, non-ASCII (combining marks, emoji, ZWJ sequences), long URLs.
struct TextGenerator {
    var random: SplitMix64

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    static let ascii: [Character] = (32...126).map { Character(UnicodeScalar(UInt8($0))) }
    static let special: [String] = [
        "=", "==", "=3D", "=\u{0020}", "= ", "\t", "å", "ä", "ö", "Å", "Ä", "Ö", "é", "e\u{0301}", "ü", "ß", "€",
        "—", "“", "”", "😀", "👩‍👩‍👧", "🇸🇪", "中文", "ﬁ", "\u{00A0}", "\u{200B}", "Ω", "·", ".",
    ]

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &random)
    }

    mutating func link() -> String {
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        var link = "https://acme.localhost:8443/_konfident/verify/" + Base64URL.encode(bytes)
        if int(0...2) == 0 { link += "?next=%2Fdocs%2F%C3%A5r%3Fa%3Db&x=1&long=" + String(repeating: "q", count: int(0...150)) }
        return link
    }

    /// One line of up to 300 characters (never containing CR or LF).
    mutating func line() -> String {
        switch int(0...9) {
        case 0: return ""
        case 1: return String(repeating: " ", count: int(1...80))
        case 2: return String(repeating: "=", count: int(1...120))
        case 3: return link()
        case 4: return [".", "..", "From me", "--", "-- ", "=", " =", "= "][int(0...7)]
        default:
            var line = ""
            let length = int(1...300)
            while line.count < length {
                if int(0...5) == 0 {
                    line += Self.special[int(0...(Self.special.count - 1))]
                } else {
                    line.append(Self.ascii[int(0...(Self.ascii.count - 1))])
                }
            }
            if int(0...3) == 0 { line += [" ", "  ", "\t", " \t ", "="][int(0...4)] }
            return line
        }
    }

    /// Text with `\n` line ends and `link` on a line of its own somewhere.
    mutating func text(link: String) -> String {
        var lines = (0..<int(1...30)).map { _ in line() }
        lines.insert(link, at: int(0...lines.count))
        var text = lines.joined(separator: "\n")
        if int(0...1) == 0 { text += "\n" }
        return text
    }
}

// MARK: - Fake transports

/// Records every message; never fails.
final class RecordingMail: MailTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [MailMessage] = []

    var messages: [MailMessage] { lock.withLock { recorded } }

    func send(_ message: MailMessage) throws {
        lock.withLock { recorded.append(message) }
    }
}

/// Fails with a temporary error the first `failures` times, then records.
final class FlakyMail: MailTransport, @unchecked Sendable {
    private let lock = NSLock()
    private let failures: Int
    private var tries = 0
    private var recorded: [MailMessage] = []

    init(failures: Int) {
        self.failures = failures
    }

    var calls: Int { lock.withLock { tries } }
    var messages: [MailMessage] { lock.withLock { recorded } }

    func send(_ message: MailMessage) throws {
        try lock.withLock {
            tries += 1
            if tries <= failures { throw DeliveryError("421 4.3.2 try again later (\(tries))") }
            recorded.append(message)
        }
    }
}

/// Always refuses, for good.
final class RejectingMail: MailTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var tries = 0

    var calls: Int { lock.withLock { tries } }

    func send(_ message: MailMessage) throws {
        lock.withLock { tries += 1 }
        throw DeliveryError("550 5.1.1 mailbox unavailable", isTemporary: false)
    }
}

final class RecordingSMS: SMSTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [(to: String, text: String)] = []

    var messages: [(to: String, text: String)] { lock.withLock { recorded } }

    func send(to number: String, text: String) throws -> String? {
        lock.withLock {
            recorded.append((number, text))
            return "gw-\(recorded.count)"
        }
    }
}

// MARK: - Files

/// A fresh temporary directory, removed when the value goes away.
final class TemporaryDirectory: @unchecked Sendable {
    let path: String

    init(_ label: String = "delivery") throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("konfident-\(label)-\(UUID().uuidString)", isDirectory: true).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func contents(of folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: file(folder))) ?? []).sorted()
    }
}

// MARK: - Store

/// A migrated store with one workspace, and helpers that start sign-ins the way the web layer does.
final class DeliveryFixture: @unchecked Sendable {
    static let now: Int64 = 1_700_000_000
    static let mailFrom = "KONFIDENT <no-reply@acme.localhost>"

    let directory: TemporaryDirectory
    let store: Store
    let key = ServerKey(bytes: Array(repeating: 0x5A, count: 32))
    let workspace: Workspace
    private let lock = NSLock()
    private var started: UInt8 = 0

    init(url: String = "https://acme.localhost:8443/", name: String = "Acme") throws {
        directory = try TemporaryDirectory("store")
        store = try Store(path: directory.file("konfident.sqlite3"))
        try store.migrate()
        workspace = try store.createWorkspace(slug: "acme", name: name, url: try WorkspaceURL(parsing: url), at: Self.now)
    }

    var composer: MessageComposer { MessageComposer(key: key, mailFrom: Self.mailFrom) }

    @discardableResult
    func member(_ email: String, method: LoginMethod = .email, phone: String? = nil) throws -> Member {
        let new = NewMember(email: try EmailAddress(parsing: email), phone: try phone.map { try PhoneNumber(parsing: $0) },
                            personnummer: nil, method: method, role: .general)
        return try store.addMember(new, to: workspace, at: Self.now)
    }

    /// Next on the login page, with token hashes derived from the server key as the real wiring does.
    @discardableResult
    func startSignIn(_ email: String, language: Language = .en, policy: RateLimitPolicy = .off,
                     at now: Int64 = DeliveryFixture.now) throws -> StoredAttempt {
        let number = lock.withLock { started &+= 1; return started }
        let nonce = (0..<16).map { UInt8(truncatingIfNeeded: Int($0) * 31 + Int(number)) }
        let request = SignInRequest(
            workspace: workspace, email: try EmailAddress(parsing: email), browserHash: Secret.hash([number]),
            matchCode: MatchCode(randomBytes: [0, 42, number]), nonce: nonce, language: language,
            ip: "192.0.2.\(number)", userAgent: "Mozilla/5.0 (Test)", lifetime: 600, policy: policy)
        let key = self.key
        return try store.startSignIn(request, at: now) { id, channel in
            Secret.hash(key.linkToken(purpose: .signIn, id: id, nonce: nonce, channel: channel))
        }
    }

    /// `count` members (member0@example.se …), each with a sign-in started and its mail queued.
    func membersSigningIn(_ count: Int) throws {
        for number in 0..<count {
            try member("member\(number)@example.se")
            try startSignIn("member\(number)@example.se")
        }
    }

    /// Every message that is due at `now`, claimed (as the worker would) in queue order.
    func claimAll(at now: Int64 = DeliveryFixture.now) throws -> [OutboxMessage] {
        var messages: [OutboxMessage] = []
        while let message = try store.claimDueMessage(at: now) { messages.append(message) }
        return messages
    }

    func states() throws -> [String] {
        try store.outboxStatuses().map(\.state)
    }
}

// MARK: - Reading messages back

/// Splits on CRLF, byte by byte (Swift's `Character` treats CRLF as one character).
func crlfLines(_ text: String) -> [String] {
    let bytes = Array(text.utf8)
    var lines: [String] = []
    var start = 0
    var index = 0
    while index < bytes.count {
        if bytes[index] == 13, index + 1 < bytes.count, bytes[index + 1] == 10 {
            lines.append(String(decoding: bytes[start..<index], as: UTF8.self))
            index += 2
            start = index
        } else {
            index += 1
        }
    }
    lines.append(String(decoding: bytes[start...], as: UTF8.self))
    return lines
}

/// Splits on LF, byte by byte (a CR stays part of the line).
func lfLines(_ text: String) -> [String] {
    Array(text.utf8).split(separator: 10, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
}

struct MIMEProblem: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Quoted-printable decoding as RFC 2045 §6.7 defines it, strictly: `=XX` with upper-case hex,
/// `=` at the end of a line is a soft break, a hard line break becomes `\n` (the local form).
/// Lines are separated by `separator` (CRLF on the wire, LF in local files).
func strictQuotedPrintableDecode(_ encoded: String, separator: String = "\r\n") throws -> String {
    let lines = separator == "\r\n" ? crlfLines(encoded) : lfLines(encoded)
    var bytes: [UInt8] = []
    let hex = Array("0123456789ABCDEF".utf8)
    for (number, line) in lines.enumerated() {
        var source = Array(line.utf8)
        var soft = false
        if source.last == 61 {
            soft = true
            source.removeLast()
        }
        var index = 0
        while index < source.count {
            let byte = source[index]
            if byte == 61 {
                guard index + 2 < source.count,
                      let high = hex.firstIndex(of: source[index + 1]), let low = hex.firstIndex(of: source[index + 2]) else {
                    throw MIMEProblem("bad escape in line \(number): \(line)")
                }
                bytes.append(UInt8(high * 16 + low))
                index += 3
            } else {
                guard byte == 32 || byte == 9 || (byte >= 33 && byte <= 126) else {
                    throw MIMEProblem("unencoded byte \(byte) in line \(number): \(line)")
                }
                bytes.append(byte)
                index += 1
            }
        }
        if !soft && number < lines.count - 1 { bytes.append(10) }
    }
    guard let text = String(validating: bytes, as: UTF8.self) else { throw MIMEProblem("decoded text is not UTF-8") }
    return text
}

/// An RFC 2047 encoded word.
struct EncodedWord {
    let raw: String
    let text: String
}

/// Decodes a header value made of RFC 2047 encoded words and plain text; whitespace between two
/// adjacent encoded words is dropped (RFC 2047 §6.2). Each word must decode to whole UTF-8 characters.
func decodeHeaderValue(_ value: String) throws -> (text: String, words: [EncodedWord]) {
    let pattern = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/
    var words: [EncodedWord] = []
    var out = ""
    var rest = value[...]
    var previousWasWord = false
    while let match = rest.firstMatch(of: pattern) {
        let gap = rest[rest.startIndex..<match.range.lowerBound]
        if !(previousWasWord && gap.allSatisfy(\.isWhitespace)) { out += gap }
        guard match.output.1.lowercased() == "utf-8" else { throw MIMEProblem("charset \(match.output.1)") }
        let payload = String(match.output.3)
        var bytes: [UInt8]
        if match.output.2.uppercased() == "B" {
            guard let data = Data(base64Encoded: payload) else { throw MIMEProblem("bad base64 in \(match.output.0)") }
            bytes = Array(data)
        } else {
            bytes = []
            let source = Array(payload.utf8)
            var index = 0
            while index < source.count {
                if source[index] == 61, index + 2 < source.count,
                   let value = UInt8(String(decoding: source[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) {
                    bytes.append(value)
                    index += 3
                } else {
                    bytes.append(source[index] == 95 ? 32 : source[index])
                    index += 1
                }
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw MIMEProblem("encoded word \(match.output.0) is not whole UTF-8 characters")
        }
        words.append(EncodedWord(raw: String(match.output.0), text: text))
        out += text
        previousWasWord = true
        rest = rest[match.range.upperBound...]
    }
    out += rest
    return (out, words)
}

/// A message as a reader sees it: unfolded headers and the parts of a multipart body.
struct ParsedMail {
    struct Part {
        let headers: [(name: String, value: String)]
        let body: String

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    let headers: [(name: String, value: String)]
    /// The header lines as they were on the wire (before unfolding).
    let rawHeaderLines: [String]
    let parts: [Part]
    let preamble: String

    /// Parses `raw`, whose lines end in CRLF (`separator: "\r\n"`) or LF (local files).
    init(_ raw: String, separator: String = "\r\n") throws {
        let lines = separator == "\r\n" ? crlfLines(raw) : lfLines(raw)
        guard let blank = lines.firstIndex(of: "") else { throw MIMEProblem("no end of headers") }
        rawHeaderLines = Array(lines[..<blank])
        headers = try ParsedMail.unfold(rawHeaderLines)
        guard let type = headers.first(where: { $0.name.lowercased() == "content-type" })?.value,
              let boundary = ParsedMail.parameter("boundary", of: type) else {
            throw MIMEProblem("no multipart boundary")
        }
        var parts: [[String]] = []
        var current: [String]? = nil
        var preamble: [String] = []
        var closed = false
        for line in lines[(blank + 1)...] {
            if line == "--" + boundary {
                if let current { parts.append(current) }
                current = []
            } else if line == "--" + boundary + "--" {
                if let current { parts.append(current) }
                current = nil
                closed = true
                break
            } else if current != nil {
                current!.append(line)
            } else {
                preamble.append(line)
            }
        }
        guard closed else { throw MIMEProblem("no closing boundary") }
        self.preamble = preamble.joined(separator: "\n")
        self.parts = try parts.map { lines in
            guard let blank = lines.firstIndex(of: "") else { throw MIMEProblem("part without header end") }
            return Part(headers: try ParsedMail.unfold(Array(lines[..<blank])),
                        body: lines[(blank + 1)...].joined(separator: separator))
        }
    }

    static func unfold(_ lines: [String]) throws -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        for line in lines {
            if line.hasPrefix(" ") || line.hasPrefix("\t") {
                guard !fields.isEmpty else { throw MIMEProblem("continuation without a header: \(line)") }
                fields[fields.count - 1].value += line
            } else {
                guard let colon = line.firstIndex(of: ":") else { throw MIMEProblem("not a header line: \(line)") }
                let name = String(line[..<colon])
                guard !name.isEmpty, name.utf8.allSatisfy({ $0 >= 33 && $0 <= 126 && $0 != 58 }) else {
                    throw MIMEProblem("bad header name: \(line)")
                }
                fields.append((name, String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
            }
        }
        return fields
    }

    static func parameter(_ name: String, of value: String) -> String? {
        for piece in value.split(separator: ";").dropFirst() {
            let pair = piece.trimmingCharacters(in: .whitespaces)
            guard pair.lowercased().hasPrefix(name + "=") else { continue }
            var result = String(pair.dropFirst(name.count + 1))
            if result.hasPrefix("\""), result.hasSuffix("\""), result.count >= 2 { result = String(result.dropFirst().dropLast()) }
            return result
        }
        return nil
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func headerCount(_ name: String) -> Int {
        headers.filter { $0.name.lowercased() == name.lowercased() }.count
    }

    func part(_ type: String) -> Part? {
        parts.first { ($0.header("Content-Type") ?? "").lowercased().hasPrefix(type) }
    }

    /// The plain-text part decoded, with `\n` line ends.
    func text(separator: String = "\r\n") throws -> String {
        guard let part = part("text/plain") else { throw MIMEProblem("no text/plain part") }
        return try strictQuotedPrintableDecode(part.body, separator: separator)
    }
}

/// The boundary every transport uses for a message.
func transportBoundary(_ message: MailMessage) -> String {
    "konfident-\(message.messageID.prefix(while: { $0 != "@" }))"
}

/// The lines of a text that are links (a link is a line of its own).
func linkLines(_ text: String) -> [String] {
    lfLines(text).filter { $0.hasPrefix("https://") || $0.hasPrefix("http://") }
}
