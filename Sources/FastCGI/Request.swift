/// One request as the web server hands it over: the CGI variables (RFC 3875) and the body.
///
/// The path is `SCRIPT_NAME` + `PATH_INFO`, never `REQUEST_URI`: inside an nginx
/// `auth_request` subrequest `REQUEST_URI` is the client's URI, not the subrequest's.
public struct Request: Sendable {
    /// Why the body could not be read; the application turns it into an error page.
    public enum BodyProblem: Sendable, Equatable {
        case tooLarge(declared: Int)
        case malformedLength
        case truncated
    }

    public let method: String
    public let path: String
    public let query: String
    /// `HTTP_HOST` lowercased, without a port.
    public let host: String
    public let remoteAddress: String
    public let contentType: String
    public let body: [UInt8]
    public let bodyProblem: BodyProblem?
    private let variables: [String: String]
    /// The cookies, parsed once, in order; the first of a repeated name wins. A plain list:
    /// a request carries a handful, and a dictionary would cost more to build than to search.
    private let cookies: [(name: String, value: String)]

    public init(variables: [String: String], body: [UInt8] = [], bodyProblem: BodyProblem? = nil) {
        self.variables = variables
        self.method = (variables["REQUEST_METHOD"] ?? "GET").uppercased()
        let scriptName = variables["SCRIPT_NAME"] ?? ""
        let pathInfo = variables["PATH_INFO"] ?? ""
        let joined = scriptName + pathInfo
        self.path = joined.isEmpty ? "/" : joined
        self.query = variables["QUERY_STRING"] ?? ""
        self.host = Request.normalizedHost(variables["HTTP_HOST"] ?? variables["SERVER_NAME"] ?? "")
        self.remoteAddress = variables["REMOTE_ADDR"] ?? ""
        self.contentType = variables["CONTENT_TYPE"] ?? ""
        self.body = body
        self.bodyProblem = bodyProblem
        self.cookies = Request.parseCookies(variables["HTTP_COOKIE"])
    }

    /// A CGI variable by its name, e.g. `SERVER_PROTOCOL`.
    public func variable(_ name: String) -> String? {
        variables[name]
    }

    /// A request header by its HTTP name, e.g. `header("Sec-Fetch-Site")`.
    public func header(_ name: String) -> String? {
        let upper = name.utf8.map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "-"): UInt8(ascii: "_")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - 32
            default: byte
            }
        }
        let key = "HTTP_" + String(decoding: upper, as: UTF8.self)
        return variables[key]
    }

    /// The value of the cookie `name`, if the request carries it once or more (the first wins).
    public func cookie(_ name: String) -> String? {
        cookies.first { $0.name == name }?.value
    }

    private static func parseCookies(_ header: String?) -> [(name: String, value: String)] {
        guard let header, !header.isEmpty else { return [] }
        var cookies: [(name: String, value: String)] = []
        var utf8 = header.utf8[...]
        while !utf8.isEmpty && cookies.count < 64 {
            let end = utf8.firstIndex(of: UInt8(ascii: ";")) ?? utf8.endIndex
            let pair = utf8[..<end].drop(while: { $0 == UInt8(ascii: " ") })
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                cookies.append((String(Substring(pair[..<equals])), String(Substring(pair[pair.index(after: equals)...]))))
            }
            utf8 = end == utf8.endIndex ? utf8[end...] : utf8[utf8.index(after: end)...]
        }
        return cookies
    }

    /// The host compared "without case and without a port" (DESIGN, fixed points).
    static func normalizedHost(_ raw: String) -> String {
        var host = Substring(raw)
        if host.hasPrefix("[") {
            // An IPv6 literal keeps its brackets; only a port after "]" goes.
            if let close = host.firstIndex(of: "]") { host = host[...close] }
        } else if let colon = host.lastIndex(of: ":") {
            host = host[..<colon]
        }
        if host.hasSuffix(".") { host = host.dropLast() }
        return host.lowercased()
    }
}
