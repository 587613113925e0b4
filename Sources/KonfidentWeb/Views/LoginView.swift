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
        let errorLine: HTML = error.map { "<p class=\"error\" role=\"alert\" id=\"email-error\">\($0.string(language))</p>\n" } ?? .empty
        let invalid: HTML = error == nil ? .empty : " aria-invalid=\"true\" aria-describedby=\"email-error\""
        return """
            <h1>\(Text.logInTo(workspace: workspaceName).string(language))</h1>
            <p class="lead">\(Text.loginLead.string(language))</p>
            \(errorLine)<form method="post" action="\(paths.login)" class="stack">
            \(csrfField(csrfToken))
            <label for="email">\(Text.emailLabel.string(language))</label>
            <input id="email" name="\(FormField.email.rawValue)" type="email" autocomplete="email" inputmode="email" autocapitalize="none" spellcheck="false" required maxlength="254" value="\(email)"\(invalid) autofocus>
            <button type="submit" class="primary">\(Text.next.string(language))</button>
            </form>
            <div class="divider"><span>\(Text.or.string(language))</span></div>
            <form method="get" action="\(paths.bankID)" class="stack">
            <button type="submit" class="secondary bankid">\(Text.logInWithBankID.string(language))</button>
            </form>
            \(simulatorLink(simulatorApp, language))
            """
    }
}
