import Foundation

/// A browser as curl plays it: one cookie jar, HTTPS to the stack's nginx, forms and links
/// followed the way a person would.
final class Browser {
    let stack: Stack
    let jar: String
    var host: String
    var language: String
    var userAgent: String

    init(_ stack: Stack, host: String = "acme", language: String = "en",
         userAgent: String = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0") {
        self.stack = stack
        self.host = host
        self.language = language
        self.userAgent = userAgent
        jar = stack.directory + "/jar-\(UInt32.random(in: 0...UInt32.max))"
    }

    struct Page {
        let status: Int
        let headers: [(name: String, value: String)]
        let body: String

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        func headers(_ name: String) -> [String] {
            headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        }

        /// The value of the hidden (or other) input `name` in the page.
        func field(_ name: String) -> String? {
            guard let range = body.range(of: "name=\"\(name)\" value=\"") else { return nil }
            let rest = body[range.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }

        /// The text of the element with class `match-code`.
        var matchCode: String? {
            guard let start = body.range(of: "class=\"match-code\"") else { return nil }
            let rest = body[start.upperBound...]
            guard let open = rest.firstIndex(of: ">"), let close = rest.range(of: "</") else { return nil }
            return String(rest[rest.index(after: open)..<close.lowerBound])
        }

        /// The `action` of the first form whose submit button reads `button`.
        func formAction(button: String) -> String? {
            guard let buttonRange = body.range(of: ">\(button)</button>") else { return nil }
            guard let formStart = body[..<buttonRange.lowerBound].range(of: "<form ", options: .backwards) else { return nil }
            let form = body[formStart.lowerBound..<buttonRange.lowerBound]
            guard let action = form.range(of: "action=\"") else { return nil }
            let rest = form[action.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }

        /// True when the page has a `<button>` whose text is `text`.
        func hasButton(_ text: String) -> Bool {
            body.range(of: #"<button[^>]*>\#(NSRegularExpression.escapedPattern(for: text))</button>"#, options: .regularExpression) != nil
        }
    }

    func get(_ path: String, headers: [String] = []) throws -> Page {
        try request(["--get"], path, headers: headers)
    }

    func head(_ path: String) throws -> Page {
        try request(["--head"], path)
    }

    func post(_ path: String, _ fields: [(String, String)], headers: [String] = []) throws -> Page {
        var arguments: [String] = []
        for (name, value) in fields { arguments += ["--data-urlencode", "\(name)=\(value)"] }
        if fields.isEmpty { arguments += ["--data", ""] }
        return try request(arguments, path, headers: headers)
    }

    /// Posts raw bytes as the body.
    func postRaw(_ path: String, body: Data, contentType: String = "application/x-www-form-urlencoded") throws -> Page {
        let file = stack.directory + "/body-\(UInt32.random(in: 0...UInt32.max))"
        try body.write(to: URL(fileURLWithPath: file))
        return try request(["--data-binary", "@" + file, "-H", "Content-Type: \(contentType)"], path)
    }

    /// Submits the form of `page` whose button reads `button`, with its hidden fields plus `fields`.
    func submit(_ page: Page, button: String, _ fields: [(String, String)] = [], headers: [String] = []) throws -> Page {
        guard let action = page.formAction(button: button) else { throw HarnessError("no form with the button \(button)") }
        var all = fields
        for name in ["csrf", "shown"] {
            if let value = page.field(name) { all.append((name, value)) }
        }
        return try post(action, all, headers: headers)
    }

    /// True when the jar holds a session cookie.
    var hasSessionCookie: Bool {
        ((try? String(contentsOfFile: jar, encoding: .utf8)) ?? "").contains("__Host-konfident-session")
    }

    private func request(_ arguments: [String], _ path: String, headers: [String] = []) throws -> Page {
        let target = path.hasPrefix("https://") ? path : stack.url(host, path)
        let headerFile = stack.directory + "/headers-\(UInt32.random(in: 0...UInt32.max))"
        var all = ["-sk", "--max-time", "20", "--resolve", "\(host).localhost:\(stack.port):127.0.0.1",
                   "-b", jar, "-c", jar, "-D", headerFile, "-A", userAgent, "-H", "Accept-Language: \(language)"]
        for header in headers { all += ["-H", header] }
        all += arguments
        all.append(target)
        let result = try Stack.capture("/usr/bin/curl", all)
        defer { try? FileManager.default.removeItem(atPath: headerFile) }
        let headerText = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
        var status = 0
        var parsed: [(String, String)] = []
        for line in headerText.components(separatedBy: "\r\n") {
            if line.hasPrefix("HTTP/") {
                status = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
                parsed = []
            } else if let colon = line.firstIndex(of: ":") {
                parsed.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        guard status != 0 else { throw HarnessError("no HTTP answer from \(target): \(result.error)") }
        return Page(status: status, headers: parsed, body: result.output)
    }
}
