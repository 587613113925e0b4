import Synchronization

/// The registered workspaces by host and by id, kept in memory: every request resolves its
/// workspace, and a database read for it would cost more than the rest of the login page.
final class WorkspaceDirectory: Sendable {
    private struct Snapshot {
        var byHost: [String: [Workspace]] = [:]
        var byID: [Int64: Workspace] = [:]
        var loadedAt: Int64 = .min
    }

    private let snapshot = Mutex(Snapshot())

    /// The workspaces of `host`.
    func workspaces(host: String, at now: Int64, load: () throws -> [Workspace]) throws -> [Workspace] {
        try current(at: now, load) { $0.byHost[host] ?? [] }
    }

    /// The workspace `id` (the delivery worker's look-up for every message).
    func workspace(id: Int64, at now: Int64, load: () throws -> [Workspace]) throws -> Workspace? {
        try current(at: now, load) { $0.byID[id] }
    }

    /// `pick` of the copy, reloading everything with `load` when the copy is a second old.
    private func current<T: Sendable>(at now: Int64, _ load: () throws -> [Workspace], _ pick: (Snapshot) -> T) throws -> T {
        if let cached = snapshot.withLock({ $0.loadedAt == now ? Optional(pick($0)) : nil }) {
            return cached
        }
        let all = try load()
        let fresh = Snapshot(byHost: Dictionary(grouping: all, by: \.url.host),
                             byID: Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }),
                             loadedAt: now)
        snapshot.withLock { $0 = fresh }
        return pick(fresh)
    }

    /// After a change made by this process: the next request reads the database again.
    func invalidate() {
        snapshot.withLock { $0.loadedAt = .min }
    }
}
