import Foundation

/// Where mail goes (`KONFIDENT_MAIL`).
public protocol MailTransport: Sendable {
    /// Sends one message; throws a `DeliveryError` that says what went wrong.
    func send(_ message: MailMessage) throws
}

public struct DeliveryError: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// False when trying again cannot help (bad credentials, refused recipient).
    public let isTemporary: Bool

    public init(_ description: String, isTemporary: Bool = true) {
        self.description = description
        self.isTemporary = isTemporary
    }
}

/// `maildir:PATH`: each message a file in `PATH/new`, written to `PATH/tmp` first and renamed,
/// as the Maildir format wants. The development default.
public struct MaildirTransport: MailTransport {
    public let path: String

    public init(path: String) throws {
        self.path = path
        for folder in ["tmp", "new", "cur"] {
            try FileManager.default.createDirectory(atPath: "\(path)/\(folder)", withIntermediateDirectories: true)
        }
    }

    public func send(_ message: MailMessage) throws {
        let name = "\(message.date).\(message.messageID.prefix(while: { $0 != "@" })).konfident.eml"
        let temporary = "\(path)/tmp/\(name)"
        let boundary = "konfident-\(message.messageID.prefix(while: { $0 != "@" }))"
        do {
            try Data(message.rendered(boundary: boundary).utf8).write(to: URL(fileURLWithPath: temporary))
            try FileManager.default.moveItem(atPath: temporary, toPath: "\(path)/new/\(name)")
        } catch {
            // The message holds a link: never leave it behind in tmp/.
            try? FileManager.default.removeItem(atPath: temporary)
            throw DeliveryError("maildir \(path): \(error.localizedDescription)")
        }
    }
}

/// `sendmail:/usr/sbin/sendmail`: the message on standard input of `sendmail -t -i`.
public struct SendmailTransport: MailTransport {
    public let executable: String

    public init(executable: String) {
        self.executable = executable
    }

    public func send(_ message: MailMessage) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-t", "-i"]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw DeliveryError("sendmail \(executable): \(error.localizedDescription)")
        }
        let boundary = "konfident-\(message.messageID.prefix(while: { $0 != "@" }))"
        // sendmail -t wants plain LF line ends.
        let text = message.rendered(boundary: boundary).replacingOccurrences(of: "\r\n", with: "\n")
        // A sendmail that exits without reading everything makes the write fail (EPIPE): an error, not a crash.
        let written: Bool
        do {
            try input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
            written = true
        } catch {
            written = false
        }
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        guard written else { throw DeliveryError("sendmail \(executable) did not read the message") }
        guard process.terminationStatus == 0 else {
            throw DeliveryError("sendmail exited with status \(process.terminationStatus)")
        }
    }
}
