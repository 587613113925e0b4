// A fresh, migrated database in its own temporary directory for each test.
import Foundation
import GRDB
import KonfidentCore
@testable import KonfidentStore
import Testing

final class StoreFixture {
    let directory: URL
    let store: Store
    var path: String { store.path }
    static let now: Int64 = 1_700_000_000
    let key = ServerKey(bytes: Array(repeating: 0x5A, count: 32))

    init(migrate: Bool = true) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("konfident-store-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(path: directory.appendingPathComponent("konfident.sqlite3").path)
        if migrate { try store.migrate() }
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    func workspace(_ slug: String = "acme", url: String = "https://acme.konfident.example/") throws -> Workspace {
        try store.createWorkspace(slug: slug, name: slug.capitalized, url: try WorkspaceURL(parsing: url), at: Self.now)
    }

    @discardableResult
    func member(_ workspace: Workspace, email: String, method: LoginMethod = .email, phone: String? = nil,
                role: Role = .general, state: MemberState = .active) throws -> Member {
        let new = NewMember(email: try EmailAddress(parsing: email), phone: try phone.map { try PhoneNumber(parsing: $0) },
                            personnummer: nil, method: method, role: role)
        return try store.addMember(new, to: workspace, state: state, at: Self.now)
    }

    func request(_ workspace: Workspace, email: String, browser: UInt8 = 1, ip: String = "192.0.2.1",
                 policy: RateLimitPolicy = .off, nonce: [UInt8]? = nil) throws -> SignInRequest {
        SignInRequest(workspace: workspace, email: try EmailAddress(parsing: email),
                      browserHash: Secret.hash([browser]), matchCode: MatchCode(randomBytes: [0, 42, 59]),
                      nonce: nonce ?? Array(repeating: browser, count: 16), language: .sv, ip: ip,
                      userAgent: "Mozilla/5.0 (Test)", lifetime: 600, policy: policy)
    }

    /// Starts a sign-in whose token hashes are derived from the server key like the real wiring does;
    /// returns the attempt and the raw tokens it was given, per channel.
    func startSignIn(_ request: SignInRequest, at now: Int64 = StoreFixture.now) throws
        -> (StoredAttempt, [LinkChannel: String]) {
        var tokens: [LinkChannel: String] = [:]
        let attempt = try store.startSignIn(request, at: now) { id, channel in
            let token = key.linkToken(purpose: .signIn, id: id, nonce: request.nonce, channel: channel)
            tokens[channel] = token
            return Secret.hash(token)
        }
        return (attempt, tokens)
    }

    func count(_ sql: String) throws -> Int {
        try store.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    func outboxStates() throws -> [String] {
        try store.outboxStatuses().map(\.state)
    }

    func outboxStatesByRecipient() throws -> [String: String] {
        try store.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT recipient, state FROM outbox").map {
                ($0["recipient"] as String, $0["state"] as String)
            })
        }
    }
}
