// Store.Connections.single and Store.close(): what CGI mode and the administration commands use.
import Foundation
import KonfidentCore
@testable import KonfidentStore
import Testing
import TestSupport

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

    /// `Store.checkpoint()` (the delivery worker's, at 4000 frames or every second) copies the WAL into
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

    /// How many frames the WAL holds, read by a checkpoint on a connection of the test's own
    /// (which copies them too: call it last).
    private func walFrames(_ path: String) throws -> Int32 {
        try ReaderConnection.forCheckpoints(path: path).checkpoint().frames
    }

    /// After a checkpoint the WAL starts over in the same file (`journal_size_limit` in
    /// `Store.writingPragmas`): the commit that starts it over neither truncates the file nor
    /// makes ext4 allocate its blocks again.
    @Test func theWALStartsOverInTheSameFile() throws {
        let (fixture, workspace) = try storeWithAFullWAL()
        let grown = try #require(walSize(fixture.path))
        #expect(grown > 400_000, "200 sign-ins wrote \(grown) bytes of WAL")
        try fixture.store.checkpoint()
        let (attempt, _) = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se"))
        #expect(walSize(fixture.path) == grown)
        #expect(try fixture.store.attempt(id: attempt.id, workspaceID: workspace.id)?.attempt.state == .pending)
        #expect(try walFrames(fixture.path) < 20, "the WAL did not start over")
    }

    /// `whenWALGrows`: the hot writer asks once per 4000 frames, not at every commit after.
    @Test func theHotWriterAsksForACheckpointOncePer4000Frames() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        try fixture.member(workspace, email: "anna@example.se")
        let asked = Counter()
        fixture.store.whenWALGrows { asked.add() }
        var signIns = 0
        while asked.value == 0 && signIns < 5_000 {
            _ = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se"))
            signIns += 1
        }
        #expect(asked.value == 1)
        // A sign-in of a member writes four to seven frames: at 1000 frames it would have asked after
        // at most 250.
        #expect(signIns > 400, "asked after \(signIns) sign-ins")
        for _ in 0..<100 {
            _ = try fixture.startSignIn(try fixture.request(workspace, email: "anna@example.se"))
        }
        #expect(asked.value == 1, "asked again before the WAL grew by another 4000 frames")
        #expect(try walFrames(fixture.path) >= HotWriter.backgroundCheckpointFrames)
    }

    /// Without a background checkpointer (CGI mode, a command) the commit that brings the WAL to
    /// 10 000 frames checkpoints it, as SQLite's automatic checkpoint (which the hot writer's WAL
    /// hook replaces) would.
    @Test func withoutABackgroundCheckpointerACommitCheckpointsAt10000Frames() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        let before = fileSize(fixture.path)
        var signIns = 0
        while fileSize(fixture.path) == before && signIns < 8_000 {
            _ = try fixture.startSignIn(try fixture.request(workspace, email: "stranger-\(signIns)@example.se"))
            signIns += 1
        }
        #expect(fileSize(fixture.path) > before, "\(signIns) sign-ins and nothing copied into the database")
        // A stranger's sign-in writes two or three frames.
        #expect(signIns > 3_000, "checkpointed after \(signIns) sign-ins")
    }

    /// Under a steady stream of sign-ins a passive checkpoint never reaches the WAL's end, and the
    /// WAL only starts over once it is copied to its end: `checkpoint()` copies the last frames
    /// holding the hot writer's mutex, so the WAL starts over while the sign-ins go on (without,
    /// it grew until a request's commit checkpointed it, with the write lock held).
    @Test(.timeLimit(.minutes(1)))
    func aCheckpointBesideSteadySignInsLetsTheWALStartOver() throws {
        let fixture = try StoreFixture()
        let workspace = try fixture.workspace()
        try fixture.member(workspace, email: "anna@example.se")
        let request = try fixture.request(workspace, email: "anna@example.se")
        let signedIn = Counter()
        let stop = Counter()
        let stopped = DispatchSemaphore(value: 0)
        let store = fixture.store
        Thread.detachNewThread {
            while stop.value == 0 {
                _ = try? store.startSignIn(request, at: StoreFixture.now) { _, _ in Secret.hash([1]) }
                signedIn.add()
            }
            stopped.signal()
        }
        while signedIn.value < 600 { usleep(1_000) }
        let before = signedIn.value
        try store.checkpoint()
        let during = signedIn.value - before
        let after = signedIn.value
        while signedIn.value < after + 5 { usleep(1_000) }
        stop.add()
        stopped.wait()
        let total = signedIn.value
        // Each sign-in writes at least three frames: the WAL of one that never started over would
        // hold more than 1800; started over, it holds those of the sign-ins since the checkpoint.
        let frames = try walFrames(fixture.path)
        #expect(Int(frames) < 3 * before, "\(frames) frames after \(before) sign-ins, \(during) during the checkpoint, \(total) in all")
        #expect(Int(frames) <= 8 * (total - before))
    }
}
