@preconcurrency import Crypto

/// A BankID order as the relying party keeps it (DESIGN §1 screen 7): started for one browser,
/// collected at most every two seconds whatever the number of pages polling it, ended by the
/// service's final answer, by Cancel or a newer start, and used at most once (a session, or the
/// proof of an invitation). A collect the service could not answer (maintenance, a network blip)
/// leaves it pending: the next collect asks again, and only a service that stays unanswered for
/// `unansweredLimit` seconds ends it. Pure: the caller passes the time and the collect answers.
public struct BankIDOrder: Sendable, Equatable {
    public enum Purpose: String, Sendable {
        /// "Log in with BankID": completion signs in the member with that personnummer.
        case signIn = "sign-in"
        /// The activation of a member invited by email: completion proves their personnummer.
        case invitation
    }

    public enum State: String, Sendable {
        /// Waiting for the user in the BankID app.
        case pending
        /// The service said complete; the browser has not used it yet.
        case complete
        /// The service said failed (or answered an error): the page offers to try again.
        case failed
        /// Cancel on the page, or a newer order of the same browser.
        case cancelled
        /// Completed and used: a session was opened (or a decision shown) once.
        case used
    }

    /// What one collect (or its failure) said, in the relying party's terms.
    public enum CollectOutcome: Sendable, Equatable {
        case pending(hint: String)
        case failed(hint: String)
        case complete(personnummer: String)
        /// An error answer (`errorCode`) or a transport failure (`transport-…`): the order is over.
        case error(code: String)
        /// No answer about the order this time, in the same terms as `error` (`maintenance`, which
        /// the guidelines let the RP try again, or a request that did not reach the service): the
        /// order stays pending unless the service has been unanswered for `unansweredLimit`.
        case unanswered(code: String)
    }

    public enum Failure: Error, Equatable, Sendable {
        case notComplete
        case alreadyUsed
    }

    /// How often the service may be asked about one order (the RP guidelines: every 2 s). Times are
    /// whole seconds, so a collect is due three whole seconds after the last one: always more than
    /// two real seconds later, at most three.
    public static let collectInterval: Int64 = 3
    /// An order the service never finished counts as expired after this: BankID orders live
    /// 3 minutes; the margin covers a collect in flight.
    public static let lifetime: Int64 = 200
    /// How long collects may go unanswered before the order ends with the last failure: a blip of
    /// a few seconds (one or two collects) passes unnoticed, an outage shows its message within
    /// about ten seconds instead of leaving the page waiting for the whole lifetime.
    public static let unansweredLimit: Int64 = 10

    public var state: State
    public let startedAt: Int64
    public var collectedAt: Int64?
    /// The last hintCode, or the errorCode that ended the order.
    public var hintCode: String?
    public var errorCode: String?
    /// The identity of a complete order (12 digits).
    public var personnummer: String?
    /// The time of the first of the collects that went unanswered since the last answer; nil when
    /// the last collect was answered.
    public var unansweredSince: Int64?

    public init(state: State = .pending, startedAt: Int64, collectedAt: Int64? = nil, hintCode: String? = nil,
                errorCode: String? = nil, personnummer: String? = nil, unansweredSince: Int64? = nil) {
        self.state = state
        self.startedAt = startedAt
        self.collectedAt = collectedAt
        self.hintCode = hintCode
        self.errorCode = errorCode
        self.personnummer = personnummer
        self.unansweredSince = unansweredSince
    }

    /// What the pages see: a pending order past its lifetime is expired (its secrets are gone).
    public enum Status: String, Sendable, Equatable {
        case pending, complete, failed, cancelled, used, expired
    }

    public func status(at now: Int64) -> Status {
        switch state {
        case .pending: now - startedAt >= Self.lifetime ? .expired : .pending
        case .complete: .complete
        case .failed: .failed
        case .cancelled: .cancelled
        case .used: .used
        }
    }

    /// The seconds since the auth answer, the time of the animated QR code.
    public func qrSeconds(at now: Int64) -> Int {
        Int(max(0, now - startedAt))
    }

    /// Whether the service should be asked now: pending, and the last collect `collectInterval` ago.
    public func isDueForCollect(at now: Int64) -> Bool {
        guard status(at: now) == .pending else { return false }
        guard let collectedAt else { return true }
        return now - collectedAt >= Self.collectInterval
    }

    /// Records the answer of one collect. Only a pending order changes: the service answers a
    /// finished order's collect with invalidParameters, so its final answer is kept as it was.
    public mutating func record(_ outcome: CollectOutcome, at now: Int64) {
        guard state == .pending else { return }
        collectedAt = now
        let streak = unansweredSince
        unansweredSince = nil
        switch outcome {
        case let .unanswered(code):
            let since = streak ?? now
            unansweredSince = since
            if now - since >= Self.unansweredLimit {
                errorCode = code
                state = .failed
            }
        case let .pending(hint):
            hintCode = hint
        case let .failed(hint):
            hintCode = hint
            state = .failed
        case let .complete(personnummer):
            self.personnummer = personnummer
            hintCode = nil
            state = .complete
        case let .error(code):
            errorCode = code
            state = .failed
        }
    }

    /// Cancel on the page or a newer order: ends a pending order; a finished one stays as it is.
    public mutating func cancel() {
        if state == .pending { state = .cancelled }
    }

    /// Uses a complete order, once.
    public mutating func use() throws(Failure) {
        switch state {
        case .complete: state = .used
        case .used: throw .alreadyUsed
        case .pending, .failed, .cancelled: throw .notComplete
        }
    }

    /// Whether the order still needs its QR and autostart secrets.
    public var needsSecrets: Bool { state == .pending }
}

/// The secrets of a BankID order the pages need while it is pending (the QR code's start token and
/// secret, the autostart token), sealed at rest with ChaCha20-Poly1305 under a key derived from the
/// server key and the browser's own order cookie: the database holds neither, so a copy of it draws no
/// QR code and opens no order.
public struct BankIDOrderSecrets: Sendable, Equatable {
    public var qrStartToken: String
    public var qrStartSecret: String
    public var autoStartToken: String

    public init(qrStartToken: String, qrStartSecret: String, autoStartToken: String) {
        self.qrStartToken = qrStartToken
        self.qrStartSecret = qrStartSecret
        self.autoStartToken = autoStartToken
    }

    static func key(_ serverKey: ServerKey, browserSecret: String) -> SymmetricKey {
        SymmetricKey(data: serverKey.authenticate("bankid-order-seal|" + browserSecret))
    }

    /// The three values, newline-separated (none holds a newline: they are UUIDs), sealed.
    public func sealed(_ serverKey: ServerKey, browserSecret: String) -> [UInt8] {
        let plain = Array([qrStartToken, qrStartSecret, autoStartToken].joined(separator: "\n").utf8)
        // ChaChaPoly.seal only fails for a key of the wrong size; ours is 32 bytes.
        guard let box = try? ChaChaPoly.seal(plain, using: Self.key(serverKey, browserSecret: browserSecret)) else { return [] }
        return Array(box.combined)
    }

    /// Opens what `sealed` made with the same cookie; nil for any other cookie or tampered bytes.
    public init?(sealed: [UInt8], _ serverKey: ServerKey, browserSecret: String) {
        guard let box = try? ChaChaPoly.SealedBox(combined: sealed),
              let plain = try? ChaChaPoly.open(box, using: Self.key(serverKey, browserSecret: browserSecret)) else { return nil }
        let parts = String(decoding: plain, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        self.init(qrStartToken: String(parts[0]), qrStartSecret: String(parts[1]), autoStartToken: String(parts[2]))
    }
}
