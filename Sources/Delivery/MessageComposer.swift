import Foundation
import KonfidentCore
import KonfidentStore
import Synchronization

/// Renders a queued message at delivery time. The link token is derived here, from the
/// attempt's id and nonce under the server key: it never exists in the database.
public struct MessageComposer: Sendable {
    public let key: ServerKey
    public let mailFrom: String
    /// The sign-in mail of each language, workspace name and lifetime, cut where the link goes.
    private let signInMails = SignInMailTemplates()

    public init(key: ServerKey, mailFrom: String) {
        self.key = key
        self.mailFrom = mailFrom
    }

    /// What to send, or why not to send it at all.
    public enum Composition: Sendable {
        case mail(MailMessage)
        case sms(to: String, text: String)
        case drop(reason: String)
    }

    public func compose(_ message: OutboxMessage, store: Store, now: Int64, messageID: String) throws -> Composition {
        guard let workspace = try store.workspace(id: message.workspaceID, at: now) else { return .drop(reason: "workspace gone") }
        let kind = MessageKind(rawValue: message.kind)
        switch kind {
        case .signInLink:
            // Read by the claim with the message (messages come from the claim only): none, when
            // the attempt was gone by then.
            guard let id = message.subjectID, let stored = message.signInAttempt else { return .drop(reason: "attempt gone") }
            guard stored.attempt.status(at: now) == .pending else {
                return .drop(reason: "attempt \(stored.attempt.status(at: now).rawValue)")
            }
            let token = key.linkToken(purpose: .signIn, id: id, nonce: stored.nonce, channel: message.channel)
            let link = workspace.url.link("/_konfident/verify/" + SplitToken(id: id, secret: token).text)
            let minutes = max(1, (stored.attempt.expiresAt - stored.attempt.createdAt) / 60)
            switch message.channel {
            case .email:
                let texts = signInMails.mail(language: message.language, workspace: workspace.name, link: link,
                                             minutes: minutes)
                return .mail(mail(to: message.recipient, subject: texts.subject, text: texts.text, html: texts.html,
                                  now: now, messageID: messageID))
            case .sms:
                let text = SignInSMS.text(language: message.language, workspace: workspace.name, link: link,
                                          host: workspace.url.host, matchCode: stored.matchCode)
                return .sms(to: message.recipient, text: text)
            }
        case .useBankID, .smsLimited:
            let texts = NoticeMail(kind == .useBankID ? .useBankID : .smsLimited, language: message.language,
                                   workspace: workspace.name, link: workspace.url.description)
            return .mail(mail(to: message.recipient, subject: texts.subject, text: texts.text, html: texts.html,
                              now: now, messageID: messageID))
        case .invitationMail, .invitationSMS:
            guard let id = message.subjectID, let stored = try store.invitation(id: id) else {
                return .drop(reason: "invitation gone")
            }
            let status = stored.invitation.status(at: now)
            guard status == .pending else { return .drop(reason: "invitation \(status.rawValue)") }
            let token = key.linkToken(purpose: .invitation, id: id, nonce: stored.nonce, channel: message.channel)
            let link = workspace.url.link("/_konfident/invitation/" + token)
            if message.channel == .sms {
                let text = InvitationSMS.text(language: message.language, workspace: workspace.name, link: link,
                                              host: workspace.url.host, matchCode: stored.matchCode)
                return .sms(to: message.recipient, text: text)
            }
            let inviter = try stored.invitedBy.flatMap { try store.member(id: $0) }?.displayName
            let days = max(1, (stored.invitation.expiresAt - stored.invitation.createdAt + 3_599) / 86_400)
            let method = try store.member(id: stored.memberID)?.method ?? .email
            let texts = InvitationMail(language: message.language, workspace: workspace.name, inviter: inviter,
                                       method: method, link: link, days: days)
            return .mail(mail(to: message.recipient, subject: texts.subject, text: texts.text, html: texts.html,
                              now: now, messageID: messageID))
        case nil:
            return .drop(reason: "unknown message kind \(message.kind)")
        }
    }

    private func mail(to: String, subject: String, text: String, html: String, now: Int64, messageID: String) -> MailMessage {
        MailMessage(from: mailFrom, to: to, subject: subject, text: text, html: html, messageID: messageID, date: now)
    }
}


/// The HTML part's frame: simple, readable in every mail client, no external images.
func mailHTML(language: Language, paragraphs: [String], link: String, button: String, after: [String]) -> String {
    let before = paragraphs.map { "<p>\(HTMLText.escaped($0))</p>" }.joined(separator: "\n")
    let rest = after.map { "<p style=\"color:#555\">\(HTMLText.escaped($0))</p>" }.joined(separator: "\n")
    return """
        <!doctype html>
        <html lang="\(language.rawValue)"><head><meta charset="utf-8"><title>KONFIDENT</title></head>
        <body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;line-height:1.5;color:#1a1a1a">
        \(before)
        <p><a href="\(HTMLText.escaped(link))" style="display:inline-block;padding:10px 18px;background:#2f55c8;color:#fff;border-radius:6px;text-decoration:none">\(HTMLText.escaped(button))</a></p>
        <p style="font-size:13px;color:#555">\(HTMLText.escaped(link))</p>
        \(rest)
        </body></html>
        """
}

struct SignInMail {
    let subject: String
    let text: String
    let html: String

    init(language: Language, workspace: String, link: String, minutes: Int64) {
        let greeting, intro, validity, ignore, button: String
        switch language {
        case .en:
            subject = "Sign in to \(workspace)"
            greeting = "Hello,"
            intro = "someone asked to sign in to \(workspace) with this email address. If it was you, open this link and press Verify Identity:"
            validity = "The link works once, for \(minutes) minutes. The page it opens shows a code: check that it is the same as in the window where you asked to sign in."
            ignore = "If it was not you, ignore this message. Nobody can sign in without the link."
            button = "Open the sign-in link"
        case .sv:
            subject = "Logga in på \(workspace)"
            greeting = "Hej,"
            intro = "någon har bett om att logga in på \(workspace) med den här e-postadressen. Om det var du, öppna länken och tryck på Bekräfta identitet:"
            validity = "Länken fungerar en gång, i \(minutes) minuter. Sidan den öppnar visar en kod: kontrollera att den är samma som i fönstret där du bad om att logga in."
            ignore = "Om det inte var du kan du bortse från meddelandet. Ingen kan logga in utan länken."
            button = "Öppna inloggningslänken"
        }
        text = "\(greeting)\n\n\(intro)\n\n\(link)\n\n\(validity)\n\n\(ignore)\n\n-- \nKONFIDENT\n"
        html = mailHTML(language: language, paragraphs: [greeting, intro], link: link, button: button, after: [validity, ignore])
    }

    init(subject: String, text: String, html: String) {
        self.subject = subject
        self.text = text
        self.html = html
    }
}

/// `SignInMail` rendered once per language, workspace name and lifetime, with a mark where the link
/// goes, and cut there: a mail then costs its link and two joins instead of the texts built, escaped
/// and copied again for every message (under a burst of sign-ins they were a tenth of the worker's
/// instructions). What the mail says stays `SignInMail`'s.
final class SignInMailTemplates: Sendable {
    private struct Key: Hashable {
        let language: Language
        let workspace: String
        let minutes: Int64
    }

    private struct Template {
        let subject: String
        /// The text and the HTML cut at the link.
        let text: [String]
        let html: [String]
    }

    /// A NUL never comes in a workspace's name (a command-line argument), in the mail's words or
    /// in an escaped text.
    private static let mark = "\u{0}link\u{0}"
    private let templates = Mutex<[Key: Template]>([:])

    func mail(language: Language, workspace: String, link: String, minutes: Int64) -> SignInMail {
        let key = Key(language: language, workspace: workspace, minutes: minutes)
        let template = templates.withLock { cached in
            if let found = cached[key] { return found }
            let marked = SignInMail(language: language, workspace: workspace, link: Self.mark, minutes: minutes)
            let made = Template(subject: marked.subject, text: marked.text.components(separatedBy: Self.mark),
                                html: marked.html.components(separatedBy: HTMLText.escaped(Self.mark)))
            cached[key] = made
            return made
        }
        return SignInMail(subject: template.subject, text: template.text.joined(separator: link),
                          html: template.html.joined(separator: HTMLText.escaped(link)))
    }
}

/// A mail about a Next that sends no link, with the workspace's address on a line of its own.
struct NoticeMail {
    enum Reason {
        /// The member signs in with BankID, not by email.
        case useBankID
        /// A 2FA member's Next came over an SMS limit: no SMS was sent, so that sign-in cannot
        /// complete; try again later. The visitor's waiting page does not say so (it would tell
        /// who is a 2FA member): only the member's mailbox does.
        case smsLimited
    }

    let subject: String
    let text: String
    let html: String

    init(_ reason: Reason, language: Language, workspace: String, link: String) {
        let intro, how, ignore: String
        switch (reason, language) {
        case (.useBankID, .en):
            subject = "Sign in to \(workspace) with BankID"
            intro = "Someone asked to sign in to \(workspace) with this email address. Your membership signs in with BankID, not by email."
            how = "Open the workspace and choose Log in with BankID:"
            ignore = "If it was not you, ignore this message."
        case (.useBankID, .sv):
            subject = "Logga in på \(workspace) med BankID"
            intro = "Någon har bett om att logga in på \(workspace) med den här e-postadressen. Ditt medlemskap loggar in med BankID, inte med e-post."
            how = "Öppna arbetsytan och välj Logga in med BankID:"
            ignore = "Om det inte var du kan du bortse från meddelandet."
        case (.smsLimited, .en):
            subject = "Sign in to \(workspace): try again later"
            intro = "Someone asked to sign in to \(workspace) with this email address. Your sign-in needs a link by text message as well, and too many text messages have been sent lately, so none was sent this time and that sign-in cannot be completed."
            how = "Please try again later from the login page:"
            ignore = "If it was not you, ignore this message. Nobody can sign in without both links."
        case (.smsLimited, .sv):
            subject = "Logga in på \(workspace): försök igen senare"
            intro = "Någon har bett om att logga in på \(workspace) med den här e-postadressen. Din inloggning behöver också en länk i ett sms, och för många sms har skickats den senaste tiden, så inget skickades den här gången och den inloggningen kan inte slutföras."
            how = "Försök igen senare från inloggningssidan:"
            ignore = "Om det inte var du kan du bortse från meddelandet. Ingen kan logga in utan båda länkarna."
        }
        let button = language == .en ? "Open \(workspace)" : "Öppna \(workspace)"
        text = "\(intro)\n\n\(how)\n\n\(link)\n\n\(ignore)\n\n-- \nKONFIDENT\n"
        html = mailHTML(language: language, paragraphs: [intro, how], link: link, button: button, after: [ignore])
    }
}

/// An SMS: short, the link on a line of its own, and the origin-bound last line that phones
/// use to offer the code for autofill (`@host #code`).
enum SignInSMS {
    static func text(language: Language, workspace: String, link: String, host: String, matchCode: String) -> String {
        let intro = switch language {
        case .en: "Sign in to \(workspace): open the link and press Verify Identity."
        case .sv: "Logga in på \(workspace): öppna länken och tryck på Bekräfta identitet."
        }
        let code = matchCode.filter { $0 != " " }
        return "\(intro)\n\(link)\n\n@\(host) #\(code)"
    }
}

struct InvitationMail {
    let subject: String
    let text: String
    let html: String

    init(language: Language, workspace: String, inviter: String?, method: LoginMethod, link: String, days: Int64) {
        let intro, how, validity, ignore, button: String
        switch language {
        case .en:
            subject = "You are invited to \(workspace)"
            intro = "\(inviter ?? "An administrator") invited you to the KONFIDENT workspace \(workspace)."
            how = method == .twoFactor
                ? "Open this link and press Accept invitation. We then send a second link to your mobile phone:"
                : "Open this link and press Accept invitation:"
            validity = "The invitation works once, for \(days) days."
            ignore = "If you did not expect this, ignore this message."
            button = "Accept the invitation"
        case .sv:
            subject = "Du är inbjuden till \(workspace)"
            intro = "\(inviter ?? "En administratör") har bjudit in dig till KONFIDENT-arbetsytan \(workspace)."
            how = method == .twoFactor
                ? "Öppna länken och tryck på Acceptera inbjudan. Sedan skickar vi en andra länk till din mobil:"
                : "Öppna länken och tryck på Acceptera inbjudan:"
            validity = "Inbjudan fungerar en gång, i \(days) dagar."
            ignore = "Om du inte väntade dig detta kan du bortse från meddelandet."
            button = "Acceptera inbjudan"
        }
        text = "\(intro)\n\n\(how)\n\n\(link)\n\n\(validity) \(ignore)\n\n-- \nKONFIDENT\n"
        html = mailHTML(language: language, paragraphs: [intro, how], link: link, button: button, after: [validity, ignore])
    }
}

/// The SMS link of a 2FA invitation, with the autofill line.
enum InvitationSMS {
    static func text(language: Language, workspace: String, link: String, host: String, matchCode: String) -> String {
        let intro = switch language {
        case .en: "Confirm your mobile number for \(workspace): open the link."
        case .sv: "Bekräfta ditt mobilnummer för \(workspace): öppna länken."
        }
        let code = matchCode.filter { $0 != " " }
        return "\(intro)\n\(link)\n\n@\(host) #\(code)"
    }
}
