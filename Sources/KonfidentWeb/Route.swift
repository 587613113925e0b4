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
    /// `/_konfident/verify/ID.TOKEN`: the link in the email or SMS.
    case verify(link: SplitToken)
    /// `/_konfident/verify/TOKEN`: a link of the form sent before links named their attempt
    /// (migration v7). It opens nothing; it gets the page that says the link no longer works.
    case verifyWithoutID
    /// `/_konfident/signout`
    case signOut
    /// `/_konfident/auth`: nginx `auth_request`.
    case auth
    /// `/_konfident/bankid`: sign-in with BankID: the start form, the waiting screen, the outcome
    /// (GET); a new order (POST).
    case bankID
    /// `/_konfident/bankid/qr`: the animated QR code of this second (SVG).
    case bankIDQR
    /// `/_konfident/bankid/status`: the waiting screen's poll (JSON).
    case bankIDStatus
    /// `/_konfident/bankid/cancel`: Cancel.
    case bankIDCancel
    /// `/_konfident/welcome/bankid`: a BankID member invited by email proves their personnummer.
    case welcomeBankID
    /// `/_konfident/members`: the members page (administrators).
    case members
    /// `/_konfident/members/invite`: the invitation form.
    case invite
    /// `/_konfident/members/ID/resend|revoke|role`.
    case member(id: Int64, action: MemberAction)
    /// `/_konfident/invitation/TOKEN`: the link in an invitation (email) or its SMS.
    case invitation(token: String)
    /// `/_konfident/welcome`: after Accept invitation: what is missing, then Finish.
    case welcome
    /// `/_konfident/welcome/status`: the welcome page's poll (JSON).
    case welcomeStatus

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
        case "/_konfident/bankid/qr": self = .bankIDQR
        case "/_konfident/bankid/status": self = .bankIDStatus
        case "/_konfident/bankid/cancel": self = .bankIDCancel
        case "/_konfident/welcome/bankid": self = .welcomeBankID
        case "/_konfident/members": self = .members
        case "/_konfident/members/invite": self = .invite
        case "/_konfident/welcome": self = .welcome
        case "/_konfident/welcome/status": self = .welcomeStatus
        default:
            if let link = Route.rest(path, after: "/_konfident/verify/").flatMap(SplitToken.init(parsing:)) {
                self = .verify(link: link)
            } else if Route.token(path, after: "/_konfident/verify/") != nil {
                self = .verifyWithoutID
            } else if let token = Route.token(path, after: "/_konfident/invitation/") {
                self = .invitation(token: token)
            } else if path.hasPrefix("/_konfident/members/") {
                let parts = path.dropFirst("/_konfident/members/".count).split(separator: "/", omittingEmptySubsequences: false)
                guard parts.count == 2, parts[0].utf8.count <= 18, parts[0].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                      let id = Int64(parts[0]), let action = MemberAction(rawValue: String(parts[1])) else { return nil }
                self = .member(id: id, action: action)
            } else {
                return nil
            }
        }
    }

    /// What follows `prefix` in `path`, or nil when the path does not start with it.
    private static func rest(_ path: String, after prefix: String) -> String? {
        path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : nil
    }

    /// The token after `prefix`: 43 URL-safe base64 characters, or nil (no link of ours).
    private static func token(_ path: String, after prefix: String) -> String? {
        guard let token = rest(path, after: prefix) else { return nil }
        return Base64URL.isWellFormed(token, length: 43...43) ? token : nil
    }

    /// Methods the route answers; `HEAD` is allowed wherever `GET` is.
    var methods: [String] {
        switch self {
        case .home, .wait, .waitStatus, .auth, .members, .welcomeStatus, .bankIDQR, .bankIDStatus: ["GET", "HEAD"]
        case .login, .waitCancel, .signOut, .invite, .member, .bankIDCancel, .welcomeBankID: ["POST"]
        case .verify, .verifyWithoutID, .invitation, .welcome, .bankID: ["GET", "HEAD", "POST"]
        }
    }

    /// The check of nginx's `auth_request` answers whatever the method and whatever the body says of
    /// itself: in the subrequest nginx passes the client's method (`$request_method` is the main
    /// request's, so a POST to protected content asks with `POST`) and, as our configs say, no body.
    /// Any answer but 2xx, 401 or 403 would be a 500 for the client. The check changes nothing.
    var answersAnyRequest: Bool { self == .auth }

    /// Link pages are opened from messages: no referrer may leak the token.
    var isLinkPage: Bool {
        switch self {
        case .verify, .verifyWithoutID, .invitation: true
        default: false
        }
    }
}

/// What an administrator does to one member.
enum MemberAction: String, Sendable {
    case resend
    case revoke
    case role
}
