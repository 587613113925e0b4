import KonfidentCore

/// What the web layer needs to know of the configuration (DESIGN §3); the executable fills it
/// from the environment and flags.
public struct Settings: Sendable {
    public var linkLifetime: Int64 = 600
    public var invitationLifetime: Int64 = 7 * 86_400
    public var sessionIdle: Int64 = 1_800
    public var sessionMaximum: Int64 = 43_200
    public var rateLimits: RateLimitPolicy = .defaults
    /// False until a BankID relying-party service is configured.
    public var bankIDConfigured = false
    public var maximumFormFields = 64

    public init() {}
}
