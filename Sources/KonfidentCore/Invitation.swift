/// An invitation: sent by an administrator, accepted by the invited person through the link(s) of
/// their method, finished (signed in, membership active) from the browser that accepted it.
/// Email: the email link proves the mailbox. 2FA: the email link, then the SMS link sent after it.
/// Pure: the caller passes the time.
public struct Invitation: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        /// Waiting for the link(s).
        case pending
        /// Every proof given; Finish signs the member in.
        case accepted
        /// Finished: the membership is active.
        case completed
        /// A re-sent invitation replaced this one.
        case superseded
        /// The member was revoked.
        case revoked
    }

    public enum Status: String, Sendable, Equatable {
        case pending, accepted, completed, superseded, revoked, expired
    }

    public enum Failure: Error, Equatable, Sendable {
        case expired
        case alreadyUsed
        case superseded
        case revoked
        case channelNotRequired
        /// The SMS link before the email link: the SMS is only sent once the mailbox is proved.
        case emailFirst
        case notAccepted
    }

    public var state: State
    public let createdAt: Int64
    public let expiresAt: Int64
    public let requiredChannels: Set<LinkChannel>
    public var confirmedChannels: Set<LinkChannel>
    /// A BankID member invited by email: after the email link, a BankID order with the member's
    /// personnummer as requirement must complete before Finish.
    public let requiresBankID: Bool
    public var bankIDProven: Bool

    public init(state: State = .pending, createdAt: Int64, expiresAt: Int64,
                requiredChannels: Set<LinkChannel>, confirmedChannels: Set<LinkChannel> = [],
                requiresBankID: Bool = false, bankIDProven: Bool = false) {
        self.state = state
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.requiredChannels = requiredChannels
        self.confirmedChannels = confirmedChannels
        self.requiresBankID = requiresBankID
        self.bankIDProven = bankIDProven
    }

    /// Whether the BankID proof is what is missing: every link confirmed, no BankID order yet.
    public func awaitsBankID(at now: Int64) -> Bool {
        requiresBankID && !bankIDProven && status(at: now) == .accepted
    }

    /// A BankID order with the member's personnummer completed (only after the email link).
    public mutating func proveBankID(at now: Int64) throws(Failure) {
        switch status(at: now) {
        case .accepted: break
        case .pending: throw .notAccepted
        case .expired: throw .expired
        case .superseded: throw .superseded
        case .revoked: throw .revoked
        case .completed: throw .alreadyUsed
        }
        guard requiresBankID else { throw .channelNotRequired }
        guard !bankIDProven else { throw .alreadyUsed }
        bankIDProven = true
    }

    public func status(at now: Int64) -> Status {
        switch state {
        case .pending: now >= expiresAt ? .expired : .pending
        case .accepted: now >= expiresAt ? .expired : .accepted
        case .completed: .completed
        case .superseded: .superseded
        case .revoked: .revoked
        }
    }

    public var missingChannels: [LinkChannel] {
        requiredChannels.subtracting(confirmedChannels).sorted()
    }

    /// Accepting through one link. Each link works once; the SMS link only after the email link.
    public mutating func confirm(_ channel: LinkChannel, at now: Int64) throws(Failure) {
        guard requiredChannels.contains(channel) else { throw .channelNotRequired }
        switch status(at: now) {
        case .expired: throw .expired
        case .superseded: throw .superseded
        case .revoked: throw .revoked
        case .accepted, .completed: throw .alreadyUsed
        case .pending: break
        }
        guard !confirmedChannels.contains(channel) else { throw .alreadyUsed }
        if channel == .sms && !confirmedChannels.contains(.email) { throw .emailFirst }
        confirmedChannels.insert(channel)
        if confirmedChannels.isSuperset(of: requiredChannels) { state = .accepted }
    }

    /// Finish: allowed once, after every proof, before expiry.
    public mutating func finish(at now: Int64) throws(Failure) {
        switch status(at: now) {
        case .accepted:
            if requiresBankID && !bankIDProven { throw .notAccepted }
            state = .completed
        case .expired: throw .expired
        case .superseded: throw .superseded
        case .revoked: throw .revoked
        case .completed: throw .alreadyUsed
        case .pending: throw .notAccepted
        }
    }

    public mutating func supersede() {
        if state == .pending || state == .accepted { state = .superseded }
    }

    public mutating func revoke() {
        if state == .pending || state == .accepted { state = .revoked }
    }
}
