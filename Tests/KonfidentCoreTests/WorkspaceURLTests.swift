import KonfidentCore
import Testing

@Suite struct WorkspaceURLTests {
    @Test func parsesAnHTTPSURLWithoutPrefix() throws {
        let url = try WorkspaceURL(parsing: "https://acme.konfident.example/")
        #expect(url.scheme == "https")
        #expect(url.host == "acme.konfident.example")
        #expect(url.port == nil)
        #expect(url.pathPrefix == "")
        #expect(url.origin == "https://acme.konfident.example")
        #expect(url.description == "https://acme.konfident.example/")
        #expect(url.link("/verify/abc") == "https://acme.konfident.example/verify/abc")
    }

    @Test func aMissingSlashMeansTheRoot() throws {
        let url = try WorkspaceURL(parsing: "https://acme.example")
        #expect(url.pathPrefix == "")
        #expect(url.description == "https://acme.example/")
        #expect(url == (try WorkspaceURL(parsing: "https://acme.example/")))
    }

    @Test func keepsANonDefaultPort() throws {
        let url = try WorkspaceURL(parsing: "https://acme.localhost:8443/")
        #expect(url.host == "acme.localhost")
        #expect(url.port == 8443)
        #expect(url.origin == "https://acme.localhost:8443")
        #expect(url.link("/") == "https://acme.localhost:8443/")
        #expect(try WorkspaceURL(parsing: "http://acme.localhost:8080").origin == "http://acme.localhost:8080")
        #expect(try WorkspaceURL(parsing: "http://acme.localhost:443").port == 443)
        #expect(try WorkspaceURL(parsing: "https://acme.localhost:80").port == 80)
    }

    @Test func dropsTheSchemesDefaultPort() throws {
        let https = try WorkspaceURL(parsing: "https://acme.example:443/")
        #expect(https.port == nil)
        #expect(https.origin == "https://acme.example")
        #expect(https == (try WorkspaceURL(parsing: "https://acme.example/")))
        let http = try WorkspaceURL(parsing: "http://acme.example:80/team")
        #expect(http.port == nil)
        #expect(http.description == "http://acme.example/team/")
    }

    @Test func schemeAndHostAreCaseInsensitiveThePathIsNot() throws {
        let url = try WorkspaceURL(parsing: "HTTPS://ACME.Example/Team/")
        #expect(url.scheme == "https")
        #expect(url.host == "acme.example")
        #expect(url.pathPrefix == "/Team")
        #expect(url.localPath(of: "/team/x") == nil)
    }

    @Test func surroundingWhitespaceIsIgnored() throws {
        let url = try WorkspaceURL(parsing: "  https://acme.example/x/ \n")
        #expect(url.description == "https://acme.example/x/")
    }

    @Test(arguments: [
        ("https://h.example/a", "/a"),
        ("https://h.example/a/", "/a"),
        ("https://h.example/a///", "/a"),
        ("https://h.example/a/b/", "/a/b"),
        ("https://h.example/cgi-bin/konfident.cgi", "/cgi-bin/konfident.cgi"),
        ("https://h.example/", ""),
        ("https://h.example//", ""),
        ("https://h.example", ""),
    ])
    func normalisesThePathPrefix(_ raw: String, _ prefix: String) throws {
        let url = try WorkspaceURL(parsing: raw)
        #expect(url.pathPrefix == prefix)
        #expect(url.description == "https://h.example" + prefix + "/")
    }

    @Test func localPathWithoutPrefixIsThePath() throws {
        let url = try WorkspaceURL(parsing: "https://acme.example/")
        #expect(url.localPath(of: "/") == "/")
        #expect(url.localPath(of: "/login") == "/login")
        #expect(url.localPath(of: "/_konfident/auth") == "/_konfident/auth")
    }

    @Test func localPathStripsThePrefix() throws {
        let url = try WorkspaceURL(parsing: "https://host.example/acme/")
        #expect(url.localPath(of: "/acme") == "/")
        #expect(url.localPath(of: "/acme/") == "/")
        #expect(url.localPath(of: "/acme/login") == "/login")
        #expect(url.localPath(of: "/acme/a/b") == "/a/b")
        #expect(url.localPath(of: "/acmex") == nil)
        #expect(url.localPath(of: "/acmex/login") == nil)
        #expect(url.localPath(of: "/other/acme/login") == nil)
        #expect(url.localPath(of: "/") == nil)
        #expect(url.localPath(of: "") == nil)
        #expect(url.link("/verify/t") == "https://host.example/acme/verify/t")
    }

    @Test func aCGIScriptPathIsAPrefix() throws {
        let url = try WorkspaceURL(parsing: "https://host.example/cgi-bin/konfident")
        #expect(url.localPath(of: "/cgi-bin/konfident/verify/abc") == "/verify/abc")
        #expect(url.localPath(of: "/cgi-bin/konfident") == "/")
        #expect(url.localPath(of: "/cgi-bin/konfident2") == nil)
    }

    @Test(arguments: [
        "",
        "   ",
        "acme.example",
        "ftp://acme.example/",
        "//acme.example/",
        "https://",
        "https:///path",
        "https://acme.example:0/",
        "https://acme.example:65536/",
        "https://acme.example:/",
        "https://acme.example:abc/",
        "https://acme.example:99999999999999999999999/",
        "https://user@acme.example/",
        "https://user:pass@acme.example/",
        "https://acme.example/?x=1",
        "https://acme.example/a?x=1",
        "https://acme.example/#top",
        "https://acme.example?x",
        "https://acme_underscore.example/",
        "https://.acme.example/",
        "https://acme.example./",
        "https://acme..example/",
        "https://[::1]/",
        "https://acme.example/a//b",
        "https://acme.example//a",
        "https://acme.example/a b",
        "https://acme.example/å",
        "https://acme.example/\u{7F}",
        "https://åcme.example/",
        "https://acme.example\u{0}/",
        "https://acme.example\\evil.example/",
    ])
    func rejects(_ raw: String) {
        #expect(throws: WorkspaceURL.ParseError.self) { try WorkspaceURL(parsing: raw) }
    }

    @Test func hostileInputNeverCrashes() {
        let inputs = HostileInput.corpus(count: 4_000, seed: 0x0C_0FFEE, valid: [
            "https://acme.example/", "https://acme.localhost:8443/team/", "http://h.example:80",
        ], alphabet: ["h", "t", "p", "s", ":", "/", "/", ".", "a", "8", "?", "#", "@", "[", "]", "%"])
        for input in inputs + HostileInput.huge {
            if let url = try? WorkspaceURL(parsing: input) {
                // Whatever is accepted reparses to itself.
                #expect((try? WorkspaceURL(parsing: url.description)) == url, "\(input)")
                #expect(url.host == url.host.lowercased())
                #expect(!url.pathPrefix.hasSuffix("/"))
            }
        }
    }
}
