import Foundation
import KonfidentCore
@testable import KonfidentStore
import Testing

/// BankID orders in the database: one collect per interval whoever asks, secrets wiped when the
/// order ends, a complete order used once for a session or "no access".
@Suite struct BankIDOrderStoreTests {
    static let now = StoreFixture.now

    func order(_ fixture: StoreFixture, _ workspace: Workspace, browser: UInt8 = 1, purpose: BankIDOrder.Purpose = .signIn,
               invitationID: Int64? = nil, personnummer: String? = nil, at now: Int64 = Self.now) throws -> StoredBankIDOrder {
        try fixture.store.recordBankIDOrder(NewBankIDOrder(
            workspaceID: workspace.id, browserHash: Secret.hash([browser]), purpose: purpose, invitationID: invitationID,
            requiredPersonnummer: personnummer, orderRef: "ref-\(browser)-\(now)", sealed: [1, 2, 3], ip: "192.0.2.1"), at: now)
    }

    func bankIDMember(_ fixture: StoreFixture, _ workspace: Workspace, _ digits: String, state: MemberState = .active,
                      email: String? = nil) throws -> Member {
        try fixture.store.addMember(NewMember(email: try email.map { try EmailAddress(parsing: $0) }, phone: nil,
                                              personnummer: Personnummer(parsing: digits, today: CivilDate(year: 2026, month: 1, day: 1)),
                                              method: .bankid, role: .general), to: workspace, state: state, at: Self.now)
    }

    @Test func oneCollectEveryTwoSecondsWhoeverAsks() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        let stored = try order(fixture, workspace)
        #expect(try fixture.store.claimCollect(orderID: stored.id, at: Self.now))
        #expect(try !fixture.store.claimCollect(orderID: stored.id, at: Self.now))
        #expect(try !fixture.store.claimCollect(orderID: stored.id, at: Self.now + 1))
        #expect(try !fixture.store.claimCollect(orderID: stored.id, at: Self.now + 2))
        #expect(try fixture.store.claimCollect(orderID: stored.id, at: Self.now + 3))
        _ = try fixture.store.recordCollect(orderID: stored.id, .failed(hint: "userCancel"), at: Self.now + 3)
        #expect(try !fixture.store.claimCollect(orderID: stored.id, at: Self.now + 10))
    }

    @Test func finalAnswerWipesTheSecrets() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        let stored = try order(fixture, workspace)
        let pending = try fixture.store.recordCollect(orderID: stored.id, .pending(hint: "started"), at: Self.now)
        #expect(pending.sealed == [1, 2, 3])
        let done = try fixture.store.recordCollect(orderID: stored.id, .complete(personnummer: "199908072391"), at: Self.now + 2)
        #expect(done.sealed == nil)
        #expect(done.order.state == .complete)
        let cancelled = try order(fixture, workspace, browser: 2)
        try fixture.store.cancelBankIDOrder(id: cancelled.id, at: Self.now)
        let reread = try fixture.store.bankIDOrder(browserHash: Secret.hash([2]), workspaceID: workspace.id)
        #expect(reread?.sealed == nil)
        #expect(reread?.order.state == .cancelled)
    }

    @Test func anUnansweredStreakIsKeptUntilAnAnswerAndAuditedWhenItEndsTheOrder() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        let stored = try order(fixture, workspace)
        let blip = try fixture.store.recordCollect(orderID: stored.id, .unanswered(code: "transport-timeout"), at: Self.now)
        #expect(blip.order.unansweredSince == Self.now)
        #expect(blip.order.state == .pending)
        #expect(blip.sealed == [1, 2, 3])
        let answered = try fixture.store.recordCollect(orderID: stored.id, .pending(hint: "started"), at: Self.now + 3)
        #expect(answered.order.unansweredSince == nil)
        _ = try fixture.store.recordCollect(orderID: stored.id, .unanswered(code: "maintenance"), at: Self.now + 6)
        let reread = try fixture.store.bankIDOrder(browserHash: Secret.hash([1]), workspaceID: workspace.id)
        #expect(reread?.order.unansweredSince == Self.now + 6)
        let ended = try fixture.store.recordCollect(orderID: stored.id, .unanswered(code: "maintenance"),
                                                   at: Self.now + 6 + BankIDOrder.unansweredLimit)
        #expect(ended.order.state == .failed)
        #expect(ended.order.errorCode == "maintenance")
        #expect(ended.sealed == nil)
        #expect(try fixture.count("SELECT COUNT(*) FROM audit WHERE event = 'bankid-order' AND outcome = 'failed'") == 1)
        #expect(try fixture.count("""
            SELECT COUNT(*) FROM audit WHERE event = 'bankid-order' AND outcome = 'failed' AND detail = 'order \(stored.id) maintenance'
            """) == 1)
    }

    @Test func abandonedOrdersLoseTheirSecretsAtTheNextStart() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        _ = try order(fixture, workspace)
        try fixture.store.admitBankIDStart(workspaceID: workspace.id, policy: .off, ip: "192.0.2.1",
                                           at: Self.now + BankIDOrder.lifetime)
        let old = try fixture.store.bankIDOrder(browserHash: Secret.hash([1]), workspaceID: workspace.id)
        #expect(old?.sealed == nil)
        #expect(old?.order.state == .failed)
    }

    @Test func startsCountAgainstTheAddressLimit() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        let policy = try RateLimitPolicy(parsing: "ip=2/min")
        try fixture.store.admitBankIDStart(workspaceID: workspace.id, policy: policy, ip: "192.0.2.9", at: Self.now)
        try fixture.store.admitBankIDStart(workspaceID: workspace.id, policy: policy, ip: "192.0.2.9", at: Self.now)
        #expect(throws: Store.RateLimitHit.self) {
            try fixture.store.admitBankIDStart(workspaceID: workspace.id, policy: policy, ip: "192.0.2.9", at: Self.now)
        }
    }

    @Test func completeOrderSignsInTheMemberOnce() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        let member = try bankIDMember(fixture, workspace, "199908072391")
        let stored = try order(fixture, workspace)
        _ = try fixture.store.recordCollect(orderID: stored.id, .complete(personnummer: "199908072391"), at: Self.now)
        let result = try fixture.store.completeBankIDSignIn(orderID: stored.id, sessionHash: Secret.hash([7]),
                                                           sessionLifetime: 3600, ip: "192.0.2.1", at: Self.now)
        guard case let .signedIn(signedIn) = result else {
            Issue.record("not signed in: \(result)")
            return
        }
        #expect(signedIn.id == member.id)
        #expect(try fixture.store.session(hash: Secret.hash([7]), workspaceID: workspace.id, idleTimeout: 600, at: Self.now) != nil)
        #expect(throws: BankIDOrder.Failure.alreadyUsed) {
            try fixture.store.completeBankIDSignIn(orderID: stored.id, sessionHash: Secret.hash([8]),
                                                   sessionLifetime: 3600, ip: "192.0.2.1", at: Self.now)
        }
    }

    @Test func strangersRevokedAndOtherWorkspacesGetNoAccess() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        let other = try fixture.workspace("other", url: "https://other.konfident.example/")
        _ = try bankIDMember(fixture, other, "199908072391")
        let revoked = try bankIDMember(fixture, workspace, "201801012392")
        try fixture.store.revokeMember(id: revoked.id, in: workspace, by: nil, ip: "192.0.2.1", at: Self.now)
        for (browser, digits) in [(UInt8(1), "199908072391"), (2, "201801012392"), (3, "196801642395")] {
            let stored = try order(fixture, workspace, browser: browser)
            _ = try fixture.store.recordCollect(orderID: stored.id, .complete(personnummer: digits), at: Self.now)
            let result = try fixture.store.completeBankIDSignIn(orderID: stored.id, sessionHash: Secret.hash([browser, 9]),
                                                               sessionLifetime: 3600, ip: "192.0.2.1", at: Self.now)
            #expect(result == .noAccess)
        }
        #expect(try fixture.count("SELECT COUNT(*) FROM session") == 0)
    }

    @Test func invitedByPersonnummerIsActivated() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        let invited = try bankIDMember(fixture, workspace, "199908072391", state: .invited)
        let stored = try order(fixture, workspace)
        _ = try fixture.store.recordCollect(orderID: stored.id, .complete(personnummer: "199908072391"), at: Self.now)
        _ = try fixture.store.completeBankIDSignIn(orderID: stored.id, sessionHash: Secret.hash([7]),
                                                   sessionLifetime: 3600, ip: "192.0.2.1", at: Self.now)
        #expect(try fixture.store.member(id: invited.id)?.state == .active)
    }
}
