// The transports that need no server: maildir, sendmail (a fake one), the SMS file.
import Foundation
import KonfidentCore
import Testing
@testable import Delivery

func sampleMessage(number: Int = 1, subject: String = "Logga in på Åre", html: String? = nil) -> MailMessage {
    let link = "https://acme.localhost:8443/_konfident/verify/" + Base64URL.encode(Array(repeating: UInt8(number), count: 32))
    return MailMessage(from: DeliveryFixture.mailFrom, to: "anna@example.se", subject: subject,
                       text: "Hej,\n\nöppna länken:\n\n\(link)\n\n-- \nKONFIDENT\n",
                       html: html ?? "<p><a href=\"\(link)\">Öppna</a></p>",
                       messageID: "\(number).1700000000.\(UInt64(number) &* 0x9E37_79B9_7F4A_7C15)@acme.localhost",
                       date: 1_700_000_000 + Int64(number))
}

func linkOf(_ message: MailMessage) -> String {
    linkLines(message.text)[0]
}

@Suite struct MaildirTransportTests {
    @Test func writesEachMessageIntoNewAndLeavesTmpEmpty() throws {
        let directory = try TemporaryDirectory("maildir")
        let maildir = directory.file("mail")
        let transport = try MaildirTransport(path: maildir)
        #expect(FileManager.default.fileExists(atPath: maildir + "/cur"))
        let messages = (1...3).map { sampleMessage(number: $0) }
        for message in messages { try transport.send(message) }
        #expect(directory.contents(of: "mail/tmp").isEmpty)
        #expect(directory.contents(of: "mail/cur").isEmpty)
        let names = directory.contents(of: "mail/new")
        #expect(names.count == 3)
        var links: [String] = []
        for name in names {
            #expect(!name.hasPrefix("."))
            // Each message holds a sign-in link: readable by its owner only.
            let permissions = try FileManager.default.attributesOfItem(atPath: maildir + "/new/" + name)[.posixPermissions] as? Int
            #expect(permissions == 0o600)
            let raw = try String(contentsOfFile: maildir + "/new/" + name, encoding: .utf8)
            let separator = raw.contains("\r\n") ? "\r\n" : "\n"
            let mail = try ParsedMail(raw, separator: separator)
            #expect(try decodeHeaderValue(try #require(mail.header("Subject"))).text == "Logga in på Åre")
            #expect(mail.header("To") == "anna@example.se")
            links += linkLines(try mail.text(separator: separator))
        }
        #expect(Set(links) == Set(messages.map(linkOf)))
    }

    @Test func unwritableMaildirThrowsADeliveryError() throws {
        let directory = try TemporaryDirectory("maildir")
        let transport = try MaildirTransport(path: directory.file("mail"))
        try FileManager.default.removeItem(atPath: directory.file("mail/new"))
        // A file where the folder should be: the rename cannot succeed.
        _ = FileManager.default.createFile(atPath: directory.file("mail/new"), contents: Data())
        #expect(throws: DeliveryError.self) { try transport.send(sampleMessage()) }
        #expect(directory.contents(of: "mail/tmp").isEmpty, "a failed delivery leaves a stray file in tmp/")
    }
}

@Suite struct SendmailTransportTests {
    /// A fake sendmail that records its arguments and its standard input, then exits with `status`.
    static func fakeSendmail(in directory: TemporaryDirectory, status: Int = 0, readInput: Bool = true) throws -> String {
        let script = directory.file("sendmail")
        let body = """
            #!/bin/sh
            printf '%s\\n' "$@" > '\(directory.file("args"))'
            \(readInput ? "cat > '\(directory.file("stdin"))'" : "exec 0<&-")
            exit \(status)

            """
        // Written by a child shell, not by this process: a file this process holds open for writing
        // would be inherited by processes other tests spawn meanwhile, and exec would fail (ETXTBSY).
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/sh")
        writer.arguments = ["-c", "printf '%s' \"$1\" > \"$2\" && chmod 755 \"$2\"", "sh", body, script]
        try writer.run()
        writer.waitUntilExit()
        guard writer.terminationStatus == 0 else { throw MIMEProblem("cannot write \(script)") }
        return script
    }

    @Test func passesDashTDashIAndTheMessageWithLFLineEnds() throws {
        let directory = try TemporaryDirectory("sendmail")
        let transport = SendmailTransport(executable: try Self.fakeSendmail(in: directory))
        let message = sampleMessage()
        try transport.send(message)
        #expect(try String(contentsOfFile: directory.file("args"), encoding: .utf8) == "-t\n-i\n")
        let stored = try String(contentsOfFile: directory.file("stdin"), encoding: .utf8)
        #expect(!stored.utf8.contains(13), "a CR in what sendmail got")
        #expect(stored.hasSuffix("\n"))
        let mail = try ParsedMail(stored, separator: "\n")
        for name in ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"] {
            #expect(mail.headerCount(name) == 1, "\(name)")
        }
        #expect(mail.header("To") == "anna@example.se")
        #expect(try decodeHeaderValue(try #require(mail.header("Subject"))).text == "Logga in på Åre")
        let text = try mail.text(separator: "\n")
        #expect(text == message.text)
        #expect(linkLines(text) == [linkOf(message)])
    }

    @Test func exitStatus75Throws() throws {
        let directory = try TemporaryDirectory("sendmail")
        let transport = SendmailTransport(executable: try Self.fakeSendmail(in: directory, status: 75))
        let error = try #require(throws: DeliveryError.self) { try transport.send(sampleMessage()) }
        #expect(error.isTemporary)
        #expect(error.description.contains("75"))
    }

    @Test func missingExecutableThrows() throws {
        let directory = try TemporaryDirectory("sendmail")
        let transport = SendmailTransport(executable: directory.file("no-such-sendmail"))
        #expect(throws: DeliveryError.self) { try transport.send(sampleMessage()) }
    }

    /// A sendmail that gives up before reading its input (a configuration error, a full queue)
    /// must make `send` throw, not bring the process down: `serve` ignores SIGPIPE, so the write
    /// into the closed pipe fails with EPIPE. The message is larger than a pipe buffer so that the
    /// write surely meets the closed pipe.
    @Test func sendmailThatExitsWithoutReadingDoesNotCrashTheProcess() async {
        await #expect(processExitsWith: .exitCode(0)) {
            signal(SIGPIPE, SIG_IGN)
            guard let directory = try? TemporaryDirectory("sendmail"),
                  let script = try? SendmailTransportTests.fakeSendmail(in: directory, status: 75, readInput: false) else {
                exit(3)
            }
            let big = String(repeating: "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>\n", count: 4000)
            var code: Int32
            do {
                try SendmailTransport(executable: script).send(sampleMessage(html: big))
                code = 2
            } catch is DeliveryError {
                code = 0
            } catch {
                code = 4
            }
            try? FileManager.default.removeItem(atPath: directory.path)
            exit(code)
        }
    }
}

@Suite struct FileSMSTransportTests {
    @Test func appendsOneJSONObjectALineInAPrivateFile() throws {
        let directory = try TemporaryDirectory("sms")
        let path = directory.file("sms.jsonl")
        let transport = FileSMSTransport(path: path)
        let texts = ["Logga in på Åre: öppna länken.\nhttps://acme.localhost:8443/_konfident/verify/abc\n\n@acme.localhost #42mango",
                     "Quote \" backslash \\ tab \t emoji 😀 </script>",
                     "third"]
        for (index, text) in texts.enumerated() {
            _ = try transport.send(to: "+4670123456\(index)", text: text)
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
        #expect(mode & 0o777 == 0o600, "mode \(String(mode, radix: 8))")
        let content = try String(contentsOfFile: path, encoding: .utf8)
        #expect(content.hasSuffix("\n"))
        let lines = lfLines(content).dropLast()
        #expect(lines.count == texts.count)
        for (index, line) in lines.enumerated() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["to"] as? String == "+4670123456\(index)")
            #expect(object["message"] as? String == texts[index])
        }
    }

    @Test func keepsWhatIsAlreadyThereAndItsMode() throws {
        let directory = try TemporaryDirectory("sms")
        let path = directory.file("sms.jsonl")
        try "{\"to\":\"+46700000000\",\"message\":\"old\"}\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        _ = try FileSMSTransport(path: path).send(to: "+46701234567", text: "new")
        let lines = lfLines(try String(contentsOfFile: path, encoding: .utf8)).dropLast()
        #expect(lines.count == 2)
        #expect(lines.first?.contains("old") == true)
        #expect(lines.last?.contains("new") == true)
    }

    @Test func concurrentSendsKeepWholeLines() throws {
        let directory = try TemporaryDirectory("sms")
        let path = directory.file("sms.jsonl")
        let transport = FileSMSTransport(path: path)
        DispatchQueue.concurrentPerform(iterations: 50) { index in
            _ = try? transport.send(to: "+46701234567", text: "message \(index) " + String(repeating: "x", count: 500))
        }
        let lines = lfLines(try String(contentsOfFile: path, encoding: .utf8)).dropLast()
        #expect(lines.count == 50)
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "\(line.prefix(60))")
        }
    }

    @Test func unwritablePathThrows() throws {
        let directory = try TemporaryDirectory("sms")
        let transport = FileSMSTransport(path: directory.file("missing/folder/sms.jsonl"))
        #expect(throws: (any Error).self) { _ = try transport.send(to: "+46701234567", text: "x") }
    }
}
