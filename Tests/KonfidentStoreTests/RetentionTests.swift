import Foundation
import GRDB
import KonfidentCore
@testable import KonfidentStore
import Testing

/// `Store.purge`: what is over and older than `Retention` says goes; what is recent, live or still
/// waiting to be sent stays; the audit log, members and workspaces stay.
@Suite struct RetentionTests {
    static let now = StoreFixture.now
    static let day: Int64 = 86_400
    static let old = now - 31 * day
    static let recent = now - 29 * day

    func sentMessages(_ fixture: StoreFixture, at time: Int64) throws {
        let claimed = try fixture.store.claimDueMessages(at: time, limit: 100)
        try fixture.store.record(claimed.map { .sent(messageID: $0.id, gatewayID: nil, at: time) })
    }

    func session(_ fixture: StoreFixture, _ member: Member, _ name: UInt8, expires: Int64, ended: Int64? = nil) throws {
        try fixture.store.write { db in
            try db.execute(sql: """
                INSERT INTO session (id_hash, workspace_id, member_id, created_at, last_seen_at, expires_at, ended_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [Secret.hash([name]), member.workspaceID, member.id, expires - 43_200, expires - 43_200,
                                 expires, ended])
        }
    }

    func bankIDOrder(_ fixture: StoreFixture, _ workspace: Workspace, browser: UInt8, at time: Int64) throws {
        _ = try fixture.store.recordBankIDOrder(NewBankIDOrder(
            workspaceID: workspace.id, browserHash: Secret.hash([browser]), purpose: .signIn, invitationID: nil,
            requiredPersonnummer: nil, orderRef: "ref-\(browser)", sealed: [1], ip: "192.0.2.1"), at: time)
    }

    @Test func deletesWhatIsOverAndOldAndKeepsTheRest() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        let anna = try fixture.member(workspace, email: "anna@example.se")
        try fixture.member(workspace, email: "bo@example.se")
        // Two months ago: Anna's attempt and its mail (sent), a stranger's attempt, a BankID order.
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se"), at: Self.old)
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "nobody@example.se", browser: 2), at: Self.old)
        try sentMessages(fixture, at: Self.old)
        try bankIDOrder(fixture, workspace, browser: 3, at: Self.old)
        // Also long ago, a mail to Bo that was never sent (no worker ran): it stays, and so does
        // its attempt's id order.
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "bo@example.se", browser: 4), at: Self.old + 1)
        // Last month: within the 30 days.
        let (kept, _) = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se", browser: 5),
                                                at: Self.recent)
        try bankIDOrder(fixture, workspace, browser: 6, at: Self.recent)
        // Sessions: expired two days ago, ended two days ago, expired an hour ago, live.
        try session(fixture, anna, 1, expires: Self.now - 2 * Self.day)
        try session(fixture, anna, 2, expires: Self.now + 3_600, ended: Self.now - 2 * Self.day)
        try session(fixture, anna, 3, expires: Self.now - 3_600)
        try session(fixture, anna, 4, expires: Self.now + 3_600)
        // Rate-limit windows: two days old, and current.
        try fixture.store.write { db in
            try db.execute(sql: "INSERT INTO rate_limit (key, window_start, count) VALUES ('ip:192.0.2.1', ?, 3), ('ip:192.0.2.1', ?, 1)",
                           arguments: [Self.now - 2 * Self.day, Self.now - 60])
        }
        let audit = try fixture.count("SELECT COUNT(*) FROM audit")

        let counts = try fixture.store.purge(Retention(), at: Self.now)
        var expected = PurgeCounts()
        expected.attempts = 3
        expected.messages = 1
        expected.bankIDOrders = 1
        expected.sessions = 2
        expected.rateLimits = 1
        #expect(counts == expected)
        #expect(try fixture.count("SELECT COUNT(*) FROM sign_in_attempt") == 1)
        #expect(try fixture.count("SELECT id FROM sign_in_attempt") == Int(kept.id))
        // Bo's unsent mail and last month's mail stay; Anna's old one is gone.
        #expect(try fixture.outboxStates().sorted() == ["pending", "pending"])
        #expect(try fixture.count("SELECT COUNT(*) FROM bankid_order") == 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM session") == 2)
        #expect(try fixture.count("SELECT COUNT(*) FROM rate_limit") == 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM member") == 2)
        #expect(try fixture.count("SELECT COUNT(*) FROM audit") == audit)
        #expect(try fixture.store.purge(Retention(), at: Self.now) == PurgeCounts())
        // The ids of deleted rows are not given out again.
        let (next, _) = try fixture.startSignIn(try fixture.request(workspace, email: "bo@example.se", browser: 7))
        #expect(next.id > kept.id)
    }

    @Test func aBacklogGoesInBatches() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        let total = Retention.batchSize + 20
        for index in 0..<total {
            _ = try fixture.startSignIn(try fixture.request(workspace, email: "x\(index)@example.se", browser: UInt8(index % 200)),
                                        at: Self.old + Int64(index))
        }
        #expect(try fixture.store.purge(Retention(), at: Self.now).attempts == Retention.batchSize)
        #expect(try fixture.store.purge(Retention(), at: Self.now).attempts == 19)
        #expect(try fixture.store.purge(Retention(), at: Self.now).total == 0)
        // The newest stays, old as it is, so that its id is not given out again.
        #expect(try fixture.count("SELECT COUNT(*) FROM sign_in_attempt") == 1)
        #expect(try fixture.count("SELECT created_at FROM sign_in_attempt") == Int(Self.old) + total - 1)
        let (next, _) = try fixture.startSignIn(try fixture.request(workspace, email: "y@example.se"))
        #expect(next.id == Int64(total) + 1)
    }

    @Test func auditEntriesGoOnlyWhenTheOperatorSetsHowLongTheyStay() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "nobody@example.se"), at: Self.now - 400 * Self.day)
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "nobody@example.se"), at: Self.now - 300 * Self.day)
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "nobody@example.se"), at: Self.now)
        let before = try fixture.count("SELECT COUNT(*) FROM audit")
        #expect(try fixture.store.purge(Retention(), at: Self.now).auditEntries == 0)
        #expect(try fixture.count("SELECT COUNT(*) FROM audit") == before)
        let year = Retention(audit: 365 * Self.day)
        #expect(try fixture.store.purge(year, at: Self.now).auditEntries == 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM audit WHERE at < \(Self.now - 365 * Self.day)") == 0)
        #expect(try fixture.count("SELECT COUNT(*) FROM audit WHERE at = \(Self.now - 300 * Self.day)") == 1)
        #expect(try fixture.store.purge(year, at: Self.now).auditEntries == 0)
    }

    @Test func longerRateLimitWindowsAreKeptWhileTheyCount() throws {
        let fixture = try StoreFixture()
        try fixture.store.write { db in
            try db.execute(sql: "INSERT INTO rate_limit (key, window_start, count) VALUES ('member:a', ?, 5)",
                           arguments: [Self.now - 2 * Self.day])
        }
        #expect(try fixture.store.purge(Retention(rateLimitWindow: 7 * Self.day), at: Self.now).rateLimits == 0)
        #expect(try fixture.store.purge(Retention(rateLimitWindow: Self.day), at: Self.now).rateLimits == 1)
    }
}
