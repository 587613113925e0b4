import Foundation
import GRDB
import KonfidentCore
@testable import KonfidentStore
import Testing

@Suite struct SignInTests {
    static let now = StoreFixture.now

    @Test func aMembersAttemptIsStoredWithOneOutboxMessage() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        let member = try fixture.member(workspace, email: "anna@example.se")
        let request = try fixture.request(workspace, email: "Anna@Example.SE")
        let (attempt, tokens) = try fixture.startSignIn(request)

        #expect(attempt.workspaceID == workspace.id)
        #expect(attempt.memberID == member.id)
        #expect(attempt.matchCode == "42 tiger")
        #expect(attempt.browserHash == request.browserHash)
        #expect(attempt.nonce == request.nonce)
        #expect(attempt.ip == "192.0.2.1")
        #expect(attempt.userAgent == "Mozilla/5.0 (Test)")
        #expect(attempt.attempt.state == .pending)
        #expect(attempt.attempt.requiredChannels == [.email])
        #expect(attempt.attempt.createdAt == Self.now)
        #expect(attempt.attempt.expiresAt == Self.now + 600)
        #expect(try fixture.store.attempt(id: attempt.id) == attempt)
        #expect(try fixture.store.attempt(id: attempt.id, workspaceID: workspace.id) == attempt)
        #expect(try fixture.store.attempt(id: attempt.id, workspaceID: workspace.id + 1) == nil)
        let progress = try #require(try fixture.store.attemptProgress(id: attempt.id, workspaceID: workspace.id))
        #expect(progress.browserHash == request.browserHash)
        #expect(progress.attempt == attempt.attempt)
        #expect(try fixture.store.attemptProgress(id: attempt.id, workspaceID: workspace.id + 1) == nil)
        #expect(try fixture.store.attemptProgress(id: attempt.id + 1, workspaceID: workspace.id) == nil)

        #expect(Array(tokens.keys) == [.email])
        let token = try #require(tokens[.email])
        let link = SplitToken(id: attempt.id, secret: token)
        let found = try #require(try fixture.store.attempt(link: link, workspaceID: workspace.id))
        #expect(found.0 == attempt)
        #expect(found.1 == .email)
        #expect(try fixture.store.attempt(link: link, workspaceID: workspace.id + 1) == nil)
        // Another attempt's id, or another token (one character changed, or another attempt's): no attempt.
        #expect(try fixture.store.attempt(link: SplitToken(id: attempt.id + 1, secret: token), workspaceID: workspace.id) == nil)
        let changed = String(token.dropLast()) + (token.hasSuffix("A") ? "B" : "A")
        #expect(try fixture.store.attempt(link: SplitToken(id: attempt.id, secret: changed), workspaceID: workspace.id) == nil)
        let stranger = try fixture.startSignIn(try fixture.request(workspace, email: "nobody@example.se", browser: 2)).0
        #expect(try fixture.store.attempt(link: SplitToken(id: stranger.id, secret: token), workspaceID: workspace.id) == nil)

        let messages = try fixture.store.read { db in try Row.fetchAll(db, sql: "SELECT * FROM outbox") }
        #expect(messages.count == 1)
        let message = try #require(messages.first)
        #expect(message["channel"] as String == "email")
        #expect(message["kind"] as String == "sign-in-link")
        #expect(message["recipient"] as String == "anna@example.se")
        #expect(message["language"] as String == "sv")
        #expect(message["subject_id"] as Int64 == attempt.id)
        #expect(message["member_id"] as Int64 == member.id)
        #expect(message["state"] as String == "pending")
        #expect(message["next_try_at"] as Int64 == Self.now)
    }

    /// The worker composes a sign-in link from the attempt the claim read with it (one transaction
    /// for the batch instead of a read per message); other kinds carry none.
    @Test func aClaimedSplitTokenCarriesItsAttempt() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        try fixture.member(workspace, email: "anna@example.se", method: .twoFactor, phone: "+46701234567")
        try fixture.member(workspace, email: "bo@example.se", method: .bankid)
        let (attempt, _) = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se"))
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "bo@example.se", browser: 2))

        let batch = try fixture.store.claimDueMessages(at: Self.now, limit: 32)
        #expect(batch.map(\.kind) == ["sign-in-link", "sign-in-link", "use-bankid"])
        #expect(batch[0].signInAttempt == attempt)
        #expect(batch[1].signInAttempt == attempt)
        #expect(batch[2].signInAttempt == nil)
    }

    /// Over an SMS limit a 2FA member's Next is answered as any other Next (a 429 would tell that
    /// the address is a 2FA member's): an attempt no link verifies, no SMS, and a mail to the member
    /// that says why. The `ip` and `member` limits still refuse everybody alike.
    @Test func overAnSMSLimitTheAttemptGetsNoLinksAndTheMemberAMail() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        try fixture.member(workspace, email: "anna@example.se", method: .twoFactor, phone: "+46701234567")
        try fixture.member(workspace, email: "bo@example.se", method: .twoFactor, phone: "+46707654321")
        let policy = try RateLimitPolicy(parsing: "smscountry=2/h,member=5/10min")
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se", policy: policy))
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se", policy: policy), at: Self.now + 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox WHERE channel = 'sms'") == 2)

        // The country's window is full: Bo's Next (another number, the same country code).
        let (held, tokens) = try fixture.startSignIn(try fixture.request(workspace, email: "bo@example.se", browser: 2, policy: policy),
                                                     at: Self.now + 2)
        #expect(held.attempt.state == .pending)
        #expect(held.attempt.requiredChannels.isEmpty)
        #expect(tokens.isEmpty)
        #expect(held.attempt.status(at: Self.now + 3) == .pending)
        let messages = try fixture.store.read { db in
            try Row.fetchAll(db, sql: "SELECT channel, kind, recipient, subject_id FROM outbox WHERE id > 4 ORDER BY id")
        }
        #expect(messages.map { $0["kind"] as String } == ["sms-limited"])
        #expect(messages.first?["channel"] as String? == "email")
        #expect(messages.first?["recipient"] as String? == "bo@example.se")
        #expect(messages.first?["subject_id"] as Int64? == held.id)
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox WHERE channel = 'sms'") == 2)
        // Two sent, and the mark of the window's first refusal.
        #expect(try fixture.count("SELECT COUNT(*) FROM rate_limit WHERE key = 'smscountry:46' AND count = 3") == 1)
        let audit = try fixture.store.read { db in
            try Row.fetchAll(db, sql: "SELECT event, outcome FROM audit WHERE at = ? ORDER BY id", arguments: [Self.now + 2])
        }
        #expect(audit.map { "\($0["event"] as String) \($0["outcome"] as String)" }
                == ["rate-limited smscountry", "sign-in-attempt sms-limited"])

        // The `member` limit counted that Next and refuses the sixth, as for any address.
        for second in 3...6 {
            _ = try fixture.startSignIn(try fixture.request(workspace, email: "bo@example.se", browser: 2, policy: policy),
                                        at: Self.now + Int64(second))
        }
        #expect(throws: Store.RateLimitHit(kind: .member, key: Store.addressKey(try EmailAddress(parsing: "bo@example.se")))) {
            _ = try fixture.startSignIn(try fixture.request(workspace, email: "bo@example.se", browser: 2, policy: policy),
                                        at: Self.now + 7)
        }
        // The SMS refusals after the window's first are not audited again.
        #expect(try fixture.count("SELECT COUNT(*) FROM audit WHERE event = 'rate-limited' AND outcome = 'smscountry'") == 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM sign_in_attempt WHERE required_channels = ''") == 5)
        // An hour later the country's window is new: links again.
        let later = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se", policy: policy),
                                            at: Self.now + 3_600)
        #expect(later.0.attempt.requiredChannels == [.email, .sms])
    }

    @Test func theRawTokenNeverReachesTheDatabaseFiles() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        try fixture.member(workspace, email: "anna@example.se", method: .twoFactor, phone: "+46701234567")
        let nonce: [UInt8] = Array(0x10..<0x20)
        let (attempt, tokens) = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se", nonce: nonce))
        #expect(Set(tokens.keys) == [.email, .sms])
        // Let the delivery worker's view of it exist too.
        _ = try fixture.store.claimDueMessage(at: Self.now)

        var files: [Data] = []
        for suffix in ["", "-wal", "-shm"] {
            if let data = FileManager.default.contents(atPath: fixture.path + suffix) { files.append(data) }
        }
        #expect(files.count >= 2)
        #expect(files.reduce(0) { $0 + $1.count } > 0)
        for (channel, token) in tokens {
            let raw = fixture.key.authenticate(Array("sign-in|\(attempt.id)|\(channel.rawValue)|".utf8) + nonce)
            #expect(Base64URL.encode(raw) == token)
            let hash = Secret.hash(token)
            var hashFound = false
            for data in files {
                #expect(data.range(of: Data(token.utf8)) == nil, "the \(channel) token is in the database")
                #expect(data.range(of: Data(raw)) == nil, "the \(channel) token's bytes are in the database")
                #expect(data.range(of: Data(token.utf8.prefix(16))) == nil)
                if data.range(of: Data(hash)) != nil { hashFound = true }
            }
            // The search works: the stored hash is found.
            #expect(hashFound, "the \(channel) token hash is not in the files")
        }
    }

    @Test func aNonMemberGetsAnAttemptButNoMessage() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        try fixture.member(workspace, email: "anna@example.se")
        var called = false
        let attempt = try fixture.store.startSignIn(try fixture.request(workspace, email: "eve@example.se"), at: Self.now) { _, _ in
            called = true
            return []
        }
        #expect(!called)
        #expect(attempt.memberID == nil)
        #expect(attempt.attempt.state == .pending)
        #expect(attempt.attempt.requiredChannels.isEmpty)
        #expect(attempt.matchCode == "42 tiger")
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox") == 0)
        #expect(try fixture.count("SELECT COUNT(*) FROM sign_in_attempt WHERE email_token_hash IS NOT NULL OR sms_token_hash IS NOT NULL") == 0)
        let audit = try #require(try fixture.store.auditEntries().first)
        #expect(audit.event == "sign-in-attempt")
        #expect(audit.outcome == "not-a-member")
        #expect(audit.memberID == nil)
        #expect(audit.workspaceID == workspace.id)
        #expect(audit.ip == "192.0.2.1")
        #expect(audit.detail == "attempt \(attempt.id)")
    }

    @Test func anInvitedOrRevokedMemberIsTreatedAsANonMember() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        try fixture.member(workspace, email: "invited@example.se", state: .invited)
        try fixture.member(workspace, email: "revoked@example.se", state: .revoked)
        let (invited, invitedTokens) = try fixture.startSignIn(try fixture.request(workspace, email: "invited@example.se"))
        let (revoked, revokedTokens) = try fixture.startSignIn(try fixture.request(workspace, email: "revoked@example.se", browser: 2))
        #expect(invited.memberID == nil && revoked.memberID == nil)
        #expect(invitedTokens.isEmpty && revokedTokens.isEmpty)
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox") == 0)
    }

    @Test func aTwoFactorMemberGetsAnEmailAndAnSMS() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        try fixture.member(workspace, email: "b@example.se", method: .twoFactor, phone: "+46701234567")
        let (attempt, tokens) = try fixture.startSignIn(try fixture.request(workspace, email: "b@example.se"))
        #expect(attempt.attempt.requiredChannels == [.email, .sms])
        #expect(tokens[.email] != tokens[.sms])
        let rows = try fixture.store.read { db in
            try Row.fetchAll(db, sql: "SELECT channel, recipient FROM outbox ORDER BY id").map { "\($0["channel"] as String) \($0["recipient"] as String)" }
        }
        #expect(rows == ["email b@example.se", "sms +46701234567"])
        let sms = try #require(try fixture.store.attempt(link: SplitToken(id: attempt.id, secret: tokens[.sms] ?? ""),
                                                         workspaceID: workspace.id))
        #expect(sms.1 == .sms)
        #expect(sms.0.id == attempt.id)
        let email = try #require(try fixture.store.attempt(link: SplitToken(id: attempt.id, secret: tokens[.email] ?? ""),
                                                           workspaceID: workspace.id))
        #expect(email.1 == .email)
    }

    @Test func aBankIDMemberWhoTypesTheirEmailIsToldToUseBankID() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        try fixture.member(workspace, email: "c@example.se", method: .bankid)
        let (attempt, tokens) = try fixture.startSignIn(try fixture.request(workspace, email: "c@example.se"))
        #expect(tokens.isEmpty)
        #expect(attempt.attempt.requiredChannels.isEmpty)
        let kinds = try fixture.store.read { db in try String.fetchAll(db, sql: "SELECT kind FROM outbox") }
        #expect(kinds == ["use-bankid"])
    }

    /// Pending and verified attempts of the member are superseded; finished ones and other
    /// members' are left as they are.
    @Test func aNewAttemptSupersedesVerifiedAttemptsButNotFinishedOnesNorOthers() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        try fixture.member(workspace, email: "anna@example.se")
        try fixture.member(workspace, email: "bo@example.se")
        let (bos, _) = try fixture.startSignIn(try fixture.request(workspace, email: "bo@example.se", browser: 9))
        let (verified, _) = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se"))
        _ = try fixture.store.confirmLink(attemptID: verified.id, channel: .email, ip: "192.0.2.1", at: Self.now + 1)
        let (completed, _) = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se"), at: Self.now + 2)
        #expect(try fixture.store.attempt(id: verified.id)?.attempt.state == .superseded)
        _ = try fixture.store.confirmLink(attemptID: completed.id, channel: .email, ip: "192.0.2.1", at: Self.now + 3)
        _ = try fixture.store.completeSignIn(attemptID: completed.id, sessionHash: Secret.hash([7]), sessionLifetime: 600,
                                             ip: "192.0.2.1", at: Self.now + 4)
        let (newest, _) = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se"), at: Self.now + 5)
        #expect(try fixture.store.attempt(id: completed.id)?.attempt.state == .completed)
        #expect(try fixture.store.attempt(id: newest.id)?.attempt.state == .pending)
        #expect(try fixture.store.attempt(id: bos.id)?.attempt.state == .pending)
    }

    @Test func aNewAttemptSupersedesTheOlderOnes() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        try fixture.member(workspace, email: "anna@example.se")
        let (first, firstTokens) = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se", browser: 1))
        let (second, secondTokens) = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se", browser: 2),
                                                             at: Self.now + 5)
        #expect(try fixture.store.attempt(id: first.id)?.attempt.state == .superseded)
        #expect(try fixture.store.attempt(id: second.id)?.attempt.state == .pending)
        #expect(firstTokens[.email] != secondTokens[.email])
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox") == 2)
        // The superseded link no longer works.
        #expect(throws: SignInAttempt.Failure.superseded) {
            _ = try fixture.store.confirmLink(attemptID: first.id, channel: .email, ip: "192.0.2.1", at: Self.now + 6)
        }
        // A non-member's attempt with another address supersedes nothing.
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "eve@example.se", browser: 3), at: Self.now + 7)
        #expect(try fixture.store.attempt(id: second.id)?.attempt.state == .pending)
    }

    @Test func aCompletedAttemptIsNotSuperseded() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        try fixture.member(workspace, email: "anna@example.se")
        let (first, _) = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se"))
        _ = try fixture.store.confirmLink(attemptID: first.id, channel: .email, ip: "192.0.2.1", at: Self.now + 1)
        _ = try fixture.store.completeSignIn(attemptID: first.id, sessionHash: Secret.hash("s"), sessionLifetime: 43_200,
                                             ip: "192.0.2.1", at: Self.now + 2)
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se", browser: 2), at: Self.now + 3)
        #expect(try fixture.store.attempt(id: first.id)?.attempt.state == .completed)
    }

    @Test func theUserAgentIsCapped() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        var request = try fixture.request(workspace, email: "x@example.se")
        request.userAgent = String(repeating: "U", count: 10_000)
        let (attempt, _) = try fixture.startSignIn(request)
        #expect(attempt.userAgent.count == 300)
    }

    @Test func cancellingEndsAPendingAttemptOnly() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        try fixture.member(workspace, email: "anna@example.se")
        let (attempt, _) = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se"))
        try fixture.store.cancelAttempt(id: attempt.id)
        #expect(try fixture.store.attempt(id: attempt.id)?.attempt.state == .cancelled)
        #expect(throws: SignInAttempt.Failure.cancelled) {
            _ = try fixture.store.confirmLink(attemptID: attempt.id, channel: .email, ip: "192.0.2.1", at: Self.now + 1)
        }
    }
}

@Suite struct RateLimitTests {
    static let now = StoreFixture.now
    // 1_700_000_000 is 200 s into a 600 s window (1_699_999_800 ..< 1_700_000_400).
    static let nextWindow = StoreFixture.now + 400

    @Test func theThirdAttemptForOneAddressIsRefused() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        try fixture.member(workspace, email: "anna@example.se")
        let policy = try RateLimitPolicy(parsing: "member=2/10min")
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se", browser: 1, policy: policy))
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "ANNA@example.se", browser: 2, policy: policy),
                                    at: Self.now + 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox") == 2)
        do {
            _ = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se", browser: 3, policy: policy),
                                        at: Self.now + 2)
            Issue.record("the third attempt was allowed")
        } catch let hit as Store.RateLimitHit {
            #expect(hit.kind == .member)
            #expect(!hit.key.contains("anna"))
        }
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox") == 2)
        #expect(try fixture.count("SELECT COUNT(*) FROM sign_in_attempt") == 2)
        // The refused attempt superseded nothing.
        #expect(try fixture.count("SELECT COUNT(*) FROM sign_in_attempt WHERE state = 'pending'") == 1)
        // Still refused at the end of the window, allowed in the next one.
        #expect(throws: Store.RateLimitHit.self) {
            _ = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se", policy: policy),
                                        at: Self.nextWindow - 1)
        }
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se", browser: 4, policy: policy),
                                    at: Self.nextWindow)
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox") == 3)
    }

    @Test func nonMembersAreLimitedTheSameWay() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        let policy = try RateLimitPolicy(parsing: "member=2/10min")
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "eve@example.se", policy: policy))
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "eve@example.se", policy: policy))
        #expect(throws: Store.RateLimitHit.self) {
            _ = try fixture.startSignIn(try fixture.request(workspace, email: "eve@example.se", policy: policy))
        }
        // Another address is counted on its own.
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "mallory@example.se", policy: policy))
    }

    @Test func theIPLimitCountsEveryAddress() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        let policy = try RateLimitPolicy(parsing: "ip=3/min")
        for index in 0..<3 {
            _ = try fixture.startSignIn(try fixture.request(workspace, email: "u\(index)@example.se", ip: "198.51.100.9",
                                                            policy: policy))
        }
        do {
            _ = try fixture.startSignIn(try fixture.request(workspace, email: "u9@example.se", ip: "198.51.100.9", policy: policy))
            Issue.record("the fourth attempt from one address was allowed")
        } catch let hit as Store.RateLimitHit {
            #expect(hit.kind == .ip)
            #expect(hit.key == "198.51.100.9")
        }
        // Another client address is not affected; the next minute is free again.
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "u9@example.se", ip: "198.51.100.10", policy: policy))
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "u9@example.se", ip: "198.51.100.9", policy: policy),
                                    at: Self.now + 60)
    }

    @Test func offMeansNoLimit() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        for _ in 0..<20 {
            _ = try fixture.startSignIn(try fixture.request(workspace, email: "eve@example.se", policy: .off))
        }
        #expect(try fixture.count("SELECT COUNT(*) FROM rate_limit") == 0)
    }

    @Test func aRateLimitHitIsAudited() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        let member = try fixture.member(workspace, email: "anna@example.se")
        let policy = try RateLimitPolicy(parsing: "member=1/10min")
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se", policy: policy))
        #expect(throws: Store.RateLimitHit.self) {
            _ = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se", ip: "203.0.113.5", policy: policy),
                                        at: Self.now + 1)
        }
        let entries = try fixture.store.auditEntries()
        let hit = entries.first { $0.event == "rate-limited" }
        #expect(hit != nil, "no audit entry for the rate-limit hit (DESIGN §2: audit every rate-limit hit)")
        #expect(hit?.outcome == "member")
        #expect(hit?.memberID == member.id)
        #expect(hit?.ip == "203.0.113.5")
        #expect(hit?.at == Self.now + 1)

        // Later refusals in the window are refused alike but write nothing: requests over a limit
        // cannot fill the database. The next window's first refusal is recorded again.
        let counts = try fixture.count("SELECT SUM(count) FROM rate_limit")
        for second in 2...20 {
            #expect(throws: Store.RateLimitHit.self) {
                _ = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se", policy: policy),
                                            at: Self.now + Int64(second))
            }
        }
        #expect(try fixture.count("SELECT COUNT(*) FROM audit WHERE event = 'rate-limited'") == 1)
        #expect(try fixture.count("SELECT SUM(count) FROM rate_limit") == counts)
        #expect(try fixture.count("SELECT COUNT(*) FROM sign_in_attempt") == 1)
        _ = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se", policy: policy), at: Self.now + 600)
        #expect(throws: Store.RateLimitHit.self) {
            _ = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se", policy: policy), at: Self.now + 601)
        }
        #expect(try fixture.count("SELECT COUNT(*) FROM audit WHERE event = 'rate-limited'") == 2)
    }
}
