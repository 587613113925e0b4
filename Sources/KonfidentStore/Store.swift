import GRDB
import KonfidentCore

/// The SQLite database (WAL) behind one installation: every workspace, member, attempt,
/// session, outbox message, rate-limit counter and audit event.
public final class Store: Sendable {
    public let path: String
    /// GRDB's connections: a pool (one writer, readers beside it) or a single connection.
    let pool: any DatabaseWriter
    let workspaces = WorkspaceDirectory()
    let hot: HotReader
    let hotWriter: HotWriter

    /// How many connections GRDB keeps for a process.
    public enum Connections: Sendable {
        /// A writer and readers beside it: `serve`, `deliver` and `migrate` (which puts a new
        /// database into WAL mode).
        case pool
        /// One connection, for a process that answers one request or runs one command (CGI mode,
        /// the administration commands). A pool, as it opens, makes sure a WAL file exists by
        /// creating and dropping a table, a write transaction with its fsyncs; in CGI mode each
        /// request's process is the last to close the database, which deletes the WAL, so each
        /// request would pay for that. A single connection uses the WAL mode the file has.
        case single
    }

    /// What every connection that writes is set to: GRDB's (through `prepareDatabase`) and the hot
    /// writer's raw one (`ReaderConnection.configureForWriting`).
    static let writingPragmas = [
        "PRAGMA synchronous = NORMAL",
        // Checkpoints (copying the WAL into the database, with an fsync) would otherwise run in
        // whichever request commits the 1000th page. `serve`'s worker checkpoints in the
        // background (`checkpoint()`); this bound only matters where nothing else does.
        "PRAGMA wal_autocheckpoint = 10000",
        // The WAL is cut back to nothing when it starts over after a checkpoint. A frame is a
        // 24-byte header and a page, so every frame write covers parts of two pages of the file;
        // where the kernel no longer holds such a page it reads it from disk first, inside the
        // `pwrite` and while the write lock is held. Cut back, the WAL is written by appending,
        // which reads nothing (a VPS whose page cache is reclaimed, as on the development machine,
        // read the WAL back on a tenth of Next's CPU time).
        "PRAGMA journal_size_limit = 0",
    ]

    /// Opens the database; `migrate()` or `checkSchema()` come next.
    public init(path: String, connections: Connections = .pool) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.maximumReaderCount = 8
        configuration.prepareDatabase { db in
            for pragma in Store.writingPragmas { try db.execute(sql: pragma) }
        }
        switch connections {
        case .pool: pool = try DatabasePool(path: path, configuration: configuration)
        case .single: pool = try DatabaseQueue(path: path, configuration: configuration)
        }
        hot = HotReader(path: path)
        hotWriter = HotWriter(path: path)
    }

    /// Closes every connection, at the end of a CGI request or a command: the last connection to
    /// close the database copies what the WAL holds into the database file and removes the WAL, so
    /// the next process neither reads a long WAL back (SQLite's recovery) nor finds it grown.
    public func close() throws {
        hot.close()
        hotWriter.close()
        try pool.close()
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
    /// Asked on the writer's connection, which opening the pool has opened already: a reader's
    /// would be one more connection to open and schema to parse, in every CGI request.
    public func checkSchema() throws(StoreError) {
        do {
            let (superseded, complete) = try pool.writeWithoutTransaction { db in
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
