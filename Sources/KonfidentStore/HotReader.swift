import GRDBSQLite
import KonfidentCore
import Synchronization

/// The reads every waiting-page poll, link page and `auth_request` makes, on read-only SQLite
/// connections with statements prepared once, each used by one thread at a time. They skip the
/// connection pool's hand-over between threads, which costs more than the query itself. In WAL
/// mode each statement sees the last committed state.
final class HotReader: Sendable {
    private let path: String
    private let idle = Mutex<[ReaderConnection]>([])
    private let checkpointer = Mutex<ReaderConnection?>(nil)

    init(path: String) {
        self.path = path
    }

    /// A passive checkpoint, on a read-write connection kept for it.
    func checkpoint() throws {
        try checkpointer.withLock { connection in
            if connection == nil { connection = try ReaderConnection(path: path, readOnly: false) }
            try connection?.checkpoint()
        }
    }

    /// Runs `sql` on an idle connection (opened on first need) and maps the first row, if any.
    func first<T>(_ sql: String, _ values: [ReaderConnection.Value], _ map: (ReaderConnection.Row) -> T) throws -> T? {
        let connection = try idle.withLock { $0.popLast() } ?? ReaderConnection(path: path)
        defer { idle.withLock { $0.append(connection) } }
        return try connection.first(sql, values, map)
    }
}

/// One read-only connection and its prepared statements; used by one thread only.
final class ReaderConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]

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
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close(handle)
    }

    func checkpoint() throws {
        let status = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        guard status == SQLITE_OK || status == SQLITE_BUSY else {
            throw StoreError.database(String(cString: sqlite3_errmsg(handle)))
        }
    }

    enum Value {
        case integer(Int64)
        case blob([UInt8])
        case text(String)
    }

    /// Runs `sql` with `values` and maps the first row, if any.
    func first<T>(_ sql: String, _ values: [Value], _ map: (Row) -> T) throws -> T? {
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (index, value) in values.enumerated() {
            let position = Int32(index + 1)
            switch value {
            case let .integer(number): sqlite3_bind_int64(statement, position, number)
            case let .text(text):
                // SQLITE_TRANSIENT: SQLite copies the text before the call returns.
                sqlite3_bind_text(statement, position, text, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
            case let .blob(bytes):
                // SQLITE_TRANSIENT: SQLite copies the bytes before the call returns.
                _ = bytes.withUnsafeBytes {
                    sqlite3_bind_blob(statement, position, $0.baseAddress, Int32($0.count),
                                      unsafeBitCast(-1, to: sqlite3_destructor_type.self))
                }
            }
        }
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return map(Row(statement: statement))
        case SQLITE_DONE: return nil
        default: throw StoreError.database(String(cString: sqlite3_errmsg(handle)))
        }
    }

    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK,
              let statement else {
            throw StoreError.database(String(cString: sqlite3_errmsg(handle)))
        }
        statements[sql] = statement
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
