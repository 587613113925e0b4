import KonfidentCore

/// Screen 7, first step: "Log in with BankID" with the optional personnummer.
struct BankIDStartView {
    var paths: Paths
    var csrfToken: String
    var personnummer: String = ""
    var error: Text? = nil
    var simulatorApp: String?

    func content(_ language: Language) -> HTML {
        let (errorLine, invalid) = fieldError(error, id: "personnummer-error", language)
        return """
            <h1>\(Text.logInWithBankID.string(language))</h1>
            <p class="lead">\(Text.bankIDStartLead.string(language))</p>
            \(errorLine)<form method="post" action="\(paths.bankID)" class="stack">
            \(csrfField(csrfToken))
            <label for="personnummer">\(Text.personnummerOptionalLabel.string(language))</label>
            <input id="personnummer" name="\(FormField.personnummer.rawValue)" type="text" inputmode="numeric" autocomplete="off" spellcheck="false" maxlength="20" value="\(personnummer)" aria-describedby="personnummer-hint"\(invalid)>
            <p class="hint" id="personnummer-hint">\(Text.personnummerOptionalHint.string(language))</p>
            <button type="submit" class="primary bankid">\(Text.logInWithBankID.string(language))</button>
            </form>
            \(simulatorLink(simulatorApp, language))<p class="actions"><a href="\(paths.home)">\(Text.backToLogin.string(language))</a></p>
            """
    }
}

/// Screen 7, waiting: the animated QR code (a new one every second: `qr.js`, or without JS the page's
/// own one-second refresh), "Open BankID on this device", the status text of the RFA messages, Cancel.
struct BankIDWaitView {
    var title: String
    var lead: String
    var qrCode: HTML
    var autostartURL: String
    var message: String
    var paths: Paths
    var csrfToken: String
    var simulatorApp: String?

    func content(_ language: Language) -> HTML {
        """
        <h1>\(title)</h1>
        <p class="lead">\(lead)</p>
        <div class="qr">\(qrCode)</div>
        <p class="actions"><a class="button secondary bankid" href="\(autostartURL)">\(Text.openBankIDHere.string(language))</a></p>
        <p class="bankid-status" role="status" aria-live="polite">\(message)</p>
        <form method="post" action="\(paths.bankIDCancel)" class="stack">
        \(csrfField(csrfToken))
        <button type="submit" class="secondary">\(Text.cancel.string(language))</button>
        </form>
        \(simulatorLink(simulatorApp, language))
        """
    }
}

/// Screen 7, the order is over without a session: the RFA message and Try again.
struct BankIDEndedView {
    var title: String
    var message: String
    /// Where Try again posts (a new order of the same kind) and the personnummer it keeps.
    var retryAction: String
    var personnummer: String?
    var csrfToken: String
    var backLink: (label: String, href: String)

    func content(_ language: Language) -> HTML {
        let kept: HTML = personnummer.map { "\n<input type=\"hidden\" name=\"\(FormField.personnummer.rawValue)\" value=\"\($0)\">" } ?? .empty
        return """
            <h1>\(title)</h1>
            <p class="bankid-status" role="alert">\(message)</p>
            <form method="post" action="\(retryAction)" class="stack">
            \(csrfField(csrfToken))\(kept)
            <button type="submit" class="primary bankid">\(Text.tryAgain.string(language))</button>
            </form>
            <p class="actions"><a href="\(backLink.href)">\(backLink.label)</a></p>
            """
    }
}

/// Screen 5 → 6 for a BankID member invited by email: the personnummer (unless the invitation
/// named it), then a BankID order that requires it.
struct WelcomeBankIDView {
    var workspaceName: String
    /// The masked personnummer the invitation named; nil: the member enters it.
    var knownPersonnummer: String?
    var personnummer: String = ""
    var error: Text? = nil
    var paths: Paths
    var csrfToken: String

    func content(_ language: Language) -> HTML {
        let (errorLine, invalid) = fieldError(error, id: "personnummer-error", language)
        let field: HTML
        if let knownPersonnummer {
            field = "<p>\(Text.welcomeBankIDKnown(masked: knownPersonnummer).string(language))</p>"
        } else {
            field = """
                <label for="personnummer">\(Text.personnummerLabel.string(language))</label>
                <input id="personnummer" name="\(FormField.personnummer.rawValue)" type="text" inputmode="numeric" autocomplete="off" spellcheck="false" required maxlength="20" value="\(personnummer)" aria-describedby="personnummer-hint"\(invalid)>
                <p class="hint" id="personnummer-hint">\(Text.personnummerHint.string(language))</p>
                """
        }
        return """
            <h1>\(Text.welcomeBankIDTitle.string(language))</h1>
            <p class="lead">\(Text.welcomeBankIDLead.string(language))</p>
            \(errorLine)<form method="post" action="\(paths.welcomeBankID)" class="stack">
            \(csrfField(csrfToken))
            \(field)
            <button type="submit" class="primary bankid">\(Text.continueWithBankID.string(language))</button>
            </form>
            """
    }
}

/// With the simulated service, the way to its phone app page.
func simulatorLink(_ url: String?, _ language: Language) -> HTML {
    guard let url else { return .empty }
    return """
        <p class="hint simulator">\(Text.simulatorNote.string(language)) <a href="\(url)" target="_blank" rel="noopener">\(Text.openSimulator.string(language))</a></p>

        """
}
