// Store.Connections.single and Store.close(): what CGI mode and the administration commands use.
import Foundation
import KonfidentCore
@testable import KonfidentStore
import Testing

@Suite struct ConnectionsTests {
    private func walSize(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int
    }

    @Test func aSingleConnectionReadsWithoutWritingToTheWAL() throws {
        let fixture = try StoreFixture()
        _ = try fixture.workspace()
        try fixture.store.close()
        #expect(walSize(fixture.path) == nil)

        let single = try Store(path: fixture.path, connections: .single)
        try single.checkSchema()
        #expect(try single.workspace(slug: "acme")?.name == "Acme")
        #expect(walSize(fixture.path) == 0, "opening and reading wrote to the WAL")
        try single.close()
    }

    @Test func closingTheLastConnectionLeavesTheDatabaseFileComplete() throws {
        let fixture = try StoreFixture()
        try fixture.store.close()

        let single = try Store(path: fixture.path, connections: .single)
        _ = try single.createWorkspace(slug: "beta", name: "Beta", url: try WorkspaceURL(parsing: "https://beta.example/"),
                                       at: StoreFixture.now)
        #expect((walSize(fixture.path) ?? 0) > 0)
        try single.close()
        #expect(walSize(fixture.path) == nil)
        #expect(!FileManager.default.fileExists(atPath: fixture.path + "-shm"))

        let again = try Store(path: fixture.path, connections: .single)
        #expect(try again.workspace(slug: "beta")?.name == "Beta")
        try again.close()
    }

    private func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// `Store.checkpoint()` (the delivery worker's, every 512 messages or second) copies the WAL into
    /// the database file. Its connection never read anything, and a connection finds the WAL only
    /// at its first read: it used to see none and copy nothing, leaving every checkpoint to a
    /// request thread whose commit crossed the 10 000-page bound.
    /// A store whose WAL holds 200 sign-ins of one member (a few megabytes).
    private func storeWithAFullWAL() throws -> (StoreFixture, Workspace) {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        try fixture.member(workspace, email: "anna@example.se")
        for _ in 0..<200 {
            _ = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se"))
        }
        return (fixture, workspace)
    }

    @Test func aCheckpointCopiesTheWALIntoTheDatabase() throws {
        let (fixture, _) = try storeWithAFullWAL()
        let before = fileSize(fixture.path)
        try fixture.store.checkpoint()
        let after = fileSize(fixture.path)
        #expect(after > before + 100_000, "the database file went from \(before) to \(after) bytes")
    }

    /// After a checkpoint the WAL starts over, cut back to nothing (`journal_size_limit` in `Store.writingPragmas`): frames
    /// are then appended, and the kernel never reads a page of the old WAL back from disk to write
    /// a frame into it.
    @Test func theWALIsCutBackWhenItStartsOver() throws {
        let (fixture, workspace) = try storeWithAFullWAL()
        let grown = try #require(walSize(fixture.path))
        #expect(grown > 400_000, "200 sign-ins wrote \(grown) bytes of WAL")
        try fixture.store.checkpoint()
        let (attempt, _) = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se"))
        let after = try #require(walSize(fixture.path))
        #expect(after < 64 * 1024, "the WAL kept \(after) bytes after it started over")
        #expect(try fixture.store.attempt(id: attempt.id, workspaceID: workspace.id)?.attempt.state == .pending)
    }
}
