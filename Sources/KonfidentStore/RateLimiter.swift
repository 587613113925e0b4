import GRDB
import KonfidentCore

/// Fixed-window counters in the database, so limits hold across threads, processes (CGI) and restarts.
extension Store {
    public struct RateLimitHit: Error, Sendable, Equatable {
        public let kind: RateLimitKind
        public let key: String
        /// The window's first refusal: the one the audit log records. Later refusals in the window
        /// write nothing, so that requests over a limit cannot fill the database.
        public var isFirstInWindow: Bool = true

        public init(kind: RateLimitKind, key: String, isFirstInWindow: Bool = true) {
            self.kind = kind
            self.key = key
            self.isFirstInWindow = isFirstInWindow
        }

        /// The same limit's hit, whether or not it was its window's first.
        public static func == (left: RateLimitHit, right: RateLimitHit) -> Bool {
            left.kind == right.kind && left.key == right.key
        }
    }

    /// Counts one attempt against every `(kind, key)`; throws the first limit already reached
    /// (nothing is counted then, but the window's first refusal, which marks the window as refused
    /// so that later ones write nothing). Call inside the transaction that records the attempt.
    static func count(_ db: Database, _ keys: [(kind: RateLimitKind, key: String)],
                      policy: RateLimitPolicy, at now: Int64) throws {
        try count(keys, policy: policy, at: now,
                  used: { key, window in
                      try Int.fetchOne(db.cachedStatement(sql: RawSQL.rateLimitCount), arguments: [key, window]) ?? 0
                  },
                  add: { key, window in
                      try db.cachedStatement(sql: RawSQL.rateLimitUpsert).execute(arguments: [key, window])
                  })
    }

    /// `count` on the raw write connection of the hot path (`HotWriter`): the same rows, the same rule.
    static func count(_ connection: ReaderConnection, _ keys: [(kind: RateLimitKind, key: String)],
                      policy: RateLimitPolicy, at now: Int64) throws {
        try count(keys, policy: policy, at: now,
                  used: { key, window in
                      try connection.first(RawSQL.rateLimitCount, [.text(key), .integer(window)]) { $0.integer(0) }.map(Int.init) ?? 0
                  },
                  add: { key, window in
                      try connection.execute(RawSQL.rateLimitUpsert, [.text(key), .integer(window)])
                  })
    }

    /// The rule itself, whatever the connection: `used` reads a window's count, `add` counts one in it.
    private static func count(_ keys: [(kind: RateLimitKind, key: String)], policy: RateLimitPolicy, at now: Int64,
                              used: (String, Int64) throws -> Int, add: (String, Int64) throws -> Void) throws {
        guard !policy.isOff else { return }
        var windows: [(String, Int64)] = []
        for (kind, key) in keys {
            guard let limit = policy.limits[kind] else { continue }
            let windowStart = now - now % limit.windowSeconds
            let fullKey = "\(kind.rawValue):\(key)"
            let count = try used(fullKey, windowStart)
            if count >= limit.count {
                let first = count == limit.count
                if first { try add(fullKey, windowStart) }
                throw RateLimitHit(kind: kind, key: key, isFirstInWindow: first)
            }
            windows.append((fullKey, windowStart))
        }
        for (key, windowStart) in windows {
            try add(key, windowStart)
        }
    }

    /// The SMS limits of a message to `phone`: per number and per country calling code.
    static func smsKeys(_ phone: String) -> [(kind: RateLimitKind, key: String)] {
        let country = (try? PhoneNumber(parsing: phone))?.countryCode ?? "unknown"
        return [(.sms, phone), (.smscountry, country)]
    }

    static func countSMS(_ db: Database, phone: String, policy: RateLimitPolicy, at now: Int64) throws {
        try count(db, smsKeys(phone), policy: policy, at: now)
    }

    static func countSMS(_ connection: ReaderConnection, phone: String, policy: RateLimitPolicy, at now: Int64) throws {
        try count(connection, smsKeys(phone), policy: policy, at: now)
    }
}

/// The statements shared by GRDB's writer and the raw write connection, written once.
enum RawSQL {
    static let rateLimitCount = "SELECT count FROM rate_limit WHERE key = ? AND window_start = ?"
    static let rateLimitUpsert = """
        INSERT INTO rate_limit (key, window_start, count) VALUES (?, ?, 1)
        ON CONFLICT (key, window_start) DO UPDATE SET count = count + 1
        """
    static let enqueue = """
        INSERT INTO outbox (channel, kind, workspace_id, member_id, recipient, language, subject_id, next_try_at, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    static let audit = """
        INSERT INTO audit (at, workspace_id, member_id, ip, event, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?)
        """
}
