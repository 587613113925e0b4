import Foundation
import GRDB
import KonfidentCore
@testable import KonfidentStore
import Testing

/// A member with a verified attempt, ready to be signed in.
struct VerifiedSignIn {
    let fixture: StoreFixture
    let workspace: Workspace
    let member: Member
    let attempt: StoredAttempt

    init(method: LoginMethod = .email) throws {
        fixture = try StoreFixture()
        workspace = try fixture.workspace()
        member = try fixture.member(workspace, email: "anna@example.se", method: method,
                                    phone: method == .twoFactor ? "+46701234567" : nil)
        attempt = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se")).0
    }
}

@Suite struct ConfirmAndCompleteTests {
    static let now = StoreFixture.now
    static let ip = "192.0.2.1"

    @Test func confirmThenCompleteOpensASession() throws {
        let setup = try VerifiedSignIn()
        let store = setup.fixture.store
        let confirmed = try store.confirmLink(attemptID: setup.attempt.id, channel: .email, ip: Self.ip, at: Self.now + 10)
        #expect(confirmed.attempt.state == .verified)
        #expect(try store.attempt(id: setup.attempt.id)?.attempt.state == .verified)
        #expect(try store.attempt(id: setup.attempt.id)?.attempt.confirmedChannels == [.email])

        let sessionHash = Secret.hash("session-cookie-1")
        let (completed, member) = try store.completeSignIn(attemptID: setup.attempt.id, sessionHash: sessionHash,
                                                           sessionLifetime: 43_200, ip: Self.ip, at: Self.now + 20)
        #expect(completed.attempt.state == .completed)
        #expect(member.id == setup.member.id)
        #expect(try store.attempt(id: setup.attempt.id)?.attempt.state == .completed)
        #expect(try store.member(id: member.id)?.lastSignInAt == Self.now + 20)

        let session = try #require(try store.session(hash: sessionHash, workspaceID: setup.workspace.id,
                                                     idleTimeout: 1_800, at: Self.now + 30))
        #expect(session.member.id == member.id)
        #expect(session.createdAt == Self.now + 20)
        #expect(session.expiresAt == Self.now + 20 + 43_200)
        #expect(session.idHash == sessionHash)
        #expect(try setup.fixture.count("SELECT COUNT(*) FROM session") == 1)
    }

    @Test func completingTwiceFailsAndOpensNoSecondSession() throws {
        let setup = try VerifiedSignIn()
        let store = setup.fixture.store
        _ = try store.confirmLink(attemptID: setup.attempt.id, channel: .email, ip: Self.ip, at: Self.now + 10)
        _ = try store.completeSignIn(attemptID: setup.attempt.id, sessionHash: Secret.hash("one"), sessionLifetime: 43_200,
                                     ip: Self.ip, at: Self.now + 20)
        #expect(throws: SignInAttempt.Failure.alreadyUsed) {
            _ = try store.completeSignIn(attemptID: setup.attempt.id, sessionHash: Secret.hash("two"), sessionLifetime: 43_200,
                                         ip: Self.ip, at: Self.now + 21)
        }
        #expect(try setup.fixture.count("SELECT COUNT(*) FROM session") == 1)
        #expect(try store.session(hash: Secret.hash("two"), workspaceID: setup.workspace.id, idleTimeout: 1_800,
                                  at: Self.now + 22) == nil)
    }

    @Test func completingBeforeVerificationFails() throws {
        let setup = try VerifiedSignIn()
        #expect(throws: SignInAttempt.Failure.alreadyUsed) {
            _ = try setup.fixture.store.completeSignIn(attemptID: setup.attempt.id, sessionHash: Secret.hash("s"),
                                                       sessionLifetime: 43_200, ip: Self.ip, at: Self.now + 1)
        }
        #expect(try setup.fixture.count("SELECT COUNT(*) FROM session") == 0)
        #expect(try setup.fixture.store.attempt(id: setup.attempt.id)?.attempt.state == .pending)
    }

    @Test func confirmingTwiceOrLateFails() throws {
        let setup = try VerifiedSignIn()
        let store = setup.fixture.store
        #expect(throws: SignInAttempt.Failure.expired) {
            _ = try store.confirmLink(attemptID: setup.attempt.id, channel: .email, ip: Self.ip, at: Self.now + 600)
        }
        _ = try store.confirmLink(attemptID: setup.attempt.id, channel: .email, ip: Self.ip, at: Self.now + 599)
        #expect(throws: SignInAttempt.Failure.alreadyUsed) {
            _ = try store.confirmLink(attemptID: setup.attempt.id, channel: .email, ip: Self.ip, at: Self.now + 599)
        }
        #expect(throws: SignInAttempt.Failure.channelNotRequired) {
            _ = try store.confirmLink(attemptID: setup.attempt.id, channel: .sms, ip: Self.ip, at: Self.now + 599)
        }
        #expect(throws: SignInAttempt.Failure.expired) {
            _ = try store.completeSignIn(attemptID: setup.attempt.id, sessionHash: Secret.hash("s"), sessionLifetime: 43_200,
                                         ip: Self.ip, at: Self.now + 600)
        }
        #expect(throws: StoreError.notFound("attempt")) {
            _ = try store.confirmLink(attemptID: 9_999, channel: .email, ip: Self.ip, at: Self.now)
        }
    }

    @Test func twoFactorIsVerifiedOnlyAfterBothLinks() throws {
        let setup = try VerifiedSignIn(method: .twoFactor)
        let store = setup.fixture.store
        let afterSMS = try store.confirmLink(attemptID: setup.attempt.id, channel: .sms, ip: Self.ip, at: Self.now + 10)
        #expect(afterSMS.attempt.state == .pending)
        #expect(afterSMS.attempt.missingChannels == [.email])
        #expect(try store.attempt(id: setup.attempt.id)?.attempt.confirmedChannels == [.sms])
        #expect(throws: SignInAttempt.Failure.alreadyUsed) {
            _ = try store.completeSignIn(attemptID: setup.attempt.id, sessionHash: Secret.hash("s"), sessionLifetime: 43_200,
                                         ip: Self.ip, at: Self.now + 11)
        }
        let afterEmail = try store.confirmLink(attemptID: setup.attempt.id, channel: .email, ip: Self.ip, at: Self.now + 12)
        #expect(afterEmail.attempt.state == .verified)
        #expect(try store.attempt(id: setup.attempt.id)?.attempt.confirmedChannels == [.email, .sms])
        _ = try store.completeSignIn(attemptID: setup.attempt.id, sessionHash: Secret.hash("s"), sessionLifetime: 43_200,
                                     ip: Self.ip, at: Self.now + 13)
        let outcomes = try store.auditEntries().filter { $0.event == "link-verified" }.map(\.outcome)
        #expect(outcomes == ["verified", "partly"])
    }

    @Test func aRevokedMemberIsNotSignedIn() throws {
        let setup = try VerifiedSignIn()
        let store = setup.fixture.store
        _ = try store.confirmLink(attemptID: setup.attempt.id, channel: .email, ip: Self.ip, at: Self.now + 10)
        try store.write { db in try db.execute(sql: "UPDATE member SET state = 'revoked' WHERE id = ?", arguments: [setup.member.id]) }
        #expect(throws: SignInAttempt.Failure.cancelled) {
            _ = try store.completeSignIn(attemptID: setup.attempt.id, sessionHash: Secret.hash("s"), sessionLifetime: 43_200,
                                         ip: Self.ip, at: Self.now + 11)
        }
        #expect(try setup.fixture.count("SELECT COUNT(*) FROM session") == 0)
    }
}

@Suite struct SessionTests {
    static let start = StoreFixture.now + 20
    static let idle: Int64 = 1_800
    static let lifetime: Int64 = 43_200
    let hash = Secret.hash("session-cookie")

    func signedIn() throws -> VerifiedSignIn {
        let setup = try VerifiedSignIn()
        _ = try setup.fixture.store.confirmLink(attemptID: setup.attempt.id, channel: .email, ip: "192.0.2.1", at: Self.start - 10)
        _ = try setup.fixture.store.completeSignIn(attemptID: setup.attempt.id, sessionHash: hash, sessionLifetime: Self.lifetime,
                                                   ip: "192.0.2.1", at: Self.start)
        return setup
    }

    func lookUp(_ setup: VerifiedSignIn, at now: Int64) throws -> StoredSession? {
        try setup.fixture.store.session(hash: hash, workspaceID: setup.workspace.id, idleTimeout: Self.idle, at: now)
    }

    @Test func anIdleSessionEndsAfterTheIdleTimeout() throws {
        let setup = try signedIn()
        #expect(try lookUp(setup, at: Self.start + Self.idle - 1) != nil)
        // That look-up refreshed it.
        #expect(try lookUp(setup, at: Self.start + 2 * Self.idle - 2)?.lastSeenAt == Self.start + Self.idle - 1)
        #expect(try lookUp(setup, at: Self.start + 3 * Self.idle - 2) == nil)
    }

    @Test func idleExactlyAtTheTimeoutHasEnded() throws {
        let setup = try signedIn()
        #expect(try lookUp(setup, at: Self.start + Self.idle) == nil)
    }

    @Test func lookUpsWithinAMinuteDoNotRefresh() throws {
        let setup = try signedIn()
        #expect(try lookUp(setup, at: Self.start + 59)?.lastSeenAt == Self.start)
        #expect(try lookUp(setup, at: Self.start + Self.idle - 1)?.lastSeenAt == Self.start)
        #expect(try lookUp(setup, at: Self.start + Self.idle + 100)?.lastSeenAt == Self.start + Self.idle - 1)
    }

    @Test func anActiveSessionEndsAtItsAbsoluteExpiry() throws {
        let setup = try signedIn()
        var now = Self.start
        while now < Self.start + Self.lifetime - 1 {
            now = min(now + 1_000, Self.start + Self.lifetime - 1)
            #expect(try lookUp(setup, at: now) != nil, "at +\(now - Self.start)")
        }
        #expect(try lookUp(setup, at: Self.start + Self.lifetime) == nil)
    }

    @Test func anEndedSessionIsGone() throws {
        let setup = try signedIn()
        #expect(try lookUp(setup, at: Self.start + 5) != nil)
        try setup.fixture.store.endSession(hash: hash, ip: "192.0.2.1", at: Self.start + 6)
        #expect(try lookUp(setup, at: Self.start + 7) == nil)
        // Ending again is harmless and audits once.
        try setup.fixture.store.endSession(hash: hash, ip: "192.0.2.1", at: Self.start + 8)
        #expect(try setup.fixture.store.auditEntries().filter { $0.event == "sign-out" }.count == 1)
    }

    @Test func aSessionBelongsToItsWorkspace() throws {
        let setup = try signedIn()
        #expect(try setup.fixture.store.session(hash: hash, workspaceID: setup.workspace.id + 1, idleTimeout: Self.idle,
                                                at: Self.start + 1) == nil)
        #expect(try setup.fixture.store.session(hash: Secret.hash("other"), workspaceID: setup.workspace.id,
                                                idleTimeout: Self.idle, at: Self.start + 1) == nil)
    }

    @Test func revokingTheMemberEndsTheSession() throws {
        let setup = try signedIn()
        try setup.fixture.store.write { db in
            try db.execute(sql: "UPDATE member SET state = 'revoked' WHERE id = ?", arguments: [setup.member.id])
        }
        #expect(try lookUp(setup, at: Self.start + 1) == nil)
    }
}

@Suite struct OutboxTests {
    static let now = StoreFixture.now

    /// One pending message for a member's sign-in.
    func queued() throws -> (StoreFixture, Int64) {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        try fixture.member(workspace, email: "anna@example.se")
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se"))
        let id = try #require(try fixture.store.outboxStatuses().first?.id)
        return (fixture, id)
    }

    @Test func aMessageIsDueFromItsCreation() throws {
        let (fixture, id) = try queued()
        #expect(try fixture.store.claimDueMessage(at: Self.now - 1) == nil)
        let message = try #require(try fixture.store.claimDueMessage(at: Self.now))
        #expect(message.id == id)
        #expect(message.channel == .email)
        #expect(message.kind == "sign-in-link")
        #expect(message.recipient == "anna@example.se")
        #expect(message.language == .sv)
        #expect(message.tries == 1)
        #expect(try fixture.outboxStates() == ["sending"])
    }

    @Test func aClaimedMessageComesBackOnlyAfterTheCrashDelay() throws {
        let (fixture, id) = try queued()
        _ = try #require(try fixture.store.claimDueMessage(at: Self.now, retryAfterCrash: 120))
        #expect(try fixture.store.claimDueMessage(at: Self.now) == nil)
        #expect(try fixture.store.claimDueMessage(at: Self.now + 119) == nil)
        let again = try #require(try fixture.store.claimDueMessage(at: Self.now + 120))
        #expect(again.id == id)
        #expect(again.tries == 2)
        #expect(try fixture.store.claimDueMessage(at: Self.now + 121) == nil)
    }

    @Test func aFailedTryIsRetriedAtTheGivenTime() throws {
        let (fixture, id) = try queued()
        _ = try fixture.store.claimDueMessage(at: Self.now)
        try fixture.store.record([.failed(messageID: id, error: "421 try later", retryAt: Self.now + 500)])
        let status = try #require(try fixture.store.outboxStatuses().first)
        #expect(status.state == "pending")
        #expect(status.lastError == "421 try later")
        #expect(status.tries == 1)
        #expect(try fixture.store.claimDueMessage(at: Self.now + 499) == nil)
        let retried = try #require(try fixture.store.claimDueMessage(at: Self.now + 500))
        #expect(retried.tries == 2)
        try fixture.store.record([.sent(messageID: id, gatewayID: "gw-1", at: Self.now + 501)])
        let sent = try #require(try fixture.store.outboxStatuses().first)
        #expect(sent.state == "sent")
        #expect(sent.lastError == nil)
        #expect(try fixture.store.claimDueMessage(at: Self.now + 100_000) == nil)
    }

    @Test func aMessageGivenUpStaysFailed() throws {
        let (fixture, id) = try queued()
        _ = try fixture.store.claimDueMessage(at: Self.now)
        try fixture.store.record([.failed(messageID: id, error: "550 no such user", retryAt: nil)])
        #expect(try fixture.store.claimDueMessage(at: Self.now + 120) == nil)
        #expect(try fixture.store.claimDueMessage(at: Self.now + 10_000_000) == nil)
        let status = try #require(try fixture.store.outboxStatuses().first)
        #expect(status.state == "failed")
        #expect(status.lastError == "550 no such user")
    }

    @Test func aDroppedMessageIsNotSent() throws {
        let (fixture, id) = try queued()
        try fixture.store.record([.dropped(messageID: id, reason: "superseded")])
        #expect(try fixture.store.claimDueMessage(at: Self.now + 10_000) == nil)
        #expect(try fixture.outboxStates() == ["dropped"])
    }

    @Test func messagesAreClaimedOldestFirstAndOneAtATime() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        try fixture.member(workspace, email: "a@example.se")
        try fixture.member(workspace, email: "b@example.se")
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "b@example.se", browser: 2), at: Self.now + 1)
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "a@example.se", browser: 1), at: Self.now)
        let first = try #require(try fixture.store.claimDueMessage(at: Self.now + 5))
        let second = try #require(try fixture.store.claimDueMessage(at: Self.now + 5))
        #expect(first.recipient == "a@example.se")
        #expect(second.recipient == "b@example.se")
        #expect(try fixture.store.claimDueMessage(at: Self.now + 5) == nil)
    }

    @Test func aBatchIsClaimedOldestFirstUpToItsLimitAndRecordedAtOnce() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        for (number, letter) in ["c", "a", "d", "b"].enumerated() {
            try fixture.member(workspace, email: "\(letter)@example.se")
            _ = try fixture.startSignIn(try fixture.request(workspace, email: "\(letter)@example.se", browser: UInt8(number + 1)),
                                        at: Self.now + Int64(["a", "b", "c", "d"].firstIndex(of: letter)!))
        }
        let batch = try fixture.store.claimDueMessages(at: Self.now + 10, limit: 3)
        #expect(batch.map(\.recipient) == ["a@example.se", "b@example.se", "c@example.se"])
        #expect(batch.allSatisfy { $0.tries == 1 })
        #expect(try fixture.outboxStatesByRecipient() == ["a@example.se": "sending", "b@example.se": "sending",
                                                           "c@example.se": "sending", "d@example.se": "pending"])
        try fixture.store.record([
            .sent(messageID: batch[0].id, gatewayID: nil, at: Self.now + 11),
            .failed(messageID: batch[1].id, error: "421 busy", retryAt: Self.now + 20),
            .dropped(messageID: batch[2].id, reason: "attempt superseded"),
        ])
        #expect(try fixture.outboxStatesByRecipient() == ["a@example.se": "sent", "b@example.se": "pending",
                                                           "c@example.se": "dropped", "d@example.se": "pending"])
        #expect(try fixture.store.claimDueMessages(at: Self.now + 11, limit: 32).map(\.recipient) == ["d@example.se"])
        #expect(try fixture.store.claimDueMessages(at: Self.now + 20, limit: 32).map(\.recipient) == ["b@example.se"])
    }

    @Test func aReleasedMessageIsDueAtOnceWithItsTryNotCounted() throws {
        let (fixture, id) = try queued()
        _ = try #require(try fixture.store.claimDueMessage(at: Self.now))
        try fixture.store.record([.released(messageID: id, at: Self.now + 1)])
        #expect(try fixture.outboxStates() == ["pending"])
        #expect(try fixture.store.claimDueMessage(at: Self.now) == nil)
        let again = try #require(try fixture.store.claimDueMessage(at: Self.now + 1))
        #expect(again.id == id)
        #expect(again.tries == 1)
    }

    /// The claim reads the partial index `outbox_due` in its order: no sort of the waiting rows.
    @Test func theClaimReadsTheDueIndexInOrder() throws {
        let fixture = try StoreFixture()
        let plan = try fixture.store.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + OutboxSQL.due, arguments: [Self.now, 32]).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("USING INDEX outbox_due") })
        #expect(!plan.contains { $0.contains("TEMP B-TREE") })
    }

    @Test func messagesHoldNoTokenOrLink() throws {
        let (fixture, _) = try queued()
        let columns = try fixture.store.read { db in try db.columns(in: "outbox").map(\.name) }
        #expect(!columns.contains { $0.contains("token") || $0.contains("link") })
    }
}

@Suite struct AuditTests {
    static let now = StoreFixture.now

    @Test func attemptVerificationAndSignInAreAudited() throws {
        let setup = try VerifiedSignIn()
        let store = setup.fixture.store
        _ = try store.confirmLink(attemptID: setup.attempt.id, channel: .email, ip: "192.0.2.2", at: Self.now + 10)
        _ = try store.completeSignIn(attemptID: setup.attempt.id, sessionHash: Secret.hash("s"), sessionLifetime: 43_200,
                                     ip: "192.0.2.3", at: Self.now + 20)
        let entries = try store.auditEntries()
        #expect(entries.map(\.event) == ["sign-in", "link-verified", "sign-in-attempt"])
        #expect(entries.map(\.outcome) == ["email-link", "verified", "started"])
        #expect(entries.map(\.ip) == ["192.0.2.3", "192.0.2.2", "192.0.2.1"])
        #expect(entries.map(\.at) == [Self.now + 20, Self.now + 10, Self.now])
        #expect(entries.allSatisfy { $0.memberID == setup.member.id && $0.workspaceID == setup.workspace.id })
        #expect(entries.map(\.detail) == ["attempt \(setup.attempt.id)", "attempt \(setup.attempt.id) email",
                                          "attempt \(setup.attempt.id)"])
    }

    @Test func aRefusedLinkIsAudited() throws {
        let setup = try VerifiedSignIn()
        let store = setup.fixture.store
        #expect(throws: SignInAttempt.Failure.expired) {
            _ = try store.confirmLink(attemptID: setup.attempt.id, channel: .email, ip: "192.0.2.9", at: Self.now + 700)
        }
        let refused = try store.auditEntries().first { $0.event == "link-refused" }
        #expect(refused != nil, "no audit entry for the refused link")
        #expect(refused?.ip == "192.0.2.9")
        #expect(refused?.memberID == setup.member.id)
    }

    @Test func entriesAreNewestFirstAndLimited() throws {
        let fixture = try StoreFixture()
        for index in 0..<5 {
            try fixture.store.audit(.csrfRefused, outcome: "token", workspaceID: nil, ip: "10.0.0.\(index)", at: Self.now + Int64(index))
        }
        let entries = try fixture.store.auditEntries(limit: 3)
        #expect(entries.map(\.ip) == ["10.0.0.4", "10.0.0.3", "10.0.0.2"])
        #expect(entries.allSatisfy { $0.event == "csrf-refused" && $0.workspaceID == nil && $0.memberID == nil })
    }
}
