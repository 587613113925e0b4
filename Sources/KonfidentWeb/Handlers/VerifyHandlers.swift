import FastCGI
import KonfidentCore
import KonfidentStore

extension Application {
    /// The attempt behind a link, or the page that says why the link does not work.
    private func linkedAttempt(_ link: SplitToken, _ context: Context) throws -> (StoredAttempt, LinkChannel) {
        guard let (stored, channel) = try store.attempt(link: link, workspaceID: context.workspace.id) else {
            // Unknown: the same words as for an old link, never whether the token ever existed.
            throw HTTPError(.linkGone(reason: .errorBody(410)))
        }
        let status = stored.attempt.status(at: context.now)
        switch status {
        case .expired: throw HTTPError(.linkGone(reason: .linkExpired))
        case .superseded: throw HTTPError(.linkGone(reason: .linkSuperseded))
        case .cancelled: throw HTTPError(.linkGone(reason: .attemptEnded))
        case .completed, .verified: throw HTTPError(.linkGone(reason: .linkUsed))
        case .pending:
            if stored.attempt.confirmedChannels.contains(channel) { throw HTTPError(.linkGone(reason: .linkUsed)) }
        }
        return (stored, channel)
    }

    /// Proof that this browser was shown the link page (and its match code) before it pressed the button.
    private func shownProof(_ stored: StoredAttempt, _ channel: LinkChannel, _ context: Context) -> String {
        Base64URL.encode(key.authenticate("shown|\(stored.id)|\(channel.rawValue)|" + context.preSession))
    }

    /// Screen 3, "Verify Identity": `GET /_konfident/verify/ID.TOKEN`. Shows; never consumes.
    func linkPage(_ link: SplitToken, _ context: Context) throws -> Response {
        let (stored, channel) = try linkedAttempt(link, context)
        let view = VerifyView(workspaceName: context.workspace.name, matchCode: stored.matchCode,
                              requestedAt: TimeFormat.local(stored.attempt.createdAt),
                              browser: Browser.describe(userAgent: stored.userAgent),
                              action: context.paths.verify(link), csrfToken: csrfToken(context),
                              shownProof: shownProof(stored, channel, context))
        return html(context.page(Text.verifyTitle.string(context.language), view.content(context.language),
                                 languageSwitch: context.paths.verify(link)))
    }

    /// Screen 4: the POST of Verify Identity confirms the link, once.
    func confirmLink(_ link: SplitToken, _ context: Context) throws -> Response {
        let form = try checkedForm(context)
        let (stored, channel) = try linkedAttempt(link, context)
        guard let proof = form[FormField.shown.rawValue],
              Secret.constantTimeEquals(proof, shownProof(stored, channel, context))
        else { throw refuse(.badCSRFToken, context, outcome: "shown") }
        let confirmed: StoredAttempt
        do {
            confirmed = try store.confirmLink(attemptID: stored.id, channel: channel,
                                              ip: context.request.remoteAddress, at: context.now)
        } catch let failure as SignInAttempt.Failure {
            switch failure {
            case .expired: throw HTTPError(.linkGone(reason: .linkExpired))
            case .superseded: throw HTTPError(.linkGone(reason: .linkSuperseded))
            case .cancelled: throw HTTPError(.linkGone(reason: .attemptEnded))
            case .alreadyUsed, .channelNotRequired: throw HTTPError(.linkGone(reason: .linkUsed))
            }
        }
        let outcome: CompletedView.Outcome
        if let missing = confirmed.attempt.missingChannels.first {
            outcome = .stillMissing(missing)
        } else if let mine = try browserAttempt(context), mine.id == confirmed.id {
            _ = try signIn(confirmed, context)
            outcome = .signedInHere
        } else {
            outcome = .openInOriginalWindow
        }
        let view = CompletedView(outcome: outcome, matchCode: confirmed.matchCode, paths: context.paths)
        // Signed in here: the page says "Verification completed" and goes on to the workspace by
        // itself after a moment (DESIGN §1, screen 4); the button is for the impatient.
        let refresh = outcome == .signedInHere ? 3 : nil
        return html(context.page(Text.verificationCompleted.string(context.language), view.content(context.language),
                                 refresh: refresh, refreshTo: refresh.map { _ in context.paths.home }))
    }
}
