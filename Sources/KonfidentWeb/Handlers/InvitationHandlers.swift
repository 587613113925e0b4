import FastCGI
import KonfidentCore
import KonfidentStore

extension Application {
    /// The invitation behind a link token, or the page that says why the link does not work.
    private func linkedInvitation(token: String, _ context: Context) throws -> (StoredInvitation, LinkChannel) {
        guard let (stored, channel) = try store.invitation(tokenHash: Secret.hash(token), workspaceID: context.workspace.id) else {
            // Unknown: the same words as for an old link, never whether the token ever existed.
            throw HTTPError(.linkGone(reason: .errorBody(410)))
        }
        switch stored.invitation.status(at: context.now) {
        case .expired: throw HTTPError(.linkGone(reason: .linkExpired))
        case .superseded: throw HTTPError(.linkGone(reason: .linkSuperseded))
        case .revoked: throw HTTPError(.linkGone(reason: .invitationEnded))
        case .accepted, .completed: throw HTTPError(.linkGone(reason: .linkUsed))
        case .pending:
            if stored.invitation.confirmedChannels.contains(channel) { throw HTTPError(.linkGone(reason: .linkUsed)) }
            if channel == .sms && !stored.invitation.confirmedChannels.contains(.email) {
                throw HTTPError(.linkGone(reason: .invitationEnded))
            }
        }
        return (stored, channel)
    }

    private func invitationShownProof(_ stored: StoredInvitation, _ channel: LinkChannel, _ context: Context) -> String {
        Base64URL.encode(key.authenticate("invitation-shown|\(stored.id)|\(channel.rawValue)|" + context.preSession))
    }

    /// Screen 5, "Accept invitation": `GET /_konfident/invitation/TOKEN`. Shows; never consumes.
    func invitationPage(token: String, _ context: Context) throws -> Response {
        let (stored, channel) = try linkedInvitation(token: token, context)
        guard let member = try store.member(id: stored.memberID) else { throw HTTPError(.linkGone(reason: .invitationEnded)) }
        let inviter = try stored.invitedBy.flatMap { try store.member(id: $0) }?.displayName
        let view = InvitationView(channel: channel, workspaceName: context.workspace.name, inviter: inviter,
                                  invitee: member.displayName, method: member.method, matchCode: stored.matchCode,
                                  action: context.paths.invitation(token), csrfToken: csrfToken(context),
                                  shownProof: invitationShownProof(stored, channel, context))
        let title = channel == .sms ? Text.invitationSMSTitle : Text.invitationTitle
        return html(context.page(title.string(context.language), view.content(context.language),
                                 languageSwitch: context.paths.invitation(token)))
    }

    /// Accept invitation (email link) or confirm the SMS link: `POST /_konfident/invitation/TOKEN`.
    func acceptInvitation(token: String, _ context: Context) throws -> Response {
        let form = try checkedForm(context)
        let (stored, channel) = try linkedInvitation(token: token, context)
        guard let proof = form[FormField.shown.rawValue],
              Secret.constantTimeEquals(proof, invitationShownProof(stored, channel, context))
        else { throw refuse(.badCSRFToken, context, outcome: "shown") }
        var browserSecret: String? = nil
        if channel == .email { browserSecret = Base64URL.encode(random.bytes(32)) }
        let accepted: StoredInvitation
        do {
            accepted = try store.acceptInvitation(id: stored.id, channel: channel, browserHash: browserSecret.map(Secret.hash),
                                                  language: context.language, policy: settings.rateLimits,
                                                  ip: context.request.remoteAddress, at: context.now)
        } catch let hit as Store.RateLimitHit {
            throw tooManyRequests(hit, context)
        } catch let failure as Invitation.Failure {
            switch failure {
            case .expired: throw HTTPError(.linkGone(reason: .linkExpired))
            case .superseded: throw HTTPError(.linkGone(reason: .linkSuperseded))
            case .revoked, .emailFirst, .notAccepted: throw HTTPError(.linkGone(reason: .invitationEnded))
            case .alreadyUsed, .channelNotRequired: throw HTTPError(.linkGone(reason: .linkUsed))
            }
        }
        messageQueued()
        if let browserSecret {
            context.setCookie(.invitation, browserSecret, maxAge: settings.invitationLifetime)
            return redirect(context.paths.welcome)
        }
        // The SMS link: in the browser that accepted the invitation, Finish is next; elsewhere, say so.
        if let mine = try browserInvitation(context), mine.id == accepted.id {
            return redirect(context.paths.welcome)
        }
        let view = MessageView(title: Text.verificationCompleted.string(context.language),
                               paragraphs: [Text.smsConfirmedElsewhere.string(context.language)], backLink: nil)
        return html(context.page(Text.verificationCompleted.string(context.language), view.content()))
    }

    /// The invitation this browser accepted, found by the invitation cookie.
    func browserInvitation(_ context: Context) throws -> StoredInvitation? {
        try context.bound(.invitation, find: { try store.invitation(browserHash: $0, workspaceID: context.workspace.id) },
                          hash: \.browserHash)?.0
    }

    /// Screen 6: `GET /_konfident/welcome`: what is still missing (2FA), then "You're all set" and Finish.
    func welcomePage(_ context: Context) throws -> Response {
        guard let stored = try browserInvitation(context) else { return redirect(context.paths.home) }
        let status = stored.invitation.status(at: context.now)
        guard status == .pending || status == .accepted else {
            context.deleteCookie(.invitation)
            if status == .completed { return redirect(context.paths.home) }
            throw HTTPError(.linkGone(reason: status == .expired ? .linkExpired : .invitationEnded))
        }
        if stored.invitation.awaitsBankID(at: context.now) {
            let member = try store.member(id: stored.memberID)
            let view = WelcomeBankIDView(workspaceName: context.workspace.name,
                                         knownPersonnummer: member?.personnummer.map(Personnummer.masked(digits:)),
                                         paths: context.paths, csrfToken: csrfToken(context))
            return html(context.page(Text.welcomeBankIDTitle.string(context.language), view.content(context.language),
                                     languageSwitch: context.paths.welcome))
        }
        let view = WelcomeView(workspaceName: context.workspace.name, matchCode: stored.matchCode,
                               required: stored.invitation.requiredChannels.sorted(),
                               missing: stored.invitation.missingChannels, paths: context.paths, csrfToken: csrfToken(context))
        if status == .pending {
            let poll: HTML = " data-poll=\"\(context.paths.welcomeStatus)\" data-next=\"\(context.paths.welcome)\""
            return html(context.page(Text.welcomePendingTitle.string(context.language), view.content(context.language),
                                     refresh: 3, script: "wait.js", mainAttributes: poll, languageSwitch: context.paths.welcome))
        }
        return html(context.page(Text.welcomeTitle.string(context.language), view.content(context.language),
                                 languageSwitch: context.paths.welcome))
    }

    /// The welcome page's poll: `{"state": "pending"|"accepted"|…, "missing": […]}`.
    func welcomeStatus(_ context: Context) throws -> Response {
        let stored = try browserInvitation(context)
        let state = stored.map { $0.invitation.status(at: context.now).rawValue } ?? "revoked"
        return pollAnswer(state: state, missing: stored?.invitation.missingChannels ?? [])
    }

    /// Finish: `POST /_konfident/welcome`. The membership becomes active; this browser is signed in.
    func finish(_ context: Context) throws -> Response {
        _ = try checkedForm(context)
        guard let stored = try browserInvitation(context) else { return redirect(context.paths.home) }
        let sessionSecret = Base64URL.encode(random.bytes(32))
        do {
            _ = try store.finishInvitation(id: stored.id, sessionHash: Secret.hash(sessionSecret),
                                           sessionLifetime: settings.sessionMaximum,
                                           ip: context.request.remoteAddress, at: context.now)
        } catch let failure as Invitation.Failure {
            switch failure {
            case .expired: throw HTTPError(.linkGone(reason: .linkExpired))
            case .notAccepted: return redirect(context.paths.welcome)
            default: throw HTTPError(.linkGone(reason: .invitationEnded))
            }
        }
        try endCurrentSession(context)
        context.setCookie(.session, sessionSecret, maxAge: settings.sessionMaximum)
        context.deleteCookie(.invitation)
        return redirect(context.paths.home)
    }
}
