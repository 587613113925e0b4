// MailMessage.rendered(boundary:): the RFC 5322 / MIME text every mail transport sends.
import Foundation
import KonfidentCore
import KonfidentStore
import Testing
@testable import Delivery

@Suite struct MailMessageRenderingTests {
    static let link = "https://acme.localhost:8443/_konfident/verify/" + Base64URL.encode(Array(0..<32))
    /// A message ID shaped like the ones the delivery worker makes (`id.created.random@domain`).
    static let workerMessageID = "17.1700000000.18446744073709551615@acme.localhost"

    static func message(subject: String = "Sign in to Acme", to: String = "anna@example.se",
                        from: String = DeliveryFixture.mailFrom,
                        text: String = "Hello,\n\nopen this link:\n\n\(link)\n\n-- \nKONFIDENT\n",
                        html: String? = nil, messageID: String = workerMessageID) -> MailMessage {
        MailMessage(from: from, to: to, subject: subject, text: text,
                    html: html ?? "<p><a href=\"\(link)\">Open</a></p>\n<p>\(link)</p>",
                    messageID: messageID, date: 1_700_000_000)
    }

    @Test func everyLineEndsInCRLF() throws {
        let text = "one\ntwo\r\nthree\rfour\n\nfive \n"
        let rendered = Self.message(text: text, html: "<p>a</p>\r<p>b</p>\n").rendered(boundary: "b-1")
        let bytes = Array(rendered.utf8)
        for index in bytes.indices {
            if bytes[index] == 13 {
                #expect(index + 1 < bytes.count && bytes[index + 1] == 10, "bare CR at byte \(index)")
            }
            if bytes[index] == 10 {
                #expect(index > 0 && bytes[index - 1] == 13, "bare LF at byte \(index)")
            }
        }
        #expect(rendered.hasSuffix("\r\n"))
        // The bare CR of the text is data, not a line break: it comes back from the text part.
        #expect(try ParsedMail(rendered).text() == "one\ntwo\nthree\rfour\n\nfive \n")
    }

    @Test func headersArePresentOnce() throws {
        let mail = try ParsedMail(Self.message().rendered(boundary: "b-1"))
        for name in ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"] {
            #expect(mail.headerCount(name) == 1, "\(name)")
        }
        #expect(mail.header("From") == DeliveryFixture.mailFrom)
        #expect(mail.header("To") == "anna@example.se")
        #expect(mail.header("Subject") == "Sign in to Acme")
        #expect(mail.header("Date") == "Tue, 14 Nov 2023 22:13:20 +0000")
        #expect(mail.header("Message-ID") == "<\(Self.workerMessageID)>")
        #expect(mail.header("MIME-Version") == "1.0")
        #expect(mail.header("Content-Type")?.lowercased().hasPrefix("multipart/alternative;") == true)
    }

    @Test(arguments: [Int64(0), 951_782_400, 1_700_000_000, 1_709_164_800, 4_102_444_799])
    func dateHeaderIsRFC5322(seconds: Int64) throws {
        let date = MailMessage.rfc5322Date(seconds)
        #expect(date.wholeMatch(of: /(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0000/) != nil,
                "\(date)")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, d MMM yyyy HH:mm:ss Z"
        #expect(formatter.date(from: date) == Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// RFC 5322 §2.1.1: lines SHOULD be at most 78 characters. Rendered with the boundary the
    /// transports really use (derived from a worker-made message ID).
    @Test func noLineLongerThan78() throws {
        let message = Self.message(subject: "Logga in på Åre")
        let rendered = message.rendered(boundary: transportBoundary(message))
        for line in crlfLines(rendered) {
            #expect(line.utf8.count <= 78, "line of \(line.utf8.count): \(line)")
        }
    }

    @Test func nonASCIISubjectIsAnEncodedWordThatDecodesBack() throws {
        let mail = try ParsedMail(Self.message(subject: "Logga in på Åre").rendered(boundary: "b-1"))
        let raw = try #require(mail.header("Subject"))
        #expect(raw.utf8.allSatisfy { $0 < 128 }, "raw 8-bit in a header: \(raw)")
        let decoded = try decodeHeaderValue(raw)
        #expect(!decoded.words.isEmpty)
        #expect(decoded.text == "Logga in på Åre")
        // Every header line of the message is 7-bit.
        for line in mail.rawHeaderLines {
            #expect(line.utf8.allSatisfy { $0 < 128 }, "\(line)")
        }
    }

    /// A realistic Swedish workspace name makes a long subject: RFC 2047 §2 limits an encoded
    /// word to 75 characters, so the subject must be split into several words (and folded).
    @Test(arguments: [
        "Logga in på Bostadsrättsföreningen Solgläntan i Göteborg med BankID",
        "Logga in på Åre Fjällhotell & Konferens",
        "Sign in to Ödeshögs Företagarförening — styrelsen",
    ])
    func longNonASCIISubjectStaysWithinTheLimits(subject: String) throws {
        let message = Self.message(subject: subject)
        let mail = try ParsedMail(message.rendered(boundary: "b-1"))
        let raw = try #require(mail.header("Subject"))
        let decoded = try decodeHeaderValue(raw)
        #expect(decoded.text == subject)
        for word in decoded.words {
            #expect(word.raw.count <= 75, "encoded word of \(word.raw.count) characters: \(word.raw)")
        }
        for line in mail.rawHeaderLines {
            #expect(line.utf8.count <= 78, "header line of \(line.utf8.count): \(line)")
        }
    }

    @Test func nonASCIIDisplayNameInFromKeepsTheAddress() throws {
        let mail = try ParsedMail(Self.message(from: "Åre Fjällhotell <no-reply@are.example>").rendered(boundary: "b-1"))
        let raw = try #require(mail.header("From"))
        #expect(raw.utf8.allSatisfy { $0 < 128 })
        #expect(raw.hasSuffix("<no-reply@are.example>"))
        #expect(try decodeHeaderValue(raw).text == "Åre Fjällhotell <no-reply@are.example>")
        #expect(Self.message(from: "Åre Fjällhotell <no-reply@are.example>").envelopeFrom == "no-reply@are.example")
    }

    static let injections: [(subject: String, to: String)] = [
        ("Hej\r\nBcc: evil@attacker.example", "anna@example.se"),
        ("Hej\nBcc: evil@attacker.example", "anna@example.se"),
        ("Hej\rBcc: evil@attacker.example", "anna@example.se"),
        ("Hej\r\n\r\nInjected body", "anna@example.se"),
        ("Åre\r\nBcc: evil@attacker.example", "anna@example.se"),
        ("Sign in", "anna@example.se\r\nBcc: evil@attacker.example"),
        ("Sign in", "anna@example.se\nBcc: evil@attacker.example"),
        ("Sign in", "anna@example.se\r\n\r\nInjected body"),
        ("Hej\u{2028}Bcc: evil@attacker.example\u{85}X-Evil: 1", "anna@example.se"),
    ]

    @Test(arguments: MailMessageRenderingTests.injections)
    func lineBreaksInSubjectOrToDoNotMakeHeaders(subject: String, to: String) throws {
        let rendered = Self.message(subject: subject, to: to).rendered(boundary: "b-1")
        let mail = try ParsedMail(rendered)
        let names = mail.headers.map { $0.name.lowercased() }
        #expect(names == ["from", "to", "subject", "date", "message-id", "mime-version", "content-type"])
        #expect(mail.header("Bcc") == nil)
        #expect(mail.parts.count == 2)
        #expect(!mail.preamble.contains("Injected"))
        // Nothing of the value starts a line of its own anywhere in the header block.
        for line in mail.rawHeaderLines {
            #expect(!line.hasPrefix("Bcc:") && !line.hasPrefix("X-Evil:"), "\(line)")
        }
    }

    @Test func bothPartsArePresentAndDecodeBack() throws {
        let text = "Hello,\n\nöppna länken:\n\n\(Self.link)\n\n-- \nKONFIDENT\n"
        let html = "<!doctype html>\n<p>Öppna <a href=\"\(Self.link)\" style=\"color:#fff\">länken</a></p>\n"
        let message = Self.message(text: text, html: html)
        let mail = try ParsedMail(message.rendered(boundary: transportBoundary(message)))
        #expect(mail.parts.count == 2)
        let plain = try #require(mail.part("text/plain"))
        let rich = try #require(mail.part("text/html"))
        #expect(plain.header("Content-Type")?.lowercased().replacingOccurrences(of: " ", with: "") == "text/plain;charset=utf-8")
        #expect(rich.header("Content-Type")?.lowercased().replacingOccurrences(of: " ", with: "") == "text/html;charset=utf-8")
        #expect(plain.header("Content-Transfer-Encoding")?.lowercased() == "quoted-printable")
        #expect(rich.header("Content-Transfer-Encoding")?.lowercased() == "quoted-printable")
        #expect(try strictQuotedPrintableDecode(plain.body) == text)
        #expect(try strictQuotedPrintableDecode(rich.body) == html)
        // The boundary never occurs inside a part.
        for part in mail.parts {
            #expect(!part.body.contains("--" + transportBoundary(message)))
        }
    }

    /// Random unicode text: the decoded plain-text part is the text, and the link is a whole line.
    @Test(arguments: 1...60)
    func randomTextSurvivesTheRendering(seed: Int) throws {
        var generator = TextGenerator(seed: UInt64(seed) &* 0x1F2E_3D4C)
        let link = generator.link()
        let text = generator.text(link: link)
        let message = Self.message(text: text)
        let rendered = message.rendered(boundary: transportBoundary(message))
        let mail = try ParsedMail(rendered)
        let plain = try #require(mail.part("text/plain"))
        let decoded = try strictQuotedPrintableDecode(plain.body)
        #expect(decoded == text, "seed \(seed)")
        #expect(lfLines(decoded).contains(link), "seed \(seed): the link is not a line of its own")
        #expect(try mail.text() == text)
        for line in crlfLines(plain.body) {
            #expect(line.utf8.count <= 76, "seed \(seed): encoded line of \(line.utf8.count)")
            #expect(!line.hasSuffix(" ") && !line.hasSuffix("\t"), "seed \(seed): trailing blank on the wire: \(line)")
        }
        #expect(!Array(rendered.utf8).contains { $0 >= 128 || ($0 < 32 && $0 != 13 && $0 != 10) }, "seed \(seed): not 7-bit")
    }
}
