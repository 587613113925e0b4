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
        // background (`checkpoint()`); this bound only matters where nothing else does. (The hot
        // writer's connection has a WAL hook in its place, with the same bound: `HotWriter`.)
        "PRAGMA wal_autocheckpoint = 10000",
        // The WAL file is kept when it starts over after a checkpoint, and frames are written over
        // the old ones; it is cut back only when it grew past 64 MB (a reader kept it from starting
        // over). Cut back each time, the commit that starts it over truncated it (with the write
        // lock held), ext4 allocated its blocks again page by page, and the fsync SQLite makes of
        // a new WAL header carried the file's new size into ext4's journal. Checkpoints run at
        // 4000 frames (16 MB, `HotWriter`): under load the WAL file is rewritten several times a
        // second, and its pages stay in the page cache.
        "PRAGMA journal_size_limit = 67108864",
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

    /// Copies what the WAL holds into the database, on a connection of its own (the delivery
    /// worker's thread: request threads never do it), so that the WAL can start over: passive
    /// checkpoints beside the commits until few frames are left, then the rest with the hot
    /// writer's mutex held. Under a steady stream of sign-ins a passive checkpoint never catches up
    /// with the commits appended while it copies, and the WAL starts over only once it was copied
    /// to its end; so it grew to the inline bound, and the commit that reached it copied thousands
    /// of frames with the write lock held, a stall of tens of milliseconds for every sign-in in
    /// flight. Holding the mutex, the last few hundred frames take a few milliseconds.
    public func checkpoint() throws {
        var copied = try hot.checkpoint().copied
        for _ in 0..<4 {
            let now = try hot.checkpoint().copied
            // Fewer (after the WAL started over) or few more: the rest is quick.
            let more = now - copied
            copied = now
            if more <= Self.framesLeftForTheMutex { break }
        }
        try hotWriter.exclusively { _ = try hot.checkpoint() }
    }

    /// `checkpoint()` copies the last frames with the hot writer's mutex held once a round beside
    /// the commits copied no more than this many (or after five rounds).
    static let framesLeftForTheMutex: Int32 = 256

    /// Asks for `checkpoint()` in the background: `ask` is called when a commit of the hot path
    /// (Next, the outbox's claims and outcomes) leaves the WAL 4000 frames longer than when it last
    /// asked (or than empty). It is called on the committing thread with the write connection's
    /// mutex held: it must only signal. Without it, that connection checkpoints in the committing
    /// thread at 10 000 frames (`HotWriter`).
    public func whenWALGrows(_ ask: @escaping @Sendable () -> Void) {
        hotWriter.whenWALGrows(ask)
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
