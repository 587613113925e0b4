/// The cookies the responder sets. All carry the `__Host-` prefix: Secure, Path=/, no Domain,
/// so no other host can plant or read them.
enum CookieName: String, Sendable {
    /// Random id of a signed-out browser; CSRF tokens are an HMAC over it (no database row).
    case preSession = "__Host-konfident-pre"
    /// The signed-in session; only its SHA-256 is stored.
    case session = "__Host-konfident-session"
    /// Binds a sign-in attempt to the browser that started it; only its SHA-256 is stored.
    case attempt = "__Host-konfident-attempt"
    /// Binds an accepted invitation to the browser that accepted it, where Finish is offered.
    case invitation = "__Host-konfident-invitation"
    /// The chosen language (`en` / `sv`).
    case language = "__Host-konfident-lang"
}

enum Cookie {
    /// `Set-Cookie` value. `maxAge` nil: until the browser closes; 0: delete.
    static func header(_ name: CookieName, _ value: String, maxAge: Int64?, httpOnly: Bool = true) -> String {
        var text = "\(name.rawValue)=\(value); Path=/; Secure"
        if httpOnly { text += "; HttpOnly" }
        text += "; SameSite=Lax"
        if let maxAge { text += "; Max-Age=\(maxAge)" }
        return text
    }

    static func deletion(_ name: CookieName) -> String {
        header(name, "", maxAge: 0)
    }
}
