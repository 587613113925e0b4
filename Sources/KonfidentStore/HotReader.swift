import GRDBSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import KonfidentCore
import Synchronization

/// The reads every waiting-page poll, link page and `auth_request` makes, on read-only SQLite
/// connections with statements prepared once, each used by one thread at a time. They skip the
/// connection pool's hand-over between threads, which costs more than the query itself. In WAL
/// mode each statement sees the last committed state.
final class HotReader: @unchecked Sendable {
    private let path: String
    /// Idle connections; only touched with `lock` held, for a pop or an append.
    private var idle: [ReaderConnection] = []
    private let lock = PlainMutex()
    private let checkpointer = Mutex<ReaderConnection?>(nil)

    init(path: String) {
        self.path = path
    }

    /// A passive checkpoint, on a read-write connection kept for it (`ReaderConnection.checkpoint`).
    @discardableResult
    func checkpoint() throws -> (frames: Int32, copied: Int32) {
        try checkpointer.withLock { connection in
            let checkpointing = try connection ?? ReaderConnection.forCheckpoints(path: path)
            connection = checkpointing
            return try checkpointing.checkpoint()
        }
    }

    /// Closes the idle connections (`Store.close()`).
    func close() {
        lock.withLock { idle.removeAll() }
        checkpointer.withLock { $0 = nil }
    }

    /// Runs `sql` on an idle connection (opened on first need) and maps the first row, if any.
    func first<T>(_ sql: String, _ values: [ReaderConnection.Value], _ map: (ReaderConnection.Row) -> T) throws -> T? {
        let connection = try lock.withLock { idle.popLast() } ?? ReaderConnection(path: path)
        defer { lock.withLock { idle.append(connection) } }
        return try connection.first(sql, values, map)
    }
}

/// The hot write transaction (Next on the login page) on a read-write SQLite connection of its own,
/// with statements prepared once, instead of GRDB's writer: its dispatch queue, transaction
/// bookkeeping and argument conversions cost more than the inserts themselves. One connection,
/// guarded by a mutex: writers wait for each other on the mutex, not in SQLite's busy handler
/// (which sleeps). It is configured like GRDB's connections (WAL, `synchronous = NORMAL`, foreign
/// keys on, the same busy timeout and autocheckpoint bound), and waits in `BEGIN IMMEDIATE` for a
/// write transaction of GRDB's writer, as that one waits for it.
///
/// The mutex is a `PlainMutex`: a transaction holds it for tens of microseconds.
final class HotWriter: @unchecked Sendable {
    private let path: String
    private let lock = PlainMutex()
    /// Opened on first use; only touched with `lock` held.
    private var connection: ReaderConnection?
    /// Who checkpoints in the background (`Store.whenWALGrows`).
    private let backgroundCheckpointer = Mutex<(@Sendable () -> Void)?>(nil)
    /// The WAL's length in frames when a checkpoint was last asked for; only touched by commits,
    /// with `lock` held.
    private var framesAtLastAsk: Int32 = 0

    /// A commit that leaves this many frames or more in the WAL asks for a checkpoint in the
    /// background (SQLite's own automatic checkpoint runs at 1000, in the committing thread).
    /// Not fewer: each checkpoint lets the WAL start over, and the commit that starts it over
    /// writes a new WAL header and waits for its fsync with the write lock held, so every start
    /// over stalls the sign-ins in flight for the time of a disk write.
    static let backgroundCheckpointFrames: Int32 = 4000
    /// Where nobody checkpointed in time (no background checkpointer: CGI mode, a command; or it
    /// fell behind), the commit that reaches this many frames checkpoints itself, as
    /// `wal_autocheckpoint` does on GRDB's connections (`Store.writingPragmas`).
    static let inlineCheckpointFrames: Int32 = 10_000

    init(path: String) {
        self.path = path
    }

    /// `Store.whenWALGrows`.
    func whenWALGrows(_ ask: @escaping @Sendable () -> Void) {
        backgroundCheckpointer.withLock { $0 = ask }
    }

    /// After each commit on the connection, with the frames the WAL holds (SQLite's WAL hook, which
    /// takes the place of `wal_autocheckpoint` on this connection). A checkpoint is asked for once
    /// per `backgroundCheckpointFrames` the WAL grows: the WAL keeps its length after a checkpoint
    /// until a commit starts it over, and the commits in between must not ask again.
    fileprivate func committed(walFrames frames: Int32) {
        if frames >= Self.inlineCheckpointFrames {
            // The committing connection itself: a commit runs with `lock` held.
            _ = try? connection?.checkpoint()
            return
        }
        if frames < framesAtLastAsk { framesAtLastAsk = 0 }  // it started over
        if frames >= framesAtLastAsk + Self.backgroundCheckpointFrames, let ask = backgroundCheckpointer.withLock({ $0 }) {
            framesAtLastAsk = frames
            ask()
        }
    }

    /// Closes the connection (`Store.close()`).
    func close() {
        lock.withLock { connection = nil }
    }

    /// Runs `body` with the mutex held and no transaction: no commit of the hot path meanwhile.
    func exclusively<T>(_ body: () throws -> T) rethrows -> T {
        try lock.withLock(body)
    }

    /// Runs `body` in one write transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: (ReaderConnection) throws -> T) throws -> T {
        try lock.withLock { try inTransaction(body) }
    }

    /// `transaction`'s work, with `lock` held.
    private func inTransaction<T>(_ body: (ReaderConnection) throws -> T) throws -> T {
        let writer: ReaderConnection
        if let open = connection {
            writer = open
        } else {
            writer = try ReaderConnection(path: path, readOnly: false)
            try writer.configureForWriting()
            writer.afterEachCommit(hotWriterCommitted, context: Unmanaged.passUnretained(self).toOpaque())
            connection = writer
        }
        try writer.execute("BEGIN IMMEDIATE")
        let value: T
        do {
            value = try body(writer)
            try writer.execute("COMMIT")
        } catch {
            writer.rollback()
            throw error
        }
        return value
    }
}

/// The hot writer's WAL hook. The connection is the writer's own and closes before it, so the
/// writer outlives every call.
private func hotWriterCommitted(_ context: UnsafeMutableRawPointer?, _ database: OpaquePointer?,
                                _ name: UnsafePointer<CChar>?, _ frames: Int32) -> Int32 {
    if let context {
        Unmanaged<HotWriter>.fromOpaque(context).takeUnretainedValue().committed(walFrames: frames)
    }
    return SQLITE_OK
}

/// A plain pthread mutex. The standard library's `Mutex` spins, then sleeps on a
/// priority-inheriting futex, which under load cost more processor time than the short sections
/// the hot reader and writer guard.
final class PlainMutex: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

/// One SQLite connection and its prepared statements; used by one thread at a time.
final class ReaderConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    /// A short list searched in order: the hot paths pass the same string constants every time, and
    /// comparing a string with itself takes no look at its text, while hashing it reads all of it.
    private var statements: [(sql: String, statement: OpaquePointer)] = []

    init(path: String, readOnly: Bool = true) throws {
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(handle)
            throw StoreError.database(message)
        }
        sqlite3_busy_timeout(handle, 10_000)
    }

    deinit {
        for (_, statement) in statements { sqlite3_finalize(statement) }
        sqlite3_close(handle)
    }

    /// The settings `Store` gives GRDB's connections, for a connection that writes.
    func configureForWriting() throws {
        // GRDB turns foreign keys on by itself.
        for pragma in ["PRAGMA foreign_keys = ON"] + Store.writingPragmas {
            guard sqlite3_exec(handle, pragma, nil, nil, nil) == SQLITE_OK else { throw error() }
        }
    }

    /// Calls `hook` after each commit with the frames the WAL holds, instead of checkpointing at
    /// `wal_autocheckpoint` pages.
    func afterEachCommit(_ hook: @escaping @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32,
                         context: UnsafeMutableRawPointer) {
        sqlite3_wal_hook(handle, hook, context)
    }

    /// A read-write connection for `checkpoint()`. A connection opens the database file, and finds
    /// the WAL, at its first read: a checkpoint before that sees no WAL and copies nothing (it
    /// reports -1 frames). So it reads once here.
    static func forCheckpoints(path: String) throws -> ReaderConnection {
        let connection = try ReaderConnection(path: path, readOnly: false)
        try connection.execute("SELECT 1 FROM sqlite_schema LIMIT 1")
        return connection
    }

    /// A passive checkpoint. Returns the frames the WAL held when it began and how many of them are
    /// in the database now (frames appended while it ran are in neither).
    func checkpoint() throws -> (frames: Int32, copied: Int32) {
        var frames: Int32 = 0
        var copied: Int32 = 0
        let status = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied)
        guard status == SQLITE_OK || status == SQLITE_BUSY else {
            throw StoreError.database(String(cString: sqlite3_errmsg(handle)))
        }
        return (max(0, frames), max(0, copied))
    }

    enum Value {
        case integer(Int64)
        case blob([UInt8])
        case text(String)
        case null

        static func integer(_ value: Int64?) -> Value { value.map { .integer($0) } ?? .null }
        static func text(_ value: String?) -> Value { value.map { .text($0) } ?? .null }
    }

    /// Runs `sql` with `values` and maps the first row, if any.
    func first<T>(_ sql: String, _ values: [Value], _ map: (Row) -> T) throws -> T? {
        var found: T?
        try step(sql, values) { row in
            found = map(row)
            return false
        }
        return found
    }

    /// Runs `sql` with `values` and maps every row.
    func all<T>(_ sql: String, _ values: [Value], _ map: (Row) -> T) throws -> [T] {
        var rows: [T] = []
        try step(sql, values) { row in
            rows.append(map(row))
            return true
        }
        return rows
    }

    /// Runs `sql` with `values` and hands each row to `each` until it returns false or the rows end.
    private func step(_ sql: String, _ values: [Value], _ each: (Row) -> Bool) throws {
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        bind(values, to: statement)
        while true {
            switch sqlite3_step(statement) {
            case SQLITE_ROW: if !each(Row(statement: statement)) { return }
            case SQLITE_DONE: return
            default: throw error()
            }
        }
    }

    /// Runs a statement that returns no rows (INSERT, UPDATE, BEGIN, COMMIT).
    func execute(_ sql: String, _ values: [Value] = []) throws {
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            if !values.isEmpty { sqlite3_clear_bindings(statement) }
        }
        bind(values, to: statement)
        var status = sqlite3_step(statement)
        while status == SQLITE_ROW { status = sqlite3_step(statement) }
        guard status == SQLITE_DONE else { throw error() }
    }

    /// The rowid of the last INSERT on this connection.
    var lastInsertedRowID: Int64 {
        sqlite3_last_insert_rowid(handle)
    }

    /// The rows the last INSERT, UPDATE or DELETE on this connection changed.
    var changes: Int {
        Int(sqlite3_changes(handle))
    }

    /// Ends an open transaction without its changes; nothing to do when SQLite already ended it.
    func rollback() {
        guard sqlite3_get_autocommit(handle) == 0 else { return }
        _ = sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
    }

    private func error() -> StoreError {
        StoreError.database(String(cString: sqlite3_errmsg(handle)))
    }

    private func bind(_ values: [Value], to statement: OpaquePointer) {
        // SQLITE_TRANSIENT: SQLite copies text and bytes before the call returns.
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (index, value) in values.enumerated() {
            let position = Int32(index + 1)
            switch value {
            case let .integer(number): sqlite3_bind_int64(statement, position, number)
            case var .text(text):
                _ = text.withUTF8 { bytes in
                    // An empty buffer may have no address, and a null pointer would bind NULL.
                    if let base = bytes.baseAddress {
                        sqlite3_bind_text(statement, position, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self),
                                          Int32(bytes.count), transient)
                    } else {
                        sqlite3_bind_text(statement, position, "", 0, transient)
                    }
                }
            case let .blob(bytes):
                if bytes.isEmpty {
                    sqlite3_bind_zeroblob(statement, position, 0)
                } else {
                    _ = bytes.withUnsafeBytes {
                        sqlite3_bind_blob(statement, position, $0.baseAddress, Int32($0.count), transient)
                    }
                }
            case .null: sqlite3_bind_null(statement, position)
            }
        }
    }

    private func prepared(_ sql: String) throws -> OpaquePointer {
        for entry in statements where entry.sql == sql { return entry.statement }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK,
              let statement else {
            throw error()
        }
        statements.append((sql, statement))
        return statement
    }

    /// The current row, read by column position.
    struct Row {
        let statement: OpaquePointer

        func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

        func optionalInteger(_ column: Int32) -> Int64? {
            sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : sqlite3_column_int64(statement, column)
        }

        func text(_ column: Int32) -> String {
            guard let pointer = sqlite3_column_text(statement, column) else { return "" }
            return String(cString: pointer)
        }

        func optionalText(_ column: Int32) -> String? {
            sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : text(column)
        }

        func blob(_ column: Int32) -> [UInt8] {
            let count = Int(sqlite3_column_bytes(statement, column))
            guard count > 0, let pointer = sqlite3_column_blob(statement, column) else { return [] }
            return Array(UnsafeRawBufferPointer(start: pointer, count: count))
        }
    }
}
