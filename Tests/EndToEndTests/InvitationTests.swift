import Foundation
import Testing

/// Invitations, the members page and 2FA (email + SMS links) through real nginx, an SMTP sink and
/// a fake 46elks SMS gateway that checks Basic auth (DESIGN §1 screens 5, 6, 8, the 2FA row, §3 SMS).
@Suite(.serialized)
struct InvitationTests {
    static let phone = "+46701234567"
    static let iPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1"

    @Test func anAdministratorInvitesByEmailAndTheInviteeSignsIn() throws {
        let stack = try Stack()
        defer { stack.stop() }
        let admin = try signedInAdministrator(stack)

        // Screen 8: the home page links to the members page, which lists the administrator.
        let home = try admin.get("/")
        let membersPath = try #require(home.link("Members"), "the administrator's home links to the members page")
        #expect(membersPath == "/_konfident/members")
        let members = try admin.get(membersPath)
        #expect(members.status == 200)
        #expect(members.body.contains("<table"))
        let adminRow = try #require(members.memberRow("admin@acme.example"))
        #expect(adminRow.contains("(you)"))
        #expect(members.cell(adminRow, "Role") == "Administrator")
        #expect(members.cell(adminRow, "State") == "Active")
        #expect(members.cell(adminRow, "Login method") == "Email link")
        #expect(members.hasButton("Invite"))

        // Invite eve by email.
        let invited = try admin.submit(members, button: "Invite",
                                       [("method", "email"), ("email", "eve@acme.example"), ("phone", ""),
                                        ("personnummer", ""), ("role", "general")])
        #expect(invited.status == 303)
        #expect(invited.header("Location")?.hasPrefix("/_konfident/members") == true, "Location: \(invited.header("Location") ?? "none")")
        let afterInvite = try admin.follow(invited)
        #expect(afterInvite.status == 200)
        #expect(afterInvite.shows("Invitation sent to eve@acme.example"))
        let invitedRow = try #require(afterInvite.memberRow("eve@acme.example"))
        #expect(afterInvite.cell(invitedRow, "State") == "Invited")
        #expect(afterInvite.cell(invitedRow, "Role") == "General")
        #expect(invitedRow.contains(">Re-send invitation</button>"))

        // Eve's mail.
        let mail = try stack.waitForMail(to: "eve@acme.example")
        #expect(mail.subject == "You are invited to Acme")
        #expect(mail.text.contains("admin@acme.example invited you"), "text: \(mail.text)")
        #expect(mail.links.count == 1, "links: \(mail.links)")
        let link = try #require(mail.invitationLink, "no invitation link in: \(mail.text)")
        #expect(link.hasPrefix(stack.url("acme", "/_konfident/invitation/")))
        #expect(mail.text.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .init(charactersIn: "\r")) }.contains(link),
                "the link is on a line of its own")
        #expect(mail.html.contains(link))

        // Screen 5: GET twice and HEAD consume nothing.
        let eve = Browser(stack)
        let first = try eve.get(link)
        #expect(first.status == 200)
        #expect(first.header("Referrer-Policy") == "no-referrer")
        #expect(first.shows("Accept the invitation"))
        #expect(first.shows("admin@acme.example invited you to Acme."))
        #expect(first.fact("Workspace") == "Acme")
        #expect(first.fact("Invited") == "eve@acme.example")
        #expect(first.fact("Login method") == "Email link")
        #expect(first.hasButton("Accept invitation"))
        let second = try eve.get(link)
        #expect(second.status == 200)
        #expect(second.hasButton("Accept invitation"))
        #expect(try eve.head(link).status == 200)
        #expect(try Browser(stack).get(link).status == 200, "a mail scanner's GET consumes nothing")
        let token = try #require(link.split(separator: "/").last)
        #expect(stack.accessLog.contains("\"HEAD /_konfident/invitation/[token] HTTP/"), "log: \(stack.accessLog)")
        #expect(!stack.accessLog.contains(token), "nginx logs no invitation token")
        #expect(try admin.get("/_konfident/members").memberRowCell("eve@acme.example", "State") == "Invited")
        #expect(try eve.authStatus() == 401)

        // Accept invitation → screen 6 → Finish.
        let accepted = try eve.submit(second, button: "Accept invitation")
        #expect(accepted.status == 303)
        #expect(accepted.header("Location") == "/_konfident/welcome")
        #expect(try eve.authStatus() == 401, "accepting alone does not sign in")
        let welcome = try eve.follow(accepted)
        #expect(welcome.status == 200)
        #expect(welcome.shows("You're all set"))
        #expect(welcome.hasButton("Finish"))
        let finished = try eve.submit(welcome, button: "Finish")
        #expect(finished.status == 303)
        #expect(finished.header("Location") == "/")
        #expect(Browser.setCookie(finished, "__Host-konfident-session") != nil)
        let eveHome = try eve.follow(finished)
        #expect(eveHome.shows("Signed in as eve@acme.example"))
        #expect(eveHome.link("Members") == nil, "a general member gets no members link")
        let auth = try eve.get("/_konfident/auth")
        #expect(auth.status == 204)
        #expect(auth.header("X-Konfident-Member") == "eve@acme.example")
        #expect(auth.header("X-Konfident-Role") == "general")

        // The administrator sees eve as active; the used link is gone.
        let listed = try admin.get("/_konfident/members")
        let eveRow = try #require(listed.memberRow("eve@acme.example"))
        #expect(listed.cell(eveRow, "State") == "Active")
        #expect(listed.cell(eveRow, "Last sign-in") != "Never")
        #expect(!eveRow.contains(">Re-send invitation</button>"))
        let used = try Browser(stack).get(link)
        #expect(used.status == 410)
        #expect(!used.hasButton("Accept invitation"))
        #expect(try eve.submit(second, button: "Accept invitation").status == 410)
        #expect(try eve.get(link).status == 410)

        // Inviting eve again is refused: she is a member already.
        let duplicate = try invite(admin, method: "email", email: "EVE@acme.example")
        #expect(duplicate.status == 409)
        #expect(duplicate.shows("There is already a member with that email address"))
        #expect(try stack.sql("SELECT COUNT(*) FROM invitation") == "1")

        // A general member cannot reach the members page, nor invite with a token of their own.
        let forbidden = try eve.get("/_konfident/members")
        #expect(forbidden.status == 403)
        #expect(!forbidden.hasButton("Invite"))
        let eveToken = try #require(eveHome.field("csrf"))
        let outboxBefore = try stack.sql("SELECT COUNT(*) FROM outbox")
        let sneaky = try eve.post("/_konfident/members/invite",
                                  [("csrf", eveToken), ("method", "email"), ("email", "mallory@acme.example"), ("phone", ""),
                                   ("personnummer", ""), ("role", "administrator")])
        #expect(sneaky.status == 403)
        #expect(try stack.sql("SELECT COUNT(*) FROM outbox") == outboxBefore, "nothing queued")
        #expect(try stack.sql("SELECT COUNT(*) FROM member WHERE email LIKE 'mallory%'") == "0")
        // A signed-out browser is sent to the login page.
        let stranger = Browser(stack)
        let redirected = try stranger.get("/_konfident/members")
        #expect(redirected.status == 303)
        #expect(redirected.header("Location") == "/")
        let strangerToken = try #require(try stranger.get("/").field("csrf"))
        let strangerInvite = try stranger.post("/_konfident/members/invite",
                                               [("csrf", strangerToken), ("method", "email"), ("email", "mallory@acme.example"),
                                                ("phone", ""), ("personnummer", ""), ("role", "general")])
        #expect(strangerInvite.status == 303)
        #expect(strangerInvite.header("Location") == "/")
        #expect(try stack.sql("SELECT COUNT(*) FROM member WHERE email LIKE 'mallory%'") == "0")

        // Change role: eve becomes limited.
        let roleForm = try #require(listed.memberAction("eve@acme.example", button: "Change role"))
        let changed = try admin.post(roleForm, [("csrf", try #require(listed.field("csrf"))), ("role", "limited")])
        #expect(changed.status == 303)
        let afterRole = try admin.follow(changed)
        #expect(afterRole.shows("The role was changed."))
        #expect(afterRole.memberRowCell("eve@acme.example", "Role") == "Limited")
        #expect(try eve.get("/_konfident/auth").header("X-Konfident-Role") == "limited")

        // The only administrator can neither revoke nor demote themself.
        let revokeSelf = try #require(afterRole.memberAction("admin@acme.example", button: "Revoke"))
        let refused = try admin.post(revokeSelf, [("csrf", try #require(afterRole.field("csrf")))])
        #expect(refused.status == 409)
        #expect(refused.shows("must keep at least one active administrator"))
        let demoteSelf = try #require(afterRole.memberAction("admin@acme.example", button: "Change role"))
        let demoteRefused = try admin.post(demoteSelf, [("csrf", try #require(afterRole.field("csrf"))), ("role", "general")])
        #expect(demoteRefused.status == 409)
        #expect(demoteRefused.shows("must keep at least one active administrator"))
        #expect(try admin.get("/_konfident/auth").header("X-Konfident-Role") == "administrator")
        #expect(try admin.get("/_konfident/members").memberRowCell("admin@acme.example", "State") == "Active")
    }

    @Test func twoFactorNeedsTheEmailAndTheSMSLink() throws {
        let stack = try Stack(.init(smsGateway: .init()))
        defer { stack.stop() }
        let admin = try signedInAdministrator(stack)
        let invited = try invite(admin, method: "2fa", email: "fred@acme.example", phone: "+46 70-123 45 67")
        #expect(invited.status == 303)
        let members = try admin.follow(invited)
        #expect(members.shows("Invitation sent to fred@acme.example"))
        let fredRow = try #require(members.memberRow("fred@acme.example"))
        #expect(members.cell(fredRow, "Login method") == "Email + SMS (2FA)")
        #expect(members.cell(fredRow, "Mobile number") == "+46 •••••••67", "the number is masked to its last digits")
        #expect(!fredRow.contains("701234567"))

        let mail = try stack.waitForMail(to: "fred@acme.example")
        #expect(mail.subject == "You are invited to Acme")
        let link = try #require(mail.invitationLink)
        #expect(stack.smsMessages().isEmpty, "no SMS before the invitation is accepted")

        // Accept on device 1: the email is proved, the SMS link goes out.
        let device1 = Browser(stack)
        let device2 = Browser(stack, userAgent: Self.iPhone)
        let page = try device1.get(link)
        #expect(page.fact("Login method") == "Email + SMS (2FA)")
        let accepted = try device1.submit(page, button: "Accept invitation")
        #expect(accepted.status == 303)
        let pending = try device1.follow(accepted)
        #expect(pending.status == 200)
        #expect(pending.shows("One more step"))
        #expect(pending.step("email") == "Email link: confirmed")
        #expect(pending.step("sms") == "SMS link: waiting")
        #expect(!pending.hasButton("Finish"))
        #expect(pending.body.range(of: #"<meta http-equiv="refresh" content="[23]">"#, options: .regularExpression) != nil,
                "the page moves on by itself")
        #expect(try device1.get("/_konfident/welcome/status").body == #"{"state":"pending","missing":["sms"]}"#)
        let code = try #require(pending.matchCode)
        #expect(code.range(of: #"^\d\d [a-z]+$"#, options: .regularExpression) != nil, "match code '\(code)'")

        // The SMS at the gateway.
        let sms = try stack.waitForSMS(to: Self.phone)
        #expect(sms.from == "Acme")
        #expect(sms.id != nil)
        #expect(sms.links.count == 1, "SMS: \(sms.message)")
        let smsLink = try #require(sms.links.first)
        #expect(smsLink.hasPrefix(stack.url("acme", "/_konfident/invitation/")))
        #expect(smsLink != link)
        #expect(sms.lines.contains(smsLink), "the link is on a line of its own")
        #expect(sms.lines.last == "@acme.localhost #" + code.replacingOccurrences(of: " ", with: ""), "SMS: \(sms.message)")
        #expect(sms.message.count < 320, "an SMS is short: \(sms.message.count) characters")
        let gatewayID = try stack.sql("SELECT gateway_id FROM outbox WHERE channel = 'sms'")
        #expect(gatewayID == sms.id, "the gateway's id is stored")

        // Device 2 opens the SMS link: the same match code; GET consumes nothing.
        let shown = try device2.get(smsLink)
        #expect(shown.status == 200)
        #expect(shown.header("Referrer-Policy") == "no-referrer")
        #expect(shown.matchCode == code)
        #expect(shown.hasButton("Verify Identity"))
        #expect(try device2.head(smsLink).status == 200)
        #expect(try device1.get("/_konfident/welcome").step("sms") == "SMS link: waiting")
        let confirmed = try device2.submit(shown, button: "Verify Identity")
        #expect(confirmed.status == 200)
        #expect(confirmed.shows("Verification completed"))
        #expect(confirmed.shows("Go back to the window where you accepted the invitation"))
        #expect(try device2.authStatus() == 401)
        #expect(!device2.hasSessionCookie)
        #expect(try device2.get(smsLink).status == 410)

        // Device 1 moves on: Finish signs fred in.
        let ready = try device1.get("/_konfident/welcome")
        #expect(ready.shows("You're all set"))
        #expect(ready.step("sms") == "SMS link: confirmed")
        #expect(ready.hasButton("Finish"))
        #expect(!ready.body.contains("http-equiv=\"refresh\""))
        #expect(try device1.get("/_konfident/welcome/status").body == #"{"state":"accepted","missing":[]}"#)
        #expect(try device1.authStatus() == 401)
        let finished = try device1.submit(ready, button: "Finish")
        #expect(finished.status == 303)
        #expect(try device1.follow(finished).shows("Signed in as fred@acme.example"))
        let auth = try device1.get("/_konfident/auth")
        #expect(auth.status == 204)
        #expect(auth.header("X-Konfident-Member") == "fred@acme.example")
        #expect(try admin.get("/_konfident/members").memberRowCell("fred@acme.example", "State") == "Active")

        // fred signs out and in again: the email link alone is not enough.
        let signedOut = try device1.submit(try device1.get("/"), button: "Sign out")
        #expect(signedOut.status == 303)
        #expect(try device1.authStatus() == 401)
        #expect(try device1.pressNext("fred@acme.example").status == 303)
        let waiting = try device1.get("/_konfident/wait")
        #expect(waiting.status == 200)
        let signInCode = try #require(waiting.matchCode)
        let emailLink = try stack.signInLink(to: "fred@acme.example", count: 2)
        let signInSMS = try stack.waitForSMS(to: Self.phone, count: 2)
        let smsSignInLink = try #require(signInSMS.links.first)
        #expect(smsSignInLink.hasPrefix(stack.url("acme", "/_konfident/verify/")))
        #expect(signInSMS.lines.last == "@acme.localhost #" + signInCode.replacingOccurrences(of: " ", with: ""))

        let emailPage = try device1.get(emailLink)
        #expect(emailPage.matchCode == signInCode)
        let half = try device1.submit(emailPage, button: "Verify Identity")
        #expect(half.status == 200)
        #expect(half.shows("One more step: open the link we sent by SMS."))
        #expect(Browser.setCookie(half, "__Host-konfident-session") == nil)
        #expect(try device1.authStatus() == 401)
        let stillWaiting = try device1.get("/_konfident/wait")
        #expect(stillWaiting.status == 200)
        #expect(try device1.authStatus() == 401)

        let smsPage = try device2.get(smsSignInLink)
        #expect(smsPage.matchCode == signInCode)
        let whole = try device2.submit(smsPage, button: "Verify Identity")
        #expect(whole.status == 200)
        #expect(whole.shows("Verification completed"))
        #expect(whole.shows("The workspace is now open in the original window"))
        #expect(try device2.authStatus() == 401)
        let signedIn = try device1.get("/_konfident/wait")
        #expect(signedIn.status == 303)
        #expect(signedIn.header("Location") == "/")
        #expect(try device1.get("/").shows("Signed in as fred@acme.example"))
        #expect(try device1.authStatus() == 204)
    }

    @Test func aNumberWithoutCountryCodeIsRefusedAndNothingIsSent() throws {
        let stack = try Stack(.init(smsGateway: .init()))
        defer { stack.stop() }
        let admin = try signedInAdministrator(stack)
        let outboxBefore = try stack.sql("SELECT COUNT(*) FROM outbox")
        let refused = try invite(admin, method: "2fa", email: "fred@acme.example", phone: "0701234567", role: "limited")
        #expect(refused.status == 400)
        #expect(refused.shows("Members"))
        #expect(refused.shows("Add the country code"))
        let form = try #require(refused.inviteForm)
        #expect(form.contains(#"value="0701234567""#), "the typed number is kept")
        #expect(form.contains(#"value="fred@acme.example""#), "the typed address is kept")
        #expect(form.contains(#"<option value="2fa" selected>"#))
        #expect(form.contains(#"<option value="limited" selected>"#))
        #expect(refused.memberRow("fred@acme.example") == nil)
        #expect(try stack.sql("SELECT COUNT(*) FROM member WHERE email = 'fred@acme.example'") == "0")
        #expect(try stack.sql("SELECT COUNT(*) FROM outbox") == outboxBefore)
        sleep(2)
        #expect(stack.mails().filter { $0.to.contains("fred@") }.isEmpty)
        #expect(stack.smsMessages().isEmpty)

        // The same with the country code goes through, normalised.
        let accepted = try invite(admin, method: "2fa", email: "fred@acme.example", phone: "+46 (0)70-123 45 67")
        #expect(accepted.status == 303)
        #expect(try stack.sql("SELECT phone FROM member WHERE email = 'fred@acme.example'") == Self.phone)
    }

    @Test func revokingEndsSessionsAndLinks() throws {
        let stack = try Stack(.init(smsGateway: .init()))
        defer { stack.stop() }
        try stack.run(["member", "add", "acme", "--method", "2fa", "--role", "general",
                       "--email", "fred@acme.example", "--phone", "+46 70-123 45 67"])
        // fred signs in on his laptop with both links.
        let laptop = Browser(stack)
        #expect(try laptop.pressNext("fred@acme.example").status == 303)
        let emailLink = try stack.signInLink(to: "fred@acme.example")
        let smsLink = try #require(try stack.waitForSMS(to: Self.phone).links.first)
        #expect(try laptop.submit(try laptop.get(emailLink), button: "Verify Identity").shows("One more step"))
        let done = try laptop.submit(try laptop.get(smsLink), button: "Verify Identity")
        #expect(done.shows("You are signed in."))
        #expect(try laptop.authStatus() == 204)
        // … and asks to sign in on his phone: a pending link.
        let phone = Browser(stack, userAgent: Self.iPhone)
        #expect(try phone.pressNext("fred@acme.example").status == 303)
        let pendingLink = try stack.signInLink(to: "fred@acme.example", count: 2)
        let pendingSMSLink = try #require(try stack.waitForSMS(to: Self.phone, count: 2).links.first)
        #expect(try phone.get(pendingLink).status == 200)

        let admin = try signedInAdministrator(stack)
        // ida is invited but has not accepted yet.
        #expect(try invite(admin, method: "email", email: "ida@acme.example").status == 303)
        let idaLink = try #require(try stack.waitForMail(to: "ida@acme.example").invitationLink)
        let members = try admin.get("/_konfident/members")
        let revoke = try #require(members.memberAction("fred@acme.example", button: "Revoke"))
        let revoked = try admin.post(revoke, [("csrf", try #require(members.field("csrf")))])
        #expect(revoked.status == 303)
        let after = try admin.follow(revoked)
        #expect(after.shows("The member is revoked"))
        let row = try #require(after.memberRow("fred@acme.example"))
        #expect(after.cell(row, "State") == "Revoked")
        #expect(!row.contains(">Revoke</button>"))

        // fred's next request is signed out; his pending links no longer work.
        #expect(try laptop.authStatus() == 401)
        #expect(try laptop.get("/").shows("Log in to Acme"))
        #expect(try laptop.get("/files/").status == 302)
        let gone = try phone.get(pendingLink)
        #expect(gone.status == 410)
        #expect(!gone.hasButton("Verify Identity"))
        #expect(try phone.get(pendingSMSLink).status == 410)
        #expect(try phone.get("/_konfident/wait").matchCode == nil)
        #expect(try phone.authStatus() == 401)
        #expect(try admin.authStatus() == 204)

        // Revoking an invited member: the invitation link stops working.
        let list = try admin.get("/_konfident/members")
        let revokeIda = try #require(list.memberAction("ida@acme.example", button: "Revoke"))
        #expect(try admin.post(revokeIda, [("csrf", try #require(list.field("csrf")))]).status == 303)
        let idaPage = try Browser(stack).get(idaLink)
        #expect(idaPage.status == 410)
        #expect(idaPage.shows("This invitation no longer works"))
        #expect(!idaPage.hasButton("Accept invitation"))
    }

    @Test func reSendingAnInvitationRetiresTheOldLink() throws {
        let stack = try Stack()
        defer { stack.stop() }
        let admin = try signedInAdministrator(stack)
        #expect(try invite(admin, method: "email", email: "hank@acme.example").status == 303)
        let oldLink = try #require(try stack.waitForMail(to: "hank@acme.example").invitationLink)
        let hank = Browser(stack)
        let oldPage = try hank.get(oldLink)
        #expect(oldPage.hasButton("Accept invitation"))

        let members = try admin.get("/_konfident/members")
        let resend = try #require(members.memberAction("hank@acme.example", button: "Re-send invitation"))
        let resent = try admin.post(resend, [("csrf", try #require(members.field("csrf")))])
        #expect(resent.status == 303)
        #expect(try admin.follow(resent).shows("The invitation was sent again"))
        let newMail = try stack.waitForMail(to: "hank@acme.example", count: 2)
        #expect(newMail.subject == "You are invited to Acme")
        let newLink = try #require(newMail.invitationLink)
        #expect(newLink != oldLink)

        let old = try hank.get(oldLink)
        #expect(old.status == 410)
        #expect(old.shows("A newer link has been sent"))
        #expect(try hank.submit(oldPage, button: "Accept invitation").status == 410)

        let newPage = try hank.get(newLink)
        #expect(newPage.status == 200)
        let welcome = try hank.follow(try hank.submit(newPage, button: "Accept invitation"))
        #expect(welcome.shows("You're all set"))
        #expect(try hank.follow(try hank.submit(welcome, button: "Finish")).shows("Signed in as hank@acme.example"))
        #expect(try hank.authStatus() == 204)
    }

    @Test func theSMSStillArrivesWhenTheGatewayFailsTwice() throws {
        let stack = try Stack(.init(smsGateway: .init(failFirst: 2)))
        defer { stack.stop() }
        let admin = try signedInAdministrator(stack)
        #expect(try invite(admin, method: "2fa", email: "fred@acme.example", phone: "+46 70-123 45 67").status == 303)
        let link = try #require(try stack.waitForMail(to: "fred@acme.example").invitationLink)
        let device1 = Browser(stack)
        let acceptedAt = Date()
        let pending = try device1.follow(try device1.submit(try device1.get(link), button: "Accept invitation"))
        #expect(pending.shows("One more step"))
        let sms = try stack.waitForSMS(to: Self.phone, timeout: 25)
        let waited = Date().timeIntervalSince(acceptedAt)
        #expect(waited >= 5, "retried after 2 s and 4 s, not at once (\(waited) s)")
        #expect(stack.log("sms-gateway.log").components(separatedBy: "\" 500 ").count - 1 == 2,
                "two answers 500: \(stack.log("sms-gateway.log"))")
        try waitUntil("the outbox records the SMS as sent") {
            try stack.sql("SELECT state FROM outbox WHERE channel = 'sms'") == "sent"
        }
        #expect(try stack.sql("SELECT state, tries, gateway_id FROM outbox WHERE channel = 'sms'") == "sent|3|\(sms.id ?? "?")")
        #expect(try device1.get("/_konfident/welcome").shows("One more step"), "the member sees no failure")

        // This time the SMS link is opened in the browser that accepted: it goes on to Finish.
        let smsLink = try #require(sms.links.first)
        let shown = try device1.get(smsLink)
        #expect(shown.matchCode == pending.matchCode)
        let confirmed = try device1.submit(shown, button: "Verify Identity")
        #expect(confirmed.status == 303)
        #expect(confirmed.header("Location") == "/_konfident/welcome")
        let ready = try device1.follow(confirmed)
        #expect(ready.shows("You're all set"))
        #expect(try device1.follow(try device1.submit(ready, button: "Finish")).shows("Signed in as fred@acme.example"))
        #expect(stack.smsMessages().count == 1, "sent once")
    }

    @Test func wrongGatewayCredentialsAreTheOperatorsProblemNotTheMembers() throws {
        let stack = try Stack(.init(smsGateway: .init(servePassword: "not-the-password")))
        defer { stack.stop() }
        let admin = try signedInAdministrator(stack)
        #expect(try invite(admin, method: "2fa", email: "fred@acme.example", phone: "+46 70-123 45 67").status == 303)
        let link = try #require(try stack.waitForMail(to: "fred@acme.example").invitationLink)
        let fred = Browser(stack)
        let accepted = try fred.submit(try fred.get(link), button: "Accept invitation")
        #expect(accepted.status == 303)
        let pending = try fred.follow(accepted)

        try waitUntil("the SMS is given up") {
            try stack.sql("SELECT state FROM outbox WHERE channel = 'sms'") == "failed"
        }
        let error = try stack.sql("SELECT last_error FROM outbox WHERE channel = 'sms'")
        #expect(error.lowercased().contains("credentials"), "last_error: \(error)")
        #expect(try stack.sql("SELECT tries FROM outbox WHERE channel = 'sms'") == "1", "wrong credentials are not retried")
        #expect(!error.contains("not-the-password"), "the password is not recorded")
        let log = stack.log("serve.log")
        #expect(log.contains("credentials"), "serve.log: \(log.suffix(2000))")
        #expect(log.lowercased().contains("fail"))
        #expect(!log.contains("not-the-password"), "the password is not logged")
        #expect(stack.log("sms-gateway.log").contains("\" 401 "))
        #expect(stack.smsMessages().isEmpty)

        // The member's pages stay normal.
        for page in [pending, try fred.get("/_konfident/welcome")] {
            #expect(page.status == 200)
            #expect(page.shows("One more step"))
            #expect(page.step("sms") == "SMS link: waiting")
            for word in ["credential", "gateway", "401", "failed", "error"] {
                #expect(!page.body.lowercased().contains(word), "the member's page mentions '\(word)'")
            }
        }
        let status = try fred.get("/_konfident/welcome/status")
        #expect(status.status == 200)
        #expect(!status.body.contains("fail"))
    }

    @Test func theCommandLineInvitesToo() throws {
        let stack = try Stack()
        defer { stack.stop() }
        let output = try stack.run(["member", "invite", "acme", "--method", "email", "--role", "general", "--email", "gus@acme.example"])
        #expect(output.contains("gus@acme.example"))
        let mail = try stack.waitForMail(to: "gus@acme.example")
        #expect(mail.subject == "You are invited to Acme")
        let link = try #require(mail.invitationLink)
        #expect(link.hasPrefix(stack.url("acme", "/_konfident/invitation/")))
        let gus = Browser(stack)
        let page = try gus.get(link)
        #expect(page.status == 200)
        #expect(page.fact("Invited") == "gus@acme.example")
        let welcome = try gus.follow(try gus.submit(page, button: "Accept invitation"))
        #expect(welcome.shows("You're all set"))
        #expect(try gus.follow(try gus.submit(welcome, button: "Finish")).shows("Signed in as gus@acme.example"))
        #expect(try gus.get("/_konfident/auth").header("X-Konfident-Role") == "general")
    }

    @Test func aSwedishAdministratorSendsASwedishInvitation() throws {
        let stack = try Stack()
        defer { stack.stop() }
        let admin = Browser(stack, language: "sv")
        #expect(try admin.pressNext("admin@acme.example", button: "Nästa").status == 303)
        let signInLink = try stack.signInLink(to: "admin@acme.example")
        #expect(try admin.submit(try admin.get(signInLink), button: "Bekräfta identitet").status == 200)
        let home = try admin.get("/")
        #expect(home.shows("Inloggad som admin@acme.example"))
        let members = try admin.get(try #require(home.link("Medlemmar")))
        #expect(members.status == 200)
        #expect(members.body.contains("<html lang=\"sv\""))
        let invited = try admin.submit(members, button: "Bjud in",
                                       [("method", "email"), ("email", "eve@acme.example"), ("phone", ""),
                                        ("personnummer", ""), ("role", "general")])
        #expect(invited.status == 303)
        #expect(try admin.follow(invited).shows("Inbjudan skickades till eve@acme.example"))
        let mail = try stack.waitForMail(to: "eve@acme.example")
        #expect(mail.subject == "Du är inbjuden till Acme")
        #expect(mail.text.contains("Acceptera inbjudan"))
        let link = try #require(mail.invitationLink)

        let eve = Browser(stack, language: "sv")
        let page = try eve.get(link)
        #expect(page.body.contains("<html lang=\"sv\""))
        #expect(page.hasButton("Acceptera inbjudan"))
        let welcome = try eve.follow(try eve.submit(page, button: "Acceptera inbjudan"))
        #expect(welcome.shows("Allt är klart"))
        #expect(try eve.follow(try eve.submit(welcome, button: "Slutför")).shows("Inloggad som eve@acme.example"))
    }

    // MARK: - Steps

    /// A browser in which admin@acme.example signed in by email.
    private func signedInAdministrator(_ stack: Stack) throws -> Browser {
        let admin = Browser(stack)
        let completed = try stack.signIn(admin)
        guard completed.status == 200, try admin.authStatus() == 204 else {
            throw HarnessError("the administrator could not sign in: \(completed.status)")
        }
        return admin
    }

    /// Fills in and sends the invite form of the members page.
    private func invite(_ admin: Browser, method: String, email: String, phone: String = "", role: String = "general") throws -> Browser.Page {
        let members = try admin.get("/_konfident/members")
        guard members.status == 200 else { throw HarnessError("members page answered \(members.status)") }
        return try admin.submit(members, button: "Invite",
                                [("method", method), ("email", email), ("phone", phone), ("personnummer", ""), ("role", role)])
    }
}

extension ReceivedMail {
    /// The invitation link of an invitation message.
    var invitationLink: String? {
        links.first { $0.contains("/_konfident/invitation/") }
    }
}

extension Browser.Page {
    /// True when the page shows `text`, as it is or HTML-escaped.
    func shows(_ text: String) -> Bool {
        let escaped = text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
        return body.contains(text) || body.contains(escaped)
    }

    /// The `href` of the link whose text is `text`.
    func link(_ text: String) -> String? {
        let pattern = #"<a [^>]*href="([^"]*)"[^>]*>\#(NSRegularExpression.escapedPattern(for: text))</a>"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: body, range: NSRange(body.startIndex..., in: body)),
              let range = Range(match.range(at: 1), in: body) else { return nil }
        return String(body[range])
    }

    /// The members table's row (`<tr>…</tr>`) of the member shown as `name`.
    func memberRow(_ name: String) -> String? {
        guard let start = body.range(of: "<tr><td data-label=\"Member\">\(name)")
                ?? body.range(of: "<tr><td data-label=\"Medlem\">\(name)") else { return nil }
        let rest = body[start.lowerBound...]
        guard let end = rest.range(of: "</tr>") else { return nil }
        return String(rest[..<end.upperBound])
    }

    /// The text of the cell labelled `label` in `row`.
    func cell(_ row: String, _ label: String) -> String? {
        guard let start = row.range(of: "data-label=\"\(label)\">") else { return nil }
        let rest = row[start.upperBound...]
        return rest.range(of: "</td>").map { String(rest[..<$0.lowerBound]) }
    }

    func memberRowCell(_ name: String, _ label: String) -> String? {
        memberRow(name).flatMap { cell($0, label) }
    }

    /// The `action` of the form in the member's row whose button reads `button`.
    func memberAction(_ name: String, button: String) -> String? {
        guard let row = memberRow(name), let buttonRange = row.range(of: ">\(button)</button>"),
              let formStart = row[..<buttonRange.lowerBound].range(of: "<form ", options: .backwards) else { return nil }
        let form = row[formStart.lowerBound..<buttonRange.lowerBound]
        guard let action = form.range(of: "action=\"") else { return nil }
        let rest = form[action.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    /// The invite form of the members page.
    var inviteForm: String? {
        guard let start = body.range(of: "<form method=\"post\" action=\"/_konfident/members/invite\"") else { return nil }
        let rest = body[start.lowerBound...]
        return rest.range(of: "</form>").map { String(rest[..<$0.upperBound]) }
    }

    /// The `<dd>` after the `<dt>` that reads `label`.
    func fact(_ label: String) -> String? {
        guard let start = body.range(of: "<dt>\(label)</dt><dd>") else { return nil }
        let rest = body[start.upperBound...]
        return rest.range(of: "</dd>").map { String(rest[..<$0.lowerBound]) }
    }

    /// The text of the welcome page's step for `channel` (`email`, `sms`).
    func step(_ channel: String) -> String? {
        guard let start = body.range(of: "<li data-step=\"\(channel)\"") else { return nil }
        let rest = body[start.upperBound...]
        guard let open = rest.range(of: "\">"), let close = rest.range(of: "</li>") else { return nil }
        return String(rest[open.upperBound..<close.lowerBound])
    }
}
