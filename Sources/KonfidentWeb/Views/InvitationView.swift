import KonfidentCore

/// Screen 5: what the invitation is (who invited whom, where, with which method) and Accept
/// invitation; for the SMS link of a 2FA invitation, the match code and Verify Identity.
/// Showing it changes nothing.
struct InvitationView {
    var channel: LinkChannel
    var workspaceName: String
    var inviter: String?
    var invitee: String
    var method: LoginMethod
    var matchCode: String
    var action: String
    var csrfToken: String
    var shownProof: String

    func content(_ language: Language) -> HTML {
        let hidden: HTML = """
            \(csrfField(csrfToken))
            <input type="hidden" name="\(FormField.shown.rawValue)" value="\(shownProof)">
            """
        if channel == .sms {
            return """
                <h1>\(Text.invitationSMSTitle.string(language))</h1>
                <p class="lead">\(Text.invitationSMSLead(workspace: workspaceName).string(language))</p>
                <p class="match-code">\(matchCode)</p>
                <form method="post" action="\(action)" class="stack">
                \(hidden)
                <button type="submit" class="primary">\(Text.verifyIdentity.string(language))</button>
                </form>
                """
        }
        return """
            <h1>\(Text.invitationTitle.string(language))</h1>
            <p class="lead">\(Text.invitationLead(inviter: inviter, workspace: workspaceName).string(language))</p>
            <dl class="facts">
            <dt>\(Text.workspaceLabel.string(language))</dt><dd>\(workspaceName)</dd>
            <dt>\(Text.invitedLabel.string(language))</dt><dd>\(invitee)</dd>
            <dt>\(Text.methodLabel.string(language))</dt><dd>\(Text.method(method).string(language))</dd>
            </dl>
            <form method="post" action="\(action)" class="stack">
            \(hidden)
            <button type="submit" class="primary">\(Text.acceptInvitation.string(language))</button>
            </form>
            """
    }
}

/// Screen 6: "You're all set" and Finish; before that (2FA), which proof is still missing.
struct WelcomeView {
    var workspaceName: String
    var matchCode: String
    var required: [LinkChannel]
    var missing: [LinkChannel]
    var paths: Paths
    var csrfToken: String

    func content(_ language: Language) -> HTML {
        let steps: [HTML] = required.map { channel in
            let done = !missing.contains(channel)
            return "<li data-step=\"\(channel.rawValue)\" data-done-text=\"\(Text.channelStep(channel, done: true).string(language))\" class=\"\(done ? "done" : "pending")\">\(Text.channelStep(channel, done: done).string(language))</li>"
        }
        if !missing.isEmpty {
            return """
                <h1>\(Text.welcomePendingTitle.string(language))</h1>
                <ul class="steps">\(steps)</ul>
                <p class="lead">\(Text.welcomePendingLead.string(language))</p>
                <p>\(Text.matchCodeHint.string(language))</p>
                <p class="match-code">\(matchCode)</p>
                <div class="waiting" role="status"><span class="spinner" aria-hidden="true"></span> \(Text.waiting.string(language))</div>
                """
        }
        let proofs: HTML = required.count > 1 ? "<ul class=\"steps\">\(steps)</ul>\n" : .empty
        return """
            <h1>\(Text.welcomeTitle.string(language))</h1>
            <p class="lead">\(Text.welcomeLead(workspace: workspaceName).string(language))</p>
            \(proofs)<form method="post" action="\(paths.welcome)" class="stack">
            \(csrfField(csrfToken))
            <button type="submit" class="primary">\(Text.finish.string(language))</button>
            </form>
            """
    }
}
