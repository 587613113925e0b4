import Foundation
import GRDB
import KonfidentCore
@testable import KonfidentStore
import Testing

@Suite struct SchemaTests {
    @Test func aMigratedDatabasePassesTheCheck() throws {
        let fixture = try StoreFixture()
        try fixture.store.checkSchema()
        // Migrating again changes nothing.
        try fixture.store.migrate()
        try fixture.store.checkSchema()
    }

    @Test func anUnmigratedDatabaseIsRefused() throws {
        let fixture = try StoreFixture(migrate: false)
        #expect(throws: StoreError.schemaNotMigrated(path: fixture.path)) {
            try fixture.store.checkSchema()
        }
    }

    @Test func aPartlyMigratedDatabaseIsRefused() throws {
        let fixture = try StoreFixture(migrate: false)
        try Schema.migrator.migrate(fixture.store.pool, upTo: "v1 workspaces and members")
        #expect(throws: StoreError.schemaNotMigrated(path: fixture.path)) {
            try fixture.store.checkSchema()
        }
    }

    /// v5 rebuilt the attempts table, v7 dropped the indexes of the token hashes: the attempts stay,
    /// and a link finds its attempt by id and proves itself by its token.
    @Test func migrationsKeepTheAttemptsAndLinksFindThemByID() throws {
        let fixture = try StoreFixture(migrate: false)
        try Schema.migrator.migrate(fixture.store.pool, upTo: "v4 BankID orders")
        let token = Base64URL.encode(Array(repeating: 7, count: 32))
        let hash = Secret.hash(token).map { String(format: "%02x", $0) }.joined()
        try fixture.store.pool.write { db in
            try db.execute(sql: """
                INSERT INTO workspace (id, slug, name, url, host, path_prefix, created_at)
                VALUES (1, 'acme', 'Acme', 'https://acme.example/', 'acme.example', '', 0);
                INSERT INTO sign_in_attempt (id, workspace_id, browser_hash, match_code, nonce, email_token_hash,
                    required_channels, state, created_at, expires_at, ip, user_agent)
                VALUES (7, 1, x'01', '42 otter', x'02', x'\(hash)', 'email', 'pending', 0, 600, '192.0.2.1', 'test'),
                       (8, 1, x'03', '43 otter', x'04', NULL, '', 'pending', 0, 600, '192.0.2.1', 'test');
                """)
        }
        try fixture.store.migrate()
        try fixture.store.checkSchema()
        #expect(try fixture.count("SELECT COUNT(*) FROM sign_in_attempt") == 2)
        let found = try fixture.store.attempt(link: SplitToken(id: 7, secret: token), workspaceID: 1)
        #expect(found?.0.id == 7)
        #expect(found?.0.matchCode == "42 otter")
        #expect(found?.1 == .email)
        let other = Base64URL.encode(Array(repeating: 8, count: 32))
        #expect(try fixture.store.attempt(link: SplitToken(id: 7, secret: other), workspaceID: 1) == nil)
        #expect(try fixture.store.attempt(link: SplitToken(id: 8, secret: token), workspaceID: 1) == nil)
        #expect(try fixture.store.attempt(link: SplitToken(id: 7, secret: token), workspaceID: 2) == nil)
        #expect(try fixture.count("""
            SELECT COUNT(*) FROM sqlite_master WHERE name IN ('attempt_by_email_token', 'attempt_by_sms_token')
            """) == 0)
    }

    @Test func aDatabaseFromANewerVersionIsRefused() throws {
        let fixture = try StoreFixture()
        try fixture.store.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99 something from the future')")
        }
        #expect(throws: StoreError.schemaTooNew(path: fixture.path)) {
            try fixture.store.checkSchema()
        }
    }

    @Test func errorsSayWhatToDo() {
        #expect(StoreError.schemaNotMigrated(path: "/x.sqlite3").description.contains("konfident migrate"))
        #expect(StoreError.schemaTooNew(path: "/x.sqlite3").description.contains("newer version"))
    }
}

@Suite struct WorkspaceTests {
    @Test func createsAndFindsAWorkspace() throws {
        let fixture = try StoreFixture()
        let created = try fixture.workspace("acme", url: "HTTPS://Acme.Konfident.Example:443/")
        #expect(created.slug == "acme")
        #expect(created.name == "Acme")
        #expect(created.url.description == "https://acme.konfident.example/")
        #expect(try fixture.store.workspace(slug: "acme") == created)
        #expect(try fixture.store.workspace(id: created.id) == created)
        #expect(try fixture.store.workspace(slug: "other") == nil)
        #expect(try fixture.store.workspace(id: created.id + 1) == nil)
    }

    @Test func aDuplicateSlugIsRefused() throws {
        let fixture = try StoreFixture()
        _ = try fixture.workspace("acme")
        #expect(throws: StoreError.duplicate("workspace acme")) {
            _ = try fixture.workspace("acme", url: "https://other.example/")
        }
        #expect(try fixture.count("SELECT COUNT(*) FROM workspace") == 1)
    }

    @Test func resolvesByHostAndLongestPathPrefix() throws {
        let fixture = try StoreFixture()
        let root = try fixture.workspace("root", url: "https://host.example/")
        let team = try fixture.workspace("team", url: "https://host.example/team/")
        let deep = try fixture.workspace("deep", url: "https://host.example/team/deep")
        let other = try fixture.workspace("other", url: "https://other.example:8443/")

        func resolve(_ host: String, _ path: String) throws -> String? {
            try fixture.store.resolveWorkspace(host: host, path: path, at: 1).map { "\($0.0.slug) \($0.1)" }
        }
        #expect(try resolve("host.example", "/") == "root /")
        #expect(try resolve("host.example", "/login") == "root /login")
        #expect(try resolve("host.example", "/team") == "team /")
        #expect(try resolve("host.example", "/team/login") == "team /login")
        #expect(try resolve("host.example", "/teamwork") == "root /teamwork")
        #expect(try resolve("host.example", "/team/deep/verify/x") == "deep /verify/x")
        #expect(try resolve("host.example", "/team/deeper") == "team /deeper")
        #expect(try resolve("other.example", "/x") == "other /x")
        #expect(try resolve("unknown.example", "/") == nil)
        #expect(try resolve("", "/") == nil)
        _ = (root, team, deep, other)
    }

    @Test func aPrefixOnlyWorkspaceDoesNotCatchOtherPaths() throws {
        let fixture = try StoreFixture()
        _ = try fixture.workspace("team", url: "https://host.example/team")
        #expect(try fixture.store.resolveWorkspace(host: "host.example", path: "/other", at: 1) == nil)
        #expect(try fixture.store.resolveWorkspace(host: "host.example", path: "/team/x", at: 1)?.1 == "/x")
    }
}

@Suite struct MemberTests {
    @Test func addsAnActiveMember() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        let member = try fixture.member(workspace, email: "Anna.Berg@Example.SE", role: .administrator)
        #expect(member.workspaceID == workspace.id)
        #expect(member.email == "Anna.Berg@Example.SE")
        #expect(member.method == .email)
        #expect(member.role == .administrator)
        #expect(member.state == .active)
        #expect(member.createdAt == StoreFixture.now)
        #expect(member.lastSignInAt == nil)
        #expect(member.displayName == "Anna.Berg@Example.SE")
        #expect(try fixture.store.member(id: member.id) == member)
        #expect(try fixture.store.members(of: workspace) == [member])
    }

    @Test func aDuplicateEmailIsRefusedWithoutCase() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        try fixture.member(workspace, email: "anna@example.se")
        #expect(throws: StoreError.self) {
            try fixture.member(workspace, email: "ANNA@Example.SE")
        }
        do {
            try fixture.member(workspace, email: "Anna@example.se")
            Issue.record("a duplicate was added")
        } catch let error as StoreError {
            guard case .duplicate = error else { Issue.record("not a duplicate: \(error)"); return }
        }
        #expect(try fixture.store.members(of: workspace).count == 1)
    }

    @Test func theSameEmailMayBeAMemberOfAnotherWorkspace() throws {
        let fixture = try StoreFixture()
        let acme = try fixture.workspace("acme")
        let other = try fixture.workspace("other", url: "https://other.example/")
        try fixture.member(acme, email: "anna@example.se")
        let second = try fixture.member(other, email: "anna@example.se")
        #expect(second.workspaceID == other.id)
        #expect(try fixture.store.members(of: acme).count == 1)
        #expect(try fixture.store.members(of: other).count == 1)
    }

    @Test func twoFactorMembersKeepTheirNumberInE164() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        let member = try fixture.member(workspace, email: "b@example.se", method: .twoFactor, phone: "+46 (0)70-123 45 67")
        #expect(member.phone == "+46701234567")
        #expect(member.method == .twoFactor)
    }
}
