/// One response: status, headers in order, body; written as a CGI response with a `Status:` line
/// so that nginx passes the status through unchanged.
public struct Response: Sendable {
    public var status: HTTPStatus
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: HTTPStatus = .ok, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.name.lowercased() == name.lowercased() }
        headers.append((name, value))
    }

    public mutating func addHeader(_ name: String, _ value: String) {
        headers.append((name, value))
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The CGI header block followed by the body. `HEAD` requests get the headers only.
    public func serialized(omitBody: Bool = false) -> [UInt8] {
        // A header never carries CR or LF: they would split the response.
        func clean(_ text: String) -> String {
            text.utf8.contains(where: { $0 == 13 || $0 == 10 }) ? String(text.filter { $0 != "\r" && $0 != "\n" && $0 != "\r\n" }) : text
        }
        var head = "Status: \(status.code) \(status.reason)\r\n"
        head.reserveCapacity(1024)
        var hasLength = false
        for header in headers {
            if header.name.utf8.count == 14 && header.name.lowercased() == "content-length" { hasLength = true }
            head += clean(header.name)
            head += ": "
            head += clean(header.value)
            head += "\r\n"
        }
        if !hasLength { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        var out: [UInt8] = []
        out.reserveCapacity(head.utf8.count + (omitBody ? 0 : body.count))
        out.append(contentsOf: head.utf8)
        if !omitBody { out.append(contentsOf: body) }
        return out
    }
}

/// What the request loop calls for every request, whether it came over FastCGI or CGI.
public protocol Responder: Sendable {
    func respond(to request: Request) -> Response
}
