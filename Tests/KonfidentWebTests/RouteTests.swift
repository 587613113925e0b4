import KonfidentCore
import Testing
@testable import KonfidentWeb

@Suite struct RouteTests {
    static let token = String(repeating: "A", count: 21) + "-_" + String(repeating: "z", count: 20)
    /// A well-formed sign-in link of no attempt: `1.TOKEN`.
    static let link = SplitToken(id: 1, secret: token)

    @Test func everyPathHasItsRoute() {
        #expect(Route(path: "/") == .home)
        #expect(Route(path: "/_konfident/login") == .login)
        #expect(Route(path: "/_konfident/wait") == .wait)
        #expect(Route(path: "/_konfident/wait/status") == .waitStatus)
        #expect(Route(path: "/_konfident/wait/cancel") == .waitCancel)
        #expect(Route(path: "/_konfident/signout") == .signOut)
        #expect(Route(path: "/_konfident/auth") == .auth)
        #expect(Route(path: "/_konfident/bankid") == .bankID)
        #expect(Route(path: "/_konfident/bankid/qr") == .bankIDQR)
        #expect(Route(path: "/_konfident/bankid/status") == .bankIDStatus)
        #expect(Route(path: "/_konfident/bankid/cancel") == .bankIDCancel)
        #expect(Route(path: "/_konfident/welcome/bankid") == .welcomeBankID)
        #expect(Route(path: "/_konfident/bankid/") == nil)
        #expect(Self.token.utf8.count == 43)
        #expect(Route(path: "/_konfident/verify/" + Self.link.text) == .verify(link: Self.link))
        #expect(Route(path: "/_konfident/verify/987654321." + Self.token) == .verify(link: SplitToken(id: 987_654_321, secret: Self.token)))
    }

    @Test(arguments: [
        "", "//", "/index.html", "/_konfident", "/_konfident/", "/_konfident/login/", "/_konfident/LOGIN",
        "/_konfident/wait/", "/_konfident/auth/x", "/_konfident/verify", "/_konfident/verify/",
        "/static/konfident.css", "/_konfident/bankid?x", "/../_konfident/login",
    ])
    func unknownPathsHaveNoRoute(_ path: String) {
        #expect(Route(path: path) == nil)
    }

    /// `ID.TOKEN` (SplitTokenTests has the parser's own cases); a link of the old form, the bare
    /// token, has a route of its own that opens nothing.
    @Test func verifyTakesAnAttemptIDAndA43CharacterToken() {
        #expect(Route(path: "/_konfident/verify/" + Self.token) == .verifyWithoutID)
        #expect(Route.verifyWithoutID.isLinkPage)
        #expect(Route(path: "/_konfident/verify/0." + Self.token) == nil)
        #expect(Route(path: "/_konfident/verify/x." + Self.token) == nil)
        let prefix = "/_konfident/verify/1."
        #expect(Route(path: prefix + String(Self.token.dropLast())) == nil)  // 42
        #expect(Route(path: prefix + Self.token + "A") == nil)  // 44
        #expect(Route(path: prefix + String(Self.token.dropLast()) + "=") == nil)  // padding
        #expect(Route(path: prefix + String(Self.token.dropLast()) + "+") == nil)  // standard alphabet
        #expect(Route(path: prefix + String(Self.token.dropLast()) + "/") == nil)
        #expect(Route(path: prefix + String(Self.token.dropLast()) + "%") == nil)
        #expect(Route(path: prefix + String(Self.token.dropLast(2)) + "é") == nil)  // 43 bytes, not URL-safe
        #expect(Route(path: prefix + Self.token + "/") == nil)
    }

    @Test func methods() {
        for route: Route in [.home, .wait, .waitStatus, .auth, .bankIDQR, .bankIDStatus] {
            #expect(route.methods == ["GET", "HEAD"])
        }
        for route: Route in [.login, .waitCancel, .signOut, .bankIDCancel, .welcomeBankID] {
            #expect(route.methods == ["POST"])
        }
        #expect(Route.verify(link: Self.link).methods == ["GET", "HEAD", "POST"])
        #expect(Route.bankID.methods == ["GET", "HEAD", "POST"])
    }

    @Test func onlyLinkPagesAreLinkPages() {
        #expect(Route.verify(link: Self.link).isLinkPage)
        for route: Route in [.home, .login, .wait, .waitStatus, .waitCancel, .signOut, .auth, .bankID] {
            #expect(!route.isLinkPage)
        }
    }
}
