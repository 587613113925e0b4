import FastCGI
import KonfidentCore
import KonfidentStore

extension Application {
    /// The attempt this browser started, named by the attempt cookie (`ID.SECRET`).
    func browserAttempt(_ context: Context) throws -> StoredAttempt? {
        try context.bound(.attempt, findByID: { try store.attempt(id: $0, workspaceID: context.workspace.id) },
                          hash: \.browserHash)
    }

    /// Screen 2, "check your inbox": `GET /_konfident/wait`. Signs this browser in once the
    /// attempt is verified, wherever the link was opened.
    func waitingPage(_ context: Context) throws -> Response {
        guard let stored = try browserAttempt(context) else { return redirect(context.paths.home) }
        switch stored.attempt.waitingStatus(at: context.now) {
        case .verified:
            return try signIn(stored, context)
        case .pending:
            let view = WaitView(matchCode: stored.matchCode, validUntil: TimeFormat.clock(stored.attempt.expiresAt),
                                missing: stored.attempt.missingChannels, required: stored.attempt.requiredChannels.sorted(),
                                paths: context.paths, csrfToken: csrfToken(context))
            let poll: HTML = " data-poll=\"\(context.paths.waitStatus)\" data-next=\"\(context.paths.wait)\""
            return html(context.page(Text.checkInboxTitle.string(context.language), view.content(context.language),
                                     refresh: 3, script: "wait.js", mainAttributes: poll,
                                     languageSwitch: context.paths.wait))
        case .expired, .superseded, .cancelled, .completed:
            context.deleteCookie(.attempt)
            let view = MessageView(title: Text.checkInboxTitle.string(context.language),
                                   paragraphs: [Text.attemptEnded.string(context.language)],
                                   backLink: (Text.startAgain.string(context.language), context.paths.home))
            return html(context.page(Text.checkInboxTitle.string(context.language), view.content()))
        }
    }

    /// The waiting page's poll: `GET /_konfident/wait/status` → `{"state": …, "missing": […]}`.
    /// It reads only the columns the answer needs (`Store.attemptProgress`), not the whole attempt.
    func waitStatus(_ context: Context) throws -> Response {
        let progress = try context.bound(.attempt, findByID: {
            try store.attemptProgress(id: $0, workspaceID: context.workspace.id)
        }, hash: \.browserHash)
        let state = progress.map { $0.attempt.waitingStatus(at: context.now).rawValue } ?? "cancelled"
        // Which links are missing is told only once one was confirmed: before that, a member's
        // page must not differ from anybody else's.
        let shown = progress.flatMap { $0.attempt.confirmedChannels.isEmpty ? nil : $0.attempt.missingChannels } ?? []
        return pollAnswer(state: state, missing: shown)
    }

    /// What `www/wait.js` reads: `{"state": …, "missing": […]}`. The values are enum raw values,
    /// so nothing needs escaping; the answer is put together as bytes.
    func pollAnswer(state: String, missing: [LinkChannel]) -> Response {
        var json: [UInt8] = []
        json.reserveCapacity(48)
        json.append(contentsOf: #"{"state":""#.utf8)
        json.append(contentsOf: state.utf8)
        json.append(contentsOf: #"","missing":["#.utf8)
        for (index, channel) in missing.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            json.append(UInt8(ascii: "\""))
            json.append(contentsOf: channel.rawValue.utf8)
            json.append(UInt8(ascii: "\""))
        }
        json.append(contentsOf: "]}".utf8)
        return Response(status: .ok, headers: Self.jsonHeaders, body: json)
    }

    static let jsonHeaders: [(name: String, value: String)] = [("Content-Type", "application/json")]

    /// "Start again": `POST /_konfident/wait/cancel`.
    func cancelSignIn(_ context: Context) throws -> Response {
        _ = try checkedForm(context)
        if let stored = try browserAttempt(context) {
            try store.cancelAttempt(id: stored.id)
        }
        context.deleteCookie(.attempt)
        return redirect(context.paths.home)
    }

    /// Opens the session of a verified attempt in this browser, with a new session id.
    func signIn(_ stored: StoredAttempt, _ context: Context) throws -> Response {
        let sessionSecret = Base64URL.encode(random.bytes(32))
        do {
            _ = try store.completeSignIn(attemptID: stored.id, sessionHash: Secret.hash(sessionSecret),
                                         sessionLifetime: settings.sessionMaximum,
                                         ip: context.request.remoteAddress, at: context.now)
        } catch is SignInAttempt.Failure {
            context.deleteCookie(.attempt)
            return redirect(context.paths.home)
        }
        try endCurrentSession(context)
        context.setCookie(.session, sessionSecret, maxAge: settings.sessionMaximum)
        context.deleteCookie(.attempt)
        return redirect(context.paths.home)
    }
}
