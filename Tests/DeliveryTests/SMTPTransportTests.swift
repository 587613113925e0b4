// SMTPTransport (libcurl) against a real SMTP sink: aiosmtpd (Debian's python3-aiosmtpd).
import Foundation
import KonfidentCore
import Testing
@testable import Delivery
#if canImport(Glibc)
import Glibc
#endif

/// A TCP port on 127.0.0.1 that nothing listens on right now.
func freeLocalPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw MIMEProblem("socket: \(errno)") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw MIMEProblem("bind: \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

func somethingListens(on port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

/// A python3 SMTP server in a child process, stopped with SIGKILL (launched from a test thread it
/// does not react to SIGTERM).
final class SMTPSink: @unchecked Sendable {
    let port: Int
    let directory: TemporaryDirectory
    let process = Process()

    /// `arguments` come after `python3`; `{PORT}` and `{DIR}` are filled in.
    init(arguments: [String] = ["-m", "aiosmtpd", "-n", "-l", "127.0.0.1:{PORT}", "-c", "aiosmtpd.handlers.Mailbox", "{DIR}/box"]) throws {
        directory = try TemporaryDirectory("smtp")
        port = try freeLocalPort()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = arguments.map {
            $0.replacingOccurrences(of: "{PORT}", with: "\(port)").replacingOccurrences(of: "{DIR}", with: directory.path)
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: directory.file("sink.log"), contents: nil)
        process.standardError = FileHandle(forWritingAtPath: directory.file("sink.log"))
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while !somethingListens(on: port) {
            guard process.isRunning, Date() < deadline else {
                stop()
                throw MIMEProblem("the SMTP sink did not start: \((try? String(contentsOfFile: directory.file("sink.log"), encoding: .utf8)) ?? "")")
            }
            usleep(50_000)
        }
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit {
        stop()
    }

    /// What arrived, as the maildir files the Mailbox handler wrote.
    func received() throws -> [String] {
        try directory.contents(of: "box/new").map { try String(contentsOfFile: directory.file("box/new/" + $0), encoding: .utf8) }
    }
}

@Suite(.serialized, .timeLimit(.minutes(2))) struct SMTPTransportTests {
    @Test func libcurlLoadsOnFirstUse() {
        #expect(Curl.load() == nil)
    }

    @Test func sendsAMessageThatArrivesWithItsLinkWhole() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        // A text with a line that starts with a dot (SMTP dot-stuffing) and a very long link.
        var message = sampleMessage()
        let link = "https://acme.localhost:8443/_konfident/verify/" + Base64URL.encode(Array(0..<32)) + "?n=" + String(repeating: "z", count: 90)
        message.text = "Hej,\n.\n.hidden line\n\n\(link)\n\nåäö = ÅÄÖ \n-- \nKONFIDENT\n"
        try SMTPTransport(url: "smtp://127.0.0.1:\(sink.port)").send(message)
        let received = try sink.received()
        #expect(received.count == 1)
        let raw = try #require(received.first)
        let separator = raw.contains("\r\n") ? "\r\n" : "\n"
        let mail = try ParsedMail(raw, separator: separator)
        #expect(mail.header("To") == "anna@example.se")
        #expect(mail.header("X-MailFrom") == "no-reply@acme.localhost")
        #expect(mail.header("X-RcptTo") == "anna@example.se")
        #expect(try decodeHeaderValue(try #require(mail.header("Subject"))).text == "Logga in på Åre")
        let text = try mail.text(separator: separator)
        #expect(text == message.text)
        #expect(linkLines(text) == [link])
    }

    @Test func sendsSeveralMessagesOneAfterTheOther() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let transport = try SMTPTransport(url: "smtp://127.0.0.1:\(sink.port)")
        let messages = (1...3).map { sampleMessage(number: $0) }
        for message in messages { try transport.send(message) }
        let links = try sink.received().flatMap { raw in
            let separator = raw.contains("\r\n") ? "\r\n" : "\n"
            return linkLines(try ParsedMail(raw, separator: separator).text(separator: separator))
        }
        #expect(Set(links) == Set(messages.map(linkOf)))
    }

    /// `?starttls=required`: a server without STARTTLS gets nothing, not the message in clear text.
    @Test func requiredSTARTTLSRefusesAPlainServer() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let transport = try SMTPTransport(url: "smtp://127.0.0.1:\(sink.port)?starttls=required")
        #expect(transport.requireTLS)
        #expect(throws: DeliveryError.self) { try transport.send(sampleMessage()) }
        #expect(try sink.received().isEmpty)
    }

    @Test func nothingListeningIsATemporaryError() throws {
        let port = try freeLocalPort()
        let transport = try SMTPTransport(url: "smtp://127.0.0.1:\(port)")
        let error = try #require(throws: DeliveryError.self) { try transport.send(sampleMessage()) }
        #expect(error.isTemporary)
    }

    @Test func refusedRecipientIsAPermanentError() throws {
        let script = """
            import sys, time
            from aiosmtpd.controller import Controller
            class Refuse:
                async def handle_RCPT(self, server, session, envelope, address, options):
                    return '550 5.1.1 no such user here'
            Controller(Refuse(), hostname='127.0.0.1', port=int(sys.argv[1])).start()
            while True:
                time.sleep(1)
            """
        let sink = try SMTPSink(arguments: ["-c", script, "{PORT}"])
        defer { sink.stop() }
        let transport = try SMTPTransport(url: "smtp://127.0.0.1:\(sink.port)")
        let error = try #require(throws: DeliveryError.self) { try transport.send(sampleMessage()) }
        #expect(!error.isTemporary, "\(error)")
    }

    @Test(arguments: ["ftp://x", "http://mail.example", "mail.example:25", "smtp://", "smtp:///path", "", "maildir:var/mail"])
    func rejectsWhatIsNotAnSMTPURL(url: String) {
        #expect(throws: DeliveryError.self) { _ = try SMTPTransport(url: url) }
    }

    @Test func acceptsCredentialsAndAPort() throws {
        let transport = try SMTPTransport(url: "smtp://user:p%40ss@host:2525")
        #expect(transport.url == "smtp://host:2525")
        #expect(transport.user == "user")
        #expect(transport.password == "p@ss")
        // With credentials, STARTTLS is required: the password never goes out in clear.
        #expect(transport.requireTLS)
        #expect(try !SMTPTransport(url: "smtp://host:2525").requireTLS)
        let secure = try SMTPTransport(url: "smtps://mail.example.com")
        #expect(secure.url == "smtps://mail.example.com")
        #expect(secure.user == nil && secure.password == nil)
        #expect(try SMTPTransport(url: "smtp://mail.example.com:587?starttls=required").requireTLS)
    }

    /// The URL's user and password are percent-decoded once: a password may hold `%` itself.
    @Test(arguments: [("smtp://user:100%25sure@host:25", "user", "100%sure"),
                      ("smtp://user:p%2541ss@host:25", "user", "p%41ss"),
                      ("smtp://us%25er%40example.com:pw@host:25", "us%er@example.com", "pw")])
    func credentialsAreDecodedOnce(url: String, user: String, password: String) throws {
        let transport = try SMTPTransport(url: url)
        #expect(transport.user == user)
        #expect(transport.password == password)
    }

    @Test func ipv6HostIsBracketedOnce() throws {
        let transport = try SMTPTransport(url: "smtp://[::1]:2525")
        #expect(transport.url == "smtp://[::1]:2525")
    }
}
