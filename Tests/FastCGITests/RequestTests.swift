@testable import FastCGI
import Testing
import TestSupport

@Suite struct RequestTests {
    @Test func pathIsScriptNamePlusPathInfoAndRequestURIIsIgnored() {
        let request = Request(variables: [
            "SCRIPT_NAME": "/cgi-bin/konfident",
            "PATH_INFO": "/verify/abc",
            "REQUEST_URI": "/somewhere/else?x=1",
            "QUERY_STRING": "x=1",
        ])
        #expect(request.path == "/cgi-bin/konfident/verify/abc")
        #expect(request.query == "x=1")
    }

    @Test func nginxStockParamsGiveTheURIAsScriptName() {
        // In an auth_request subrequest REQUEST_URI is the client's URI, SCRIPT_NAME the subrequest's.
        let request = Request(variables: ["SCRIPT_NAME": "/_konfident/auth", "REQUEST_URI": "/private/report.pdf"])
        #expect(request.path == "/_konfident/auth")
    }

    @Test func pathInfoAloneAndNothingAtAll() {
        #expect(Request(variables: ["PATH_INFO": "/login"]).path == "/login")
        #expect(Request(variables: [:]).path == "/")
        #expect(Request(variables: ["REQUEST_URI": "/x"]).path == "/")
        #expect(Request(variables: [:]).query == "")
    }

    @Test func methodDefaultsToGETAndIsUppercased() {
        #expect(Request(variables: [:]).method == "GET")
        #expect(Request(variables: ["REQUEST_METHOD": "post"]).method == "POST")
        #expect(Request(variables: ["REQUEST_METHOD": "HEAD"]).method == "HEAD")
    }

    @Test(arguments: [
        ("acme.konfident.example", "acme.konfident.example"),
        ("ACME.Konfident.Example", "acme.konfident.example"),
        ("acme.localhost:8443", "acme.localhost"),
        ("Acme.Example.:443", "acme.example"),
        ("acme.example.", "acme.example"),
        ("127.0.0.1:8080", "127.0.0.1"),
        ("[::1]:8443", "[::1]"),
        ("[::1]", "[::1]"),
        ("[2001:DB8::1]:443", "[2001:db8::1]"),
        ("", ""),
    ])
    func hostIsLowercasedWithoutPort(_ raw: String, _ expected: String) {
        #expect(Request(variables: ["HTTP_HOST": raw]).host == expected)
    }

    @Test func hostFallsBackToServerName() {
        #expect(Request(variables: ["SERVER_NAME": "Acme.Example"]).host == "acme.example")
        #expect(Request(variables: ["SERVER_NAME": "other.example", "HTTP_HOST": "acme.example:8443"]).host == "acme.example")
    }

    @Test func otherFieldsComeFromTheirVariables() {
        let request = Request(variables: [
            "REMOTE_ADDR": "192.0.2.7",
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "SERVER_PROTOCOL": "HTTP/1.1",
        ], body: Array("a=1".utf8))
        #expect(request.remoteAddress == "192.0.2.7")
        #expect(request.contentType == "application/x-www-form-urlencoded")
        #expect(request.variable("SERVER_PROTOCOL") == "HTTP/1.1")
        #expect(request.variable("MISSING") == nil)
        #expect(request.body == Array("a=1".utf8))
        #expect(request.bodyProblem == nil)
    }

    @Test func headerNamesMapToCGIVariables() {
        let request = Request(variables: [
            "HTTP_SEC_FETCH_SITE": "same-origin",
            "HTTP_ORIGIN": "https://acme.example",
            "HTTP_USER_AGENT": "Mozilla/5.0",
            "HTTP_ACCEPT_LANGUAGE": "sv-SE",
        ])
        #expect(request.header("Sec-Fetch-Site") == "same-origin")
        #expect(request.header("sec-fetch-site") == "same-origin")
        #expect(request.header("SEC-FETCH-SITE") == "same-origin")
        #expect(request.header("Origin") == "https://acme.example")
        #expect(request.header("User-Agent") == "Mozilla/5.0")
        #expect(request.header("Accept-Language") == "sv-SE")
        #expect(request.header("Referer") == nil)
        #expect(request.header("Sec_Fetch_Site") == "same-origin")
    }

    @Test func cookiesAreFoundWithOrWithoutSpaces() {
        let request = Request(variables: ["HTTP_COOKIE": "a=1; __Host-session=abc;b=2;  c=3"])
        #expect(request.cookie("a") == "1")
        #expect(request.cookie("__Host-session") == "abc")
        #expect(request.cookie("b") == "2")
        #expect(request.cookie("c") == "3")
    }

    @Test func missingCookiesAndHeadersAreNil() {
        #expect(Request(variables: [:]).cookie("a") == nil)
        #expect(Request(variables: ["HTTP_COOKIE": ""]).cookie("a") == nil)
        #expect(Request(variables: ["HTTP_COOKIE": "ab=1; xa=2"]).cookie("a") == nil)
        #expect(Request(variables: ["HTTP_COOKIE": "a"]).cookie("a") == nil)
        #expect(Request(variables: ["HTTP_COOKIE": ";;;"]).cookie("a") == nil)
    }

    @Test func theFirstOfRepeatedCookiesWins() {
        let request = Request(variables: ["HTTP_COOKIE": "s=first; s=second"])
        #expect(request.cookie("s") == "first")
    }

    @Test func cookieValuesMayContainEquals() {
        let request = Request(variables: ["HTTP_COOKIE": "token=YWJj==; pair=a=b"])
        #expect(request.cookie("token") == "YWJj==")
        #expect(request.cookie("pair") == "a=b")
        #expect(Request(variables: ["HTTP_COOKIE": "empty="]).cookie("empty") == "")
    }

    @Test func cookieNamesAreCaseSensitive() {
        #expect(Request(variables: ["HTTP_COOKIE": "Session=1"]).cookie("session") == nil)
    }

    @Test func binaryAndInvalidBytesInVariablesDoNotCrash() {
        var generator = SplitMix64(seed: 7)
        let names = ["HTTP_HOST", "SCRIPT_NAME", "PATH_INFO", "HTTP_COOKIE", "REQUEST_METHOD", "QUERY_STRING",
                     "HTTP_SEC_FETCH_SITE", "SERVER_NAME"]
        for _ in 0..<2_000 {
            var variables: [String: String] = [:]
            for name in names {
                let count = Int.random(in: 0...40, using: &generator)
                let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
                variables[name] = String(decoding: bytes, as: UTF8.self)
            }
            let request = Request(variables: variables)
            #expect(!request.path.isEmpty)
            #expect(request.host == request.host.lowercased())
            _ = request.cookie("a")
            _ = request.header("Sec-Fetch-Site")
            _ = request.header("\u{0}\u{FF}é")
        }
        let odd = Request(variables: ["HTTP_HOST": "[", "HTTP_COOKIE": "=\u{0}; \u{FFFD}=x", "SCRIPT_NAME": "\u{0}"])
        #expect(odd.host == "[")
        #expect(odd.cookie("\u{FFFD}") == "x")
        #expect(odd.cookie("") == "\u{0}")
        #expect(odd.path == "\u{0}")
    }
}

@Suite struct ResponseTests {
    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func statusLineFirstThenHeadersThenContentLengthThenBody() {
        var response = Response(status: .notFound, body: Array("nope".utf8))
        response.setHeader("Content-Type", "text/plain; charset=utf-8")
        #expect(text(response.serialized()) ==
            "Status: 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 4\r\n\r\nnope")
    }

    @Test func anEmptyBodyHasContentLengthZero() {
        #expect(text(Response(status: .noContent).serialized()) == "Status: 204 No Content\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func anExplicitContentLengthIsNotRepeated() {
        var response = Response(body: Array("abc".utf8))
        response.setHeader("content-length", "3")
        let out = text(response.serialized())
        #expect(out == "Status: 200 OK\r\ncontent-length: 3\r\n\r\nabc")
    }

    @Test func headValuesCannotInjectHeaders() {
        var response = Response(status: .seeOther)
        response.setHeader("Location", "/next\r\nSet-Cookie: evil=1")
        response.addHeader("X-Test", "a\nb\rc")
        response.addHeader("X-Evil\r\nInjected", "v")
        let out = text(response.serialized())
        let lines = out.split(separator: "\r\n" as Character, omittingEmptySubsequences: false).map(String.init)
        #expect(lines == [
            "Status: 303 See Other",
            "Location: /nextSet-Cookie: evil=1",
            "X-Test: abc",
            "X-EvilInjected: v",
            "Content-Length: 0",
            "", "",
        ])
        #expect(!lines.contains { $0.hasPrefix("Set-Cookie") })
        // Only the line ends: every CR is followed by LF and every LF preceded by CR.
        let bytes = response.serialized()
        for index in bytes.indices where bytes[index] == 10 {
            #expect(index > 0 && bytes[index - 1] == 13)
        }
    }

    @Test func headOmitsTheBodyButKeepsItsLength() {
        let response = Response(body: Array("hello".utf8))
        #expect(text(response.serialized(omitBody: true)) == "Status: 200 OK\r\nContent-Length: 5\r\n\r\n")
        #expect(text(response.serialized(omitBody: false)).hasSuffix("\r\n\r\nhello"))
    }

    @Test func aBodyIsWrittenByteForByte() {
        let body: [UInt8] = [0, 13, 10, 0xFF, 0xFE, 13, 10, 13, 10]
        let out = Response(body: body).serialized()
        #expect(Array(out.suffix(body.count)) == body)
        #expect(text(Array(out.dropLast(body.count))) == "Status: 200 OK\r\nContent-Length: 9\r\n\r\n")
    }

    @Test func setHeaderReplacesWithoutCaseAndAddHeaderRepeats() {
        var response = Response()
        response.setHeader("X-A", "1")
        response.setHeader("x-a", "2")
        response.addHeader("Set-Cookie", "a=1")
        response.addHeader("Set-Cookie", "b=2")
        #expect(response.header("X-A") == "2")
        #expect(response.headers.filter { $0.name.lowercased() == "x-a" }.count == 1)
        #expect(response.headers.filter { $0.name == "Set-Cookie" }.map(\.value) == ["a=1", "b=2"])
        #expect(response.header("set-cookie") == "a=1")
        #expect(response.header("Missing") == nil)
    }
}

@Suite struct BodyReaderTests {
    /// A reader over fixed bytes that hands out at most `chunk` bytes per call and counts the calls.
    final class Source {
        var bytes: [UInt8]
        let chunk: Int
        var calls = 0
        init(_ bytes: [UInt8], chunk: Int = .max) {
            self.bytes = bytes
            self.chunk = chunk
        }
        func read(_ buffer: UnsafeMutablePointer<CChar>, _ count: Int) -> Int {
            calls += 1
            let n = min(count, chunk, bytes.count)
            for index in 0..<n { buffer[index] = CChar(bitPattern: bytes[index]) }
            bytes.removeFirst(n)
            return n
        }
    }

    @Test(arguments: [String?.none, ""])
    func noDeclaredLengthMeansNoBody(_ declared: String?) {
        let source = Source(Array("ignored".utf8))
        let (body, problem) = bodyReader(declaredLength: declared, limit: 100, read: source.read)
        #expect(body == [])
        #expect(problem == nil)
        #expect(source.calls == 0)
    }

    @Test func zeroMeansNoBody() {
        let source = Source(Array("ignored".utf8))
        let (body, problem) = bodyReader(declaredLength: "0", limit: 100, read: source.read)
        #expect(body == [])
        #expect(problem == nil)
        #expect(source.calls == 0)
    }

    @Test(arguments: ["abc", "-1", "-0", "+5", " 5", "5 ", "0x10", "1e3", "5.0", "99999999999999999999",
                      "1234567890123456789", "٣", "\u{0}"])
    func aMalformedLengthReadsNothing(_ declared: String) {
        let source = Source(Array("hello".utf8))
        let (body, problem) = bodyReader(declaredLength: declared, limit: 100, read: source.read)
        #expect(body == [])
        #expect(problem == .malformedLength)
        #expect(source.calls == 0)
    }

    @Test func aLengthOverTheLimitIsTooLargeAndNotRead() {
        let source = Source(Array(repeating: 65, count: 200))
        let (body, problem) = bodyReader(declaredLength: "101", limit: 100, read: source.read)
        #expect(body == [])
        #expect(problem == .tooLarge(declared: 101))
        #expect(source.calls == 0)
        let (_, huge) = bodyReader(declaredLength: "999999999999999999", limit: 64 * 1024, read: source.read)
        #expect(huge == .tooLarge(declared: 999_999_999_999_999_999))
    }

    @Test func aLengthAtTheLimitIsRead() {
        let bytes = (0..<100).map { UInt8($0) }
        let source = Source(bytes)
        let (body, problem) = bodyReader(declaredLength: "100", limit: 100, read: source.read)
        #expect(body == bytes)
        #expect(problem == nil)
    }

    @Test func shortReadsAreJoined() {
        let source = Source(Array("email=anna%40example.se".utf8), chunk: 3)
        let (body, problem) = bodyReader(declaredLength: "23", limit: 100, read: source.read)
        #expect(body == Array("email=anna%40example.se".utf8))
        #expect(problem == nil)
        #expect(source.calls == 8)
    }

    @Test func onlyTheDeclaredLengthIsRead() {
        let source = Source(Array("abcdef".utf8))
        let (body, problem) = bodyReader(declaredLength: "4", limit: 100, read: source.read)
        #expect(body == Array("abcd".utf8))
        #expect(problem == nil)
        #expect(source.bytes == Array("ef".utf8))
    }

    @Test func anEarlyEndIsTruncated() {
        let source = Source(Array("hel".utf8), chunk: 2)
        let (body, problem) = bodyReader(declaredLength: "5", limit: 100, read: source.read)
        #expect(body == Array("hel".utf8))
        #expect(problem == .truncated)
    }

    @Test func aReadErrorIsTruncated() {
        let (body, problem) = bodyReader(declaredLength: "5", limit: 100) { _, _ in -1 }
        #expect(body == [])
        #expect(problem == .truncated)
    }
}

@Suite struct ListenAddressTests {
    @Test func parsesHostAndPort() {
        #expect(ListenAddress.tcp(parsing: "127.0.0.1:9000") == .tcp(host: "127.0.0.1", port: 9000))
        #expect(ListenAddress.tcp(parsing: "localhost:65535") == .tcp(host: "localhost", port: 65535))
        #expect(ListenAddress.tcp(parsing: "[::1]:9000") == .tcp(host: "::1", port: 9000))
        #expect(ListenAddress.tcp(parsing: "0.0.0.0:1") == .tcp(host: "0.0.0.0", port: 1))
    }

    @Test(arguments: ["", ":", "9000", ":9000", "[]:9000", "localhost", "localhost:", "localhost:0",
                      "localhost:65536", "localhost:-1", "localhost:abc", "localhost:90 00", "[::1]"])
    func refusesWhatIsNotHostAndPort(_ text: String) {
        #expect(ListenAddress.tcp(parsing: text) == nil)
    }
}
