import Foundation
import Testing

/// `serve` stops gracefully on SIGTERM (DESIGN §4): stops accepting, finishes the requests in flight, exits 0.
@Suite(.serialized)
struct ShutdownTests {
    @Test func sigtermUnderLoadCutsNoRequestOff() throws {
        let stack = try Stack(.init(startSMTP: false))
        defer { stack.stop() }
        let stopFile = stack.directory + "/stop-loops"
        let url = stack.url("acme", "/")
        var loops: [(process: Process, output: String)] = []
        defer {
            _ = FileManager.default.createFile(atPath: stopFile, contents: nil)
            for loop in loops { Stack.end(loop.process) }
        }
        // 8 loops of curl, each with 8 requests in parallel: more requests than `serve` has threads,
        // so that some wait in the socket's queue when SIGTERM comes.
        let requests = Array(repeating: "-o /dev/null '\(url)'", count: 8).joined(separator: " ")
        for index in 0..<8 {
            let output = stack.directory + "/codes-\(index)"
            let script = """
                i=0
                while [ $i -lt 400 ] && [ ! -e '\(stopFile)' ]; do
                  curl -sk -Z --parallel-max 8 --max-time 15 --resolve acme.localhost:\(stack.port):127.0.0.1 -w '%{http_code}\\n' \(requests) >> '\(output)'
                  i=$((i+1))
                done
                """
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", script]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            loops.append((process, output))
        }
        func codes() -> [String] {
            loops.flatMap { lines((try? String(contentsOfFile: $0.output, encoding: .utf8)) ?? "") }
        }

        sleep(1)
        let before = codes()
        #expect(before.count > 64, "the loads run: \(before.count) requests in the first second")
        #expect(before.allSatisfy { $0 == "200" }, "before SIGTERM: \(Set(before))")

        let (status, seconds) = stack.terminateServe()
        #expect(status == 0)
        #expect(seconds < 10)
        #expect(!FileManager.default.fileExists(atPath: stack.socket), "the socket file is removed")

        // Some requests after the socket closed, then stop the loops.
        let stoppedAt = codes().count
        try waitUntil("requests answered after the stop", timeout: 10) { codes().count >= stoppedAt + 16 }
        _ = FileManager.default.createFile(atPath: stopFile, contents: nil)
        for loop in loops { loop.process.waitUntilExit() }

        let all = codes()
        let counts = Dictionary(grouping: all, by: { $0 }).mapValues(\.count)
        #expect(all.allSatisfy { $0 == "200" || $0 == "502" }, "status codes: \(counts)")
        #expect((counts["200"] ?? 0) > 64)
        #expect((counts["502"] ?? 0) >= 16, "after the stop nginx answers 502: \(counts)")
        let errors = stack.log("nginx-error.log")
        let cutOff = errors.components(separatedBy: "\n").filter { line in
            ["upstream prematurely closed", "reset by peer", "Broken pipe", "timed out"].contains { line.contains($0) }
        }
        #expect(cutOff.isEmpty, "\(cutOff.count) request(s) cut off mid-way, e.g. \(cutOff.prefix(2))")
        #expect(stack.log("serve.log").contains("stopped"))
        #expect(!stack.log("serve.log").contains("still running after"))
    }
}
