import FastCGI
import Foundation
import KonfidentCore
import KonfidentStore
import Testing
@testable import KonfidentWeb

@Suite struct LoginPageTests {
    @Test func englishLoginPage() throws {
        let app = try TestApp()
        let page = app.client().get("/")
        #expect(page.status == 200)
        #expect(page.header("Content-Type") == "text/html; charset=utf-8")
        #expect(page.text.contains("<html lang=\"en\">"))
        #expect(page.text.contains("Log in to Acme"))
        #expect(page.text.contains("name=\"email\""))
        #expect(page.text.contains("autocomplete=\"email\""))
        #expect(page.text.contains("<label for=\"email\">Email address</label>"))
        #expect(page.text.range(of: #"<button[^>]*>Next</button>"#, options: .regularExpression) != nil)
        #expect(page.text.range(of: #"<button[^>]*>Log in with BankID</button>"#, options: .regularExpression) != nil)
        let csrf = try #require(page.csrf)
        #expect(csrf.utf8.count == 43)
        #expect(page.text.contains("<input type=\"hidden\" name=\"csrf\" value=\"\(csrf)\">"))
        #expect(page.formActions == ["/_konfident/login", "/_konfident/bankid"])
        // A signed-out visitor gets a pre-session cookie and no database row.
        #expect(page.setCookie(.preSession) != nil)
        #expect(try app.store.attempt(id: 1) == nil)
        #expect(try app.outboxCount() == 0)
    }

    @Test func theSamePreSessionKeepsItsToken() throws {
        let app = try TestApp()
        let client = app.client()
        let first = client.get("/")
        let second = client.get("/")
        #expect(second.setCookie(.preSession) == nil)
        #expect(first.csrf == second.csrf)
        let other = app.client().get("/")
        #expect(other.csrf != first.csrf)
    }

    @Test func swedishByAcceptLanguage() throws {
        let app = try TestApp()
        let page = app.client(language: "sv-SE,sv;q=0.9,en;q=0.5").get("/")
        #expect(page.status == 200)
        #expect(page.text.contains("<html lang=\"sv\">"))
        #expect(page.text.contains("Logga in på Acme"))
        #expect(page.text.range(of: #"<button[^>]*>Nästa</button>"#, options: .regularExpression) != nil)
        #expect(page.text.range(of: #"<button[^>]*>Logga in med BankID</button>"#, options: .regularExpression) != nil)
        #expect(!page.text.contains(">Next<"))
        #expect(page.text.contains("autocomplete=\"email\""))
        // English wins when it is preferred.
        let english = app.client(language: "en-GB,en;q=0.9,sv;q=0.8").get("/")
        #expect(english.text.contains("<html lang=\"en\">"))
    }

    @Test func languageSwitchSetsTheCookie() throws {
        let app = try TestApp()
        let client = app.client(language: "en")
        let english = client.get("/")
        #expect(english.text.contains("href=\"/?lang=sv\""))
        #expect(english.setCookie(.language) == nil)
        let switched = client.get("/?lang=sv")
        #expect(switched.status == 200)
        #expect(switched.text.contains("<html lang=\"sv\">"))
        let cookie = try #require(switched.setCookie(.language))
        #expect(cookie.hasPrefix("__Host-konfident-lang=sv;"))
        #expect(cookie.contains("Path=/"))
        #expect(cookie.contains("Secure"))
        #expect(cookie.contains("Max-Age="))
        // The cookie now beats Accept-Language.
        let later = client.get("/")
        #expect(later.text.contains("<html lang=\"sv\">"))
        let back = client.get("/?lang=en")
        #expect(back.text.contains("<html lang=\"en\">"))
        #expect(client.get("/").text.contains("<html lang=\"en\">"))
        // An unknown language changes nothing.
        let unknown = client.get("/?lang=xx")
        #expect(unknown.status == 200)
        #expect(unknown.setCookie(.language) == nil)
    }

    @Test func hostIsComparedWithoutCaseAndPort() throws {
        let app = try TestApp()
        let client = app.client()
        for host in ["acme.localhost", "ACME.localhost:8443", "acme.localhost:443", "Acme.LocalHost."] {
            let page = client.get("/", headers: ["HTTP_HOST": host])
            #expect(page.status == 200, "host \(host)")
        }
        // Debian's stock fastcgi_params pass $host without a port; SERVER_NAME is the fallback.
        let noHost = client.get("/", headers: ["HTTP_HOST": nil, "SERVER_NAME": "acme.localhost"])
        #expect(noHost.status == 200)
    }

    @Test func unknownHostIsA404Page() throws {
        let app = try TestApp()
        let page = app.client().get("/", headers: ["HTTP_HOST": "other.localhost:8443"])
        #expect(page.status == 404)
        #expect(page.text.contains("<html lang=\"en\">"))
        #expect(page.text.contains("No workspace here"))
        #expect(page.text.contains("href=\"/\""))
        #expect(!page.text.contains("Acme"))
        #expect(page.header("Content-Security-Policy") != nil)
        let swedish = app.client(language: "sv").get("/", headers: ["HTTP_HOST": "evil.example"])
        #expect(swedish.status == 404)
        #expect(swedish.text.contains("Ingen arbetsyta här"))
    }

    @Test func unknownPathIsA404Page() throws {
        let app = try TestApp()
        let client = app.client()
        for path in ["/nope", "/_konfident/verify/short", "/_konfident/", "/static/konfident.css"] {
            let page = client.get(path)
            #expect(page.status == 404, "path \(path)")
            #expect(page.text.contains("Page not found"))
            #expect(page.text.contains("Back to the login page"))
        }
    }

    @Test func wrongMethodIsA405WithAllow() throws {
        let app = try TestApp()
        let client = app.client()
        let getLogin = client.get("/_konfident/login")
        #expect(getLogin.status == 405)
        #expect(getLogin.header("Allow") == "POST")
        #expect(getLogin.text.contains("Method not allowed"))
        let postHome = client.post("/", [])
        #expect(postHome.status == 405)
        #expect(postHome.header("Allow") == "GET, HEAD")
        let put = client.send(client.variables(method: "PUT", target: "/_konfident/verify/" + RouteTests.link.text))
        #expect(put.status == 405)
        #expect(put.header("Allow") == "GET, HEAD, POST")
        #expect(client.head("/").status == 200)
    }

    /// nginx's `auth_request` asks with the client's method and without its body: a POST, PUT or
    /// DELETE to protected content must get the check's answer, not 405 or 400 (nginx would make
    /// either a 500 for the client).
    @Test func theAuthCheckAnswersEveryMethodWithoutItsBody() throws {
        let app = try TestApp()
        let client = app.client()
        for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
            let variables = client.variables(method: method, target: "/_konfident/auth",
                                             extra: ["CONTENT_LENGTH": "512", "CONTENT_TYPE": "application/json"])
            let reply = client.send(variables, bodyProblem: .truncated)
            #expect(reply.status == 401, "\(method)")
            #expect(reply.header("Allow") == nil, "\(method)")
        }
        #expect(client.send(client.variables(method: "POST", target: "/_konfident/auth"), bodyProblem: .tooLarge(declared: 1 << 20)).status == 401)
        // Other pages still refuse what they do not answer.
        #expect(client.send(client.variables(method: "DELETE", target: "/")).status == 405)
    }

    @Test func bankIDWithoutAServiceSaysSo() throws {
        let app = try TestApp()
        let page = app.client().get("/_konfident/bankid")
        #expect(page.status == 503)
        #expect(page.text.contains("BankID is not available"))
        #expect(page.text.contains("Back to the login page"))
    }

    @Test func workspaceNameIsEscaped() throws {
        let app = try TestApp(workspaceName: "<script>alert('x')</script> & Co")
        let page = app.client().get("/")
        #expect(page.status == 200)
        #expect(!page.text.contains("<script>alert"))
        #expect(page.text.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"))
    }
}

@Suite struct PathPrefixTests {
    static let url = "https://acme.localhost:8443/cgi-bin/konfident/"

    @Test func prefixWorkspaceResolvesAndPostsToPrefixedPaths() throws {
        let app = try TestApp(workspaceURL: Self.url)
        let client = app.client(scriptName: "/cgi-bin/konfident")
        let page = client.get("/cgi-bin/konfident/")
        #expect(page.status == 200)
        #expect(page.text.contains("Log in to Acme"))
        #expect(page.formActions == ["/cgi-bin/konfident/_konfident/login", "/cgi-bin/konfident/_konfident/bankid"])
        #expect(page.text.contains("href=\"/cgi-bin/konfident/?lang=sv\""))
        // Without the trailing slash: PATH_INFO is empty.
        let bare = client.get("/cgi-bin/konfident")
        #expect(bare.status == 200)
        // Stock nginx fastcgi_params: SCRIPT_NAME is the whole URI, no PATH_INFO.
        let stock = app.client().get("/cgi-bin/konfident/")
        #expect(stock.status == 200)
        // Outside the prefix there is no workspace.
        #expect(client.get("/").status == 404)
        #expect(client.get("/cgi-bin/other/").status == 404)
        #expect(client.get("/cgi-bin/konfidentx/").status == 404)
    }

    @Test func prefixWorkspaceSignsIn() throws {
        let app = try TestApp(workspaceURL: Self.url)
        try app.addMember("anna@example.se")
        let client = app.client(scriptName: "/cgi-bin/konfident")
        client.get("/cgi-bin/konfident/")
        let next = client.submit("/cgi-bin/konfident/_konfident/login", [("email", "anna@example.se")])
        #expect(next.status == 303)
        #expect(next.location == "/cgi-bin/konfident/_konfident/wait")
        let wait = client.get("/cgi-bin/konfident/_konfident/wait")
        #expect(wait.status == 200)
        #expect(wait.formActions == ["/cgi-bin/konfident/_konfident/wait/cancel"])
        #expect(wait.text.contains("data-poll=\"/cgi-bin/konfident/_konfident/wait/status\""))
        let attempt = try #require(try app.attempt(of: client))
        let link = app.emailLinkPath(of: attempt)
        #expect(link.hasPrefix("/cgi-bin/konfident/_konfident/verify/"))
        let linkPage = client.get(link)
        #expect(linkPage.status == 200)
        #expect(linkPage.formActions == [link])
        let done = client.submit(link, headers: ["HTTP_ORIGIN": "null"])
        #expect(done.status == 200)
        #expect(done.text.contains("Verification completed"))
        #expect(done.text.contains("href=\"/cgi-bin/konfident/\""))
        let auth = client.get("/cgi-bin/konfident/_konfident/auth")
        #expect(auth.status == 204)
        #expect(auth.header("X-Konfident-Member") == "anna@example.se")
    }

    @Test func errorPagesLeadBackIntoThePrefix() throws {
        let app = try TestApp(workspaceURL: Self.url)
        let client = app.client(scriptName: "/cgi-bin/konfident")
        let wrongMethod = client.get("/cgi-bin/konfident/_konfident/login")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.text.contains("<a href=\"/cgi-bin/konfident/\">Back to the login page</a>"))
        let notFound = client.get("/cgi-bin/konfident/nope")
        #expect(notFound.status == 404)
        do {
            #expect(notFound.text.contains("<a href=\"/cgi-bin/konfident/\">Back to the login page</a>"))
        }
    }

    @Test func longestPrefixWins() throws {
        let app = try TestApp(workspaceURL: "https://acme.localhost:8443/")
        let inner = try app.store.createWorkspace(slug: "inner", name: "Inner",
                                                  url: WorkspaceURL(parsing: "https://acme.localhost:8443/teams/inner/"),
                                                  at: app.clock.now())
        let client = app.client()
        #expect(client.get("/").text.contains("Log in to Acme"))
        #expect(client.get("/teams/inner/").text.contains("Log in to Inner"))
        #expect(client.get("/teams/inner").text.contains("Log in to Inner"))
        // The root workspace answers the rest, which is not one of its pages.
        #expect(client.get("/teams/").status == 404)
        #expect(inner.url.pathPrefix == "/teams/inner")
    }
}
