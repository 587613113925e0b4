// Test harness: the real `Application` over a real `Store` in a temporary directory, a clock the test
// moves, repeatable randomness, and a cookie-keeping client that sends what nginx would send.
import FastCGI
import Foundation
import KonfidentCore
import KonfidentStore
@testable import KonfidentWeb
import TestSupport

/// A clock the test sets and moves.
final class TestClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: Int64

    init(_ seconds: Int64 = 1_750_000_000) {
        self.seconds = seconds
    }

    func now() -> Int64 {
        lock.lock()
        defer { lock.unlock() }
        return seconds
    }

    func advance(by delta: Int64) {
        lock.lock()
        seconds += delta
        lock.unlock()
    }
}

/// The same bytes for the same seed, different bytes for every call (SplitMix64).
final class TestRandom: RandomSource, @unchecked Sendable {
    private let lock = NSLock()
    private var generator: SplitMix64

    init(seed: UInt64 = 0x5EED) {
        generator = SplitMix64(seed: seed)
    }

    func bytes(_ count: Int) -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            let z = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) where out.count < count {
                out.append(UInt8(truncatingIfNeeded: z >> UInt64(shift)))
            }
        }
        return out
    }
}

/// One application with its own database, clock and key.
final class TestApp: @unchecked Sendable {
    static let host = "acme.localhost:8443"
    static let origin = "https://acme.localhost:8443"

    let directory: URL
    let store: Store
    let key: ServerKey
    let clock: TestClock
    let random: TestRandom
    let app: Application
    let workspace: Workspace

    init(settings: Settings = Settings(), workspaceURL: String = "https://acme.localhost:8443/",
         workspaceName: String = "Acme", clock: TestClock = TestClock()) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("konfident-web-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(path: directory.appendingPathComponent("konfident.sqlite3").path)
        try store.migrate()
        key = ServerKey(bytes: Array(repeating: 0x42, count: 32))
        self.clock = clock
        random = TestRandom()
        app = Application(store: store, key: key, settings: settings, clock: clock, random: random)
        workspace = try store.createWorkspace(slug: "acme", name: workspaceName,
                                              url: WorkspaceURL(parsing: workspaceURL), at: clock.now())
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    @discardableResult
    func addMember(_ email: String, method: LoginMethod = .email, role: Role = .general,
                   phone: String? = nil, to workspace: Workspace? = nil) throws -> Member {
        try store.addMember(NewMember(email: EmailAddress(parsing: email),
                                      phone: try phone.map { try PhoneNumber(parsing: $0) },
                                      personnummer: nil, method: method, role: role),
                            to: workspace ?? self.workspace, at: clock.now())
    }

    func client(scriptName: String? = nil, language: String? = nil) -> Client {
        Client(app: self, scriptName: scriptName, acceptLanguage: language)
    }

    /// The number of queued messages (every state).
    func outboxCount() throws -> Int {
        try store.outboxStatuses().count
    }

    /// The attempt a client's attempt cookie points at, read back from the store.
    func attempt(of client: Client) throws -> StoredAttempt? {
        guard let value = client.cookies[Cookie.name(.attempt, in: workspace)], let token = SplitToken(parsing: value),
              let stored = try store.attempt(id: token.id, workspaceID: workspace.id),
              stored.browserHash == Secret.hash(token.secret) else { return nil }
        return stored
    }

    /// The email link of an attempt, derived the way the delivery worker derives it.
    func emailLinkPath(of attempt: StoredAttempt, channel: LinkChannel = .email) -> String {
        let token = key.linkToken(purpose: .signIn, id: attempt.id, nonce: attempt.nonce, channel: channel)
        return workspace.url.pathPrefix + "/_konfident/verify/" + SplitToken(id: attempt.id, secret: token).text
    }
}

/// What came back, with the bits tests look at.
struct Reply {
    let response: Response

    var status: Int { response.status.code }
    var text: String { String(decoding: response.body, as: UTF8.self) }
    var location: String? { response.header("Location") }

    func header(_ name: String) -> String? { response.header(name) }

    func headers(_ name: String) -> [String] {
        response.headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    var setCookies: [String] { headers("Set-Cookie") }

    /// The `Set-Cookie` value for `name`, if the response sets it.
    func setCookie(_ name: CookieName) -> String? {
        setCookies.first { $0.hasPrefix(name.rawValue + "=") }
    }

    /// The value of the first hidden input called `name`.
    func hiddenField(_ name: String) -> String? {
        Reply.attribute("value", ofInputNamed: name, in: text)
    }

    var csrf: String? { hiddenField("csrf") }
    var shown: String? { hiddenField("shown") }

    /// The text of the element with class `match-code`.
    var matchCode: String? {
        guard let start = text.range(of: "class=\"match-code\"") else { return nil }
        guard let open = text[start.upperBound...].firstIndex(of: ">") else { return nil }
        let after = text.index(after: open)
        guard let close = text[after...].range(of: "</") else { return nil }
        return String(text[after..<close.lowerBound])
    }

    /// Every `action="…"` of a form.
    var formActions: [String] {
        var found: [String] = []
        var rest = text[...]
        while let range = rest.range(of: "action=\"") {
            let tail = rest[range.upperBound...]
            guard let end = tail.firstIndex(of: "\"") else { break }
            found.append(String(tail[..<end]))
            rest = tail[end...]
        }
        return found
    }

    static func attribute(_ attribute: String, ofInputNamed name: String, in html: String) -> String? {
        var rest = html[...]
        while let tagStart = rest.range(of: "<input") {
            let tail = rest[tagStart.upperBound...]
            guard let tagEnd = tail.firstIndex(of: ">") else { return nil }
            let tag = tail[..<tagEnd]
            if tag.contains("name=\"\(name)\""), let valueStart = tag.range(of: "\(attribute)=\"") {
                let value = tag[valueStart.upperBound...]
                if let end = value.firstIndex(of: "\"") { return String(value[..<end]) }
            }
            rest = tail[tagEnd...]
        }
        return nil
    }
}

/// A browser: keeps cookies, remembers the last page's CSRF token and `shown` proof, and sends the
/// CGI variables nginx sends (stock `fastcgi_params`: `SCRIPT_NAME` is the URI, no `PATH_INFO`;
/// with `scriptName`, CGI-style: script path + path info).
final class Client: @unchecked Sendable {
    let app: TestApp
    var scriptName: String?
    var acceptLanguage: String?
    var remoteAddress = "192.0.2.10"
    var userAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    var cookies: [String: String] = [:]
    /// The order cookies were first set, so the `Cookie` header is stable.
    private var cookieOrder: [String] = []
    private(set) var csrf: String?
    private(set) var shown: String?
    private(set) var last: Reply?

    init(app: TestApp, scriptName: String?, acceptLanguage: String?) {
        self.app = app
        self.scriptName = scriptName
        self.acceptLanguage = acceptLanguage
    }

    /// Cookies the server set, in their order, then those a test put into `cookies` itself (a
    /// forged cookie must reach the server, or a test of it proves nothing).
    var cookieHeader: String? {
        let names = cookieOrder + cookies.keys.filter { !cookieOrder.contains($0) }.sorted()
        let pairs = names.compactMap { name in cookies[name].map { "\(name)=\($0)" } }
        return pairs.isEmpty ? nil : pairs.joined(separator: "; ")
    }

    func variables(method: String, target: String, extra: [String: String?] = [:]) -> [String: String] {
        let (path, query) = Client.split(target)
        var variables: [String: String] = [
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REQUEST_METHOD": method,
            "REQUEST_URI": target,
            "QUERY_STRING": query,
            "HTTP_HOST": TestApp.host,
            "SERVER_NAME": "acme.localhost",
            "SERVER_PORT": "8443",
            "HTTPS": "on",
            "REMOTE_ADDR": remoteAddress,
            "HTTP_USER_AGENT": userAgent,
        ]
        if let scriptName, path.hasPrefix(scriptName) {
            variables["SCRIPT_NAME"] = scriptName
            variables["PATH_INFO"] = String(path.dropFirst(scriptName.count))
        } else {
            variables["SCRIPT_NAME"] = path
        }
        if let acceptLanguage { variables["HTTP_ACCEPT_LANGUAGE"] = acceptLanguage }
        if let cookieHeader { variables["HTTP_COOKIE"] = cookieHeader }
        for (name, value) in extra {
            if let value { variables[name] = value } else { variables.removeValue(forKey: name) }
        }
        return variables
    }

    static func split(_ target: String) -> (path: String, query: String) {
        guard let mark = target.firstIndex(of: "?") else { return (target, "") }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    @discardableResult
    func send(_ variables: [String: String], body: [UInt8] = [], bodyProblem: Request.BodyProblem? = nil) -> Reply {
        let reply = Reply(response: app.app.respond(to: Request(variables: variables, body: body, bodyProblem: bodyProblem)))
        keep(reply)
        return reply
    }

    @discardableResult
    func get(_ target: String, headers: [String: String?] = [:]) -> Reply {
        send(variables(method: "GET", target: target, extra: headers))
    }

    @discardableResult
    func head(_ target: String, headers: [String: String?] = [:]) -> Reply {
        send(variables(method: "HEAD", target: target, extra: headers))
    }

    /// A form POST as a browser sends it from one of our pages: same-origin, urlencoded.
    @discardableResult
    func post(_ target: String, _ fields: [(String, String)], headers: [String: String?] = [:]) -> Reply {
        let body = Client.encode(fields)
        var extra: [String: String?] = [
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": String(body.count),
            "HTTP_ORIGIN": TestApp.origin,
            "HTTP_SEC_FETCH_SITE": "same-origin",
        ]
        extra.merge(headers) { _, new in new }
        return send(variables(method: "POST", target: target, extra: extra), body: body)
    }

    /// A POST of a form from the last page: its CSRF token (and `shown` proof, if it had one) included.
    @discardableResult
    func submit(_ target: String, _ fields: [(String, String)] = [], headers: [String: String?] = [:]) -> Reply {
        var all = fields
        if let csrf { all.append(("csrf", csrf)) }
        if let shown { all.append(("shown", shown)) }
        return post(target, all, headers: headers)
    }

    static func encode(_ fields: [(String, String)]) -> [UInt8] {
        Array(fields.map { URLEncodedForm.encodeComponent($0.0) + "=" + URLEncodedForm.encodeComponent($0.1) }
            .joined(separator: "&").utf8)
    }

    private func keep(_ reply: Reply) {
        last = reply
        for header in reply.setCookies {
            let pair = header.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals])
            let value = String(pair[pair.index(after: equals)...])
            if header.contains("Max-Age=0") || value.isEmpty {
                cookies.removeValue(forKey: name)
            } else {
                if cookies[name] == nil && !cookieOrder.contains(name) { cookieOrder.append(name) }
                cookies[name] = value
            }
        }
        // The next `submit` posts the form of the last page that had one (error pages have none).
        if reply.header("Content-Type")?.hasPrefix("text/html") == true, let token = reply.csrf {
            csrf = token
            shown = reply.shown
        }
    }

    var isSignedIn: Bool {
        self.get("/_konfident/auth").status == 204
    }
}
