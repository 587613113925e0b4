import KonfidentStore

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
    /// Binds a BankID order to the browser that started it; only its SHA-256 is stored, and it
    /// keys the sealing of the order's QR and autostart secrets.
    case bankID = "__Host-konfident-bankid"
    /// The chosen language (`en` / `sv`).
    case language = "__Host-konfident-lang"
}

enum Cookie {
    /// `Set-Cookie` value. `maxAge` nil: until the browser closes; 0: delete.
    static func header(_ name: String, _ value: String, maxAge: Int64?, httpOnly: Bool = true) -> String {
        // Appended into one string of the right size: every login page sets one.
        var text = ""
        text.reserveCapacity(name.utf8.count + value.utf8.count + 64)
        text += name
        text += "="
        text += value
        text += httpOnly ? "; Path=/; Secure; HttpOnly; SameSite=Lax" : "; Path=/; Secure; SameSite=Lax"
        if let maxAge {
            text += "; Max-Age="
            text += String(maxAge)
        }
        return text
    }

    static func deletion(_ name: String) -> String {
        header(name, "", maxAge: 0)
    }

    /// The name a cookie has in `workspace`. `__Host-` cookies all have `Path=/`, so two workspaces
    /// under different path prefixes of one host would share them: a workspace with a prefix gets
    /// names of its own. The language is a preference of the person, shared by the host.
    static func name(_ name: CookieName, in workspace: Workspace) -> String {
        if workspace.url.pathPrefix.isEmpty || name == .language { return name.rawValue }
        return "\(name.rawValue)-\(workspace.id)"
    }
}
