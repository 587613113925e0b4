import Foundation

/// A message as it arrived at a sink (SMTP, maildir or sendmail), MIME decoded.
struct ReceivedMail {
    let raw: String
    let to: String
    let subject: String
    let text: String
    let html: String

    /// The lines of the plain-text part that are links.
    var links: [String] {
        text.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { $0.hasPrefix("https://") }
    }

    init(raw: String) {
        self.raw = raw
        let normalized = raw.replacingOccurrences(of: "\r\n", with: "\n")
        let headerEnd = normalized.range(of: "\n\n")?.lowerBound ?? normalized.endIndex
        let headers = String(normalized[..<headerEnd])
        func header(_ name: String) -> String {
            for line in headers.components(separatedBy: "\n") where line.lowercased().hasPrefix(name.lowercased() + ":") {
                return String(line.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces)
            }
            return ""
        }
        to = header("To")
        subject = ReceivedMail.decodeWord(header("Subject"))
        text = ReceivedMail.part(normalized, type: "text/plain")
        html = ReceivedMail.part(normalized, type: "text/html")
    }

    static func part(_ message: String, type: String) -> String {
        guard let start = message.range(of: "Content-Type: \(type)") else { return "" }
        let rest = message[start.upperBound...]
        guard let bodyStart = rest.range(of: "\n\n") else { return "" }
        let body = rest[bodyStart.upperBound...]
        // The part ends at the boundary line, not at any line that starts with "--": a link token
        // may hold "--", and quoted-printable may start a line with it.
        let boundary = message.range(of: #"boundary="[^"]+""#, options: .regularExpression)
            .map { String(message[$0].dropFirst("boundary=\"".count).dropLast()) } ?? ""
        let end = body.range(of: "\n--" + boundary)?.lowerBound ?? body.endIndex
        return quotedPrintableDecode(String(body[..<end]))
    }

    static func quotedPrintableDecode(_ text: String) -> String {
        let joined = text.replacingOccurrences(of: "=\n", with: "")
        var bytes: [UInt8] = []
        let source = Array(joined.utf8)
        var index = 0
        while index < source.count {
            if source[index] == UInt8(ascii: "="), index + 2 < source.count,
               let value = UInt8(String(decoding: source[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(source[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func decodeWord(_ text: String) -> String {
        guard text.hasPrefix("=?utf-8?B?"), text.hasSuffix("?="),
              let data = Data(base64Encoded: String(text.dropFirst(10).dropLast(2))) else { return text }
        return String(decoding: data, as: UTF8.self)
    }
}

extension Stack {
    /// Every message that reached the configured sink so far, oldest first.
    func mails() -> [ReceivedMail] {
        let folder: String
        switch options.mail {
        case .smtp: folder = mailbox + "/new"
        case .maildir: folder = maildir + "/new"
        case .sendmail: folder = sendmailOutput
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        let files = names.map { folder + "/" + $0 }.sorted {
            let a = (try? FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date) ?? .distantPast
            let b = (try? FileManager.default.attributesOfItem(atPath: $1)[.modificationDate] as? Date) ?? .distantPast
            return a < b
        }
        return files.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.map(ReceivedMail.init(raw:))
    }

    /// Waits for the `count`-th message to `address` and returns it.
    func waitForMail(to address: String, count: Int = 1, timeout: Double = 30) throws -> ReceivedMail {
        var found: [ReceivedMail] = []
        try waitUntil("mail number \(count) to \(address) arrives", timeout: timeout) {
            found = mails().filter { $0.to.contains(address) }
            return found.count >= count
        }
        return found[count - 1]
    }
}
