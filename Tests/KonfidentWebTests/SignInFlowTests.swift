import FastCGI
import Foundation
import KonfidentCore
import KonfidentStore
import Testing
@testable import KonfidentWeb

/// The email-link sign-in, in process (DESIGN §1 screens 1–4 and 8, §2).
@Suite struct SignInFlowTests {
    let app: TestApp

    init() throws {
        app = try TestApp()
        try app.addMember("anna@example.se", role: .administrator)
    }

    /// Login page, then Next: the client now waits.
    @discardableResult
    func startSignIn(_ client: Client, email: String = "anna@example.se") -> Reply {
        client.get("/")
        return client.submit("/_konfident/login", [("email", email)])
    }

    /// The email link of the attempt the client started.
    func link(of client: Client) throws -> String {
        app.emailLinkPath(of: try #require(try app.attempt(of: client)))
    }

    func signedIn(_ client: Client) throws -> Client {
        startSignIn(client)
        let link = try link(of: client)
        client.get(link)
        #expect(client.submit(link).text.contains("You are signed in."))
        return client
    }

    @Test func nextLeadsToTheWaitingPage() throws {
        let client = app.client()
        let next = startSignIn(client)
        #expect(next.status == 303)
        #expect(next.location == "/_konfident/wait")
        #expect(next.setCookie(.attempt) != nil)
        let wait = client.get("/_konfident/wait")
        #expect(wait.status == 200)
        #expect(wait.text.contains("<h1>Check your inbox</h1>"))
        #expect(wait.text.contains("class=\"match-code\""))
        let code = try #require(wait.matchCode)
        #expect(code.range(of: #"^[0-9]{2} [a-z]+$"#, options: .regularExpression) != nil)
        #expect(wait.text.contains("<meta http-equiv=\"refresh\" content=\"3\">"))
        #expect(wait.text.contains("<script src=\"/static/wait.js\" defer></script>"))
        #expect(wait.text.range(of: #"<button[^>]*>Start again</button>"#, options: .regularExpression) != nil)
        #expect(try app.outboxCount() == 1)
        let attempt = try #require(try app.attempt(of: client))
        #expect(attempt.matchCode == code)
        #expect(attempt.memberID != nil)
        #expect(attempt.attempt.requiredChannels == [.email])
        let status = client.get("/_konfident/wait/status")
        #expect(status.header("Content-Type") == "application/json")
        #expect(status.text.contains("\"state\":\"pending\""))
    }

    @Test func theWaitingPageLooksTheSameForANonMember() throws {
        let member = app.client()
        startSignIn(member)
        let memberPage = member.get("/_konfident/wait")
        let stranger = app.client()
        let next = startSignIn(stranger, email: "nobody@example.se")
        #expect(next.status == 303)
        #expect(next.location == "/_konfident/wait")
        #expect(next.setCookie(.attempt) != nil)
        let strangerPage = stranger.get("/_konfident/wait")
        #expect(strangerPage.status == memberPage.status)
        let memberCode = try #require(memberPage.matchCode)
        let strangerCode = try #require(strangerPage.matchCode)
        #expect(memberCode != strangerCode)
        func normalized(_ reply: Reply, code: String, csrf: String?) -> String {
            reply.text.replacingOccurrences(of: code, with: "CODE").replacingOccurrences(of: csrf ?? "-", with: "TOKEN")
        }
        #expect(normalized(memberPage, code: memberCode, csrf: memberPage.csrf)
            == normalized(strangerPage, code: strangerCode, csrf: strangerPage.csrf))
        #expect(memberPage.headers("Set-Cookie").count == strangerPage.headers("Set-Cookie").count)
        // Only the member's address gets a message.
        #expect(try app.outboxCount() == 1)
        let attempt = try #require(try app.attempt(of: stranger))
        #expect(attempt.memberID == nil)
        #expect(attempt.attempt.requiredChannels.isEmpty)
        // The stranger never gets signed in, however long it waits.
        app.clock.advance(by: 60)
        #expect(stranger.get("/_konfident/wait").status == 200)
        #expect(!stranger.isSignedIn)
    }

    @Test func theWaitingPollLooksTheSameForANonMember() throws {
        let member = app.client()
        startSignIn(member)
        let stranger = app.client()
        startSignIn(stranger, email: "nobody@example.se")
        // DESIGN §1 screen 2: nobody can probe who is a member. The poll must not tell either.
        do {
            #expect(member.get("/_konfident/wait/status").text == stranger.get("/_konfident/wait/status").text)
        }
    }

    /// Two browsers that type the same address: for a member the second Next supersedes the first
    /// attempt, for a stranger nothing does. The first browser's waiting page and poll must not
    /// tell the two apart (it would tell who is a member): both wait until the attempt expires.
    @Test func aSecondNextForTheSameAddressTellsTheFirstBrowserNothing() throws {
        var firsts: [Client] = []
        for email in ["anna@example.se", "nobody@example.se"] {
            let first = app.client(), second = app.client()
            startSignIn(first, email: email)
            startSignIn(second, email: email)
            firsts.append(first)
        }
        #expect(try app.attempt(of: firsts[0])?.attempt.state == .superseded)
        for first in firsts {
            let page = first.get("/_konfident/wait")
            #expect(page.status == 200)
            #expect(page.text.contains("Check your inbox"))
            // The time with its zone, as on the link page: the reader's clock may be elsewhere.
            #expect(page.text.range(of: #"The link works until [0-2][0-9]:[0-5][0-9] [A-Z+0-9-]+\."#,
                                    options: .regularExpression) != nil)
            #expect(page.matchCode != nil)
            #expect(first.get("/_konfident/wait/status").text == #"{"state":"pending","missing":[]}"#)
        }
        // Both end alike when the attempt's ten minutes are over.
        app.clock.advance(by: 600)
        for first in firsts {
            #expect(first.get("/_konfident/wait/status").text == #"{"state":"expired","missing":[]}"#)
            #expect(first.get("/_konfident/wait").text.contains("This sign-in has ended"))
        }
    }

    @Test func theWaitingPageLooksTheSameForATwoFactorMember() throws {
        try app.addMember("bo@example.se", method: .twoFactor, phone: "+46701234567")
        let twoFactor = app.client()
        startSignIn(twoFactor, email: "bo@example.se")
        let twoFactorPage = twoFactor.get("/_konfident/wait")
        let stranger = app.client()
        startSignIn(stranger, email: "nobody@example.se")
        let strangerPage = stranger.get("/_konfident/wait")
        #expect(twoFactorPage.status == 200)
        #expect(try app.outboxCount() == 2)  // the email and the SMS
        // DESIGN §1 screen 2: "the same page whatever the address — member or not, email or 2FA method".
        do {
            #expect(!twoFactorPage.text.contains("class=\"steps\""))
            #expect(twoFactorPage.text.replacingOccurrences(of: twoFactorPage.matchCode ?? "", with: "")
                .replacingOccurrences(of: twoFactorPage.csrf ?? "", with: "").count
                == strangerPage.text.replacingOccurrences(of: strangerPage.matchCode ?? "", with: "")
                .replacingOccurrences(of: strangerPage.csrf ?? "", with: "").count)
        }
    }

    /// The attempt cookie is `ID.SECRET`: the id is no secret (ids are counted up), so a cookie
    /// with a verified attempt's id and any other secret, or the bare secret of the older form,
    /// finds no attempt and signs nobody in.
    @Test func anAttemptCookieNeedsItsSecretNotJustItsID() throws {
        let waiting = app.client()
        startSignIn(waiting)
        let cookieName = Cookie.name(.attempt, in: app.workspace)
        let value = try #require(waiting.cookies[cookieName])
        let token = try #require(SplitToken(parsing: value))
        let attempt = try #require(try app.attempt(of: waiting))
        #expect(token.id == attempt.id)
        #expect(Secret.hash(token.secret) == attempt.browserHash)
        let link = try link(of: waiting)
        let phone = app.client()
        phone.get(link)
        #expect(phone.submit(link).status == 200)
        #expect(waiting.get("/_konfident/wait/status").text.contains("\"state\":\"verified\""))

        let otherSecret = String(token.secret.dropLast()) + (token.secret.hasSuffix("A") ? "B" : "A")
        for forged in ["\(attempt.id).\(otherSecret)", token.secret, "\(attempt.id + 1).\(token.secret)",
                       "0\(attempt.id).\(token.secret)", "\(attempt.id)", "\(attempt.id)."] {
            let thief = app.client()
            thief.get("/")
            thief.cookies[cookieName] = forged
            let page = thief.get("/_konfident/wait")
            #expect(page.status == 303, "\(forged)")
            #expect(page.location == "/", "\(forged)")
            #expect(page.setCookie(.session) == nil, "\(forged)")
            #expect(thief.get("/_konfident/wait/status").text.contains("\"state\":\"cancelled\""), "\(forged)")
            #expect(thief.get("/_konfident/auth").status == 401, "\(forged)")
        }
        // The browser that holds the whole cookie is signed in.
        #expect(waiting.get("/_konfident/wait").setCookie(.session) != nil)
        #expect(waiting.get("/_konfident/auth").status == 204)
    }

    @Test func remoteVerificationSignsInTheWaitingBrowser() throws {
        let waiting = app.client()
        startSignIn(waiting)
        let code = try #require(waiting.get("/_konfident/wait").matchCode)
        let link = try link(of: waiting)
        let attempt = try #require(try app.attempt(of: waiting))
        #expect(link == "/_konfident/verify/\(attempt.id)." + String(link.suffix(43)))

        // A mail scanner, then the person, on another device: GET twice and HEAD change nothing.
        let phone = app.client()
        phone.userAgent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"
        let scanned = app.client().get(link)
        #expect(scanned.status == 200)
        let first = phone.get(link)
        let second = phone.get(link)
        let head = phone.head(link)
        for page in [first, second, head] {
            #expect(page.status == 200)
        }
        #expect(first.text.contains("<h1>Verify your identity</h1>"))
        #expect(first.matchCode == code)
        #expect(first.text.contains("Firefox · Linux"))  // the browser that asked, not the phone
        #expect(first.text.contains("<dd>Acme</dd>"))
        #expect(first.text.range(of: #"<button[^>]*>Verify Identity</button>"#, options: .regularExpression) != nil)
        #expect(first.shown != nil)
        #expect(first.formActions == [link])
        #expect(try app.attempt(of: waiting)?.attempt.state == .pending)
        #expect(waiting.get("/_konfident/wait").status == 200)

        // The link page has no referrer, so the browser sends Origin: null.
        let done = phone.submit(link, headers: ["HTTP_ORIGIN": "null"])
        #expect(done.status == 200)
        #expect(done.text.contains("<h1>Verification completed</h1>"))
        #expect(done.text.contains("The workspace is now open in the original window."))
        #expect(done.matchCode == code)
        #expect(done.text.contains("<p class=\"match-code\">\(code)</p>"))
        #expect(!done.text.contains("http-equiv=\"refresh\""), "nothing to go on to in this browser")
        #expect(done.setCookie(.session) == nil)
        #expect(!phone.isSignedIn)
        #expect(phone.get("/").text.contains("Log in to Acme"))
        #expect(waiting.get("/_konfident/wait/status").text.contains("\"state\":\"verified\""))

        // The waiting browser's next refresh signs it in, with a new session cookie.
        let signedIn = waiting.get("/_konfident/wait")
        #expect(signedIn.status == 303)
        #expect(signedIn.location == "/")
        let sessionCookie = try #require(signedIn.setCookie(.session))
        #expect(sessionCookie.contains("Max-Age=43200"))
        #expect(signedIn.setCookies.contains { $0.hasPrefix("__Host-konfident-attempt=;") && $0.contains("Max-Age=0") })

        let auth = waiting.get("/_konfident/auth")
        #expect(auth.status == 204)
        #expect(auth.header("X-Konfident-Member") == "anna@example.se")
        #expect(auth.header("X-Konfident-Role") == "administrator")
        let anna = try #require(try app.store.members(of: app.workspace).first { $0.email == "anna@example.se" })
        #expect(auth.header("X-Konfident-Member-ID") == String(anna.id))
        #expect(auth.response.body.isEmpty)
        let home = waiting.get("/")
        #expect(home.status == 200)
        #expect(home.text.contains("Signed in as anna@example.se"))
        #expect(home.text.range(of: #"<button[^>]*>Sign out</button>"#, options: .regularExpression) != nil)

        // No cookie, another browser, a made-up cookie: 401.
        #expect(app.client().get("/_konfident/auth").status == 401)
        #expect(phone.get("/_konfident/auth").status == 401)
        let forger = app.client()
        forger.cookies[CookieName.session.rawValue] = RouteTests.token
        #expect(forger.get("/_konfident/auth").status == 401)

        // The link is single-use.
        let again = phone.submit(link, headers: ["HTTP_ORIGIN": "null"])
        #expect(again.status == 410)
        #expect(again.text.contains("This link no longer works"))
        #expect(again.text.contains("already been used"))
        #expect(phone.get(link).status == 410)
        // The attempt signs in once: the waiting page is over.
        #expect(waiting.get("/_konfident/wait").location == "/")

        let events = try app.store.auditEntries().map(\.event)
        #expect(events.contains("link-verified"))
        #expect(events.contains("sign-in"))
    }

    @Test func sameBrowserVerificationSignsThatBrowserIn() throws {
        let client = app.client()
        startSignIn(client)
        let link = try link(of: client)
        let page = client.get(link)
        #expect(page.status == 200)
        let done = client.submit(link, headers: ["HTTP_ORIGIN": "null"])
        #expect(done.status == 200)
        #expect(done.text.contains("Verification completed"))
        #expect(done.text.contains("You are signed in."))
        #expect(done.text.contains("Continue to the workspace"))
        // DESIGN §1 screen 4: this browser "goes on to the workspace", without JavaScript too.
        #expect(done.text.contains("<meta http-equiv=\"refresh\" content=\"3;url=/\">"))
        #expect(done.setCookie(.session) != nil)
        #expect(client.isSignedIn)
        #expect(client.get("/").text.contains("Signed in as anna@example.se"))
        // The waiting page has nothing left to wait for.
        #expect(client.cookies[CookieName.attempt.rawValue] == nil)
        #expect(client.get("/_konfident/wait").location == "/")
    }

    @Test func verifyingWithoutTheShownProofIsRefused() throws {
        let waiting = app.client()
        startSignIn(waiting)
        let link = try link(of: waiting)
        let other = app.client()
        // A token from the login page, but the link page was never shown in this browser.
        other.get("/")
        let blind = other.submit(link)
        #expect(blind.status == 403)
        other.get(link)
        let forged = other.post(link, [("csrf", other.csrf ?? ""), ("shown", RouteTests.token)])
        #expect(forged.status == 403)
        // A proof shown to another browser does not count either.
        let third = app.client()
        third.get(link)
        let borrowed = other.post(link, [("csrf", other.csrf ?? ""), ("shown", third.shown ?? "")])
        #expect(borrowed.status == 403)
        #expect(try app.store.auditEntries().filter { $0.event == "csrf-refused" && $0.outcome == "shown" }.count == 3)
        #expect(try app.attempt(of: waiting)?.attempt.state == .pending)
        #expect(waiting.get("/_konfident/wait").status == 200)
        // Now with the proof.
        #expect(other.submit(link).status == 200)
        #expect(waiting.get("/_konfident/wait").status == 303)
    }

    @Test func expiredLinkIsGone() throws {
        let waiting = app.client()
        startSignIn(waiting)
        let link = try link(of: waiting)
        let phone = app.client()
        #expect(phone.get(link).status == 200)
        app.clock.advance(by: 10 * 60 + 1)
        let page = phone.get(link)
        #expect(page.status == 410)
        #expect(page.text.contains("The link has expired."))
        #expect(page.text.contains("Back to the login page"))
        let post = phone.submit(link)
        #expect(post.status == 410)
        let wait = waiting.get("/_konfident/wait")
        #expect(wait.status == 200)
        #expect(wait.text.contains("This sign-in has ended."))
        #expect(wait.matchCode == nil)
        #expect(!waiting.isSignedIn)
    }

    @Test func justBeforeExpiryTheLinkStillWorks() throws {
        let waiting = app.client()
        startSignIn(waiting)
        let link = try link(of: waiting)
        let phone = app.client()
        phone.get(link)
        app.clock.advance(by: 10 * 60 - 1)
        #expect(phone.submit(link).status == 200)
        #expect(waiting.get("/_konfident/wait").status == 303)
        #expect(waiting.isSignedIn)
    }

    @Test func aNewAttemptSupersedesTheOldLink() throws {
        let client = app.client()
        startSignIn(client)
        let oldLink = try link(of: client)
        let other = app.client()
        startSignIn(other)
        let newLink = try link(of: other)
        #expect(oldLink != newLink)
        let page = app.client().get(oldLink)
        #expect(page.status == 410)
        #expect(page.text.contains("A newer link has been sent."))
        #expect(app.client().get(newLink).status == 200)
    }

    @Test func startAgainCancelsTheAttempt() throws {
        let client = app.client()
        startSignIn(client)
        let link = try link(of: client)
        client.get("/_konfident/wait")
        let cancel = client.submit("/_konfident/wait/cancel")
        #expect(cancel.status == 303)
        #expect(cancel.location == "/")
        #expect(client.get("/_konfident/wait").location == "/")
        #expect(app.client().get(link).status == 410)
    }

    @Test func signOutEndsTheSession() throws {
        let client = try signedIn(app.client())
        let sessionCookie = try #require(client.cookies[CookieName.session.rawValue])
        let home = client.get("/")
        #expect(home.text.contains("Sign out"))
        #expect(home.formActions == ["/_konfident/signout"])
        let out = client.submit("/_konfident/signout")
        #expect(out.status == 303)
        #expect(out.location == "/")
        #expect(out.setCookies.contains { $0.hasPrefix("__Host-konfident-session=;") && $0.contains("Max-Age=0") })
        #expect(client.get("/_konfident/auth").status == 401)
        #expect(client.get("/").text.contains("Log in to Acme"))
        // The old cookie, replayed, opens nothing: the session ended server-side.
        let replay = app.client()
        replay.cookies[CookieName.session.rawValue] = sessionCookie
        #expect(replay.get("/_konfident/auth").status == 401)
        #expect(try app.store.auditEntries().contains { $0.event == "sign-out" })
    }

    @Test func idleTimeoutSignsOut() throws {
        let client = try signedIn(app.client())
        #expect(client.isSignedIn)
        app.clock.advance(by: 31 * 60)
        #expect(client.get("/_konfident/auth").status == 401)
        #expect(client.get("/").text.contains("Log in to Acme"))
    }

    @Test func activityKeepsTheSessionAliveUntilItsAbsoluteEnd() throws {
        let client = try signedIn(app.client())
        for _ in 0..<3 {
            app.clock.advance(by: 20 * 60)
            #expect(client.get("/_konfident/auth").status == 204)
        }
        // 12 h after sign-in the session ends, however active.
        for _ in 0..<33 {
            app.clock.advance(by: 20 * 60)
            client.get("/_konfident/auth")
        }
        #expect(client.get("/_konfident/auth").status == 401)
    }

    @Test func rateLimitGivesA429Page() throws {
        var settings = Settings()
        settings.rateLimits = try RateLimitPolicy(parsing: "member=3/10min")
        let app = try TestApp(settings: settings)
        try app.addMember("anna@example.se")
        let client = app.client()
        client.get("/")
        for _ in 0..<3 {
            #expect(client.submit("/_konfident/login", [("email", "Anna@Example.se")]).status == 303)
        }
        let fourth = client.submit("/_konfident/login", [("email", "anna@example.se")])
        #expect(fourth.status == 429)
        #expect(fourth.header("Content-Type") == "text/html; charset=utf-8")
        #expect(fourth.text.contains("Too many attempts"))
        #expect(fourth.text.contains("Back to the login page"))
        // When the window of `member=3/10min` ends: the page and Retry-After say so.
        let left = 600 - app.clock.now() % 600
        #expect(fourth.header("Retry-After") == String(left))
        #expect(fourth.text.contains("Please wait \((left + 59) / 60 == 1 ? "a minute" : "\((left + 59) / 60) minutes") before you try again."))
        #expect(try app.outboxCount() == 3)
        // DESIGN §2: the audit log records every rate-limit hit.
        let audit = try app.store.auditEntries()
        do {
            #expect(audit.contains { $0.event == "rate-limited" && $0.outcome == "member" })
        }
        // A non-member address is limited the same way, so the limit says nothing about membership.
        for _ in 0..<3 {
            #expect(client.submit("/_konfident/login", [("email", "nobody@example.se")]).status == 303)
        }
        #expect(client.submit("/_konfident/login", [("email", "nobody@example.se")]).status == 429)
        // Page views are not counted.
        for _ in 0..<10 { #expect(client.get("/").status == 200) }
        // After the window, the address may try again.
        app.clock.advance(by: 10 * 60)
        #expect(client.submit("/_konfident/login", [("email", "anna@example.se")]).status == 303)
    }

    /// The SMS limits count only 2FA members' Nexts. Over one, Next answers as for anybody (a 429
    /// would tell that the address is a 2FA member's), the waiting page and its poll are a
    /// stranger's, and only the member's mailbox hears why: no SMS was sent.
    @Test func overAnSMSLimitNextLooksLikeAnyOtherNext() throws {
        var settings = Settings()
        settings.rateLimits = try RateLimitPolicy(parsing: "smscountry=1/h")
        let app = try TestApp(settings: settings)
        try app.addMember("bo@example.se", method: .twoFactor, phone: "+46701234567")
        try app.addMember("cilla@example.se", method: .twoFactor, phone: "+46707654321")
        let first = app.client()
        first.get("/")
        #expect(first.submit("/_konfident/login", [("email", "bo@example.se")]).status == 303)
        #expect(try app.outboxCount() == 2)

        let held = app.client()
        held.get("/")
        let answer = held.submit("/_konfident/login", [("email", "cilla@example.se")])
        let stranger = app.client()
        stranger.get("/")
        let strangers = stranger.submit("/_konfident/login", [("email", "nobody@example.se")])
        #expect(answer.status == 303)
        #expect(answer.header("Location") == strangers.header("Location"))
        #expect(held.get("/_konfident/wait/status").text == stranger.get("/_konfident/wait/status").text)
        let page = held.get("/_konfident/wait")
        #expect(page.status == 200)
        #expect(page.text.contains("Check your inbox"))
        #expect(try app.attempt(of: held)?.attempt.requiredChannels == [])
        #expect(try app.outboxCount() == 3)
        #expect(try app.store.auditEntries().contains { $0.event == "rate-limited" && $0.outcome == "smscountry" })
    }

    @Test func twoFactorNeedsBothLinks() throws {
        try app.addMember("bo@example.se", method: .twoFactor, phone: "+46 (0)70-123 45 67")
        let waiting = app.client()
        startSignIn(waiting, email: "bo@example.se")
        let attempt = try #require(try app.attempt(of: waiting))
        #expect(attempt.attempt.requiredChannels == [.email, .sms])
        let emailLink = app.emailLinkPath(of: attempt, channel: .email)
        let smsLink = app.emailLinkPath(of: attempt, channel: .sms)
        #expect(emailLink != smsLink)
        let phone = app.client()
        phone.get(emailLink)
        let first = phone.submit(emailLink)
        #expect(first.status == 200)
        #expect(first.text.contains("Verification completed"))
        #expect(first.text.contains("One more step: open the link we sent by SMS."))
        #expect(waiting.get("/_konfident/wait").status == 200)
        #expect(waiting.get("/_konfident/wait/status").text == "{\"state\":\"pending\",\"missing\":[\"sms\"]}")
        #expect(phone.submit(emailLink).status == 410)
        phone.get(smsLink)
        let second = phone.submit(smsLink)
        #expect(second.status == 200)
        #expect(second.text.contains("The workspace is now open in the original window."))
        #expect(waiting.get("/_konfident/wait").status == 303)
        #expect(waiting.get("/_konfident/auth").header("X-Konfident-Member") == "bo@example.se")
    }

    @Test func swedishFlow() throws {
        let waiting = app.client(language: "sv")
        startSignIn(waiting)
        let wait = waiting.get("/_konfident/wait")
        #expect(wait.text.contains("<html lang=\"sv\">"))
        #expect(wait.text.contains("<h1>Kolla din inkorg</h1>"))
        let link = try link(of: waiting)
        let phone = app.client(language: "sv-SE")
        let page = phone.get(link)
        #expect(page.text.contains("<html lang=\"sv\">"))
        #expect(page.text.contains("<h1>Bekräfta din identitet</h1>"))
        #expect(page.text.range(of: #"<button[^>]*>Bekräfta identitet</button>"#, options: .regularExpression) != nil)
        let done = phone.submit(link)
        #expect(done.text.contains("<h1>Verifieringen är klar</h1>"))
        #expect(waiting.get("/_konfident/wait").status == 303)
        let home = waiting.get("/")
        #expect(home.text.contains("Inloggad som anna@example.se"))
        #expect(home.text.contains("Administratör"))
        #expect(home.text.range(of: #"<button[^>]*>Logga ut</button>"#, options: .regularExpression) != nil)
        #expect(phone.get(link).text.contains("Länken fungerar inte längre"))
    }

    @Test func theLanguageSwitchOnTheLinkPageStaysOnTheLinkPage() throws {
        let waiting = app.client()
        startSignIn(waiting)
        let link = try link(of: waiting)
        let page = app.client().get(link)
        #expect(page.status == 200)
        // Switching language must not lose the link the person opened from their inbox.
        do {
            #expect(page.text.contains("href=\"\(link)?lang=sv\""))
        }
    }

    @Test func revokedOrUnknownMembersGetNoLink() throws {
        _ = try app.store.addMember(NewMember(email: EmailAddress(parsing: "old@example.se"), phone: nil,
                                              personnummer: nil, method: .email, role: .general),
                                    to: app.workspace, state: .revoked, at: app.clock.now())
        let client = app.client()
        #expect(startSignIn(client, email: "old@example.se").status == 303)
        #expect(client.get("/_konfident/wait").status == 200)
        #expect(try app.outboxCount() == 0)
    }
}
