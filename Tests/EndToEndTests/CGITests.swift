import Foundation
import Testing

/// CGI mode under fcgiwrap, as on a shared host: the workspace URL carries the /cgi-bin/konfident prefix,
/// nginx passes KONFIDENT_DATABASE and KONFIDENT_MAIL=maildir:STATE/cgi-mail (nginx/dev.conf.in).
@Suite(.serialized)
struct CGITests {
    static let prefix = "/cgi-bin/konfident"

    /// A stack with fcgiwrap and the workspace `cgi` ("Via CGI") registered under the prefix.
    static func cgiStack() throws -> Stack {
        let stack = try Stack(.init(withCGI: true, startSMTP: false))
        do {
            try stack.run(["workspace", "create", "cgi", "--name", "Via CGI", "--url", stack.url("cgi", prefix + "/")])
            try stack.run(["member", "add", "cgi", "--method", "email", "--role", "general", "--email", "carl@cgi.example"])
        } catch {
            stack.stop()
            throw error
        }
        return stack
    }

    @Test func theLoginPageAndItsRefusalsUnderThePrefix() throws {
        let stack = try Self.cgiStack()
        defer { stack.stop() }
        let browser = Browser(stack, host: "cgi")
        let login = try browser.get(Self.prefix + "/")
        #expect(login.status == 200, "\(login.body.prefix(500)) \(stack.log("nginx-error.log").suffix(800))")
        #expect(login.body.contains("Log in to Via CGI"))
        #expect(login.body.contains("<html lang=\"en\">"))
        #expect(login.formAction(button: "Next") == Self.prefix + "/_konfident/login")
        #expect(login.formAction(button: "Log in with BankID") == Self.prefix + "/_konfident/bankid")
        #expect(login.field("csrf")?.count == 43)
        #expect(login.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
        // A workspace under a path prefix has cookie names of its own: `__Host-` cookies are all
        // `Path=/`, and the host's other workspaces must not share them.
        let preSession = login.headers("Set-Cookie").first { $0.hasPrefix("__Host-konfident-pre-") }
        #expect(preSession?.contains("Path=/") == true)
        #expect(preSession?.contains("Secure") == true)
        // The prefix without its slash is the same workspace.
        #expect(try browser.get(Self.prefix).body.contains("Log in to Via CGI"))

        let missing = try browser.get(Self.prefix + "/no/such/page")
        #expect(missing.status == 404)
        #expect(missing.body.contains("Page not found"))
        #expect(missing.body.contains("href=\"\(Self.prefix)/\""), "the way back stays under the prefix")

        let noToken = try browser.post(Self.prefix + "/_konfident/login", [("email", "carl@cgi.example")])
        #expect(noToken.status == 403)
        #expect(noToken.body.contains("security token"))
        #expect(try stack.sql("SELECT count(*) FROM sign_in_attempt") == "0")

        // The acme workspace at the root of its own host is not reachable through the CGI host, nor the reverse.
        #expect(try browser.get("/").status == 404)
        #expect(try Browser(stack).get(Self.prefix + "/").status == 404)
    }

    @Test func emailSignInThroughCGIWithDeliverOnce() throws {
        let stack = try Self.cgiStack()
        defer { stack.stop() }
        // Only `deliver --once` may send this workspace's mail: stop serve and its delivery worker.
        #expect(stack.terminateServe().status == 0)

        let carl = Browser(stack, host: "cgi")
        let next = try carl.pressNext("carl@cgi.example", home: Self.prefix + "/")
        #expect(next.status == 303)
        #expect(next.header("Location") == Self.prefix + "/_konfident/wait")
        let waiting = try carl.follow(next)
        #expect(waiting.status == 200)
        let code = try #require(waiting.matchCode)
        #expect(waiting.hasButton("Start again"))
        #expect(waiting.formAction(button: "Start again") == Self.prefix + "/_konfident/wait/cancel")

        // The message waits in the outbox, holding no link.
        #expect(try stack.sql("SELECT state, recipient FROM outbox") == "pending|carl@cgi.example")
        let mailFolder = stack.directory + "/cgi-mail"
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: mailFolder + "/new")) ?? []).isEmpty)

        let deliver = try stack.konfident(["deliver", "--once"], environment: ["KONFIDENT_MAIL": "maildir:" + mailFolder])
        #expect(deliver.status == 0, "\(deliver.error)")
        #expect(deliver.output.contains("1 message"))
        #expect(try stack.sql("SELECT state FROM outbox") == "sent")
        let files = try FileManager.default.contentsOfDirectory(atPath: mailFolder + "/new")
        #expect(files.count == 1)
        let raw = try String(contentsOfFile: mailFolder + "/new/" + #require(files.first), encoding: .utf8)
        let mail = ReceivedMail(raw: raw)
        #expect(mail.to.contains("carl@cgi.example"))
        #expect(mail.subject == "Sign in to Via CGI")
        let link = try #require(mail.verifyLink)
        #expect(link.hasPrefix(stack.url("cgi", Self.prefix + "/_konfident/verify/")))

        // The raw token is nowhere in the database files (DESIGN §2): only its hash is stored.
        let token = try #require(link.split(separator: "/").last.map(String.init))
        for suffix in ["", "-wal", "-shm"] {
            let bytes = FileManager.default.contents(atPath: stack.database + suffix) ?? Data()
            #expect(bytes.range(of: Data(token.utf8)) == nil, "the token is in konfident.sqlite3\(suffix)")
        }

        // A second run has nothing left to send.
        let idle = try stack.konfident(["deliver", "--once"], environment: ["KONFIDENT_MAIL": "maildir:" + mailFolder])
        #expect(idle.output.contains("0 message"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: mailFolder + "/new").count == 1)

        let shown = try carl.get(link)
        #expect(shown.status == 200)
        #expect(shown.matchCode == code)
        #expect(shown.formAction(button: "Verify Identity") == link.replacingOccurrences(of: stack.url("cgi", ""), with: ""))
        let completed = try carl.submit(shown, button: "Verify Identity")
        #expect(completed.status == 200)
        #expect(completed.body.contains("Verification completed"))
        #expect(completed.body.contains("You are signed in."))
        #expect(completed.body.contains("href=\"\(Self.prefix)/\""))
        let home = try carl.get(Self.prefix + "/")
        #expect(home.body.contains("Signed in as carl@cgi.example"))
        #expect(home.formAction(button: "Sign out") == Self.prefix + "/_konfident/signout")
        let auth = try carl.get(Self.prefix + "/_konfident/auth")
        #expect(auth.status == 204)
        #expect(auth.header("X-Konfident-Member") == "carl@cgi.example")
        #expect(auth.header("X-Konfident-Role") == "general")
        #expect(try carl.get(link).status == 410)

        // A month later (the rows made 31 days older) Carl signs in again from another browser;
        // cron's `deliver --once` sends the new mail and deletes the old attempt with its IP address
        // and user agent, and the old mail's row. The member, the live session and the audit log stay.
        _ = try stack.sql("UPDATE sign_in_attempt SET created_at = created_at - 31 * 86400")
        _ = try stack.sql("UPDATE outbox SET created_at = created_at - 31 * 86400")
        let oldAttempt = try stack.sql("SELECT id FROM sign_in_attempt")
        #expect(try Browser(stack, host: "cgi").pressNext("carl@cgi.example", home: Self.prefix + "/").status == 303)
        let audit = try stack.sql("SELECT count(*) FROM audit")
        let purge = try stack.konfident(["deliver", "--once"], environment: ["KONFIDENT_MAIL": "maildir:" + mailFolder])
        #expect(purge.status == 0, "\(purge.error)")
        #expect(purge.output.contains("1 message"))
        #expect(purge.error.contains("purged"), "\(purge.error)")
        #expect(try stack.sql("SELECT count(*) FROM sign_in_attempt WHERE id = \(oldAttempt)") == "0")
        #expect(try stack.sql("SELECT count(*) FROM sign_in_attempt") == "1")
        #expect(try stack.sql("SELECT state FROM outbox") == "sent")
        #expect(try FileManager.default.contentsOfDirectory(atPath: mailFolder + "/new").count == 2)
        #expect(try stack.sql("SELECT count(*) FROM audit") == audit)
        // The audit log goes only when the operator says how long it stays: a year here, and every
        // entry made 400 days older (the newest stays, like the newest attempt).
        _ = try stack.sql("UPDATE audit SET at = at - 400 * 86400")
        let yearly = try stack.konfident(["deliver", "--once"], environment: ["KONFIDENT_MAIL": "maildir:" + mailFolder,
                                                                             "KONFIDENT_AUDIT_RETENTION": "365d"])
        #expect(yearly.status == 0, "\(yearly.error)")
        #expect(yearly.error.contains("purged"), "\(yearly.error)")
        #expect(try stack.sql("SELECT count(*) FROM audit") == "1")
        #expect(try stack.sql("SELECT count(*) FROM member WHERE email = 'carl@cgi.example'") == "1")
        #expect(try carl.get(Self.prefix + "/_konfident/auth").status == 204)
        #expect(try carl.get(link).status == 410)
    }
}
