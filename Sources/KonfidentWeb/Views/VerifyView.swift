import KonfidentCore

/// Screen 3: what the link approves, and the Verify Identity button. Showing it changes nothing.
struct VerifyView {
    var workspaceName: String
    var matchCode: String
    var requestedAt: String
    var browser: String
    var action: String
    var csrfToken: String
    var shownProof: String

    func content(_ language: Language) -> HTML {
        guard let template = Self.templates[language] ?? nil else {
            return Self.markup(language, workspaceName: workspaceName, matchCode: matchCode, requestedAt: requestedAt,
                               browser: browser, action: action, csrfField: csrfField(csrfToken), shownProof: shownProof)
        }
        return template.render([HTML(escaping: workspaceName), HTML(escaping: matchCode), HTML(escaping: requestedAt),
                                HTML(escaping: browser), HTML(escaping: action), csrfField(csrfToken),
                                HTML(escaping: shownProof)])
    }

    /// The page of each language, rendered once.
    private static let templates: [Language: HTMLTemplate?] = Dictionary(uniqueKeysWithValues: Language.allCases.map { language in
        (language, HTMLTemplate(slots: 7) { slot in
            markup(language, workspaceName: slot[0], matchCode: slot[1], requestedAt: slot[2], browser: slot[3],
                   action: slot[4], csrfField: HTML(trusted: slot[5]), shownProof: slot[6])
        })
    })

    private static func markup(_ language: Language, workspaceName: String, matchCode: String, requestedAt: String,
                               browser: String, action: String, csrfField: HTML, shownProof: String) -> HTML {
        """
        <h1>\(Text.verifyTitle.string(language))</h1>
        <p class="lead">\(Text.verifyLead(workspace: workspaceName).string(language))</p>
        <p>\(Text.verifyCompare.string(language))</p>
        <p class="match-code">\(matchCode)</p>
        <dl class="facts">
        <dt>\(Text.workspaceLabel.string(language))</dt><dd>\(workspaceName)</dd>
        <dt>\(Text.requestedLabel.string(language))</dt><dd>\(requestedAt)</dd>
        <dt>\(Text.browserLabel.string(language))</dt><dd>\(browser)</dd>
        </dl>
        <form method="post" action="\(action)" class="stack">
        \(csrfField)
        <input type="hidden" name="\(FormField.shown.rawValue)" value="\(shownProof)">
        <button type="submit" class="primary">\(Text.verifyIdentity.string(language))</button>
        </form>
        <p class="hint">\(Text.verifyNotYou.string(language))</p>
        """
    }
}

/// Screen 4: after Verify Identity.
struct CompletedView {
    enum Outcome: Equatable {
        /// This browser started the attempt and is now signed in.
        case signedInHere
        /// Another browser is waiting; it signs in at its next poll.
        case openInOriginalWindow
        /// 2FA: this link is confirmed, the other one is still missing.
        case stillMissing(LinkChannel)
    }

    var outcome: Outcome
    var matchCode: String
    var paths: Paths

    func content(_ language: Language) -> HTML {
        let message: HTML = switch outcome {
        case .signedInHere:
            "<p class=\"success\">\(Text.completedHere.string(language))</p>\n<p><a class=\"button primary\" href=\"\(paths.home)\">\(Text.continueToWorkspace.string(language))</a></p>"
        case .openInOriginalWindow:
            "<p class=\"success\">\(Text.completedElsewhere.string(language))</p>"
        case let .stillMissing(channel):
            "<p class=\"notice\">\(Text.stillMissing(channel).string(language))</p>"
        }
        return """
            <h1>\(Text.verificationCompleted.string(language))</h1>
            <p class="match-code">\(matchCode)</p>
            \(message)
            """
    }
}
