import KonfidentCore
import Testing

/// The BankID order as the relying party keeps it: collect at most every 2 s, the final answer kept,
/// used once, expired after BankID's three minutes (+ margin); and its sealed secrets.
@Suite struct BankIDOrderTests {
    static let start: Int64 = 1_700_000_000

    @Test func collectIsDueEveryTwoSeconds() {
        var order = BankIDOrder(startedAt: Self.start)
        #expect(order.isDueForCollect(at: Self.start))
        order.record(.pending(hint: "outstandingTransaction"), at: Self.start)
        #expect(!order.isDueForCollect(at: Self.start))
        #expect(!order.isDueForCollect(at: Self.start + 1))
        #expect(!order.isDueForCollect(at: Self.start + 2))  // whole seconds: 2 may be 1.01 real ones
        #expect(order.isDueForCollect(at: Self.start + 3))
        #expect(order.hintCode == "outstandingTransaction")
        #expect(order.status(at: Self.start + 1) == .pending)
    }

    @Test func completeKeepsTheIdentityAndIsUsedOnce() throws {
        var order = BankIDOrder(startedAt: Self.start)
        order.record(.pending(hint: "userSign"), at: Self.start + 2)
        order.record(.complete(personnummer: "199908072391"), at: Self.start + 4)
        #expect(order.state == .complete)
        #expect(order.personnummer == "199908072391")
        #expect(!order.isDueForCollect(at: Self.start + 100))
        #expect(!order.needsSecrets)
        // A later answer changes nothing: the service answers a finished order's collect with an error.
        order.record(.error(code: "invalidParameters"), at: Self.start + 6)
        #expect(order.state == .complete)
        #expect(order.errorCode == nil)
        try order.use()
        #expect(order.state == .used)
        #expect(throws: BankIDOrder.Failure.alreadyUsed) { try order.use() }
    }

    @Test func failedAndCancelledCannotBeUsed() {
        var failed = BankIDOrder(startedAt: Self.start)
        failed.record(.failed(hint: "userCancel"), at: Self.start + 2)
        #expect(failed.status(at: Self.start + 2) == .failed)
        #expect(throws: BankIDOrder.Failure.notComplete) { try failed.use() }
        failed.cancel()
        #expect(failed.state == .failed)

        var cancelled = BankIDOrder(startedAt: Self.start)
        cancelled.cancel()
        #expect(cancelled.state == .cancelled)
        #expect(!cancelled.isDueForCollect(at: Self.start + 10))
        #expect(throws: BankIDOrder.Failure.notComplete) { try cancelled.use() }
        var pending = BankIDOrder(startedAt: Self.start)
        #expect(throws: BankIDOrder.Failure.notComplete) { try pending.use() }
    }

    @Test func anErrorEndsTheOrder() {
        var order = BankIDOrder(startedAt: Self.start)
        order.record(.error(code: "maintenance"), at: Self.start)
        #expect(order.state == .failed)
        #expect(order.errorCode == "maintenance")
    }

    @Test func anUnansweredCollectKeepsTheOrderUntilTheLimit() {
        var order = BankIDOrder(startedAt: Self.start)
        order.record(.pending(hint: "outstandingTransaction"), at: Self.start + 3)
        order.record(.unanswered(code: "transport-connect"), at: Self.start + 6)
        #expect(order.state == .pending)
        #expect(order.unansweredSince == Self.start + 6)
        #expect(order.errorCode == nil)
        #expect(order.hintCode == "outstandingTransaction")
        #expect(order.needsSecrets)
        #expect(!order.isDueForCollect(at: Self.start + 8))
        #expect(order.isDueForCollect(at: Self.start + 9))
        order.record(.unanswered(code: "maintenance"), at: Self.start + 9)
        #expect(order.state == .pending)
        #expect(order.unansweredSince == Self.start + 6)
        // An answer ends the streak: the next failure starts a new one.
        order.record(.pending(hint: "userSign"), at: Self.start + 12)
        #expect(order.unansweredSince == nil)
        #expect(order.hintCode == "userSign")
        let streak = Self.start + 15
        order.record(.unanswered(code: "transport-timeout"), at: streak)
        order.record(.unanswered(code: "transport-timeout"), at: streak + BankIDOrder.unansweredLimit - 1)
        #expect(order.state == .pending)
        order.record(.unanswered(code: "maintenance"), at: streak + BankIDOrder.unansweredLimit)
        #expect(order.state == .failed)
        #expect(order.errorCode == "maintenance")
        #expect(!order.needsSecrets)
        // A finished order keeps its answer.
        order.record(.complete(personnummer: "199908072391"), at: streak + 20)
        #expect(order.state == .failed)
        #expect(order.personnummer == nil)
    }

    @Test func anUnansweredCollectBeforeCompletionLosesNothing() {
        var order = BankIDOrder(startedAt: Self.start)
        order.record(.unanswered(code: "transport-timeout"), at: Self.start + 3)
        order.record(.complete(personnummer: "199908072391"), at: Self.start + 6)
        #expect(order.state == .complete)
        #expect(order.personnummer == "199908072391")
        #expect(order.unansweredSince == nil)
        #expect(order.errorCode == nil)
    }

    @Test func pendingExpiresAfterItsLifetime() {
        let order = BankIDOrder(startedAt: Self.start)
        #expect(order.status(at: Self.start + BankIDOrder.lifetime - 1) == .pending)
        #expect(order.status(at: Self.start + BankIDOrder.lifetime) == .expired)
        #expect(!order.isDueForCollect(at: Self.start + BankIDOrder.lifetime))
        #expect(order.qrSeconds(at: Self.start + 7) == 7)
        #expect(order.qrSeconds(at: Self.start - 5) == 0)
    }

    @Test func secretsOpenOnlyWithTheSameCookieAndKey() {
        let key = ServerKey(bytes: Array(repeating: 7, count: 32))
        let secrets = BankIDOrderSecrets(qrStartToken: "67df3917-fa0d-44e5-b327-edcc928297f8",
                                         qrStartSecret: "d28db9a7-4cde-429e-a983-359be676944c",
                                         autoStartToken: "7c40b5c9-fa74-49cf-b98c-bfe651f9a7c6")
        let sealed = secrets.sealed(key, browserSecret: "cookie-a")
        #expect(BankIDOrderSecrets(sealed: sealed, key, browserSecret: "cookie-a") == secrets)
        #expect(BankIDOrderSecrets(sealed: sealed, key, browserSecret: "cookie-b") == nil)
        #expect(BankIDOrderSecrets(sealed: sealed, ServerKey(bytes: Array(repeating: 8, count: 32)), browserSecret: "cookie-a") == nil)
        let text = String(decoding: sealed, as: UTF8.self)
        #expect(!text.contains("d28db9a7"))
        var tampered = sealed
        tampered[tampered.count / 2] ^= 1
        #expect(BankIDOrderSecrets(sealed: tampered, key, browserSecret: "cookie-a") == nil)
        for length in [0, 1, 12, 27, 28, 29] {
            #expect(BankIDOrderSecrets(sealed: Array(repeating: 0, count: length), key, browserSecret: "cookie-a") == nil)
        }
    }

    @Test func invitationByEmailNeedsTheBankIDProofBeforeFinish() throws {
        var invitation = Invitation(createdAt: Self.start, expiresAt: Self.start + 86_400, requiredChannels: [.email],
                                    requiresBankID: true)
        #expect(throws: Invitation.Failure.notAccepted) { try invitation.proveBankID(at: Self.start) }
        try invitation.confirm(.email, at: Self.start + 1)
        #expect(invitation.awaitsBankID(at: Self.start + 1))
        #expect(throws: Invitation.Failure.notAccepted) { try invitation.finish(at: Self.start + 2) }
        try invitation.proveBankID(at: Self.start + 3)
        #expect(!invitation.awaitsBankID(at: Self.start + 3))
        #expect(throws: Invitation.Failure.alreadyUsed) { try invitation.proveBankID(at: Self.start + 3) }
        try invitation.finish(at: Self.start + 4)
        #expect(invitation.state == .completed)
    }

    @Test func invitationWithoutBankIDRefusesTheProof() throws {
        var invitation = Invitation(createdAt: Self.start, expiresAt: Self.start + 86_400, requiredChannels: [.email])
        try invitation.confirm(.email, at: Self.start + 1)
        #expect(!invitation.awaitsBankID(at: Self.start + 1))
        #expect(throws: Invitation.Failure.channelNotRequired) { try invitation.proveBankID(at: Self.start + 1) }
        var late = Invitation(createdAt: Self.start, expiresAt: Self.start + 10, requiredChannels: [.email], requiresBankID: true)
        try late.confirm(.email, at: Self.start + 1)
        #expect(throws: Invitation.Failure.expired) { try late.proveBankID(at: Self.start + 10) }
    }
}
