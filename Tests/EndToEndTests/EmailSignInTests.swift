import Foundation
import Testing

/// Email sign-in through real nginx, as a person sees it (DESIGN §1 screens 2–4, §2).
@Suite(.serialized)
struct EmailSignInTests {
    @Test func crossDeviceSignInSignsInTheWaitingBrowserOnly() throws {
        let stack = try Stack()
        defer { stack.stop() }
        let a = Browser(stack)
        let b = Browser(stack, userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1")

        // Screen 2: Next → 303 → the waiting page.
        let next = try a.pressNext("admin@acme.example")
        #expect(next.status == 303)
        #expect(next.header("Location") == "/_konfident/wait")
        let waiting = try a.follow(next)
        #expect(waiting.status == 200)
        #expect(waiting.body.contains("Check your inbox"))
        #expect(waiting.body.range(of: #"<meta http-equiv="refresh" content="[23]">"#, options: .regularExpression) != nil)
        let code = try #require(waiting.matchCode)
        #expect(code.range(of: #"^\d\d [a-z]+$"#, options: .regularExpression) != nil, "match code '\(code)'")
        #expect(waiting.hasButton("Start again"))

        // The message at the SMTP sink.
        let mail = try stack.waitForMail(to: "admin@acme.example")
        #expect(mail.header("From") == "Acme sign-in <signin@acme.example>")
        #expect(mail.subject == "Sign in to Acme")
        let date = try #require(mail.header("Date"))
        #expect(date.range(of: #"^[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}$"#, options: .regularExpression) != nil,
                "Date: \(date)")
        let messageID = try #require(mail.header("Message-ID"))
        #expect(messageID.range(of: #"^<[^<>@\s]+@[^<>@\s]+>$"#, options: .regularExpression) != nil, "Message-ID: \(messageID)")
        #expect(mail.raw.contains("Content-Type: text/plain"))
        #expect(mail.raw.contains("Content-Type: text/html"))
        #expect(!mail.text.isEmpty)
        #expect(mail.html.contains("<a href="))
        #expect(mail.links.count == 1, "links: \(mail.links)")
        let link = try #require(mail.verifyLink)
        #expect(link.hasPrefix(stack.url("acme", "/")))
        #expect(mail.text.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .init(charactersIn: "\r")) }.contains(link),
                "the link is on a line of its own")
        #expect(mail.html.contains(link))

        // Screen 3 in another browser: GET twice and HEAD consume nothing.
        let first = try b.get(link)
        #expect(first.status == 200)
        #expect(first.header("Referrer-Policy") == "no-referrer")
        #expect(first.body.contains("Verify your identity"))
        #expect(first.hasButton("Verify Identity"))
        #expect(first.matchCode == code)
        #expect(first.body.contains("Firefox · Linux"), "the link page names the browser that asked")
        let second = try b.get(link)
        #expect(second.status == 200)
        #expect(second.matchCode == code)
        #expect(try b.head(link).status == 200)
        let stillWaiting = try a.get("/_konfident/wait")
        #expect(stillWaiting.status == 200)
        #expect(stillWaiting.matchCode == code)
        #expect(try a.authStatus() == 401)

        // Screen 4 in the other browser: completed, but that browser is not signed in.
        let completed = try b.submit(second, button: "Verify Identity")
        #expect(completed.status == 200)
        #expect(completed.body.contains("Verification completed"))
        #expect(completed.body.contains("The workspace is now open in the original window"))
        #expect(completed.matchCode == code)
        #expect(Browser.setCookie(completed, "__Host-konfident-session") == nil)
        #expect(try b.authStatus() == 401)
        #expect(!b.hasSessionCookie)
        #expect(try b.get("/").body.contains("Log in to Acme"))

        // The waiting browser signs in at its next refresh.
        let signedIn = try a.get("/_konfident/wait")
        #expect(signedIn.status == 303)
        #expect(signedIn.header("Location") == "/")
        let cookie = try #require(Browser.setCookie(signedIn, "__Host-konfident-session"))
        for flag in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
            #expect(cookie.contains(flag), "session cookie lacks \(flag): \(cookie)")
        }
        #expect(!cookie.contains("Domain="))
        let home = try a.follow(signedIn)
        #expect(home.status == 200)
        #expect(home.body.contains("Signed in as admin@acme.example"))
        #expect(home.hasButton("Sign out"))
        let auth = try a.get("/_konfident/auth")
        #expect(auth.status == 204)
        #expect(auth.header("X-Konfident-Member") == "admin@acme.example")
        #expect(auth.header("X-Konfident-Role") == "administrator")
        let files = try a.get("/files/")
        #expect(files.status == 200)
        #expect(files.header("X-Konfident-Member") == "admin@acme.example")
        #expect(files.header("Strict-Transport-Security") == "max-age=63072000")
        // A form posted to protected content: nginx asks the check with the client's method (and
        // without the body). It lets the member through, and nginx's static files answer that
        // they take no POST.
        let posted = try a.post("/files/", [("note", "a form of the workspace's own")])
        #expect(posted.status == 405)
        #expect(posted.header("X-Konfident-Member") == "admin@acme.example")
        // B is still signed out, also for nginx's auth_request.
        #expect(try b.get("/files/").status == 302)
        let refused = try b.post("/files/", [("note", "a form of the workspace's own")])
        #expect(refused.status == 302)
        #expect(refused.header("Location")?.hasSuffix("/") == true)
    }

    @Test func theSameBrowserIsSignedInByItsOwnLink() throws {
        let stack = try Stack()
        defer { stack.stop() }
        let a = Browser(stack)
        let completed = try stack.signIn(a)
        #expect(completed.status == 200)
        #expect(completed.body.contains("Verification completed"))
        #expect(completed.body.contains("You are signed in."))
        #expect(!completed.body.contains("original window"))
        #expect(Browser.setCookie(completed, "__Host-konfident-session") != nil)
        #expect(try a.authStatus() == 204)
        #expect(try a.get("/").body.contains("Signed in as admin@acme.example"))
        // The waiting page has nothing more to wait for.
        let wait = try a.get("/_konfident/wait")
        #expect(wait.status == 303)
        #expect(wait.header("Location") == "/")
    }

    @Test func aLinkWorksOnce() throws {
        let stack = try Stack()
        defer { stack.stop() }
        let a = Browser(stack), b = Browser(stack), c = Browser(stack)
        #expect(try a.pressNext("admin@acme.example").status == 303)
        let link = try stack.signInLink(to: "admin@acme.example")
        let shown = try b.get(link)
        #expect(try b.submit(shown, button: "Verify Identity").body.contains("Verification completed"))

        let again = try b.submit(shown, button: "Verify Identity")
        #expect(again.status == 410)
        #expect(again.body.contains("This link no longer works"))
        #expect(again.body.contains("already been used"))
        #expect(again.body.contains("<a href=\"/\">Back to the login page</a>"))
        #expect(!again.body.contains("Verification completed"))
        #expect(try b.authStatus() == 401)

        // Another browser: the link page itself says it was used; no button to press.
        let stranger = try c.get(link)
        #expect(stranger.status == 410)
        #expect(stranger.body.contains("already been used"))
        #expect(!stranger.hasButton("Verify Identity"))
        #expect(try c.authStatus() == 401)

        // The browser that asked signs in exactly once.
        #expect(try a.get("/_konfident/wait").status == 303)
        #expect(try a.authStatus() == 204)
        #expect(try b.get(link).status == 410)

        // nginx logged every request of the link, and none with its token.
        let name = try #require(link.split(separator: "/").last)
        let (id, token) = (try #require(name.split(separator: ".").first), try #require(name.split(separator: ".").last))
        #expect(stack.accessLog.components(separatedBy: "/_konfident/verify/\(id).[token] HTTP/").count - 1 == 5,
                "log: \(stack.accessLog)")
        #expect(!stack.accessLog.contains(token))
    }

    @Test func confirmingNeedsTheLinkPageShownInThisBrowser() throws {
        let stack = try Stack()
        defer { stack.stop() }
        let a = Browser(stack), b = Browser(stack), c = Browser(stack)
        #expect(try a.pressNext("admin@acme.example").status == 303)
        let link = try stack.signInLink(to: "admin@acme.example")
        let shownToC = try c.get(link)
        let proofOfC = try #require(shownToC.field("shown"))

        // B never saw the link page: its own form token, but no proof (or C's proof) that the code was shown.
        let login = try b.get("/")
        let token = try #require(login.field("csrf"))
        let path = String(link.dropFirst(stack.url("acme", "").count))
        for fields in [[("csrf", token)], [("csrf", token), ("shown", proofOfC)]] {
            let refused = try b.post(path, fields)
            #expect(refused.status == 403)
            #expect(!refused.body.contains("Verification completed"))
        }
        #expect(try b.authStatus() == 401)
        // Nothing was used up: the waiting browser still waits and the link still works.
        #expect(try a.get("/_konfident/wait").status == 200)
        let completed = try c.submit(shownToC, button: "Verify Identity")
        #expect(completed.body.contains("Verification completed"))
        #expect(try a.get("/_konfident/wait").status == 303)
        #expect(try a.authStatus() == 204)
    }

    @Test func anExpiredLinkIsRefused() throws {
        let stack = try Stack(.init(linkTTL: "2s"))
        defer { stack.stop() }
        let a = Browser(stack), b = Browser(stack)
        #expect(try a.pressNext("admin@acme.example").status == 303)
        let link = try stack.signInLink(to: "admin@acme.example")
        let shown = try b.get(link)
        #expect(shown.status == 200)
        sleep(3)

        let page = try b.get(link)
        #expect(page.status == 410)
        #expect(page.body.contains("expired"))
        #expect(page.body.contains("Back to the login page"))
        let confirmed = try b.submit(shown, button: "Verify Identity")
        #expect(confirmed.status == 410)
        #expect(confirmed.body.contains("expired"))
        #expect(try b.authStatus() == 401)
        // The waiting page says the attempt ended and offers to start again.
        let wait = try a.get("/_konfident/wait")
        #expect(wait.status == 200)
        #expect(wait.body.contains("This sign-in has ended"))
        #expect(wait.matchCode == nil)
        #expect(try a.authStatus() == 401)
    }

    @Test func aNonMemberSeesTheSamePagesAndGetsNoMail() throws {
        let stack = try Stack()
        defer { stack.stop() }
        let stranger = Browser(stack), member = Browser(stack)

        let strangerNext = try stranger.pressNext("nobody@example.com")
        let memberNext = try member.pressNext("admin@acme.example")
        #expect(strangerNext.status == 303)
        #expect(strangerNext.status == memberNext.status)
        #expect(strangerNext.header("Location") == memberNext.header("Location"))
        #expect(strangerNext.body == memberNext.body)
        let cookieShape = { (page: Browser.Page) in
            page.headers("Set-Cookie").map { $0.replacingOccurrences(of: #"=[^;]*;"#, with: "=…;", options: .regularExpression) }
        }
        #expect(cookieShape(strangerNext) == cookieShape(memberNext))

        let strangerWait = try stranger.follow(strangerNext)
        let memberWait = try member.follow(memberNext)
        #expect(strangerWait.status == 200)
        #expect(strangerWait.status == memberWait.status)
        #expect(strangerWait.matchCode != nil)
        #expect(strangerWait.texts.count > 3)
        #expect(strangerWait.normalized == memberWait.normalized)
        #expect(strangerWait.texts.contains("Check your inbox"))
        let blank = { (page: Browser.Page) in Browser.Page(status: page.status, headers: [], body: page.normalized).texts }
        #expect(blank(strangerWait) == blank(memberWait))
        // The poll says the same too.
        let strangerPoll = try stranger.get("/_konfident/wait/status")
        let memberPoll = try member.get("/_konfident/wait/status")
        #expect(strangerPoll.body == memberPoll.body)
        #expect(strangerPoll.body.contains("pending"))

        // The member's message came; none went to the stranger.
        _ = try stack.waitForMail(to: "admin@acme.example")
        sleep(2)
        #expect(stack.mails().filter { $0.to.contains("nobody@example.com") }.isEmpty)
        #expect(stack.mails().count == 1)
        #expect(try stack.sql("SELECT count(*) FROM outbox WHERE recipient LIKE '%nobody%'") == "0")
        #expect(try stranger.get("/_konfident/wait").status == 200, "the stranger keeps waiting")
    }

    @Test func aNewerAttemptSupersedesTheOlderLink() throws {
        let stack = try Stack()
        defer { stack.stop() }
        let first = Browser(stack), second = Browser(stack)
        #expect(try first.pressNext("admin@acme.example").status == 303)
        let oldLink = try stack.signInLink(to: "admin@acme.example")
        #expect(try second.pressNext("admin@acme.example").status == 303)
        let newLink = try stack.signInLink(to: "admin@acme.example", count: 2)
        #expect(oldLink != newLink)

        let old = try first.get(oldLink)
        #expect(old.status == 410)
        #expect(old.body.contains("A newer link has been sent"))
        #expect(!old.hasButton("Verify Identity"))
        // The first browser's waiting page goes on waiting, as a stranger's would: saying that its
        // attempt was superseded would tell that the address is a member's.
        let firstWait = try first.get("/_konfident/wait")
        #expect(firstWait.status == 200)
        #expect(firstWait.body.contains("Check your inbox"))
        #expect(try first.get("/_konfident/wait/status").body == #"{"state":"pending","missing":[]}"#)

        let shown = try second.get(newLink)
        #expect(shown.status == 200)
        let completed = try second.submit(shown, button: "Verify Identity")
        #expect(completed.body.contains("You are signed in."))
        #expect(try second.authStatus() == 204)
        #expect(try first.authStatus() == 401)
    }

    @Test func startAgainGoesBackToTheLoginPage() throws {
        let stack = try Stack()
        defer { stack.stop() }
        let a = Browser(stack)
        let waiting = try a.follow(try a.pressNext("admin@acme.example"))
        #expect(waiting.hasButton("Start again"))
        let link = try stack.signInLink(to: "admin@acme.example")

        let again = try a.submit(waiting, button: "Start again")
        #expect(again.status == 303)
        #expect(again.header("Location") == "/")
        let login = try a.follow(again)
        #expect(login.status == 200)
        #expect(login.body.contains("Log in to Acme"))
        #expect(login.hasButton("Next"))
        #expect(try a.get("/_konfident/wait").status == 303, "nothing left to wait for")
        // The cancelled attempt's link no longer signs anybody in.
        let page = try Browser(stack).get(link)
        #expect(page.status == 410)
        #expect(page.body.contains("This sign-in has ended"))
    }

    @Test func tooManyAttemptsForOneAddressGetA429Page() throws {
        let stack = try Stack(.init(rateLimits: "member=5/10min"))
        defer { stack.stop() }
        let a = Browser(stack)
        let login = try a.get("/")
        var statuses: [Int] = []
        var limited: Browser.Page? = nil
        // The limits count in fixed windows: a run that crosses a 10-minute boundary may pass 5 more.
        let windowAtStart = Int(Date().timeIntervalSince1970) / 600
        for _ in 0..<30 {
            let page = try a.submit(login, button: "Next", [("email", "admin@acme.example")])
            statuses.append(page.status)
            if page.status == 429 { limited = page }
        }
        let allowed = Int(Date().timeIntervalSince1970) / 600 == windowAtStart ? 5 : 10
        #expect((5...allowed).contains(statuses.filter { $0 == 303 }.count), "statuses: \(statuses)")
        #expect(statuses.filter { $0 == 303 || $0 == 429 }.count == 30, "statuses: \(statuses)")
        #expect(Array(statuses.prefix(5)) == [303, 303, 303, 303, 303])
        let page = try #require(limited)
        #expect(page.body.contains("Too many attempts"))
        #expect(page.body.contains("Back to the login page"))
        #expect(page.body.contains("<html lang=\"en\">"))
        let retryAfter = try #require(page.header("Retry-After").flatMap { Int($0) })
        #expect((1...600).contains(retryAfter), "Retry-After: \(retryAfter)")
        #expect(page.body.contains("before you try again."))

        // Typing the address differently does not get around the limit.
        #expect(try a.submit(login, button: "Next", [("email", "ADMIN@acme.example")]).status == 429)
        // Another address is its own count.
        #expect(try a.submit(login, button: "Next", [("email", "other@example.com")]).status == 303)

        _ = try stack.waitForMail(to: "admin@acme.example")
        sleep(3)
        #expect((1...allowed).contains(stack.mails().filter { $0.to.contains("admin@acme.example") }.count))
        #expect(try a.get("/").status == 200)
        #expect(try Browser(stack).get("/").status == 200)
    }

    @Test func mailIsRetriedWhenTheSMTPServerIsDown() throws {
        let stack = try Stack()
        defer { stack.stop() }
        stack.stopSMTP()
        let a = Browser(stack)
        let next = try a.pressNext("admin@acme.example")
        #expect(next.status == 303)
        let waiting = try a.follow(next)
        #expect(waiting.status == 200)
        #expect(waiting.matchCode != nil)
        try waitUntil("the worker reports a failed try", timeout: 10) {
            stack.log("serve.log").contains("delivery failed, will retry")
        }
        #expect(try a.get("/_konfident/wait").status == 200)
        #expect(stack.mails().isEmpty)

        try stack.startSMTP()
        let mail = try stack.waitForMail(to: "admin@acme.example", timeout: 30)
        let link = try #require(mail.verifyLink)
        let shown = try a.get(link)
        #expect(shown.matchCode == waiting.matchCode)
        #expect(try a.submit(shown, button: "Verify Identity").body.contains("You are signed in."))
        #expect(try a.authStatus() == 204)
        #expect(stack.mails().count == 1, "sent once, not once per try")
        let outbox = try stack.sql("SELECT state, tries > 1 FROM outbox")
        #expect(outbox == "sent|1", "state and whether it took more than one try: \(outbox)")
    }

    @Test(arguments: [Stack.Options.Mail.maildir, .sendmail])
    func otherMailTransportsDeliverAWorkingLink(_ transport: Stack.Options.Mail) throws {
        let stack = try Stack(.init(mail: transport))
        defer { stack.stop() }
        let a = Browser(stack)
        #expect(try a.pressNext("admin@acme.example").status == 303)
        let mail = try stack.waitForMail(to: "admin@acme.example")
        #expect(mail.header("From") == "Acme sign-in <signin@acme.example>")
        #expect(mail.subject == "Sign in to Acme")
        let link = try #require(mail.verifyLink)
        #expect(link.hasPrefix(stack.url("acme", "/_konfident/verify/")))
        #expect(try a.submit(try a.get(link), button: "Verify Identity").body.contains("You are signed in."))
        #expect(try a.authStatus() == 204)
        // Nothing went to the SMTP sink.
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: stack.mailbox + "/new")) ?? []).isEmpty)
    }

    @Test func signOutEndsTheSessionForGood() throws {
        let stack = try Stack()
        defer { stack.stop() }
        let a = Browser(stack)
        try stack.signIn(a)
        let home = try a.get("/")
        #expect(home.body.contains("Signed in as admin@acme.example"))
        let session = try #require(a.cookie("__Host-konfident-session"))
        let replay = ["Cookie: __Host-konfident-session=\(session)"]
        let thief = Browser(stack)
        #expect(try thief.get("/_konfident/auth", headers: replay).status == 204, "the copied cookie works before sign-out")

        let out = try a.submit(home, button: "Sign out")
        #expect(out.status == 303)
        #expect(out.header("Location") == "/")
        let deletion = try #require(Browser.setCookie(out, "__Host-konfident-session"))
        #expect(deletion.contains("Max-Age=0"))
        let login = try a.follow(out)
        #expect(login.body.contains("Log in to Acme"))
        #expect(!login.body.contains("Signed in as"))
        #expect(try a.authStatus() == 401)
        #expect(try a.get("/files/").status == 302)

        // The old cookie, replayed, is refused.
        #expect(try thief.get("/_konfident/auth", headers: replay).status == 401)
        let replayed = try thief.get("/", headers: replay)
        #expect(replayed.body.contains("Log in to Acme"))
        #expect(!replayed.body.contains("Signed in as"))
    }

    @Test func anIdleSessionExpires() throws {
        let stack = try Stack(.init(sessionIdle: "3s"))
        defer { stack.stop() }
        let a = Browser(stack)
        try stack.signIn(a)
        #expect(try a.authStatus() == 204)
        sleep(4)
        #expect(try a.authStatus() == 401)
        let home = try a.get("/")
        #expect(home.status == 200)
        #expect(home.body.contains("Log in to Acme"))
        #expect(!home.body.contains("Signed in as"))
    }

    @Test func aBankIDMemberWhoTypesTheirEmailIsToldToUseBankID() throws {
        let stack = try Stack()
        defer { stack.stop() }
        try stack.run(["member", "add", "acme", "--method", "bankid", "--role", "general",
                       "--email", "bo@acme.example", "--personnummer", "199908072391"])
        let bo = Browser(stack), admin = Browser(stack)
        let boNext = try bo.pressNext("bo@acme.example")
        let adminNext = try admin.pressNext("admin@acme.example")
        #expect(boNext.status == 303)
        #expect(boNext.header("Location") == adminNext.header("Location"))
        let boWait = try bo.follow(boNext)
        let adminWait = try admin.follow(adminNext)
        #expect(boWait.status == 200)
        #expect(boWait.normalized == adminWait.normalized)

        let mail = try stack.waitForMail(to: "bo@acme.example")
        #expect(mail.subject.contains("BankID"))
        #expect(mail.text.contains("BankID"))
        #expect(mail.text.contains("Log in with BankID"))
        #expect(mail.verifyLink == nil)
        #expect(!mail.raw.contains("/_konfident/verify/"))
        #expect(mail.links == [stack.url("acme", "/")])
        _ = try stack.waitForMail(to: "admin@acme.example")
        sleep(1)
        #expect(stack.mails().filter { $0.to.contains("bo@acme.example") }.count == 1)
        #expect(try bo.get("/_konfident/wait").status == 200)
        #expect(try bo.authStatus() == 401)
    }

    /// Over an SMS limit a 2FA member's Next looks like anybody's (a 429 would tell that the address
    /// is a 2FA member's); no SMS goes out, and the member's mail says to try again later.
    @Test func overTheSMSLimitA2FAMemberGetsAMailInsteadOfA429() throws {
        let stack = try Stack(.init(rateLimits: "smscountry=1/h"))
        defer { stack.stop() }
        try stack.run(["member", "add", "acme", "--method", "2fa", "--role", "general",
                       "--email", "bo@acme.example", "--phone", "+46 (0)70-123 45 67"])
        try stack.run(["member", "add", "acme", "--method", "2fa", "--role", "general",
                       "--email", "cilla@acme.example", "--phone", "+46707654321"])
        #expect(try Browser(stack).pressNext("bo@acme.example").status == 303)
        _ = try stack.waitForSMS(to: "+46701234567")

        let cilla = Browser(stack), stranger = Browser(stack)
        let cillaNext = try cilla.pressNext("cilla@acme.example")
        let strangerNext = try stranger.pressNext("nobody@acme.example")
        #expect(cillaNext.status == 303)
        #expect(cillaNext.header("Location") == strangerNext.header("Location"))
        #expect(try cilla.follow(cillaNext).normalized == (try stranger.follow(strangerNext)).normalized)

        let mail = try stack.waitForMail(to: "cilla@acme.example")
        #expect(mail.subject == "Sign in to Acme: try again later")
        #expect(mail.text.contains("too many text messages have been sent lately"))
        #expect(mail.verifyLink == nil)
        #expect(mail.links == [stack.url("acme", "/")])
        sleep(1)
        #expect(stack.smsMessages().count == 1)
        #expect(stack.smsMessages().allSatisfy { $0.to == "+46701234567" })
        #expect(try cilla.get("/_konfident/wait").status == 200)
        #expect(try cilla.authStatus() == 401)
    }

    @Test func swedishBrowserGetsASwedishMailAndPages() throws {
        let stack = try Stack()
        defer { stack.stop() }
        let a = Browser(stack, language: "sv")
        let next = try a.pressNext("admin@acme.example", button: "Nästa")
        #expect(next.status == 303)
        let waiting = try a.follow(next)
        #expect(waiting.body.contains("<html lang=\"sv\">"))
        #expect(waiting.body.contains("Kolla din inkorg"))

        let mail = try stack.waitForMail(to: "admin@acme.example")
        #expect(mail.subject == "Logga in på Acme")
        #expect(mail.text.contains("Hej,"))
        #expect(mail.text.contains("Bekräfta identitet"))
        #expect(mail.html.contains("lang=\"sv\""))
        let link = try #require(mail.verifyLink)
        let shown = try a.get(link)
        #expect(shown.body.contains("<html lang=\"sv\">"))
        #expect(shown.body.contains("Bekräfta din identitet"))
        #expect(shown.hasButton("Bekräfta identitet"))
        let completed = try a.submit(shown, button: "Bekräfta identitet")
        #expect(completed.body.contains("Verifieringen är klar"))
        #expect(completed.body.contains("Du är inloggad."))
        #expect(try a.get("/").body.contains("Inloggad som admin@acme.example"))
    }
}
