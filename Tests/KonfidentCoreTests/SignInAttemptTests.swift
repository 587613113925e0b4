import KonfidentCore
import Testing

@Suite struct SignInAttemptTests {
    static let start: Int64 = 1_700_000_000
    static let lifetime: Int64 = 600

    func emailAttempt() -> SignInAttempt {
        SignInAttempt(createdAt: Self.start, lifetime: Self.lifetime, requiredChannels: LoginMethod.email.linkChannels)
    }

    func twoFactorAttempt() -> SignInAttempt {
        SignInAttempt(createdAt: Self.start, lifetime: Self.lifetime, requiredChannels: LoginMethod.twoFactor.linkChannels)
    }

    @Test func aNewAttemptIsPendingUntilItsLifetimeEnds() {
        let attempt = emailAttempt()
        #expect(attempt.state == .pending)
        #expect(attempt.createdAt == Self.start)
        #expect(attempt.expiresAt == Self.start + 600)
        #expect(attempt.confirmedChannels.isEmpty)
        #expect(attempt.missingChannels == [.email])
        #expect(attempt.status(at: Self.start) == .pending)
        #expect(attempt.status(at: Self.start + 599) == .pending)
        #expect(attempt.status(at: Self.start + 600) == .expired)
        #expect(attempt.status(at: Self.start + 10_000) == .expired)
    }

    @Test func emailPathFromPendingToCompleted() throws {
        var attempt = emailAttempt()
        try attempt.confirm(.email, at: Self.start + 30)
        #expect(attempt.state == .verified)
        #expect(attempt.confirmedChannels == [.email])
        #expect(attempt.missingChannels == [])
        #expect(attempt.status(at: Self.start + 31) == .verified)
        try attempt.complete(at: Self.start + 32)
        #expect(attempt.state == .completed)
        #expect(attempt.status(at: Self.start + 33) == .completed)
        // Completed stays completed, even after the lifetime.
        #expect(attempt.status(at: Self.start + 100_000) == .completed)
    }

    @Test func twoFactorNeedsBothChannels() throws {
        var attempt = twoFactorAttempt()
        #expect(attempt.missingChannels == [.email, .sms])
        try attempt.confirm(.sms, at: Self.start + 10)
        #expect(attempt.state == .pending)
        #expect(attempt.status(at: Self.start + 10) == .pending)
        #expect(attempt.missingChannels == [.email])
        #expect(throws: SignInAttempt.Failure.alreadyUsed) { try attempt.complete(at: Self.start + 11) }
        try attempt.confirm(.email, at: Self.start + 20)
        #expect(attempt.state == .verified)
        #expect(attempt.missingChannels == [])
        #expect(attempt.confirmedChannels == [.email, .sms])
        try attempt.complete(at: Self.start + 21)
        #expect(attempt.state == .completed)
    }

    @Test func missingChannelsAreInAStableOrder() {
        let emailConfirmed = SignInAttempt(state: .pending, createdAt: Self.start, expiresAt: Self.start + 600,
                                           requiredChannels: [.sms, .email], confirmedChannels: [.email])
        #expect(emailConfirmed.missingChannels == [.sms])
        for _ in 0..<20 {
            let fresh = SignInAttempt(createdAt: Self.start, lifetime: 600, requiredChannels: Set([.sms, .email]))
            #expect(fresh.missingChannels == [.email, .sms])
        }
    }

    @Test func confirmingTheSameLinkTwiceIsAlreadyUsed() throws {
        var email = emailAttempt()
        try email.confirm(.email, at: Self.start + 1)
        #expect(throws: SignInAttempt.Failure.alreadyUsed) { try email.confirm(.email, at: Self.start + 2) }
        #expect(email.state == .verified)

        var twoFactor = twoFactorAttempt()
        try twoFactor.confirm(.email, at: Self.start + 1)
        #expect(throws: SignInAttempt.Failure.alreadyUsed) { try twoFactor.confirm(.email, at: Self.start + 2) }
        #expect(twoFactor.state == .pending)
        #expect(twoFactor.confirmedChannels == [.email])
    }

    @Test func aLinkConfirmedAtExpiresAtIsExpired() throws {
        var late = emailAttempt()
        #expect(throws: SignInAttempt.Failure.expired) { try late.confirm(.email, at: Self.start + 600) }
        #expect(late.state == .pending)
        #expect(late.confirmedChannels.isEmpty)

        var justInTime = emailAttempt()
        try justInTime.confirm(.email, at: Self.start + 599)
        #expect(justInTime.state == .verified)
    }

    @Test func aVerifiedAttemptExpiresTooIfNotPickedUp() throws {
        var attempt = emailAttempt()
        try attempt.confirm(.email, at: Self.start + 5)
        #expect(attempt.status(at: Self.start + 600) == .expired)
        #expect(throws: SignInAttempt.Failure.expired) { try attempt.complete(at: Self.start + 600) }
        #expect(attempt.state == .verified)
        var inTime = emailAttempt()
        try inTime.confirm(.email, at: Self.start + 5)
        try inTime.complete(at: Self.start + 599)
        #expect(inTime.state == .completed)
    }

    @Test func completingBeforeVerificationIsRefused() {
        var attempt = emailAttempt()
        #expect(throws: SignInAttempt.Failure.alreadyUsed) { try attempt.complete(at: Self.start + 1) }
        #expect(attempt.state == .pending)
    }

    @Test func completingTwiceIsRefused() throws {
        var attempt = emailAttempt()
        try attempt.confirm(.email, at: Self.start + 1)
        try attempt.complete(at: Self.start + 2)
        #expect(throws: SignInAttempt.Failure.alreadyUsed) { try attempt.complete(at: Self.start + 3) }
        #expect(throws: SignInAttempt.Failure.alreadyUsed) { try attempt.confirm(.email, at: Self.start + 3) }
        #expect(attempt.state == .completed)
    }

    @Test func aChannelThatIsNotRequiredIsRefusedFirst() throws {
        var attempt = emailAttempt()
        #expect(throws: SignInAttempt.Failure.channelNotRequired) { try attempt.confirm(.sms, at: Self.start + 1) }
        #expect(attempt.confirmedChannels.isEmpty)
        // Even once expired, the wrong channel says so.
        #expect(throws: SignInAttempt.Failure.channelNotRequired) { try attempt.confirm(.sms, at: Self.start + 9_999) }

        var bankID = SignInAttempt(createdAt: Self.start, lifetime: 600, requiredChannels: LoginMethod.bankid.linkChannels)
        #expect(throws: SignInAttempt.Failure.channelNotRequired) { try bankID.confirm(.email, at: Self.start + 1) }
        #expect(bankID.missingChannels == [])
    }

    @Test func supersededAttemptsRefuseEverything() throws {
        var pending = emailAttempt()
        pending.supersede()
        #expect(pending.state == .superseded)
        #expect(pending.status(at: Self.start + 1) == .superseded)
        #expect(pending.status(at: Self.start + 10_000) == .superseded)
        #expect(throws: SignInAttempt.Failure.superseded) { try pending.confirm(.email, at: Self.start + 1) }
        #expect(throws: SignInAttempt.Failure.superseded) { try pending.complete(at: Self.start + 1) }

        var verified = emailAttempt()
        try verified.confirm(.email, at: Self.start + 1)
        verified.supersede()
        #expect(verified.state == .superseded)
        #expect(throws: SignInAttempt.Failure.superseded) { try verified.complete(at: Self.start + 2) }
    }

    /// The waiting browser is not told its attempt was superseded: a stranger's never is.
    @Test func theWaitingBrowserSeesASupersededAttemptAsPendingUntilItExpires() throws {
        var attempt = emailAttempt()
        #expect(attempt.waitingStatus(at: Self.start + 1) == .pending)
        attempt.supersede()
        #expect(attempt.waitingStatus(at: Self.start + 1) == .pending)
        #expect(attempt.waitingStatus(at: Self.start + 599) == .pending)
        #expect(attempt.waitingStatus(at: Self.start + 600) == .expired)
        #expect(attempt.status(at: Self.start + 1) == .superseded)
        // Every other state reads as it is.
        var verified = emailAttempt()
        try verified.confirm(.email, at: Self.start + 1)
        #expect(verified.waitingStatus(at: Self.start + 2) == .verified)
        try verified.complete(at: Self.start + 3)
        #expect(verified.waitingStatus(at: Self.start + 4) == .completed)
        var cancelled = emailAttempt()
        cancelled.cancel()
        #expect(cancelled.waitingStatus(at: Self.start + 1) == .cancelled)
        #expect(emailAttempt().waitingStatus(at: Self.start + 600) == .expired)
    }

    @Test func cancelledAttemptsRefuseEverything() throws {
        var attempt = twoFactorAttempt()
        try attempt.confirm(.email, at: Self.start + 1)
        attempt.cancel()
        #expect(attempt.state == .cancelled)
        #expect(attempt.status(at: Self.start + 2) == .cancelled)
        #expect(throws: SignInAttempt.Failure.cancelled) { try attempt.confirm(.sms, at: Self.start + 2) }
        #expect(throws: SignInAttempt.Failure.cancelled) { try attempt.complete(at: Self.start + 2) }
    }

    @Test func endedAttemptsStayEnded() throws {
        var completed = emailAttempt()
        try completed.confirm(.email, at: Self.start + 1)
        try completed.complete(at: Self.start + 2)
        completed.supersede()
        completed.cancel()
        #expect(completed.state == .completed)

        var cancelled = emailAttempt()
        cancelled.cancel()
        cancelled.supersede()
        #expect(cancelled.state == .cancelled)

        var superseded = emailAttempt()
        superseded.supersede()
        superseded.cancel()
        #expect(superseded.state == .superseded)
    }

    @Test func anExpiredAttemptCanStillBeSuperseded() {
        var attempt = emailAttempt()
        attempt.supersede()
        #expect(attempt.status(at: Self.start + 700) == .superseded)
    }

    @Test func theStoredFormRoundTrips() {
        let attempt = SignInAttempt(state: .verified, createdAt: 10, expiresAt: 20,
                                    requiredChannels: [.email], confirmedChannels: [.email])
        #expect(attempt.status(at: 19) == .verified)
        #expect(attempt.status(at: 20) == .expired)
        #expect(SignInAttempt.State(rawValue: "pending") == .pending)
        #expect(SignInAttempt.State(rawValue: "bogus") == nil)
        // The store keeps these names in the database.
        let states: [SignInAttempt.State] = [.pending, .verified, .completed, .superseded, .cancelled]
        #expect(states.map(\.rawValue) == ["pending", "verified", "completed", "superseded", "cancelled"])
    }
}
