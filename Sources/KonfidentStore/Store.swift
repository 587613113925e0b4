import GRDB
import KonfidentCore

/// The SQLite database (WAL) behind one installation: every workspace, member, attempt,
/// session, outbox message, rate-limit counter and audit event.
public final class Store: Sendable {
    public let path: String
    let pool: DatabasePool
    let workspaces = WorkspaceDirectory()
    let hot: HotReader
    let hotWriter: HotWriter

    /// Opens the database; `migrate()` or `checkSchema()` come next.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.maximumReaderCount = 8
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Checkpoints (copying the WAL into the database, with an fsync) would otherwise run in
            // whichever request commits the 1000th page. `serve`'s worker checkpoints in the
            // background (`checkpoint()`); this bound only matters where nothing else does.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 10000")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        hot = HotReader(path: path)
        hotWriter = HotWriter(path: path)
    }

    /// Copies what the WAL holds into the database without waiting for anybody (a passive
    /// checkpoint on a connection of its own, so request threads never wait for it).
    public func checkpoint() throws {
        try hot.checkpoint()
    }

    /// Brings the schema up to date (`konfident migrate`).
    public func migrate() throws {
        try Schema.migrator.migrate(pool)
    }

    /// Refuses a database that is not migrated, or was migrated by a newer version of the software.
    public func checkSchema() throws(StoreError) {
        do {
            let (superseded, complete) = try pool.read { db in
                (try Schema.migrator.hasBeenSuperseded(db), try Schema.migrator.hasCompletedMigrations(db))
            }
            if superseded {
                throw StoreError.schemaTooNew(path: path)
            }
            if !complete {
                throw StoreError.schemaNotMigrated(path: path)
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.database("\(error)")
        }
    }

    func write<T>(_ updates: (Database) throws -> T) throws -> T {
        try pool.write(updates)
    }

    /// A read of one statement: SQLite makes a single statement atomic, so no transaction is
    /// opened around it (BEGIN and COMMIT would double the cost of the hot reads).
    func read<T>(_ value: (Database) throws -> T) throws -> T {
        try pool.unsafeRead(value)
    }
}

public enum StoreError: Error, CustomStringConvertible, Equatable, Sendable {
    case schemaTooNew(path: String)
    case schemaNotMigrated(path: String)
    case duplicate(String)
    case notFound(String)
    case database(String)

    public var description: String {
        switch self {
        case let .schemaTooNew(path):
            "the database \(path) was migrated by a newer version of konfident; upgrade konfident"
        case let .schemaNotMigrated(path):
            "the database \(path) is not up to date; run `konfident migrate`"
        case let .duplicate(what): "\(what) already exists"
        case let .notFound(what): "\(what) not found"
        case let .database(message): "database error: \(message)"
        }
    }
}
