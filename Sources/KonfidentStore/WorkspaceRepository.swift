import GRDB
import KonfidentCore

extension Store {
    public func createWorkspace(slug: String, name: String, url: WorkspaceURL, at now: Int64) throws -> Workspace {
        try write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM workspace WHERE slug = ?", arguments: [slug]) != nil {
                throw StoreError.duplicate("workspace \(slug)")
            }
            try db.execute(sql: """
                INSERT INTO workspace (slug, name, url, host, path_prefix, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [slug, name, url.description, url.host, url.pathPrefix, now])
            let row = try Row.fetchOne(db, sql: "SELECT * FROM workspace WHERE id = ?", arguments: [db.lastInsertedRowID])
            guard let row else { throw StoreError.notFound("workspace \(slug)") }
            workspaces.invalidate()
            return try Workspace(row: row)
        }
    }

    public func workspace(slug: String) throws -> Workspace? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM workspace WHERE slug = ?", arguments: [slug]).map(Workspace.init(row:))
        }
    }

    public func workspace(id: Int64) throws -> Workspace? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM workspace WHERE id = ?", arguments: [id]).map(Workspace.init(row:))
        }
    }

    /// `workspace(id:)` from the copy in memory that requests resolve their workspace from (at
    /// most a second old): what the delivery worker reads for every message.
    public func workspace(id: Int64, at now: Int64) throws -> Workspace? {
        try workspaces.workspace(id: id, at: now, load: allWorkspaces)
    }

    private func allWorkspaces() throws -> [Workspace] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM workspace").map(Workspace.init(row:)) }
    }

    /// The workspace a request belongs to: same host, longest matching path prefix.
    /// Returns the workspace and the path inside it. Workspaces are read from memory, refreshed
    /// from the database at most once a second, so a workspace created by the command line while
    /// `serve` runs answers within a second.
    public func resolveWorkspace(host: String, path: String, at now: Int64) throws -> (Workspace, String)? {
        let candidates = try workspaces.workspaces(host: host, at: now, load: allWorkspaces)
        var best: (Workspace, String)? = nil
        for workspace in candidates {
            guard let local = workspace.url.localPath(of: path) else { continue }
            if best == nil || workspace.url.pathPrefix.count > best!.0.url.pathPrefix.count {
                best = (workspace, local)
            }
        }
        return best
    }
}
