import ArgumentParser
import Delivery
import Foundation
import KonfidentCore
import KonfidentWeb
import Logging

/// The configuration of DESIGN §3: each setting an environment variable and a flag of the same
/// meaning. A bad value stops start-up with one line that names the variable.
struct ConfigurationOptions: ParsableArguments {
    @Option(help: "SQLite database (KONFIDENT_DATABASE, default var/konfident.sqlite3)")
    var database: String?
    @Option(help: "maildir:PATH | smtp://[user:pass@]host[:port] | smtps://… | sendmail:/path (KONFIDENT_MAIL)")
    var mail: String?
    @Option(name: .customLong("mail-from"), help: "From address of messages (KONFIDENT_MAIL_FROM)")
    var mailFrom: String?
    @Option(help: "file:PATH or the SMS gateway's endpoint URL (KONFIDENT_SMS)")
    var sms: String?
    @Option(name: .customLong("rate-limits"), help: "e.g. ip=60/min,member=5/10min,sms=3/10min, or off (KONFIDENT_RATE_LIMITS)")
    var rateLimits: String?
    @Option(name: .customLong("link-ttl"), help: "Lifetime of email/SMS links, e.g. 10m (KONFIDENT_LINK_TTL)")
    var linkTTL: String?
    @Option(name: .customLong("invitation-ttl"), help: "Lifetime of invitations, e.g. 7d (KONFIDENT_INVITATION_TTL)")
    var invitationTTL: String?
    @Option(name: .customLong("session-idle"), help: "Idle timeout of sessions, e.g. 30m (KONFIDENT_SESSION_IDLE)")
    var sessionIdle: String?
    @Option(name: .customLong("session-max"), help: "Absolute lifetime of sessions, e.g. 12h (KONFIDENT_SESSION_MAX)")
    var sessionMax: String?
    @Option(name: .customLong("secret-file"), help: "Server key file (KONFIDENT_SECRET_FILE, default: database path + .key)")
    var secretFile: String?
    @Option(name: .customLong("log-level"), help: "trace|debug|info|notice|warning|error|critical (KONFIDENT_LOG_LEVEL)")
    var logLevel: String?

    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> Configuration {
        try Configuration(flags: values, environment: environment)
    }

    var values: ConfigurationFlags {
        ConfigurationFlags(database: database, mail: mail, mailFrom: mailFrom, sms: sms, rateLimits: rateLimits,
                           linkTTL: linkTTL, invitationTTL: invitationTTL, sessionIdle: sessionIdle,
                           sessionMax: sessionMax, secretFile: secretFile, logLevel: logLevel)
    }
}

/// The flags' values, plain: CGI mode has no command line and skips the argument parser,
/// whose set-up would cost a good part of a CGI request.
struct ConfigurationFlags {
    var database, mail, mailFrom, sms, rateLimits, linkTTL, invitationTTL, sessionIdle, sessionMax, secretFile,
        logLevel: String?
}

struct ConfigurationError: Error, CustomStringConvertible {
    let description: String
}

/// The resolved configuration.
struct Configuration {
    var databasePath: String
    var secretFilePath: String
    var mail: String
    var mailFrom: String
    var sms: String
    var smsUser: String?
    var smsPassword: String?
    var smsFrom: String
    var settings: Settings
    var logLevel: Logger.Level

    init(flags options: ConfigurationFlags, environment: [String: String]) throws(ConfigurationError) {
        func value(_ flag: String?, _ variable: String) -> String? {
            if let flag { return flag }
            if let text = environment[variable], !text.isEmpty { return text }
            return nil
        }
        func duration(_ flag: String?, _ variable: String, default fallback: Int64) throws(ConfigurationError) -> Int64 {
            guard let text = value(flag, variable) else { return fallback }
            do {
                return try ConfigDuration(parsing: text).seconds
            } catch {
                throw ConfigurationError(description: "\(variable): \(error.message) (got '\(text)'; use e.g. 90s, 10m, 12h, 7d)")
            }
        }
        databasePath = value(options.database, "KONFIDENT_DATABASE") ?? "var/konfident.sqlite3"
        secretFilePath = value(options.secretFile, "KONFIDENT_SECRET_FILE") ?? databasePath + ".key"
        mail = value(options.mail, "KONFIDENT_MAIL") ?? "maildir:var/mail"
        guard mail.hasPrefix("maildir:") || mail.hasPrefix("smtp://") || mail.hasPrefix("smtps://") || mail.hasPrefix("sendmail:") else {
            throw ConfigurationError(description: "KONFIDENT_MAIL: expected maildir:PATH, smtp://…, smtps://… or sendmail:/path (got '\(mail)')")
        }
        mailFrom = value(options.mailFrom, "KONFIDENT_MAIL_FROM") ?? "KONFIDENT <noreply@konfident.localhost>"
        guard (try? EmailAddress(parsing: MailFromAddress.bare(mailFrom))) != nil else {
            throw ConfigurationError(description: "KONFIDENT_MAIL_FROM: not an email address (got '\(mailFrom)')")
        }
        sms = value(options.sms, "KONFIDENT_SMS") ?? "file:var/sms.jsonl"
        guard sms.hasPrefix("file:") || sms.hasPrefix("https://") || sms.hasPrefix("http://") else {
            throw ConfigurationError(description: "KONFIDENT_SMS: expected file:PATH or the gateway's https:// URL (got '\(sms)')")
        }
        // BankID sign-in is not wired into the pages yet: a configured BankID must not be ignored silently.
        if let bankID = environment["KONFIDENT_BANKID"], !bankID.isEmpty {
            throw ConfigurationError(description: "KONFIDENT_BANKID: BankID sign-in is not available in this version; unset it (got '\(bankID)')")
        }
        smsUser = environment["KONFIDENT_SMS_USER"]
        smsPassword = environment["KONFIDENT_SMS_PASSWORD"]
        smsFrom = environment["KONFIDENT_SMS_FROM"] ?? "KONFIDENT"
        var settings = Settings()
        if let text = value(options.rateLimits, "KONFIDENT_RATE_LIMITS") {
            do {
                settings.rateLimits = try RateLimitPolicy(parsing: text)
            } catch {
                throw ConfigurationError(description: "KONFIDENT_RATE_LIMITS: \(error.message) (got '\(text)')")
            }
        }
        settings.linkLifetime = try duration(options.linkTTL, "KONFIDENT_LINK_TTL", default: 600)
        settings.invitationLifetime = try duration(options.invitationTTL, "KONFIDENT_INVITATION_TTL", default: 7 * 86_400)
        settings.sessionIdle = try duration(options.sessionIdle, "KONFIDENT_SESSION_IDLE", default: 1_800)
        settings.sessionMaximum = try duration(options.sessionMax, "KONFIDENT_SESSION_MAX", default: 43_200)
        self.settings = settings
        let level = value(options.logLevel, "KONFIDENT_LOG_LEVEL") ?? "info"
        guard let parsed = Logger.Level(rawValue: level) else {
            throw ConfigurationError(description: "KONFIDENT_LOG_LEVEL: expected trace, debug, info, notice, warning, error or critical (got '\(level)')")
        }
        logLevel = parsed
    }

    func mailTransport() throws(ConfigurationError) -> any MailTransport {
        do {
            if mail.hasPrefix("maildir:") { return try MaildirTransport(path: String(mail.dropFirst(8))) }
            if mail.hasPrefix("sendmail:") { return SendmailTransport(executable: String(mail.dropFirst(9))) }
            return try SMTPTransport(url: mail)
        } catch {
            throw ConfigurationError(description: "KONFIDENT_MAIL: \(error)")
        }
    }

    func smsTransport() throws(ConfigurationError) -> any SMSTransport {
        if sms.hasPrefix("file:") { return FileSMSTransport(path: String(sms.dropFirst(5))) }
        guard let user = smsUser, !user.isEmpty, let password = smsPassword, !password.isEmpty else {
            throw ConfigurationError(description: "KONFIDENT_SMS_USER and KONFIDENT_SMS_PASSWORD: the SMS gateway \(sms) needs both")
        }
        return HTTPSMSTransport(url: sms, user: user, password: password, from: smsFrom)
    }
}

enum MailFromAddress {
    static func bare(_ text: String) -> String {
        if let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
            return String(text[text.index(after: open)..<close])
        }
        return text
    }
}
