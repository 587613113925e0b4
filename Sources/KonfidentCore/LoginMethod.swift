/// How a member proves who they are; fixed when they are invited (DESIGN §1).
public enum LoginMethod: String, Sendable, CaseIterable, Codable {
    case email
    case twoFactor = "2fa"
    case bankid

    /// The channels whose links must all be confirmed for a sign-in by email.
    public var linkChannels: Set<LinkChannel> {
        switch self {
        case .email: [.email]
        case .twoFactor: [.email, .sms]
        case .bankid: []
        }
    }
}

/// What a member may do in the workspace.
public enum Role: String, Sendable, CaseIterable, Codable {
    case administrator
    case general
    case limited
}

/// invited → active → revoked.
public enum MemberState: String, Sendable, CaseIterable, Codable {
    case invited
    case active
    case revoked
}

/// Where a verification link is sent.
public enum LinkChannel: String, Sendable, CaseIterable, Codable, Comparable {
    case email
    case sms

    public static func < (lhs: LinkChannel, rhs: LinkChannel) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
