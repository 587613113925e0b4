/// The languages pages and messages come in.
public enum Language: String, Sendable, CaseIterable, Codable {
    case en
    case sv

    /// Picks from an `Accept-Language` header by quality; English when nothing fits.
    /// Malformed parts are skipped, never an error.
    public init(acceptLanguage header: String?) {
        guard let header, !header.isEmpty else { self = .en; return }
        var best: (language: Language, quality: Double)? = nil
        for part in header.split(separator: ",").prefix(32) {
            let pieces = part.split(separator: ";")
            guard let tag = pieces.first.map({ String($0).trimmingSurroundingWhitespace().lowercased() }) else { continue }
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            var quality: Double? = 1.0
            for parameter in pieces.dropFirst() {
                let trimmed = String(parameter).trimmingSurroundingWhitespace()
                guard trimmed.hasPrefix("q=") else { continue }
                // A malformed quality makes the whole part malformed: skipped.
                let text = trimmed.dropFirst(2)
                if text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 }), let value = Double(text), (0...1).contains(value) {
                    quality = value
                } else {
                    quality = nil
                }
            }
            guard let quality else { continue }
            let candidate: Language? = switch primary {
            case "sv": .sv
            case "en": .en
            case "*": .en
            default: nil
            }
            if let candidate, quality > 0, quality > (best?.quality ?? -1) {
                best = (candidate, quality)
            }
        }
        self = best?.language ?? .en
    }
}
