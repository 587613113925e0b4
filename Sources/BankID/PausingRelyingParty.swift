import Synchronization

/// A relying party that stops calling a service that does not answer. The calls run on the
/// responder's request threads, which also answer every other page and nginx's `auth_request`; when
/// the service cannot be reached, each call would hold its thread for up to the connect time-out,
/// and a few browsers polling their orders would hold them all. So after a call that got no answer
/// (connect failed or timed out), the calls of the next `pause` seconds fail at once with that same
/// failure; then one call at a time tries the service again (the others keep failing at once while
/// it is in flight), and the first answer, error answers included, ends the pause.
///
/// What the pages make of the quick failures is theirs: a start shows RFA5 with Try again, a collect
/// leaves the order waiting until `BankIDOrder.unansweredLimit`.
public final class PausingRelyingParty: RelyingParty {
    public let service: any RelyingParty
    /// Seconds without calls after a call that got no answer.
    public let pause: Double
    private let now: @Sendable () -> Double

    private struct Outage {
        var failure: RPTransportError
        var until: Double
        var probing: Bool
    }
    private let outage = Mutex<Outage?>(nil)

    /// - Parameter now: seconds on any steady clock (the tests pass their own).
    public init(_ service: any RelyingParty, pause: Double = 5, now: @escaping @Sendable () -> Double = PausingRelyingParty.monotonicSeconds) {
        self.service = service
        self.pause = pause
        self.now = now
    }

    public func auth(_ request: AuthRequest) throws -> AuthResponse {
        try call { try service.auth(request) }
    }

    public func collect(orderRef: String) throws -> CollectResponse {
        try call { try service.collect(orderRef: orderRef) }
    }

    public func cancel(orderRef: String) throws {
        try call { try service.cancel(orderRef: orderRef) }
    }

    /// Whether a failure means that no answer came: the service is down or cut off, not refusing.
    static func isUnanswered(_ failure: RPTransportError) -> Bool {
        failure.kind == .connect || failure.kind == .timeout
    }

    private func call<T>(_ body: () throws -> T) throws -> T {
        let started = now()
        let held: RPTransportError? = outage.withLock { outage in
            guard var current = outage else { return nil }
            if current.probing || started < current.until { return current.failure }
            current.probing = true
            outage = current
            return nil
        }
        if let held { throw held }
        do {
            let answer = try body()
            outage.withLock { $0 = nil }
            return answer
        } catch let failure as RPTransportError where Self.isUnanswered(failure) {
            let until = now() + pause
            outage.withLock { $0 = Outage(failure: failure, until: until, probing: false) }
            throw failure
        } catch {
            outage.withLock { $0 = nil }
            throw error
        }
    }

    private static let origin = ContinuousClock.now

    /// Seconds since this process first asked, on the continuous clock (never set back).
    @Sendable public static func monotonicSeconds() -> Double {
        let elapsed = origin.duration(to: .now).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }
}
