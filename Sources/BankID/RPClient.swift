import CCurl
import Foundation

/// Why an RP call never got an answer from the service: the connection could not be made, TLS
/// failed (the server's certificate is not signed by the configured CA, our client certificate or
/// key is unusable, …), or the call took too long. Callers show RFA5 (time-out, connection) or
/// RFA22 and log `message`.
public struct RPTransportError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// Name resolution or TCP connect failed.
        case connect
        /// The TLS handshake failed or the peer's certificate did not verify; also a client
        /// certificate, key or CA file that libcurl could not use.
        case tls
        /// The connect or total time-out passed.
        case timeout
        /// Anything else on the wire (connection reset, a body that is too large, …).
        case other
    }

    public let kind: Kind
    /// libcurl's `CURLcode`.
    public let curlCode: Int
    public let message: String

    public init(kind: Kind, curlCode: Int, message: String) {
        self.kind = kind
        self.curlCode = curlCode
        self.message = message
    }

    public var description: String { "BankID RP transport \(kind.rawValue) error (curl \(curlCode)): \(message)" }

    /// The RFA message the guidelines suggest for this failure: a time-out or a service that cannot be
    /// reached is RFA5 ("Internal error. Please try again."); a TLS failure is a fault in the RP's own
    /// set-up, which the user only sees as RFA22.
    public var rfa: RFA { Self.rfa(for: kind) }

    public static func rfa(for kind: Kind) -> RFA { kind == .tls ? .rfa22 : .rfa5 }

    static func kind(for code: CURLcode) -> Kind {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            .connect
        case CURLE_OPERATION_TIMEDOUT:
            .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
             CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
             CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT,
             CURLE_USE_SSL_FAILED:
            .tls
        default:
            .other
        }
    }
}

/// The three calls of the RP API v6.0 a relying party makes. `RPClient` speaks them over mutual TLS;
/// tests use a simulator in the same process.
public protocol RelyingParty: Sendable {
    /// Throws `RPError` for an error answer, `RPTransportError` when no answer came.
    func auth(_ request: AuthRequest) throws -> AuthResponse
    func collect(orderRef: String) throws -> CollectResponse
    func cancel(orderRef: String) throws
}

/// The BankID Relying Party API v6.0 client: `POST {baseURL}auth|collect|cancel` over mutual TLS with
/// libcurl. Every call uses its own easy handle, so one client serves any number of threads.
///
/// - The request body is `RPJSON.encode` of the wire type, sent with exactly
///   `Content-Type: application/json` (the service answers 415 to a charset parameter).
/// - The server must present a certificate that chains to `ca` (only that file: not the system's
///   store) and names the host of `baseURL` (`CURLOPT_SSL_VERIFYPEER` 1, `CURLOPT_SSL_VERIFYHOST` 2).
/// - Answers are read with `RPAnswer.read`: a non-200 answer throws `RPError`; a transfer that
///   failed throws `RPTransportError`.
public final class RPClient: RelyingParty {
    public let baseURL: String
    public let certificate: String
    public let key: String
    public let ca: String
    /// Total time allowed for one call, in seconds.
    public let timeout: TimeInterval
    /// Time allowed for connect + TLS handshake, in seconds.
    public let connectTimeout: TimeInterval

    /// The largest answer read; a collect answer with completionData is a few KiB.
    static let maximumAnswerBytes = 1 << 20

    /// - Parameters:
    ///   - baseURL: the service's base URL ending in `/rp/v6.0/` (a missing final `/` is added).
    ///   - certificate, key: the RP's client certificate and its private key (PEM files).
    ///   - ca: the CA that signs the service's server certificate (PEM file).
    ///   - timeout: total time per call; `connectTimeout` defaults to the smaller of it and 10 s.
    public init(baseURL: String, certificate: String, key: String, ca: String, timeout: TimeInterval = 10,
                connectTimeout: TimeInterval? = nil) {
        self.baseURL = baseURL.hasSuffix("/") ? baseURL : baseURL + "/"
        self.certificate = certificate
        self.key = key
        self.ca = ca
        self.timeout = max(0.001, timeout)
        self.connectTimeout = max(0.001, min(connectTimeout ?? 10, self.timeout))
    }

    /// `POST …/auth`.
    public func auth(_ request: AuthRequest) throws -> AuthResponse {
        try call("auth", body: RPJSON.encode(request), answer: AuthResponse.self)
    }

    /// `POST …/collect`.
    public func collect(orderRef: String) throws -> CollectResponse {
        try call("collect", body: RPJSON.encode(CollectRequest(orderRef: orderRef)), answer: CollectResponse.self)
    }

    /// `POST …/cancel`.
    public func cancel(orderRef: String) throws {
        _ = try call("cancel", body: RPJSON.encode(CancelRequest(orderRef: orderRef)), answer: CancelResponse.self)
    }

    private func call<T: Decodable>(_ method: String, body: [UInt8], answer: T.Type) throws -> T {
        let (status, bytes) = try post(baseURL + method, body: body)
        switch RPAnswer.read(T.self, status: status, body: bytes) {
        case .success(let value): return value
        case .failure(let error): throw error
        }
    }

    /// One POST; returns the HTTP status and the body.
    func post(_ url: String, body: [UInt8]) throws(RPTransportError) -> (Int, [UInt8]) {
        guard let handle = konfident_curl_easy_init() else {
            throw RPTransportError(kind: .other, curlCode: -1, message: String(cString: konfident_curl_init_problem()))
        }
        defer { konfident_curl_easy_cleanup(handle) }
        var headers: UnsafeMutablePointer<curl_slist>? = nil
        for line in ["Content-Type: application/json", "Accept: application/json", "Expect:"] {
            headers = konfident_curl_slist_append(headers, line)
        }
        defer { konfident_curl_slist_free_all(headers) }
        let sink = AnswerSink(limit: Self.maximumAnswerBytes)
        let unmanaged = Unmanaged.passRetained(sink)
        defer { unmanaged.release() }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        let result: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
            konfident_curl_set_string(handle, CURLOPT_URL, url)
            konfident_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "https")
            konfident_curl_set_long(handle, CURLOPT_POST, 1)
            konfident_curl_set_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
            body.withUnsafeBufferPointer { buffer in
                // COPYPOSTFIELDS copies the bytes (POSTFIELDSIZE first: JSON holds no NUL, but be exact).
                _ = konfident_curl_set_pointer(handle, CURLOPT_COPYPOSTFIELDS,
                                               UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!))
            }
            konfident_curl_set_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headers))
            konfident_curl_set_string(handle, CURLOPT_USERAGENT, "konfident-bankid-rp/1")
            // Mutual TLS: our certificate and key, and only the configured CA for the server.
            konfident_curl_set_string(handle, CURLOPT_SSLCERT, certificate)
            konfident_curl_set_string(handle, CURLOPT_SSLCERTTYPE, "PEM")
            konfident_curl_set_string(handle, CURLOPT_SSLKEY, key)
            konfident_curl_set_string(handle, CURLOPT_SSLKEYTYPE, "PEM")
            konfident_curl_set_string(handle, CURLOPT_CAINFO, ca)
            konfident_curl_set_pointer(handle, CURLOPT_CAPATH, nil)
            konfident_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
            konfident_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
            konfident_curl_set_long(handle, CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2))
            konfident_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 0)
            konfident_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int((connectTimeout * 1000).rounded(.up)))
            konfident_curl_set_long(handle, CURLOPT_TIMEOUT_MS, Int((timeout * 1000).rounded(.up)))
            konfident_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
            konfident_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorPointer.baseAddress))
            konfident_curl_set_pointer(handle, CURLOPT_WRITEDATA, unmanaged.toOpaque())
            konfident_curl_set_write_function(handle) { buffer, size, count, context in
                guard let buffer, let context else { return 0 }
                return Unmanaged<AnswerSink>.fromOpaque(context).takeUnretainedValue().append(buffer, size * count)
            }
            return konfident_curl_easy_perform(handle)
        }
        guard result == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let message = detail.isEmpty ? String(cString: konfident_curl_easy_strerror(result)) : detail
            throw RPTransportError(kind: RPTransportError.kind(for: result), curlCode: Int(result.rawValue),
                                   message: "\(url): \(message)")
        }
        var status = 0
        konfident_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return (status, sink.bytes)
    }
}

/// The bytes libcurl hands over while it downloads, up to a limit (then the transfer fails).
final class AnswerSink {
    private(set) var bytes: [UInt8] = []
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func append(_ buffer: UnsafeMutablePointer<CChar>, _ count: Int) -> Int {
        guard bytes.count + count <= limit else { return 0 }
        buffer.withMemoryRebound(to: UInt8.self, capacity: count) {
            bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: count))
        }
        return count
    }
}
