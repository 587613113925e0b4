import BankID
import FastCGI
import Foundation
import KonfidentCore
import KonfidentStore
@testable import KonfidentWeb
import Synchronization
import Testing
import TestSupport

/// The simulator's order book in the same process, on the test's clock, counting the calls.
final class InProcessRelyingParty: RelyingParty, @unchecked Sendable {
    struct Book {
        var orders = SimulatedOrders()
        var random = SplitMix64(seed: 0xB0B)
        var collects = 0
        var cancels = 0
        var auths: [AuthRequest] = []
        var transportFailure: RPTransportError?
        /// What every collect throws while it is set (the service unreachable or in maintenance).
        var collectFailure: (any Error & Sendable)?
    }
    let book = Mutex(Book())
    let clock: TestClock

    init(clock: TestClock) { self.clock = clock }

    var now: Date { Date(timeIntervalSince1970: TimeInterval(clock.now())) }

    func auth(_ request: AuthRequest) throws -> AuthResponse {
        try book.withLock { book in
            if let failure = book.transportFailure { throw failure }
            book.auths.append(request)
            return try book.orders.auth(request, now: now, random: &book.random).get()
        }
    }

    func collect(orderRef: String) throws -> CollectResponse {
        try book.withLock { book in
            book.collects += 1
            if let failure = book.collectFailure { throw failure }
            return try book.orders.collect(orderRef: orderRef, now: now).get()
        }
    }

    func cancel(orderRef: String) throws {
        try book.withLock { book in
            book.cancels += 1
            _ = try book.orders.cancel(orderRef: orderRef, now: now).get()
        }
    }

    /// The phone: scans the QR payload and approves as `personnummer`.
    func scanAndApprove(_ payload: String, as personnummer: String) throws {
        try book.withLock { book in
            let orderRef = try book.orders.openByQR(payload, now: now).get()
            _ = try book.orders.approve(orderRef: orderRef, personalNumber: personnummer, now: now).get()
        }
    }

    func lastOrderRef() -> String? {
        book.withLock { book in book.orders.orders.values.max { $0.created < $1.created }?.orderRef }
    }

    func cancelByUser() throws {
        guard let orderRef = lastOrderRef() else { return }
        try book.withLock { book in _ = try book.orders.cancelByUser(orderRef: orderRef, now: now).get() }
    }

    var collects: Int { book.withLock { $0.collects } }
    var cancels: Int { book.withLock { $0.cancels } }
    var auths: [AuthRequest] { book.withLock { $0.auths } }
}

/// An app with BankID configured against the in-process relying party.
func bankIDApp(simulatorApp: String? = nil) throws -> (TestApp, InProcessRelyingParty) {
    let clock = TestClock()
    let party = InProcessRelyingParty(clock: clock)
    var settings = Settings()
    settings.bankID = BankIDSettings(service: party, simulatorApp: simulatorApp)
    let app = try TestApp(settings: settings, clock: clock)
    return (app, party)
}

extension Reply {
    /// The QR payload of the inline SVG, decoded back from its modules is what the end-to-end test
    /// does with zbarimg; here the page's own payload is recomputed from the sealed secrets instead.
    var qrSVG: String? {
        guard let start = text.range(of: "<svg"), let end = text.range(of: "</svg>", range: start.upperBound..<text.endIndex) else { return nil }
        return String(text[start.lowerBound..<end.upperBound])
    }

    /// `href` of the link with this text.
    func link(_ label: String) -> String? {
        guard let labelRange = text.range(of: ">\(label)</a>") else { return nil }
        guard let hrefRange = text.range(of: "href=\"", options: .backwards, range: text.startIndex..<labelRange.lowerBound) else { return nil }
        let tail = text[hrefRange.upperBound...]
        return tail.firstIndex(of: "\"").map { String(tail[..<$0]) }
    }
}

@Suite struct BankIDPageTests {
    static let member = "199908072391"
    static let stranger = "201801012392"

    /// The payload the page's QR code shows now, from the order's sealed secrets and the browser's cookie.
    func payload(_ app: TestApp, _ client: Client) throws -> String {
        let secret = try #require(client.cookies[Cookie.name(.bankID, in: app.workspace)])
        let found = try app.store.bankIDOrder(browserHash: Secret.hash(secret), workspaceID: app.workspace.id)
        let stored = try #require(found)
        let sealed = try #require(stored.sealed)
        let secrets = try #require(BankIDOrderSecrets(sealed: sealed, app.key, browserSecret: secret))
        return AnimatedQR.payload(startToken: secrets.qrStartToken, startSecret: secrets.qrStartSecret,
                                  seconds: stored.order.qrSeconds(at: app.clock.now()))
    }

    func addBankIDMember(_ app: TestApp, _ personnummer: String, state: MemberState = .active) throws -> Member {
        try app.store.addMember(NewMember(email: nil, phone: nil,
                                          personnummer: Personnummer(parsing: personnummer, today: CivilDate(year: 2026, month: 1, day: 1)),
                                          method: .bankid, role: .general),
                                to: app.workspace, state: state, at: app.clock.now())
    }

    @Test func startPageHasTheOptionalPersonnummerField() throws {
        let (app, _) = try bankIDApp()
        let page = app.client().get("/_konfident/bankid")
        #expect(page.status == 200)
        #expect(page.text.contains("name=\"personnummer\""))
        #expect(!page.text.contains("required maxlength"))
        #expect(page.formActions == ["/_konfident/bankid"])
        #expect(page.text.range(of: #"<button[^>]*>Log in with BankID</button>"#, options: .regularExpression) != nil)
    }

    @Test func waitingScreenShowsQRAutostartStatusAndCancel() throws {
        let (app, party) = try bankIDApp()
        let client = app.client()
        client.get("/_konfident/bankid")
        let started = client.submit("/_konfident/bankid", [("personnummer", "")])
        #expect(started.status == 303)
        #expect(started.location == "/_konfident/bankid")
        #expect(party.auths.count == 1)
        #expect(party.auths.first?.requirement == nil)
        #expect(party.auths.first?.endUserIp == "192.0.2.10")
        let page = client.get("/_konfident/bankid")
        #expect(page.status == 200)
        #expect(page.text.contains("<meta http-equiv=\"refresh\" content=\"1\">"))
        #expect(page.text.contains("data-qr=\"/_konfident/bankid/qr\""))
        #expect(page.text.contains("data-status=\"/_konfident/bankid/status\""))
        #expect(page.text.contains("data-next=\"/_konfident/bankid\""))
        #expect(page.qrSVG != nil)
        let autostart = try #require(page.link("Open BankID on this device"))
        #expect(autostart.hasPrefix("bankid:///?autostarttoken="))
        #expect(autostart.hasSuffix("&amp;redirect=null"))
        #expect(page.text.contains("Start your BankID app."))  // RFA1
        #expect(page.text.range(of: #"<button[^>]*>Cancel</button>"#, options: .regularExpression) != nil)
        // The order's secrets are not in the database in the clear.
        let cookie = try #require(client.cookies[Cookie.name(.bankID, in: app.workspace)])
        let found = try app.store.bankIDOrder(browserHash: Secret.hash(cookie), workspaceID: app.workspace.id)
        let stored = try #require(found)
        #expect(stored.sealed?.isEmpty == false)
        let shown = try payload(app, client)
        #expect(shown.hasPrefix("bankid."))
    }

    @Test func phonesGetTheHTTPSAutostartLink() throws {
        let (app, _) = try bankIDApp()
        let client = app.client()
        client.userAgent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"
        client.get("/_konfident/bankid")
        client.submit("/_konfident/bankid")
        let page = client.get("/_konfident/bankid")
        #expect(page.link("Open BankID on this device")?.hasPrefix("https://app.bankid.com/?autostarttoken=") == true)
    }

    @Test func qrCodeMovesOnEverySecond() throws {
        let (app, _) = try bankIDApp()
        let client = app.client()
        client.get("/_konfident/bankid")
        client.submit("/_konfident/bankid")
        let first = client.get("/_konfident/bankid/qr")
        #expect(first.status == 200)
        #expect(first.header("Content-Type") == "image/svg+xml")
        #expect(first.text.hasPrefix("<svg"))
        let again = client.get("/_konfident/bankid/qr")
        #expect(again.text == first.text)
        app.clock.advance(by: 1)
        let later = client.get("/_konfident/bankid/qr")
        #expect(later.text != first.text)
        // Another browser has no order: no code.
        #expect(app.client().get("/_konfident/bankid/qr").status == 404)
    }

    @Test func memberIsSignedInByTheirPersonnummer() throws {
        let (app, party) = try bankIDApp()
        let member = try addBankIDMember(app, Self.member)
        let client = app.client()
        client.get("/_konfident/bankid")
        client.submit("/_konfident/bankid")
        try party.scanAndApprove(try payload(app, client), as: Self.member)
        let status = client.get("/_konfident/bankid/status")
        #expect(status.header("Content-Type") == "application/json")
        #expect(status.text == #"{"state":"complete","message":""}"#)
        let done = client.get("/_konfident/bankid")
        #expect(done.status == 303)
        #expect(done.location == "/")
        #expect(client.isSignedIn)
        let home = client.get("/")
        #expect(home.text.contains(member.displayName))
        #expect(client.cookies[Cookie.name(.bankID, in: app.workspace)] == nil)
        // The order is used: reloading does not sign in again or fail.
        #expect(client.get("/_konfident/bankid").status == 200)
    }

    @Test func invitedByPersonnummerBecomesActiveAtFirstSignIn() throws {
        let (app, party) = try bankIDApp()
        let invited = try addBankIDMember(app, Self.member, state: .invited)
        let client = app.client()
        client.get("/_konfident/bankid")
        client.submit("/_konfident/bankid", [("personnummer", "19990807-2391")])
        #expect(party.auths.last?.requirement?.personalNumber == Self.member)
        try party.scanAndApprove(try payload(app, client), as: Self.member)
        client.get("/_konfident/bankid")
        #expect(client.isSignedIn)
        #expect(try app.store.member(id: invited.id)?.state == .active)
    }

    @Test func nonMemberGetsNoAccess() throws {
        let (app, party) = try bankIDApp()
        _ = try addBankIDMember(app, Self.member)
        let client = app.client()
        client.get("/_konfident/bankid")
        client.submit("/_konfident/bankid")
        try party.scanAndApprove(try payload(app, client), as: Self.stranger)
        let page = client.get("/_konfident/bankid")
        #expect(page.status == 403)
        #expect(page.text.contains("no access to this workspace"))
        #expect(page.text.contains("20180101-****"))
        #expect(!page.text.contains(Self.stranger))
        #expect(!client.isSignedIn)
    }

    @Test func collectRunsOncePerIntervalWhateverThePolls() throws {
        let (app, party) = try bankIDApp()
        let client = app.client()
        client.get("/_konfident/bankid")
        client.submit("/_konfident/bankid")
        let other = app.client()
        other.cookies = client.cookies  // a second tab of the same browser
        for _ in 0..<5 {
            client.get("/_konfident/bankid/status")
            other.get("/_konfident/bankid/status")
            client.get("/_konfident/bankid")
        }
        #expect(party.collects == 1)
        app.clock.advance(by: 2)
        client.get("/_konfident/bankid/status")
        #expect(party.collects == 1)
        app.clock.advance(by: 1)
        client.get("/_konfident/bankid/status")
        other.get("/_konfident/bankid/status")
        #expect(party.collects == 2)
    }

    @Test func userCancelInTheAppOffersToTryAgain() throws {
        let (app, party) = try bankIDApp()
        let client = app.client()
        client.get("/_konfident/bankid")
        client.submit("/_konfident/bankid")
        try party.cancelByUser()
        let status = client.get("/_konfident/bankid/status")
        #expect(status.text.contains(#""state":"failed""#))
        #expect(status.text.contains("Action cancelled."))  // RFA6
        let page = client.get("/_konfident/bankid")
        #expect(page.status == 200)
        #expect(page.text.contains("Action cancelled."))
        #expect(page.text.range(of: #"<button[^>]*>Try again</button>"#, options: .regularExpression) != nil)
        #expect(page.text.contains("<a href=\"/\">Back to the login page</a>"))
        let again = client.submit("/_konfident/bankid")
        #expect(again.location == "/_konfident/bankid")
        #expect(party.auths.count == 2)
    }

    @Test func cancelOnThePageCancelsTheOrderAtTheService() throws {
        let (app, party) = try bankIDApp()
        let client = app.client()
        client.get("/_konfident/bankid")
        client.submit("/_konfident/bankid")
        client.get("/_konfident/bankid")
        let cancelled = client.submit("/_konfident/bankid/cancel")
        #expect(cancelled.status == 303)
        #expect(cancelled.location == "/")
        #expect(party.cancels == 1)
        #expect(client.cookies[Cookie.name(.bankID, in: app.workspace)] == nil)
    }

    @Test func aNewStartCancelsTheOldOrder() throws {
        let (app, party) = try bankIDApp()
        let client = app.client()
        client.get("/_konfident/bankid")
        client.submit("/_konfident/bankid")
        let first = try #require(party.lastOrderRef())
        client.get("/_konfident/bankid")
        client.submit("/_konfident/bankid/cancel")
        client.get("/_konfident/bankid")
        client.submit("/_konfident/bankid")
        client.get("/_konfident/bankid")
        client.submit("/_konfident/bankid")
        #expect(party.cancels == 2)
        let cancelled = party.book.withLock { $0.orders.orders[first]?.isPending }
        #expect(cancelled != true)
    }

    @Test func serviceInMaintenanceGivesAnErrorPage() throws {
        let (app, party) = try bankIDApp()
        party.book.withLock { $0.orders.injectError(.maintenance) }
        let client = app.client()
        client.get("/_konfident/bankid")
        let page = client.submit("/_konfident/bankid")
        #expect(page.status == 503)
        #expect(page.text.contains("Internal error. Please try again."))  // RFA5
        #expect(page.text.range(of: #"<button[^>]*>Try again</button>"#, options: .regularExpression) != nil)
    }

    @Test func asecondOrderForTheSamePersonIsRefusedAndEndsBoth() throws {
        let (app, _) = try bankIDApp()
        let first = app.client()
        first.get("/_konfident/bankid")
        first.submit("/_konfident/bankid", [("personnummer", Self.member)])
        let second = app.client()
        second.remoteAddress = "192.0.2.77"
        second.get("/_konfident/bankid")
        let refused = second.submit("/_konfident/bankid", [("personnummer", Self.member)])
        #expect(refused.status == 409)
        #expect(refused.text.contains("An identification or signing for this personal number is already started."))  // RFA4
        #expect(refused.hiddenField("personnummer") == Self.member)
        let status = first.get("/_konfident/bankid/status")
        #expect(status.text.contains(#""state":"failed""#))
        #expect(status.text.contains("Action cancelled. Please try again."))  // RFA3: the service cancelled it
    }

    @Test func unreachableServiceGivesAnErrorPage() throws {
        let (app, party) = try bankIDApp()
        party.book.withLock { $0.transportFailure = RPTransportError(kind: .connect, curlCode: 7, message: "refused") }
        let client = app.client()
        client.get("/_konfident/bankid")
        let page = client.submit("/_konfident/bankid")
        #expect(page.status == 503)
        #expect(page.text.contains("Internal error. Please try again."))
        #expect(!page.text.contains("refused"))
    }

    /// Starts an order in a new browser, approved by the member on the phone but not yet collected.
    func approvedOrder(_ app: TestApp, _ party: InProcessRelyingParty) throws -> Client {
        _ = try addBankIDMember(app, Self.member)
        let client = app.client()
        client.get("/_konfident/bankid")
        client.submit("/_konfident/bankid")
        try party.scanAndApprove(try payload(app, client), as: Self.member)
        return client
    }

    @Test(arguments: [RPTransportError.Kind.connect, .timeout, .other])
    func aCollectWithoutAnswerKeepsWaitingAndTheNextOneSignsIn(kind: RPTransportError.Kind) throws {
        let (app, party) = try bankIDApp()
        let client = try approvedOrder(app, party)
        party.book.withLock { $0.collectFailure = RPTransportError(kind: kind, curlCode: 7, message: "no route to host") }
        let blip = client.get("/_konfident/bankid/status")
        #expect(blip.text.hasPrefix(#"{"state":"pending""#))
        let page = client.get("/_konfident/bankid")
        #expect(page.status == 200)
        #expect(page.qrSVG != nil)
        #expect(!page.text.contains("no route to host"))
        #expect(party.collects == 1)
        party.book.withLock { $0.collectFailure = nil }
        app.clock.advance(by: BankIDOrder.collectInterval)
        let done = client.get("/_konfident/bankid")
        #expect(done.status == 303)
        #expect(client.isSignedIn)
    }

    @Test func maintenanceDuringACollectIsAskedAgain() throws {
        let (app, party) = try bankIDApp()
        let client = try approvedOrder(app, party)
        party.book.withLock { $0.orders.injectError(.maintenance) }
        #expect(client.get("/_konfident/bankid/status").text.hasPrefix(#"{"state":"pending""#))
        app.clock.advance(by: BankIDOrder.collectInterval)
        #expect(client.get("/_konfident/bankid/status").text == #"{"state":"complete","message":""}"#)
        #expect(client.get("/_konfident/bankid").status == 303)
        #expect(client.isSignedIn)
        #expect(party.collects == 2)
    }

    @Test func anOutageEndsTheOrderWithItsMessageAfterTheLimit() throws {
        let (app, party) = try bankIDApp()
        let client = try approvedOrder(app, party)
        party.book.withLock { $0.collectFailure = RPTransportError(kind: .connect, curlCode: 7, message: "refused") }
        var waited: Int64 = 0
        while waited < BankIDOrder.unansweredLimit {
            #expect(client.get("/_konfident/bankid/status").text.hasPrefix(#"{"state":"pending""#))
            app.clock.advance(by: BankIDOrder.collectInterval)
            waited += BankIDOrder.collectInterval
        }
        let status = client.get("/_konfident/bankid/status")
        #expect(status.text == #"{"state":"failed","message":"Internal error. Please try again."}"#)  // RFA5
        #expect(party.collects == Int(waited / BankIDOrder.collectInterval) + 1)
        let page = client.get("/_konfident/bankid")
        #expect(page.status == 200)
        #expect(page.text.contains("Internal error. Please try again."))
        #expect(page.text.range(of: #"<button[^>]*>Try again</button>"#, options: .regularExpression) != nil)
        #expect(!page.text.contains("refused"))
        #expect(!client.isSignedIn)
        // The service is back: the ended order stays ended, Try again starts a new one.
        party.book.withLock { $0.collectFailure = nil }
        app.clock.advance(by: BankIDOrder.collectInterval)
        #expect(client.get("/_konfident/bankid").text.contains("Internal error. Please try again."))
        #expect(!client.isSignedIn)
    }

    @Test func aCertificateTheClientRefusesEndsTheOrderAtOnce() throws {
        let (app, party) = try bankIDApp()
        let client = try approvedOrder(app, party)
        party.book.withLock { $0.collectFailure = RPTransportError(kind: .tls, curlCode: 60, message: "unknown CA") }
        let status = client.get("/_konfident/bankid/status")
        #expect(status.text.hasPrefix(#"{"state":"failed""#))
        #expect(!status.text.contains("unknown CA"))
        #expect(party.collects == 1)
    }

    @Test func badPersonnummerIsRefusedWithTheForm() throws {
        let (app, party) = try bankIDApp()
        let client = app.client()
        client.get("/_konfident/bankid")
        for bad in ["199908072390", "1999-08-07", "<script>", String(repeating: "9", count: 500)] {
            let page = client.submit("/_konfident/bankid", [("personnummer", bad)])
            #expect(page.status == 400)
            #expect(page.text.contains("That is not a valid personnummer."))
            #expect(!page.text.contains("<script>"))
        }
        #expect(party.auths.isEmpty)
    }

    @Test func startNeedsTheCSRFToken() throws {
        let (app, party) = try bankIDApp()
        let client = app.client()
        client.get("/_konfident/bankid")
        #expect(client.post("/_konfident/bankid", [("personnummer", "")]).status == 403)
        #expect(party.auths.isEmpty)
    }

    @Test func swedishTexts() throws {
        let (app, _) = try bankIDApp()
        let client = app.client(language: "sv")
        client.get("/_konfident/bankid")
        client.submit("/_konfident/bankid")
        let page = client.get("/_konfident/bankid")
        #expect(page.text.contains("<html lang=\"sv\">"))
        #expect(page.text.contains("Starta BankID-appen."))
        #expect(page.text.contains("Öppna BankID på den här enheten"))
        #expect(page.text.contains(">Avbryt</button>"))
    }

    @Test func simulatorModeLinksToTheSimulatedApp() throws {
        let (app, _) = try bankIDApp(simulatorApp: "https://localhost:8445/app")
        let client = app.client()
        #expect(client.get("/").link("Open the simulated BankID app") == "https://localhost:8445/app")
        client.get("/_konfident/bankid")
        client.submit("/_konfident/bankid")
        #expect(client.get("/_konfident/bankid").link("Open the simulated BankID app") == "https://localhost:8445/app")
    }

    @Test func withoutBankIDThePagesSaySo() throws {
        let app = try TestApp()
        let client = app.client()
        #expect(client.get("/_konfident/bankid").status == 503)
        #expect(client.get("/_konfident/bankid/status").status == 503)
        #expect(client.get("/_konfident/bankid/qr").status == 503)
    }

    @Test func statusMessageIsEscapedJSON() {
        #expect(Application.jsonEscaped("a\"b\\c</script>\n’") == #"a\"b\\c\u003c/script>\u000a’"#)
    }
}

@Suite struct BankIDInvitationTests {
    @Test func emailInvitationNeedsBankIDWithThePersonnummerBeforeFinish() throws {
        let (app, party) = try bankIDApp()
        let (member, invitation) = try app.store.invite(
            InvitationRequest(workspace: app.workspace,
                              member: NewMember(email: EmailAddress(parsing: "gus@example.com"), phone: nil, personnummer: nil,
                                                method: .bankid, role: .general),
                              invitedBy: nil, matchCode: MatchCode(randomBytes: [1, 2, 3]), nonce: [9, 9],
                              language: .en, ip: nil, lifetime: 86_400),
            at: app.clock.now()) { id, channel in
                Secret.hash(app.key.linkToken(purpose: .invitation, id: id, nonce: [9, 9], channel: channel))
            }
        let stored = try #require(invitation)
        #expect(stored.invitation.requiresBankID)
        let token = app.key.linkToken(purpose: .invitation, id: stored.id, nonce: [9, 9], channel: .email)
        let client = app.client()
        client.get("/_konfident/invitation/" + token)
        let accepted = client.submit("/_konfident/invitation/" + token)
        #expect(accepted.location == "/_konfident/welcome")
        let welcome = client.get("/_konfident/welcome")
        #expect(welcome.text.contains("Identify yourself with BankID"))
        #expect(welcome.text.contains("name=\"personnummer\""))
        #expect(!welcome.text.contains(">Finish</button>"))
        // Finish is refused before the BankID proof.
        #expect(client.submit("/_konfident/welcome").location == "/_konfident/welcome")
        #expect(!client.isSignedIn)

        let bad = client.submit("/_konfident/welcome/bankid", [("personnummer", "12345")])
        #expect(bad.status == 400)
        let started = client.submit("/_konfident/welcome/bankid", [("personnummer", "199908072391")])
        #expect(started.location == "/_konfident/bankid")
        #expect(party.auths.last?.requirement?.personalNumber == "199908072391")
        let waiting = client.get("/_konfident/bankid")
        #expect(waiting.text.contains("Identify yourself with BankID"))
        // Cancelled in the app: Try again, and the way back is the invitation, not a login page.
        try party.cancelByUser()
        app.clock.advance(by: BankIDOrder.collectInterval)
        let cancelled = client.get("/_konfident/bankid")
        #expect(cancelled.text.contains("Action cancelled."))
        #expect(cancelled.text.contains("<a href=\"/_konfident/welcome\">Back to the invitation</a>"))
        #expect(!cancelled.text.contains("Back to the login page"))
        #expect(client.submit("/_konfident/welcome/bankid", [("personnummer", "199908072391")]).location == "/_konfident/bankid")
        try party.scanAndApprove(try BankIDPageTests().payload(app, client), as: "199908072391")
        app.clock.advance(by: BankIDOrder.collectInterval)  // the waiting page collected a moment ago
        let proven = client.get("/_konfident/bankid")
        #expect(proven.location == "/_konfident/welcome")
        let finish = client.get("/_konfident/welcome")
        #expect(finish.text.contains("You&#39;re all set"))
        #expect(finish.text.range(of: #"<button[^>]*>Finish</button>"#, options: .regularExpression) != nil)
        let done = client.submit("/_konfident/welcome")
        #expect(done.location == "/")
        #expect(client.isSignedIn)
        let reread = try app.store.member(id: member.id)
        let active = try #require(reread)
        #expect(active.state == .active)
        #expect(active.personnummer == "199908072391")
    }
}
