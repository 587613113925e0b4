import ArgumentParser
import BankID
import Delivery
import Foundation
import KonfidentCore
import KonfidentStore
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
    @Option(help: "How long attempts, sent messages and BankID orders are kept, e.g. 30d (KONFIDENT_RETENTION)")
    var retention: String?
    @Option(name: .customLong("audit-retention"), help: "How long audit entries are kept, e.g. 365d, or keep (KONFIDENT_AUDIT_RETENTION)")
    var auditRetention: String?
    @Option(name: .customLong("secret-file"), help: "Server key file (KONFIDENT_SECRET_FILE, default: database path + .key)")
    var secretFile: String?
    @Option(name: .customLong("bankid"), help: "simulator, or the BankID RP API base URL ending in /rp/v6.0/ (KONFIDENT_BANKID)")
    var bankID: String?
    @Option(name: .customLong("bankid-cert"), help: "The relying party's client certificate, PEM (KONFIDENT_BANKID_CERT)")
    var bankIDCert: String?
    @Option(name: .customLong("bankid-key"), help: "Its private key, PEM (KONFIDENT_BANKID_KEY)")
    var bankIDKey: String?
    @Option(name: .customLong("bankid-ca"), help: "The CA of the BankID server's certificate, PEM (KONFIDENT_BANKID_CA)")
    var bankIDCA: String?
    @Option(name: .customLong("bankid-simulator"), help: "With --bankid simulator: the simulator's RP base URL (KONFIDENT_BANKID_SIMULATOR, default https://localhost:8444/rp/v6.0/)")
    var bankIDSimulator: String?
    @Option(name: .customLong("bankid-simulator-app"), help: "With --bankid simulator: its phone app page (KONFIDENT_BANKID_SIMULATOR_APP, default https://localhost:8445/app)")
    var bankIDSimulatorApp: String?
    @Option(name: .customLong("log-level"), help: "trace|debug|info|notice|warning|error|critical (KONFIDENT_LOG_LEVEL)")
    var logLevel: String?

    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> Configuration {
        try Configuration(flags: values, environment: environment)
    }

    var values: ConfigurationFlags {
        ConfigurationFlags(database: database, mail: mail, mailFrom: mailFrom, sms: sms, rateLimits: rateLimits,
                           linkTTL: linkTTL, invitationTTL: invitationTTL, sessionIdle: sessionIdle,
                           sessionMax: sessionMax, retention: retention, auditRetention: auditRetention,
                           secretFile: secretFile, logLevel: logLevel, bankID: bankID,
                           bankIDCert: bankIDCert, bankIDKey: bankIDKey, bankIDCA: bankIDCA,
                           bankIDSimulator: bankIDSimulator, bankIDSimulatorApp: bankIDSimulatorApp)
    }
}

/// The flags' values, plain: CGI mode has no command line and skips the argument parser,
/// whose set-up would cost a good part of a CGI request.
struct ConfigurationFlags {
    var database, mail, mailFrom, sms, rateLimits, linkTTL, invitationTTL, sessionIdle, sessionMax, retention,
        auditRetention, secretFile, logLevel: String?
    var bankID, bankIDCert, bankIDKey, bankIDCA, bankIDSimulator, bankIDSimulatorApp: String?
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
    /// What the delivery worker deletes, and when (`KONFIDENT_RETENTION`, `_AUDIT_RETENTION`).
    var retention: Retention
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
        // Plain http:// only to a gateway on this machine (a development sink, or a local relay
        // that speaks TLS onwards): the text carries a sign-in link and the request the password.
        guard sms.hasPrefix("file:") || sms.hasPrefix("https://") || (sms.hasPrefix("http://") && Self.isLoopback(url: sms)) else {
            throw ConfigurationError(description: "KONFIDENT_SMS: expected file:PATH, the gateway's https:// URL, or http:// to this machine only (got '\(sms)')")
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
        if let bankID = value(options.bankID, "KONFIDENT_BANKID") {
            settings.bankID = try Self.bankID(bankID, options, value)
        }
        self.settings = settings
        retention = try Self.retention(settings, records: value(options.retention, "KONFIDENT_RETENTION"),
                                       audit: value(options.auditRetention, "KONFIDENT_AUDIT_RETENTION"), duration)
        let level = value(options.logLevel, "KONFIDENT_LOG_LEVEL") ?? "info"
        guard let parsed = Logger.Level(rawValue: level) else {
            throw ConfigurationError(description: "KONFIDENT_LOG_LEVEL: expected trace, debug, info, notice, warning, error or critical (got '\(level)')")
        }
        logLevel = parsed
    }

    /// `Retention` from `KONFIDENT_RETENTION` (at least a day; stretched to twice the link lifetime,
    /// so that an attempt outlives its link) and `KONFIDENT_AUDIT_RETENTION` (`keep`, the default, or
    /// at least a day). Rate-limit windows are kept while the longest limit counts them.
    private static func retention(_ settings: Settings, records text: String?, audit: String?,
                                  _ duration: (String?, String, Int64) throws(ConfigurationError) -> Int64)
        throws(ConfigurationError) -> Retention {
        let records = try duration(text, "KONFIDENT_RETENTION", Retention().records)
        guard records >= 86_400 else {
            throw ConfigurationError(description: "KONFIDENT_RETENTION: at least 1d (got '\(text ?? "")')")
        }
        var retention = Retention(records: max(records, 2 * settings.linkLifetime))
        retention.rateLimitWindow = settings.rateLimits.limits.values.map(\.windowSeconds).max() ?? 0
        if let audit, audit != "keep" {
            let seconds = try duration(audit, "KONFIDENT_AUDIT_RETENTION", 0)
            guard seconds >= 86_400 else {
                throw ConfigurationError(description: "KONFIDENT_AUDIT_RETENTION: keep, or at least 1d (got '\(audit)')")
            }
            retention.audit = seconds
        }
        return retention
    }

    /// Whether an `http://` URL names this machine: `localhost`, `127.0.0.0/8` or `[::1]`.
    static func isLoopback(url: String) -> Bool {
        guard let host = URLComponents(string: url)?.host?.lowercased() else { return false }
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// `KONFIDENT_BANKID`: `simulator` (the RP URL and the phone app page of `konfident
    /// bankid-simulator` behind nginx, `KONFIDENT_BANKID_SIMULATOR` and `_SIMULATOR_APP`) or the
    /// service's base URL; either way over mutual TLS with `_CERT`, `_KEY` and `_CA`.
    private static func bankID(_ text: String, _ options: ConfigurationFlags,
                               _ value: (String?, String) -> String?) throws(ConfigurationError) -> BankIDSettings {
        var url = text
        var simulatorApp: String? = nil
        if text == "simulator" {
            url = value(options.bankIDSimulator, "KONFIDENT_BANKID_SIMULATOR") ?? "https://localhost:8444/rp/v6.0/"
            simulatorApp = value(options.bankIDSimulatorApp, "KONFIDENT_BANKID_SIMULATOR_APP") ?? "https://localhost:8445/app"
            guard simulatorApp!.hasPrefix("https://") else {
                throw ConfigurationError(description: "KONFIDENT_BANKID_SIMULATOR_APP: expected an https:// URL (got '\(simulatorApp!)')")
            }
        }
        let variable = text == "simulator" ? "KONFIDENT_BANKID_SIMULATOR" : "KONFIDENT_BANKID"
        guard url.hasPrefix("https://"), url.hasSuffix("/rp/v6.0/"), !url.contains(where: { $0 == " " || $0 == "\n" }) else {
            throw ConfigurationError(description: "\(variable): expected simulator or the RP API's https:// URL ending in /rp/v6.0/ (got '\(url)')")
        }
        var files: [String] = []
        for (flag, name, what) in [(options.bankIDCert, "KONFIDENT_BANKID_CERT", "the client certificate"),
                                   (options.bankIDKey, "KONFIDENT_BANKID_KEY", "its private key"),
                                   (options.bankIDCA, "KONFIDENT_BANKID_CA", "the CA of the BankID server")] {
            guard let path = value(flag, name) else {
                throw ConfigurationError(description: "\(name): BankID needs \(what) as a PEM file")
            }
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ConfigurationError(description: "\(name): cannot read \(path)")
            }
            files.append(path)
        }
        let client = RPClient(baseURL: url, certificate: files[0], key: files[1], ca: files[2], timeout: 10, connectTimeout: 5)
        return BankIDSettings(service: PausingRelyingParty(client), simulatorApp: simulatorApp)
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
