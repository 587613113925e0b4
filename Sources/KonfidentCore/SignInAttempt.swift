/// A sign-in attempt by email link(s): started by Next on the login page, bound to the browser
/// that started it, verified when every required link is confirmed, completed once when the
/// browser is signed in. Pure: the caller passes the time.
public struct SignInAttempt: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        /// Waiting for the link(s).
        case pending
        /// Every required link confirmed; the starting browser may now be signed in.
        case verified
        /// The starting browser was signed in; nothing more can happen.
        case completed
        /// A newer attempt of the same member replaced this one.
        case superseded
        /// Ended by the member (start again) or by revocation.
        case cancelled
    }

    /// What the waiting page and the link page see.
    public enum Status: String, Sendable, Equatable {
        case pending, verified, completed, superseded, cancelled, expired
    }

    public enum Failure: Error, Equatable, Sendable {
        case expired
        case alreadyUsed
        case superseded
        case cancelled
        case channelNotRequired
    }

    public var state: State
    public let createdAt: Int64
    public let expiresAt: Int64
    public let requiredChannels: Set<LinkChannel>
    public var confirmedChannels: Set<LinkChannel>

    public init(createdAt: Int64, lifetime: Int64, requiredChannels: Set<LinkChannel>,
                state: State = .pending, confirmedChannels: Set<LinkChannel> = []) {
        self.state = state
        self.createdAt = createdAt
        self.expiresAt = createdAt + lifetime
        self.requiredChannels = requiredChannels
        self.confirmedChannels = confirmedChannels
    }

    public init(state: State, createdAt: Int64, expiresAt: Int64,
                requiredChannels: Set<LinkChannel>, confirmedChannels: Set<LinkChannel>) {
        self.state = state
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.requiredChannels = requiredChannels
        self.confirmedChannels = confirmedChannels
    }

    public func status(at now: Int64) -> Status {
        switch state {
        case .pending, .verified:
            // A verified attempt not yet picked up by its browser expires too.
            now >= expiresAt ? .expired : (state == .pending ? .pending : .verified)
        case .completed: .completed
        case .superseded: .superseded
        case .cancelled: .cancelled
        }
    }

    /// What the browser that started the attempt is told while it waits (the waiting page and its
    /// poll). A superseded attempt reads as pending until it expires, as a stranger's would: only a
    /// member's attempts are ever superseded (by the next Next for that address, whoever typed it),
    /// so saying so would tell two browsers that typed the same address that it is a member's
    /// (DESIGN §1, screen 2). The link pages, seen only by the mailbox's owner, still say it.
    public func waitingStatus(at now: Int64) -> Status {
        let status = status(at: now)
        guard status == .superseded else { return status }
        return now >= expiresAt ? .expired : .pending
    }

    /// The channels whose links are still to be confirmed, in a stable order.
    public var missingChannels: [LinkChannel] {
        requiredChannels.subtracting(confirmedChannels).sorted()
    }

    /// The POST of "Verify Identity" on one link. Each link works once.
    public mutating func confirm(_ channel: LinkChannel, at now: Int64) throws(Failure) {
        guard requiredChannels.contains(channel) else { throw .channelNotRequired }
        switch status(at: now) {
        case .expired: throw .expired
        case .superseded: throw .superseded
        case .cancelled: throw .cancelled
        case .verified, .completed: throw .alreadyUsed
        case .pending: break
        }
        guard !confirmedChannels.contains(channel) else { throw .alreadyUsed }
        confirmedChannels.insert(channel)
        if confirmedChannels.isSuperset(of: requiredChannels) { state = .verified }
    }

    /// The starting browser is signed in: allowed once, only when verified and not expired.
    public mutating func complete(at now: Int64) throws(Failure) {
        switch status(at: now) {
        case .verified: state = .completed
        case .expired: throw .expired
        case .superseded: throw .superseded
        case .cancelled: throw .cancelled
        case .completed, .pending: throw .alreadyUsed
        }
    }

    /// A newer attempt of the same member replaces this one, unless it already ended.
    public mutating func supersede() {
        if state == .pending || state == .verified { state = .superseded }
    }

    public mutating func cancel() {
        if state == .pending || state == .verified { state = .cancelled }
    }
}
