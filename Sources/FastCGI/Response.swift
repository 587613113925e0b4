#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

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
        headers.removeAll { Self.sameName($0.name, name) }
        headers.append((name, value))
    }

    public mutating func addHeader(_ name: String, _ value: String) {
        headers.append((name, value))
    }

    public func header(_ name: String) -> String? {
        headers.first { Self.sameName($0.name, name) }?.value
    }

    /// Header names compare without case (ASCII), with no new strings.
    static func sameName(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        return a.utf8.elementsEqual(b.utf8) { x, y in
            x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= UInt8(ascii: "a") && (x | 0x20) <= UInt8(ascii: "z"))
        }
    }

    /// The CGI header block followed by the body. `HEAD` requests get the headers only.
    public func serialized(omitBody: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        var headLength = 64
        for header in headers { headLength += header.name.utf8.count + header.value.utf8.count + 4 }
        out.reserveCapacity(headLength + (omitBody ? 0 : body.count))
        out.append(contentsOf: "Status: ".utf8)
        Self.appendDecimal(status.code, to: &out)
        out.append(UInt8(ascii: " "))
        Self.appendClean(status.reason, to: &out)
        out.append(13)
        out.append(10)
        var hasLength = false
        for header in headers {
            if !hasLength && Self.sameName(header.name, "Content-Length") { hasLength = true }
            Self.appendClean(header.name, to: &out)
            out.append(UInt8(ascii: ":"))
            out.append(UInt8(ascii: " "))
            Self.appendClean(header.value, to: &out)
            out.append(13)
            out.append(10)
        }
        if !hasLength {
            out.append(contentsOf: "Content-Length: ".utf8)
            Self.appendDecimal(body.count, to: &out)
            out.append(13)
            out.append(10)
        }
        out.append(13)
        out.append(10)
        if !omitBody { out.append(contentsOf: body) }
        return out
    }

    /// Appends the UTF-8 of `text` without CR and LF: a header never carries them, they would split the response.
    private static func appendClean(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            if memchr(base, 13, bytes.count) == nil && memchr(base, 10, bytes.count) == nil {
                out.append(contentsOf: bytes)
            } else {
                for byte in bytes where byte != 13 && byte != 10 { out.append(byte) }
            }
        }
    }

    private static func appendDecimal(_ number: Int, to out: inout [UInt8]) {
        guard number > 0 else {
            if number == 0 { out.append(UInt8(ascii: "0")) } else { out.append(contentsOf: String(number).utf8) }
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = number
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            out.append(contentsOf: buffer[(20 - count)...])
        }
    }
}

/// What the request loop calls for every request, whether it came over FastCGI or CGI.
public protocol Responder: Sendable {
    func respond(to request: Request) -> Response
}
