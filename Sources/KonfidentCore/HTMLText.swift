/// Text for HTML content and quoted attribute values as plain strings (messages, the simulator's
/// page): the five characters that matter, as entities. The web pages build their
/// markup as bytes with `KonfidentWeb.HTML`, which escapes the same five.
public enum HTMLText {
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
