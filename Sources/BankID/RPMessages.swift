import Foundation

// The wire types of BankID's Relying Party API v6.0 (`POST {base}auth`, `collect`, `cancel`), with the
// exact JSON field names of the API reference (developers.bankid.com → API references → Auth & Sign;
// the older www.bankid.com "Gränssnittsbeskrivning" pages for collect and errors say the same).
//
// Requests are sent as compact JSON with `Content-Type: application/json` and *no* charset parameter
// (the service answers 415 unsupportedMediaType to a charset). Optional fields that are `nil` are left
// out of the JSON entirely, never sent as `null`.

// MARK: - auth

/// `requirement` of an auth order. KONFIDENT only uses `personalNumber` (an invitation proven by BankID);
/// the other v6.0 fields are here so the simulator can accept and the client can send them if needed.
public struct Requirement: Codable, Equatable, Sendable {
    /// 12 digits, `YYYYMMDDNNNC`. A BankID with another personal number cannot complete the order.
    public var personalNumber: String?
    /// `true`: the user must confirm with the security code even if biometrics is enabled.
    public var pinCode: Bool?
    /// `true`: the user must verify a passport/ID card (MRTD) as part of the order.
    public var mrtd: Bool?
    /// `class1` or `class2` (card readers); irrelevant for Mobile BankID.
    public var cardReader: String?
    /// Certificate policy OIDs.
    public var certificatePolicies: [String]?

    public init(personalNumber: String? = nil, pinCode: Bool? = nil, mrtd: Bool? = nil,
                cardReader: String? = nil, certificatePolicies: [String]? = nil) {
        self.personalNumber = personalNumber
        self.pinCode = pinCode
        self.mrtd = mrtd
        self.cardReader = cardReader
        self.certificatePolicies = certificatePolicies
    }
}

/// Body of `POST …/auth`.
public struct AuthRequest: Codable, Equatable, Sendable {
    /// The user's IP address as seen by the RP (IPv4 or IPv6). Mandatory.
    public var endUserIp: String
    public var requirement: Requirement?
    /// Text shown in the app, base64 of UTF-8 (use `AuthRequest.visibleData(_:)`). 1–1500 characters.
    public var userVisibleData: String?
    /// `plaintext` or `simpleMarkdownV1`.
    public var userVisibleDataFormat: String?
    /// Data not shown to the user, base64. 1–1500 characters.
    public var userNonVisibleData: String?
    /// Where the app returns after the order (same-device flows). Left out unless set.
    public var returnUrl: String?

    public init(endUserIp: String, requirement: Requirement? = nil, userVisibleData: String? = nil,
                userVisibleDataFormat: String? = nil, userNonVisibleData: String? = nil, returnUrl: String? = nil) {
        self.endUserIp = endUserIp
        self.requirement = requirement
        self.userVisibleData = userVisibleData
        self.userVisibleDataFormat = userVisibleDataFormat
        self.userNonVisibleData = userNonVisibleData
        self.returnUrl = returnUrl
    }

    /// An auth request for a known personnummer (12 digits) or, with `nil`, for whoever opens the order.
    public static func forPerson(_ personalNumber: String?, endUserIp: String,
                                 text: String? = nil) -> AuthRequest {
        AuthRequest(endUserIp: endUserIp,
                    requirement: personalNumber.map { Requirement(personalNumber: $0) },
                    userVisibleData: text.map(visibleData))
    }

    /// `userVisibleData` is base64 of the UTF-8 text.
    public static func visibleData(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
    }
}

/// Answer to `auth` (HTTP 200).
public struct AuthResponse: Codable, Equatable, Sendable {
    public var orderRef: String
    /// For `bankid:///?autostarttoken=…` / `https://app.bankid.com/?autostarttoken=…` on the same device.
    public var autoStartToken: String
    /// Public part of the animated QR code.
    public var qrStartToken: String
    /// The HMAC key of the animated QR code. Never sent to the browser.
    public var qrStartSecret: String

    public init(orderRef: String, autoStartToken: String, qrStartToken: String, qrStartSecret: String) {
        self.orderRef = orderRef
        self.autoStartToken = autoStartToken
        self.qrStartToken = qrStartToken
        self.qrStartSecret = qrStartSecret
    }
}

// MARK: - collect and cancel

/// Body of `POST …/collect`.
public struct CollectRequest: Codable, Equatable, Sendable {
    public var orderRef: String
    public init(orderRef: String) { self.orderRef = orderRef }
}

/// Body of `POST …/cancel`.
public struct CancelRequest: Codable, Equatable, Sendable {
    public var orderRef: String
    public init(orderRef: String) { self.orderRef = orderRef }
}

/// Answer to `cancel` (HTTP 200): an empty object `{}`.
public struct CancelResponse: Codable, Equatable, Sendable {
    public init() {}
}

/// `status` of a collect answer.
public enum CollectStatus: String, Codable, Equatable, Sendable {
    /// The order is being processed; `hintCode` says how far. Call collect again in 2 s.
    case pending
    /// The order failed; `hintCode` says why. The RP must stop collecting.
    case failed
    /// The order is complete; `completionData` holds the identity.
    case complete
}

/// The `hintCode` values of the v6.0 reference. The service may add codes without notice, so a
/// code this type does not know is kept as `.unknown` (the RP then shows RFA21 or RFA22).
public enum HintCode: Equatable, Hashable, Sendable, CustomStringConvertible {
    // pending
    case outstandingTransaction, noClient, started, userMrtd, userCallConfirm, userSign
    // failed
    case expiredTransaction, certificateErr, userCancel, cancelled, startFailed, userDeclinedCall,
         notSupportedByUserApp, transactionRiskBlocked
    case unknown(String)

    /// Every code the reference names; `init(_:)` finds them by `rawValue`.
    public static let knownCodes: [HintCode] = [
        .outstandingTransaction, .noClient, .started, .userMrtd, .userCallConfirm, .userSign, .expiredTransaction,
        .certificateErr, .userCancel, .cancelled, .startFailed, .userDeclinedCall, .notSupportedByUserApp,
        .transactionRiskBlocked,
    ]
    private static let known = Dictionary(uniqueKeysWithValues: knownCodes.map { ($0.rawValue, $0) })

    public init(_ raw: String) { self = HintCode.known[raw] ?? .unknown(raw) }

    public var rawValue: String {
        switch self {
        case .outstandingTransaction: "outstandingTransaction"
        case .noClient: "noClient"
        case .started: "started"
        case .userMrtd: "userMrtd"
        case .userCallConfirm: "userCallConfirm"
        case .userSign: "userSign"
        case .expiredTransaction: "expiredTransaction"
        case .certificateErr: "certificateErr"
        case .userCancel: "userCancel"
        case .cancelled: "cancelled"
        case .startFailed: "startFailed"
        case .userDeclinedCall: "userDeclinedCall"
        case .notSupportedByUserApp: "notSupportedByUserApp"
        case .transactionRiskBlocked: "transactionRiskBlocked"
        case .unknown(let raw): raw
        }
    }

    public var description: String { rawValue }
}

/// `completionData.user`.
public struct CompletionUser: Codable, Equatable, Sendable {
    public var personalNumber: String
    public var name: String
    public var givenName: String
    public var surname: String

    public init(personalNumber: String, name: String, givenName: String, surname: String) {
        self.personalNumber = personalNumber
        self.name = name
        self.givenName = givenName
        self.surname = surname
    }
}

/// `completionData.device`.
public struct CompletionDevice: Codable, Equatable, Sendable {
    /// The IP address of the user's device as seen by BankID.
    public var ipAddress: String
    /// Unique hardware identifier of the user's device (v6.0). Optional on the wire.
    public var uhi: String?

    public init(ipAddress: String, uhi: String? = nil) {
        self.ipAddress = ipAddress
        self.uhi = uhi
    }
}

/// `completionData.stepUp` (v6.0): present when an MRTD check was required.
public struct CompletionStepUp: Codable, Equatable, Sendable {
    public var mrtd: Bool
    public init(mrtd: Bool) { self.mrtd = mrtd }
}

/// `completionData` of a complete order.
public struct CompletionData: Codable, Equatable, Sendable {
    public var user: CompletionUser
    public var device: CompletionDevice
    /// `YYYY-MM-DD`, when the user's BankID was issued.
    public var bankIdIssueDate: String
    /// Optional (only with `requirement.mrtd`).
    public var stepUp: CompletionStepUp?
    /// base64 of the XML signature.
    public var signature: String
    /// base64 of the OCSP response.
    public var ocspResponse: String
    /// `low` / `moderate` / `high` when the RP asked for `returnRisk`.
    public var risk: String?

    public init(user: CompletionUser, device: CompletionDevice, bankIdIssueDate: String,
                stepUp: CompletionStepUp? = nil, signature: String, ocspResponse: String, risk: String? = nil) {
        self.user = user
        self.device = device
        self.bankIdIssueDate = bankIdIssueDate
        self.stepUp = stepUp
        self.signature = signature
        self.ocspResponse = ocspResponse
        self.risk = risk
    }
}

/// Answer to `collect` (HTTP 200). `hintCode` only for pending and failed, `completionData` only for
/// complete.
public struct CollectResponse: Codable, Equatable, Sendable {
    public var orderRef: String
    public var status: CollectStatus
    public var hintCode: String?
    public var completionData: CompletionData?

    public init(orderRef: String, status: CollectStatus, hintCode: String? = nil,
                completionData: CompletionData? = nil) {
        self.orderRef = orderRef
        self.status = status
        self.hintCode = hintCode
        self.completionData = completionData
    }

    public static func pending(_ orderRef: String, _ hint: HintCode) -> CollectResponse {
        CollectResponse(orderRef: orderRef, status: .pending, hintCode: hint.rawValue)
    }

    public static func failed(_ orderRef: String, _ hint: HintCode) -> CollectResponse {
        CollectResponse(orderRef: orderRef, status: .failed, hintCode: hint.rawValue)
    }

    public static func complete(_ orderRef: String, _ data: CompletionData) -> CollectResponse {
        CollectResponse(orderRef: orderRef, status: .complete, completionData: data)
    }

    /// The typed hint code, if any.
    public var hint: HintCode? { hintCode.map(HintCode.init) }

    /// A complete answer must carry completionData and a failed or pending one a hint code; a client
    /// should treat a response that breaks this as an unknown error (RFA22).
    public var isConsistent: Bool {
        switch status {
        case .complete: completionData != nil
        case .pending, .failed: hintCode != nil && completionData == nil
        }
    }
}

// MARK: - errors

/// The `errorCode` values of the v6.0 reference ("Errors"), with their HTTP status. Unknown codes
/// are kept (the RP must handle them: RFA22).
public enum RPErrorCode: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// 400: an order with this personal number is already in progress. No order is created and the
    /// existing one is cancelled (its collect answers failed/`cancelled`).
    case alreadyInProgress
    /// 400: invalid parameter or invalid use (unknown or finished orderRef, cancelled twice, …).
    case invalidParameters
    /// 401/403: the RP has no access (client certificate).
    case unauthorized
    /// 404: a wrong URL path.
    case notFound
    /// 405: only POST is allowed.
    case methodNotAllowed
    /// 408: the request took too long to transmit. Do not retry automatically.
    case requestTimeout
    /// 415: wrong media type (e.g. a `charset` parameter on `Content-Type`).
    case unsupportedMediaType
    /// 429: rate limit exceeded.
    case tooManyRequests
    /// 500: internal error in the service.
    case internalError
    /// 503: the service is in maintenance; may be retried.
    case maintenance
    case unknown(String)

    /// Every code the reference names; `init(_:)` finds them by `rawValue`.
    public static let knownCodes: [RPErrorCode] = [
        .alreadyInProgress, .invalidParameters, .unauthorized, .notFound, .methodNotAllowed, .requestTimeout,
        .unsupportedMediaType, .tooManyRequests, .internalError, .maintenance,
    ]
    private static let known = Dictionary(uniqueKeysWithValues: knownCodes.map { ($0.rawValue, $0) })

    public init(_ raw: String) { self = RPErrorCode.known[raw] ?? .unknown(raw) }

    public var rawValue: String {
        switch self {
        case .alreadyInProgress: "alreadyInProgress"
        case .invalidParameters: "invalidParameters"
        case .unauthorized: "unauthorized"
        case .notFound: "notFound"
        case .methodNotAllowed: "methodNotAllowed"
        case .requestTimeout: "requestTimeout"
        case .unsupportedMediaType: "unsupportedMediaType"
        case .tooManyRequests: "tooManyRequests"
        case .internalError: "internalError"
        case .maintenance: "maintenance"
        case .unknown(let raw): raw
        }
    }

    public var description: String { rawValue }

    /// The HTTP status the service answers with this code (unknown codes: 400, as the reference
    /// says new codes may arrive as 400).
    public var httpStatus: Int {
        switch self {
        case .alreadyInProgress, .invalidParameters, .unknown: 400
        case .unauthorized: 401
        case .notFound: 404
        case .methodNotAllowed: 405
        case .requestTimeout: 408
        case .unsupportedMediaType: 415
        case .tooManyRequests: 429
        case .internalError: 500
        case .maintenance: 503
        }
    }

    /// The code a status alone implies, for an error answer whose body is not the JSON it should be
    /// (e.g. an HTML 503 page from a proxy).
    public static func forHTTPStatus(_ status: Int) -> RPErrorCode {
        switch status {
        case 401, 403: .unauthorized
        case 404: .notFound
        case 405: .methodNotAllowed
        case 408: .requestTimeout
        case 415: .unsupportedMediaType
        case 429: .tooManyRequests
        case 503: .maintenance
        case 500...599: .internalError
        default: .unknown("http\(status)")
        }
    }

    /// Whether the guidelines allow the RP to try the same call again (only maintenance: "RP may try
    /// again"; requestTimeout must *not* be retried automatically).
    public var isRetryable: Bool { self == .maintenance }
}

extension RPErrorCode: Codable {
    public init(from decoder: Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// An error answer: `{"errorCode": "...", "details": "..."}`. `details` is for logs, never for users.
public struct RPError: Codable, Equatable, Sendable, Error {
    public var errorCode: RPErrorCode
    public var details: String

    public init(_ errorCode: RPErrorCode, details: String = "") {
        self.errorCode = errorCode
        self.details = details
    }

    public var httpStatus: Int { errorCode.httpStatus }

    private enum CodingKeys: String, CodingKey { case errorCode, details }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        errorCode = try container.decode(RPErrorCode.self, forKey: .errorCode)
        // `details` is documented as always present, but its absence is no reason to lose the code.
        details = try container.decodeIfPresent(String.self, forKey: .details) ?? ""
    }
}

// MARK: - JSON

/// Why bytes could not be read as an RP message.
public enum RPDecodingError: Error, Equatable, Sendable {
    /// Larger than `RPJSON.maximumBytes`.
    case tooLarge(Int)
    /// Arrays/objects nested deeper than `RPJSON.maximumDepth`.
    case tooDeep
    /// Not JSON, or JSON of the wrong shape; the message is for logs.
    case malformed(String)
}

/// Compact JSON in and out, defensive on input: a size and nesting limit are checked before the
/// decoder sees the bytes, and every failure is a thrown `RPDecodingError`, never a crash.
public enum RPJSON {
    /// No RP message comes near this (a completionData with signature and OCSP is a few KiB).
    public static let maximumBytes = 256 * 1024
    /// RP messages nest three levels deep; anything far deeper is hostile.
    public static let maximumDepth = 16

    /// Compact JSON (no whitespace), keys sorted so the bytes are deterministic, `/` not escaped.
    public static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // The wire types hold only strings, bools and arrays of strings: encoding cannot fail.
        guard let data = try? encoder.encode(value) else { return Array("{}".utf8) }
        return Array(data)
    }

    public static func encodeString<T: Encodable>(_ value: T) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(RPDecodingError) -> T {
        guard bytes.count <= maximumBytes else { throw .tooLarge(bytes.count) }
        guard nestingDepth(bytes) <= maximumDepth else { throw .tooDeep }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw .malformed(String(describing: error).prefix(200).description)
        }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from string: String) throws(RPDecodingError) -> T {
        try decode(type, from: Array(string.utf8))
    }

    /// The deepest nesting of `[`/`{` outside strings (a cheap scan; malformed input is left to the
    /// decoder, which rejects it).
    static func nestingDepth(_ bytes: [UInt8]) -> Int {
        var depth = 0, deepest = 0, inString = false, escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false }
                else if byte == UInt8(ascii: "\\") { escaped = true }
                else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth = max(0, depth - 1)
            default: break
            }
        }
        return deepest
    }
}

/// What an RP call answered, read from its HTTP status and body: the expected value for 200, the
/// `{errorCode, details}` for anything else (or, when that body is not JSON, the code its status
/// implies). A 200 whose body does not decode is `internalError` with the decoding message as
/// details: the RP shows RFA5 rather than crash.
public enum RPAnswer {
    public static func read<T: Decodable>(_ type: T.Type, status: Int, body: [UInt8]) -> Result<T, RPError> {
        if status == 200 {
            do throws(RPDecodingError) {
                return .success(try RPJSON.decode(T.self, from: body))
            } catch {
                return .failure(RPError(.internalError, details: "unreadable answer: \(error)"))
            }
        }
        if let error = try? RPJSON.decode(RPError.self, from: body) {
            return .failure(error)
        }
        return .failure(RPError(RPErrorCode.forHTTPStatus(status), details: "HTTP \(status)"))
    }
}
