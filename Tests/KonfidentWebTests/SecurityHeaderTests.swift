import FastCGI
import Foundation
import KonfidentCore
import KonfidentStore
import Testing
@testable import KonfidentWeb

@Suite struct SecurityHeaderTests {
    static func expectSecurityHeaders(_ reply: Reply, linkPage: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) {
        let csp = reply.header("Content-Security-Policy") ?? ""
        #expect(csp.contains("script-src 'self'"), sourceLocation: sourceLocation)
        #expect(!csp.contains("unsafe-inline"), sourceLocation: sourceLocation)
        #expect(!csp.contains("unsafe-eval"), sourceLocation: sourceLocation)
        #expect(csp.contains("frame-ancestors 'none'"), sourceLocation: sourceLocation)
        #expect(csp.contains("default-src 'none'"), sourceLocation: sourceLocation)
        #expect(reply.header("X-Content-Type-Options") == "nosniff", sourceLocation: sourceLocation)
        #expect(reply.header("X-Frame-Options") == "DENY", sourceLocation: sourceLocation)
        #expect(reply.header("Cache-Control") == "no-store", sourceLocation: sourceLocation)
        if linkPage {
            #expect(reply.header("Referrer-Policy") == "no-referrer", sourceLocation: sourceLocation)
        } else {
            #expect(reply.header("Referrer-Policy") != nil, sourceLocation: sourceLocation)
        }
        #expect(reply.headers("Content-Security-Policy").count == 1, sourceLocation: sourceLocation)
    }

    static func expectHostCookie(_ header: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(header.hasPrefix("__Host-"), sourceLocation: sourceLocation)
        let attributes = header.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(attributes.contains("Path=/"), sourceLocation: sourceLocation)
        #expect(attributes.contains("Secure"), sourceLocation: sourceLocation)
        #expect(attributes.contains("HttpOnly"), sourceLocation: sourceLocation)
        #expect(attributes.contains("SameSite=Lax"), sourceLocation: sourceLocation)
        #expect(!attributes.contains { $0.lowercased().hasPrefix("domain") }, sourceLocation: sourceLocation)
    }

    @Test func everyResponseCarriesTheHeaders() throws {
        let app = try TestApp()
        try app.addMember("anna@example.se")
        let client = app.client()
        var replies: [Reply] = []
        replies.append(client.get("/"))
        replies.append(client.head("/"))
        replies.append(client.get("/?lang=sv"))
        replies.append(client.get("/nope"))
        replies.append(client.get("/", headers: ["HTTP_HOST": "unknown.example"]))
        replies.append(client.get("/_konfident/login"))
        replies.append(client.get("/_konfident/auth"))
        replies.append(client.get("/_konfident/wait"))
        replies.append(client.get("/_konfident/wait/status"))
        replies.append(client.get("/_konfident/bankid"))
        replies.append(client.post("/_konfident/login", [("email", "anna@example.se")]))
        replies.append(client.submit("/_konfident/login", [("email", "anna@example.se")]))
        replies.append(client.get("/_konfident/wait"))
        replies.append(client.send(client.variables(method: "POST", target: "/_konfident/login"),
                                   bodyProblem: .tooLarge(declared: 1 << 30)))
        for reply in replies {
            Self.expectSecurityHeaders(reply)
            #expect(reply.header("Referrer-Policy") == "same-origin")
        }
    }

    @Test func linkPagesSendNoReferrer() throws {
        let app = try TestApp()
        try app.addMember("anna@example.se")
        let client = app.client()
        client.get("/")
        client.submit("/_konfident/login", [("email", "anna@example.se")])
        let attempt = try #require(try app.attempt(of: client))
        let link = app.emailLinkPath(of: attempt)
        let other = app.client()
        let page = other.get(link)
        #expect(page.status == 200)
        Self.expectSecurityHeaders(page, linkPage: true)
        Self.expectSecurityHeaders(other.head(link), linkPage: true)
        let done = other.submit(link, headers: ["HTTP_ORIGIN": "null"])
        #expect(done.status == 200)
        Self.expectSecurityHeaders(done, linkPage: true)
        // A used link, and a link that never existed, are link pages too: the token must not leak.
        Self.expectSecurityHeaders(other.get(link), linkPage: true)
        Self.expectSecurityHeaders(other.get("/_konfident/verify/" + RouteTests.link.text), linkPage: true)
        #expect(other.get("/_konfident/verify/" + RouteTests.link.text).status == 410)
        // A link of the form sent before links named their attempt: the same page.
        let old = other.get("/_konfident/verify/" + String(link.suffix(43)))
        #expect(old.status == 410)
        Self.expectSecurityHeaders(old, linkPage: true)
        #expect(old.text == other.get("/_konfident/verify/" + RouteTests.link.text).text)
    }

    @Test func cookiesAreHostCookies() throws {
        let app = try TestApp()
        try app.addMember("anna@example.se")
        let client = app.client()
        var headers: [String] = []
        headers += client.get("/?lang=sv").setCookies
        headers += client.submit("/_konfident/login", [("email", "anna@example.se")]).setCookies
        let attempt = try #require(try app.attempt(of: client))
        let link = app.emailLinkPath(of: attempt)
        client.get(link)
        headers += client.submit(link).setCookies
        client.get("/")
        headers += client.submit("/_konfident/signout").setCookies
        let names = Set(headers.compactMap { $0.split(separator: "=").first.map(String.init) })
        #expect(names == [CookieName.preSession.rawValue, CookieName.language.rawValue,
                          CookieName.attempt.rawValue, CookieName.session.rawValue])
        for header in headers {
            Self.expectHostCookie(header)
        }
    }
}
