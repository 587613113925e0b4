import Synchronization

/// The registered workspaces by host, kept in memory: every request resolves its workspace, and
/// a database read for it would cost more than the rest of the login page.
final class WorkspaceDirectory: Sendable {
    private struct Snapshot {
        var byHost: [String: [Workspace]] = [:]
        var loadedAt: Int64 = .min
    }

    private let snapshot = Mutex(Snapshot())

    /// The workspaces of `host`, reloading everything with `load` when the copy is a second old.
    func workspaces(host: String, at now: Int64, load: () throws -> [Workspace]) throws -> [Workspace] {
        if let cached = snapshot.withLock({ $0.loadedAt == now ? $0.byHost[host] ?? [] : nil }) {
            return cached
        }
        let all = try load()
        let byHost = Dictionary(grouping: all, by: \.url.host)
        snapshot.withLock { $0 = Snapshot(byHost: byHost, loadedAt: now) }
        return byHost[host] ?? []
    }

    /// After a change made by this process: the next request reads the database again.
    func invalidate() {
        snapshot.withLock { $0.loadedAt = .min }
    }
}
