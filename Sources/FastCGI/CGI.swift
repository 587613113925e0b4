#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// CGI mode: one request from the environment and standard input, one response on standard output.
public enum CGI {
    /// True when the process was started by a web server as a CGI program.
    public static var isCGIEnvironment: Bool {
        getenv("GATEWAY_INTERFACE") != nil
    }

    /// Answers the one request and returns; the caller exits. Standard output is closed once the
    /// response is written, so that the web server can finish the response while the caller
    /// cleans up (closing the database).
    public static func run(responder: any Responder, limits: FastCGIServer.Limits = .init()) {
        let variables = CGIVariables(environment: environ)
        let (body, problem) = bodyReader(declaredLength: variables.known.contentLength, limit: limits.maximumBodyBytes) { buffer, count in
            var got: Int
            repeat { got = Glibc.read(0, buffer, count) } while got < 0 && errno == EINTR
            return got
        }
        let request = Request(variables: variables, body: body, bodyProblem: problem)
        let output = responder.respond(to: request).serialized(omitBody: request.method == "HEAD")
        var written = 0
        output.withUnsafeBytes { buffer in
            while written < buffer.count {
                let count = Glibc.write(1, buffer.baseAddress! + written, buffer.count - written)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                written += count
            }
        }
        // /dev/null in its place rather than a plain close: descriptor 1 stays taken, so no file
        // opened later can become standard output.
        let null = open("/dev/null", O_WRONLY)
        if null >= 0 {
            dup2(null, 1)
            Glibc.close(null)
        }
    }
}
