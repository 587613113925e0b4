import Foundation
import GRDB
import KonfidentCore
@testable import KonfidentStore
import Testing

/// Invitations and member administration in the store (DESIGN §1 screens 5, 6, 8; §2).
@Suite struct InvitationStoreTests {
    static let now = StoreFixture.now
    static let ip = "192.0.2.7"
    static let week: Int64 = 7 * 86_400

    let fixture: StoreFixture
    let workspace: Workspace
    let admin: Member

    init() throws {
        fixture = try StoreFixture()
        workspace = try fixture.workspace()
        admin = try fixture.member(workspace, email: "admin@example.se", role: .administrator)
    }

    var store: Store { fixture.store }

    func request(email: String?, method: LoginMethod = .email, phone: String? = nil, personnummer: String? = nil,
                 role: Role = .general, nonce: UInt8 = 7) throws -> InvitationRequest {
        let new = NewMember(email: try email.map { try EmailAddress(parsing: $0) },
                            phone: try phone.map { try PhoneNumber(parsing: $0) },
                            personnummer: try personnummer.map {
                                try Personnummer(parsing: $0, today: CivilDate(year: 2025, month: 6, day: 15))
                            },
                            method: method, role: role)
        return InvitationRequest(workspace: workspace, member: new, invitedBy: admin,
                                 matchCode: MatchCode(randomBytes: [0, 42, 59]),
                                 nonce: Array(repeating: nonce, count: 16), language: .en, ip: Self.ip,
                                 lifetime: Self.week)
    }

    /// Invites like the real wiring: token hashes from the server key; returns the raw tokens too.
    func invite(_ request: InvitationRequest, at now: Int64 = StoreFixture.now) throws
        -> (Member, StoredInvitation?, [LinkChannel: String]) {
        var tokens: [LinkChannel: String] = [:]
        let (member, invitation) = try store.invite(request, at: now) { id, channel in
            let token = fixture.key.linkToken(purpose: .invitation, id: id, nonce: request.nonce, channel: channel)
            tokens[channel] = token
            return Secret.hash(token)
        }
        return (member, invitation, tokens)
    }

    func outbox(kind: String) throws -> Int {
        try fixture.count("SELECT COUNT(*) FROM outbox WHERE kind = '\(kind)'")
    }

    // MARK: invite

    @Test func inviteStoresInvitedMemberInvitationAndOneMail() throws {
        let (member, stored, tokens) = try invite(try request(email: "Berit@Example.se"))
        #expect(member.state == .invited)
        #expect(member.email == "Berit@Example.se")
        #expect(member.method == .email)
        #expect(member.role == .general)
        #expect(try store.member(id: member.id)?.state == .invited)

        let invitation = try #require(stored)
        #expect(invitation.memberID == member.id)
        #expect(invitation.workspaceID == workspace.id)
        #expect(invitation.invitedBy == admin.id)
        #expect(invitation.invitation.state == .pending)
        #expect(invitation.invitation.requiredChannels == [.email])
        #expect(invitation.invitation.createdAt == Self.now)
        #expect(invitation.invitation.expiresAt == Self.now + Self.week)
        #expect(invitation.browserHash == nil)
        #expect(tokens.keys.sorted() == [.email])

        #expect(try fixture.count("SELECT COUNT(*) FROM invitation") == 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox") == 1)
        #expect(try outbox(kind: "invitation") == 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox WHERE channel = 'email' AND recipient = 'Berit@Example.se' AND subject_id = \(invitation.id) AND member_id = \(member.id)") == 1)
        // The raw token never reaches the database.
        let raw = try #require(tokens[.email])
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox WHERE instr(CAST(recipient AS TEXT), '\(raw)') > 0") == 0)

        // The link finds it back.
        let (found, channel) = try #require(try store.invitation(tokenHash: Secret.hash(raw), workspaceID: workspace.id))
        #expect(found.id == invitation.id)
        #expect(channel == .email)
    }

    @Test func twoFactorInvitationHasBothLinksButOnlyTheMailIsQueued() throws {
        let (_, stored, tokens) = try invite(try request(email: "cecilia@example.se", method: .twoFactor,
                                                        phone: "+46 70 123 45 67"))
        let invitation = try #require(stored)
        #expect(invitation.invitation.requiredChannels == [.email, .sms])
        #expect(tokens.keys.sorted() == [.email, .sms])
        #expect(try outbox(kind: "invitation") == 1)
        #expect(try outbox(kind: "invitation-sms") == 0)
        let (_, channel) = try #require(try store.invitation(tokenHash: Secret.hash(tokens[.sms]!), workspaceID: workspace.id))
        #expect(channel == .sms)
    }

    @Test func bankIDMemberWithPersonnummerOnlyGetsNoInvitationNorMessage() throws {
        let (member, stored, tokens) = try invite(try request(email: nil, method: .bankid, personnummer: "19121212-1212"))
        #expect(stored == nil)
        #expect(tokens.isEmpty)
        #expect(member.state == .invited)
        #expect(member.email == nil)
        #expect(member.personnummer == "191212121212")
        #expect(try fixture.count("SELECT COUNT(*) FROM invitation") == 0)
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox") == 0)
    }

    @Test func invitingTheSameAddressTwiceIsADuplicate() throws {
        _ = try invite(try request(email: "dora@example.se"))
        #expect(throws: StoreError.self) { _ = try invite(try request(email: "DORA@example.se")) }
        #expect(try fixture.count("SELECT COUNT(*) FROM invitation") == 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox") == 1)
    }

    // MARK: accept and finish

    @Test func acceptingTheEmailLinkOfTwoFactorQueuesOneSMSAndBindsTheBrowser() throws {
        let (member, stored, _) = try invite(try request(email: "erik@example.se", method: .twoFactor, phone: "+46701234567"))
        let id = try #require(stored).id
        let browser = Secret.hash("browser-secret-1")
        let accepted = try store.acceptInvitation(id: id, channel: .email, browserHash: browser, language: .sv,
                                                  policy: .off, ip: Self.ip, at: Self.now + 60)
        #expect(accepted.invitation.state == .pending)
        #expect(accepted.invitation.confirmedChannels == [.email])
        #expect(accepted.invitation.missingChannels == [.sms])
        #expect(accepted.browserHash == browser)
        #expect(try store.invitation(id: id)?.browserHash == browser)
        #expect(try store.invitation(browserHash: browser, workspaceID: workspace.id)?.id == id)

        #expect(try outbox(kind: "invitation-sms") == 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox WHERE kind = 'invitation-sms' AND channel = 'sms' AND recipient = '+46701234567' AND subject_id = \(id) AND member_id = \(member.id) AND language = 'sv'") == 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox") == 2)

        // The SMS link (no browser hash) finishes the proofs and queues nothing more.
        let done = try store.acceptInvitation(id: id, channel: .sms, browserHash: nil, language: .sv, policy: .off,
                                              ip: Self.ip, at: Self.now + 120)
        #expect(done.invitation.state == .accepted)
        #expect(done.browserHash == browser)
        #expect(try outbox(kind: "invitation-sms") == 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox") == 2)
    }

    @Test func acceptingAnEmailInvitationQueuesNoSMS() throws {
        let (_, stored, _) = try invite(try request(email: "frida@example.se"))
        let id = try #require(stored).id
        let accepted = try store.acceptInvitation(id: id, channel: .email, browserHash: Secret.hash("b"), language: .en,
                                                  policy: .off, ip: Self.ip, at: Self.now + 1)
        #expect(accepted.invitation.state == .accepted)
        #expect(try outbox(kind: "invitation-sms") == 0)
        #expect(throws: Invitation.Failure.alreadyUsed) {
            _ = try store.acceptInvitation(id: id, channel: .email, browserHash: Secret.hash("other"), language: .en,
                                           policy: .off, ip: Self.ip, at: Self.now + 2)
        }
        // The refused second accept does not take the invitation over to another browser.
        #expect(try store.invitation(id: id)?.browserHash == Secret.hash("b"))
    }

    @Test func smsLimitRefusesTheSecondInvitationSMSForTheSameNumber() throws {
        let policy = try RateLimitPolicy(parsing: "sms=1/10min")
        let (_, first, _) = try invite(try request(email: "gustav@example.se", method: .twoFactor, phone: "+46701234567", nonce: 1))
        let (_, second, _) = try invite(try request(email: "hanna@example.se", method: .twoFactor, phone: "+46 70-123 45 67", nonce: 2))
        let firstID = try #require(first).id
        let secondID = try #require(second).id

        _ = try store.acceptInvitation(id: firstID, channel: .email, browserHash: Secret.hash("b1"), language: .en,
                                       policy: policy, ip: Self.ip, at: Self.now + 10)
        #expect(try outbox(kind: "invitation-sms") == 1)

        do {
            _ = try store.acceptInvitation(id: secondID, channel: .email, browserHash: Secret.hash("b2"), language: .en,
                                           policy: policy, ip: Self.ip, at: Self.now + 20)
            Issue.record("the second SMS within the window was not limited")
        } catch let hit as Store.RateLimitHit {
            #expect(hit.kind == .sms)
            #expect(hit.key == "+46701234567")
        }
        #expect(try outbox(kind: "invitation-sms") == 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox") == 3)
        // The refused accept changed nothing on the invitation.
        let untouched = try #require(try store.invitation(id: secondID))
        #expect(untouched.invitation.state == .pending)
        #expect(untouched.invitation.confirmedChannels.isEmpty)
        #expect(untouched.browserHash == nil)
    }

    @Test func finishActivatesTheMemberAndOpensASessionOnce() throws {
        let (member, stored, _) = try invite(try request(email: "ida@example.se"))
        let id = try #require(stored).id
        _ = try store.acceptInvitation(id: id, channel: .email, browserHash: Secret.hash("b"), language: .en,
                                       policy: .off, ip: Self.ip, at: Self.now + 10)
        let sessionHash = Secret.hash("session-1")
        let finished = try store.finishInvitation(id: id, sessionHash: sessionHash, sessionLifetime: 43_200, ip: Self.ip,
                                                  at: Self.now + 20)
        #expect(finished.id == member.id)
        #expect(finished.state == .active)
        #expect(try store.member(id: member.id)?.state == .active)
        #expect(try store.invitation(id: id)?.invitation.state == .completed)
        let session = try #require(try store.session(hash: sessionHash, workspaceID: workspace.id, idleTimeout: 1_800,
                                                     at: Self.now + 30))
        #expect(session.member.id == member.id)
        #expect(session.expiresAt == Self.now + 20 + 43_200)
        #expect(try fixture.count("SELECT COUNT(*) FROM session") == 1)

        #expect(throws: Invitation.Failure.alreadyUsed) {
            _ = try store.finishInvitation(id: id, sessionHash: Secret.hash("session-2"), sessionLifetime: 43_200,
                                           ip: Self.ip, at: Self.now + 40)
        }
        #expect(try fixture.count("SELECT COUNT(*) FROM session") == 1)
    }

    @Test func finishBeforeAcceptingOpensNoSession() throws {
        let (member, stored, _) = try invite(try request(email: "jonas@example.se"))
        let id = try #require(stored).id
        #expect(throws: Invitation.Failure.notAccepted) {
            _ = try store.finishInvitation(id: id, sessionHash: Secret.hash("s"), sessionLifetime: 43_200, ip: Self.ip,
                                           at: Self.now + 1)
        }
        #expect(try store.member(id: member.id)?.state == .invited)
        #expect(try fixture.count("SELECT COUNT(*) FROM session") == 0)
    }

    // MARK: re-send and revoke

    @Test func resendSupersedesTheOldInvitation() throws {
        let (member, stored, tokens) = try invite(try request(email: "karin@example.se", nonce: 1))
        let old = try #require(stored)
        var tokens2: [LinkChannel: String] = [:]
        let resend = try request(email: nil, nonce: 2)
        let fresh = try #require(try store.resendInvitation(memberID: member.id, request: resend, at: Self.now + 100) { id, channel in
            let token = fixture.key.linkToken(purpose: .invitation, id: id, nonce: resend.nonce, channel: channel)
            tokens2[channel] = token
            return Secret.hash(token)
        })
        #expect(fresh.id != old.id)
        #expect(fresh.memberID == member.id)
        #expect(fresh.invitation.state == .pending)
        #expect(fresh.invitation.expiresAt == Self.now + 100 + Self.week)
        #expect(try store.invitation(id: old.id)?.invitation.state == .superseded)
        #expect(try outbox(kind: "invitation") == 2)
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox WHERE kind = 'invitation' AND subject_id = \(fresh.id) AND recipient = 'karin@example.se'") == 1)

        let (oldFound, _) = try #require(try store.invitation(tokenHash: Secret.hash(tokens[.email]!), workspaceID: workspace.id))
        #expect(oldFound.invitation.status(at: Self.now + 101) == .superseded)
        #expect(throws: Invitation.Failure.superseded) {
            _ = try store.acceptInvitation(id: old.id, channel: .email, browserHash: Secret.hash("b"), language: .en,
                                           policy: .off, ip: Self.ip, at: Self.now + 101)
        }
        let (newFound, _) = try #require(try store.invitation(tokenHash: Secret.hash(tokens2[.email]!), workspaceID: workspace.id))
        #expect(newFound.id == fresh.id)
    }

    @Test func resendForAnActiveMemberIsNotFound() throws {
        let active = try fixture.member(workspace, email: "lars@example.se")
        #expect(throws: StoreError.self) {
            _ = try store.resendInvitation(memberID: active.id, request: try request(email: nil), at: Self.now) { _, _ in [1] }
        }
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox") == 0)
        #expect(try fixture.count("SELECT COUNT(*) FROM invitation") == 0)
    }

    @Test func revokeEndsSessionsCancelsAttemptsAndRevokesInvitations() throws {
        // An active member (through an invitation) with a session and a pending sign-in attempt.
        let (active, activeInvitation, _) = try invite(try request(email: "maja@example.se", nonce: 1))
        let activeID = try #require(activeInvitation).id
        _ = try store.acceptInvitation(id: activeID, channel: .email, browserHash: Secret.hash("b"), language: .en,
                                       policy: .off, ip: Self.ip, at: Self.now + 1)
        let sessionHash = Secret.hash("maja-session")
        _ = try store.finishInvitation(id: activeID, sessionHash: sessionHash, sessionLifetime: 43_200, ip: Self.ip,
                                       at: Self.now + 2)
        let (attempt, _) = try fixture.startSignIn(try fixture.request(workspace, email: "maja@example.se"), at: Self.now + 3)
        #expect(attempt.memberID == active.id)

        try store.revokeMember(id: active.id, in: workspace, by: admin, ip: Self.ip, at: Self.now + 10)
        #expect(try store.member(id: active.id)?.state == .revoked)
        #expect(try store.session(hash: sessionHash, workspaceID: workspace.id, idleTimeout: 1_800, at: Self.now + 11) == nil)
        #expect(try fixture.count("SELECT COUNT(*) FROM session WHERE member_id = \(active.id) AND ended_at = \(Self.now + 10)") == 1)
        #expect(try store.attempt(id: attempt.id)?.attempt.state == .cancelled)
        // The completed invitation stays completed.
        #expect(try store.invitation(id: activeID)?.invitation.state == .completed)

        // An invited member: the pending invitation is revoked and its link stops working.
        let (invited, pending, _) = try invite(try request(email: "nils@example.se", nonce: 2))
        let pendingID = try #require(pending).id
        try store.revokeMember(id: invited.id, in: workspace, by: admin, ip: Self.ip, at: Self.now + 20)
        #expect(try store.invitation(id: pendingID)?.invitation.state == .revoked)
        #expect(throws: Invitation.Failure.revoked) {
            _ = try store.acceptInvitation(id: pendingID, channel: .email, browserHash: Secret.hash("c"), language: .en,
                                           policy: .off, ip: Self.ip, at: Self.now + 21)
        }
        // The admin's own session world is untouched.
        #expect(try store.member(id: admin.id)?.state == .active)
    }

    @Test func revokeOfAMemberInAnotherWorkspaceIsNotFound() throws {
        let other = try fixture.workspace("other", url: "https://other.konfident.example/")
        let stranger = try fixture.member(other, email: "olle@example.se")
        #expect(throws: AdministrationRefusal.notFound) {
            try store.revokeMember(id: stranger.id, in: workspace, by: admin, ip: Self.ip, at: Self.now)
        }
        #expect(try store.member(id: stranger.id)?.state == .active)
    }

    @Test func theLastActiveAdministratorCannotBeRevokedOrDemoted() throws {
        // An invited administrator does not count as another active one.
        _ = try fixture.member(workspace, email: "invited-admin@example.se", role: .administrator, state: .invited)
        #expect(throws: AdministrationRefusal.lastAdministrator) {
            try store.revokeMember(id: admin.id, in: workspace, by: admin, ip: Self.ip, at: Self.now)
        }
        #expect(throws: AdministrationRefusal.lastAdministrator) {
            try store.changeRole(of: admin.id, to: .general, in: workspace, by: admin, ip: Self.ip, at: Self.now)
        }
        #expect(throws: AdministrationRefusal.lastAdministrator) {
            try store.changeRole(of: admin.id, to: .limited, in: workspace, by: admin, ip: Self.ip, at: Self.now)
        }
        let unchanged = try #require(try store.member(id: admin.id))
        #expect(unchanged.state == .active)
        #expect(unchanged.role == .administrator)
        // Staying administrator is no demotion.
        try store.changeRole(of: admin.id, to: .administrator, in: workspace, by: admin, ip: Self.ip, at: Self.now)
    }

    @Test func withTwoAdministratorsRevokeAndDemoteWork() throws {
        let second = try fixture.member(workspace, email: "second-admin@example.se", role: .administrator)
        try store.changeRole(of: second.id, to: .limited, in: workspace, by: admin, ip: Self.ip, at: Self.now)
        #expect(try store.member(id: second.id)?.role == .limited)
        // Now the first is the last one again.
        #expect(throws: AdministrationRefusal.lastAdministrator) {
            try store.revokeMember(id: admin.id, in: workspace, by: admin, ip: Self.ip, at: Self.now)
        }
        try store.changeRole(of: second.id, to: .administrator, in: workspace, by: admin, ip: Self.ip, at: Self.now)
        try store.revokeMember(id: admin.id, in: workspace, by: second, ip: Self.ip, at: Self.now + 1)
        #expect(try store.member(id: admin.id)?.state == .revoked)
        #expect(try store.member(id: second.id)?.state == .active)
        #expect(throws: AdministrationRefusal.lastAdministrator) {
            try store.revokeMember(id: second.id, in: workspace, by: second, ip: Self.ip, at: Self.now + 2)
        }
    }
}

/// Revoking by mistake must not lock a person out for good.
@Suite struct RevokedMemberInvitedAgainTests {
    @Test func invitingARevokedAddressRevivesTheMemberWithANewInvitation() throws {
        let tests = try InvitationStoreTests()
        let (first, firstInvitation, firstTokens) = try tests.invite(try tests.request(email: "eve@example.se"))
        try tests.store.revokeMember(id: first.id, in: tests.workspace, by: tests.admin, ip: nil, at: StoreFixture.now)
        #expect(try tests.store.member(id: first.id)?.state == .revoked)

        let (again, invitation, tokens) = try tests.invite(
            try tests.request(email: "EVE@example.se", method: .twoFactor, phone: "+46701234567", role: .limited, nonce: 9),
            at: StoreFixture.now + 60)
        #expect(again.id == first.id)
        #expect(again.state == .invited)
        #expect(again.method == .twoFactor)
        #expect(again.role == .limited)
        #expect(again.phone == "+46701234567")
        #expect(invitation?.id != firstInvitation?.id)
        #expect(tokens[.email] != firstTokens[.email])
        // The old invitation stays revoked; the new one is pending.
        let firstID = try #require(firstInvitation?.id)
        let old = try #require(try tests.store.invitation(id: firstID))
        #expect(old.invitation.state == .revoked)
        #expect(invitation?.invitation.state == .pending)
    }

    @Test func anActiveMemberIsStillADuplicate() throws {
        let tests = try InvitationStoreTests()
        #expect(throws: StoreError.self) { _ = try tests.invite(try tests.request(email: "admin@example.se")) }
    }
}
