import GRDB
import KonfidentCore

/// A workspace as registered by `konfident workspace create`.
public struct Workspace: Sendable, Equatable {
    public let id: Int64
    public let slug: String
    public let name: String
    public let url: WorkspaceURL

    init(row: Row) throws {
        id = row["id"]
        slug = row["slug"]
        name = row["name"]
        url = try WorkspaceURL(parsing: row["url"] as String)
    }
}

/// A member of one workspace.
public struct Member: Sendable, Equatable {
    public let id: Int64
    public let workspaceID: Int64
    public let email: String?
    public let phone: String?
    public let personnummer: String?
    public let method: LoginMethod
    public let role: Role
    public let state: MemberState
    public let createdAt: Int64
    public let lastSignInAt: Int64?

    init(row: Row) {
        id = row["id"]
        workspaceID = row["workspace_id"]
        email = row["email"]
        phone = row["phone"]
        personnummer = row["personnummer"]
        method = LoginMethod(rawValue: row["method"]) ?? .email
        role = Role(rawValue: row["role"]) ?? .limited
        state = MemberState(rawValue: row["state"]) ?? .revoked
        createdAt = row["created_at"]
        lastSignInAt = row["last_sign_in_at"]
    }

    /// The columns `init(hot:offset:)` reads, in its order, from the table `member`.
    static let columns = """
        member.id, member.workspace_id, member.email, member.phone, member.personnummer, member.method, member.role,
        member.state, member.created_at, member.last_sign_in_at
        """

    init(hot row: ReaderConnection.Row, offset: Int32 = 0) {
        id = row.integer(offset)
        workspaceID = row.integer(offset + 1)
        email = row.optionalText(offset + 2)
        phone = row.optionalText(offset + 3)
        personnummer = row.optionalText(offset + 4)
        method = LoginMethod(rawValue: row.text(offset + 5)) ?? .email
        role = Role(rawValue: row.text(offset + 6)) ?? .limited
        state = MemberState(rawValue: row.text(offset + 7)) ?? .revoked
        createdAt = row.integer(offset + 8)
        lastSignInAt = row.optionalInteger(offset + 9)
    }

    /// How the member is named on pages: the email address, else the masked personnummer.
    public var displayName: String {
        if let email { return email }
        if let personnummer { return Personnummer.masked(digits: personnummer) }
        return "#\(id)"
    }
}

/// A new member's details, validated by the caller through the KonfidentCore parsers.
public struct NewMember: Sendable {
    public var email: EmailAddress?
    public var phone: PhoneNumber?
    public var personnummer: Personnummer?
    public var method: LoginMethod
    public var role: Role

    public init(email: EmailAddress?, phone: PhoneNumber?, personnummer: Personnummer?, method: LoginMethod, role: Role) {
        self.email = email
        self.phone = phone
        self.personnummer = personnummer
        self.method = method
        self.role = role
    }

    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case emailRequired
        case phoneRequired
        case identityRequired

        public var description: String {
            switch self {
            case .emailRequired: "this login method needs an email address"
            case .phoneRequired: "the 2fa login method needs a mobile number (E.164, e.g. +46701234567)"
            case .identityRequired: "the bankid login method needs a personnummer or an email address"
            }
        }
    }

    /// Each method needs the identifiers it proves identity with (DESIGN §1).
    public func validate() throws(Problem) {
        switch method {
        case .email: if email == nil { throw .emailRequired }
        case .twoFactor:
            if email == nil { throw .emailRequired }
            if phone == nil { throw .phoneRequired }
        case .bankid: if email == nil && personnummer == nil { throw .identityRequired }
        }
    }
}
