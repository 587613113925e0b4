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
        var out: [UInt8] = []
        out.reserveCapacity(body.count + 1024)
        func line(_ text: String) {
            // A header value never carries CR or LF: they would split the response.
            if text.utf8.contains(where: { $0 == 13 || $0 == 10 }) {
                for byte in text.utf8 where byte != 13 && byte != 10 { out.append(byte) }
            } else {
                out.append(contentsOf: text.utf8)
            }
            out.append(13)
            out.append(10)
        }
        line("Status: \(status.code) \(status.reason)")
        for header in headers {
            line("\(header.name): \(header.value)")
        }
        if header("Content-Length") == nil {
            line("Content-Length: \(body.count)")
        }
        out.append(13)
        out.append(10)
        if !omitBody { out.append(contentsOf: body) }
        return out
    }
}

/// What the request loop calls for every request, whether it came over FastCGI or CGI.
public protocol Responder: Sendable {
    func respond(to request: Request) -> Response
}
