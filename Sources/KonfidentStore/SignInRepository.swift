import GRDB
import KonfidentCore

/// A stored sign-in attempt with what the pages show about it.
public struct StoredAttempt: Sendable, Equatable {
    public let id: Int64
    public let workspaceID: Int64
    public let memberID: Int64?
    public let browserHash: [UInt8]
    public let matchCode: String
    public let nonce: [UInt8]
    public let ip: String
    public let userAgent: String
    public var attempt: SignInAttempt

    init(row: Row) {
        id = row["id"]
        workspaceID = row["workspace_id"]
        memberID = row["member_id"]
        browserHash = row["browser_hash"]
        matchCode = row["match_code"]
        nonce = row["nonce"]
        ip = row["ip"]
        userAgent = row["user_agent"]
        attempt = SignInAttempt(
            state: SignInAttempt.State(rawValue: row["state"]) ?? .cancelled,
            createdAt: row["created_at"], expiresAt: row["expires_at"],
            requiredChannels: Self.channels(row["required_channels"]),
            confirmedChannels: Self.channels(row["confirmed_channels"]))
    }

    init(id: Int64, workspaceID: Int64, memberID: Int64?, browserHash: [UInt8], matchCode: String, nonce: [UInt8],
         ip: String, userAgent: String, attempt: SignInAttempt) {
        self.id = id
        self.workspaceID = workspaceID
        self.memberID = memberID
        self.browserHash = browserHash
        self.matchCode = matchCode
        self.nonce = nonce
        self.ip = ip
        self.userAgent = userAgent
        self.attempt = attempt
    }

    /// The columns `init(hot:)` reads, in its order, then the two token hashes (13, 14) that
    /// `attempt(link:workspaceID:)` compares a link's with.
    static let columns = """
        id, workspace_id, member_id, browser_hash, match_code, nonce, ip, user_agent, state, created_at, expires_at,
        required_channels, confirmed_channels, email_token_hash, sms_token_hash
        """

    init(hot row: ReaderConnection.Row) {
        id = row.integer(0)
        workspaceID = row.integer(1)
        memberID = row.optionalInteger(2)
        browserHash = row.blob(3)
        matchCode = row.text(4)
        nonce = row.blob(5)
        ip = row.text(6)
        userAgent = row.text(7)
        attempt = Self.attempt(hot: row, from: 8)
    }

    /// The state machine's part of a hot row: the columns `state, created_at, expires_at,
    /// required_channels, confirmed_channels`, in this order from column `first`.
    static func attempt(hot row: ReaderConnection.Row, from first: Int32) -> SignInAttempt {
        SignInAttempt(
            state: SignInAttempt.State(rawValue: row.text(first)) ?? .cancelled,
            createdAt: row.integer(first + 1), expiresAt: row.integer(first + 2),
            requiredChannels: channels(row.text(first + 3)), confirmedChannels: channels(row.text(first + 4)))
    }

    static func channels(_ text: String) -> Set<LinkChannel> {
        // The values Next writes, without splitting: every poll reads two of them.
        switch text {
        case "": return []
        case "email": return [.email]
        case "sms": return [.sms]
        case "email,sms": return [.email, .sms]
        default: return Set(text.split(separator: ",").compactMap { LinkChannel(rawValue: String($0)) })
        }
    }

    static func text(_ channels: Set<LinkChannel>) -> String {
        channels.sorted().map(\.rawValue).joined(separator: ",")
    }
}

/// What the waiting page's poll needs of an attempt: its state and links, and the browser hash
/// that binds it, without the columns only the pages show.
public struct AttemptProgress: Sendable, Equatable {
    public let browserHash: [UInt8]
    public let attempt: SignInAttempt

    /// The columns `init(hot:)` reads, in its order.
    static let columns = "browser_hash, state, created_at, expires_at, required_channels, confirmed_channels"

    init(hot row: ReaderConnection.Row) {
        browserHash = row.blob(0)
        attempt = StoredAttempt.attempt(hot: row, from: 1)
    }
}

/// What Next on the login page asks the store to record, in one transaction.
public struct SignInRequest: Sendable {
    public var workspace: Workspace
    public var email: EmailAddress
    public var browserHash: [UInt8]
    public var matchCode: MatchCode
    public var nonce: [UInt8]
    public var language: Language
    public var ip: String
    public var userAgent: String
    public var lifetime: Int64
    public var policy: RateLimitPolicy

    public init(workspace: Workspace, email: EmailAddress, browserHash: [UInt8], matchCode: MatchCode, nonce: [UInt8],
                language: Language, ip: String, userAgent: String, lifetime: Int64, policy: RateLimitPolicy) {
        self.workspace = workspace
        self.email = email
        self.browserHash = browserHash
        self.matchCode = matchCode
        self.nonce = nonce
        self.language = language
        self.ip = ip
        self.userAgent = userAgent
        self.lifetime = lifetime
        self.policy = policy
    }
}

/// The statements of the sign-in pages, written once: the hot connections find their prepared
/// statements by this text, and a string built per call would be built and hashed per call.
enum SignInSQL {
    static let member = "SELECT \(Member.columns) FROM member WHERE workspace_id = ? AND email_key = ?"
    /// An attempt of a workspace by its id: an attempt cookie's or a link's (`ID.SECRET`).
    static let attemptInWorkspace = "SELECT \(StoredAttempt.columns) FROM sign_in_attempt WHERE id = ? AND workspace_id = ?"
    /// `attemptInWorkspace` for the poll: the same row, fewer columns.
    static let progressInWorkspace = "SELECT \(AttemptProgress.columns) FROM sign_in_attempt WHERE id = ? AND workspace_id = ?"
    static let attemptByID = "SELECT \(StoredAttempt.columns) FROM sign_in_attempt WHERE id = ?"
    /// A member's attempts that a new one supersedes. Two equalities on the index, not `state IN
    /// (…)`: for an IN list SQLite builds a temporary b-tree, and an UPDATE that changes the column
    /// of the index it searches collects the rows in another first (two temporary databases per
    /// Next: 15 % of its instructions).
    static let liveAttempts = """
        SELECT id FROM sign_in_attempt WHERE member_id = ?1 AND state = 'pending'
        UNION ALL SELECT id FROM sign_in_attempt WHERE member_id = ?1 AND state = 'verified'
        """
    static let supersede = "UPDATE sign_in_attempt SET state = 'superseded' WHERE id = ?"
    static let nextID = "SELECT coalesce(max(id), 0) + 1 FROM sign_in_attempt"
    static let insert = """
        INSERT INTO sign_in_attempt (id, workspace_id, member_id, browser_hash, match_code, nonce,
            email_token_hash, sms_token_hash, required_channels, state, created_at, expires_at, ip, user_agent)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)
        """
}

/// The message kinds the outbox renders.
public enum MessageKind: String, Sendable {
    /// A verification link for a sign-in attempt (email or SMS).
    case signInLink = "sign-in-link"
    /// A member whose method is BankID typed their email: tell them to use BankID.
    case useBankID = "use-bankid"
    /// The invitation mail with the accept link.
    case invitationMail = "invitation"
    /// The SMS link of a 2FA invitation, sent once the email link was accepted.
    case invitationSMS = "invitation-sms"
    /// A 2FA member's Next whose SMS the SMS limits held back: the mail says so instead of a link.
    case smsLimited = "sms-limited"
}

extension Store {
    /// Records Next on the login page: counts it against the rate limits, supersedes the member's
    /// older attempts, stores the new attempt (token hashes only) and queues its messages.
    /// A non-member gets an attempt that never receives a link, so the pages look the same.
    public func startSignIn(_ request: SignInRequest, at now: Int64,
                            tokenHash: (Int64, LinkChannel) -> [UInt8]) throws -> StoredAttempt {
        // A refusal is returned, not thrown, from the transaction: its audit entry must not roll back.
        let userAgent = String(request.userAgent.prefix(300))
        // One transaction on the raw write connection, statements prepared once (`HotWriter`).
        let outcome: Result<StoredAttempt, RateLimitHit> = try hotWriter.transaction { db in
            // The member is read in the transaction, on the writer: a lookup of a few microseconds
            // on pages the writer has in its cache. On a reader it cost more than that in system
            // calls, since every Next changes the database and a reader then reads its pages again.
            let member = try db.first(SignInSQL.member, [.integer(request.workspace.id), .text(request.email.normalized)]) {
                Member(hot: $0)
            }
            let active = member.flatMap { $0.state == .active ? $0 : nil }
            do {
                try Self.count(db, [(.ip, request.ip), (.member, Self.addressKey(request.email))],
                               policy: request.policy, at: now)
            } catch let hit as RateLimitHit {
                if hit.isFirstInWindow {
                    try Self.audit(db, .rateLimited, outcome: hit.kind.rawValue, workspaceID: request.workspace.id,
                                   memberID: active?.id, ip: request.ip, at: now)
                }
                return .failure(hit)
            }
            // The SMS limits count only a 2FA member's Next: a 429 from them would tell whoever
            // typed the address that it is a 2FA member's (and anyone who knows one 2FA address can
            // fill a country's window). So over an SMS limit the visitor sees what every Next
            // gets, an attempt that no link can verify, and the member learns by mail that no SMS
            // was sent.
            var smsLimited = false
            if let active, active.method.linkChannels.contains(.sms), let phone = active.phone {
                do {
                    try Self.countSMS(db, phone: phone, policy: request.policy, at: now)
                } catch let hit as RateLimitHit {
                    if hit.isFirstInWindow {
                        try Self.audit(db, .rateLimited, outcome: hit.kind.rawValue, workspaceID: request.workspace.id,
                                       memberID: active.id, ip: request.ip, at: now)
                    }
                    smsLimited = true
                }
            }
            let channels = smsLimited ? [] : active?.method.linkChannels ?? []
            if let active {
                for older in try db.all(SignInSQL.liveAttempts, [.integer(active.id)], { $0.integer(0) }) {
                    try db.execute(SignInSQL.supersede, [.integer(older)])
                }
            }
            // With links to send, the id is chosen first (the one SQLite would give, under the write
            // lock) because their tokens are derived from it: the token hashes go into the INSERT
            // instead of an UPDATE of the new row after it. Without, SQLite gives the id.
            let chosenID = channels.isEmpty ? nil : try db.first(SignInSQL.nextID, []) { $0.integer(0) } ?? 1
            func hashOfLink(_ channel: LinkChannel) -> ReaderConnection.Value {
                guard let chosenID, channels.contains(channel) else { return .null }
                return .blob(tokenHash(chosenID, channel))
            }
            try db.execute(SignInSQL.insert, [
                .integer(chosenID), .integer(request.workspace.id), .integer(active?.id), .blob(request.browserHash),
                .text(request.matchCode.text), .blob(request.nonce), hashOfLink(.email), hashOfLink(.sms),
                .text(StoredAttempt.text(channels)), .integer(now), .integer(now + request.lifetime),
                .text(request.ip), .text(userAgent),
            ])
            let id = chosenID ?? db.lastInsertedRowID
            if let active {
                if active.method == .bankid || smsLimited, let email = active.email {
                    try Self.enqueue(db, channel: .email, kind: smsLimited ? .smsLimited : .useBankID,
                                     workspaceID: request.workspace.id, memberID: active.id, recipient: email,
                                     language: request.language, subjectID: id, at: now)
                }
                for channel in channels.sorted() {
                    let recipient = channel == .email ? active.email : active.phone
                    guard let recipient else { continue }
                    try Self.enqueue(db, channel: channel, kind: .signInLink, workspaceID: request.workspace.id,
                                     memberID: active.id, recipient: recipient, language: request.language,
                                     subjectID: id, at: now)
                }
            }
            try Self.audit(db, .signInAttempt, outcome: active == nil ? "not-a-member" : smsLimited ? "sms-limited" : "started",
                           workspaceID: request.workspace.id, memberID: active?.id, ip: request.ip,
                           detail: "attempt \(id)", at: now)
            return .success(StoredAttempt(
                id: id, workspaceID: request.workspace.id, memberID: active?.id, browserHash: request.browserHash,
                matchCode: request.matchCode.text, nonce: request.nonce, ip: request.ip, userAgent: userAgent,
                attempt: SignInAttempt(createdAt: now, lifetime: request.lifetime, requiredChannels: channels)))
        }
        return try outcome.get()
    }

    /// The rate-limit key of a typed address: its hash, so addresses of non-members are not kept.
    static func addressKey(_ email: EmailAddress) -> String {
        Base64URL.encode(Secret.hash(email.normalized))
    }

    /// The attempt `id` of a workspace: the one an attempt cookie names (its browser hash is the
    /// caller's to compare with the cookie's secret).
    public func attempt(id: Int64, workspaceID: Int64) throws -> StoredAttempt? {
        try hot.first(SignInSQL.attemptInWorkspace, [.integer(id), .integer(workspaceID)], StoredAttempt.init(hot:))
    }

    /// What the waiting page's poll shows of the attempt `id` of a workspace.
    public func attemptProgress(id: Int64, workspaceID: Int64) throws -> AttemptProgress? {
        try hot.first(SignInSQL.progressInWorkspace, [.integer(id), .integer(workspaceID)], AttemptProgress.init(hot:))
    }

    public func attempt(id: Int64) throws -> StoredAttempt? {
        try hot.first(SignInSQL.attemptByID, [.integer(id)], StoredAttempt.init(hot:))
    }

    /// The attempt a link belongs to, and which of its links it is: found by the link's attempt
    /// id, proved by its token, whose hash is compared with both stored ones in constant time.
    public func attempt(link: SplitToken, workspaceID: Int64) throws -> (StoredAttempt, LinkChannel)? {
        let hash = Secret.hash(link.secret)
        let found = try hot.first(SignInSQL.attemptInWorkspace, [.integer(link.id), .integer(workspaceID)]) { row in
            (StoredAttempt(hot: row), Secret.constantTimeEquals(row.blob(13), hash), Secret.constantTimeEquals(row.blob(14), hash))
        }
        guard let (stored, isEmail, isSMS) = found else { return nil }
        return isEmail ? (stored, .email) : isSMS ? (stored, .sms) : nil
    }

    /// The POST of Verify Identity: confirms one link. Throws the state machine's failure.
    public func confirmLink(attemptID: Int64, channel: LinkChannel, ip: String, at now: Int64) throws -> StoredAttempt {
        let outcome: Result<StoredAttempt, SignInAttempt.Failure> = try write { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM sign_in_attempt WHERE id = ?"), arguments: [attemptID]) else {
                throw StoreError.notFound("attempt")
            }
            var stored = StoredAttempt(row: row)
            do throws(SignInAttempt.Failure) {
                try stored.attempt.confirm(channel, at: now)
            } catch {
                try Self.audit(db, .linkRefused, outcome: "\(error)", workspaceID: stored.workspaceID,
                               memberID: stored.memberID, ip: ip, detail: "attempt \(attemptID) \(channel.rawValue)", at: now)
                return .failure(error)
            }
            try db.cachedStatement(sql: "UPDATE sign_in_attempt SET state = ?, confirmed_channels = ? WHERE id = ?").execute(
                           arguments: [stored.attempt.state.rawValue, StoredAttempt.text(stored.attempt.confirmedChannels), attemptID])
            try Self.audit(db, .linkVerified, outcome: stored.attempt.state == .verified ? "verified" : "partly",
                           workspaceID: stored.workspaceID, memberID: stored.memberID, ip: ip,
                           detail: "attempt \(attemptID) \(channel.rawValue)", at: now)
            return .success(stored)
        }
        return try outcome.get()
    }

    /// Signs in the browser of a verified attempt: marks it completed and opens a session, atomically,
    /// so an attempt signs in at most once.
    public func completeSignIn(attemptID: Int64, sessionHash: [UInt8], sessionLifetime: Int64,
                               ip: String, at now: Int64) throws -> (StoredAttempt, Member) {
        try write { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM sign_in_attempt WHERE id = ?"), arguments: [attemptID]) else {
                throw StoreError.notFound("attempt")
            }
            var stored = StoredAttempt(row: row)
            try stored.attempt.complete(at: now)
            guard let memberID = stored.memberID, let member = try Self.member(db, id: memberID), member.state == .active else {
                throw SignInAttempt.Failure.cancelled
            }
            try db.cachedStatement(sql: "UPDATE sign_in_attempt SET state = 'completed' WHERE id = ?").execute( arguments: [attemptID])
            try Self.openSession(db, hash: sessionHash, member: member, lifetime: sessionLifetime, at: now)
            try Self.audit(db, .signIn, outcome: "email-link", workspaceID: stored.workspaceID, memberID: memberID,
                           ip: ip, detail: "attempt \(attemptID)", at: now)
            return (stored, member)
        }
    }

    /// "Start again" on the waiting page.
    public func cancelAttempt(id: Int64) throws {
        try write { db in
            try db.cachedStatement(sql: "UPDATE sign_in_attempt SET state = 'cancelled' WHERE id = ? AND state IN ('pending', 'verified')").execute(
                           arguments: [id])
        }
    }
}
