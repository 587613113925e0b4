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

    func insertMember(_ db: Database, _ new: NewMember, workspaceID: Int64, state: MemberState,
                      invitedBy: Int64?, at now: Int64) throws -> Member {
        if let email = new.email, try Row.fetchOne(db, sql: "SELECT 1 FROM member WHERE workspace_id = ? AND email_key = ?",
                                                   arguments: [workspaceID, email.normalized]) != nil {
            throw StoreError.duplicate("a member with the email address \(email.value)")
        }
        if let personnummer = new.personnummer, try Row.fetchOne(db, sql: "SELECT 1 FROM member WHERE workspace_id = ? AND personnummer = ?",
                                                                 arguments: [workspaceID, personnummer.digits]) != nil {
            throw StoreError.duplicate("a member with that personnummer")
        }
        try db.execute(sql: """
            INSERT INTO member (workspace_id, email, email_key, phone, personnummer, method, role, state,
                                invited_by, created_at, activated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [workspaceID, new.email?.value, new.email?.normalized, new.phone?.e164,
                             new.personnummer?.digits, new.method.rawValue, new.role.rawValue, state.rawValue,
                             invitedBy, now, state == .active ? now : nil])
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM member WHERE id = ?", arguments: [db.lastInsertedRowID]) else {
            throw StoreError.notFound("member")
        }
        return Member(row: row)
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
