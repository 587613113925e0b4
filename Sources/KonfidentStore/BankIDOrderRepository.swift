import GRDB
import KonfidentCore

/// A BankID order as stored: bound to the browser that started it by the SHA-256 of its cookie.
public struct StoredBankIDOrder: Sendable, Equatable {
    public let id: Int64
    public let workspaceID: Int64
    public let browserHash: [UInt8]
    public let purpose: BankIDOrder.Purpose
    public let invitationID: Int64?
    public let requiredPersonnummer: String?
    public let orderRef: String
    /// The QR and autostart secrets sealed under the browser's cookie; nil once the order ended.
    public let sealed: [UInt8]?
    public let memberID: Int64?
    public let ip: String
    public var order: BankIDOrder

    init(row: Row) {
        id = row["id"]
        workspaceID = row["workspace_id"]
        browserHash = row["browser_hash"]
        purpose = BankIDOrder.Purpose(rawValue: row["purpose"]) ?? .signIn
        invitationID = row["invitation_id"]
        requiredPersonnummer = row["required_personnummer"]
        orderRef = row["order_ref"]
        sealed = row["sealed"]
        memberID = row["member_id"]
        ip = row["ip"]
        order = BankIDOrder(state: BankIDOrder.State(rawValue: row["state"]) ?? .cancelled, startedAt: row["started_at"],
                            collectedAt: row["collected_at"], hintCode: row["hint_code"], errorCode: row["error_code"],
                            personnummer: row["personnummer"], unansweredSince: row["unanswered_since"])
    }
}

/// What the start of an order records, once the service answered `auth`.
public struct NewBankIDOrder: Sendable {
    public var workspaceID: Int64
    public var browserHash: [UInt8]
    public var purpose: BankIDOrder.Purpose
    public var invitationID: Int64?
    public var requiredPersonnummer: String?
    public var orderRef: String
    public var sealed: [UInt8]
    public var ip: String

    public init(workspaceID: Int64, browserHash: [UInt8], purpose: BankIDOrder.Purpose, invitationID: Int64?,
                requiredPersonnummer: String?, orderRef: String, sealed: [UInt8], ip: String) {
        self.workspaceID = workspaceID
        self.browserHash = browserHash
        self.purpose = purpose
        self.invitationID = invitationID
        self.requiredPersonnummer = requiredPersonnummer
        self.orderRef = orderRef
        self.sealed = sealed
        self.ip = ip
    }
}

/// How a complete sign-in order ended.
public enum BankIDSignInResult: Sendable, Equatable {
    /// The member with that personnummer is signed in (an invited BankID member became active).
    case signedIn(Member)
    /// A valid identity without a membership here (or a revoked one): no session.
    case noAccess
}

/// Why a BankID proof could not be recorded for an invitation.
public enum BankIDProofFailure: Error, Equatable, Sendable {
    /// The identity is not the personnummer the order required (never expected from the service).
    case wrongPerson
    /// Another member of the workspace already has this personnummer.
    case personnummerTaken
    case invitation(Invitation.Failure)
}

extension Store {
    /// Before a new order: counts the start against the address's limit, and wipes the secrets of
    /// orders that outlived BankID's three minutes without a final answer (the browser went away).
    public func admitBankIDStart(workspaceID: Int64, policy: RateLimitPolicy, ip: String, at now: Int64) throws {
        let hit: RateLimitHit? = try write { db in
            try db.cachedStatement(sql: """
                UPDATE bankid_order SET sealed = NULL, state = 'failed', error_code = 'expired'
                WHERE state = 'pending' AND started_at <= ?
                """).execute(arguments: [now - BankIDOrder.lifetime])
            do {
                try Self.count(db, [(.ip, ip)], policy: policy, at: now)
                return nil
            } catch let hit as RateLimitHit {
                if hit.isFirstInWindow {
                    try Self.audit(db, .rateLimited, outcome: hit.kind.rawValue, workspaceID: workspaceID, ip: ip,
                                   detail: "bankid", at: now)
                }
                return hit
            }
        }
        if let hit { throw hit }
    }

    /// Records an order the service accepted.
    public func recordBankIDOrder(_ new: NewBankIDOrder, at now: Int64) throws -> StoredBankIDOrder {
        try write { db in
            try db.cachedStatement(sql: """
                INSERT INTO bankid_order (workspace_id, browser_hash, purpose, invitation_id, required_personnummer,
                                          order_ref, sealed, state, started_at, ip)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)
                """).execute(arguments: [new.workspaceID, new.browserHash, new.purpose.rawValue, new.invitationID,
                                         new.requiredPersonnummer, new.orderRef, new.sealed, now, new.ip])
            let id = db.lastInsertedRowID
            try Self.audit(db, .bankIDOrder, outcome: "started", workspaceID: new.workspaceID, ip: new.ip,
                           detail: "order \(id) \(new.purpose.rawValue)", at: now)
            guard let stored = try Self.bankIDOrder(db, id: id) else { throw StoreError.notFound("BankID order") }
            return stored
        }
    }

    static func bankIDOrder(_ db: Database, id: Int64) throws -> StoredBankIDOrder? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM bankid_order WHERE id = ?"), arguments: [id])
            .map(StoredBankIDOrder.init(row:))
    }

    /// The newest order started by this browser in this workspace.
    public func bankIDOrder(browserHash: [UInt8], workspaceID: Int64) throws -> StoredBankIDOrder? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT * FROM bankid_order WHERE browser_hash = ? AND workspace_id = ? ORDER BY id DESC LIMIT 1
                """), arguments: [browserHash, workspaceID]).map(StoredBankIDOrder.init(row:))
        }
    }

    /// Takes the turn to collect: true for exactly one caller per order every two seconds, however
    /// many pages poll it. The caller then asks the service and calls `recordCollect`.
    public func claimCollect(orderID: Int64, at now: Int64) throws -> Bool {
        try write { db in
            try db.cachedStatement(sql: """
                UPDATE bankid_order SET collected_at = ?1
                WHERE id = ?2 AND state = 'pending' AND started_at > ?1 - ?3 AND (collected_at IS NULL OR collected_at <= ?1 - ?4)
                """).execute(arguments: [now, orderID, BankIDOrder.lifetime, BankIDOrder.collectInterval])
            return db.changesCount == 1
        }
    }

    /// Records what a collect said. A final answer wipes the order's secrets.
    public func recordCollect(orderID: Int64, _ outcome: BankIDOrder.CollectOutcome, at now: Int64) throws -> StoredBankIDOrder {
        try write { db in
            guard var stored = try Self.bankIDOrder(db, id: orderID) else { throw StoreError.notFound("BankID order") }
            let before = stored.order.state
            stored.order.record(outcome, at: now)
            try Self.saveBankIDOrder(db, stored)
            if stored.order.state != before {
                try Self.audit(db, .bankIDOrder, outcome: stored.order.state.rawValue, workspaceID: stored.workspaceID,
                               ip: stored.ip, detail: "order \(orderID) \(stored.order.errorCode ?? stored.order.hintCode ?? "")",
                               at: now)
            }
            return try Self.bankIDOrder(db, id: orderID) ?? stored
        }
    }

    /// Cancel on the page, or a newer start from the same browser.
    public func cancelBankIDOrder(id: Int64, at now: Int64) throws {
        try write { db in
            guard var stored = try Self.bankIDOrder(db, id: id), stored.order.state == .pending else { return }
            stored.order.cancel()
            try Self.saveBankIDOrder(db, stored)
            try Self.audit(db, .bankIDOrder, outcome: "cancelled", workspaceID: stored.workspaceID, ip: stored.ip,
                           detail: "order \(id)", at: now)
        }
    }

    private static func saveBankIDOrder(_ db: Database, _ stored: StoredBankIDOrder, memberID: Int64? = nil) throws {
        let order = stored.order
        try db.cachedStatement(sql: """
            UPDATE bankid_order SET state = ?, hint_code = ?, error_code = ?, personnummer = ?, collected_at = ?,
                                    unanswered_since = ?, sealed = CASE WHEN ? THEN sealed ELSE NULL END,
                                    member_id = COALESCE(?, member_id)
            WHERE id = ?
            """).execute(arguments: [order.state.rawValue, order.hintCode, order.errorCode, order.personnummer,
                                     order.collectedAt, order.unansweredSince, order.needsSecrets, memberID, stored.id])
    }

    /// A complete sign-in order, used once: the member with the order's personnummer is signed in
    /// with a new session (a BankID member invited by personnummer becomes active, their invitation
    /// done); anyone else gets no session.
    public func completeBankIDSignIn(orderID: Int64, sessionHash: [UInt8], sessionLifetime: Int64, ip: String,
                                     at now: Int64) throws -> BankIDSignInResult {
        let outcome: Result<BankIDSignInResult, BankIDOrder.Failure> = try write { db in
            guard var stored = try Self.bankIDOrder(db, id: orderID), stored.purpose == .signIn,
                  let personnummer = stored.order.personnummer else { return .failure(.notComplete) }
            do throws(BankIDOrder.Failure) {
                try stored.order.use()
            } catch {
                return .failure(error)
            }
            let found = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT * FROM member WHERE workspace_id = ? AND personnummer = ?
                """), arguments: [stored.workspaceID, personnummer]).map(Member.init(row:))
            let member: Member?
            switch found?.state {
            case .active: member = found
            case .invited where found?.method == .bankid:
                try db.cachedStatement(sql: "UPDATE member SET state = 'active', activated_at = ? WHERE id = ?")
                    .execute(arguments: [now, found!.id])
                try db.cachedStatement(sql: """
                    UPDATE invitation SET state = 'completed' WHERE member_id = ? AND state IN ('pending', 'accepted')
                    """).execute(arguments: [found!.id])
                member = try Self.member(db, id: found!.id)
            default: member = nil
            }
            try Self.saveBankIDOrder(db, stored, memberID: member?.id)
            guard let member else {
                try Self.audit(db, .bankIDNoAccess, outcome: found == nil ? "not-a-member" : "not-active",
                               workspaceID: stored.workspaceID, memberID: found?.id, ip: ip, detail: "order \(orderID)", at: now)
                return .success(.noAccess)
            }
            try Self.openSession(db, hash: sessionHash, member: member, lifetime: sessionLifetime, at: now)
            try Self.audit(db, .signIn, outcome: "bankid", workspaceID: stored.workspaceID, memberID: member.id, ip: ip,
                           detail: "order \(orderID)", at: now)
            return .success(.signedIn(member))
        }
        return try outcome.get()
    }

    /// A complete invitation order, used once: the member's personnummer is the one BankID proved
    /// (stored now if the invitation was by email only), and Finish becomes possible.
    public func proveInvitationByBankID(orderID: Int64, ip: String, at now: Int64) throws -> StoredInvitation {
        let outcome: Result<StoredInvitation, BankIDProofFailure> = try write { db in
            guard var stored = try Self.bankIDOrder(db, id: orderID), stored.purpose == .invitation,
                  let invitationID = stored.invitationID, let personnummer = stored.order.personnummer,
                  var invitation = try Self.invitation(db, id: invitationID),
                  let member = try Self.member(db, id: invitation.memberID)
            else { throw StoreError.notFound("BankID order of an invitation") }
            do throws(BankIDOrder.Failure) {
                try stored.order.use()
            } catch {
                return .failure(.invitation(.alreadyUsed))
            }
            try Self.saveBankIDOrder(db, stored)
            guard personnummer == stored.requiredPersonnummer, member.personnummer == nil || member.personnummer == personnummer else {
                try Self.audit(db, .invitationBankID, outcome: "wrong-person", workspaceID: stored.workspaceID,
                               memberID: member.id, ip: ip, detail: "order \(orderID)", at: now)
                return .failure(.wrongPerson)
            }
            do throws(Invitation.Failure) {
                try invitation.invitation.proveBankID(at: now)
            } catch {
                return .failure(.invitation(error))
            }
            if member.personnummer == nil {
                let holder = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT * FROM member WHERE workspace_id = ? AND personnummer = ?
                    """), arguments: [member.workspaceID, personnummer]).map(Member.init(row:))
                if let holder, holder.id != member.id {
                    guard holder.state == .revoked else {
                        try Self.audit(db, .invitationBankID, outcome: "personnummer-taken", workspaceID: stored.workspaceID,
                                       memberID: member.id, ip: ip, detail: "order \(orderID)", at: now)
                        return .failure(.personnummerTaken)
                    }
                    // A revoked membership gives its personnummer up to the new one.
                    try db.cachedStatement(sql: "UPDATE member SET personnummer = NULL WHERE id = ?").execute(arguments: [holder.id])
                }
                try db.cachedStatement(sql: "UPDATE member SET personnummer = ? WHERE id = ?")
                    .execute(arguments: [personnummer, member.id])
            }
            try db.cachedStatement(sql: "UPDATE invitation SET bankid_proven_at = ? WHERE id = ?").execute(arguments: [now, invitationID])
            try Self.audit(db, .invitationBankID, outcome: "proven", workspaceID: stored.workspaceID, memberID: member.id,
                           ip: ip, detail: "invitation \(invitationID) order \(orderID)", at: now)
            return .success(try Self.invitation(db, id: invitationID) ?? invitation)
        }
        return try outcome.get()
    }
}
