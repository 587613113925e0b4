/// A short, human description of a User-Agent for the link page ("Firefox on Linux").
/// It only informs the person approving; it decides nothing.
enum Browser {
    static func describe(userAgent: String) -> String {
        let agent = userAgent.lowercased()
        let name: String
        if agent.contains("edg/") { name = "Edge" }
        else if agent.contains("opr/") || agent.contains("opera") { name = "Opera" }
        else if agent.contains("firefox/") { name = "Firefox" }
        else if agent.contains("chrome/") || agent.contains("chromium/") { name = "Chrome" }
        else if agent.contains("safari/") { name = "Safari" }
        else if agent.hasPrefix("curl/") { name = "curl" }
        else { name = "" }
        let system: String
        if agent.contains("iphone") || agent.contains("ipad") { system = "iOS" }
        else if agent.contains("android") { system = "Android" }
        else if agent.contains("windows") { system = "Windows" }
        else if agent.contains("mac os x") || agent.contains("macintosh") { system = "macOS" }
        else if agent.contains("linux") { system = "Linux" }
        else { system = "" }
        switch (name.isEmpty, system.isEmpty) {
        case (false, false): return "\(name) · \(system)"
        case (false, true): return name
        case (true, false): return system
        case (true, true): return "—"
        }
    }
}
