import FastCGI
import KonfidentCore
import KonfidentStore
import Testing
@testable import KonfidentWeb

/// DESIGN §2: every state-changing form carries a token bound to the pre-session; cross-origin
/// POSTs are refused by `Sec-Fetch-Site`, else by `Origin`; `Origin: null` alone is no reason to refuse.
@Suite struct CSRFTests {
    let app: TestApp
    let client: Client

    init() throws {
        app = try TestApp()
        try app.addMember("anna@example.se")
        client = app.client()
        client.get("/")
    }

    func expectNothingRecorded(sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try app.store.attempt(id: 1) == nil, sourceLocation: sourceLocation)
        #expect(try app.outboxCount() == 0, sourceLocation: sourceLocation)
        #expect(client.cookies[CookieName.attempt.rawValue] == nil, sourceLocation: sourceLocation)
    }

    @Test func postWithoutTokenIsRefused() throws {
        let reply = client.post("/_konfident/login", [("email", "anna@example.se")])
        #expect(reply.status == 403)
        #expect(reply.text.contains("Not allowed"))
        #expect(reply.text.contains("security token"))
        #expect(reply.text.contains("Back to the login page"))
        #expect(reply.setCookie(.attempt) == nil)
        try expectNothingRecorded()
        let audit = try app.store.auditEntries()
        #expect(audit.contains { $0.event == AuditEvent.csrfRefused.rawValue && $0.outcome == "token" })
    }

    @Test func emptyOrForgedTokenIsRefused() throws {
        #expect(client.post("/_konfident/login", [("email", "anna@example.se"), ("csrf", "")]).status == 403)
        #expect(client.post("/_konfident/login", [("email", "anna@example.se"), ("csrf", RouteTests.token)]).status == 403)
        let token = try #require(client.csrf)
        #expect(client.post("/_konfident/login", [("email", "anna@example.se"), ("csrf", token + "A")]).status == 403)
        try expectNothingRecorded()
    }

    @Test func tokenOfAnotherPreSessionIsRefused() throws {
        let stranger = app.client()
        let foreignToken = try #require(stranger.get("/").csrf)
        #expect(foreignToken != client.csrf)
        let reply = client.post("/_konfident/login", [("email", "anna@example.se"), ("csrf", foreignToken)])
        #expect(reply.status == 403)
        try expectNothingRecorded()
    }

    @Test func tokenWithoutAnyPreSessionCookieIsRefused() throws {
        let token = try #require(client.csrf)
        client.cookies.removeAll()
        let reply = client.post("/_konfident/login", [("email", "anna@example.se"), ("csrf", token)])
        #expect(reply.status == 403)
        try expectNothingRecorded()
    }

    /// Refusals cost the refused nothing: the audit log keeps a few a minute from each address,
    /// and the rest write nothing (no way to fill the disk with refused POSTs).
    @Test func refusalsAreAuditedAFewAMinutePerAddress() throws {
        for _ in 0..<12 {
            #expect(client.post("/_konfident/login", [("email", "anna@example.se")]).status == 403)
        }
        let refusals = { try self.app.store.auditEntries().filter { $0.event == "csrf-refused" } }
        #expect(try refusals().count == Store.refusalsAuditedPerMinute)
        #expect(try refusals().allSatisfy { $0.ip == "192.0.2.10" && $0.outcome == "token" })
        // Another address has its own few.
        let other = app.client()
        other.remoteAddress = "198.51.100.7"
        other.get("/")
        #expect(other.post("/_konfident/login", [("email", "anna@example.se")]).status == 403)
        #expect(try refusals().count == Store.refusalsAuditedPerMinute + 1)
        // The next minute, again.
        app.clock.advance(by: 60)
        #expect(client.post("/_konfident/login", [("email", "anna@example.se")]).status == 403)
        #expect(try refusals().count == Store.refusalsAuditedPerMinute + 2)
        try expectNothingRecorded()
    }

    @Test(arguments: ["cross-site", "same-site", "CROSS-SITE"])
    func crossSiteFetchIsRefused(_ site: String) throws {
        let reply = client.submit("/_konfident/login", [("email", "anna@example.se")],
                                  headers: ["HTTP_SEC_FETCH_SITE": site])
        #expect(reply.status == 403)
        #expect(reply.text.contains("sent from another site"))
        try expectNothingRecorded()
        #expect(try app.store.auditEntries().contains { $0.event == "csrf-refused" && $0.outcome == "cross-site" })
    }

    @Test(arguments: ["https://evil.example", "http://acme.localhost:8443", "https://acme.localhost",
                      "https://acme.localhost:8444", "https://acme.localhost:8443.evil.example"])
    func foreignOriginIsRefused(_ origin: String) throws {
        let reply = client.submit("/_konfident/login", [("email", "anna@example.se")],
                                  headers: ["HTTP_SEC_FETCH_SITE": nil, "HTTP_ORIGIN": origin])
        #expect(reply.status == 403)
        try expectNothingRecorded()
    }

    @Test func secFetchSiteDecidesBeforeOrigin() throws {
        // A browser that sends Sec-Fetch-Site is judged by it.
        let reply = client.submit("/_konfident/login", [("email", "anna@example.se")],
                                  headers: ["HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": TestApp.origin])
        #expect(reply.status == 403)
    }

    @Test func sameOriginWithoutSecFetchSiteIsAccepted() throws {
        let reply = client.submit("/_konfident/login", [("email", "anna@example.se")],
                                  headers: ["HTTP_SEC_FETCH_SITE": nil, "HTTP_ORIGIN": "HTTPS://ACME.localhost:8443"])
        #expect(reply.status == 303)
    }

    @Test func nullOriginWithAValidTokenIsAccepted() throws {
        let reply = client.submit("/_konfident/login", [("email", "anna@example.se")],
                                  headers: ["HTTP_SEC_FETCH_SITE": nil, "HTTP_ORIGIN": "null"])
        #expect(reply.status == 303)
        #expect(reply.location == "/_konfident/wait")
        #expect(try app.outboxCount() == 1)
    }

    @Test func nullOriginWithoutTokenIsRefused() throws {
        let reply = client.post("/_konfident/login", [("email", "anna@example.se")],
                                headers: ["HTTP_SEC_FETCH_SITE": nil, "HTTP_ORIGIN": "null"])
        #expect(reply.status == 403)
        try expectNothingRecorded()
    }

    @Test func neitherHeaderLeavesItToTheToken() throws {
        let accepted = client.submit("/_konfident/login", [("email", "anna@example.se")],
                                     headers: ["HTTP_SEC_FETCH_SITE": nil, "HTTP_ORIGIN": nil])
        #expect(accepted.status == 303)
    }

    @Test(arguments: ["text/plain", "multipart/form-data; boundary=x", "application/json", ""])
    func wrongContentTypeIsBadRequest(_ type: String) throws {
        let reply = client.submit("/_konfident/login", [("email", "anna@example.se")],
                                  headers: ["CONTENT_TYPE": type])
        #expect(reply.status == 400)
        #expect(reply.text.contains("Bad request"))
        try expectNothingRecorded()
    }

    @Test func contentTypeParametersAndCaseAreFine() throws {
        let reply = client.submit("/_konfident/login", [("email", "anna@example.se")],
                                  headers: ["CONTENT_TYPE": "Application/X-WWW-Form-Urlencoded; charset=UTF-8"])
        #expect(reply.status == 303)
    }

    func rawPost(_ body: String) -> Reply {
        let bytes = Array(body.utf8)
        return client.send(client.variables(method: "POST", target: "/_konfident/login", extra: [
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": String(bytes.count),
            "HTTP_SEC_FETCH_SITE": "same-origin",
        ]), body: bytes)
    }

    @Test(arguments: ["%", "%zz", "email=%4", "email=%C3%28", "email=a%"])
    func badPercentEscapeIsBadRequest(_ email: String) throws {
        let token = try #require(client.csrf)
        let reply = rawPost("csrf=\(token)&" + (email.contains("=") ? email : "email=" + email))
        #expect(reply.status == 400)
        #expect(reply.text.contains("Bad request"))
        try expectNothingRecorded()
    }

    @Test func tenThousandFieldsIsBadRequest() throws {
        let token = try #require(client.csrf)
        let body = "csrf=\(token)&email=anna%40example.se&" + (0..<10_000).map { "f\($0)=x" }.joined(separator: "&")
        let reply = rawPost(body)
        #expect(reply.status == 400)
        try expectNothingRecorded()
    }

    @Test func bodyTooLargeIs413Page() throws {
        let reply = client.send(client.variables(method: "POST", target: "/_konfident/login", extra: [
            "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": "99999999",
        ]), bodyProblem: .tooLarge(declared: 99_999_999))
        #expect(reply.status == 413)
        #expect(reply.header("Content-Type") == "text/html; charset=utf-8")
        #expect(reply.text.contains("Too much data"))
        #expect(reply.text.contains("Back to the login page"))
        try expectNothingRecorded()
    }

    @Test(arguments: [Request.BodyProblem.malformedLength, .truncated])
    func malformedBodyIsBadRequest(_ problem: Request.BodyProblem) throws {
        let reply = client.send(client.variables(method: "POST", target: "/_konfident/login", extra: [
            "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": "-1",
        ]), bodyProblem: problem)
        #expect(reply.status == 400)
        #expect(reply.text.contains("Bad request"))
        try expectNothingRecorded()
    }

    @Test func signOutAndCancelNeedTheTokenToo() throws {
        #expect(client.post("/_konfident/signout", []).status == 403)
        #expect(client.post("/_konfident/wait/cancel", []).status == 403)
        #expect(client.submit("/_konfident/signout").status == 303)
        #expect(client.submit("/_konfident/wait/cancel").status == 303)
    }

    @Test func invalidEmailGivesTheFormBackWithoutRecording() throws {
        let reply = client.submit("/_konfident/login", [("email", "not an <address>")])
        #expect(reply.status == 400)
        #expect(reply.text.contains("That does not look like an email address"))
        #expect(reply.text.contains("value=\"not an &lt;address&gt;\""))
        #expect(reply.text.contains("aria-invalid=\"true\""))
        #expect(reply.csrf == client.csrf)
        try expectNothingRecorded()
    }
}

/// `Content-Type` of a form POST: the media type before the first `;`, in any case, blanks around it.
@Suite struct FormMediaTypeTests {
    @Test(arguments: [
        "application/x-www-form-urlencoded",
        "Application/X-WWW-Form-URLEncoded; charset=UTF-8",
        " application/x-www-form-urlencoded ;",
        ";;application/x-www-form-urlencoded",
        "\tapplication/x-www-form-urlencoded\t; a=b; c",
    ])
    func accepts(contentType: String) {
        #expect(Application.isFormMediaType(contentType))
    }

    @Test(arguments: [
        "", ";", "multipart/form-data; boundary=x", "application/x-www-form-urlencodedX",
        "application/x-www-form-urlencode", "text/plain; application/x-www-form-urlencoded",
        " ; application/x-www-form-urlencoded", "application/x-www-form-urlencoded\u{0}",
        "application/x\u{2010}www-form-urlencoded", "APPLICATION/X-WWW-FORM-URLENCODED\u{301}",
    ])
    func refuses(contentType: String) {
        #expect(!Application.isFormMediaType(contentType))
    }
}
