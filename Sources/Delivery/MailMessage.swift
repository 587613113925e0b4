import Foundation

/// An email as sent: headers and a plain-text and an HTML part (multipart/alternative),
/// both quoted-printable so that any SMTP server accepts them.
public struct MailMessage: Sendable, Equatable {
    public var from: String
    public var to: String
    public var subject: String
    public var text: String
    public var html: String
    public var messageID: String
    public var date: Int64

    public init(from: String, to: String, subject: String, text: String, html: String, messageID: String, date: Int64) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.date = date
    }

    /// The bare address of `from` ("Name <a@b>" → "a@b"), for the SMTP envelope.
    public var envelopeFrom: String { MailMessage.bareAddress(from) }

    static func bareAddress(_ text: String) -> String {
        if let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
            return String(text[text.index(after: open)..<close])
        }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// RFC 5322 text with CRLF line ends.
    public func rendered(boundary: String) -> String {
        // Header values never carry a line break: it would start a header of the sender's choosing.
        func value(_ text: String) -> String {
            guard text.utf8.contains(where: { $0 == 13 || $0 == 10 }) else { return text }
            return String(decoding: text.utf8.map { $0 == 13 || $0 == 10 ? 32 : $0 }, as: UTF8.self)
        }
        let lines = [
            "From: \(MailMessage.encodedHeader(value(from)))",
            "To: \(value(to))",
            "Subject: \(MailMessage.encodedHeader(value(subject)))",
            "Date: \(MailMessage.rfc5322Date(date))",
            "Message-ID: <\(value(messageID))>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative;",
            " boundary=\"\(boundary)\"",
            "",
            "--\(boundary)",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            QuotedPrintable.encode(text),
            "--\(boundary)",
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            QuotedPrintable.encode(html),
            "--\(boundary)--",
            "",
        ]
        // Every line ends in CRLF: the header values hold no CR or LF, the encoded words fold with
        // CRLF, and the quoted-printable parts end their lines with CRLF and escape a lone CR.
        return lines.joined(separator: "\r\n")
    }

    /// A header value with non-ASCII text becomes an RFC 2047 encoded word; the address part stays.
    static func encodedHeader(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 >= 128 }) else { return value }
        if let open = value.lastIndex(of: "<") {
            let name = value[..<open].trimmingCharacters(in: .whitespaces)
            return "\(encodedWords(name))\r\n \(value[open...])"
        }
        return encodedWords(value)
    }

    /// RFC 2047 words of at most 39 UTF-8 bytes each (64 characters encoded, so even the first, after "Subject: ", stays within 78), never cutting a
    /// character, folded onto lines of their own.
    static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 39 {
                words.append("=?utf-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?utf-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    static func rfc5322Date(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(parts.tm_mday) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }
}

/// Quoted-printable (RFC 2045 §6.7) with soft line breaks at 76 characters.
public enum QuotedPrintable {
    /// Lines end at LF or CRLF and are joined with CRLF; a lone CR is escaped like any other
    /// control byte. On UTF-8 bytes: every byte is one output piece of 1 or 3 ASCII characters.
    public static func encode(_ text: String) -> String {
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        var source = text.utf8[...]
        out.reserveCapacity(source.count + source.count / 8 + 16)
        var firstLine = true
        while true {
            // One line: up to LF (and a CR right before it), or the end.
            let end = source.firstIndex(of: 10) ?? source.endIndex
            var line = source[..<end]
            if end != source.endIndex, line.last == 13 { line = line.dropLast() }
            if !firstLine { out.append(contentsOf: [13, 10]) }
            firstLine = false
            var length = 0
            var index = line.startIndex
            while index != line.endIndex {
                let byte = line[index]
                line.formIndex(after: &index)
                let isLast = index == line.endIndex
                let literal = (byte >= 33 && byte <= 126 && byte != 61) || (byte == 32 && !isLast)
                let width = literal ? 1 : 3
                if length + width > 75 {
                    out.append(contentsOf: [61, 13, 10])
                    length = 0
                }
                if literal {
                    out.append(byte)
                } else {
                    out.append(61)
                    out.append(hex[Int(byte >> 4)])
                    out.append(hex[Int(byte & 15)])
                }
                length += width
            }
            guard end != source.endIndex else { break }
            source = source[source.index(after: end)...]
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) -> String {
        var bytes: [UInt8] = []
        let source = Array(text.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=\n", with: "").utf8)
        var index = 0
        while index < source.count {
            if source[index] == 61, index + 2 < source.count,
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
}
