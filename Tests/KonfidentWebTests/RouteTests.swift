import Testing
@testable import KonfidentWeb

@Suite struct RouteTests {
    static let token = String(repeating: "A", count: 21) + "-_" + String(repeating: "z", count: 20)

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
        #expect(Route(path: "/_konfident/verify/" + Self.token) == .verify(token: Self.token))
    }

    @Test(arguments: [
        "", "//", "/index.html", "/_konfident", "/_konfident/", "/_konfident/login/", "/_konfident/LOGIN",
        "/_konfident/wait/", "/_konfident/auth/x", "/_konfident/verify", "/_konfident/verify/",
        "/static/konfident.css", "/_konfident/bankid?x", "/../_konfident/login",
    ])
    func unknownPathsHaveNoRoute(_ path: String) {
        #expect(Route(path: path) == nil)
    }

    @Test func verifyTokenMustBe43Base64URLCharacters() {
        let prefix = "/_konfident/verify/"
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
        #expect(Route.verify(token: Self.token).methods == ["GET", "HEAD", "POST"])
        #expect(Route.bankID.methods == ["GET", "HEAD", "POST"])
    }

    @Test func onlyLinkPagesAreLinkPages() {
        #expect(Route.verify(token: Self.token).isLinkPage)
        for route: Route in [.home, .login, .wait, .waitStatus, .waitCancel, .signOut, .auth, .bankID] {
            #expect(!route.isLinkPage)
        }
    }
}
