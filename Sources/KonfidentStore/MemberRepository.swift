import GRDB
import KonfidentCore

extension Store {
    /// Adds a member, active at once (`konfident member add`).
    public func addMember(_ new: NewMember, to workspace: Workspace, state: MemberState = .active,
                          invitedBy: Int64? = nil, at now: Int64) throws -> Member {
        try write { db in
            try insertMember(db, new, workspaceID: workspace.id, state: state, invitedBy: invitedBy, at: now)
        }
    }

    /// Stores a new member. An address (or personnummer) of a revoked member is taken over by the
    /// new membership instead: revoking by mistake must not lock a person out for good.
    func insertMember(_ db: Database, _ new: NewMember, workspaceID: Int64, state: MemberState,
                      invitedBy: Int64?, at now: Int64) throws -> Member {
        var existing: [Member] = []
        if let email = new.email, let found = try Self.member(db, workspaceID: workspaceID, email: email) {
            if found.state != .revoked { throw StoreError.duplicate("a member with the email address \(email.value)") }
            existing.append(found)
        }
        if let personnummer = new.personnummer,
           let row = try Row.fetchOne(db, sql: "SELECT * FROM member WHERE workspace_id = ? AND personnummer = ?",
                                      arguments: [workspaceID, personnummer.digits]) {
            let found = Member(row: row)
            if found.state != .revoked { throw StoreError.duplicate("a member with that personnummer") }
            if !existing.contains(where: { $0.id == found.id }) { existing.append(found) }
        }
        guard existing.count <= 1 else {
            throw StoreError.duplicate("revoked members with that email address and that personnummer")
        }
        let arguments: StatementArguments = [new.email?.value, new.email?.normalized, new.phone?.e164,
                                             new.personnummer?.digits, new.method.rawValue, new.role.rawValue,
                                             state.rawValue, invitedBy, state == .active ? now : nil]
        let id: Int64
        if let revoked = existing.first {
            try db.execute(sql: """
                UPDATE member SET email = ?, email_key = ?, phone = ?, personnummer = ?, method = ?, role = ?, state = ?,
                                  invited_by = ?, activated_at = ?, revoked_at = NULL
                WHERE id = ?
                """, arguments: arguments + [revoked.id])
            id = revoked.id
        } else {
            try db.execute(sql: """
                INSERT INTO member (email, email_key, phone, personnummer, method, role, state, invited_by, activated_at,
                                    workspace_id, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: arguments + [workspaceID, now])
            id = db.lastInsertedRowID
        }
        guard let member = try Self.member(db, id: id) else { throw StoreError.notFound("member") }
        return member
    }

    public func member(id: Int64) throws -> Member? {
        try read { db in try Self.member(db, id: id) }
    }

    static func member(_ db: Database, id: Int64) throws -> Member? {
        let statement = try db.cachedStatement(sql: "SELECT * FROM member WHERE id = ?")
        return try Row.fetchOne(statement, arguments: [id]).map(Member.init(row:))
    }

    static func member(_ db: Database, workspaceID: Int64, email: EmailAddress) throws -> Member? {
        let statement = try db.cachedStatement(sql: "SELECT * FROM member WHERE workspace_id = ? AND email_key = ?")
        return try Row.fetchOne(statement, arguments: [workspaceID, email.normalized]).map(Member.init(row:))
    }

    public func members(of workspace: Workspace) throws -> [Member] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM member WHERE workspace_id = ? ORDER BY id", arguments: [workspace.id])
                .map(Member.init(row:))
        }
    }
}
