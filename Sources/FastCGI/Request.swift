#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

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
    /// Every variable, kept as the bytes that came; the few a page reads become strings when asked.
    private let variables: CGIVariables
    /// `HTTP_COOKIE`, searched when a cookie is asked for: a request carries a handful and a page
    /// asks for two or three, so a parsed list would cost more to build than to search.
    private let cookieHeader: String

    public init(variables: [String: String], body: [UInt8] = [], bodyProblem: BodyProblem? = nil) {
        self.init(variables: CGIVariables(variables), body: body, bodyProblem: bodyProblem)
    }

    init(variables: CGIVariables, body: [UInt8] = [], bodyProblem: BodyProblem? = nil) {
        self.variables = variables
        let known = variables.known
        self.method = Request.uppercasedMethod(known.requestMethod ?? "GET")
        let scriptName = known.scriptName ?? ""
        let pathInfo = known.pathInfo ?? ""
        let joined = pathInfo.isEmpty ? scriptName : scriptName + pathInfo
        self.path = joined.isEmpty ? "/" : joined
        self.query = known.queryString ?? ""
        self.host = Request.normalizedHost(known.httpHost ?? known.serverName ?? "")
        self.remoteAddress = known.remoteAddress ?? ""
        self.contentType = known.contentType ?? ""
        self.body = body
        self.bodyProblem = bodyProblem
        self.cookieHeader = known.httpCookie ?? ""
    }

    /// A CGI variable by its name, e.g. `SERVER_PROTOCOL`.
    public func variable(_ name: String) -> String? {
        variables.value(named: name)
    }

    /// A request header by its HTTP name, e.g. `header("Sec-Fetch-Site")`.
    public func header(_ name: String) -> String? {
        variables.value(ofHeader: name)
    }

    /// The value of the cookie `name`, if the request carries it once or more (the first wins).
    /// Only the first 64 cookies count.
    public func cookie(_ name: String) -> String? {
        guard !cookieHeader.isEmpty else { return nil }
        var header = cookieHeader
        return header.withUTF8 { bytes -> String? in
            var name = name
            return name.withUTF8 { wanted -> String? in
                var start = 0
                var seen = 0
                while start < bytes.count && seen < 64 {
                    var end = start
                    while end < bytes.count && bytes[end] != UInt8(ascii: ";") { end += 1 }
                    var pairStart = start
                    while pairStart < end && bytes[pairStart] == UInt8(ascii: " ") { pairStart += 1 }
                    var equals = pairStart
                    while equals < end && bytes[equals] != UInt8(ascii: "=") { equals += 1 }
                    if equals < end {
                        seen += 1
                        if equals - pairStart == wanted.count
                            && (wanted.isEmpty || memcmp(bytes.baseAddress! + pairStart, wanted.baseAddress!, wanted.count) == 0) {
                            return String(decoding: UnsafeBufferPointer(rebasing: bytes[(equals + 1)..<end]), as: UTF8.self)
                        }
                    }
                    start = end + 1
                }
                return nil
            }
        }
    }

    private static func uppercasedMethod(_ method: String) -> String {
        method.utf8.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) ? method.uppercased() : method
    }

    /// The host compared "without case and without a port" (DESIGN, fixed points).
    static func normalizedHost(_ raw: String) -> String {
        // Most requests carry a host that is already normal: lowercase, no port, no trailing dot.
        if raw.utf8.allSatisfy({ byte in
            byte != UInt8(ascii: ":") && byte != UInt8(ascii: "[") && !(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                && byte < 0x80
        }) && raw.utf8.last != UInt8(ascii: ".") {
            return raw
        }
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

/// The CGI variables of one request as the server handed them over: one buffer of `NAME=VALUE`
/// entries, searched by name when asked. A dictionary of some 40 strings per request cost more
/// than everything the login page does with the few it reads.
struct CGIVariables: Sendable {
    private struct Entry {
        var start: Int32
        var equals: Int32
        var end: Int32
    }

    /// The variables the request itself is made of, read in the one pass that copies them.
    struct Known {
        var requestMethod: String?
        var scriptName: String?
        var pathInfo: String?
        var queryString: String?
        var httpHost: String?
        var serverName: String?
        var remoteAddress: String?
        var contentType: String?
        var contentLength: String?
        var httpCookie: String?
    }

    private let bytes: [UInt8]
    private let entries: [Entry]
    let known: Known

    /// From a NULL-terminated list of `NAME=VALUE` C strings (libfcgi's `envp`, or `environ`).
    /// Entries without `=` are skipped.
    init(environment: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) {
        var count = 0
        var total = 0
        if var entry = environment {
            while let pointer = entry.pointee {
                total += strlen(pointer)
                count += 1
                entry += 1
            }
        }
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        let bytes = [UInt8](unsafeUninitializedCapacity: max(total, 1)) { buffer, initialized in
            var offset = 0
            if var entry = environment {
                while let pointer = entry.pointee {
                    let length = strlen(pointer)
                    if length > 0 { memcpy(buffer.baseAddress! + offset, pointer, length) }
                    if let equals = memchr(pointer, Int32(UInt8(ascii: "=")), length) {
                        let position = offset + (UnsafeRawPointer(equals) - UnsafeRawPointer(pointer))
                        entries.append(Entry(start: Int32(offset), equals: Int32(position), end: Int32(offset + length)))
                    }
                    offset += length
                    entry += 1
                }
            }
            initialized = offset
        }
        self.bytes = bytes
        self.entries = entries
        self.known = Self.readKnown(bytes, entries)
    }

    init(_ dictionary: [String: String]) {
        var bytes: [UInt8] = []
        var entries: [Entry] = []
        entries.reserveCapacity(dictionary.count)
        for (name, value) in dictionary where !name.utf8.contains(UInt8(ascii: "=")) {
            let start = bytes.count
            bytes.append(contentsOf: name.utf8)
            let equals = bytes.count
            bytes.append(UInt8(ascii: "="))
            bytes.append(contentsOf: value.utf8)
            entries.append(Entry(start: Int32(start), equals: Int32(equals), end: Int32(bytes.count)))
        }
        self.bytes = bytes
        self.entries = entries
        self.known = Self.readKnown(bytes, entries)
    }

    private static func readKnown(_ bytes: [UInt8], _ entries: [Entry]) -> Known {
        var known = Known()
        bytes.withUnsafeBufferPointer { buffer in
            func value(_ entry: Entry) -> String {
                String(decoding: UnsafeBufferPointer(rebasing: buffer[Int(entry.equals + 1)..<Int(entry.end)]), as: UTF8.self)
            }
            for entry in entries {
                let name = UnsafeBufferPointer(rebasing: buffer[Int(entry.start)..<Int(entry.equals)])
                // Dispatch on the length first: most variables are none of these.
                func named(_ known: StaticString) -> Bool {
                    memcmp(name.baseAddress!, known.utf8Start, name.count) == 0
                }
                switch name.count {
                case 9:
                    if named("PATH_INFO") { known.pathInfo = value(entry) }
                    else if named("HTTP_HOST") { known.httpHost = value(entry) }
                case 11:
                    if named("SCRIPT_NAME") { known.scriptName = value(entry) }
                    else if named("SERVER_NAME") { known.serverName = value(entry) }
                    else if named("REMOTE_ADDR") { known.remoteAddress = value(entry) }
                    else if named("HTTP_COOKIE") { known.httpCookie = value(entry) }
                case 12:
                    if named("QUERY_STRING") { known.queryString = value(entry) }
                    else if named("CONTENT_TYPE") { known.contentType = value(entry) }
                case 14:
                    if named("REQUEST_METHOD") { known.requestMethod = value(entry) }
                    else if named("CONTENT_LENGTH") { known.contentLength = value(entry) }
                default:
                    break
                }
            }
        }
        return known
    }

    /// The value of the variable `name`; of a repeated one, the last.
    func value(named name: String) -> String? {
        var name = name
        return name.withUTF8 { wanted in
            find { candidate in
                candidate.count == wanted.count
                    && (wanted.isEmpty || memcmp(candidate.baseAddress!, wanted.baseAddress!, wanted.count) == 0)
            }
        }
    }

    /// The value of the header `name` (`Sec-Fetch-Site` is `HTTP_SEC_FETCH_SITE`).
    func value(ofHeader name: String) -> String? {
        var name = name
        return name.withUTF8 { wanted in
            find { candidate in
                guard candidate.count == wanted.count + 5,
                      candidate[0] == UInt8(ascii: "H"), candidate[1] == UInt8(ascii: "T"), candidate[2] == UInt8(ascii: "T"),
                      candidate[3] == UInt8(ascii: "P"), candidate[4] == UInt8(ascii: "_")
                else { return false }
                for index in 0..<wanted.count {
                    let byte = wanted[index]
                    let upper: UInt8 = switch byte {
                    case UInt8(ascii: "-"): UInt8(ascii: "_")
                    case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - 32
                    default: byte
                    }
                    if candidate[index + 5] != upper { return false }
                }
                return true
            }
        }
    }

    private func find(_ matches: (UnsafeBufferPointer<UInt8>) -> Bool) -> String? {
        bytes.withUnsafeBufferPointer { buffer in
            for entry in entries.reversed() {
                let name = UnsafeBufferPointer(rebasing: buffer[Int(entry.start)..<Int(entry.equals)])
                if matches(name) {
                    return String(decoding: UnsafeBufferPointer(rebasing: buffer[Int(entry.equals + 1)..<Int(entry.end)]),
                                  as: UTF8.self)
                }
            }
            return nil
        }
    }
}
