import CFastCGI
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The FastCGI request loop: N threads, each with its own `FCGX_Request`, accepting in turn.
///
/// Shutdown does not rely on libfcgi: a thread waiting in `FCGX_Accept_r` is not woken by
/// SIGTERM (Debian's libfcgi 2.4.2). Threads instead wait in `poll` on the listening socket
/// and a wake-up pipe, holding the accept lock, and call `FCGX_Accept_r` only when a
/// connection is ready. `stop()` writes to the pipe: waiting threads leave, busy threads
/// finish the request in hand and then leave.
public final class FastCGIServer: @unchecked Sendable {
    public struct Limits: Sendable {
        /// Bodies larger than this are not read; the request carries `.tooLarge`.
        public var maximumBodyBytes: Int
        public init(maximumBodyBytes: Int = 64 * 1024) {
            self.maximumBodyBytes = maximumBodyBytes
        }
    }

    private let listenDescriptor: Int32
    private let address: ListenAddress
    private let responder: any Responder
    private let limits: Limits
    private var wakePipe: [Int32] = [-1, -1]
    private var acceptLock = pthread_mutex_t()
    private var threads: [pthread_t] = []
    private var stopped = false
    /// Monotonic nanoseconds after which threads stop draining queued connections; 0 while serving.
    private let drainDeadline = Atomic<Int64>(0)

    public init(address: ListenAddress, responder: any Responder, limits: Limits = Limits()) throws(SocketError) {
        self.address = address
        self.responder = responder
        self.limits = limits
        self.listenDescriptor = try openListeningSocket(address)
        guard pipe(&wakePipe) == 0 else { throw SocketError("pipe", errno: errno) }
        pthread_mutex_init(&acceptLock, nil)
        FCGX_Init()
    }

    /// Starts `threadCount` request threads and returns at once.
    public func start(threadCount: Int) {
        for _ in 0..<max(1, threadCount) {
            let box = Unmanaged.passRetained(self)
            var thread = pthread_t()
            let created = pthread_create(&thread, nil, { context in
                let server = Unmanaged<FastCGIServer>.fromOpaque(context!).takeRetainedValue()
                server.acceptLoop()
                return nil
            }, box.toOpaque())
            if created == 0 { threads.append(thread) } else { box.release() }
        }
    }

    /// Stops accepting; returns once every request in flight has been answered.
    /// Calling it again does nothing.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        // New connections fail at once (nginx answers 502); those already queued are still answered,
        // for two seconds at most (a TCP listener keeps receiving new ones).
        if case let .unix(path, _) = address { unlink(path) }
        drainDeadline.store(Self.monotonicNanoseconds() + 2_000_000_000, ordering: .releasing)
        var byte: UInt8 = 1
        _ = write(wakePipe[1], &byte, 1)
        for thread in threads { pthread_join(thread, nil) }
        threads.removeAll()
        close(listenDescriptor)
        close(wakePipe[0])
        close(wakePipe[1])
    }

    private func acceptLoop() {
        let request = UnsafeMutablePointer<FCGX_Request>.allocate(capacity: 1)
        defer { request.deallocate() }
        FCGX_InitRequest(request, listenDescriptor, 0)
        while true {
            // Accept first, wait only when nothing is queued: under load a connection is
            // usually waiting, and the poll would be a system call for nothing.
            pthread_mutex_lock(&acceptLock)
            let deadline = drainDeadline.load(ordering: .acquiring)
            if deadline != 0 && Self.monotonicNanoseconds() > deadline {
                pthread_mutex_unlock(&acceptLock)
                break
            }
            var accepted = FCGX_Accept_r(request) == 0
            while !accepted && waitForConnection() {
                accepted = FCGX_Accept_r(request) == 0
            }
            pthread_mutex_unlock(&acceptLock)
            guard accepted else { break }
            handle(request)
            FCGX_Finish_r(request)
        }
        FCGX_Free(request, 1)
    }

    private static func monotonicNanoseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// True when a connection waits on the listening socket, false when the server stops and no
    /// connection is queued any more: a request nginx already sent is answered, not reset.
    private func waitForConnection() -> Bool {
        var descriptors = [
            pollfd(fd: listenDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakePipe[0], events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let count = poll(&descriptors, 2, -1)
            if count < 0 {
                if errno == EINTR { continue }
                return false
            }
            if descriptors[0].revents & Int16(POLLIN) != 0 { return true }
            if descriptors[1].revents != 0 { return false }
        }
    }

    private func handle(_ request: UnsafeMutablePointer<FCGX_Request>) {
        let variables = CGIVariables(environment: request.pointee.envp)
        let (body, problem) = readBody(declaredLength: variables.known.contentLength) { buffer, count in
            Int(FCGX_GetStr(buffer, Int32(count), request.pointee.in))
        }
        let incoming = Request(variables: variables, body: body, bodyProblem: problem)
        let response = responder.respond(to: incoming)
        let output = response.serialized(omitBody: incoming.method == "HEAD")
        output.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                _ = FCGX_PutStr(chars.baseAddress, Int32(chars.count), request.pointee.out)
            }
        }
    }

    func readBody(declaredLength: String?, read: (UnsafeMutablePointer<CChar>, Int) -> Int) -> ([UInt8], Request.BodyProblem?) {
        bodyReader(declaredLength: declaredLength, limit: limits.maximumBodyBytes, read: read)
    }
}

/// Reads exactly `CONTENT_LENGTH` bytes, up to `limit`. Shared by FastCGI and CGI.
func bodyReader(declaredLength: String?, limit: Int,
                read: (UnsafeMutablePointer<CChar>, Int) -> Int) -> ([UInt8], Request.BodyProblem?) {
    guard let declaredLength, !declaredLength.isEmpty else { return ([], nil) }
    guard declaredLength.utf8.count <= 18, declaredLength.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
          let length = Int(declaredLength)
    else { return ([], .malformedLength) }
    if length == 0 { return ([], nil) }
    if length > limit { return ([], .tooLarge(declared: length)) }
    var body = [UInt8](repeating: 0, count: length)
    var filled = 0
    body.withUnsafeMutableBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { chars in
            while filled < length {
                let got = read(chars.baseAddress! + filled, length - filled)
                if got <= 0 { break }
                filled += got
            }
        }
    }
    if filled < length { return (Array(body[..<filled]), .truncated) }
    return (body, nil)
}
