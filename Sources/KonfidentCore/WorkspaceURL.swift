/// A workspace's registered address: `https://host[:port][/prefix]/`. Links in messages are built
/// from it, never from the request's Host, and requests are matched against its host and prefix.
public struct WorkspaceURL: Sendable, Hashable, CustomStringConvertible {
    public let scheme: String
    /// Lowercased, without a port.
    public let host: String
    public let port: Int?
    /// "" or "/a/b" (no trailing slash).
    public let pathPrefix: String

    public enum ParseError: Error, Equatable, Sendable {
        case invalid(String)
    }

    public init(parsing raw: String) throws(ParseError) {
        var rest = Substring(raw.trimmingSurroundingWhitespace())
        if rest.lowercased().hasPrefix("https://") {
            scheme = "https"
            rest = rest.dropFirst(8)
        } else if rest.lowercased().hasPrefix("http://") {
            scheme = "http"
            rest = rest.dropFirst(7)
        } else {
            throw .invalid("a workspace URL starts with https:// (or http://)")
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let path = rest[authorityEnd...]
        guard !path.contains("?"), !path.contains("#") else { throw .invalid("a workspace URL has no query or fragment") }
        var hostPart = authority
        var port: Int? = nil
        if let colon = authority.lastIndex(of: ":") {
            let digits = authority[authority.index(after: colon)...]
            guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                  let number = Int(digits), (1...65535).contains(number) else {
                throw .invalid("bad port in workspace URL")
            }
            port = number
            hostPart = authority[..<colon]
        }
        let host = hostPart.lowercased()
        let hostAllowed = host.utf8.allSatisfy { byte in
            (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || byte == 45 || byte == 46
        }
        guard !host.isEmpty, hostAllowed, !host.hasPrefix("."), !host.hasSuffix("."), !host.contains("..") else {
            throw .invalid("bad host in workspace URL")
        }
        var prefix = String(path)
        while prefix.hasSuffix("/") { prefix.removeLast() }
        guard !prefix.contains("//"), prefix.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            throw .invalid("bad path in workspace URL")
        }
        self.host = host
        self.port = (scheme == "https" && port == 443) || (scheme == "http" && port == 80) ? nil : port
        self.pathPrefix = prefix
    }

    /// `scheme://host[:port]`, as browsers send it in `Origin`.
    public var origin: String {
        if let port { "\(scheme)://\(host):\(port)" } else { "\(scheme)://\(host)" }
    }

    /// The canonical form, always ending in "/".
    public var description: String { origin + pathPrefix + "/" }

    /// An absolute link to `path` (which starts with "/") inside the workspace.
    public func link(_ path: String) -> String { origin + pathPrefix + path }

    /// The part of a request path inside this workspace, or nil when the path is outside it.
    public func localPath(of requestPath: String) -> String? {
        if pathPrefix.isEmpty { return requestPath }
        if requestPath == pathPrefix { return "/" }
        if requestPath.hasPrefix(pathPrefix + "/") { return String(requestPath.dropFirst(pathPrefix.count)) }
        return nil
    }
}
