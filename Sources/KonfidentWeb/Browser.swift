#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A short, human description of a User-Agent for the link page ("Firefox on Linux").
/// It only informs the person approving; it decides nothing.
enum Browser {
    static func describe(userAgent: String) -> String {
        // ASCII-lowercased bytes, searched with memchr and memcmp: Foundation's `contains` cost more than the
        // rest of the link page.
        let agent = userAgent.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }
        return agent.withUnsafeBytes { haystack -> String in
            func contains(_ needle: StaticString) -> Bool {
                let length = needle.utf8CodeUnitCount
                guard haystack.count >= length, let base = haystack.baseAddress else { return false }
                let first = Int32(needle.utf8Start.pointee)
                var from = 0
                // Each place the first byte occurs, found with memchr, then the rest compared.
                while from <= haystack.count - length {
                    guard let hit = memchr(base + from, first, haystack.count - length - from + 1) else { return false }
                    if memcmp(hit, needle.utf8Start, length) == 0 { return true }
                    from = UnsafeRawPointer(hit) - base + 1
                }
                return false
            }
            func hasPrefix(_ needle: StaticString) -> Bool {
                guard haystack.count >= needle.utf8CodeUnitCount, let base = haystack.baseAddress else { return false }
                return memcmp(base, needle.utf8Start, needle.utf8CodeUnitCount) == 0
            }
            let name: String
            if contains("edg/") { name = "Edge" }
            else if contains("opr/") || contains("opera") { name = "Opera" }
            else if contains("firefox/") { name = "Firefox" }
            else if contains("chrome/") || contains("chromium/") { name = "Chrome" }
            else if contains("safari/") { name = "Safari" }
            else if hasPrefix("curl/") { name = "curl" }
            else { name = "" }
            let system: String
            if contains("iphone") || contains("ipad") { system = "iOS" }
            else if contains("android") { system = "Android" }
            else if contains("windows") { system = "Windows" }
            else if contains("mac os x") || contains("macintosh") { system = "macOS" }
            else if contains("linux") { system = "Linux" }
            else { system = "" }
            switch (name.isEmpty, system.isEmpty) {
            case (false, false): return "\(name) · \(system)"
            case (false, true): return name
            case (true, false): return system
            case (true, true): return "—"
            }
        }
    }
}
