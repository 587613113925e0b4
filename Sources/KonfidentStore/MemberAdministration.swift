import GRDB
import KonfidentCore

/// What administrators do to members on the members page.
public enum AdministrationRefusal: Error, Equatable, Sendable {
    /// A workspace always keeps one active administrator.
    case lastAdministrator
    case notFound
}

extension Store {
    /// Revokes a member: their sessions end at once and their links stop working.
    public func revokeMember(id: Int64, in workspace: Workspace, by administrator: Member?, ip: String?, at now: Int64) throws {
        try write { db in
            guard let member = try Self.member(db, id: id), member.workspaceID == workspace.id else {
                throw AdministrationRefusal.notFound
            }
            if member.role == .administrator && member.state == .active {
                try Self.requireAnotherAdministrator(db, besides: member)
            }
            try db.execute(sql: "UPDATE member SET state = 'revoked', revoked_at = ? WHERE id = ?", arguments: [now, id])
            try db.execute(sql: "UPDATE session SET ended_at = ? WHERE member_id = ? AND ended_at IS NULL", arguments: [now, id])
            try db.execute(sql: "UPDATE sign_in_attempt SET state = 'cancelled' WHERE member_id = ? AND state IN ('pending', 'verified')",
                           arguments: [id])
            try db.execute(sql: "UPDATE invitation SET state = 'revoked' WHERE member_id = ? AND state IN ('pending', 'accepted')",
                           arguments: [id])
            try Self.audit(db, .memberRevoked, outcome: "ok", workspaceID: workspace.id, memberID: id, ip: ip,
                           detail: administrator.map { "by member \($0.id)" }, at: now)
        }
    }

    public func changeRole(of id: Int64, to role: Role, in workspace: Workspace, by administrator: Member?,
                           ip: String?, at now: Int64) throws {
        try write { db in
            guard let member = try Self.member(db, id: id), member.workspaceID == workspace.id else {
                throw AdministrationRefusal.notFound
            }
            // A revoked member keeps the role they had: nothing to change on a closed membership.
            guard member.state != .revoked else { throw AdministrationRefusal.notFound }
            if member.role == .administrator && role != .administrator && member.state == .active {
                try Self.requireAnotherAdministrator(db, besides: member)
            }
            try db.execute(sql: "UPDATE member SET role = ? WHERE id = ?", arguments: [role.rawValue, id])
            try Self.audit(db, .roleChanged, outcome: role.rawValue, workspaceID: workspace.id, memberID: id, ip: ip,
                           detail: administrator.map { "by member \($0.id)" }, at: now)
        }
    }

    private static func requireAnotherAdministrator(_ db: Database, besides member: Member) throws {
        let others = try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM member WHERE workspace_id = ? AND role = 'administrator' AND state = 'active' AND id != ?
            """, arguments: [member.workspaceID, member.id]) ?? 0
        if others == 0 { throw AdministrationRefusal.lastAdministrator }
    }
}
