import Foundation
import Testing

/// Steps a person takes, shared by the end-to-end suites: press Next, open the link, read cookies.
extension Browser {
    /// Opens the login page at `home` and presses Next (or its Swedish `button`) with `email`;
    /// returns the answer to the POST (a 303 to the waiting page when accepted).
    func pressNext(_ email: String, home: String = "/", button: String = "Next") throws -> Page {
        let login = try get(home)
        guard login.status == 200 else { throw HarnessError("login page answered \(login.status)") }
        return try submit(login, button: button, [("email", email)])
    }

    /// Follows the `Location` of a redirect.
    func follow(_ page: Page) throws -> Page {
        guard let location = page.header("Location") else {
            throw HarnessError("no Location in a \(page.status) answer: \(page.body.prefix(300))")
        }
        return try get(location)
    }

    /// The value of cookie `name` in the jar (curl's Netscape format), if any.
    func cookie(_ name: String) -> String? {
        let text = (try? String(contentsOfFile: jar, encoding: .utf8)) ?? ""
        for line in text.components(separatedBy: "\n") {
            let fields = line.components(separatedBy: "\t")
            if fields.count >= 7, fields[5] == name { return fields[6] }
        }
        return nil
    }

    /// The `Set-Cookie` header of `page` that sets `name`.
    static func setCookie(_ page: Page, _ name: String) -> String? {
        page.headers("Set-Cookie").first { $0.hasPrefix(name + "=") }
    }

    /// Status of `GET /_konfident/auth` (204 signed in, 401 not).
    func authStatus(_ prefix: String = "") throws -> Int {
        try get(prefix + "/_konfident/auth").status
    }
}

extension Browser.Page {
    /// The page with what legitimately differs between two waiting pages blanked out: the match code,
    /// the form tokens and the clock time until which the link works.
    var normalized: String {
        var text = body
        if let code = matchCode, !code.isEmpty { text = text.replacingOccurrences(of: code, with: "MATCH-CODE") }
        for pattern in [#"name="csrf" value="[^"]*""#, #"\b\d{1,2}[:.]\d{2}\b"#] {
            text = text.replacingOccurrences(of: pattern, with: "…", options: .regularExpression)
        }
        return text
    }

    /// The `<h1>` and `<p>` texts, for comparing what two pages say.
    var texts: [String] {
        let pattern = try! NSRegularExpression(pattern: #"<(h1|p)[^>]*>(.*?)</\1>"#, options: [.dotMatchesLineSeparators])
        let range = NSRange(body.startIndex..., in: body)
        return pattern.matches(in: body, range: range).compactMap { Range($0.range(at: 2), in: body).map { String(body[$0]) } }
    }
}

extension ReceivedMail {
    /// The verification link of a sign-in message.
    var verifyLink: String? {
        links.first { $0.contains("/_konfident/verify/") }
    }

    /// The value of header `name` in the raw message.
    func header(_ name: String) -> String? {
        let normalized = raw.replacingOccurrences(of: "\r\n", with: "\n")
        let head = normalized.range(of: "\n\n").map { String(normalized[..<$0.lowerBound]) } ?? normalized
        for line in head.components(separatedBy: "\n") where line.lowercased().hasPrefix(name.lowercased() + ":") {
            return String(line.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}

extension Stack {
    /// Waits for the `count`-th message to `address` and returns its verification link.
    func signInLink(to address: String, count: Int = 1, timeout: Double = 20) throws -> String {
        let mail = try waitForMail(to: address, count: count, timeout: timeout)
        guard let link = mail.verifyLink else { throw HarnessError("no verification link in: \(mail.text)") }
        return link
    }

    /// The whole email sign-in in one browser: Next, the link, Verify Identity. Returns the completed page.
    @discardableResult
    func signIn(_ browser: Browser, _ address: String = "admin@acme.example", mailNumber: Int = 1) throws -> Browser.Page {
        let next = try browser.pressNext(address)
        guard next.status == 303 else { throw HarnessError("Next answered \(next.status)") }
        let link = try signInLink(to: address, count: mailNumber)
        let shown = try browser.get(link)
        guard shown.status == 200 else { throw HarnessError("link page answered \(shown.status)") }
        return try browser.submit(shown, button: "Verify Identity")
    }

    /// Runs a query on the stack's database with Python's sqlite3; returns the rows, one a line,
    /// columns separated by `|`.
    func sql(_ query: String, database: String? = nil) throws -> String {
        let script = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1], timeout=10)
            rows = db.execute(sys.argv[2]).fetchall()
            db.commit()
            for row in rows: print("|".join(str(v) for v in row))
            """
        let result = try Stack.capture("/usr/bin/python3", ["-c", script, database ?? self.database, query])
        guard result.status == 0 else { throw HarnessError("sqlite3 failed: \(result.error)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `konfident` with the stack's environment plus `extra`; kills it after `timeout` seconds
    /// (a `serve` that should have refused to start must not hang the test).
    func konfident(_ arguments: [String], environment extra: [String: String], timeout: Double)
        throws -> (status: Int32, output: String, error: String, timedOut: Bool) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Stack.binary)
        process.arguments = arguments
        process.environment = environment.merging(extra) { $1 }
        let name = "run-\(UInt32.random(in: 0...UInt32.max))"
        let outputPath = directory + "/" + name + ".out", errorPath = directory + "/" + name + ".err"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: outputPath)
        process.standardError = FileHandle(forWritingAtPath: errorPath)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        let timedOut = process.isRunning
        if timedOut { Stack.end(process) }
        process.waitUntilExit()
        return (process.terminationStatus,
                (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "",
                (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "",
                timedOut)
    }
}

/// The non-empty lines of a text.
func lines(_ text: String) -> [String] {
    text.components(separatedBy: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
}
