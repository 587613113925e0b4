import GRDB

/// The security events the audit log records (DESIGN §2).
public enum AuditEvent: String, Sendable {
    case signInAttempt = "sign-in-attempt"
    case linkVerified = "link-verified"
    case linkRefused = "link-refused"
    case signIn = "sign-in"
    case signOut = "sign-out"
    case rateLimited = "rate-limited"
    case csrfRefused = "csrf-refused"
    case memberAdded = "member-added"
    case memberInvited = "member-invited"
    case invitationResent = "invitation-resent"
    case invitationAccepted = "invitation-accepted"
    case memberRevoked = "member-revoked"
    case roleChanged = "role-changed"
    case workspaceCreated = "workspace-created"
    case bankIDOrder = "bankid-order"
    case bankIDNoAccess = "bankid-no-access"
    case invitationBankID = "invitation-bankid"
}

/// One row of the audit log as read back.
public struct AuditEntry: Sendable, Equatable {
    public let at: Int64
    public let workspaceID: Int64?
    public let memberID: Int64?
    public let ip: String?
    public let event: String
    public let outcome: String
    public let detail: String?
}

extension Store {
    public func audit(_ event: AuditEvent, outcome: String, workspaceID: Int64?, memberID: Int64? = nil,
                      ip: String?, detail: String? = nil, at now: Int64) throws {
        try write { db in
            try Self.audit(db, event, outcome: outcome, workspaceID: workspaceID, memberID: memberID,
                           ip: ip, detail: detail, at: now)
        }
    }

    static func audit(_ db: Database, _ event: AuditEvent, outcome: String, workspaceID: Int64?, memberID: Int64? = nil,
                      ip: String?, detail: String? = nil, at now: Int64) throws {
        let statement = try db.cachedStatement(sql: RawSQL.audit)
        try statement.execute(arguments: [now, workspaceID, memberID, ip, event.rawValue, outcome, detail])
    }

    /// `audit` on the raw write connection of the hot path (`HotWriter`).
    static func audit(_ connection: ReaderConnection, _ event: AuditEvent, outcome: String, workspaceID: Int64?,
                      memberID: Int64? = nil, ip: String?, detail: String? = nil, at now: Int64) throws {
        try connection.execute(RawSQL.audit, [
            .integer(now), .integer(workspaceID), .integer(memberID), .text(ip), .text(event.rawValue), .text(outcome),
            .text(detail),
        ])
    }

    /// At most this many refusals a minute from one client address reach the audit log.
    public static let refusalsAuditedPerMinute = 5

    /// Audits a refused request that nothing else limits (a POST without a valid CSRF token, a
    /// cross-site POST, a link page's missing proof): the first `refusalsAuditedPerMinute` a minute
    /// from each client address, counted in `rate_limit` under `refused:ADDRESS`. Each refusal
    /// costs the refused nothing, so without a bound every one would be a row in a log that is kept
    /// (by default) for ever: a way to fill the disk. The rest of the minute's refusals from that
    /// address write nothing.
    public func auditRefusal(_ event: AuditEvent, outcome: String, workspaceID: Int64?, ip: String,
                             detail: String? = nil, at now: Int64) throws {
        try write { db in
            let key = "refused:" + ip
            let window = now - now % 60
            let seen = try Int.fetchOne(db.cachedStatement(sql: RawSQL.rateLimitCount), arguments: [key, window]) ?? 0
            guard seen < Self.refusalsAuditedPerMinute else { return }
            try db.cachedStatement(sql: RawSQL.rateLimitUpsert).execute(arguments: [key, window])
            try Self.audit(db, event, outcome: outcome, workspaceID: workspaceID, ip: ip, detail: detail, at: now)
        }
    }

    /// The newest entries first.
    public func auditEntries(limit: Int = 100) throws -> [AuditEntry] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
                AuditEntry(at: row["at"], workspaceID: row["workspace_id"], memberID: row["member_id"], ip: row["ip"],
                           event: row["event"], outcome: row["outcome"], detail: row["detail"])
            }
        }
    }
}
