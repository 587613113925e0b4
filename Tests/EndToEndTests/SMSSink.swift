import Foundation

/// An SMS as it reached the gateway sink (`{"id","from","to","message"}`) or the `file:` transport
/// (`{"to","message","at"}`), one JSON object a line.
struct ReceivedSMS {
    /// The id the gateway answered with (nil for the `file:` transport).
    let id: String?
    let from: String?
    let to: String
    let message: String

    var lines: [String] {
        message.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .init(charactersIn: "\r")) }
    }

    /// The lines that are links.
    var links: [String] {
        lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("https://") }
    }
}

extension Stack {
    /// Every SMS that reached the sink so far, oldest first.
    func smsMessages() -> [ReceivedSMS] {
        let text = (try? String(contentsOfFile: smsOutput, encoding: .utf8)) ?? ""
        // Only whole lines: the sink may be half-way through writing the last one.
        var complete = text.components(separatedBy: "\n")
        complete.removeLast()
        return complete.compactMap { line in
            guard let data = line.data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let to = object["to"] as? String, let message = object["message"] as? String else { return nil }
            return ReceivedSMS(id: object["id"] as? String, from: object["from"] as? String, to: to, message: message)
        }
    }

    /// Waits for the `count`-th SMS to `number` and returns it.
    func waitForSMS(to number: String, count: Int = 1, timeout: Double = 15) throws -> ReceivedSMS {
        var found: [ReceivedSMS] = []
        try waitUntil("SMS number \(count) to \(number) arrives", timeout: timeout) {
            found = smsMessages().filter { $0.to == number }
            return found.count >= count
        }
        return found[count - 1]
    }
}
