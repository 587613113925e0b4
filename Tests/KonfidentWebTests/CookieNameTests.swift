import KonfidentCore
import KonfidentStore
import Testing
@testable import KonfidentWeb

/// `__Host-` cookies are all `Path=/`: workspaces under path prefixes of one host need names of their own.
struct CookieNameTests {
    @Test func aWorkspaceAtTheRootKeepsTheFixedNames() throws {
        let app = try TestApp()
        #expect(Cookie.name(.session, in: app.workspace) == "__Host-konfident-session")
        #expect(Cookie.name(.preSession, in: app.workspace) == "__Host-konfident-pre")
        #expect(Cookie.name(.attempt, in: app.workspace) == "__Host-konfident-attempt")
    }

    @Test func prefixedWorkspacesOnOneHostDoNotShareCookies() throws {
        let app = try TestApp(workspaceURL: "https://shared.example/teams/red/")
        let blue = try app.store.createWorkspace(slug: "blue", name: "Blue",
                                                 url: WorkspaceURL(parsing: "https://shared.example/teams/blue/"),
                                                 at: app.clock.now())
        for name in [CookieName.session, .preSession, .attempt, .invitation] {
            let red = Cookie.name(name, in: app.workspace)
            #expect(red.hasPrefix("__Host-"))
            #expect(red != Cookie.name(name, in: blue))
        }
        // The language is the person's preference on this host, shared on purpose.
        #expect(Cookie.name(.language, in: app.workspace) == Cookie.name(.language, in: blue))
    }
}
