import FastCGI
import KonfidentCore
import KonfidentStore

/// Everything a handler needs about one request: the request, its workspace, its language,
/// the time, and the cookies to set on the way out. Lives for one request on one thread.
final class Context {
    let request: Request
    let workspace: Workspace
    let route: Route
    let now: Int64
    /// Worked out when a page first needs it: the JSON polls never do.
    lazy var language: Language = chosenLanguage ?? Context.language(of: request)
    /// The language picked with the switch on the page (`?lang=`), to be remembered in a cookie.
    let chosenLanguage: Language?
    let paths: Paths
    /// The pre-session id: from the cookie, or new (then set on the response).
    let preSession: String
    let preSessionIsNew: Bool
    var setCookies: [String] = []
    private var loadedSession: StoredSession??

    init(request: Request, workspace: Workspace, route: Route, now: Int64, random: any RandomSource) {
        self.request = request
        self.workspace = workspace
        self.route = route
        self.now = now
        self.paths = Paths(prefix: workspace.url.pathPrefix)
        self.chosenLanguage = Context.queryLanguage(request)
        if let existing = request.cookie(Cookie.name(.preSession, in: workspace)), Base64URL.isWellFormed(existing, length: 43...43) {
            preSession = existing
            preSessionIsNew = false
        } else {
            preSession = Base64URL.encode(random.bytes(32))
            preSessionIsNew = true
        }
    }

    /// The value of one of the responder's cookies, by its name in this workspace.
    func cookie(_ name: CookieName) -> String? {
        request.cookie(Cookie.name(name, in: workspace))
    }

    /// What a cookie that binds a record to this browser points at (an attempt, an accepted
    /// invitation, a BankID order), with the cookie's secret. Only the secret's SHA-256 is stored:
    /// `find` looks the record up by it, and the hash the record holds is compared again in constant
    /// time.
    func bound<T>(_ name: CookieName, find: ([UInt8]) throws -> T?, hash boundHash: (T) -> [UInt8]?) rethrows -> (T, String)? {
        guard let secret = cookie(name), Base64URL.isWellFormed(secret, length: 43...43) else { return nil }
        let hash = Secret.hash(secret)
        guard let record = try find(hash), let bound = boundHash(record), Secret.constantTimeEquals(bound, hash) else {
            return nil
        }
        return (record, secret)
    }

    /// `bound` for a cookie of the form `ID.SECRET` (`SplitToken`): `find` reads the record by its
    /// id, and the hash it holds must be the secret's.
    func bound<T>(_ name: CookieName, findByID find: (Int64) throws -> T?, hash boundHash: (T) -> [UInt8]?) rethrows -> T? {
        guard let value = cookie(name), let token = SplitToken(parsing: value) else { return nil }
        guard let record = try find(token.id), let bound = boundHash(record),
              Secret.constantTimeEquals(bound, Secret.hash(token.secret)) else { return nil }
        return record
    }

    func setCookie(_ name: CookieName, _ value: String, maxAge: Int64?) {
        setCookies.append(Cookie.header(Cookie.name(name, in: workspace), value, maxAge: maxAge))
    }

    func deleteCookie(_ name: CookieName) {
        setCookies.append(Cookie.deletion(Cookie.name(name, in: workspace)))
    }

    /// `?lang=` (the switch on the page), then the cookie it sets, then `Accept-Language`.
    static func language(of request: Request) -> Language {
        if let chosen = queryLanguage(request) { return chosen }
        if let cookie = request.cookie(CookieName.language.rawValue), let language = Language(rawValue: cookie) {
            return language
        }
        return Language(acceptLanguage: request.header("Accept-Language"))
    }

    static func queryLanguage(_ request: Request) -> Language? {
        guard !request.query.isEmpty, let form = try? URLEncodedForm(decoding: request.query, maximumFields: 16),
              let value = form["lang"] else { return nil }
        return Language(rawValue: value)
    }

    /// The signed-in session, looked up once.
    func session(store: Store, settings: Settings) throws -> StoredSession? {
        if let loadedSession { return loadedSession }
        var found: StoredSession? = nil
        if let cookie = cookie(.session), Base64URL.isWellFormed(cookie, length: 43...43) {
            found = try store.session(hash: Secret.hash(cookie), workspaceID: workspace.id,
                                      idleTimeout: settings.sessionIdle, at: now)
        }
        loadedSession = .some(found)
        return found
    }

    func page(_ title: String, _ content: HTML, refresh: Int? = nil, refreshTo target: String? = nil,
              script: String? = nil, mainAttributes: HTML = .empty, languageSwitch: String? = nil, wide: Bool = false,
              statusCode: Int? = nil) -> HTML {
        Page(title: title, language: language, workspaceName: workspace.name, homePath: paths.home,
             languageSwitchPath: languageSwitch, content: content, refreshSeconds: refresh, refreshTarget: target,
             script: script, mainAttributes: mainAttributes, wide: wide, statusCode: statusCode).render()
    }
}
