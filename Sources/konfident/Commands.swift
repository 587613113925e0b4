import Delivery
import ArgumentParser
import Foundation
import KonfidentCore
import KonfidentStore

/// `konfident migrate`: creates or updates the database and makes the server key file.
struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or update the database schema and the server key file.")
    @OptionGroup var options: ConfigurationOptions

    func run() throws {
        let configuration: Configuration
        do { configuration = try options.resolve() } catch { fail(error.description) }
        let folder = (configuration.databasePath as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        do {
            let store = try Store(path: configuration.databasePath)
            do {
                try store.checkSchema()
            } catch StoreError.schemaTooNew {
                fail(StoreError.schemaTooNew(path: configuration.databasePath).description)
            } catch {}
            try store.migrate()
            try SecretFile.create(at: configuration.secretFilePath)
        } catch { fail("\(error)") }
        print("database \(configuration.databasePath) is up to date; server key in \(configuration.secretFilePath)")
    }
}

/// `konfident workspace create SLUG --name NAME [--url URL]`.
struct WorkspaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "workspace", abstract: "Manage workspaces.",
                                                    subcommands: [Create.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a workspace.")
        @Argument(help: "Short name: lowercase letters, digits and hyphens")
        var slug: String
        @Option(help: "Display name")
        var name: String
        @Option(help: "The workspace's address (default https://SLUG.localhost:8443/)")
        var url: String?
        @OptionGroup var options: ConfigurationOptions

        func run() throws {
            guard (1...63).contains(slug.utf8.count),
                  slug.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }),
                  !slug.hasPrefix("-"), !slug.hasSuffix("-")
            else { fail("SLUG: use 1–63 lowercase letters, digits and hyphens (got '\(slug)')") }
            let trimmedName = name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmedName.isEmpty, trimmedName.count <= 100,
                  !trimmedName.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else { fail("--name: give a display name of 1–100 characters") }
            let workspaceURL: WorkspaceURL
            do { workspaceURL = try WorkspaceURL(parsing: url ?? "https://\(slug).localhost:8443/") } catch {
                guard case let .invalid(reason) = error else { fail("--url: invalid") }
                fail("--url: \(reason)")
            }
            let configuration: Configuration
            do { configuration = try options.resolve() } catch { fail(error.description) }
            do {
                let wiring = try Wiring(configuration, connections: .single)
                let now = SystemClock().now()
                let workspace = try wiring.store.createWorkspace(slug: slug, name: trimmedName, url: workspaceURL, at: now)
                try wiring.store.audit(.workspaceCreated, outcome: "ok", workspaceID: workspace.id, ip: nil, detail: slug, at: now)
                print("workspace \(workspace.slug) (\(workspace.name)) at \(workspace.url)")
            } catch { fail("\(error)") }
        }
    }
}

/// The options shared by `member add` and `member invite`.
struct MemberOptions: ParsableArguments {
    @Argument(help: "The workspace's slug")
    var workspace: String
    @Option(help: "email | 2fa | bankid")
    var method: String
    @Option(help: "administrator | general | limited")
    var role: String
    @Option(help: "Email address")
    var email: String?
    @Option(help: "Mobile number in E.164 with country code, e.g. +46701234567")
    var phone: String?
    @Option(help: "Swedish personnummer, e.g. 19990807-2391")
    var personnummer: String?

    /// Validates every value; the first bad one stops with a line naming it.
    func newMember(today: CivilDate) -> NewMember {
        guard let method = LoginMethod(rawValue: method) else { fail("--method: expected email, 2fa or bankid (got '\(method)')") }
        guard let role = Role(rawValue: role) else { fail("--role: expected administrator, general or limited (got '\(role)')") }
        var email: EmailAddress? = nil
        if let text = self.email {
            do { email = try EmailAddress(parsing: text) } catch { fail("--email: not a valid email address (got '\(text)')") }
        }
        var phone: PhoneNumber? = nil
        if let text = self.phone {
            do { phone = try PhoneNumber(parsing: text) } catch {
                switch error {
                case .missingCountryCode: fail("--phone: add the country code, e.g. +46 70 123 45 67 (got '\(text)')")
                default: fail("--phone: not a mobile number in E.164 form like +46701234567 (got '\(text)')")
                }
            }
        }
        var personnummer: Personnummer? = nil
        if let text = self.personnummer {
            do { personnummer = try Personnummer(parsing: text, today: today) } catch {
                fail("--personnummer: not a valid personnummer (\(error)) (got '\(text)')")
            }
        }
        let member = NewMember(email: email, phone: phone, personnummer: personnummer, method: method, role: role)
        do { try member.validate() } catch { fail("--method \(method.rawValue): \(error.description)") }
        return member
    }
}

/// `konfident member add SLUG …`: a member who is active at once.
struct MemberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "member", abstract: "Manage members.",
                                                    subcommands: [Add.self, Invite.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a member who is active at once (no invitation).")
        @OptionGroup var member: MemberOptions
        @OptionGroup var options: ConfigurationOptions

        func run() throws {
            let new = member.newMember(today: Today.civilDate())
            let configuration: Configuration
            do { configuration = try options.resolve() } catch { fail(error.description) }
            do {
                let wiring = try Wiring(configuration, connections: .single)
                guard let workspace = try wiring.store.workspace(slug: member.workspace) else {
                    fail("SLUG: no workspace '\(member.workspace)'")
                }
                let now = SystemClock().now()
                let added = try wiring.store.addMember(new, to: workspace, at: now)
                try wiring.store.audit(.memberAdded, outcome: "active", workspaceID: workspace.id, memberID: added.id,
                                       ip: nil, detail: "command line", at: now)
                print("member \(added.displayName) (\(added.method.rawValue), \(added.role.rawValue)) is active in \(workspace.slug)")
            } catch { fail("\(error)") }
        }
    }
}

extension MemberCommand {
    /// `konfident member invite SLUG …`: records the invitation and queues its mail; `serve`'s
    /// worker (or `konfident deliver`) sends it.
    struct Invite: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Invite a member: they accept by the link sent to them.")
        @OptionGroup var member: MemberOptions
        @Option(help: "Language of the invitation: en or sv")
        var language: String = "en"
        @OptionGroup var options: ConfigurationOptions

        func run() throws {
            let new = member.newMember(today: Today.civilDate())
            guard let language = Language(rawValue: language) else { fail("--language: expected en or sv (got '\(language)')") }
            let configuration: Configuration
            do { configuration = try options.resolve() } catch { fail(error.description) }
            if new.method == .bankid && new.email != nil && !configuration.settings.bankIDConfigured {
                fail("--email: activating a BankID member by email needs BankID, which is not configured; invite by --personnummer only")
            }
            do {
                let wiring = try Wiring(configuration, connections: .single)
                guard let workspace = try wiring.store.workspace(slug: member.workspace) else {
                    fail("SLUG: no workspace '\(member.workspace)'")
                }
                let random = SystemRandom()
                let nonce = random.bytes(16)
                let request = InvitationRequest(workspace: workspace, member: new, invitedBy: nil,
                                                matchCode: MatchCode(randomBytes: random.bytes(3)), nonce: nonce,
                                                language: language, ip: nil, lifetime: configuration.settings.invitationLifetime)
                let (invited, invitation) = try wiring.store.invite(request, at: SystemClock().now()) { id, channel in
                    Secret.hash(wiring.key.linkToken(purpose: .invitation, id: id, nonce: nonce, channel: channel))
                }
                if invitation == nil {
                    print("member \(invited.displayName) is invited; the membership activates at the first BankID sign-in")
                } else {
                    print("member \(invited.displayName) is invited; the invitation is in the outbox")
                }
            } catch { fail("\(error)") }
        }
    }
}

/// `konfident deliver [--once]`: the outbox worker, for installations without `serve` (CGI + cron).
struct Deliver: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send the messages waiting in the outbox.")
    @Flag(help: "Send what is due now and exit (for cron)")
    var once = false
    @OptionGroup var options: ConfigurationOptions

    func run() throws {
        let configuration: Configuration
        do { configuration = try options.resolve() } catch { fail(error.description) }
        do {
            let wiring = try Wiring(configuration)
            let worker = try wiring.deliveryWorker()
            wiring.loadCurl()
            signal(SIGPIPE, SIG_IGN)
            if once {
                let count = worker.deliverDue()
                // Once an hour is the cron's to keep: each run looks, and one with nothing to
                // delete costs five short transactions.
                while worker.purgeIfDue(rounds: 100) {}
                print("\(count) message(s) handled")
                return
            }
            let signals = Service.takeSignals()
            Service.keepFreedMemory()
            worker.start()
            _ = Service.waitForStop(signals)
            worker.stop()
        } catch { fail("\(error)") }
    }
}

enum Today {
    /// Today's date in the server's time zone, for the century of 10-digit personnummer.
    static func civilDate() -> CivilDate {
        var time = time(nil)
        var parts = tm()
        localtime_r(&time, &parts)
        return CivilDate(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday))
    }
}
