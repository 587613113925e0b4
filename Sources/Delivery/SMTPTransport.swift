import CCurl
import Foundation

/// `smtp://[user:password@]host[:port]` or `smtps://…`, through libcurl. Plain `smtp://` upgrades
/// with STARTTLS when the server offers it; `?starttls=required` refuses a server that does not.
/// With credentials, STARTTLS is always required: a password never crosses the network in clear.
public struct SMTPTransport: MailTransport {
    public let url: String
    let user: String?
    let password: String?
    let requireTLS: Bool

    public init(url: String) throws {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty,
              components.scheme == "smtp" || components.scheme == "smtps" else {
            throw DeliveryError("not an smtp:// or smtps:// URL", isTemporary: false)
        }
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        var base = "\(components.scheme ?? "smtp")://\(bracketed)"
        if let port = components.port { base += ":\(port)" }
        self.url = base
        // URLComponents has already percent-decoded them.
        self.user = components.user
        self.password = components.password
        self.requireTLS = components.user != nil
            || (components.queryItems?.contains { $0.name == "starttls" && $0.value == "required" } ?? false)
    }

    public func send(_ message: MailMessage) throws {
        guard let handle = konfident_curl_easy_init() else { throw DeliveryError(String(cString: konfident_curl_init_problem())) }
        defer { konfident_curl_easy_cleanup(handle) }
        let source = UploadSource(bytes: message.renderedBytes(boundary: message.boundary))
        var recipients: UnsafeMutablePointer<curl_slist>? = nil
        recipients = konfident_curl_slist_append(recipients, "<\(MailMessage.bareAddress(message.to))>")
        defer { konfident_curl_slist_free_all(recipients) }
        konfident_curl_set_string(handle, CURLOPT_URL, url)
        konfident_curl_set_string(handle, CURLOPT_MAIL_FROM, "<\(message.envelopeFrom)>")
        konfident_curl_set_pointer(handle, CURLOPT_MAIL_RCPT, recipients)
        konfident_curl_set_long(handle, CURLOPT_UPLOAD, 1)
        konfident_curl_set_long(handle, CURLOPT_USE_SSL, Int(requireTLS ? CURLUSESSL_ALL.rawValue : CURLUSESSL_TRY.rawValue))
        konfident_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT, 10)
        konfident_curl_set_long(handle, CURLOPT_TIMEOUT, 60)
        konfident_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        if let user { konfident_curl_set_string(handle, CURLOPT_USERNAME, user) }
        if let password { konfident_curl_set_string(handle, CURLOPT_PASSWORD, password) }
        let unmanaged = Unmanaged.passRetained(source)
        defer { unmanaged.release() }
        konfident_curl_set_pointer(handle, CURLOPT_READDATA, unmanaged.toOpaque())
        konfident_curl_set_read_function(handle) { buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            return Unmanaged<UploadSource>.fromOpaque(context).takeUnretainedValue().read(into: buffer, capacity: size * count)
        }
        let result = konfident_curl_easy_perform(handle)
        guard result == CURLE_OK else {
            var code = 0
            konfident_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &code)
            let reason = String(cString: konfident_curl_easy_strerror(result))
            let permanent = result == CURLE_LOGIN_DENIED || (code >= 500 && code < 600)
            throw DeliveryError("smtp \(url): \(reason)\(code > 0 ? " (\(code))" : "")", isTemporary: !permanent)
        }
    }
}

/// The bytes libcurl pulls while it uploads.
final class UploadSource {
    let bytes: [UInt8]
    var offset = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let count = min(capacity, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBufferPointer { source in
            UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}

/// libcurl is loaded on first use (`CCurl.h`). `serve` and `deliver` load it as they start, on
/// the main thread before any other, so that a missing libcurl shows in their log at once.
public enum Curl {
    /// Loads libcurl and runs its process-wide set-up; nil when it is ready, otherwise why not.
    public static func load() -> String? {
        konfident_curl_load().map { String(cString: $0) }
    }
}
