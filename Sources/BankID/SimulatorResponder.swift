import FastCGI
import Foundation
import KonfidentCore
import Synchronization

/// The FastCGI face of `konfident bankid-simulator`: `SimulatedOrders` behind the RP API v6.0 paths,
/// plus a page that plays the phone app.
///
/// RP side (behind nginx with `ssl_verify_client on`, which passes `SSL_CLIENT_VERIFY` and
/// `SSL_CLIENT_S_DN`):
/// - `POST /rp/v6.0/auth|collect|cancel` with a JSON body; answers are JSON, errors
///   `{"errorCode", "details"}` with the status of the real service.
/// - Checked in this order: a verified client certificate (`SSL_CLIENT_VERIFY` = `SUCCESS`, else 401
///   `unauthorized`), a known path (404 `notFound`), `POST` (405 `methodNotAllowed`), `Content-Type`
///   exactly `application/json` (415 `unsupportedMediaType`; a charset parameter is refused like the
///   real service does), a readable body (400 `invalidParameters`).
/// - Every RP call is recorded (`GET /app/calls.json`), every auth request with its decoded body
///   (`GET /app/requests.json`), so tests can check `requirement.personalNumber` and the headers.
///
/// App side (a test page, no client certificate involved; nginx decides who may reach it):
/// - `GET /app`: pending orders with forms; `GET /app/orders.json`: the same as JSON.
/// - `POST /app/open-qr` (`qr`), `POST /app/open-autostart` (`autostarttoken`), each with an optional
///   `personalNumber` that approves at once; `POST /app/approve` (`orderRef`, `personalNumber`, optional
///   `givenName`, `surname`); `POST /app/cancel` (`orderRef`); `POST /app/inject` (`errorCode`: the next
///   RP call answers it). Each answers the page with a message: 200 when it worked, 4xx when the app
///   refused (`X-Simulator-Result` says which, `X-Simulator-Order-Ref` names the order).
public final class SimulatorResponder: Responder {
    /// One auth request as it arrived.
    public struct RecordedAuthRequest: Codable, Equatable, Sendable {
        /// `CONTENT_TYPE` exactly as received.
        public var contentType: String
        /// `SSL_CLIENT_VERIFY` and `SSL_CLIENT_S_DN` as nginx passed them.
        public var clientVerify: String?
        public var clientSubject: String?
        public var remoteAddress: String
        /// The status the simulator answered.
        public var status: Int
        /// The decoded body (nil when it did not decode).
        public var request: AuthRequest?
        /// The order made (200) or the error code answered.
        public var orderRef: String?
        public var errorCode: String?
        /// Seconds since 1970 by the simulator's clock.
        public var time: Double
    }

    /// One RP call (any path, any outcome) as it arrived.
    public struct RecordedCall: Codable, Equatable, Sendable {
        public var method: String
        public var path: String
        public var contentType: String
        public var clientVerify: String?
        public var clientSubject: String?
        public var status: Int
        public var errorCode: String?
        public var time: Double
    }

    /// A pending order as `GET /app/orders.json` shows it.
    public struct OrderSummary: Codable, Equatable, Sendable {
        public var orderRef: String
        public var autoStartToken: String
        public var qrStartToken: String
        public var requiredPersonalNumber: String?
        public var endUserIp: String
        /// `waitingForApp` or `opened`.
        public var phase: String
        public var ageSeconds: Int
    }

    private struct AnyRandom: RandomNumberGenerator, Sendable {
        var base: any RandomNumberGenerator & Sendable
        mutating func next() -> UInt64 { base.next() }
    }

    private struct State: Sendable {
        var orders: SimulatedOrders
        var random: AnyRandom
        var authRequests: [RecordedAuthRequest] = []
        var calls: [RecordedCall] = []
    }

    /// The most records kept (the oldest go first).
    static let recordLimit = 1000
    static let rpPrefix = "/rp/v6.0/"

    private let state: Mutex<State>
    private let clock: @Sendable () -> Date

    public init(timing: SimulatedOrders.Timing = SimulatedOrders.Timing(),
                clock: @escaping @Sendable () -> Date = { Date() },
                random: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()) {
        state = Mutex(State(orders: SimulatedOrders(timing: timing), random: AnyRandom(base: random)))
        self.clock = clock
    }

    /// The auth requests received so far, oldest first.
    public var recordedAuthRequests: [RecordedAuthRequest] { state.withLock { $0.authRequests } }
    /// The RP calls received so far, oldest first.
    public var recordedCalls: [RecordedCall] { state.withLock { $0.calls } }

    public func respond(to request: Request) -> Response {
        let path = request.path
        if path.hasPrefix("/rp/") { return relyingParty(request) }
        if path == "/app" || path.hasPrefix("/app/") { return app(request) }
        if path == "/" {
            var response = Response(status: .found)
            response.setHeader("Location", "/app")
            return response
        }
        return Self.text(.notFound, "Not found\n")
    }

    // MARK: - RP API

    private func relyingParty(_ request: Request) -> Response {
        let now = clock()
        let method = String(request.path.dropFirst(Self.rpPrefix.count))
        let isKnownPath = request.path.hasPrefix(Self.rpPrefix) && ["auth", "collect", "cancel"].contains(method)
        var decodedAuth: AuthRequest? = nil

        let outcome: Result<[UInt8], RPError>
        if request.variable("SSL_CLIENT_VERIFY") != "SUCCESS" {
            outcome = .failure(RPError(.unauthorized, details: SimulatedOrders.details(for: .unauthorized)))
        } else if !isKnownPath {
            outcome = .failure(RPError(.notFound, details: SimulatedOrders.details(for: .notFound)))
        } else if request.method != "POST" {
            outcome = .failure(RPError(.methodNotAllowed, details: SimulatedOrders.details(for: .methodNotAllowed)))
        } else if request.contentType != "application/json" {
            outcome = .failure(RPError(.unsupportedMediaType, details: SimulatedOrders.details(for: .unsupportedMediaType)))
        } else if let problem = request.bodyProblem {
            outcome = .failure(RPError(.invalidParameters, details: "Unreadable request body (\(problem))"))
        } else {
            let body = request.body
            outcome = state.withLock { state -> Result<[UInt8], RPError> in
                do throws(RPDecodingError) {
                    switch method {
                    case "auth":
                        let auth = try RPJSON.decode(AuthRequest.self, from: body)
                        decodedAuth = auth
                        return state.orders.auth(auth, now: now, random: &state.random).map(RPJSON.encode)
                    case "collect":
                        let collect = try RPJSON.decode(CollectRequest.self, from: body)
                        return state.orders.collect(collect, now: now).map(RPJSON.encode)
                    default:
                        let cancel = try RPJSON.decode(CancelRequest.self, from: body)
                        return state.orders.cancel(cancel, now: now).map(RPJSON.encode)
                    }
                } catch {
                    return .failure(RPError(.invalidParameters, details: "Invalid request body"))
                }
            }
        }

        var response: Response
        var orderRef: String? = nil
        switch outcome {
        case .success(let body):
            response = Response(status: .ok, body: body)
            if method == "auth" { orderRef = try? RPJSON.decode(AuthResponse.self, from: body).orderRef }
        case .failure(let error):
            response = Response(status: Self.status(error.httpStatus), body: RPJSON.encode(error))
            if error.errorCode == .methodNotAllowed { response.setHeader("Allow", "POST") }
        }
        response.setHeader("Content-Type", "application/json")
        response.setHeader("Cache-Control", "no-store")

        let errorCode = (try? outcome.get()) == nil ? (try? RPJSON.decode(RPError.self, from: response.body))?.errorCode.rawValue : nil
        let call = RecordedCall(method: request.method, path: request.path, contentType: request.contentType,
                                clientVerify: request.variable("SSL_CLIENT_VERIFY"),
                                clientSubject: request.variable("SSL_CLIENT_S_DN"), status: response.status.code,
                                errorCode: errorCode, time: now.timeIntervalSince1970)
        let isAuth = isKnownPath && method == "auth"
        let auth = RecordedAuthRequest(contentType: request.contentType, clientVerify: call.clientVerify,
                                       clientSubject: call.clientSubject, remoteAddress: request.remoteAddress,
                                       status: response.status.code,
                                       request: decodedAuth ?? (try? RPJSON.decode(AuthRequest.self, from: request.body)),
                                       orderRef: orderRef, errorCode: errorCode, time: now.timeIntervalSince1970)
        state.withLock { state in
            state.calls.append(call)
            if state.calls.count > Self.recordLimit { state.calls.removeFirst(state.calls.count - Self.recordLimit) }
            if isAuth {
                state.authRequests.append(auth)
                if state.authRequests.count > Self.recordLimit {
                    state.authRequests.removeFirst(state.authRequests.count - Self.recordLimit)
                }
            }
        }
        return response
    }

    static func status(_ code: Int) -> HTTPStatus {
        let reasons = [200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                       405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict",
                       415: "Unsupported Media Type", 429: "Too Many Requests", 500: "Internal Server Error",
                       503: "Service Unavailable"]
        return HTTPStatus(code, reasons[code] ?? "Error")
    }

    // MARK: - The phone app page

    private func app(_ request: Request) -> Response {
        let now = clock()
        let action = request.path == "/app" || request.path == "/app/" ? "" : String(request.path.dropFirst(5))
        switch action {
        case "":
            guard request.method == "GET" || request.method == "HEAD" else { return Self.methodNotAllowed("GET") }
            return page(now: now, message: nil)
        case "requests.json", "calls.json", "orders.json":
            guard request.method == "GET" || request.method == "HEAD" else { return Self.methodNotAllowed("GET") }
            let body: [UInt8]
            switch action {
            case "requests.json": body = RPJSON.encode(recordedAuthRequests)
            case "calls.json": body = RPJSON.encode(recordedCalls)
            default: body = RPJSON.encode(summaries(now: now))
            }
            var response = Response(status: .ok, body: body)
            response.setHeader("Content-Type", "application/json")
            response.setHeader("Cache-Control", "no-store")
            return response
        case "open-qr", "open-autostart", "approve", "cancel", "inject":
            guard request.method == "POST" else { return Self.methodNotAllowed("POST") }
            guard request.bodyProblem == nil, let form = try? URLEncodedForm(decoding: request.body) else {
                return page(now: now, message: .refused(400, "unreadable form", "The form could not be read."))
            }
            return page(now: now, message: perform(action, form: form, now: now))
        default:
            return Self.text(.notFound, "Not found\n")
        }
    }

    private enum Message {
        case done(orderRef: String?, String)
        case refused(Int, String, String, orderRef: String? = nil)
    }

    private func perform(_ action: String, form: URLEncodedForm, now: Date) -> Message {
        func field(_ name: String) -> String {
            (form[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        switch action {
        case "open-qr", "open-autostart":
            let opened: Result<String, SimulatedOrders.AppError> = state.withLock { state in
                action == "open-qr" ? state.orders.openByQR(field("qr"), now: now)
                    : state.orders.openByAutostartToken(field("autostarttoken"), now: now)
            }
            switch opened {
            case .failure(let error): return Self.refusal(error)
            case .success(let orderRef):
                let personalNumber = field("personalNumber")
                guard !personalNumber.isEmpty else { return .done(orderRef: orderRef, "Order \(orderRef) opened.") }
                return approve(orderRef: orderRef, personalNumber: personalNumber, form: form, now: now)
            }
        case "approve":
            return approve(orderRef: field("orderRef"), personalNumber: field("personalNumber"), form: form, now: now)
        case "cancel":
            let orderRef = field("orderRef")
            switch state.withLock({ $0.orders.cancelByUser(orderRef: orderRef, now: now) }) {
            case .success: return .done(orderRef: orderRef, "Order \(orderRef) cancelled by the user.")
            case .failure(let error): return Self.refusal(error, orderRef: orderRef)
            }
        default:  // inject
            let raw = field("errorCode")
            guard !raw.isEmpty, raw.utf8.count <= 64 else { return .refused(400, "invalid error code", "Name an error code.") }
            let code = RPErrorCode(raw)
            state.withLock { $0.orders.injectError(code) }
            return .done(orderRef: nil, "The next RP call answers \(code.rawValue) (\(code.httpStatus)).")
        }
    }

    private func approve(orderRef: String, personalNumber raw: String, form: URLEncodedForm, now: Date) -> Message {
        let personalNumber = Self.normalizedPersonalNumber(raw, now: now)
        let given = form["givenName"].flatMap { $0.isEmpty ? nil : $0 }
        let surname = form["surname"].flatMap { $0.isEmpty ? nil : $0 }
        let result = state.withLock {
            $0.orders.approve(orderRef: orderRef, personalNumber: personalNumber, givenName: given, surname: surname,
                              now: now)
        }
        switch result {
        case .success(let data):
            return .done(orderRef: orderRef, "Order \(orderRef) approved as \(data.user.personalNumber) (\(data.user.name)).")
        case .failure(let error):
            return Self.refusal(error, orderRef: orderRef)
        }
    }

    /// What a person types (`YYMMDD-NNNC`, …) as 12 digits; anything unparsable is passed on as it is
    /// (the orders refuse it).
    static func normalizedPersonalNumber(_ raw: String, now: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        let today = CivilDate(year: parts.year ?? 2000, month: parts.month ?? 1, day: parts.day ?? 1)
        return (try? Personnummer(parsing: raw, today: today))?.digits ?? raw
    }

    private static func refusal(_ error: SimulatedOrders.AppError, orderRef: String? = nil) -> Message {
        let (status, text): (Int, String) = switch error {
        case .malformedQRCode: (400, "This is not a BankID QR code.")
        case .unknownOrder: (404, "No order has this QR code, token or reference.")
        case .qrCodeForged: (400, "The QR code does not verify with the order's secret.")
        case .qrCodeStale: (400, "The QR code is too old (or from the future).")
        case .orderNotPending: (409, "The order is over.")
        case .alreadyOpened: (409, "The order is already opened by an app.")
        case .notOpened: (409, "Open the order first (QR code or autostart token).")
        case .invalidPersonalNumber: (400, "Not a valid personnummer.")
        case .personalNumberMismatch: (409, "The order requires another personnummer; it has failed (certificateErr).")
        }
        return .refused(status, "\(error)", text, orderRef: orderRef)
    }

    private func summaries(now: Date) -> [OrderSummary] {
        state.withLock { $0.orders.pendingOrders(now: now) }.map { order in
            let phase = if case .opened = order.phase { "opened" } else { "waitingForApp" }
            return OrderSummary(orderRef: order.orderRef, autoStartToken: order.autoStartToken,
                                qrStartToken: order.qrStartToken, requiredPersonalNumber: order.requiredPersonalNumber,
                                endUserIp: order.endUserIp, phase: phase,
                                ageSeconds: Int(now.timeIntervalSince(order.created).rounded(.down)))
        }
    }

    private func page(now: Date, message: Message?) -> Response {
        let orders = summaries(now: now)
        var status = HTTPStatus.ok
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>BankID simulator: the app</title>
            <style>body{font-family:sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}
            table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem;text-align:left;vertical-align:top}
            code{word-break:break-all}.done{color:#060}.refused{color:#a00}form{margin:.3rem 0}</style>
            </head>
            <body>
            <h1>BankID simulator: the app</h1>

            """
        var headers: [(String, String)] = []
        switch message {
        case .done(let orderRef, let text)?:
            html += "<p class=\"result done\" data-result=\"ok\">\(HTMLText.escaped(text))</p>\n"
            headers.append(("X-Simulator-Result", "ok"))
            if let orderRef { headers.append(("X-Simulator-Order-Ref", orderRef)) }
        case .refused(let code, let reason, let text, let orderRef)?:
            status = Self.status(code)
            html += "<p class=\"result refused\" data-result=\"\(HTMLText.escaped(reason))\">\(HTMLText.escaped(text))</p>\n"
            headers.append(("X-Simulator-Result", reason))
            if let orderRef, !orderRef.isEmpty { headers.append(("X-Simulator-Order-Ref", orderRef)) }
        case nil:
            break
        }
        html += "<h2>Pending orders</h2>\n"
        if orders.isEmpty {
            html += "<p class=\"no-orders\">No pending orders.</p>\n"
        } else {
            html += "<table><tr><th>Order</th><th>State</th><th>Requirement</th><th>Actions</th></tr>\n"
            for order in orders {
                let ref = HTMLText.escaped(order.orderRef)
                let required = order.requiredPersonalNumber.map(HTMLText.escaped)
                html += "<tr class=\"order\" data-order-ref=\"\(ref)\"><td><code>\(ref)</code><br>"
                html += "autostart token <code>\(HTMLText.escaped(order.autoStartToken))</code><br>"
                html += "end user IP <code>\(HTMLText.escaped(order.endUserIp))</code></td>"
                html += "<td>\(HTMLText.escaped(order.phase)), \(order.ageSeconds) s</td>"
                html += "<td>\(required.map { "personalNumber \($0)" } ?? "none")</td><td>"
                if order.phase == "waitingForApp" {
                    html += "<form method=\"post\" action=\"/app/open-autostart\">"
                    html += "<input type=\"hidden\" name=\"autostarttoken\" value=\"\(HTMLText.escaped(order.autoStartToken))\">"
                    html += "<button type=\"submit\">Open</button></form>"
                } else {
                    html += "<form method=\"post\" action=\"/app/approve\">"
                    html += "<input type=\"hidden\" name=\"orderRef\" value=\"\(ref)\">"
                    html += "<input name=\"personalNumber\" value=\"\(required ?? "")\" placeholder=\"YYYYMMDDNNNC\" required>"
                    html += "<button type=\"submit\">Approve</button></form>"
                }
                html += "<form method=\"post\" action=\"/app/cancel\">"
                html += "<input type=\"hidden\" name=\"orderRef\" value=\"\(ref)\">"
                html += "<button type=\"submit\">Cancel</button></form></td></tr>\n"
            }
            html += "</table>\n"
        }
        html += """
            <h2>Scan a QR code</h2>
            <form method="post" action="/app/open-qr">
            <label>QR payload <input name="qr" size="60" placeholder="bankid.…"></label>
            <label>approve at once as <input name="personalNumber" placeholder="optional"></label>
            <button type="submit">Open</button></form>
            <h2>Start with an autostart token</h2>
            <form method="post" action="/app/open-autostart">
            <label>Autostart token <input name="autostarttoken" size="40"></label>
            <label>approve at once as <input name="personalNumber" placeholder="optional"></label>
            <button type="submit">Open</button></form>
            <h2>Make the next RP call fail</h2>
            <form method="post" action="/app/inject"><select name="errorCode">

            """
        for code in ["maintenance", "internalError", "requestTimeout", "tooManyRequests", "unauthorized",
                     "invalidParameters", "alreadyInProgress"] {
            html += "<option>\(code)</option>"
        }
        html += """
            </select> <button type="submit">Inject</button></form>
            <p><a href="/app/requests.json">Auth requests received</a> · <a href="/app/calls.json">All RP calls</a>
            · <a href="/app/orders.json">Pending orders (JSON)</a></p>
            </body>
            </html>

            """
        var response = Response(status: status, body: Array(html.utf8))
        response.setHeader("Content-Type", "text/html; charset=utf-8")
        response.setHeader("Cache-Control", "no-store")
        for (name, value) in headers { response.addHeader(name, value) }
        return response
    }

    // MARK: - Helpers

    private static func text(_ status: HTTPStatus, _ text: String) -> Response {
        var response = Response(status: status, body: Array(text.utf8))
        response.setHeader("Content-Type", "text/plain; charset=utf-8")
        return response
    }

    private static func methodNotAllowed(_ allowed: String) -> Response {
        var response = text(.methodNotAllowed, "Method not allowed\n")
        response.setHeader("Allow", allowed)
        return response
    }
}
