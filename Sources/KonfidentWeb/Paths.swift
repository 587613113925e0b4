import KonfidentCore

/// The absolute paths of the responder's pages inside one workspace (its path prefix included).
struct Paths: Sendable {
    let prefix: String

    var home: String { prefix + "/" }
    var login: String { prefix + "/_konfident/login" }
    var wait: String { prefix + "/_konfident/wait" }
    var waitStatus: String { prefix + "/_konfident/wait/status" }
    var waitCancel: String { prefix + "/_konfident/wait/cancel" }
    var signOut: String { prefix + "/_konfident/signout" }
    var bankID: String { prefix + "/_konfident/bankid" }
    var bankIDQR: String { prefix + "/_konfident/bankid/qr" }
    var bankIDStatus: String { prefix + "/_konfident/bankid/status" }
    var bankIDCancel: String { prefix + "/_konfident/bankid/cancel" }
    var welcomeBankID: String { prefix + "/_konfident/welcome/bankid" }
    var members: String { prefix + "/_konfident/members" }
    var invite: String { prefix + "/_konfident/members/invite" }
    var welcome: String { prefix + "/_konfident/welcome" }
    var welcomeStatus: String { prefix + "/_konfident/welcome/status" }
    func verify(_ link: SplitToken) -> String { prefix + "/_konfident/verify/" + link.text }
    func invitation(_ token: String) -> String { prefix + "/_konfident/invitation/" + token }
    func member(_ id: Int64, _ action: MemberAction) -> String { prefix + "/_konfident/members/\(id)/\(action.rawValue)" }
}

/// Names of the form fields (DESIGN fixed points), one closed set.
enum FormField: String, Sendable {
    case csrf
    case email
    case shown
    case personnummer
    case method
    case phone
    case role
}
