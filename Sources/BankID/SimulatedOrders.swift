import Crypto
import Foundation

/// The heart of `konfident bankid-simulator`: the orders of an RP v6.0 service as a pure state machine.
/// No IO, no clock, no randomness of its own: every call gets `now`, and `auth` gets the generator
/// that makes the order's tokens. The FastCGI face (later) wraps one value in a lock, feeds it the
/// decoded request bodies and encodes the results with `RPJSON`; the "phone app" page calls the
/// app-side actions.
///
/// Behaviour, and where it comes from (BankID RP API v6.0 reference, "auth", "collect", "cancel",
/// "Errors", and the RP guidelines):
/// - `auth` with `requirement.personalNumber` while another order for the same personal number is
///   pending: 400 `alreadyInProgress` ("The order is aborted. No order is created."), and the order
///   already in progress is cancelled: its next collect answers failed/`cancelled` ("The order was
///   cancelled. The system received a new order for the user."). So both orders end, as the test
///   service does.
/// - collect of a pending order: `outstandingTransaction` until the app has opened the order (by the
///   animated QR code or the autostart token), then `userSign` until the user approves or cancels.
/// - Secure start: an order that no app opened within `timing.startWindow` (30 s by default) fails
///   with `startFailed` ("the client did not start within a certain time limit"). An opened order that
///   is not approved within `timing.orderLifetime` (3 minutes) of its creation fails with
///   `expiredTransaction`.
/// - The user approving with a BankID whose personal number is not `requirement.personalNumber`:
///   the reference says only that "it fails"; the simulator fails the order with `certificateErr`,
///   the hint for "a BankID that cannot be used for this order" (RFA16), and tells the app page.
/// - A finished order (complete or failed) is answered once; collecting it again is 400
///   `invalidParameters` ("The order cannot be collected twice"), and so is collecting it after
///   the retention window (complete: 3 minutes, failed: 5 minutes).
/// - An unknown orderRef is 400 `invalidParameters` with details "No such order" (the real service:
///   `notFound` is only for a wrong URL path; the FastCGI face answers that one). After the RP's own
///   `cancel` the order is gone: collect or cancel again → `invalidParameters`.
/// - An injected error (`injectError`) is the answer of the next RP call, whatever it is, and then
///   forgotten; `maintenance` is 503, `internalError` 500, and so on (`RPErrorCode.httpStatus`).
public struct SimulatedOrders: Sendable {
    public struct Timing: Sendable, Equatable {
        /// From auth to `startFailed` when no app opened the order.
        public var startWindow: TimeInterval
        /// From auth to `expiredTransaction` for an opened order that was not approved.
        public var orderLifetime: TimeInterval
        /// How long a complete order can still be collected.
        public var completeRetention: TimeInterval
        /// How long a failed order can still be collected.
        public var failedRetention: TimeInterval
        /// How old (in seconds behind the order's clock) a scanned QR code may be. The page shows a
        /// new code every second; a photo of an older one is refused.
        public var qrMaximumAge: Int

        public init(startWindow: TimeInterval = 30, orderLifetime: TimeInterval = 180,
                    completeRetention: TimeInterval = 180, failedRetention: TimeInterval = 300,
                    qrMaximumAge: Int = 10) {
            self.startWindow = startWindow
            self.orderLifetime = orderLifetime
            self.completeRetention = completeRetention
            self.failedRetention = failedRetention
            self.qrMaximumAge = qrMaximumAge
        }
    }

    /// Where an order stands.
    public enum Phase: Equatable, Sendable {
        /// Waiting for an app to open it (collect: `outstandingTransaction`).
        case waitingForApp
        /// Opened by an app (collect: `userSign`).
        case opened(StartMethod)
        case complete(CompletionData, at: Date)
        case failed(HintCode, at: Date)
    }

    /// One order as the simulator keeps it.
    public struct Order: Equatable, Sendable {
        public let orderRef: String
        public let autoStartToken: String
        public let qrStartToken: String
        public let qrStartSecret: String
        public let endUserIp: String
        /// `requirement.personalNumber`, if the RP gave one.
        public let requiredPersonalNumber: String?
        public let userVisibleText: String?
        public let created: Date
        public internal(set) var phase: Phase
        /// Set once collect has answered the final state.
        public internal(set) var finalCollected: Bool

        public var isPending: Bool {
            switch phase {
            case .waitingForApp, .opened: true
            case .complete, .failed: false
            }
        }
    }

    /// Why the phone app's action was refused (shown on the simulator's app page).
    public enum AppError: Error, Equatable, Sendable {
        /// Not a `bankid.<token>.<seconds>.<hex>` payload.
        case malformedQRCode
        /// No order has this QR start token or autostart token.
        case unknownOrder
        /// The HMAC does not verify with the order's secret.
        case qrCodeForged
        /// The code is older than `timing.qrMaximumAge` seconds, or from the future.
        case qrCodeStale
        /// The order is over (complete, failed, cancelled, expired).
        case orderNotPending
        /// Already opened by an app.
        case alreadyOpened
        /// Approve or cancel before any app opened the order.
        case notOpened
        /// Not a 12-digit personnummer.
        case invalidPersonalNumber
        /// `requirement.personalNumber` names someone else; the order has failed (`certificateErr`).
        case personalNumberMismatch
    }

    public var timing: Timing
    public private(set) var orders: [String: Order] = [:]
    /// The error the next RP call answers.
    public private(set) var injectedError: RPErrorCode?

    public init(timing: Timing = Timing()) {
        self.timing = timing
    }

    // MARK: RP side

    /// `POST /rp/v6.0/auth`.
    public mutating func auth<R: RandomNumberGenerator>(_ request: AuthRequest, now: Date,
                                                         random: inout R) -> Result<AuthResponse, RPError> {
        if let error = takeInjectedError() { return .failure(error) }
        advance(now: now)
        guard Self.isIPAddress(request.endUserIp) else {
            return .failure(RPError(.invalidParameters, details: "Invalid endUserIp"))
        }
        let personalNumber = request.requirement?.personalNumber
        if let personalNumber, !Self.isPersonalNumber(personalNumber) {
            return .failure(RPError(.invalidParameters, details: "Incorrect personalNumber"))
        }
        var text: String? = nil
        if let data = request.userVisibleData {
            guard let decoded = Self.base64Text(data) else {
                return .failure(RPError(.invalidParameters, details: "Invalid userVisibleData"))
            }
            text = decoded
        }
        if let data = request.userNonVisibleData, Self.base64Text(data, requireUTF8: false) == nil {
            return .failure(RPError(.invalidParameters, details: "Invalid userNonVisibleData"))
        }
        if let format = request.userVisibleDataFormat, format != "plaintext", format != "simpleMarkdownV1" {
            return .failure(RPError(.invalidParameters, details: "Invalid userVisibleDataFormat"))
        }
        if let personalNumber {
            let busy = orders.values.filter { $0.isPending && $0.requiredPersonalNumber == personalNumber }
            if !busy.isEmpty {
                for order in busy { orders[order.orderRef]?.phase = .failed(.cancelled, at: now) }
                return .failure(RPError(.alreadyInProgress, details: "Order already in progress for pno"))
            }
        }
        var orderRef = Self.uuid(&random)
        while orders[orderRef] != nil { orderRef = Self.uuid(&random) }
        let order = Order(orderRef: orderRef, autoStartToken: Self.uuid(&random), qrStartToken: Self.uuid(&random),
                          qrStartSecret: Self.uuid(&random), endUserIp: request.endUserIp,
                          requiredPersonalNumber: personalNumber, userVisibleText: text, created: now,
                          phase: .waitingForApp, finalCollected: false)
        orders[orderRef] = order
        return .success(AuthResponse(orderRef: order.orderRef, autoStartToken: order.autoStartToken,
                                     qrStartToken: order.qrStartToken, qrStartSecret: order.qrStartSecret))
    }

    /// `POST /rp/v6.0/collect`.
    public mutating func collect(_ request: CollectRequest, now: Date) -> Result<CollectResponse, RPError> {
        if let error = takeInjectedError() { return .failure(error) }
        advance(now: now)
        guard var order = orders[request.orderRef] else { return .failure(Self.noSuchOrder) }
        let answer: CollectResponse
        switch order.phase {
        case .waitingForApp:
            return .success(.pending(order.orderRef, .outstandingTransaction))
        case .opened:
            return .success(.pending(order.orderRef, .userSign))
        case .complete(let data, _):
            answer = .complete(order.orderRef, data)
        case .failed(let hint, _):
            answer = .failed(order.orderRef, hint)
        }
        guard !order.finalCollected else {
            return .failure(RPError(.invalidParameters, details: "Order already collected"))
        }
        order.finalCollected = true
        orders[order.orderRef] = order
        return .success(answer)
    }

    public mutating func collect(orderRef: String, now: Date) -> Result<CollectResponse, RPError> {
        collect(CollectRequest(orderRef: orderRef), now: now)
    }

    /// `POST /rp/v6.0/cancel`: a pending order is cancelled and forgotten (`{}`); anything else is
    /// `invalidParameters`.
    public mutating func cancel(_ request: CancelRequest, now: Date) -> Result<CancelResponse, RPError> {
        if let error = takeInjectedError() { return .failure(error) }
        advance(now: now)
        guard let order = orders[request.orderRef] else { return .failure(Self.noSuchOrder) }
        guard order.isPending else {
            return .failure(RPError(.invalidParameters, details: "Order is not pending"))
        }
        orders[request.orderRef] = nil
        return .success(CancelResponse())
    }

    public mutating func cancel(orderRef: String, now: Date) -> Result<CancelResponse, RPError> {
        cancel(CancelRequest(orderRef: orderRef), now: now)
    }

    // MARK: App side (the simulator's phone page)

    /// The app scans the animated QR code: `bankid.{qrStartToken}.{seconds}.{hex HMAC}`. The HMAC must
    /// verify with the order's `qrStartSecret`, and `seconds` must match the order's age within
    /// `timing.qrMaximumAge` (one second ahead is allowed for rounding). Returns the orderRef.
    public mutating func openByQR(_ payload: String, now: Date) -> Result<String, AppError> {
        advance(now: now)
        let parts = payload.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "bankid", parts[2].count <= 9,
              parts[2].allSatisfy({ $0.isASCII && $0.isNumber }), let seconds = Int(parts[2]),
              parts[3].count == 64
        else { return .failure(.malformedQRCode) }
        let token = String(parts[1])
        guard let order = orders.values.first(where: { $0.qrStartToken == token }) else {
            return .failure(.unknownOrder)
        }
        let expected = AnimatedQR.payload(startToken: order.qrStartToken, startSecret: order.qrStartSecret,
                                          seconds: seconds)
        guard Self.constantTimeEqual(Array(expected.utf8), Array(payload.utf8)) else {
            return .failure(.qrCodeForged)
        }
        let age = Int(now.timeIntervalSince(order.created).rounded(.down))
        guard seconds <= age + 1, age - seconds <= timing.qrMaximumAge else { return .failure(.qrCodeStale) }
        return open(order.orderRef, by: .qrCode)
    }

    /// The app is started with the autostart token ("Open BankID on this device"). Returns the orderRef.
    public mutating func openByAutostartToken(_ token: String, now: Date) -> Result<String, AppError> {
        advance(now: now)
        guard let order = orders.values.first(where: { $0.autoStartToken == token }) else {
            return .failure(.unknownOrder)
        }
        return open(order.orderRef, by: .autostart)
    }

    /// The user identifies with the BankID of `personalNumber` (12 digits). When the order requires
    /// another personal number, the order fails (`certificateErr`) and the app is told so.
    public mutating func approve(orderRef: String, personalNumber: String, givenName: String? = nil,
                                 surname: String? = nil, deviceIp: String? = nil,
                                 now: Date) -> Result<CompletionData, AppError> {
        advance(now: now)
        guard let order = orders[orderRef] else { return .failure(.unknownOrder) }
        guard case .opened = order.phase else {
            return .failure(order.isPending ? .notOpened : .orderNotPending)
        }
        guard Self.isPersonalNumber(personalNumber) else { return .failure(.invalidPersonalNumber) }
        if let required = order.requiredPersonalNumber, required != personalNumber {
            orders[orderRef]?.phase = .failed(.certificateErr, at: now)
            return .failure(.personalNumberMismatch)
        }
        let names = Self.testName(for: personalNumber)
        let given = givenName ?? names.given
        let family = surname ?? names.surname
        let data = CompletionData(
            user: CompletionUser(personalNumber: personalNumber, name: "\(given) \(family)", givenName: given,
                                 surname: family),
            device: CompletionDevice(ipAddress: deviceIp ?? order.endUserIp,
                                     uhi: Self.digest("uhi|\(personalNumber)", length: 24)),
            bankIdIssueDate: "2023-01-02",
            signature: Data(Self.signatureXML(order: order, personalNumber: personalNumber, now: now).utf8)
                .base64EncodedString(),
            ocspResponse: Data("simulated OCSP response for \(order.orderRef)".utf8).base64EncodedString())
        orders[orderRef]?.phase = .complete(data, at: now)
        return .success(data)
    }

    /// The user presses Cancel in the app: the order fails with `userCancel`. Allowed before the app
    /// has opened the order too (the user dismissing a started app). Returns the orderRef.
    public mutating func cancelByUser(orderRef: String, now: Date) -> Result<String, AppError> {
        advance(now: now)
        guard let order = orders[orderRef] else { return .failure(.unknownOrder) }
        guard order.isPending else { return .failure(.orderNotPending) }
        orders[orderRef]?.phase = .failed(.userCancel, at: now)
        return .success(orderRef)
    }

    /// The next RP call (auth, collect or cancel) answers this error instead.
    public mutating func injectError(_ code: RPErrorCode) {
        injectedError = code
    }

    /// The order as it stands at `now` (for the app page).
    public mutating func order(_ orderRef: String, now: Date) -> Order? {
        advance(now: now)
        return orders[orderRef]
    }

    /// The pending orders at `now`, oldest first (for the app page).
    public mutating func pendingOrders(now: Date) -> [Order] {
        advance(now: now)
        return orders.values.filter(\.isPending).sorted { ($0.created, $0.orderRef) < ($1.created, $1.orderRef) }
    }

    // MARK: Internals

    static let noSuchOrder = RPError(.invalidParameters, details: "No such order")

    static func details(for code: RPErrorCode) -> String {
        switch code {
        case .alreadyInProgress: "Order already in progress for pno"
        case .invalidParameters: "Invalid parameters"
        case .unauthorized: "RP does not have access to the service"
        case .notFound: "Not found"
        case .methodNotAllowed: "Method not allowed"
        case .requestTimeout: "Request timeout"
        case .unsupportedMediaType: "Unsupported media type"
        case .tooManyRequests: "Too many requests"
        case .internalError: "Internal error"
        case .maintenance: "Service in maintenance"
        case .unknown(let raw): "Simulated error \(raw)"
        }
    }

    private mutating func takeInjectedError() -> RPError? {
        guard let code = injectedError else { return nil }
        injectedError = nil
        return RPError(code, details: Self.details(for: code))
    }

    private mutating func open(_ orderRef: String, by method: StartMethod) -> Result<String, AppError> {
        guard let order = orders[orderRef] else { return .failure(.unknownOrder) }
        switch order.phase {
        case .waitingForApp:
            orders[orderRef]?.phase = .opened(method)
            return .success(orderRef)
        case .opened: return .failure(.alreadyOpened)
        case .complete, .failed: return .failure(.orderNotPending)
        }
    }

    /// Applies the passage of time: start window, lifetime, retention.
    private mutating func advance(now: Date) {
        for (ref, order) in orders {
            let age = now.timeIntervalSince(order.created)
            switch order.phase {
            case .waitingForApp:
                if age >= min(timing.startWindow, timing.orderLifetime) {
                    let hint: HintCode = timing.startWindow <= timing.orderLifetime ? .startFailed : .expiredTransaction
                    let at = order.created.addingTimeInterval(min(timing.startWindow, timing.orderLifetime))
                    orders[ref]?.phase = .failed(hint, at: at)
                    if now.timeIntervalSince(at) >= timing.failedRetention { orders[ref] = nil }
                }
            case .opened:
                if age >= timing.orderLifetime {
                    let at = order.created.addingTimeInterval(timing.orderLifetime)
                    orders[ref]?.phase = .failed(.expiredTransaction, at: at)
                    if now.timeIntervalSince(at) >= timing.failedRetention { orders[ref] = nil }
                }
            case .complete(_, let at):
                if now.timeIntervalSince(at) >= timing.completeRetention { orders[ref] = nil }
            case .failed(_, let at):
                if now.timeIntervalSince(at) >= timing.failedRetention { orders[ref] = nil }
            }
        }
    }

    /// A version-4 UUID (lower case) from the generator.
    static func uuid<R: RandomNumberGenerator>(_ random: inout R) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in stride(from: 0, to: 16, by: 8) {
            let word = random.next()
            for offset in 0..<8 { bytes[index + offset] = UInt8(truncatingIfNeeded: word >> (8 * offset)) }
        }
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = bytes.map { byte in
            String(UInt16(byte) | 0x100, radix: 16).dropFirst()
        }.joined()
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }

    /// An IPv4 dotted quad or an IPv6 address (as inet_pton would accept, without zone).
    static func isIPAddress(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 45 else { return false }
        if text.contains(":") { return isIPv6(text) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            (1...3).contains(part.count) && part.allSatisfy { $0.isASCII && $0.isNumber }
                && Int(part).map { $0 <= 255 } == true && !(part.count > 1 && part.first == "0")
        }
    }

    private static func isIPv6(_ text: String) -> Bool {
        var body = text
        // An embedded IPv4 tail (`::ffff:192.0.2.1`) counts as two groups.
        if let lastColon = body.lastIndex(of: ":"), body[body.index(after: lastColon)...].contains(".") {
            guard isIPAddress(String(body[body.index(after: lastColon)...])) else { return false }
            body = String(body[...lastColon]) + "0:0"
        }
        let halves = body.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        func groups(_ half: String) -> Int? {
            if half.isEmpty { return 0 }
            let parts = half.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.allSatisfy({ (1...4).contains($0.count) && $0.allSatisfy { $0.isASCII && $0.isHexDigit } })
            else { return nil }
            return parts.count
        }
        guard let left = groups(halves[0]) else { return false }
        if halves.count == 1 { return left == 8 }
        guard let right = groups(halves[1]) else { return false }
        return left + right < 8
    }

    /// 12 digits with a valid Luhn check digit over the last ten (samordningsnummer included).
    static func isPersonalNumber(_ text: String) -> Bool {
        let digits = text.utf8.map { Int($0) - 48 }
        guard digits.count == 12, digits.allSatisfy({ (0...9).contains($0) }) else { return false }
        var sum = 0
        for (index, digit) in digits[2..<11].enumerated() {
            let value = index % 2 == 0 ? digit * 2 : digit
            sum += value > 9 ? value - 9 : value
        }
        return (10 - sum % 10) % 10 == digits[11]
    }

    /// Decodes base64 of 1–1500 characters (the v6.0 limit for userVisibleData / userNonVisibleData).
    static func base64Text(_ text: String, requireUTF8: Bool = true) -> String? {
        guard (1...1500).contains(text.utf8.count), let data = Data(base64Encoded: text) else { return nil }
        if requireUTF8 {
            return String(data: data, encoding: .utf8)
        }
        return ""
    }

    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    /// A stable fake name for a test personnummer (the test service's persons have names too).
    static func testName(for personalNumber: String) -> (given: String, surname: String) {
        let givenNames = ["Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Eva", "Nils"]
        let surnames = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson"]
        let hash = SHA256.hash(data: Array(personalNumber.utf8)).map { $0 }
        return (givenNames[Int(hash[0]) % givenNames.count], surnames[Int(hash[1]) % surnames.count])
    }

    static func digest(_ text: String, length: Int) -> String {
        let hash = Data(SHA256.hash(data: Array(text.utf8))).base64EncodedString()
        return String(hash.prefix(length))
    }

    private static func signatureXML(order: Order, personalNumber: String, now: Date) -> String {
        let visible = order.userVisibleText.map { Data($0.utf8).base64EncodedString() } ?? ""
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Signature><SignedInfo><simulated/></SignedInfo>"
            + "<Object><bankIdSignedData><usrVisibleData>\(visible)</usrVisibleData>"
            + "<srvInfo><nonce>\(digest("nonce|\(order.orderRef)", length: 28))</nonce></srvInfo>"
            + "<clientInfo><funcId>Identification</funcId><personalNumber>\(personalNumber)</personalNumber>"
            + "<time>\(Int(now.timeIntervalSince1970))</time></clientInfo></bankIdSignedData></Object></Signature>"
    }
}
