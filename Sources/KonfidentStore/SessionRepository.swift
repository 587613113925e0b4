import GRDB
import KonfidentCore

/// A signed-in browser, looked up by the SHA-256 of its cookie.
public struct StoredSession: Sendable, Equatable {
    public let idHash: [UInt8]
    public let member: Member
    public let createdAt: Int64
    public let lastSeenAt: Int64
    public let expiresAt: Int64
}

extension Store {
    static func openSession(_ db: Database, hash: [UInt8], member: Member, lifetime: Int64, at now: Int64) throws {
        try db.cachedStatement(sql: """
            INSERT INTO session (id_hash, workspace_id, member_id, created_at, last_seen_at, expires_at)
            VALUES (?, ?, ?, ?, ?, ?)
            """).execute( arguments: [hash, member.workspaceID, member.id, now, now, now + lifetime])
        try db.cachedStatement(sql: "UPDATE member SET last_sign_in_at = ? WHERE id = ?").execute( arguments: [now, member.id])
    }

    /// The live session with this hash in this workspace: not ended, not past its absolute end,
    /// not idle longer than `idleTimeout`, its member active. Refreshes `last_seen_at` at most once
    /// a minute (or a tenth of the idle timeout, if shorter), so the many auth subrequests of one
    /// page cost no writes.
    public func session(hash: [UInt8], workspaceID: Int64, idleTimeout: Int64, at now: Int64) throws -> StoredSession? {
        let found = try hot.first(Self.sessionSQL, [.blob(hash), .integer(workspaceID)]) { row in
            StoredSession(idHash: hash, member: Member(hot: row, offset: 3), createdAt: row.integer(0),
                          lastSeenAt: row.integer(1), expiresAt: row.integer(2))
        }
        guard let found, found.member.state == .active, now < found.expiresAt, now - found.lastSeenAt < idleTimeout else {
            return nil
        }
        if now - found.lastSeenAt >= min(60, idleTimeout / 10) {
            try write { db in
                try db.cachedStatement(sql: "UPDATE session SET last_seen_at = ? WHERE id_hash = ?").execute( arguments: [now, hash])
            }
        }
        return found
    }

    /// The session lookup of every signed-in page and `auth_request`, written once.
    static let sessionSQL = """
        SELECT session.created_at, session.last_seen_at, session.expires_at, \(Member.columns)
        FROM session JOIN member ON member.id = session.member_id
        WHERE session.id_hash = ? AND session.workspace_id = ? AND session.ended_at IS NULL
        """

    /// Sign out.
    public func endSession(hash: [UInt8], ip: String, at now: Int64) throws {
        try write { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT workspace_id, member_id FROM session WHERE id_hash = ? AND ended_at IS NULL"),
                                             arguments: [hash]) else { return }
            try db.cachedStatement(sql: "UPDATE session SET ended_at = ? WHERE id_hash = ?").execute( arguments: [now, hash])
            try Self.audit(db, .signOut, outcome: "ok", workspaceID: row["workspace_id"], memberID: row["member_id"],
                           ip: ip, at: now)
        }
    }
}
