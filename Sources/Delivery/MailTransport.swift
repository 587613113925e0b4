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
/// as the Maildir format wants. The development default: files are readable by their owner only
/// (each holds a sign-in link), and they are not fsynced, so a power cut can lose a message the
/// outbox recorded as sent; a sync per message would make the disk the limit of the worker.
public struct MaildirTransport: MailTransport {
    public let path: String

    public init(path: String) throws {
        self.path = path
        for folder in ["tmp", "new", "cur"] {
            try FileManager.default.createDirectory(atPath: "\(path)/\(folder)", withIntermediateDirectories: true)
        }
    }

    public func send(_ message: MailMessage) throws {
        let name = "\(message.date).\(message.uniquePart).konfident.eml"
        let temporary = "\(path)/tmp/\(name)"
        let bytes = message.renderedBytes(boundary: message.boundary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw DeliveryError("maildir \(path): tmp/\(name): \(Self.reason(errno))") }
        var failure: Int32 = 0
        bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { failure = count < 0 ? errno : EIO; break }
                written += count
            }
        }
        if close(descriptor) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, "\(path)/new/\(name)") != 0 { failure = errno }
        if failure != 0 {
            // The message holds a link: never leave it behind in tmp/.
            unlink(temporary)
            throw DeliveryError("maildir \(path): \(Self.reason(failure))")
        }
    }

    private static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
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
        // sendmail -t wants plain LF line ends.
        let text = message.rendered(boundary: message.boundary).replacingOccurrences(of: "\r\n", with: "\n")
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
