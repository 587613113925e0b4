import Foundation
import Testing

/// The foundation through real nginx: static files, the login page, the fixed points, refusals.
@Suite(.serialized)
struct FoundationTests {
    @Test func nginxServesStaticFilesAndTheLoginPage() throws {
        let stack = try Stack(.init(startSMTP: false))
        defer { stack.stop() }
        let browser = Browser(stack)

        let css = try browser.get("/static/konfident.css")
        #expect(css.status == 200)
        #expect(css.header("Content-Type")?.hasPrefix("text/css") == true)
        // nginx drops the server's add_header lines in a location with add_header lines of its own:
        // HSTS must be on the static files and the protected content too (DESIGN §2).
        #expect(css.header("Strict-Transport-Security") == "max-age=63072000")
        #expect(try browser.get("/static/wait.js").status == 200)
        #expect(try browser.get("/static/logo.svg").status == 200)

        let login = try browser.get("/")
        #expect(login.status == 200)
        #expect(login.body.contains("<html lang=\"en\">"))
        #expect(login.body.contains("Log in to Acme"))
        #expect(login.body.contains("name=\"email\""))
        #expect(login.body.contains("autocomplete=\"email\""))
        #expect(login.hasButton("Next"))
        #expect(login.hasButton("Log in with BankID"))
        #expect(login.field("csrf")?.count == 43)

        let policy = try #require(login.header("Content-Security-Policy"))
        #expect(policy.contains("script-src 'self'"))
        #expect(!policy.contains("unsafe-inline"))
        #expect(policy.contains("frame-ancestors 'none'"))
        #expect(login.header("Strict-Transport-Security") == "max-age=63072000")
        #expect(login.header("X-Content-Type-Options") == "nosniff")
        let cookie = try #require(login.headers("Set-Cookie").first { $0.hasPrefix("__Host-konfident-pre=") })
        for flag in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
            #expect(cookie.contains(flag), "pre-session cookie lacks \(flag)")
        }
        #expect(!cookie.contains("Domain="))
    }

    @Test func swedishByAcceptLanguageAndBySwitch() throws {
        let stack = try Stack(.init(startSMTP: false))
        defer { stack.stop() }
        let swedish = try Browser(stack, language: "sv-SE,sv;q=0.9,en;q=0.5").get("/")
        #expect(swedish.body.contains("<html lang=\"sv\">"))
        #expect(swedish.body.contains("Logga in på Acme"))
        #expect(swedish.body.contains("Logga in med BankID"))

        let browser = Browser(stack)
        let switched = try browser.get("/?lang=sv")
        #expect(switched.body.contains("<html lang=\"sv\">"))
        // The choice sticks for the next page.
        #expect(try browser.get("/").body.contains("<html lang=\"sv\">"))
        #expect(try browser.get("/?lang=en").body.contains("<html lang=\"en\">"))
    }

    @Test func unknownHostsAndPathsAre404Pages() throws {
        let stack = try Stack(.init(startSMTP: false))
        defer { stack.stop() }
        let stranger = try Browser(stack, host: "nobody").get("/")
        #expect(stranger.status == 404)
        #expect(stranger.body.contains("No workspace here"))
        #expect(!stranger.body.contains("Back to"), "its root is this same page")

        let browser = Browser(stack)
        let missing = try browser.get("/no/such/page")
        #expect(missing.status == 404)
        #expect(missing.body.contains("Page not found"))
        #expect(missing.body.contains("Back to the login page"))
        #expect(try browser.get("/_konfident/nothing").status == 404)

        let wrongMethod = try browser.post("/_konfident/login/", [])
        #expect(wrongMethod.status == 404)
        let notAllowed = try browser.post("/_konfident/wait/status", [])
        #expect(notAllowed.status == 405)
        #expect(notAllowed.header("Allow") == "GET, HEAD")
    }

    @Test func postsWithoutTokenOrFromAnotherSiteAreRefused() throws {
        let stack = try Stack()
        defer { stack.stop() }
        let browser = Browser(stack)
        let login = try browser.get("/")
        let token = try #require(login.field("csrf"))

        let noToken = try browser.post("/_konfident/login", [("email", "admin@acme.example")])
        #expect(noToken.status == 403)
        #expect(noToken.body.contains("security token"))

        let foreignOrigin = try browser.post("/_konfident/login", [("email", "admin@acme.example"), ("csrf", token)],
                                             headers: ["Origin: https://evil.example"])
        #expect(foreignOrigin.status == 403)
        let crossSite = try browser.post("/_konfident/login", [("email", "admin@acme.example"), ("csrf", token)],
                                         headers: ["Sec-Fetch-Site: cross-site"])
        #expect(crossSite.status == 403)

        let stranger = Browser(stack)
        _ = try stranger.get("/")
        let otherToken = try stranger.post("/_konfident/login", [("email", "admin@acme.example"), ("csrf", token)])
        #expect(otherToken.status == 403)

        // Nothing was recorded: a valid post afterwards is the first and only message.
        let accepted = try browser.post("/_konfident/login", [("email", "admin@acme.example"), ("csrf", token)],
                                        headers: ["Origin: \(stack.url("acme", ""))", "Sec-Fetch-Site: same-origin"])
        #expect(accepted.status == 303)
        _ = try stack.waitForMail(to: "admin@acme.example")
        sleep(1)
        #expect(stack.mails().count == 1)
    }

    /// nginx/konfident.conf is what operators copy: nginx must accept it as it stands, with only
    /// this machine's certificate and log paths put in.
    @Test func theProductionNginxExampleIsAValidConfiguration() throws {
        let directory = try Stack.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Stack.script("tls-certificate", [directory + "/tls"])
        let site = try String(contentsOfFile: Stack.root + "/nginx/konfident.conf", encoding: .utf8)
            .replacingOccurrences(of: "/etc/letsencrypt/live/acme.konfident.example/fullchain.pem", with: directory + "/tls/localhost.pem")
            .replacingOccurrences(of: "/etc/letsencrypt/live/acme.konfident.example/privkey.pem", with: directory + "/tls/localhost.key")
            .replacingOccurrences(of: "/var/log/nginx/", with: directory + "/")
        #expect(site.contains("access_log \(directory)/access.log konfident;"))
        try site.write(toFile: directory + "/site.conf", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: "/etc/nginx/fastcgi_params", toPath: directory + "/fastcgi_params")
        try """
            pid \(directory)/nginx.pid;
            error_log \(directory)/error.log;
            events {}
            http {
                include /etc/nginx/mime.types;
                client_body_temp_path \(directory)/body;
                fastcgi_temp_path \(directory)/fastcgi;
                proxy_temp_path \(directory)/proxy;
                uwsgi_temp_path \(directory)/uwsgi;
                scgi_temp_path \(directory)/scgi;
                include \(directory)/site.conf;
            }
            """.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        let check = try Stack.capture("/usr/sbin/nginx", ["-t", "-q", "-c", directory + "/nginx.conf", "-p", directory])
        #expect(check.status == 0, "nginx -t: \(check.error)")
    }

    @Test func authEndpointRefusesWithoutSessionAndProtectsContent() throws {
        let stack = try Stack(.init(startSMTP: false))
        defer { stack.stop() }
        let browser = Browser(stack)
        #expect(try browser.get("/_konfident/auth").status == 401)
        let files = try browser.get("/files/")
        #expect(files.status == 302)
        #expect(files.header("Strict-Transport-Security") == "max-age=63072000")
        #expect(files.header("Location")?.hasSuffix("/") == true)
    }

    @Test func hostileInputGetsFourHundredPagesNeverACrash() throws {
        let stack = try Stack(.init(startSMTP: false))
        defer { stack.stop() }
        let browser = Browser(stack)
        _ = try browser.get("/")

        let large = try browser.postRaw("/_konfident/login", body: Data(repeating: UInt8(ascii: "a"), count: 200_000))
        #expect(large.status == 413)
        #expect(large.body.contains("Too much data"))
        let huge = try browser.postRaw("/_konfident/login", body: Data(repeating: UInt8(ascii: "a"), count: 3_000_000))
        #expect(huge.status == 413)

        let badEscape = try browser.postRaw("/_konfident/login", body: Data("email=%zz&csrf=%".utf8))
        #expect(badEscape.status == 400)
        let invalidUTF8 = try browser.postRaw("/_konfident/login", body: Data("email=%ff%fe".utf8))
        #expect(invalidUTF8.status == 400)
        let manyFields = String(repeating: "f=x&", count: 10_000)
        let fields = try browser.postRaw("/_konfident/login", body: Data(manyFields.utf8))
        #expect(fields.status == 400)
        #expect(fields.body.contains("Bad request"))
        let binary = try browser.postRaw("/_konfident/login", body: Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7) }),
                                         contentType: "application/octet-stream")
        #expect(binary.status == 400)

        let binaryHeader = try browser.get("/", headers: ["X-Junk: \u{1}\u{2}\u{7f}ÿ", "Accept-Language: \u{1}sv;q=abc,,,;"])
        #expect([200, 400].contains(binaryHeader.status))
        let longQuery = try browser.get("/?lang=" + String(repeating: "%41", count: 2000))
        #expect(longQuery.status == 200)

        // Still alive and well.
        #expect(try browser.get("/").status == 200)
    }
}
