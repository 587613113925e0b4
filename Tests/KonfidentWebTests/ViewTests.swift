import FastCGI
import KonfidentCore
import Testing
@testable import KonfidentWeb

/// Every view in both languages: the Swedish pages say nothing in English where it matters.
@Suite struct ViewTests {
    static let paths = Paths(prefix: "")

    /// English words of the main headings and controls that must not appear on a Swedish page.
    static let englishWords = [
        "Log in", "Next", "Email address", "Check your inbox", "Match code", "Waiting", "Start again",
        "Verify your identity", "Verify Identity", "Workspace", "Requested", "Browser",
        "Verification completed", "You are signed in", "Continue to the workspace", "One more step",
        "Signed in as", "Role", "Sign out", "This link no longer works", "Back to the login page",
        "Administrator", "General", "Limited",
    ]

    static func views(_ language: Language) -> [(name: String, html: HTML)] {
        [
            ("login", LoginView(workspaceName: "Acme", paths: paths, csrfToken: "t").content(language)),
            ("login error", LoginView(workspaceName: "Acme", paths: paths, csrfToken: "t", email: "x",
                                      error: .invalidEmail).content(language)),
            ("wait", WaitView(matchCode: "42 llama", validUntil: "12:34", missing: [.email], required: [.email],
                              paths: paths, csrfToken: "t").content(language)),
            ("verify", VerifyView(workspaceName: "Acme", matchCode: "42 llama", requestedAt: "2025-06-15 12:00 UTC",
                                  browser: "Firefox · Linux", action: "/_konfident/verify/x", csrfToken: "t",
                                  shownProof: "p").content(language)),
            ("completed here", CompletedView(outcome: .signedInHere, matchCode: "42 llama", paths: paths).content(language)),
            ("completed elsewhere", CompletedView(outcome: .openInOriginalWindow, matchCode: "42 llama",
                                                  paths: paths).content(language)),
            ("completed, sms missing", CompletedView(outcome: .stillMissing(.sms), matchCode: "42 llama",
                                                     paths: paths).content(language)),
            ("completed, email missing", CompletedView(outcome: .stillMissing(.email), matchCode: "42 llama",
                                                       paths: paths).content(language)),
            ("home", HomeView(workspaceName: "Acme", memberName: "anna@example.se", role: .limited, paths: paths,
                              csrfToken: "t").content(language)),
            ("home general", HomeView(workspaceName: "Acme", memberName: "anna@example.se", role: .general,
                                      paths: paths, csrfToken: "t").content(language)),
            ("home admin", HomeView(workspaceName: "Acme", memberName: "anna@example.se", role: .administrator,
                                    paths: paths, csrfToken: "t").content(language)),
        ]
    }

    static func headings(_ html: String) -> [String] {
        var found: [String] = []
        var rest = html[...]
        while let open = rest.range(of: "<h1>"), let close = rest[open.upperBound...].range(of: "</h1>") {
            found.append(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return found
    }

    @Test func swedishViewsHaveNoEnglishLeft() {
        let english = Self.views(.en)
        let swedish = Self.views(.sv)
        for (en, sv) in zip(english, swedish) {
            #expect(en.html != sv.html, "\(en.name)")
            let enHeadings = Self.headings(en.html.text)
            let svHeadings = Self.headings(sv.html.text)
            #expect(enHeadings.count == 1 && svHeadings.count == 1, "\(en.name)")
            // The home page's heading is the workspace name, the same in every language.
            if !en.name.hasPrefix("home") {
                #expect(enHeadings != svHeadings, "\(en.name): \(svHeadings)")
            }
            for word in Self.englishWords {
                #expect(!sv.html.text.contains(word), "\(sv.name) in Swedish says \"\(word)\"")
            }
        }
    }

    @Test func twoFactorStepsAreTranslated() {
        let view = WaitView(matchCode: "42 llama", validUntil: "12:34", missing: [.sms], required: [.email, .sms],
                            paths: Self.paths, csrfToken: "t")
        let swedish = view.content(.sv).text
        #expect(swedish.contains("data-step=\"email\""))
        do {
            #expect(!swedish.contains(">Email<"))
        }
    }

    @Test func englishViewsSayTheSeedsWords() {
        let texts = Self.views(.en).map(\.html.text).joined()
        for button in ["Next", "Log in with BankID", "Verify Identity", "Sign out", "Start again"] {
            #expect(texts.range(of: ">\(button)</button>") != nil, "\(button)")
        }
        #expect(texts.contains("<h1>Verification completed</h1>"))
    }

    @Test func matchCodeIsInItsElementOnEveryPageThatShowsIt() {
        for language in Language.allCases {
            for (name, html) in Self.views(language) where ["wait", "verify"].contains(name) || name.hasPrefix("completed") {
                #expect(html.text.contains("<p class=\"match-code\""), "\(name)")
                #expect(html.text.contains(">42 llama</p>"), "\(name)")
            }
        }
    }

    @Test func pageShellSaysItsLanguage() {
        for language in Language.allCases {
            let page = Page(title: "T", language: language, workspaceName: "Acme", homePath: "/",
                            content: "<p>x</p>").render().text
            #expect(page.contains("<html lang=\"\(language.rawValue)\">"))
            #expect(page.contains("<meta name=\"viewport\""))
            #expect(page.contains("href=\"/?lang=en\""))
            #expect(page.contains("href=\"/?lang=sv\""))
            #expect(!page.contains("<script"))
            #expect(!page.contains("http-equiv=\"refresh\""))
        }
    }

    @Test func errorTextsExistInBothLanguages() {
        for code in [400, 403, 404, 405, 410, 413, 429, 500, 503] {
            #expect(Text.errorTitle(code).string(.en) != Text.errorTitle(code).string(.sv), "\(code)")
            #expect(Text.errorBody(code).string(.en) != Text.errorBody(code).string(.sv), "\(code)")
        }
        let pairs: [Text] = [.checkInboxTitle, .verifyTitle, .verificationCompleted, .linkGoneTitle, .next,
                             .verifyIdentity, .signOut, .startAgain, .logInWithBankID, .unknownWorkspace,
                             .bankIDUnavailableTitle, .linkExpired, .linkUsed, .linkSuperseded, .attemptEnded]
        for text in pairs {
            #expect(text.string(.en) != text.string(.sv), "\(text.string(.en))")
        }
    }

    @Test func swedishErrorPagesThroughTheApplication() throws {
        let app = try TestApp()
        let client = app.client(language: "sv")
        let notFound = client.get("/nope")
        #expect(notFound.status == 404)
        #expect(notFound.text.contains("<html lang=\"sv\">"))
        #expect(notFound.text.contains("<h1>Sidan finns inte</h1>"))
        #expect(notFound.text.contains("Tillbaka till inloggningen"))
        let method = client.get("/_konfident/login")
        #expect(method.text.contains("<h1>Metoden är inte tillåten</h1>"))
        let forbidden = client.post("/_konfident/login", [("email", "a@b.se")])
        #expect(forbidden.text.contains("<h1>Inte tillåtet</h1>"))
        let gone = client.get("/_konfident/verify/" + RouteTests.link.text)
        #expect(gone.status == 410)
        #expect(gone.text.contains("<h1>Länken fungerar inte längre</h1>"))
        for reply in [notFound, method, forbidden, gone] {
            for word in Self.englishWords {
                #expect(!reply.text.contains(word), "\"\(word)\" on a Swedish error page")
            }
        }
    }
}
