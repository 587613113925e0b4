// MessageComposer: what a queued message becomes at delivery time, against a real store.
import Foundation
import KonfidentCore
import KonfidentStore
import Testing
@testable import Delivery

extension MessageComposer.Composition {
    var mail: MailMessage? {
        if case let .mail(message) = self { return message }
        return nil
    }

    var sms: (to: String, text: String)? {
        if case let .sms(to, text) = self { return (to, text) }
        return nil
    }

    var dropReason: String? {
        if case let .drop(reason) = self { return reason }
        return nil
    }
}

@Suite struct MessageComposerTests {
    static let now = DeliveryFixture.now
    static let messageID = "1.1700000000.42@acme.localhost"

    /// The `ID.TOKEN` of a link, checked against the store: it must find the attempt and the channel.
    static func checkLink(_ link: String, fixture: DeliveryFixture, attempt: StoredAttempt, channel: LinkChannel) throws {
        let prefix = fixture.workspace.url.description + "_konfident/verify/"
        #expect(link.hasPrefix(fixture.workspace.url.description), "\(link)")
        #expect(link.hasPrefix(prefix), "\(link)")
        let parsed = try #require(SplitToken(parsing: String(link.dropFirst(prefix.count))), "\(link)")
        #expect(parsed.id == attempt.id)
        let found = try #require(try fixture.store.attempt(link: parsed, workspaceID: fixture.workspace.id),
                                 "the link's token does not hash to a stored token hash")
        #expect(found.0.id == attempt.id)
        #expect(found.1 == channel)
    }

    @Test(arguments: ["https://acme.localhost:8443/", "https://example.org/teams/acme/", "http://127.0.0.1:8080/x/"])
    func signInMailHasAWorkingLinkOnALineOfItsOwn(url: String) throws {
        let fixture = try DeliveryFixture(url: url)
        try fixture.member("anna@example.se")
        let attempt = try fixture.startSignIn("Anna@Example.se")
        let queued = try fixture.claimAll()
        #expect(queued.count == 1)
        let message = try #require(queued.first)
        #expect(message.channel == .email)
        #expect(message.kind == MessageKind.signInLink.rawValue)
        let mail = try #require(try fixture.composer.compose(message, store: fixture.store, now: Self.now + 5,
                                                             messageID: Self.messageID).mail)
        #expect(mail.to == "anna@example.se")
        #expect(mail.from == DeliveryFixture.mailFrom)
        #expect(mail.messageID == Self.messageID)
        #expect(mail.date == Self.now + 5)
        let links = linkLines(mail.text)
        #expect(links.count == 1, "\(mail.text)")
        let link = try #require(links.first)
        try Self.checkLink(link, fixture: fixture, attempt: attempt, channel: .email)
        #expect(link == fixture.workspace.url.link("/_konfident/verify/\(attempt.id).")
            + fixture.key.linkToken(purpose: .signIn, id: attempt.id, nonce: attempt.nonce, channel: .email))
        // The HTML part carries the same link; the rendered message gives the link line back whole.
        #expect(mail.html.contains("href=\"\(link)\""))
        let parsed = try ParsedMail(mail.rendered(boundary: transportBoundary(mail)))
        #expect(lfLines(try parsed.text()).contains(link))
        #expect(try parsed.text() == mail.text)
    }

    @Test(arguments: [(Language.en, "Sign in to Acme", "Verify Identity"),
                      (Language.sv, "Logga in på Acme", "Bekräfta identitet")])
    func subjectAndTextFollowTheLanguage(language: Language, subject: String, button: String) throws {
        let fixture = try DeliveryFixture()
        try fixture.member("anna@example.se")
        try fixture.startSignIn("anna@example.se", language: language)
        let message = try #require(try fixture.claimAll().first)
        #expect(message.language == language)
        let mail = try #require(try fixture.composer.compose(message, store: fixture.store, now: Self.now,
                                                             messageID: Self.messageID).mail)
        #expect(mail.subject == subject)
        #expect(mail.text.contains(button))
        #expect(mail.text.contains("10"), "the validity in minutes")
        #expect(mail.html.contains("lang=\"\(language.rawValue)\""))
        let parsed = try ParsedMail(mail.rendered(boundary: "b-1"))
        #expect(try decodeHeaderValue(try #require(parsed.header("Subject"))).text == subject)
    }

    @Test func workspaceNameIsEscapedInTheHTMLPart() throws {
        let fixture = try DeliveryFixture(name: "Smith & <Sons> \"AB\"")
        try fixture.member("anna@example.se")
        try fixture.startSignIn("anna@example.se")
        let message = try #require(try fixture.claimAll().first)
        let mail = try #require(try fixture.composer.compose(message, store: fixture.store, now: Self.now,
                                                             messageID: Self.messageID).mail)
        #expect(!mail.html.contains("<Sons>"))
        #expect(mail.html.contains("Smith &amp; &lt;Sons&gt;"))
        #expect(mail.text.contains("Smith & <Sons>"))
    }

    @Test(arguments: [Language.en, Language.sv])
    func bankIDMemberGetsUseBankIDMailWithoutAVerifyLink(language: Language) throws {
        let fixture = try DeliveryFixture()
        try fixture.member("bo@example.se", method: .bankid)
        try fixture.startSignIn("bo@example.se", language: language)
        let queued = try fixture.claimAll()
        #expect(queued.count == 1)
        let message = try #require(queued.first)
        #expect(message.kind == MessageKind.useBankID.rawValue)
        let mail = try #require(try fixture.composer.compose(message, store: fixture.store, now: Self.now,
                                                             messageID: Self.messageID).mail)
        #expect(mail.to == "bo@example.se")
        #expect(!mail.text.contains("/_konfident/verify/"))
        #expect(!mail.html.contains("/_konfident/verify/"))
        #expect(mail.subject == (language == .en ? "Sign in to Acme with BankID" : "Logga in på Acme med BankID"))
        #expect(mail.text.contains("BankID"))
        #expect(linkLines(mail.text) == [fixture.workspace.url.description])
    }

    @Test(arguments: [Language.en, Language.sv])
    func aTwoFactorMemberOverAnSMSLimitGetsAMailThatSaysSo(language: Language) throws {
        let fixture = try DeliveryFixture()
        try fixture.member("cilla@example.se", method: .twoFactor, phone: "+46701234567")
        let policy = try RateLimitPolicy(parsing: "sms=1/10min")
        try fixture.startSignIn("cilla@example.se", language: language, policy: policy)
        try fixture.startSignIn("cilla@example.se", language: language, policy: policy, at: Self.now + 1)
        let queued = try fixture.claimAll(at: Self.now + 1)
        #expect(queued.map(\.kind) == ["sign-in-link", "sign-in-link", "sms-limited"])
        let message = try #require(queued.last)
        let mail = try #require(try fixture.composer.compose(message, store: fixture.store, now: Self.now + 1,
                                                             messageID: Self.messageID).mail)
        #expect(mail.to == "cilla@example.se")
        #expect(mail.subject == (language == .en ? "Sign in to Acme: try again later" : "Logga in på Acme: försök igen senare"))
        #expect(mail.text.contains(language == .en ? "too many text messages have been sent lately" : "för många sms har skickats"))
        #expect(!mail.text.contains("/_konfident/verify/"))
        #expect(!mail.html.contains("/_konfident/verify/"))
        #expect(linkLines(mail.text) == [fixture.workspace.url.description])
        #expect(mail.html.contains("<html lang=\"\(language.rawValue)\">"))
    }

    @Test func nonMemberGetsNoMessage() throws {
        let fixture = try DeliveryFixture()
        try fixture.startSignIn("stranger@example.se")
        #expect(try fixture.claimAll().isEmpty)
    }

    @Test(arguments: [Int64(600), 601, 86_400])
    func expiredAttemptIsDropped(after seconds: Int64) throws {
        let fixture = try DeliveryFixture()
        try fixture.member("anna@example.se")
        try fixture.startSignIn("anna@example.se")
        let message = try #require(try fixture.claimAll().first)
        let composition = try fixture.composer.compose(message, store: fixture.store, now: Self.now + seconds,
                                                       messageID: Self.messageID)
        #expect(composition.dropReason != nil)
        // One second before the end it is still sent.
        let before = try fixture.composer.compose(message, store: fixture.store, now: Self.now + 599, messageID: Self.messageID)
        #expect(before.mail != nil)
    }

    @Test func supersededAttemptIsDroppedAndTheNewOneSent() throws {
        let fixture = try DeliveryFixture()
        try fixture.member("anna@example.se")
        try fixture.startSignIn("anna@example.se")
        let second = try fixture.startSignIn("anna@example.se", at: Self.now + 30)
        let queued = try fixture.claimAll(at: Self.now + 30)
        #expect(queued.count == 2)
        let old = try fixture.composer.compose(queued[0], store: fixture.store, now: Self.now + 31, messageID: Self.messageID)
        #expect(old.dropReason?.contains("superseded") == true, "\(old)")
        let new = try #require(try fixture.composer.compose(queued[1], store: fixture.store, now: Self.now + 31,
                                                            messageID: Self.messageID).mail)
        try Self.checkLink(try #require(linkLines(new.text).first), fixture: fixture, attempt: second, channel: .email)
    }

    @Test func cancelledAttemptIsDropped() throws {
        let fixture = try DeliveryFixture()
        try fixture.member("anna@example.se")
        let attempt = try fixture.startSignIn("anna@example.se")
        try fixture.store.cancelAttempt(id: attempt.id)
        let message = try #require(try fixture.claimAll().first)
        let composition = try fixture.composer.compose(message, store: fixture.store, now: Self.now, messageID: Self.messageID)
        #expect(composition.dropReason != nil)
    }

    @Test(arguments: [("https://acme.localhost:8443/", "acme.localhost"), ("https://Example.ORG/teams/acme/", "example.org")])
    func twoFactorSignInSendsAnSMSWithTheLinkAndTheAutofillLine(url: String, host: String) throws {
        let fixture = try DeliveryFixture(url: url)
        try fixture.member("carl@example.se", method: .twoFactor, phone: "+46 (0)70-123 45 67")
        let attempt = try fixture.startSignIn("carl@example.se", language: .sv)
        let queued = try fixture.claimAll()
        #expect(queued.map(\.channel) == [.email, .sms])
        let smsMessage = try #require(queued.first { $0.channel == .sms })
        let sms = try #require(try fixture.composer.compose(smsMessage, store: fixture.store, now: Self.now,
                                                            messageID: Self.messageID).sms)
        #expect(sms.to == "+46701234567")
        let lines = lfLines(sms.text)
        let links = lines.filter { $0.hasPrefix("http") }
        #expect(links.count == 1, "\(sms.text)")
        try Self.checkLink(try #require(links.first), fixture: fixture, attempt: attempt, channel: .sms)
        // Origin-bound one-time code: the last line is `@host #code`, the code being the match code.
        let last = try #require(lines.last)
        #expect(last.wholeMatch(of: /@[a-z0-9.-]+ #\d\d[a-z]+/) != nil, "\(last)")
        #expect(last == "@\(host) #\(attempt.matchCode.replacingOccurrences(of: " ", with: ""))")
        #expect(lines.dropLast().last == "", "a blank line before the autofill line")
        #expect(lines.contains { $0.contains("Bekräfta identitet") })
        // The email link of the same attempt is a different token for the other channel.
        let mailMessage = try #require(queued.first { $0.channel == .email })
        let mail = try #require(try fixture.composer.compose(mailMessage, store: fixture.store, now: Self.now,
                                                             messageID: Self.messageID).mail)
        let mailLink = try #require(linkLines(mail.text).first)
        try Self.checkLink(mailLink, fixture: fixture, attempt: attempt, channel: .email)
        #expect(mailLink != links.first)
    }

    /// The sign-in mail from its cut template is the mail `SignInMail` writes, for any workspace
    /// name, lifetime and link (the cache is keyed by the first three; the link changes per mail).
    @Test func signInMailFromItsTemplateIsTheMailItself() {
        let templates = SignInMailTemplates()
        let names = ["Acme", "Tom & Jerry <AB> \"Q\" 'x'", "Åkesson Bygg", "a\u{301}\u{1F600}"]
        let links = ["https://acme.localhost:8443/_konfident/verify/1.abc", "https://x.example/?a=1&b=<2>\"'",
                     "https://x.example/\u{0}split"]
        for language in Language.allCases {
            for name in names {
                for minutes: Int64 in [1, 10] {
                    for link in links + links {
                        let cached = templates.mail(language: language, workspace: name, link: link, minutes: minutes)
                        let direct = SignInMail(language: language, workspace: name, link: link, minutes: minutes)
                        #expect(cached.subject == direct.subject)
                        #expect(cached.text == direct.text)
                        #expect(cached.html == direct.html)
                    }
                }
            }
        }
    }
}
