import FastCGI
import Foundation
import KonfidentCore
import KonfidentStore
import Testing
@testable import KonfidentWeb

/// Routes of the members and invitation pages (DESIGN §1 screens 5, 6, 8).
@Suite struct MembersRouteTests {
    static let token = String(repeating: "A", count: 21) + "-_" + String(repeating: "z", count: 20)

    @Test func memberRoutesParse() {
        #expect(Self.token.count == 43)
        #expect(Route(path: "/_konfident/members") == .members)
        #expect(Route(path: "/_konfident/members/invite") == .invite)
        #expect(Route(path: "/_konfident/members/12/resend") == .member(id: 12, action: .resend))
        #expect(Route(path: "/_konfident/members/12/revoke") == .member(id: 12, action: .revoke))
        #expect(Route(path: "/_konfident/members/12/role") == .member(id: 12, action: .role))
        #expect(Route(path: "/_konfident/invitation/" + Self.token) == .invitation(token: Self.token))
        #expect(Route(path: "/_konfident/welcome") == .welcome)
        #expect(Route(path: "/_konfident/welcome/status") == .welcomeStatus)
    }

    @Test(arguments: [
        "/_konfident/members/x/revoke",
        "/_konfident/members/99999999999999999999/revoke",
        "/_konfident/members/1/delete",
        "/_konfident/members/-1/revoke",
        "/_konfident/members/+1/revoke",
        "/_konfident/members/1/revoke/",
        "/_konfident/members//revoke",
        "/_konfident/members/1",
        "/_konfident/members/",
        "/_konfident/members/invite/",
        "/_konfident/invitation/short",
        "/_konfident/invitation/" + String(repeating: "A", count: 44),
        "/_konfident/invitation/" + String(repeating: "A", count: 42) + "=",
        "/_konfident/welcome/",
        "/_konfident/welcome/statusx",
    ])
    func badPathsAreNotRoutes(_ path: String) {
        #expect(Route(path: path) == nil, "\(path)")
    }

    @Test func methodsOfEachRoute() {
        #expect(Route.members.methods == ["GET", "HEAD"])
        #expect(Route.welcomeStatus.methods == ["GET", "HEAD"])
        #expect(Route.invite.methods == ["POST"])
        #expect(Route.member(id: 12, action: .resend).methods == ["POST"])
        #expect(Route.member(id: 12, action: .revoke).methods == ["POST"])
        #expect(Route.member(id: 12, action: .role).methods == ["POST"])
        #expect(Route.invitation(token: Self.token).methods == ["GET", "HEAD", "POST"])
        #expect(Route.welcome.methods == ["GET", "HEAD", "POST"])
        #expect(Route.invitation(token: Self.token).isLinkPage)
        #expect(!Route.welcome.isLinkPage)
        #expect(!Route.members.isLinkPage)
    }
}

/// The members, invitation and welcome views rendered directly, in both languages.
@Suite struct MembersViewTests {
    static let paths = Paths(prefix: "")
    let app: TestApp
    let admin: Member
    let invited: Member
    let twoFactor: Member
    let bankIDOnly: Member
    let revoked: Member

    init() throws {
        app = try TestApp()
        admin = try app.addMember("admin@example.se", role: .administrator)
        invited = try app.store.addMember(NewMember(email: try EmailAddress(parsing: "o'brien@example.se"), phone: nil,
                                                    personnummer: nil, method: .email, role: .limited),
                                          to: app.workspace, state: .invited, at: app.clock.now())
        twoFactor = try app.addMember("tva@example.se", method: .twoFactor, role: .general, phone: "+46701234567")
        bankIDOnly = try app.store.addMember(
            NewMember(email: nil, phone: nil,
                      personnummer: try Personnummer(parsing: "19121212-1212", today: CivilDate(year: 2025, month: 6, day: 15)),
                      method: .bankid, role: .general),
            to: app.workspace, state: .invited, at: app.clock.now())
        revoked = try app.store.addMember(NewMember(email: try EmailAddress(parsing: "gone@example.se"), phone: nil,
                                                    personnummer: nil, method: .email, role: .general),
                                          to: app.workspace, state: .revoked, at: app.clock.now())
    }

    func members(_ language: Language) -> String {
        MembersView(members: [admin, invited, twoFactor, bankIDOnly, revoked], currentMemberID: admin.id,
                    paths: Self.paths, csrfToken: "tok", notice: nil, error: nil).content(language).text
    }

    /// The `<tr>` of a member, found by a string in it.
    static func row(containing needle: String, in html: String) -> String? {
        guard let hit = html.range(of: needle) else { return nil }
        guard let start = html[..<hit.lowerBound].range(of: "<tr>", options: .backwards),
              let end = html[hit.upperBound...].range(of: "</tr>") else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }

    static func has(_ pattern: String, _ html: String) -> Bool {
        html.range(of: pattern, options: .regularExpression) != nil
    }

    @Test func inviteFormHasTheFixedFieldNamesAndOptions() throws {
        let html = members(.en)
        let formStart = try #require(html.range(of: "action=\"/_konfident/members/invite\""))
        let form = String(html[formStart.lowerBound...])
        #expect(form.contains("method=\"post\"") || html[..<formStart.lowerBound].hasSuffix("method=\"post\" "))
        #expect(form.contains("<input type=\"hidden\" name=\"csrf\" value=\"tok\">"))
        #expect(form.contains("<select id=\"invite-method\" name=\"method\">"))
        #expect(Self.has(#"<input [^>]*name="email"[^>]*type="email""#, form))
        #expect(Self.has(#"<input [^>]*name="phone"[^>]*type="tel""#, form))
        #expect(Self.has(#"<input [^>]*name="personnummer""#, form))
        #expect(form.contains("<select id=\"invite-role\" name=\"role\">"))
        for value in ["email", "2fa", "bankid", "administrator", "general", "limited"] {
            #expect(Self.has("<option value=\"\(value)\"[^>]*>", form), "option \(value)")
        }
        // The default draft: email method, general role.
        #expect(form.contains("<option value=\"email\" selected>"))
        #expect(form.contains("<option value=\"general\" selected>"))
        #expect(Self.has(#"<button[^>]*>Invite</button>"#, form))
        // Every label points at a field.
        for id in ["invite-method", "invite-email", "invite-phone", "invite-personnummer", "invite-role"] {
            #expect(form.contains("<label for=\"\(id)\">"), "label \(id)")
        }
    }

    @Test func rowsCarryTheRightActions() throws {
        let html = members(.en)
        let invitedRow = try #require(Self.row(containing: "o&#39;brien@example.se", in: html))
        #expect(invitedRow.contains("action=\"/_konfident/members/\(invited.id)/resend\""))
        #expect(Self.has(#"<button[^>]*>Re-send invitation</button>"#, invitedRow))
        #expect(Self.has(#"<button[^>]*>Revoke</button>"#, invitedRow))
        #expect(Self.has(#"<button[^>]*>Change role</button>"#, invitedRow))
        #expect(invitedRow.contains("action=\"/_konfident/members/\(invited.id)/revoke\""))
        #expect(invitedRow.contains("action=\"/_konfident/members/\(invited.id)/role\""))
        #expect(invitedRow.contains("<option value=\"limited\" selected>"))
        #expect(invitedRow.contains("name=\"csrf\" value=\"tok\""))

        // Active: no re-send.
        let activeRow = try #require(Self.row(containing: "tva@example.se", in: html))
        #expect(!activeRow.contains("Re-send invitation"))
        #expect(!activeRow.contains("/resend"))
        #expect(Self.has(#"<button[^>]*>Revoke</button>"#, activeRow))
        #expect(Self.has(#"<button[^>]*>Change role</button>"#, activeRow))

        // Invited by personnummer only: nothing to re-send (no email), masked personnummer shown.
        let bankIDRow = try #require(Self.row(containing: "19121212-****", in: html))
        #expect(!bankIDRow.contains("Re-send invitation"))
        #expect(!html.contains("191212121212"))
        #expect(Self.has(#"<button[^>]*>Revoke</button>"#, bankIDRow))

        // Revoked: no actions at all.
        let revokedRow = try #require(Self.row(containing: "gone@example.se", in: html))
        #expect(!revokedRow.contains("<button"))
        #expect(!revokedRow.contains("<form"))

        // The current member is marked.
        let adminRow = try #require(Self.row(containing: "admin@example.se", in: html))
        #expect(adminRow.contains("(you)"))
        #expect(html.components(separatedBy: "Re-send invitation").count - 1 == 1)
    }

    @Test func phoneIsMaskedAndValuesEscaped() {
        for language in [Language.en, .sv] {
            let html = members(language)
            #expect(!html.contains("+46701234567"))
            #expect(!html.contains("701234567"))
            #expect(!html.contains("1234567"))
            #expect(html.contains("+46 •••••••67"))
            #expect(html.contains("o&#39;brien@example.se"))
            #expect(!html.contains("o'brien"))
        }
    }

    @Test func aHostileEmailCannotInjectMarkup() throws {
        let odd = try app.store.addMember(NewMember(email: try EmailAddress(parsing: "a&b'c@example.se"),
                                                    phone: nil, personnummer: nil, method: .email, role: .general),
                                          to: app.workspace, state: .invited, at: app.clock.now())
        let html = MembersView(members: [admin, odd], currentMemberID: admin.id, paths: Self.paths, csrfToken: "tok")
            .content(.en).text
        #expect(html.contains(">a&amp;b&#39;c@example.se</td>"))
        #expect(!html.contains("a&b"))
        #expect(!html.contains("b'c"))
    }

    @Test func swedishMembersPageHasNoEnglish() {
        let sv = members(.sv)
        let en = members(.en)
        #expect(en.contains("<h1>Members</h1>"))
        #expect(en.contains("<h2 id=\"invite\">Invite a member</h2>"))
        #expect(sv.contains("<h1>Medlemmar</h1>"))
        #expect(sv.contains("<h2 id=\"invite\">Bjud in en medlem</h2>"))
        #expect(Self.has(#"<button[^>]*>Bjud in</button>"#, sv))
        #expect(Self.has(#"<button[^>]*>Skicka inbjudan igen</button>"#, sv))
        #expect(Self.has(#"<button[^>]*>Återkalla</button>"#, sv))
        for word in ["Members", "Invite", "Re-send invitation", "Revoke", "Change role", "Login method",
                     "Mobile number", "Role", "Administrator", "General", "Limited", "Invited", "Active",
                     "Email link", "Never", "(you)"] {
            #expect(!sv.contains(word), "Swedish members page says \"\(word)\"")
        }
        // The option values stay the fixed ones.
        #expect(sv.contains("<option value=\"2fa\""))
        #expect(sv.contains("<option value=\"administrator\""))
    }

    @Test func noticeAndErrorAreShown() {
        let html = MembersView(members: [admin], currentMemberID: admin.id, paths: Self.paths, csrfToken: "tok",
                               notice: .noticeInvited(name: "a'b@example.se"), error: .phoneMissingCountryCode)
            .content(.en).text
        #expect(html.contains("<p class=\"success\" role=\"status\">Invitation sent to a&#39;b@example.se.</p>"))
        #expect(html.contains("id=\"invite-error\">Add the country code"))
        #expect(html.contains("aria-describedby=\"invite-error\""))
    }

    // MARK: invitation and welcome

    func invitation(_ channel: LinkChannel, _ language: Language) -> String {
        InvitationView(channel: channel, workspaceName: "Acme & Co", inviter: "admin@example.se",
                       invitee: "o'brien@example.se", method: .twoFactor, matchCode: "42 llama",
                       action: "/_konfident/invitation/TOKEN", csrfToken: "tok", shownProof: "proof")
            .content(language).text
    }

    @Test func invitationEmailPageSaysWhoWhomHowAndAccepts() {
        let en = invitation(.email, .en)
        #expect(en.contains("<h1>Accept the invitation</h1>"))
        #expect(en.contains("admin@example.se invited you to Acme &amp; Co."))
        #expect(en.contains("<dd>o&#39;brien@example.se</dd>"))
        #expect(en.contains("<dd>Email + SMS (2FA)</dd>"))
        #expect(en.contains("<dd>Acme &amp; Co</dd>"))
        #expect(Self.has(#"<button[^>]*>Accept invitation</button>"#, en))
        #expect(en.contains("action=\"/_konfident/invitation/TOKEN\""))
        #expect(en.contains("method=\"post\""))
        #expect(en.contains("<input type=\"hidden\" name=\"csrf\" value=\"tok\">"))
        #expect(en.contains("<input type=\"hidden\" name=\"shown\" value=\"proof\">"))
        #expect(!en.contains("match-code"))

        let sv = invitation(.email, .sv)
        #expect(sv.contains("<h1>Acceptera inbjudan</h1>"))
        #expect(Self.has(#"<button[^>]*>Acceptera inbjudan</button>"#, sv))
        #expect(sv.contains("admin@example.se har bjudit in dig till Acme &amp; Co."))
        #expect(sv.contains("<dd>E-post + sms (2FA)</dd>"))
        for word in ["Accept invitation", "Accept the invitation", "invited you", "Workspace", "Login method"] {
            #expect(!sv.contains(word), "\(word)")
        }
    }

    @Test func invitationWithoutInviterNamesAnAdministrator() {
        let en = InvitationView(channel: .email, workspaceName: "Acme", inviter: nil, invitee: "x@example.se",
                                method: .email, matchCode: "42 llama", action: "/a", csrfToken: "t", shownProof: "p")
            .content(.en).text
        #expect(en.contains("An administrator invited you to Acme."))
        #expect(en.contains("<dd>Email link</dd>"))
    }

    @Test func invitationSMSPageShowsMatchCodeAndVerifyIdentity() {
        let en = invitation(.sms, .en)
        #expect(en.contains("<h1>Confirm your mobile number</h1>"))
        #expect(Self.has(#"<p class="match-code"[^>]*>42 llama</p>"#, en))
        #expect(Self.has(#"<button[^>]*>Verify Identity</button>"#, en))
        #expect(!en.contains("Accept invitation"))
        #expect(en.contains("name=\"shown\" value=\"proof\""))
        let sv = invitation(.sms, .sv)
        #expect(sv.contains("<h1>Bekräfta ditt mobilnummer</h1>"))
        #expect(Self.has(#"<button[^>]*>Bekräfta identitet</button>"#, sv))
        #expect(Self.has(#"class="match-code"[^>]*>42 llama<"#, sv))
        #expect(!sv.contains("Verify Identity"))
    }

    @Test func welcomePendingShowsStepsAndMatchCode() {
        let view = WelcomeView(workspaceName: "Acme", matchCode: "17 otter", required: [.email, .sms], missing: [.sms],
                               paths: Self.paths, csrfToken: "tok")
        let en = view.content(.en).text
        #expect(en.contains("<h1>One more step</h1>"))
        #expect(en.contains("<li data-step=\"email\""))
        #expect(en.contains("class=\"done\">Email link: confirmed</li>"))
        #expect(en.contains("<li data-step=\"sms\""))
        #expect(en.contains("class=\"pending\">SMS link: waiting</li>"))
        #expect(Self.has(#"<p class="match-code"[^>]*>17 otter</p>"#, en))
        #expect(!en.contains("Finish"))
        #expect(!en.contains("<form"))
        let sv = view.content(.sv).text
        #expect(sv.contains("<h1>Ett steg kvar</h1>"))
        #expect(sv.contains("class=\"match-code\""))
        for word in ["One more step", "Email link", "SMS link", "confirmed", ": waiting", "Waiting"] {
            #expect(!sv.contains(word), "\(word)")
        }
    }

    @Test func welcomeAcceptedShowsFinish() {
        let view = WelcomeView(workspaceName: "Acme", matchCode: "17 otter", required: [.email], missing: [],
                               paths: Self.paths, csrfToken: "tok")
        let en = view.content(.en).text
        #expect(en.contains("<h1>You&#39;re all set</h1>"))
        #expect(Self.has(#"<button[^>]*>Finish</button>"#, en))
        #expect(en.contains("action=\"/_konfident/welcome\""))
        #expect(en.contains("<input type=\"hidden\" name=\"csrf\" value=\"tok\">"))
        #expect(en.contains("Your membership in Acme is ready."))
        #expect(!en.contains("match-code"))
        // One proof: no step list.
        #expect(!en.contains("data-step"))
        let sv = view.content(.sv).text
        #expect(sv.contains("<h1>Allt är klart</h1>"))
        #expect(Self.has(#"<button[^>]*>Slutför</button>"#, sv))
        #expect(!sv.contains("Finish"))
        #expect(!sv.contains("all set"))

        let both = WelcomeView(workspaceName: "Acme", matchCode: "17 otter", required: [.email, .sms], missing: [],
                               paths: Self.paths, csrfToken: "tok").content(.en).text
        #expect(both.contains("data-step=\"sms\""))
        #expect(Self.has(#"<button[^>]*>Finish</button>"#, both))
    }
}

/// The members page through `Application.respond` (screen 8).
@Suite struct MembersPageFlowTests {
    let app: TestApp
    let admin: Member

    init() throws {
        app = try TestApp()
        admin = try app.addMember("admin@example.se", role: .administrator)
        try app.addMember("general@example.se", role: .general)
    }

    /// Signs a client in through the email link, in the same browser.
    func signedIn(_ email: String, language: String? = nil) throws -> Client {
        let client = app.client(language: language)
        client.get("/")
        #expect(client.submit("/_konfident/login", [("email", email)]).status == 303)
        let link = app.emailLinkPath(of: try #require(try app.attempt(of: client)))
        #expect(client.get(link).status == 200)
        client.submit(link)
        #expect(client.isSignedIn)
        return client
    }

    static func has(_ pattern: String, _ html: String) -> Bool {
        html.range(of: pattern, options: .regularExpression) != nil
    }

    @Test func administratorHomeLinksToMembers() throws {
        let client = try signedIn("admin@example.se")
        let home = client.get("/")
        #expect(home.status == 200)
        #expect(Self.has(#"<a [^>]*href="/_konfident/members"[^>]*>Members</a>"#, home.text))
        let page = client.get("/_konfident/members")
        #expect(page.status == 200)
        #expect(page.text.contains("<h1>Members</h1>"))
        #expect(page.text.contains("<html lang=\"en\">"))
        #expect(page.text.contains("admin@example.se"))
        #expect(page.text.contains("general@example.se"))
        #expect(page.csrf != nil)
    }

    @Test func generalMemberHasNoMembersLinkAndGets403() throws {
        let client = try signedIn("general@example.se")
        let home = client.get("/")
        #expect(home.status == 200)
        #expect(!home.text.contains("/_konfident/members"))
        #expect(!home.text.contains(">Members<"))
        let page = client.get("/_konfident/members")
        #expect(page.status == 403)
        #expect(!page.text.contains("admin@example.se"))
        // Signed in, the way back is the workspace, not a login page.
        #expect(page.text.contains("<a href=\"/\">Back to the workspace</a>"))
        #expect(!page.text.contains("Back to the login page"))
        // Nor may they invite.
        client.get("/")
        let before = try app.outboxCount()
        let invite = client.submit("/_konfident/members/invite", [("method", "email"), ("email", "new@example.se"),
                                                                  ("phone", ""), ("personnummer", ""), ("role", "administrator")])
        #expect(invite.status == 403)
        #expect(try app.store.members(of: app.workspace).count == 2)
        #expect(try app.outboxCount() == before)
    }

    @Test func signedOutMembersPageRedirectsToLogin() {
        let client = app.client()
        let page = client.get("/_konfident/members")
        #expect(page.status == 303)
        #expect(page.location == "/")
    }

    @Test func nationalPhoneNumberIsRefusedWithAHint() throws {
        let client = try signedIn("admin@example.se")
        #expect(client.get("/_konfident/members").status == 200)
        let before = try app.outboxCount()
        let reply = client.submit("/_konfident/members/invite", [("method", "2fa"), ("email", "ny@example.se"),
                                                                 ("phone", "0701234567"), ("personnummer", ""),
                                                                 ("role", "general")])
        #expect(reply.status == 400)
        #expect(reply.text.contains("Add the country code"))
        // What was typed is kept.
        #expect(reply.text.contains("value=\"ny@example.se\""))
        #expect(reply.text.contains("value=\"0701234567\""))
        #expect(reply.text.contains("<option value=\"2fa\" selected>"))
        #expect(try app.store.members(of: app.workspace).count == 2)
        #expect(try app.outboxCount() == before)
    }

    @Test func inviteRedirectsToANoticeNamedFromTheStore() throws {
        let client = try signedIn("admin@example.se")
        client.get("/_konfident/members")
        let before = try app.outboxCount()
        let reply = client.submit("/_konfident/members/invite", [("method", "email"), ("email", "o'neill@example.se"),
                                                                 ("phone", ""), ("personnummer", ""), ("role", "limited")])
        #expect(reply.status == 303)
        let invited = try #require(try app.store.members(of: app.workspace).first { $0.email == "o'neill@example.se" })
        #expect(invited.state == .invited)
        #expect(invited.role == .limited)
        #expect(reply.location == "/_konfident/members?notice=invited&member=\(invited.id)")
        #expect(try app.outboxCount() == before + 1)

        let page = client.get("/_konfident/members?notice=invited&member=\(invited.id)")
        #expect(page.status == 200)
        #expect(page.text.contains("Invitation sent to o&#39;neill@example.se."))
        let row = try #require(MembersViewTests.row(containing: "o&#39;neill@example.se</td>", in: page.text))
        #expect(Self.has(#"<button[^>]*>Re-send invitation</button>"#, row))

        // A name in the address is ignored; the store decides.
        let spoofed = client.get("/_konfident/members?notice=invited&member=\(invited.id)&name=Evil%20Corp%20wants%20your%20password")
        #expect(spoofed.status == 200)
        #expect(!spoofed.text.contains("Evil"))
        #expect(!spoofed.text.contains("password"))
        #expect(spoofed.text.contains("Invitation sent to o&#39;neill@example.se."))

        // No member, an unknown member, or a crafted one: no notice at all.
        for query in ["notice=invited&name=Evil", "notice=invited&member=999999", "notice=invited&member=abc",
                      "notice=invited&member=99999999999999999999"] {
            let page = client.get("/_konfident/members?" + query)
            #expect(page.status == 200, "\(query)")
            #expect(!page.text.contains("Invitation sent to"), "\(query)")
            #expect(!page.text.contains("Evil"), "\(query)")
        }
    }

    @Test func noticeForAMemberOfAnotherWorkspaceIsNotShown() throws {
        let other = try app.store.createWorkspace(slug: "other", name: "Other",
                                                  url: WorkspaceURL(parsing: "https://other.localhost:8443/"),
                                                  at: app.clock.now())
        let stranger = try app.addMember("stranger@example.se", to: other)
        let client = try signedIn("admin@example.se")
        let page = client.get("/_konfident/members?notice=invited&member=\(stranger.id)")
        #expect(page.status == 200)
        #expect(!page.text.contains("stranger@example.se"))
    }

    @Test func swedishMembersPage() throws {
        let client = try signedIn("admin@example.se", language: "sv")
        let home = client.get("/")
        #expect(Self.has(#"<a [^>]*href="/_konfident/members"[^>]*>Medlemmar</a>"#, home.text))
        let page = client.get("/_konfident/members")
        #expect(page.status == 200)
        #expect(page.text.contains("<html lang=\"sv\">"))
        #expect(page.text.contains("<h1>Medlemmar</h1>"))
        #expect(!page.text.contains("Re-send invitation"))
        #expect(!page.text.contains(">Invite<"))
    }

    @Test func invitedMemberAcceptsAndFinishesInTheSameBrowser() throws {
        let adminClient = try signedIn("admin@example.se")
        adminClient.get("/_konfident/members")
        let invite = adminClient.submit("/_konfident/members/invite", [("method", "email"), ("email", "berit@example.se"),
                                                                       ("phone", ""), ("personnummer", ""), ("role", "general")])
        #expect(invite.status == 303)
        let member = try #require(try app.store.members(of: app.workspace).first { $0.email == "berit@example.se" })
        // The first invitation of a fresh database.
        let stored = try #require(try app.store.invitation(id: 1))
        #expect(stored.memberID == member.id)
        #expect(stored.invitedBy == admin.id)
        let token = app.key.linkToken(purpose: .invitation, id: stored.id, nonce: stored.nonce, channel: .email)
        let link = "/_konfident/invitation/" + token

        let browser = app.client()
        let page = browser.get(link)
        #expect(page.status == 200)
        #expect(page.header("Referrer-Policy") == "no-referrer")
        #expect(page.text.contains("admin@example.se invited you to Acme."))
        #expect(page.text.contains("<dd>berit@example.se</dd>"))
        #expect(Self.has(#"<button[^>]*>Accept invitation</button>"#, page.text))
        // Showing changes nothing.
        #expect(try app.store.invitation(id: stored.id)?.invitation.state == .pending)

        let accepted = browser.submit(link)
        #expect(accepted.status == 303)
        #expect(accepted.location == "/_konfident/welcome")
        #expect(accepted.setCookie(.invitation) != nil)
        #expect(try app.store.invitation(id: stored.id)?.invitation.state == .accepted)

        let welcome = browser.get("/_konfident/welcome")
        #expect(welcome.status == 200)
        #expect(welcome.text.contains("You&#39;re all set"))
        #expect(Self.has(#"<button[^>]*>Finish</button>"#, welcome.text))
        #expect(!browser.isSignedIn)

        let finished = browser.submit("/_konfident/welcome")
        #expect(finished.status == 303)
        #expect(browser.isSignedIn)
        #expect(try app.store.member(id: member.id)?.state == .active)
        #expect(try app.store.invitation(id: stored.id)?.invitation.state == .completed)

        // The link is used now.
        let again = app.client().get(link)
        #expect(again.status == 410 || again.status == 404)
        #expect(!Self.has(#"<button[^>]*>Accept invitation</button>"#, again.text))
    }
}
