import KonfidentCore

/// Every page the responder serves, parsed once from the path inside the workspace.
/// An unknown path is a 404 before any handler runs.
enum Route: Equatable, Sendable {
    /// `/`: the login page when signed out, the workspace home when signed in.
    case home
    /// `/_konfident/login`: Next on the login page.
    case login
    /// `/_konfident/wait`: "check your inbox", waiting for the link.
    case wait
    /// `/_konfident/wait/status`: the waiting page's poll (JSON).
    case waitStatus
    /// `/_konfident/wait/cancel`: start again.
    case waitCancel
    /// `/_konfident/verify/TOKEN`: the link in the email or SMS.
    case verify(token: String)
    /// `/_konfident/signout`
    case signOut
    /// `/_konfident/auth`: nginx `auth_request`.
    case auth
    /// `/_konfident/bankid`: sign-in with BankID.
    case bankID

    init?(path: String) {
        switch path {
        case "/": self = .home
        case "/_konfident/login": self = .login
        case "/_konfident/wait": self = .wait
        case "/_konfident/wait/status": self = .waitStatus
        case "/_konfident/wait/cancel": self = .waitCancel
        case "/_konfident/signout": self = .signOut
        case "/_konfident/auth": self = .auth
        case "/_konfident/bankid": self = .bankID
        default:
            let prefix = "/_konfident/verify/"
            guard path.hasPrefix(prefix) else { return nil }
            let token = String(path.dropFirst(prefix.count))
            // Tokens are 43 URL-safe base64 characters; anything else is no link of ours.
            guard Base64URL.isWellFormed(token, length: 43...43) else { return nil }
            self = .verify(token: token)
        }
    }

    /// Methods the route answers; `HEAD` is allowed wherever `GET` is.
    var methods: [String] {
        switch self {
        case .home, .wait, .waitStatus, .auth, .bankID: ["GET", "HEAD"]
        case .login, .waitCancel, .signOut: ["POST"]
        case .verify: ["GET", "HEAD", "POST"]
        }
    }

    /// Link pages are opened from messages: no referrer may leak the token.
    var isLinkPage: Bool {
        if case .verify = self { return true }
        return false
    }
}
