import BankID
import Foundation
import Testing

/// Sign-in with BankID end to end: browser (curl) → nginx → `konfident serve` → RP client over mutual
/// TLS → nginx (`ssl_verify_client on`) → `konfident bankid-simulator`, whose phone app page plays
/// the person with the BankID app. The QR code is read the way a phone reads it: the page's SVG is
/// rendered (rsvg-convert) and decoded (zbarimg).
@Suite(.serialized)
struct BankIDSignInTests {
    static let member = "199908072391"
    static let stranger = "201801012392"

    /// The simulator and the product's stack configured with `KONFIDENT_BANKID=simulator`.
    func stacks(foreignCA: Bool = false) throws -> (Stack, BankIDSimulatorStack) {
        let simulator = try BankIDSimulatorStack()
        do {
            return (try Stack(.init(bankID: simulator, bankIDForeignCA: foreignCA)), simulator)
        } catch {
            simulator.stop()
            throw error
        }
    }

    /// Login page → "Log in with BankID" → the start form → its button: the waiting screen.
    func startBankID(_ browser: Browser, personnummer: String = "") throws -> Browser.Page {
        let login = try browser.get("/")
        let start = try browser.submitGet(login, button: "Log in with BankID")
        #expect(start.status == 200)
        #expect(start.body.contains("name=\"personnummer\""))
        return try browser.submit(start, button: "Log in with BankID", [("personnummer", personnummer)])
    }

    @Test func invitedByPersonnummerSignsInWithTheAnimatedQRCode() throws {
        let (stack, simulator) = try stacks()
        defer { stack.stop(); simulator.stop() }

        // The administrator invites 199908072391 without email: no message goes out.
        let admin = Browser(stack)
        try stack.signIn(admin)
        let members = try admin.get("/_konfident/members")
        let invited = try admin.submit(members, button: "Invite", [("method", "bankid"), ("email", ""), ("phone", ""),
                                                                   ("personnummer", "19990807-2391"), ("role", "general")])
        #expect(invited.status == 303)
        #expect(try admin.follow(invited).shows("becomes active at their first BankID sign-in"))

        // A fresh browser: BankID.
        let person = Browser(stack)
        let started = try startBankID(person)
        #expect(started.status == 303)
        let waiting = try person.follow(started)
        #expect(waiting.status == 200)
        #expect(waiting.body.contains("<meta http-equiv=\"refresh\" content=\"1\">"))
        #expect(waiting.hasButton("Cancel"))
        #expect(waiting.shows("Start your BankID app."))
        let autostart = try #require(waiting.link("Open BankID on this device"))
        #expect(autostart.hasPrefix("bankid:///?autostarttoken="))
        #expect(waiting.link("Open the simulated BankID app") == "https://localhost:\(simulator.appPort)/app")

        // The QR code, read as a phone reads it.
        let order = try #require(try simulator.orders().first)
        let payload = try Self.decodeQR(waiting.body, in: stack.directory)
        let parts = payload.split(separator: ".").map(String.init)
        #expect(parts.count == 4)
        #expect(parts[0] == "bankid")
        #expect(parts[1] == order.qrStartToken)
        #expect(parts[3].count == 64 && parts[3].allSatisfy(\.isHexDigit))
        // A second later the code has moved on (the QR endpoint that qr.js reads, then the page itself).
        sleep(1)
        let next = try person.get("/_konfident/bankid/qr")
        #expect(next.header("Content-Type") == "image/svg+xml")
        let later = try Self.decodeQR(next.body, in: stack.directory)
        #expect(later != payload)
        #expect(later.hasPrefix("bankid.\(order.qrStartToken)."))
        #expect(Int(later.split(separator: ".")[2])! > Int(parts[2])!)

        // The phone scans the newest code; the simulator checks its HMAC (a code with another HMAC is
        // refused) and the person approves.
        let forged = String(later.dropLast()) + (later.last == "0" ? "1" : "0")
        #expect(try simulator.curl("/app/open-qr", form: [("qr", forged), ("personalNumber", Self.member)]).status != 200)
        let opened = try simulator.curl("/app/open-qr", form: [("qr", later), ("personalNumber", Self.member)])
        #expect(opened.status == 200, "\(opened.body)")
        let signedIn = try Self.waitForOutcome(person)
        #expect(signedIn.status == 303)
        #expect(signedIn.header("Location") == "/")
        let home = try person.follow(signedIn)
        #expect(home.shows("19990807-****"))
        #expect(home.hasButton("Sign out"))
        #expect(try person.authStatus() == 204)
        // Named as the pages name a member without email; told apart by the member's number.
        let auth = try person.get("/_konfident/auth")
        #expect(auth.header("X-Konfident-Member") == "19990807-****")
        #expect(auth.header("X-Konfident-Member-ID") == (try stack.sql("SELECT id FROM member WHERE personnummer = '\(Self.member)'")))
        #expect(try stack.sql("SELECT state FROM member WHERE personnummer = '\(Self.member)'") == "active")
        #expect(!stack.mails().contains { $0.text.contains("19990807") })

        // What the service saw: the exact Content-Type, our client certificate, the browser's address,
        // collects no more often than every two seconds.
        let recorded = try simulator.recordedAuthRequests()
        #expect(recorded.count == 1)
        #expect(recorded.first?.contentType == "application/json")
        #expect(recorded.first?.clientVerify == "SUCCESS")
        #expect(recorded.first?.request?.endUserIp == "127.0.0.1")
        #expect(recorded.first?.request?.requirement == nil)
        let collects = try simulator.recordedCalls().filter { $0.path.hasSuffix("/collect") }.map(\.time)
        for (earlier, later) in zip(collects, collects.dropFirst()) {
            #expect(later - earlier > 2.0, "collects at \(collects)")
        }
    }

    @Test func aValidIdentityThatIsNoMemberGetsNoAccess() throws {
        let (stack, simulator) = try stacks()
        defer { stack.stop(); simulator.stop() }
        let person = Browser(stack)
        _ = try person.follow(try startBankID(person))
        let order = try #require(try simulator.orders().first)
        let approved = try simulator.curl("/app/open-autostart", form: [("autostarttoken", order.autoStartToken),
                                                                         ("personalNumber", Self.stranger)])
        #expect(approved.status == 200, "\(approved.body)")
        let outcome = try Self.waitForOutcome(person)
        #expect(outcome.status == 403)
        #expect(outcome.shows("no access to this workspace"))
        #expect(outcome.shows("20180101-****"))
        #expect(try person.authStatus() == 401)
        #expect(!person.hasSessionCookie)
    }

    @Test func cancelInTheAppOffersToTryAgainAndCancelOnThePageEndsTheOrder() throws {
        let (stack, simulator) = try stacks()
        defer { stack.stop(); simulator.stop() }
        let person = Browser(stack)
        _ = try person.follow(try startBankID(person))
        let order = try #require(try simulator.orders().first)
        #expect(try simulator.curl("/app/cancel", form: [("orderRef", order.orderRef)]).status == 200)
        let cancelled = try Self.waitForOutcome(person)
        #expect(cancelled.status == 200)
        #expect(cancelled.shows("Action cancelled."))
        #expect(cancelled.hasButton("Try again"))

        // Try again: a new order, and Cancel on the page cancels it at the service.
        let again = try person.submit(cancelled, button: "Try again")
        #expect(again.status == 303)
        let waiting = try person.follow(again)
        #expect(waiting.hasButton("Cancel"))
        let second = try #require(try simulator.orders().first { $0.orderRef != order.orderRef })
        let back = try person.submit(waiting, button: "Cancel")
        #expect(back.status == 303)
        #expect(back.header("Location") == "/")
        #expect(try simulator.recordedCalls().contains { $0.path.hasSuffix("/cancel") && $0.status == 200 })
        #expect(try simulator.orders().contains { $0.orderRef == second.orderRef } == false)
        #expect(try person.follow(back).hasButton("Next"))
    }

    @Test func maintenanceGivesOurErrorPageNeverNginxs() throws {
        let (stack, simulator) = try stacks()
        defer { stack.stop(); simulator.stop() }
        #expect(try simulator.curl("/app/inject", form: [("errorCode", "maintenance")]).status == 200)
        let person = Browser(stack)
        let page = try startBankID(person)
        #expect(page.status == 503)
        #expect(page.body.contains("<html lang=\"en\">"))
        #expect(page.shows("Internal error. Please try again."))
        #expect(page.hasButton("Try again"))
        #expect(!page.body.contains("nginx"))
        // The service is back: Try again works.
        let again = try person.submit(page, button: "Try again")
        #expect(again.status == 303)
        #expect(try person.follow(again).hasButton("Cancel"))
    }

    @Test func aCollectDuringMaintenanceKeepsThePageWaitingAndTheSignInCompletes() throws {
        let (stack, simulator) = try stacks()
        defer { stack.stop(); simulator.stop() }
        try stack.run(["member", "add", "acme", "--method", "bankid", "--role", "general", "--personnummer", Self.member])
        let person = Browser(stack)
        let waiting = try person.follow(try startBankID(person))
        #expect(waiting.hasButton("Cancel"))
        // The next RP call, the collect due in two to three seconds, gets 503 maintenance.
        #expect(try simulator.curl("/app/inject", form: [("errorCode", "maintenance")]).status == 200)
        let order = try #require(try simulator.orders().first)
        #expect(try simulator.curl("/app/open-autostart", form: [("autostarttoken", order.autoStartToken),
                                                                   ("personalNumber", Self.member)]).status == 200)
        let signedIn = try Self.waitForOutcome(person)
        #expect(signedIn.status == 303)
        #expect(signedIn.header("Location") == "/")
        #expect(try person.follow(signedIn).shows("19990807-****"))
        let collects = try simulator.recordedCalls().filter { $0.path.hasSuffix("/collect") }.map(\.status)
        #expect(collects.contains(503), "collect answers \(collects)")
        #expect(collects.last == 200)
    }

    @Test func invitedByEmailProvesThePersonnummerThenFinishes() throws {
        let (stack, simulator) = try stacks()
        defer { stack.stop(); simulator.stop() }
        let admin = Browser(stack)
        try stack.signIn(admin)
        let members = try admin.get("/_konfident/members")
        let invited = try admin.submit(members, button: "Invite", [("method", "bankid"), ("email", "gus@acme.example"),
                                                                   ("phone", ""), ("personnummer", ""), ("role", "general")])
        #expect(invited.status == 303)
        let link = try #require(try stack.waitForMail(to: "gus@acme.example").invitationLink)

        let gus = Browser(stack)
        let invitation = try gus.get(link)
        #expect(invitation.hasButton("Accept invitation"))
        let welcome = try gus.follow(try gus.submit(invitation, button: "Accept invitation"))
        #expect(welcome.shows("Identify yourself with BankID"))
        #expect(!welcome.hasButton("Finish"))
        let started = try gus.submit(welcome, button: "Continue with BankID", [("personnummer", "19990807-2391")])
        #expect(started.status == 303)
        let waiting = try gus.follow(started)
        #expect(waiting.hasButton("Cancel"))

        // The service was asked for exactly that person.
        let recorded = try simulator.recordedAuthRequests()
        #expect(recorded.last?.request?.requirement?.personalNumber == Self.member)
        let order = try #require(try simulator.orders().first)
        #expect(order.requiredPersonalNumber == Self.member)
        let payload = try Self.decodeQR(waiting.body, in: stack.directory)
        #expect(try simulator.curl("/app/open-qr", form: [("qr", payload), ("personalNumber", Self.member)]).status == 200)

        let proven = try Self.waitForOutcome(gus)
        #expect(proven.status == 303)
        #expect(proven.header("Location") == "/_konfident/welcome")
        let finish = try gus.follow(proven)
        #expect(finish.shows("You're all set"))
        let done = try gus.submit(finish, button: "Finish")
        #expect(done.status == 303)
        #expect(try gus.authStatus() == 204)
        #expect(try gus.follow(done).shows("gus@acme.example"))
        #expect(try stack.sql("SELECT state || ' ' || personnummer FROM member WHERE email = 'gus@acme.example'")
                == "active \(Self.member)")
    }

    @Test func theClientRefusesAServiceWhoseCertificateIsFromAnotherCA() throws {
        let (stack, simulator) = try stacks(foreignCA: true)
        defer { stack.stop(); simulator.stop() }
        let person = Browser(stack)
        let page = try startBankID(person)
        #expect(page.status == 503)
        #expect(page.shows("Unknown error. Please try again."))  // RFA22: a fault on our side, not the user's
        #expect(try simulator.recordedAuthRequests().isEmpty)
        #expect(stack.log("serve.log").contains("BankID auth failed"))
    }

    // MARK: - Helpers

    /// Reloads `/_konfident/bankid` (as the page's one-second refresh does) until it leaves the waiting
    /// screen; returns that answer.
    static func waitForOutcome(_ browser: Browser, timeout: Double = 15) throws -> Browser.Page {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let page = try browser.get("/_konfident/bankid")
            if !(page.status == 200 && page.hasButton("Cancel")) { return page }
            usleep(500_000)
        }
        throw HarnessError("the BankID page kept waiting")
    }

    /// The text of the first QR code in `html` (an inline SVG or an SVG document): rendered to PNG
    /// by rsvg-convert, decoded by zbarimg.
    static func decodeQR(_ html: String, in directory: String) throws -> String {
        guard let start = html.range(of: "<svg"), let end = html.range(of: "</svg>", range: start.upperBound..<html.endIndex) else {
            throw HarnessError("no SVG in the page")
        }
        let name = directory + "/qr-\(UInt32.random(in: 0...UInt32.max))"
        try String(html[start.lowerBound..<end.upperBound]).write(toFile: name + ".svg", atomically: true, encoding: .utf8)
        let rendered = try Stack.capture("/usr/bin/rsvg-convert", ["--width", "480", "--height", "480",
                                                                  "--output", name + ".png", name + ".svg"])
        guard rendered.status == 0 else { throw HarnessError("rsvg-convert: \(rendered.error)") }
        let decoded = try Stack.capture("/usr/bin/zbarimg", ["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", name + ".png"])
        guard decoded.status == 0 else { throw HarnessError("zbarimg found no QR code: \(decoded.error)") }
        return decoded.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension BankIDSimulatorStack {
    /// The simulator's pending orders.
    func orders() throws -> [SimulatorResponder.OrderSummary] {
        try RPJSON.decode([SimulatorResponder.OrderSummary].self, from: try curl("/app/orders.json").body)
    }
}

extension Browser {
    /// Submits the GET form whose button reads `button` (the login page's "Log in with BankID").
    func submitGet(_ page: Page, button: String) throws -> Page {
        guard let action = page.formAction(button: button) else { throw HarnessError("no form with the button \(button)") }
        return try get(action)
    }
}
