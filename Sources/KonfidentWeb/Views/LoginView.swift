import KonfidentCore

/// Screen 1: the login page.
struct LoginView {
    var workspaceName: String
    var paths: Paths
    var csrfToken: String
    var email: String = ""
    var error: Text? = nil
    /// With the simulated BankID service: its phone app page.
    var simulatorApp: String? = nil

    func content(_ language: Language) -> HTML {
        // The page everybody gets (no error) from the markup rendered once per language.
        let page: HTML
        if error == nil, let template = Self.templates[language] ?? nil {
            page = template.render([HTML(escaping: workspaceName), HTML(escaping: paths.login), csrfField(csrfToken),
                                    HTML(escaping: email), HTML(escaping: paths.bankID)])
        } else {
            page = Self.markup(language, workspaceName: workspaceName, loginPath: paths.login, csrfField: csrfField(csrfToken),
                               email: email, bankIDPath: paths.bankID, error: error)
        }
        // With the simulated BankID service, the way to its phone app; otherwise the page is not copied again.
        guard simulatorApp != nil else { return page }
        return page + "\n" + simulatorLink(simulatorApp, language)
    }

    private static let templates: [Language: HTMLTemplate?] = Dictionary(uniqueKeysWithValues: Language.allCases.map { language in
        (language, HTMLTemplate(slots: 5) { slot in
            markup(language, workspaceName: slot[0], loginPath: slot[1], csrfField: HTML(trusted: slot[2]), email: slot[3],
                   bankIDPath: slot[4], error: nil)
        })
    })

    private static func markup(_ language: Language, workspaceName: String, loginPath: String, csrfField: HTML,
                               email: String, bankIDPath: String, error: Text?) -> HTML {
        let (errorLine, invalid) = fieldError(error, id: "email-error", language)
        return """
            <h1>\(Text.logInTo(workspace: workspaceName).string(language))</h1>
            <p class="lead">\(Text.loginLead.string(language))</p>
            \(errorLine)<form method="post" action="\(loginPath)" class="stack">
            \(csrfField)
            <label for="email">\(Text.emailLabel.string(language))</label>
            <input id="email" name="\(FormField.email.rawValue)" type="email" autocomplete="email" inputmode="email" autocapitalize="none" spellcheck="false" required maxlength="254" value="\(email)"\(invalid) autofocus>
            <button type="submit" class="primary">\(Text.next.string(language))</button>
            </form>
            <div class="divider"><span>\(Text.or.string(language))</span></div>
            <form method="get" action="\(bankIDPath)" class="stack">
            <button type="submit" class="secondary bankid">\(Text.logInWithBankID.string(language))</button>
            </form>
            """
    }
}
