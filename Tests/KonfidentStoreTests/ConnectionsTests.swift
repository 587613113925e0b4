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
}
