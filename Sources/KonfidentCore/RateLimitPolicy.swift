/// What a rate limit counts attempts per.
public enum RateLimitKind: String, CaseIterable, Sendable, Hashable {
    /// Attempts from one client address (`REMOTE_ADDR`).
    case ip
    /// Sign-in attempts for one typed email address, member or not, so that
    /// hitting the limit reveals nothing about membership.
    case member
    /// SMS messages to one destination number.
    case sms
    /// SMS messages to one country calling code (toll fraud guard).
    case smscountry
}

/// At most `count` attempts in each window of `windowSeconds`. The windows are fixed: they start at
/// whole multiples of `windowSeconds` since 1970, so around the end of one up to twice `count`
/// attempts can come close together (README, "Rate limits").
public struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    public let count: Int
    public let windowSeconds: Int64

    public init(count: Int, windowSeconds: Int64) {
        self.count = count
        self.windowSeconds = windowSeconds
    }

    /// Seconds from `now` until the window that holds it ends (when its count starts over).
    public func secondsLeft(at now: Int64) -> Int64 {
        windowSeconds - now % windowSeconds
    }

    /// The configuration form, largest whole unit: `5/10min`, `30/h`.
    public var description: String {
        for (unit, length) in RateLimitPolicy.unitsLargestFirst
        where windowSeconds % length == 0 && windowSeconds != 0 {
            let multiple = windowSeconds / length
            return multiple == 1 ? "\(count)/\(unit)" : "\(count)/\(multiple)\(unit)"
        }
        return "\(count)/\(windowSeconds)s"
    }
}

/// The rate limits in force, from `KONFIDENT_RATE_LIMITS`.
///
/// The value is `off` (no limits, for benchmarks) or a comma-separated list
/// of `kind=count/window`, e.g. `ip=60/min,member=5/10min`. A window is a unit
/// `s`, `min`, `h` or `d`, optionally preceded by a positive multiplier
/// (`min`, `10min`, `90s`, `2h`). Kinds not named keep their defaults; an
/// unknown or repeated kind, a count or multiplier of zero, or anything else
/// stops start-up. Spaces around the parts are ignored.
public struct RateLimitPolicy: Sendable, Hashable, CustomStringConvertible {
    /// Every kind's limit; empty when the limits are off.
    public var limits: [RateLimitKind: RateLimit]
    public var isOff: Bool

    public init(limits: [RateLimitKind: RateLimit], isOff: Bool = false) {
        self.limits = limits
        self.isOff = isOff
    }

    /// `ip=60/min,member=5/10min,sms=5/10min,smscountry=30/h`. A sign-in of a 2FA member counts
    /// against both `member` and `sms`: with `sms` no lower than `member`, a 2FA member's address
    /// meets its limit after as many attempts as anybody else's, so the limit tells nothing.
    public static let defaults = RateLimitPolicy(limits: [
        .ip: RateLimit(count: 60, windowSeconds: 60),
        .member: RateLimit(count: 5, windowSeconds: 600),
        .sms: RateLimit(count: 5, windowSeconds: 600),
        .smscountry: RateLimit(count: 30, windowSeconds: 3600),
    ])

    public static let off = RateLimitPolicy(limits: [:], isOff: true)

    public init(parsing raw: String) throws(ConfigValueError) {
        let text = raw.trimmingSurroundingWhitespace()
        if text == "off" {
            self = .off
            return
        }
        self = .defaults
        var named: Set<RateLimitKind> = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let (kind, limit) = try Self.entry(String(item).trimmingSurroundingWhitespace())
            guard named.insert(kind).inserted else {
                throw ConfigValueError(message: "limit '\(kind.rawValue)' is given twice")
            }
            limits[kind] = limit
        }
    }

    /// The limit for a kind, or nil when there is none (limits off).
    public func limit(for kind: RateLimitKind) -> RateLimit? {
        isOff ? nil : limits[kind]
    }

    /// The configuration form: `off`, or every kind's limit.
    public var description: String {
        if isOff { return "off" }
        return RateLimitKind.allCases.compactMap { kind in
            limits[kind].map { "\(kind.rawValue)=\($0)" }
        }.joined(separator: ",")
    }

    static let unitsLargestFirst: [(String, Int64)] = [("d", 86400), ("h", 3600), ("min", 60), ("s", 1)]

    /// One `kind=count/window`.
    private static func entry(_ item: String) throws(ConfigValueError) -> (RateLimitKind, RateLimit) {
        let parts = item.split(separator: "=", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw ConfigValueError(
                message: "'\(item)' is not a limit: write kind=count/window, e.g. member=5/10min, or 'off'"
            )
        }
        let name = String(parts[0]).trimmingSurroundingWhitespace()
        guard let kind = RateLimitKind(rawValue: name) else {
            let known = RateLimitKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigValueError(message: "unknown limit '\(name)' (known: \(known))")
        }
        let rate = parts[1].split(separator: "/", omittingEmptySubsequences: false)
        guard rate.count == 2,
              let count = ASCII.integer(String(rate[0]).trimmingSurroundingWhitespace().utf8),
              count > 0, count <= Int64(Int32.max)
        else {
            throw ConfigValueError(
                message: "'\(item)': the count must be a positive whole number followed by /window, e.g. \(kind.rawValue)=5/10min"
            )
        }
        let window = try windowSeconds(String(rate[1]).trimmingSurroundingWhitespace(), in: item)
        return (kind, RateLimit(count: Int(count), windowSeconds: window))
    }

    /// `min`, `10min`, `90s`, `h`, `2h`, `d`, … in seconds.
    private static func windowSeconds(_ text: String, in item: String) throws(ConfigValueError) -> Int64 {
        let refusal = ConfigValueError(
            message: "'\(item)': the window must be s, min, h or d, optionally after a positive whole number, e.g. 10min, 2h"
        )
        guard let (unit, length) = unitsLargestFirst.first(where: { unit, _ in
            text.utf8.count >= unit.utf8.count && text.utf8.suffix(unit.utf8.count).elementsEqual(unit.utf8)
        }) else { throw refusal }
        let digits = text.utf8.dropLast(unit.utf8.count)
        let multiplier: Int64
        if digits.isEmpty {
            multiplier = 1
        } else if let number = ASCII.integer(digits), number > 0 {
            multiplier = number
        } else {
            throw refusal
        }
        let (seconds, overflow) = multiplier.multipliedReportingOverflow(by: length)
        guard !overflow else { throw ConfigValueError(message: "'\(item)': the window is too long") }
        return seconds
    }
}
