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
    /// For a sign-in link: its attempt as the claim's transaction read it (nil when it was gone),
    /// so that the worker does not open a read transaction of its own for each message it composes.
    public internal(set) var signInAttempt: StoredAttempt?

    /// The columns of `OutboxSQL.due`, in their order.
    init(hot row: ReaderConnection.Row) {
        id = row.integer(0)
        channel = LinkChannel(rawValue: row.text(1)) ?? .email
        kind = row.text(2)
        workspaceID = row.integer(3)
        memberID = row.optionalInteger(4)
        recipient = row.text(5)
        language = Language(rawValue: row.text(6)) ?? .en
        subjectID = row.optionalInteger(7)
        tries = Int(row.integer(8))
        createdAt = row.integer(9)
    }
}

/// What became of a claimed message; `Store.record` writes a batch of them at once.
public enum OutboxOutcome: Sendable, Equatable {
    case sent(messageID: Int64, gatewayID: String?, at: Int64)
    /// A failed try: due again at `retryAt`, or given up (`failed`) when nil.
    case failed(messageID: Int64, error: String, retryAt: Int64?)
    /// A message whose link can no longer work (attempt expired or superseded) is not sent at all.
    case dropped(messageID: Int64, reason: String)
    /// Claimed but not tried (the worker was stopping): due again at `at`, the try not counted.
    case released(messageID: Int64, at: Int64)
}

/// The outbox's statements on the hot connections (constants: `ReaderConnection` finds its
/// prepared statements by comparing the strings).
enum OutboxSQL {
    /// The states in which a message waits for a try; the partial index `outbox_due` (migration
    /// v6) holds exactly these rows, in the order the worker takes them.
    static let anyDue = "SELECT 1 FROM outbox WHERE state IN ('pending', 'sending') AND next_try_at <= ? LIMIT 1"
    /// `tries + 1`: each message as `claim` leaves it.
    static let due = """
        SELECT id, channel, kind, workspace_id, member_id, recipient, language, subject_id, tries + 1, created_at
        FROM outbox WHERE state IN ('pending', 'sending') AND next_try_at <= ? ORDER BY next_try_at, id LIMIT ?
        """
    // While 'sending', the row is due again only after the crash delay: that is the crash case.
    static let claim = "UPDATE outbox SET state = 'sending', tries = tries + 1, next_try_at = ? WHERE id = ?"
    static let sent = "UPDATE outbox SET state = 'sent', sent_at = ?, gateway_id = ?, last_error = NULL WHERE id = ?"
    static let retry = "UPDATE outbox SET state = 'pending', next_try_at = ?, last_error = ? WHERE id = ?"
    static let failed = "UPDATE outbox SET state = 'failed', last_error = ? WHERE id = ?"
    static let dropped = "UPDATE outbox SET state = 'dropped', last_error = ? WHERE id = ?"
    static let released = "UPDATE outbox SET state = 'pending', tries = tries - 1, next_try_at = ? WHERE id = ?"
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

    /// Takes up to `limit` due messages, oldest first, and records a try for each before anything
    /// is sent: after a crash they are due again after `retryAfterCrash` (at most the batch in hand
    /// repeats), never lost. On the hot writer, the connection and lock Next writes with, so that
    /// the worker and the request threads wait for each other on its mutex and never in SQLite's
    /// busy handler, which sleeps for milliseconds; one transaction for the whole batch.
    public func claimDueMessages(at now: Int64, limit: Int, retryAfterCrash: Int64 = 120) throws -> [OutboxMessage] {
        // A look without the writer first: an idle worker must not take the write lock every second.
        let due = try hot.first(OutboxSQL.anyDue, [.integer(now)]) { _ in true }
        guard due == true else { return [] }
        return try hotWriter.transaction { connection in
            var messages = try connection.all(OutboxSQL.due, [.integer(now), .integer(Int64(limit))]) { OutboxMessage(hot: $0) }
            for index in messages.indices {
                try connection.execute(OutboxSQL.claim, [.integer(now + retryAfterCrash), .integer(messages[index].id)])
                if messages[index].kind == MessageKind.signInLink.rawValue, let id = messages[index].subjectID {
                    messages[index].signInAttempt = try connection.first(SignInSQL.attemptByID, [.integer(id)],
                                                                         StoredAttempt.init(hot:))
                }
            }
            return messages
        }
    }

    /// `claimDueMessages` for one message.
    public func claimDueMessage(at now: Int64, retryAfterCrash: Int64 = 120) throws -> OutboxMessage? {
        try claimDueMessages(at: now, limit: 1, retryAfterCrash: retryAfterCrash).first
    }

    /// Records what became of the messages of a batch, in one transaction on the hot writer.
    public func record(_ outcomes: [OutboxOutcome]) throws {
        guard !outcomes.isEmpty else { return }
        try hotWriter.transaction { connection in
            for outcome in outcomes {
                switch outcome {
                case let .sent(id, gatewayID, now):
                    try connection.execute(OutboxSQL.sent, [.integer(now), .text(gatewayID), .integer(id)])
                case let .failed(id, error, retryAt?):
                    try connection.execute(OutboxSQL.retry, [.integer(retryAt), .text(error), .integer(id)])
                case let .failed(id, error, nil):
                    try connection.execute(OutboxSQL.failed, [.text(error), .integer(id)])
                case let .dropped(id, reason):
                    try connection.execute(OutboxSQL.dropped, [.text(reason), .integer(id)])
                case let .released(id, now):
                    try connection.execute(OutboxSQL.released, [.integer(now), .integer(id)])
                }
            }
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
