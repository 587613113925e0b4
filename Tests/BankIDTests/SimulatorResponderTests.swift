import FastCGI
import Foundation
import KonfidentCore
import Synchronization
import Testing
@testable import BankID
import TestSupport

/// A clock the test moves.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

struct SimulatorResponderTests {
    let clock = TestClock(Date(timeIntervalSince1970: 1_750_000_000))
    let member = "199908072391"
    let responder: SimulatorResponder

    init() {
        let clock = self.clock
        responder = SimulatorResponder(clock: { clock.now }, random: SplitMix64(seed: 42))
    }

    static let verified = ["SSL_CLIENT_VERIFY": "SUCCESS", "SSL_CLIENT_S_DN": "CN=KONFIDENT relying party,O=KONFIDENT test"]

    func rp(_ method: String, _ body: String, contentType: String = "application/json",
            httpMethod: String = "POST", tls: [String: String] = verified) -> Response {
        var variables = ["REQUEST_METHOD": httpMethod, "SCRIPT_NAME": "/rp/v6.0/" + method,
                         "CONTENT_TYPE": contentType, "CONTENT_LENGTH": "\(body.utf8.count)", "REMOTE_ADDR": "127.0.0.1"]
        variables.merge(tls) { $1 }
        return responder.respond(to: Request(variables: variables, body: Array(body.utf8)))
    }

    func app(_ path: String, method: String = "POST", form: [(String, String)] = []) -> Response {
        let body = form.map { "\($0.0)=\(URLEncodedForm.encodeComponent($0.1))" }.joined(separator: "&")
        return responder.respond(to: Request(variables: [
            "REQUEST_METHOD": method, "SCRIPT_NAME": path,
            "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": "\(body.utf8.count)",
        ], body: Array(body.utf8)))
    }

    func auth(_ personalNumber: String? = nil) throws -> AuthResponse {
        let response = rp("auth", RPJSON.encodeString(AuthRequest.forPerson(personalNumber, endUserIp: "192.0.2.10")))
        #expect(response.status.code == 200)
        #expect(response.header("Content-Type") == "application/json")
        return try RPJSON.decode(AuthResponse.self, from: response.body)
    }

    func collect(_ orderRef: String) throws -> CollectResponse {
        let response = rp("collect", RPJSON.encodeString(CollectRequest(orderRef: orderRef)))
        #expect(response.status.code == 200)
        return try RPJSON.decode(CollectResponse.self, from: response.body)
    }

    func error(_ response: Response) -> RPError? {
        try? RPJSON.decode(RPError.self, from: response.body)
    }

    func text(_ response: Response) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test func anOrderFromAuthToComplete() throws {
        let order = try auth(member)
        #expect(try collect(order.orderRef) == .pending(order.orderRef, .outstandingTransaction))

        clock.advance(2)
        let opened = app("/app/open-autostart", form: [("autostarttoken", order.autoStartToken)])
        #expect(opened.status.code == 200)
        #expect(opened.header("X-Simulator-Result") == "ok")
        #expect(opened.header("X-Simulator-Order-Ref") == order.orderRef)
        #expect(try collect(order.orderRef) == .pending(order.orderRef, .userSign))

        // What a person types is normalized to 12 digits.
        let approved = app("/app/approve", form: [("orderRef", order.orderRef), ("personalNumber", "990807-2391")])
        #expect(approved.status.code == 200, "\(text(approved))")
        let complete = try collect(order.orderRef)
        #expect(complete.status == .complete)
        #expect(complete.completionData?.user.personalNumber == member)
        #expect(complete.completionData?.device.ipAddress == "192.0.2.10")
        #expect(complete.isConsistent)

        let recorded = responder.recordedAuthRequests
        #expect(recorded.count == 1)
        #expect(recorded.first?.request?.requirement?.personalNumber == member)
        #expect(recorded.first?.contentType == "application/json")
        #expect(recorded.first?.clientSubject == "CN=KONFIDENT relying party,O=KONFIDENT test")
        #expect(recorded.first?.orderRef == order.orderRef)
        let json = app("/app/requests.json", method: "GET")
        #expect(json.status.code == 200)
        let decoded = try RPJSON.decode([SimulatorResponder.RecordedAuthRequest].self, from: json.body)
        #expect(decoded == recorded)
    }

    @Test func openByQRAndApproveAtOnce() throws {
        let order = try auth()
        clock.advance(3)
        let payload = AnimatedQR.payload(startToken: order.qrStartToken, startSecret: order.qrStartSecret, seconds: 3)
        let response = app("/app/open-qr", form: [("qr", payload), ("personalNumber", member)])
        #expect(response.status.code == 200, "\(text(response))")
        #expect(try collect(order.orderRef).completionData?.user.personalNumber == member)
    }

    @Test func aForgedQRCodeIsRefused() throws {
        let order = try auth()
        let payload = AnimatedQR.payload(startToken: order.qrStartToken, startSecret: "not-the-secret", seconds: 0)
        let response = app("/app/open-qr", form: [("qr", payload)])
        #expect(response.status.code == 400)
        #expect(response.header("X-Simulator-Result") == "qrCodeForged")
        #expect(try collect(order.orderRef) == .pending(order.orderRef, .outstandingTransaction))
    }

    @Test func userCancelFailsTheOrder() throws {
        let order = try auth()
        #expect(app("/app/cancel", form: [("orderRef", order.orderRef)]).status.code == 200)
        #expect(try collect(order.orderRef) == .failed(order.orderRef, .userCancel))
    }

    @Test func rpCancelForgetsTheOrder() throws {
        let order = try auth()
        let cancelled = rp("cancel", RPJSON.encodeString(CancelRequest(orderRef: order.orderRef)))
        #expect(cancelled.status.code == 200)
        #expect(text(cancelled) == "{}")
        let again = rp("collect", RPJSON.encodeString(CollectRequest(orderRef: order.orderRef)))
        #expect(again.status.code == 400)
        #expect(error(again)?.errorCode == .invalidParameters)
    }

    @Test func aSecondOrderForTheSamePersonIsAlreadyInProgress() throws {
        let first = try auth(member)
        let second = rp("auth", RPJSON.encodeString(AuthRequest.forPerson(member, endUserIp: "192.0.2.10")))
        #expect(second.status.code == 400)
        #expect(error(second)?.errorCode == .alreadyInProgress)
        #expect(try collect(first.orderRef) == .failed(first.orderRef, .cancelled))
        #expect(responder.recordedAuthRequests.map(\.status) == [200, 400])
        #expect(responder.recordedAuthRequests.last?.errorCode == "alreadyInProgress")
    }

    @Test func aCharsetParameterIsUnsupportedMediaType() {
        let response = rp("auth", #"{"endUserIp":"192.0.2.10"}"#, contentType: "application/json; charset=utf-8")
        #expect(response.status.code == 415)
        #expect(error(response)?.errorCode == .unsupportedMediaType)
        #expect(responder.recordedAuthRequests.first?.contentType == "application/json; charset=utf-8")
        #expect(responder.recordedAuthRequests.first?.status == 415)
    }

    @Test(arguments: [[:], ["SSL_CLIENT_VERIFY": "NONE"], ["SSL_CLIENT_VERIFY": "FAILED:unable to verify"],
                      ["SSL_CLIENT_VERIFY": "success"]])
    func withoutAVerifiedClientCertificateItIsUnauthorized(tls: [String: String]) {
        let response = rp("auth", #"{"endUserIp":"192.0.2.10"}"#, tls: tls)
        #expect(response.status.code == 401)
        #expect(error(response)?.errorCode == .unauthorized)
        #expect(responder.recordedAuthRequests.first?.orderRef == nil)
        #expect(responder.state(now: clock.now).isEmpty)
    }

    @Test func injectedMaintenanceAnswersTheNextCallOnly() throws {
        let injected = app("/app/inject", form: [("errorCode", "maintenance")])
        #expect(injected.status.code == 200)
        let response = rp("auth", RPJSON.encodeString(AuthRequest.forPerson(nil, endUserIp: "192.0.2.10")))
        #expect(response.status.code == 503)
        #expect(response.status.reason == "Service Unavailable")
        #expect(error(response)?.errorCode == .maintenance)
        _ = try auth()
    }

    @Test func wrongMethodPathAndBody() {
        let get = rp("collect", "", httpMethod: "GET")
        #expect(get.status.code == 405)
        #expect(get.header("Allow") == "POST")
        #expect(error(get)?.errorCode == .methodNotAllowed)
        let unknown = rp("sign2", "{}")
        #expect(unknown.status.code == 404)
        #expect(error(unknown)?.errorCode == .notFound)
        let broken = rp("auth", #"{"endUserIp": "#)
        #expect(broken.status.code == 400)
        #expect(error(broken)?.errorCode == .invalidParameters)
        let missing = rp("auth", #"{"requirement":{}}"#)
        #expect(error(missing)?.errorCode == .invalidParameters)
        #expect(app("/app/approve", method: "GET").status.code == 405)
        #expect(app("/nothing", method: "GET").status.code == 404)
    }

    @Test func theAppPageListsPendingOrdersEscaped() throws {
        let order = try auth(member)
        let page = app("/app", method: "GET")
        #expect(page.status.code == 200)
        #expect(page.header("Content-Type") == "text/html; charset=utf-8")
        let html = text(page)
        #expect(html.contains("data-order-ref=\"\(order.orderRef)\""))
        #expect(html.contains(order.autoStartToken))
        #expect(html.contains(member))
        #expect(!html.contains(order.qrStartSecret))

        let hostile = "<script>alert('x')</script>\"&"
        let refused = app("/app/open-autostart", form: [("autostarttoken", hostile)])
        #expect(refused.status.code == 404)
        let injected = app("/app/inject", form: [("errorCode", hostile)])
        let body = text(injected)
        #expect(!body.contains("<script>"))
        #expect(body.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;"))
        #expect(HTMLText.escaped(hostile) == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;")
    }

    @Test func approvingAsSomeoneElseFailsTheOrder() throws {
        let order = try auth(member)
        _ = app("/app/open-autostart", form: [("autostarttoken", order.autoStartToken)])
        let response = app("/app/approve", form: [("orderRef", order.orderRef), ("personalNumber", "201801012392")])
        #expect(response.status.code == 409)
        #expect(response.header("X-Simulator-Result") == "personalNumberMismatch")
        #expect(try collect(order.orderRef) == .failed(order.orderRef, .certificateErr))
    }

    @Test func ordersExpireByTheClock() throws {
        let order = try auth()
        clock.advance(31)
        #expect(try collect(order.orderRef) == .failed(order.orderRef, .startFailed))
    }
}

extension SimulatorResponder {
    /// The pending orders, through the JSON endpoint.
    func state(now: Date) -> [OrderSummary] {
        let response = respond(to: Request(variables: ["REQUEST_METHOD": "GET", "SCRIPT_NAME": "/app/orders.json"]))
        return (try? RPJSON.decode([OrderSummary].self, from: response.body)) ?? []
    }
}
