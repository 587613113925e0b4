import GRDB
import KonfidentCore

/// A queued message. It holds no link and no token: the delivery worker derives the token
/// from the subject's id and nonce under the server key when it renders the message.
public struct OutboxMessage: Sendable, Equatable {
    public let id: Int64
    public let channel: LinkChannel
    public let kind: String
    public let workspaceID: Int64
    public let memberID: Int64?
    public let recipient: String
    public let language: Language
    public let subjectID: Int64?
    public let tries: Int
    public let createdAt: Int64

    init(row: Row) {
        id = row["id"]
        channel = LinkChannel(rawValue: row["channel"]) ?? .email
        kind = row["kind"]
        workspaceID = row["workspace_id"]
        memberID = row["member_id"]
        recipient = row["recipient"]
        language = Language(rawValue: row["language"]) ?? .en
        subjectID = row["subject_id"]
        tries = row["tries"]
        createdAt = row["created_at"]
    }
}

/// The delivery state of a message, for the operator.
public struct OutboxStatus: Sendable, Equatable {
    public let id: Int64
    public let state: String
    public let tries: Int
    public let lastError: String?
}

extension Store {
    static func enqueue(_ db: Database, channel: LinkChannel, kind: MessageKind, workspaceID: Int64, memberID: Int64?,
                        recipient: String, language: Language, subjectID: Int64?, at now: Int64) throws {
        let statement = try db.cachedStatement(sql: RawSQL.enqueue)
        try statement.execute(arguments: [channel.rawValue, kind.rawValue, workspaceID, memberID, recipient,
                                          language.rawValue, subjectID, now, now])
    }

    /// `enqueue` on the raw write connection of the hot path (`HotWriter`).
    static func enqueue(_ connection: ReaderConnection, channel: LinkChannel, kind: MessageKind, workspaceID: Int64,
                        memberID: Int64?, recipient: String, language: Language, subjectID: Int64?, at now: Int64) throws {
        try connection.execute(RawSQL.enqueue, [
            .text(channel.rawValue), .text(kind.rawValue), .integer(workspaceID), .integer(memberID), .text(recipient),
            .text(language.rawValue), .integer(subjectID), .integer(now), .integer(now),
        ])
    }

    /// Takes the next due message and records the try before anything is sent: after a crash the
    /// message is tried again (at most that one message repeats), never lost.
    public func claimDueMessage(at now: Int64, retryAfterCrash: Int64 = 120) throws -> OutboxMessage? {
        // A look without the writer first: an idle worker must not take the write lock every second.
        let due = try hot.first("SELECT 1 FROM outbox WHERE state IN ('pending', 'sending') AND next_try_at <= ? LIMIT 1",
                                [.integer(now)]) { _ in true }
        guard due == true else { return nil }
        return try write { db in
            let statement = try db.cachedStatement(sql: """
                SELECT * FROM outbox WHERE state IN ('pending', 'sending') AND next_try_at <= ? ORDER BY next_try_at, id LIMIT 1
                """)
            guard let row = try Row.fetchOne(statement, arguments: [now]) else { return nil }
            let message = OutboxMessage(row: row)
            // While 'sending', the row is due again only after `retryAfterCrash`: that is the crash case.
            try db.cachedStatement(sql: "UPDATE outbox SET state = 'sending', tries = tries + 1, next_try_at = ? WHERE id = ?").execute(
                           arguments: [now + retryAfterCrash, message.id])
            return OutboxMessage(row: try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM outbox WHERE id = ?"), arguments: [message.id]) ?? row)
        }
    }

    public func markSent(messageID: Int64, gatewayID: String?, at now: Int64) throws {
        try write { db in
            try db.cachedStatement(sql: "UPDATE outbox SET state = 'sent', sent_at = ?, gateway_id = ?, last_error = NULL WHERE id = ?").execute(
                           arguments: [now, gatewayID, messageID])
        }
    }

    /// A failed try: due again at `retryAt`, or given up (`failed`) when nil.
    public func markFailed(messageID: Int64, error: String, retryAt: Int64?) throws {
        try write { db in
            if let retryAt {
                try db.cachedStatement(sql: "UPDATE outbox SET state = 'pending', next_try_at = ?, last_error = ? WHERE id = ?").execute(
                               arguments: [retryAt, error, messageID])
            } else {
                try db.cachedStatement(sql: "UPDATE outbox SET state = 'failed', last_error = ? WHERE id = ?").execute(
                               arguments: [error, messageID])
            }
        }
    }

    /// A message whose link can no longer work (attempt expired or superseded) is not sent at all.
    public func markDropped(messageID: Int64, reason: String) throws {
        try write { db in
            try db.cachedStatement(sql: "UPDATE outbox SET state = 'dropped', last_error = ? WHERE id = ?").execute( arguments: [reason, messageID])
        }
    }

    public func outboxStatuses() throws -> [OutboxStatus] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, state, tries, last_error FROM outbox ORDER BY id").map {
                OutboxStatus(id: $0["id"], state: $0["state"], tries: $0["tries"], lastError: $0["last_error"])
            }
        }
    }
}
