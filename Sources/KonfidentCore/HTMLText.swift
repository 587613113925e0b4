/// Text for HTML content and quoted attribute values as plain strings (messages, the simulator's
/// page): the five characters that matter, as entities. The web pages build their
/// markup as bytes with `KonfidentWeb.HTML`, which escapes the same five.
public enum HTMLText {
    public static func escaped(_ text: String) -> String {
        // On UTF-8 bytes: the five are ASCII, and no byte of a longer character can be one of them.
        let utf8 = text.utf8
        func isSpecial(_ byte: UInt8) -> Bool { byte == 38 || byte == 60 || byte == 62 || byte == 34 || byte == 39 }
        // Most texts need nothing: looked for in the contiguous bytes, not through the view's indices.
        let needed = utf8.withContiguousStorageIfAvailable { $0.contains(where: isSpecial) } ?? utf8.contains(where: isSpecial)
        guard needed else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 16)
        for byte in utf8 {
            switch byte {
            case 38: out.append(contentsOf: "&amp;".utf8)
            case 60: out.append(contentsOf: "&lt;".utf8)
            case 62: out.append(contentsOf: "&gt;".utf8)
            case 34: out.append(contentsOf: "&quot;".utf8)
            case 39: out.append(contentsOf: "&#39;".utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
