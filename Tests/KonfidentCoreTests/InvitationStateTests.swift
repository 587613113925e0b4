import KonfidentCore
import Testing

/// The invitation state machine (DESIGN §1 screens 5–6): pending → accepted → completed, each link
/// once, the SMS link only after the email link, nothing after expiry.
@Suite struct InvitationStateTests {
    static let created: Int64 = 1_700_000_000
    static let lifetime: Int64 = 7 * 86_400
    static var expires: Int64 { created + lifetime }

    static func email() -> Invitation {
        Invitation(createdAt: created, expiresAt: expires, requiredChannels: [.email])
    }

    static func twoFactor() -> Invitation {
        Invitation(createdAt: created, expiresAt: expires, requiredChannels: [.email, .sms])
    }

    @Test func emailInvitationGoesPendingAcceptedCompleted() throws {
        var invitation = Self.email()
        #expect(invitation.state == .pending)
        #expect(invitation.status(at: Self.created) == .pending)
        #expect(invitation.missingChannels == [.email])

        try invitation.confirm(.email, at: Self.created + 60)
        #expect(invitation.state == .accepted)
        #expect(invitation.status(at: Self.created + 60) == .accepted)
        #expect(invitation.confirmedChannels == [.email])
        #expect(invitation.missingChannels == [])

        try invitation.finish(at: Self.created + 120)
        #expect(invitation.state == .completed)
        #expect(invitation.status(at: Self.created + 120) == .completed)
        // Completed stays completed, even after the invitation's lifetime.
        #expect(invitation.status(at: Self.expires + 1) == .completed)
    }

    @Test func twoFactorNeedsEmailThenSMS() throws {
        var invitation = Self.twoFactor()
        #expect(invitation.missingChannels == [.email, .sms])

        #expect(throws: Invitation.Failure.emailFirst) { try invitation.confirm(.sms, at: Self.created + 10) }
        #expect(invitation.state == .pending)
        #expect(invitation.confirmedChannels.isEmpty)
        #expect(invitation.missingChannels == [.email, .sms])

        try invitation.confirm(.email, at: Self.created + 20)
        #expect(invitation.state == .pending)
        #expect(invitation.status(at: Self.created + 20) == .pending)
        #expect(invitation.missingChannels == [.sms])
        #expect(throws: Invitation.Failure.notAccepted) { try invitation.finish(at: Self.created + 25) }

        try invitation.confirm(.sms, at: Self.created + 30)
        #expect(invitation.state == .accepted)
        #expect(invitation.confirmedChannels == [.email, .sms])
        #expect(invitation.missingChannels == [])

        try invitation.finish(at: Self.created + 40)
        #expect(invitation.state == .completed)
    }

    @Test func eachLinkWorksOnce() throws {
        var email = Self.email()
        try email.confirm(.email, at: Self.created + 1)
        #expect(throws: Invitation.Failure.alreadyUsed) { try email.confirm(.email, at: Self.created + 2) }
        #expect(email.state == .accepted)

        // 2FA: the email link twice while the SMS is still missing.
        var twoFactor = Self.twoFactor()
        try twoFactor.confirm(.email, at: Self.created + 1)
        #expect(throws: Invitation.Failure.alreadyUsed) { try twoFactor.confirm(.email, at: Self.created + 2) }
        #expect(twoFactor.state == .pending)
        #expect(twoFactor.confirmedChannels == [.email])

        // After completion every link is used.
        try email.finish(at: Self.created + 3)
        #expect(throws: Invitation.Failure.alreadyUsed) { try email.confirm(.email, at: Self.created + 4) }
        #expect(throws: Invitation.Failure.alreadyUsed) { try email.finish(at: Self.created + 5) }
        #expect(email.state == .completed)
    }

    @Test func expiresExactlyAtExpiresAt() throws {
        let invitation = Self.email()
        #expect(invitation.status(at: Self.expires - 1) == .pending)
        #expect(invitation.status(at: Self.expires) == .expired)
        #expect(invitation.status(at: Self.expires + 86_400) == .expired)

        var late = Self.email()
        #expect(throws: Invitation.Failure.expired) { try late.confirm(.email, at: Self.expires) }
        #expect(late.state == .pending)
        #expect(late.confirmedChannels.isEmpty)

        // Confirmed one second before expiry is fine; Finish at expiry is not.
        var justInTime = Self.email()
        try justInTime.confirm(.email, at: Self.expires - 1)
        #expect(justInTime.status(at: Self.expires - 1) == .accepted)
        #expect(justInTime.status(at: Self.expires) == .expired)
        #expect(throws: Invitation.Failure.expired) { try justInTime.finish(at: Self.expires) }
        #expect(justInTime.state == .accepted)

        // A pending invitation at expiry: finish says expired, not "not accepted".
        var pending = Self.email()
        #expect(throws: Invitation.Failure.expired) { try pending.finish(at: Self.expires) }

        // 2FA half-done at expiry: the SMS link is refused as expired.
        var twoFactor = Self.twoFactor()
        try twoFactor.confirm(.email, at: Self.created)
        #expect(throws: Invitation.Failure.expired) { try twoFactor.confirm(.sms, at: Self.expires) }
        #expect(twoFactor.confirmedChannels == [.email])
    }

    @Test func finishBeforeAcceptedIsNotAccepted() {
        var invitation = Self.email()
        #expect(throws: Invitation.Failure.notAccepted) { try invitation.finish(at: Self.created + 1) }
        #expect(invitation.state == .pending)
    }

    @Test func supersedeOnlyFromPendingOrAccepted() throws {
        var pending = Self.email()
        pending.supersede()
        #expect(pending.state == .superseded)
        #expect(pending.status(at: Self.created) == .superseded)
        #expect(throws: Invitation.Failure.superseded) { try pending.confirm(.email, at: Self.created + 1) }
        #expect(throws: Invitation.Failure.superseded) { try pending.finish(at: Self.created + 1) }
        // Superseded stays superseded after expiry (not "expired").
        #expect(pending.status(at: Self.expires + 1) == .superseded)

        var accepted = Self.email()
        try accepted.confirm(.email, at: Self.created + 1)
        accepted.supersede()
        #expect(accepted.state == .superseded)

        var completed = Self.email()
        try completed.confirm(.email, at: Self.created + 1)
        try completed.finish(at: Self.created + 2)
        completed.supersede()
        #expect(completed.state == .completed)

        var revoked = Self.email()
        revoked.revoke()
        revoked.supersede()
        #expect(revoked.state == .revoked)
    }

    @Test func revokeOnlyFromPendingOrAccepted() throws {
        var pending = Self.twoFactor()
        pending.revoke()
        #expect(pending.state == .revoked)
        #expect(pending.status(at: Self.created) == .revoked)
        #expect(throws: Invitation.Failure.revoked) { try pending.confirm(.email, at: Self.created + 1) }
        #expect(throws: Invitation.Failure.revoked) { try pending.finish(at: Self.created + 1) }

        var accepted = Self.email()
        try accepted.confirm(.email, at: Self.created + 1)
        accepted.revoke()
        #expect(accepted.state == .revoked)

        var completed = Self.email()
        try completed.confirm(.email, at: Self.created + 1)
        try completed.finish(at: Self.created + 2)
        completed.revoke()
        #expect(completed.state == .completed)

        var superseded = Self.email()
        superseded.supersede()
        superseded.revoke()
        #expect(superseded.state == .superseded)
    }

    @Test func channelNotRequiredIsRefusedFirst() {
        var email = Self.email()
        #expect(throws: Invitation.Failure.channelNotRequired) { try email.confirm(.sms, at: Self.created + 1) }
        #expect(email.state == .pending)
        #expect(email.confirmedChannels.isEmpty)
        // Even after expiry, an SMS link on an email invitation is "not required", checked first.
        #expect(throws: Invitation.Failure.channelNotRequired) { try email.confirm(.sms, at: Self.expires + 1) }
    }
}
