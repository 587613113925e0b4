import CCurl
import Foundation

/// An HTTP SMS gateway speaking the 46elks form API: `POST {url}` with Basic auth and the form
/// fields `from`, `to`, `message`; the JSON answer's `id` is kept. 401/403 (wrong credentials) and
/// other 4xx are permanent failures, for the operator to see in the log and the outbox; 5xx and
/// network errors are tried again.
public struct HTTPSMSTransport: SMSTransport {
    public let url: String
    let user: String
    let password: String
    let from: String

    public init(url: String, user: String, password: String, from: String) {
        self.url = url
        self.user = user
        self.password = password
        self.from = from
    }

    public func send(to number: String, text: String) throws -> String? {
        guard let handle = konfident_curl_easy_init() else { throw DeliveryError(String(cString: konfident_curl_init_problem())) }
        defer { konfident_curl_easy_cleanup(handle) }
        let body = [("from", from), ("to", number), ("message", text)]
            .map { "\($0.0)=\(Self.formEncode($0.1))" }.joined(separator: "&")
        let sink = DownloadSink()
        let unmanaged = Unmanaged.passRetained(sink)
        defer { unmanaged.release() }
        konfident_curl_set_string(handle, CURLOPT_URL, url)
        konfident_curl_set_string(handle, CURLOPT_COPYPOSTFIELDS, body)
        konfident_curl_set_long(handle, CURLOPT_HTTPAUTH, 1) // CURLAUTH_BASIC
        konfident_curl_set_string(handle, CURLOPT_USERNAME, user)
        konfident_curl_set_string(handle, CURLOPT_PASSWORD, password)
        konfident_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT, 10)
        konfident_curl_set_long(handle, CURLOPT_TIMEOUT, 30)
        konfident_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        konfident_curl_set_pointer(handle, CURLOPT_WRITEDATA, unmanaged.toOpaque())
        konfident_curl_set_write_function(handle) { buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            let sink = Unmanaged<DownloadSink>.fromOpaque(context).takeUnretainedValue()
            return sink.append(buffer, size * count)
        }
        let result = konfident_curl_easy_perform(handle)
        guard result == CURLE_OK else {
            throw DeliveryError("sms gateway \(url): \(String(cString: konfident_curl_easy_strerror(result)))")
        }
        var status = 0
        konfident_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        switch status {
        case 200..<300:
            let answer = try? JSONSerialization.jsonObject(with: Data(sink.bytes)) as? [String: Any]
            return answer?["id"] as? String
        case 401, 403:
            throw DeliveryError("sms gateway \(url): credentials refused (\(status))", isTemporary: false)
        case 400..<500:
            let reason = String(decoding: sink.bytes.prefix(200), as: UTF8.self)
            throw DeliveryError("sms gateway \(url): refused (\(status)) \(reason)", isTemporary: status == 429)
        default:
            throw DeliveryError("sms gateway \(url): status \(status)")
        }
    }

    static func formEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}

/// The bytes libcurl hands over while it downloads.
final class DownloadSink {
    var bytes: [UInt8] = []

    func append(_ buffer: UnsafeMutablePointer<CChar>, _ count: Int) -> Int {
        guard bytes.count + count <= 1 << 20 else { return 0 }
        buffer.withMemoryRebound(to: UInt8.self, capacity: count) {
            bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: count))
        }
        return count
    }
}
