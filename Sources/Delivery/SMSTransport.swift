import Foundation

/// Where SMS go (`KONFIDENT_SMS`). Returns the gateway's id of the message, if it gives one.
public protocol SMSTransport: Sendable {
    func send(to number: String, text: String) throws -> String?
}

/// `file:PATH`: one JSON object a line, `{"to":…,"message":…,"at":…}`. The development default.
public struct FileSMSTransport: SMSTransport {
    public let path: String
    private let lock = NSLock()

    public init(path: String) {
        self.path = path
    }

    public func send(to number: String, text: String) throws -> String? {
        let line: [String: String] = ["to": number, "message": text, "at": "\(Int(Date().timeIntervalSince1970))"]
        var data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys, .withoutEscapingSlashes])
        data.append(10)
        lock.lock()
        defer { lock.unlock() }
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw DeliveryError("cannot create \(path)")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw DeliveryError("cannot open \(path)") }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
        return nil
    }
}
