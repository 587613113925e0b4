/// The languages pages and messages come in.
public enum Language: String, Sendable, CaseIterable, Codable {
    case en
    case sv

    /// Picks from an `Accept-Language` header by quality; English when nothing fits.
    /// Malformed parts are skipped, never an error.
    public init(acceptLanguage header: String?) {
        guard let header, !header.isEmpty else { self = .en; return }
        self = Language.parse(acceptLanguage: header)
    }

    /// Byte by byte, without building strings: it runs for every page.
    private static func parse(acceptLanguage header: String) -> Language {
        let bytes = Array(header.utf8.prefix(1024))
        var best: (language: Language, quality: Int)? = nil
        var start = 0
        var parts = 0
        while start < bytes.count && parts < 32 {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: ",") { end += 1 }
            parts += 1
            if let (candidate, quality) = part(bytes[start..<end]), quality > 0, quality > (best?.quality ?? -1) {
                best = (candidate, quality)
            }
            start = end + 1
        }
        return best?.language ?? .en
    }

    /// One `tag[;q=value]` part: the language it names (nil for others) and its quality in
    /// thousandths; nil when the quality is malformed.
    private static func part(_ part: ArraySlice<UInt8>) -> (Language, Int)? {
        let space = { (byte: UInt8) in byte == 32 || byte == 9 }
        var index = part.startIndex
        while index < part.endIndex && space(part[index]) { index += 1 }
        let tagStart = index
        while index < part.endIndex && part[index] != UInt8(ascii: ";") && part[index] != UInt8(ascii: "-")
                && !space(part[index]) { index += 1 }
        let primary = part[tagStart..<index].map { $0 | 0x20 }  // ASCII lowercase
        let language: Language
        switch primary {
        case [UInt8(ascii: "s"), UInt8(ascii: "v")]: language = .sv
        case [UInt8(ascii: "e"), UInt8(ascii: "n")], [UInt8(ascii: "*") | 0x20]: language = .en
        default: return nil
        }
        // Parameters: only q matters; a malformed one makes the whole part malformed.
        var quality = 1000
        while index < part.endIndex {
            guard part[index] == UInt8(ascii: ";") else { index += 1; continue }
            index += 1
            while index < part.endIndex && space(part[index]) { index += 1 }
            let nameStart = index
            while index < part.endIndex && part[index] != UInt8(ascii: "=") && part[index] != UInt8(ascii: ";") { index += 1 }
            guard part[nameStart..<index].elementsEqual([UInt8(ascii: "q")]) || part[nameStart..<index].elementsEqual([UInt8(ascii: "Q")]),
                  index < part.endIndex, part[index] == UInt8(ascii: "=") else { continue }
            index += 1
            let valueStart = index
            while index < part.endIndex && part[index] != UInt8(ascii: ";") && !space(part[index]) { index += 1 }
            guard let parsed = thousandths(part[valueStart..<index]) else { return nil }
            quality = parsed
        }
        return (language, quality)
    }

    /// "0", "1", "0.5", "1.000", "0.875" → thousandths; anything else (or above 1) → nil.
    private static func thousandths(_ text: ArraySlice<UInt8>) -> Int? {
        guard let first = text.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        var value = Int(first - UInt8(ascii: "0")) * 1000
        var rest = text.dropFirst()
        guard !rest.isEmpty else { return value }
        guard rest.first == UInt8(ascii: "."), rest.count <= 4 else { return nil }
        rest = rest.dropFirst()
        var scale = 100
        for byte in rest {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            value += Int(byte - UInt8(ascii: "0")) * scale
            scale /= 10
        }
        return value <= 1000 ? value : nil
    }
}
