import Foundation
import KonfidentCore
@testable import KonfidentStore
import Testing

/// Next's writer: transactions from many threads keep all their rows, and a failed one none of its own.
@Suite struct HotWriterTests {
    static let now = StoreFixture.now

    /// Runs `count` closures on `threads` threads at once and waits for all of them.
    func concurrently(threads: Int, count: Int, _ work: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        let perThread = count / threads
        for thread in 0..<threads {
            group.enter()
            Thread.detachNewThread {
                for index in (thread * perThread)..<((thread + 1) * perThread) { work(index) }
                group.leave()
            }
        }
        group.wait()
    }

    @Test func concurrentNextsKeepEveryRowAndSupersedeInOrder() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        let member = try fixture.member(workspace, email: "anna@example.se")
        let failures = Failures()
        let store = fixture.store
        let key = fixture.key
        concurrently(threads: 8, count: 200) { index in
            do {
                // Every fifth request is the member's; the others are strangers'.
                let email = index % 5 == 0 ? "anna@example.se" : "stranger-\(index)@example.se"
                let request = SignInRequest(
                    workspace: workspace, email: try EmailAddress(parsing: email), browserHash: Secret.hash([UInt8(index % 250)]),
                    matchCode: MatchCode(randomBytes: [0, 42, 59]), nonce: Array(repeating: UInt8(index % 250), count: 16),
                    language: .sv, ip: "192.0.2.1", userAgent: "Mozilla/5.0 (Test)", lifetime: 600, policy: .off)
                let attempt = try store.startSignIn(request, at: Self.now) { id, channel in
                    Secret.hash(key.linkToken(purpose: .signIn, id: id, nonce: request.nonce, channel: channel))
                }
                if (attempt.memberID != nil) != (index % 5 == 0) { failures.add("attempt \(attempt.id) has the wrong member") }
            } catch {
                failures.add("\(error)")
            }
        }
        #expect(failures.all.isEmpty)
        #expect(try fixture.count("SELECT COUNT(*) FROM sign_in_attempt") == 200)
        #expect(try fixture.count("SELECT COUNT(DISTINCT id) FROM sign_in_attempt") == 200)
        #expect(try fixture.count("SELECT COUNT(*) FROM audit WHERE event = 'sign-in-attempt'") == 200)
        #expect(try fixture.count("SELECT COUNT(*) FROM sign_in_attempt WHERE member_id = \(member.id)") == 40)
        // Each of the member's attempts superseded the one before: only the newest is pending.
        #expect(try fixture.count("SELECT COUNT(*) FROM sign_in_attempt WHERE member_id = \(member.id) AND state = 'pending'") == 1)
        #expect(try fixture.count("""
            SELECT COUNT(*) FROM sign_in_attempt WHERE member_id = \(member.id) AND state = 'pending'
            AND id = (SELECT MAX(id) FROM sign_in_attempt WHERE member_id = \(member.id))
            """) == 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox WHERE member_id = \(member.id)") == 40)
        #expect(try fixture.count("SELECT COUNT(*) FROM sign_in_attempt WHERE member_id IS NOT NULL AND email_token_hash IS NULL") == 0)
    }

    struct Refused: Error {}

    @Test func aFailingTransactionLosesOnlyItsOwnRows() throws {
        let fixture = try StoreFixture()
        let writer = fixture.store.hotWriter
        let results = Failures()
        concurrently(threads: 8, count: 400) { index in
            do {
                try writer.transaction { db in
                    try db.execute(RawSQL.audit, [.integer(Self.now), .null, .null, .text("192.0.2.1"),
                                                  .text("test"), .text("row"), .text("\(index)")])
                    if index % 3 == 0 { throw Refused() }
                    if index % 7 == 0 {
                        // A statement that fails inside SQLite: a NOT NULL column left empty.
                        try db.execute(RawSQL.audit, [.integer(Self.now), .null, .null, .null, .null, .null, .null])
                    }
                }
                if index % 3 == 0 || index % 7 == 0 { results.add("\(index) committed") }
            } catch is Refused {
                if index % 3 != 0 { results.add("\(index) refused") }
            } catch {
                if index % 7 != 0 { results.add("\(index): \(error)") }
            }
        }
        #expect(results.all.isEmpty)
        let kept = (0..<400).filter { $0 % 3 != 0 && $0 % 7 != 0 }
        #expect(try fixture.count("SELECT COUNT(*) FROM audit WHERE event = 'test'") == kept.count)
        #expect(try fixture.count("SELECT COUNT(*) FROM audit WHERE event = 'test' AND (CAST(detail AS INTEGER) % 3 = 0 OR CAST(detail AS INTEGER) % 7 = 0)") == 0)
        // The writer is in no transaction afterwards, and works on.
        try writer.transaction { db in
            try db.execute(RawSQL.audit, [.integer(Self.now), .null, .null, .null, .text("test"), .text("after"), .null])
        }
        #expect(try fixture.count("SELECT COUNT(*) FROM audit WHERE outcome = 'after'") == 1)
    }

    @Test func aTransactionReturnsItsValue() throws {
        let fixture = try StoreFixture()
        let id = try fixture.store.hotWriter.transaction { db -> Int64 in
            try db.execute(RawSQL.audit, [.integer(Self.now), .null, .null, .null, .text("test"), .text("x"), .null])
            return db.lastInsertedRowID
        }
        #expect(id > 0)
        #expect(try fixture.count("SELECT COUNT(*) FROM audit WHERE id = \(id)") == 1)
    }
}

/// Messages gathered from many threads.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func add(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}
