import KonfidentCore

/// How long the store keeps what it no longer needs. Sign-in attempts hold the IP address and user
/// agent of the browser that started them, messages their recipient, BankID orders the proven
/// personnummer: none of it is needed once the attempt, message or order is over, and a copy of the
/// database should not hold years of it. What stays: workspaces, members, invitations, and the
/// audit log unless the operator sets how long it is kept (DESIGN §2 asks for the log of every
/// security event and says nothing of how long; the default keeps it).
public struct Retention: Sendable, Equatable {
    /// Sign-in attempts, messages that were sent or given up, and BankID orders are deleted this
    /// many seconds after they were made: time enough to look into "I never got the mail" (the
    /// audit log keeps its own lines).
    public var records: Int64
    /// Sessions are deleted this long after they expired or ended.
    public var expired: Int64
    /// Rate-limit windows are deleted once the longest window of the limits in force (or
    /// `expired`, whichever is longer) has passed since they opened.
    public var rateLimitWindow: Int64
    /// Audit entries are deleted this many seconds after their event; nil keeps them.
    public var audit: Int64?

    public init(records: Int64 = 30 * 86_400, expired: Int64 = 86_400, rateLimitWindow: Int64 = 0, audit: Int64? = nil) {
        self.records = records
        self.expired = expired
        self.rateLimitWindow = rateLimitWindow
        self.audit = audit
    }

    /// Rows deleted in one transaction: a request thread waits for the hot writer's mutex at most
    /// the time of one such batch (a few milliseconds).
    public static let batchSize = 500
}

/// What one round of `Store.purge` deleted.
public struct PurgeCounts: Sendable, Equatable {
    public var attempts = 0
    public var messages = 0
    public var bankIDOrders = 0
    public var sessions = 0
    public var rateLimits = 0
    public var auditEntries = 0

    public init() {}

    public var total: Int { attempts + messages + bankIDOrders + sessions + rateLimits + auditEntries }

    public static func += (counts: inout PurgeCounts, round: PurgeCounts) {
        counts.attempts += round.attempts
        counts.messages += round.messages
        counts.bankIDOrders += round.bankIDOrders
        counts.sessions += round.sessions
        counts.rateLimits += round.rateLimits
        counts.auditEntries += round.auditEntries
    }
}

enum RetentionSQL {
    // Attempts, messages and orders get their ids in the order they are made, so the oldest are
    // the first rows by id: each round looks at the first `batchSize` rows (no index on their
    // times is needed) and deletes those old enough. The newest row stays whatever its age:
    // SQLite gives a new row the largest id plus one, so no id is ever given out again.
    static func oldestRows(_ table: String, madeAt column: String, alsoWhere condition: String = "") -> String {
        """
        DELETE FROM \(table) WHERE id IN (
            SELECT id FROM (SELECT * FROM \(table) ORDER BY id LIMIT ?2)
            WHERE \(column) < ?1 \(condition) AND id < (SELECT max(id) FROM \(table)))
        """
    }
    static let attempts = oldestRows("sign_in_attempt", madeAt: "created_at")
    static let messages = oldestRows("outbox", madeAt: "created_at", alsoWhere: "AND state NOT IN ('pending', 'sending')")
    static let bankIDOrders = oldestRows("bankid_order", madeAt: "started_at")
    static let auditEntries = oldestRows("audit", madeAt: "at")

    // Sessions and rate-limit windows are keyed by hashes and keys in no order of time; both tables
    // hold only what is live or recent once they were purged.
    static let sessions = """
        DELETE FROM session WHERE id_hash IN (
            SELECT id_hash FROM session WHERE expires_at < ?1 OR ended_at < ?1 LIMIT ?2)
        """
    static let rateLimits = """
        DELETE FROM rate_limit WHERE (key, window_start) IN (
            SELECT key, window_start FROM rate_limit WHERE window_start < ?1 LIMIT ?2)
        """
}

extension Store {
    /// One round of deletions (`Retention`): up to `Retention.batchSize` rows of each kind, each
    /// kind in a transaction of its own on the hot writer, so that sign-ins wait at most for one
    /// batch. Call it again while it deletes something.
    public func purge(_ retention: Retention, at now: Int64) throws -> PurgeCounts {
        let batch = ReaderConnection.Value.integer(Int64(Retention.batchSize))
        func delete(_ sql: String, before cutoff: Int64) throws -> Int {
            try hotWriter.transaction { connection in
                try connection.execute(sql, [.integer(cutoff), batch])
                return connection.changes
            }
        }
        var counts = PurgeCounts()
        counts.attempts = try delete(RetentionSQL.attempts, before: now - retention.records)
        counts.messages = try delete(RetentionSQL.messages, before: now - retention.records)
        counts.bankIDOrders = try delete(RetentionSQL.bankIDOrders, before: now - retention.records)
        counts.sessions = try delete(RetentionSQL.sessions, before: now - retention.expired)
        counts.rateLimits = try delete(RetentionSQL.rateLimits,
                                       before: now - max(retention.expired, retention.rateLimitWindow))
        if let audit = retention.audit {
            counts.auditEntries = try delete(RetentionSQL.auditEntries, before: now - audit)
        }
        return counts
    }
}
