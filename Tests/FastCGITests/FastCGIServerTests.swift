// The FastCGI server on a real unix socket, spoken to with a minimal FastCGI client.
@testable import FastCGI
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Echoes what the request loop handed over, so the client can check it.
struct EchoResponder: Responder {
    func respond(to request: Request) -> Response {
        var response = Response(body: Array("\(request.method) \(request.path) host=\(request.host) body=".utf8) + request.body)
        response.setHeader("Content-Type", "text/plain")
        response.setHeader("X-Body-Problem", request.bodyProblem.map { "\($0)" } ?? "none")
        return response
    }
}

/// A fresh directory under /tmp (short, so socket paths fit in `sun_path`), removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/kfcgi-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        let created = try #require(made)
        path = String(cString: created)
    }

    func remove() {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}

enum FastCGIClient {
    enum Failure: Error { case connect(Int32), write, read }

    static func connectUnix(_ path: String) -> Int32? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            let bytes = Array(path.utf8)
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { close(fd); return nil }
        // Never hang a test: a read that waits longer than this fails.
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    static func record(type: UInt8, content: [UInt8]) -> [UInt8] {
        [1, type, 0, 1, UInt8(content.count >> 8), UInt8(content.count & 0xFF), 0, 0] + content
    }

    static func length(_ count: Int) -> [UInt8] {
        count < 128 ? [UInt8(count)]
            : [UInt8(count >> 24 | 0x80), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)]
    }

    /// One request (role responder, no keep-alive); returns the STDOUT stream.
    static func request(path socketPath: String, params: [([UInt8], [UInt8])], body: [UInt8] = []) throws -> [UInt8] {
        guard let fd = connectUnix(socketPath) else { throw Failure.connect(errno) }
        defer { close(fd) }
        var out = record(type: 1, content: [0, 1, 0, 0, 0, 0, 0, 0])
        var encoded: [UInt8] = []
        for (name, value) in params { encoded += length(name.count) + length(value.count) + name + value }
        var offset = 0
        while offset < encoded.count {
            let end = min(offset + 65_535, encoded.count)
            out += record(type: 4, content: Array(encoded[offset..<end]))
            offset = end
        }
        out += record(type: 4, content: [])
        if !body.isEmpty { out += record(type: 5, content: body) }
        out += record(type: 5, content: [])
        var written = 0
        while written < out.count {
            let count = out[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { throw Failure.write }
            written += count
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count == 0 { break }
            guard count > 0 else { throw Failure.read }
            received += buffer[..<count]
        }
        var stdout: [UInt8] = []
        var index = 0
        while index + 8 <= received.count {
            let type = received[index + 1]
            let contentLength = Int(received[index + 4]) << 8 | Int(received[index + 5])
            let padding = Int(received[index + 6])
            let start = index + 8
            guard start + contentLength <= received.count else { break }
            if type == 6 { stdout += received[start..<(start + contentLength)] }
            index = start + contentLength + padding
        }
        return stdout
    }

    static func params(_ pairs: [String: String]) -> [([UInt8], [UInt8])] {
        pairs.map { (Array($0.key.utf8), Array($0.value.utf8)) }
    }
}

/// Waits for `work` on its own thread, at most `seconds`; true when it finished in time.
func finishes(within seconds: Double, _ work: @escaping @Sendable () -> Void) -> Bool {
    final class Box: @unchecked Sendable {
        var done = false
        var mutex = pthread_mutex_t()
        var condition = pthread_cond_t()
    }
    let box = Box()
    pthread_mutex_init(&box.mutex, nil)
    pthread_cond_init(&box.condition, nil)
    let thread = DetachedThread {
        work()
        pthread_mutex_lock(&box.mutex)
        box.done = true
        pthread_cond_signal(&box.condition)
        pthread_mutex_unlock(&box.mutex)
    }
    thread.start()
    var deadline = timespec()
    clock_gettime(CLOCK_REALTIME, &deadline)
    deadline.tv_sec += Int(seconds)
    deadline.tv_nsec += Int((seconds - seconds.rounded(.down)) * 1e9)
    if deadline.tv_nsec >= 1_000_000_000 { deadline.tv_sec += 1; deadline.tv_nsec -= 1_000_000_000 }
    pthread_mutex_lock(&box.mutex)
    while !box.done {
        if pthread_cond_timedwait(&box.condition, &box.mutex, &deadline) == ETIMEDOUT { break }
    }
    let done = box.done
    pthread_mutex_unlock(&box.mutex)
    return done
}

/// A detached pthread running a closure (Foundation-free).
final class DetachedThread: @unchecked Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    func start() {
        let box = Unmanaged.passRetained(self)
        var thread = pthread_t()
        pthread_create(&thread, nil, { context in
            let me = Unmanaged<DetachedThread>.fromOpaque(context!).takeRetainedValue()
            me.body()
            return nil
        }, box.toOpaque())
        pthread_detach(thread)
    }
}

func fileMode(_ path: String) -> mode_t? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    return info.st_mode
}

func exists(_ path: String) -> Bool { fileMode(path) != nil }

/// The text of a response, or "" for an empty one.
func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

@Suite(.serialized) struct FastCGIServerTests {
    let basicParams = FastCGIClient.params([
        "REQUEST_METHOD": "GET", "SCRIPT_NAME": "/login", "HTTP_HOST": "Acme.Localhost:8443",
        "REQUEST_URI": "/elsewhere", "GATEWAY_INTERFACE": "CGI/1.1",
    ])

    @Test func answersARequestOverAUnixSocketWithTheRequestedMode() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/konfident.sock"
        let server = try FastCGIServer(address: .unix(path: path, mode: 0o660), responder: EchoResponder())
        server.start(threadCount: 2)
        let mode = try #require(fileMode(path))
        #expect(mode & S_IFMT == S_IFSOCK)
        #expect(mode & 0o7777 == 0o660)

        let response = text(try FastCGIClient.request(path: path, params: basicParams))
        #expect(response.hasPrefix("Status: 200 OK\r\n"))
        #expect(response.contains("\r\nContent-Type: text/plain\r\n"))
        #expect(response.hasSuffix("\r\n\r\nGET /login host=acme.localhost body="))

        #expect(finishes(within: 5) { server.stop() })
        #expect(!exists(path))
    }

    @Test func otherModesAreHonouredToo() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for mode: UInt32 in [0o600, 0o666] {
            let path = directory.path + "/mode-\(String(mode, radix: 8)).sock"
            let server = try FastCGIServer(address: .unix(path: path, mode: mode), responder: EchoResponder())
            server.start(threadCount: 1)
            #expect(try #require(fileMode(path)) & 0o7777 == mode_t(mode))
            #expect(finishes(within: 5) { server.stop() })
        }
    }

    @Test func readsThePostBodyAndPassesBinaryVariablesWithoutCrashing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/konfident.sock"
        let server = try FastCGIServer(address: .unix(path: path, mode: 0o600), responder: EchoResponder(),
                                       limits: .init(maximumBodyBytes: 16))
        server.start(threadCount: 2)
        defer { _ = finishes(within: 5) { server.stop() } }

        let post = FastCGIClient.params(["REQUEST_METHOD": "POST", "SCRIPT_NAME": "/", "PATH_INFO": "/login",
                                         "CONTENT_LENGTH": "11", "HTTP_HOST": "acme.example"])
        let posted = text(try FastCGIClient.request(path: path, params: post, body: Array("email=a%40b".utf8)))
        #expect(posted.contains("X-Body-Problem: none\r\n"))
        #expect(posted.hasSuffix("POST //login host=acme.example body=email=a%40b"))

        let big = FastCGIClient.params(["REQUEST_METHOD": "POST", "SCRIPT_NAME": "/login", "CONTENT_LENGTH": "17"])
        let refused = text(try FastCGIClient.request(path: path, params: big, body: Array(repeating: 65, count: 17)))
        #expect(refused.contains("X-Body-Problem: tooLarge(declared: 17)\r\n"))

        var binary: [([UInt8], [UInt8])] = [
            (Array("HTTP_HOST".utf8), [0xFF, 0xFE, 0x41, 0x00, 0x42]),
            (Array("SCRIPT_NAME".utf8), [0x2F, 0xC3, 0x28, 0x80]),
            (Array("HTTP_COOKIE".utf8), Array(repeating: 0xFF, count: 300)),
            ([0xFF, 0x3D, 0x3D], [0x3D]),
            (Array("REQUEST_METHOD".utf8), Array("HEAD".utf8)),
        ]
        binary.append((Array("HTTP_X_LONG".utf8), Array(repeating: 0x61, count: 70_000)))
        let odd = try FastCGIClient.request(path: path, params: binary)
        #expect(text(odd).hasPrefix("Status: 200 OK\r\n"))
        // HEAD: headers only.
        #expect(text(odd).hasSuffix("\r\n\r\n"))

        // The server is still there for the next request.
        #expect(text(try FastCGIClient.request(path: path, params: basicParams)).hasPrefix("Status: 200 OK\r\n"))
    }

    @Test func aSecondServerOnALiveSocketIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/konfident.sock"
        let first = try FastCGIServer(address: .unix(path: path, mode: 0o660), responder: EchoResponder())
        first.start(threadCount: 2)
        #expect {
            _ = try FastCGIServer(address: .unix(path: path, mode: 0o600), responder: EchoResponder())
        } throws: { error in
            "\(error)".contains("another server is listening on \(path)")
        }
        // The refused server left the live socket alone: same file, same mode, still answering.
        #expect(try #require(fileMode(path)) & 0o7777 == 0o660)
        #expect(text(try FastCGIClient.request(path: path, params: basicParams)).hasPrefix("Status: 200 OK\r\n"))
        #expect(finishes(within: 5) { first.stop() })
        #expect(!exists(path))
    }

    /// The probe of a second server (or any client that connects and closes without a request)
    /// must not keep `stop()` from returning.
    @Test func stopReturnsAfterAConnectionThatSentNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/konfident.sock"
        let server = try FastCGIServer(address: .unix(path: path, mode: 0o660), responder: EchoResponder())
        server.start(threadCount: 1)
        let probe = try #require(FastCGIClient.connectUnix(path))
        close(probe)
        usleep(200_000)
        let stopped = finishes(within: 5) { server.stop() }
        #expect(stopped, "stop() hangs after an empty connection: the accepting thread waits in libfcgi's accept()")
        if !stopped {
            // Unblock the thread with a real request so the test process can go on.
            _ = try? FastCGIClient.request(path: path, params: basicParams)
            usleep(500_000)
        }
    }

    @Test func aStaleSocketFileIsReplaced() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/konfident.sock"
        // A crashed server: bound, then closed without unlinking.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: Array(path.utf8))
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        listen(stale, 1)
        close(stale)
        #expect(fileMode(path).map { $0 & S_IFMT } == S_IFSOCK)
        #expect(FastCGIClient.connectUnix(path) == nil)

        let server = try FastCGIServer(address: .unix(path: path, mode: 0o640), responder: EchoResponder())
        server.start(threadCount: 1)
        #expect(try #require(fileMode(path)) & 0o7777 == 0o640)
        #expect(text(try FastCGIClient.request(path: path, params: basicParams)).hasPrefix("Status: 200 OK\r\n"))
        #expect(finishes(within: 5) { server.stop() })
        #expect(!exists(path))
    }

    @Test func aFileThatIsNotASocketIsLeftAlone() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/konfident.sock"
        let fd = open(path, O_CREAT | O_WRONLY, 0o644)
        #expect(fd >= 0)
        _ = write(fd, "data", 4)
        close(fd)
        #expect {
            _ = try FastCGIServer(address: .unix(path: path, mode: 0o660), responder: EchoResponder())
        } throws: { error in
            "\(error)".contains("is not a socket")
        }
        #expect(fileMode(path).map { $0 & S_IFMT } == S_IFREG)
    }

    @Test func aSocketPathThatIsTooLongIsAnError() {
        let path = "/tmp/" + String(repeating: "x", count: 120) + ".sock"
        #expect {
            _ = try FastCGIServer(address: .unix(path: path, mode: 0o660), responder: EchoResponder())
        } throws: { error in
            "\(error)".contains("socket path longer than")
        }
    }

    @Test func stopReturnsPromptlyWithManyIdleThreads() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/konfident.sock"
        let server = try FastCGIServer(address: .unix(path: path, mode: 0o660), responder: EchoResponder())
        server.start(threadCount: 8)
        for _ in 0..<20 {
            #expect(text(try FastCGIClient.request(path: path, params: basicParams)).hasPrefix("Status: 200 OK\r\n"))
        }
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        #expect(finishes(within: 5) { server.stop() })
        var end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &end)
        let elapsed = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
        #expect(elapsed < 1)
        #expect(!exists(path))
        // Nothing listens any more.
        #expect(FastCGIClient.connectUnix(path) == nil)
    }

    @Test func listensOnTCPToo() throws {
        let server = try FastCGIServer(address: .tcp(host: "127.0.0.1", port: 0), responder: EchoResponder())
        server.start(threadCount: 1)
        #expect(finishes(within: 5) { server.stop() })
    }
}
