import Foundation
import Synchronization
import Testing
@testable import BankID

/// The pause after a call that got no answer: calls fail at once, one call at a time tries again,
/// and any answer ends the pause.
struct PausingRelyingPartyTests {
    /// A service that fails or answers as the test says, on the test's clock, counting its calls.
    final class Service: RelyingParty, @unchecked Sendable {
        struct State {
            var failure: (any Error & Sendable)?
            var calls = 0
            /// While set, a call waits for the test to open it (a call in flight).
            var gate: DispatchSemaphore?
        }
        let state = Mutex(State())

        func answer() throws {
            let (failure, gate) = state.withLock { state in
                state.calls += 1
                return (state.failure, state.gate)
            }
            gate?.wait()
            if let failure { throw failure }
        }

        func auth(_ request: AuthRequest) throws -> AuthResponse {
            try answer()
            return AuthResponse(orderRef: "ref", autoStartToken: "a", qrStartToken: "q", qrStartSecret: "s")
        }

        func collect(orderRef: String) throws -> CollectResponse {
            try answer()
            return CollectResponse(orderRef: orderRef, status: .pending, hintCode: "outstandingTransaction")
        }

        func cancel(orderRef: String) throws { try answer() }

        var calls: Int { state.withLock { $0.calls } }
        func fail(_ failure: (any Error & Sendable)?) { state.withLock { $0.failure = failure } }
    }

    final class Clock: @unchecked Sendable {
        let seconds = Mutex(1000.0)
        func advance(_ delta: Double) { seconds.withLock { $0 += delta } }
        var now: @Sendable () -> Double { { self.seconds.withLock { $0 } } }
    }

    static let unreachable = RPTransportError(kind: .connect, curlCode: 7, message: "Connection refused")

    func kind(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "answered"
        } catch let failure as RPTransportError {
            return failure.kind.rawValue
        } catch let error as RPError {
            return error.errorCode.rawValue
        } catch {
            return "\(error)"
        }
    }

    @Test func afterNoAnswerCallsFailAtOnceUntilThePauseEnds() {
        let service = Service(), clock = Clock()
        let party = PausingRelyingParty(service, pause: 5, now: clock.now)
        service.fail(Self.unreachable)
        #expect(kind { _ = try party.collect(orderRef: "a") } == "connect")
        #expect(service.calls == 1)
        service.fail(nil)
        clock.advance(4.9)
        #expect(kind { _ = try party.collect(orderRef: "b") } == "connect")
        #expect(kind { _ = try party.auth(AuthRequest(endUserIp: "192.0.2.1")) } == "connect")
        #expect(kind { try party.cancel(orderRef: "c") } == "connect")
        #expect(service.calls == 1)
        clock.advance(0.1)
        #expect(kind { _ = try party.collect(orderRef: "b") } == "answered")
        #expect(kind { _ = try party.collect(orderRef: "c") } == "answered")
        #expect(service.calls == 3)
    }

    @Test func aTryThatGetsNoAnswerStartsANewPause() {
        let service = Service(), clock = Clock()
        let party = PausingRelyingParty(service, pause: 5, now: clock.now)
        service.fail(RPTransportError(kind: .timeout, curlCode: 28, message: "timed out"))
        #expect(kind { _ = try party.collect(orderRef: "a") } == "timeout")
        clock.advance(5)
        #expect(kind { _ = try party.collect(orderRef: "a") } == "timeout")
        #expect(service.calls == 2)
        clock.advance(4)
        #expect(kind { _ = try party.collect(orderRef: "a") } == "timeout")
        #expect(service.calls == 2)
    }

    @Test func anErrorAnswerIsAnAnswer() {
        let service = Service(), clock = Clock()
        let party = PausingRelyingParty(service, pause: 5, now: clock.now)
        service.fail(RPError(.maintenance, details: "Service in maintenance"))
        #expect(kind { _ = try party.collect(orderRef: "a") } == "maintenance")
        #expect(kind { _ = try party.collect(orderRef: "a") } == "maintenance")
        #expect(service.calls == 2)
        // A TLS failure came from a service that answered: no pause either.
        service.fail(RPTransportError(kind: .tls, curlCode: 60, message: "unknown CA"))
        #expect(kind { _ = try party.collect(orderRef: "a") } == "tls")
        #expect(kind { _ = try party.collect(orderRef: "a") } == "tls")
        #expect(service.calls == 4)
    }

    @Test func oneCallAtATimeTriesAgain() async throws {
        let service = Service(), clock = Clock()
        let party = PausingRelyingParty(service, pause: 5, now: clock.now)
        service.fail(Self.unreachable)
        #expect(kind { _ = try party.collect(orderRef: "a") } == "connect")
        clock.advance(5)
        service.fail(nil)
        let gate = DispatchSemaphore(value: 0)
        service.state.withLock { $0.gate = gate }
        let probe = Thread { _ = try? party.collect(orderRef: "probe") }
        probe.start()
        while service.calls < 2 { usleep(1000) }
        // The try is in flight: everyone else still fails at once.
        #expect(kind { _ = try party.collect(orderRef: "b") } == "connect")
        #expect(service.calls == 2)
        service.state.withLock { $0.gate = nil }
        gate.signal()
        var waited = 0
        while kind({ _ = try party.collect(orderRef: "c") }) != "answered" && waited < 5000 {
            usleep(1000)
            waited += 1
        }
        #expect(waited < 5000)
    }
}
