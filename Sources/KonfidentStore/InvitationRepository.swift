import GRDB
import KonfidentCore

/// A stored invitation with what its pages show.
public struct StoredInvitation: Sendable, Equatable {
    public let id: Int64
    public let workspaceID: Int64
    public let memberID: Int64
    public let invitedBy: Int64?
    public let matchCode: String
    public let nonce: [UInt8]
    public let browserHash: [UInt8]?
    public var invitation: Invitation

    init(row: Row) {
        id = row["id"]
        workspaceID = row["workspace_id"]
        memberID = row["member_id"]
        invitedBy = row["invited_by"]
        matchCode = row["match_code"]
        nonce = row["nonce"]
        browserHash = row["browser_hash"]
        invitation = Invitation(
            state: Invitation.State(rawValue: row["state"]) ?? .revoked, createdAt: row["created_at"],
            expiresAt: row["expires_at"], requiredChannels: StoredAttempt.channels(row["required_channels"]),
            confirmedChannels: StoredAttempt.channels(row["confirmed_channels"]),
            requiresBankID: (row["requires_bankid"] as Int64?) == 1, bankIDProven: (row["bankid_proven_at"] as Int64?) != nil)
    }
}

/// What an administrator (or `konfident member invite`) asks the store to record.
public struct InvitationRequest: Sendable {
    public var workspace: Workspace
    public var member: NewMember
    public var invitedBy: Member?
    public var matchCode: MatchCode
    public var nonce: [UInt8]
    public var language: Language
    public var ip: String?
    public var lifetime: Int64

    public init(workspace: Workspace, member: NewMember, invitedBy: Member?, matchCode: MatchCode, nonce: [UInt8],
                language: Language, ip: String?, lifetime: Int64) {
        self.workspace = workspace
        self.member = member
        self.invitedBy = invitedBy
        self.matchCode = matchCode
        self.nonce = nonce
        self.language = language
        self.ip = ip
        self.lifetime = lifetime
    }
}


extension Store {
    /// Records an invitation: the member (state invited), the invitation with its token hashes and
    /// the mail, in one transaction. A member invited by personnummer only gets no message: the
    /// membership activates at the first BankID sign-in.
    public func invite(_ request: InvitationRequest, at now: Int64,
                       tokenHash: (Int64, LinkChannel) -> [UInt8]) throws -> (Member, StoredInvitation?) {
        try write { db in
            let member = try insertMember(db, request.member, workspaceID: request.workspace.id, state: .invited,
                                          invitedBy: request.invitedBy?.id, at: now)
            let invitation = try Self.createInvitation(db, for: member, request: request, at: now, tokenHash: tokenHash)
            try Self.audit(db, .memberInvited, outcome: member.method.rawValue, workspaceID: request.workspace.id,
                           memberID: member.id, ip: request.ip,
                           detail: request.invitedBy.map { "by member \($0.id)" } ?? "command line", at: now)
            return (member, invitation)
        }
    }

    /// Re-send: the old invitation stops working, a new one is sent.
    public func resendInvitation(memberID: Int64, request: InvitationRequest, at now: Int64,
                                 tokenHash: (Int64, LinkChannel) -> [UInt8]) throws -> StoredInvitation? {
        try write { db in
            guard let member = try Self.member(db, id: memberID), member.workspaceID == request.workspace.id,
                  member.state == .invited else { throw StoreError.notFound("an invited member") }
            let invitation = try Self.createInvitation(db, for: member, request: request, at: now, tokenHash: tokenHash)
            try Self.audit(db, .invitationResent, outcome: "ok", workspaceID: request.workspace.id, memberID: member.id,
                           ip: request.ip, detail: request.invitedBy.map { "by member \($0.id)" }, at: now)
            return invitation
        }
    }

    private static func createInvitation(_ db: Database, for member: Member, request: InvitationRequest, at now: Int64,
                                         tokenHash: (Int64, LinkChannel) -> [UInt8]) throws -> StoredInvitation? {
        guard let email = member.email else { return nil }
        try db.cachedStatement(sql: "UPDATE invitation SET state = 'superseded' WHERE member_id = ? AND state IN ('pending', 'accepted')").execute(
                       arguments: [member.id])
        let channels: Set<LinkChannel> = member.method == .twoFactor ? [.email, .sms] : [.email]
        try db.cachedStatement(sql: """
            INSERT INTO invitation (workspace_id, member_id, invited_by, match_code, nonce, required_channels,
                                    state, created_at, expires_at, requires_bankid)
            VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)
            """).execute( arguments: [member.workspaceID, member.id, request.invitedBy?.id, request.matchCode.text,
                             request.nonce, StoredAttempt.text(channels), now, now + request.lifetime,
                             member.method == .bankid ? 1 : 0])
        let id = db.lastInsertedRowID
        try db.cachedStatement(sql: "UPDATE invitation SET email_token_hash = ? WHERE id = ?").execute( arguments: [tokenHash(id, .email), id])
        if channels.contains(.sms) {
            try db.cachedStatement(sql: "UPDATE invitation SET sms_token_hash = ? WHERE id = ?").execute( arguments: [tokenHash(id, .sms), id])
        }
        try enqueue(db, channel: .email, kind: .invitationMail, workspaceID: member.workspaceID, memberID: member.id,
                    recipient: email, language: request.language, subjectID: id, at: now)
        return try invitation(db, id: id)
    }

    static func invitation(_ db: Database, id: Int64) throws -> StoredInvitation? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM invitation WHERE id = ?"), arguments: [id]).map(StoredInvitation.init(row:))
    }

    public func invitation(id: Int64) throws -> StoredInvitation? {
        try read { db in try Self.invitation(db, id: id) }
    }

    /// The invitation a link belongs to, and which of its links it is.
    public func invitation(tokenHash: [UInt8], workspaceID: Int64) throws -> (StoredInvitation, LinkChannel)? {
        try read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT * FROM invitation WHERE (email_token_hash = ?1 OR sms_token_hash = ?1) AND workspace_id = ?2
                """), arguments: [tokenHash, workspaceID]) else { return nil }
            let emailHash: [UInt8]? = row["email_token_hash"]
            let channel: LinkChannel = emailHash.map { Secret.constantTimeEquals($0, tokenHash) } == true ? .email : .sms
            return (StoredInvitation(row: row), channel)
        }
    }

    /// The newest invitation accepted from this browser.
    public func invitation(browserHash: [UInt8], workspaceID: Int64) throws -> StoredInvitation? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT * FROM invitation WHERE browser_hash = ? AND workspace_id = ? ORDER BY id DESC LIMIT 1
                """), arguments: [browserHash, workspaceID]).map(StoredInvitation.init(row:))
        }
    }

    /// Accept invitation (email link) or confirm the SMS link. Accepting the email link of a 2FA
    /// invitation queues the SMS, counted against the SMS limits; the email link binds the
    /// invitation to the accepting browser (`browserHash`), where Finish is offered.
    public func acceptInvitation(id: Int64, channel: LinkChannel, browserHash: [UInt8]?, language: Language,
                                 policy: RateLimitPolicy, ip: String, at now: Int64) throws -> StoredInvitation {
        let outcome: Result<StoredInvitation, any Error> = try write { db in
            guard var stored = try Self.invitation(db, id: id), let member = try Self.member(db, id: stored.memberID) else {
                throw StoreError.notFound("invitation")
            }
            do throws(Invitation.Failure) {
                try stored.invitation.confirm(channel, at: now)
            } catch {
                try Self.audit(db, .linkRefused, outcome: "\(error)", workspaceID: stored.workspaceID, memberID: member.id,
                               ip: ip, detail: "invitation \(id) \(channel.rawValue)", at: now)
                return .failure(error)
            }
            if channel == .email && stored.invitation.requiredChannels.contains(.sms) {
                guard let phone = member.phone else { throw StoreError.notFound("the member's phone number") }
                do {
                    try Self.countSMS(db, phone: phone, policy: policy, at: now)
                } catch let hit as RateLimitHit {
                    if hit.isFirstInWindow {
                        try Self.audit(db, .rateLimited, outcome: hit.kind.rawValue, workspaceID: stored.workspaceID,
                                       memberID: member.id, ip: ip, detail: "invitation \(id)", at: now)
                    }
                    return .failure(hit)
                }
                try Self.enqueue(db, channel: .sms, kind: .invitationSMS, workspaceID: stored.workspaceID, memberID: member.id,
                                 recipient: phone, language: language, subjectID: id, at: now)
            }
            try db.cachedStatement(sql: "UPDATE invitation SET state = ?, confirmed_channels = ? WHERE id = ?").execute(
                           arguments: [stored.invitation.state.rawValue, StoredAttempt.text(stored.invitation.confirmedChannels), id])
            if channel == .email, let browserHash {
                try db.cachedStatement(sql: "UPDATE invitation SET browser_hash = ? WHERE id = ?").execute( arguments: [browserHash, id])
            }
            try Self.audit(db, .invitationAccepted, outcome: stored.invitation.state == .accepted ? "accepted" : "partly",
                           workspaceID: stored.workspaceID, memberID: member.id, ip: ip,
                           detail: "invitation \(id) \(channel.rawValue)", at: now)
            return .success(try Self.invitation(db, id: id) ?? stored)
        }
        return try outcome.get()
    }

    /// Finish: the membership becomes active and the browser is signed in, atomically.
    public func finishInvitation(id: Int64, sessionHash: [UInt8], sessionLifetime: Int64, ip: String,
                                 at now: Int64) throws -> Member {
        try write { db in
            guard var stored = try Self.invitation(db, id: id) else { throw StoreError.notFound("invitation") }
            try stored.invitation.finish(at: now)
            try db.cachedStatement(sql: "UPDATE invitation SET state = 'completed' WHERE id = ?").execute( arguments: [id])
            try db.cachedStatement(sql: "UPDATE member SET state = 'active', activated_at = ? WHERE id = ? AND state = 'invited'").execute(
                           arguments: [now, stored.memberID])
            guard let member = try Self.member(db, id: stored.memberID), member.state == .active else {
                throw Invitation.Failure.revoked
            }
            try Self.openSession(db, hash: sessionHash, member: member, lifetime: sessionLifetime, at: now)
            try Self.audit(db, .signIn, outcome: "invitation", workspaceID: stored.workspaceID, memberID: member.id,
                           ip: ip, detail: "invitation \(id)", at: now)
            return member
        }
    }
}
