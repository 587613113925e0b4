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

    /// The Message-ID's part before "@": unique per message and try, it names the maildir file.
    var uniquePart: Substring {
        // Looked for in the bytes: by Character (grapheme clusters) the search cost more
        // instructions than writing the maildir file.
        messageID[..<(messageID.utf8.firstIndex(of: UInt8(ascii: "@")) ?? messageID.endIndex)]
    }

    /// The MIME boundary every transport renders the message with.
    var boundary: String { "konfident-\(uniquePart)" }

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
        String(decoding: renderedBytes(boundary: boundary), as: UTF8.self)
    }

    /// `rendered(boundary:)` as the UTF-8 bytes the transports write, built in one buffer.
    public func renderedBytes(boundary: String) -> [UInt8] {
        // Header values never carry a line break: it would start a header of the sender's choosing.
        func value(_ text: String) -> String {
            guard text.utf8.contains(where: { $0 == 13 || $0 == 10 }) else { return text }
            return String(decoding: text.utf8.map { $0 == 13 || $0 == 10 ? 32 : $0 }, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(640 + 2 * boundary.utf8.count + QuotedPrintable.bound(text.utf8.count)
                            + QuotedPrintable.bound(html.utf8.count))
        // A line is written in its pieces: a string interpolated for each line cost as much as
        // encoding the two parts.
        func line(_ head: StaticString, _ value: String = "", _ tail: StaticString = "") {
            head.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(contentsOf: value.utf8)
            tail.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(13)
            out.append(10)
        }
        line("From: ", MailMessage.encodedHeader(value(from)))
        line("To: ", value(to))
        line("Subject: ", MailMessage.encodedHeader(value(subject)))
        line("Date: ", MailMessage.rfc5322Date(date))
        line("Message-ID: <", value(messageID), ">")
        line("MIME-Version: 1.0")
        line("Content-Type: multipart/alternative;")
        line(" boundary=\"", boundary, "\"")
        line("")
        for (part, type) in [(text, "Content-Type: text/plain; charset=utf-8" as StaticString),
                             (html, "Content-Type: text/html; charset=utf-8")] {
            line("--", boundary)
            line(type)
            line("Content-Transfer-Encoding: quoted-printable")
            line("")
            QuotedPrintable.encode(part, into: &out)
            out.append(13)
            out.append(10)
        }
        // Every line ends in CRLF: the header values hold no CR or LF, the encoded words fold with
        // CRLF, and the quoted-printable parts end their lines with CRLF and escape a lone CR.
        line("--", boundary, "--")
        return out
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
        var out: [UInt8] = []
        encode(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The most bytes `encode` writes for `count` bytes of text: a byte's piece is at most 3
    /// characters and at most one soft line break ("=" CRLF) comes before it.
    static func bound(_ count: Int) -> Int { count * 6 }

    /// Appends the encoding of `text` to `out`, straight from the text's bytes: a mail is encoded
    /// for every message sent.
    static func encode(_ text: String, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { source in
            out.append(contentsOf: [UInt8](unsafeUninitializedCapacity: bound(source.count)) { buffer, written in
                written = encode(source, into: buffer)
            })
        }
    }

    private static let hex: StaticString = "0123456789ABCDEF"

    /// Writes the encoding of `source` into `out` (room for `bound(source.count)` bytes); returns
    /// the number of bytes written.
    private static func encode(_ source: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let hex = hex.utf8Start
        let count = source.count
        /// True when the line break (LF, or CR LF) starts at `index`.
        func isLineEnd(_ index: Int) -> Bool {
            index < count && (source[index] == 10 || (source[index] == 13 && index + 1 < count && source[index + 1] == 10))
        }
        var written = 0
        var length = 0
        var index = 0
        while index < count {
            let byte = source[index]
            index &+= 1
            let literal: Bool
            if byte >= 33 && byte <= 126 && byte != 61 {
                literal = true
            } else if byte == 10 || (byte == 13 && index < count && source[index] == 10) {
                // The line break, LF or CR LF, becomes CRLF. (`isLineEnd` on the byte in hand; called
                // here, it made the encoder 10 % slower.)
                if byte == 13 { index &+= 1 }
                out[written] = 13
                out[written &+ 1] = 10
                written &+= 2
                length = 0
                continue
            } else {
                // A blank stays as it is unless it ends its line.
                literal = byte == 32 && !(index == count || isLineEnd(index))
            }
            let width = literal ? 1 : 3
            if length &+ width > 75 {
                out[written] = 61
                out[written &+ 1] = 13
                out[written &+ 2] = 10
                written &+= 3
                length = 0
            }
            if literal {
                out[written] = byte
            } else {
                out[written] = 61
                out[written &+ 1] = hex[Int(byte >> 4)]
                out[written &+ 2] = hex[Int(byte & 15)]
            }
            written &+= width
            length &+= width
        }
        return written
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
