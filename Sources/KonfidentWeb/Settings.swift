import BankID
import KonfidentCore

/// What the web layer needs to know of the configuration (DESIGN §3); the executable fills it
/// from the environment and flags.
public struct Settings: Sendable {
    public var linkLifetime: Int64 = 600
    public var invitationLifetime: Int64 = 7 * 86_400
    public var sessionIdle: Int64 = 1_800
    public var sessionMaximum: Int64 = 43_200
    public var rateLimits: RateLimitPolicy = .defaults
    /// The BankID service (`KONFIDENT_BANKID`); nil: BankID is not offered.
    public var bankID: BankIDSettings?
    public var maximumFormFields = 64

    public init() {}

    public var bankIDConfigured: Bool { bankID != nil }
}

/// How the responder reaches BankID.
public struct BankIDSettings: Sendable {
    /// The RP API v6.0 service: `RPClient` (mutual TLS) behind a `PausingRelyingParty`, in
    /// production and with the simulator.
    public var service: any RelyingParty
    /// With `KONFIDENT_BANKID=simulator`: the simulated phone app's page, which the BankID pages
    /// link to so that a demo needs no phone. Nil with the real service.
    public var simulatorApp: String?

    public init(service: any RelyingParty, simulatorApp: String? = nil) {
        self.service = service
        self.simulatorApp = simulatorApp
    }
}
