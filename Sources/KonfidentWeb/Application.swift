import FastCGI
import KonfidentCore
import KonfidentStore
import Logging

/// The whole web application: one `respond(to:)` for FastCGI and CGI alike.
public final class Application: Responder, Sendable {
    let store: Store
    let key: ServerKey
    let settings: Settings
    let clock: any Clock
    let random: any RandomSource
    let logger: Logger
    /// Called after a transaction queued a message, to wake the delivery worker.
    let messageQueued: @Sendable () -> Void

    public init(store: Store, key: ServerKey, settings: Settings, clock: any Clock = SystemClock(),
                random: any RandomSource = SystemRandom(), logger: Logger = Logger(label: "konfident"),
                messageQueued: @escaping @Sendable () -> Void = {}) {
        self.store = store
        self.key = key
        self.settings = settings
        self.clock = clock
        self.random = random
        self.logger = logger
        self.messageQueued = messageQueued
    }

    public func respond(to request: Request) -> Response {
        let now = clock.now()
        var context: Context? = nil
        var resolved: Workspace? = nil
        var response: Response
        do {
            guard let (workspace, localPath) = try store.resolveWorkspace(host: request.host, path: request.path, at: now) else {
                throw HTTPError(.unknownWorkspace)
            }
            resolved = workspace
            guard let route = Route(path: localPath) else { throw HTTPError(.notFound) }
            let current = Context(request: request, workspace: workspace, route: route, now: now, random: random)
            context = current
            if !route.answersAnyRequest {
                guard route.methods.contains(request.method) else {
                    throw HTTPError(.methodNotAllowed(allowed: route.methods))
                }
                switch request.bodyProblem {
                case .tooLarge: throw HTTPError(.contentTooLarge)
                case .malformedLength, .truncated: throw HTTPError(.badRequest)
                case nil: break
                }
            }
            response = try handle(route, current)
        } catch let error as HTTPError {
            response = errorPage(error, workspace: resolved, context: context, request: request)
        } catch {
            logger.error("request failed", metadata: ["error": "\(error)"])
            response = errorPage(HTTPError(.internalError), workspace: resolved, context: context, request: request)
        }
        finish(&response, context: context)
        return response
    }

    private func handle(_ route: Route, _ context: Context) throws -> Response {
        switch route {
        case .home: try home(context)
        case .login: try startSignIn(context)
        case .wait: try waitingPage(context)
        case .waitStatus: try waitStatus(context)
        case .waitCancel: try cancelSignIn(context)
        case let .verify(link):
            context.request.method == "POST" ? try confirmLink(link, context) : try linkPage(link, context)
        case .verifyWithoutID: throw HTTPError(.linkGone(reason: .errorBody(410)))
        case .signOut: try signOut(context)
        case .auth: try authorize(context)
        case .bankID: context.request.method == "POST" ? try startBankID(context) : try bankIDPage(context)
        case .bankIDQR: try bankIDQRCode(context)
        case .bankIDStatus: try bankIDStatus(context)
        case .bankIDCancel: try cancelBankID(context)
        case .welcomeBankID: try startInvitationBankID(context)
        case .members: try membersPage(context)
        case .invite: try invite(context)
        case let .member(id, action): try administer(memberID: id, action: action, context)
        case let .invitation(token):
            context.request.method == "POST" ? try acceptInvitation(token: token, context) : try invitationPage(token: token, context)
        case .welcome: context.request.method == "POST" ? try finish(context) : try welcomePage(context)
        case .welcomeStatus: try welcomeStatus(context)
        }
    }

    /// Headers every response carries (DESIGN §2), plus the cookies the handler asked for.
    private func finish(_ response: inout Response, context: Context?) {
        let linkPage = context?.route.isLinkPage ?? false
        // Handlers never set these: appended, not searched for.
        response.headers.append(contentsOf: linkPage ? Self.linkPageHeaders : Self.pageHeaders)
        guard let context else { return }
        if context.preSessionIsNew && response.header("Content-Type")?.hasPrefix("text/html") == true {
            context.setCookie(.preSession, context.preSession, maxAge: nil)
        }
        if let chosen = context.chosenLanguage {
            context.setCookie(.language, chosen.rawValue, maxAge: 365 * 86_400)
        }
        for cookie in context.setCookies {
            response.addHeader("Set-Cookie", cookie)
        }
    }

    static let securityHeaders: [(name: String, value: String)] = [
        ("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cache-Control", "no-store"),
    ]
    static let pageHeaders = securityHeaders + [("Referrer-Policy", "same-origin")]
    static let linkPageHeaders = securityHeaders + [("Referrer-Policy", "no-referrer")]

    // MARK: - Building responses

    func html(_ body: HTML, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: body.bytes)
    }

    func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [("Location", location), ("Content-Type", "text/plain; charset=utf-8")])
    }

    /// The 429 of a rate limit's hit: the page and `Retry-After` say when its window ends.
    func tooManyRequests(_ hit: Store.RateLimitHit, _ context: Context) -> HTTPError {
        HTTPError(.tooManyRequests(retryAfter: settings.rateLimits.limits[hit.kind]?.secondsLeft(at: context.now) ?? 60))
    }

    /// The page of an error, inside its workspace when the request reached one.
    func errorPage(_ error: HTTPError, workspace: Workspace?, context: Context?, request: Request) -> Response {
        if error.kind == .signInRequired {
            return redirect(workspace.map { Paths(prefix: $0.url.pathPrefix).home } ?? "/")
        }
        let language = context?.language ?? Context.language(of: request)
        let code = error.status.code
        var title = Text.errorTitle(code).string(language)
        var paragraphs = [Text.errorBody(code).string(language)]
        switch error.kind {
        case .crossSite: paragraphs = [Text.forbiddenCrossSite.string(language)]
        case .badCSRFToken: paragraphs = [Text.forbiddenToken.string(language)]
        case let .linkGone(reason): paragraphs = [reason.string(language)]
        case let .unavailable(heading, body):
            title = heading.string(language)
            paragraphs = [body.string(language)]
        case .unknownWorkspace:
            title = Text.unknownWorkspace.string(language)
            paragraphs = [Text.unknownWorkspaceBody.string(language)]
        case let .tooManyRequests(seconds):
            paragraphs = [Text.tryAgainIn(minutes: (seconds + 59) / 60).string(language)]
        default: break
        }
        let home = workspace.map { Paths(prefix: $0.url.pathPrefix).home } ?? "/"
        // The way back: none without a workspace (its root is this same page), the workspace for a
        // member signed in, else its login page.
        let signedIn = context.map { (try? $0.session(store: store, settings: settings)) != nil } ?? false
        let back = workspace == nil ? nil : (signedIn ? Text.backToWorkspace : Text.backToLogin).string(language)
        let view = MessageView(title: title, paragraphs: paragraphs, backLink: back.map { ($0, home) })
        let page = Page(title: title, language: language, workspaceName: workspace?.name, homePath: home,
                        content: view.content(), statusCode: code).render()
        var response = html(page, status: error.status)
        if case let .methodNotAllowed(allowed) = error.kind {
            response.setHeader("Allow", allowed.joined(separator: ", "))
        }
        if case let .tooManyRequests(seconds) = error.kind {
            response.setHeader("Retry-After", String(seconds))
        }
        return response
    }
}
