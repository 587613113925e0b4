import FastCGI
import KonfidentCore
import KonfidentStore

extension Application {
    /// Screen 1 (signed out) or screen 8 (signed in): `GET /`.
    func home(_ context: Context) throws -> Response {
        if let session = try context.session(store: store, settings: settings) {
            let view = HomeView(workspaceName: context.workspace.name, memberName: session.member.displayName,
                                role: session.member.role, paths: context.paths, csrfToken: csrfToken(context))
            return html(context.page(context.workspace.name, view.content(context.language)))
        }
        return loginPage(context)
    }

    func loginPage(_ context: Context, email: String = "", error: Text? = nil, status: HTTPStatus = .ok) -> Response {
        let view = LoginView(workspaceName: context.workspace.name, paths: context.paths,
                             csrfToken: csrfToken(context), email: email, error: error,
                             simulatorApp: settings.bankID?.simulatorApp)
        let title = Text.logInTo(workspace: context.workspace.name).string(context.language)
        return html(context.page(title, view.content(context.language)), status: status)
    }

    /// Next on the login page: `POST /_konfident/login`. Records the attempt and its messages in one
    /// transaction and answers with the same waiting page whoever typed whatever address.
    func startSignIn(_ context: Context) throws -> Response {
        let form = try checkedForm(context)
        let typed = form[FormField.email.rawValue] ?? ""
        let email: EmailAddress
        do {
            email = try EmailAddress(parsing: typed)
        } catch {
            return loginPage(context, email: String(typed.prefix(254)), error: .invalidEmail, status: .badRequest)
        }
        // The attempt's three secrets from one call to the kernel: browser secret, nonce, match code.
        let fresh = random.bytes(32 + 16 + 3)
        let browserSecret = Base64URL.encode(Array(fresh[0..<32]))
        let nonce = Array(fresh[32..<48])
        let request = SignInRequest(
            workspace: context.workspace, email: email, browserHash: Secret.hash(browserSecret),
            matchCode: MatchCode(randomBytes: Array(fresh[48..<51])), nonce: nonce, language: context.language,
            ip: context.request.remoteAddress, userAgent: context.request.header("User-Agent") ?? "",
            lifetime: settings.linkLifetime, policy: settings.rateLimits)
        let stored: StoredAttempt
        do {
            stored = try store.startSignIn(request, at: context.now) { id, channel in
                Secret.hash(key.linkToken(purpose: .signIn, id: id, nonce: nonce, channel: channel))
            }
        } catch let hit as Store.RateLimitHit {
            throw tooManyRequests(hit, context)
        }
        // Only members' attempts queue messages; waking the worker for nothing would cost a write.
        if stored.memberID != nil { messageQueued() }
        // The cookie names the attempt, so that the waiting page finds it by its id (`SplitToken`).
        context.setCookie(.attempt, SplitToken(id: stored.id, secret: browserSecret).text, maxAge: settings.linkLifetime + 300)
        return redirect(context.paths.wait)
    }
}
