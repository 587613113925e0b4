import Foundation
import Testing

/// The end-to-end harness: real nginx (TLS) in front of the built `konfident serve`, an SMTP sink
/// (aiosmtpd), fcgiwrap for CGI mode; all on free ports in a temporary folder, all stopped by `stop()`.
final class Stack {
    struct Options {
        enum Mail { case smtp, maildir, sendmail }
        var mail: Mail = .smtp
        var linkTTL: String? = nil
        var rateLimits: String? = "off"
        var sessionIdle: String? = nil
        var withCGI = false
        var startSMTP = true
        /// A fake 46elks gateway (`scripts/sms-gateway-sink`) instead of the `file:` SMS transport.
        var smsGateway: SMSGateway? = nil
        /// `KONFIDENT_BANKID=simulator` against this simulator behind its own nginx (mutual TLS).
        var bankID: BankIDSimulatorStack? = nil
        /// Point the RP client at the simulator's port whose certificate comes from a foreign CA.
        var bankIDForeignCA = false
    }

    /// The SMS gateway sink: it accepts `user`/`password` (Basic auth) and answers the first
    /// `failFirst` good requests with 500. `servePassword` (when set) is what `serve` is given
    /// instead of `password`: deliberately wrong credentials.
    struct SMSGateway {
        var user = "acme-elks"
        var password = "gateway-secret"
        var failFirst = 0
        var servePassword: String? = nil
    }

    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["KONFIDENT_BINARY"] { return path }
        return root + "/.build/debug/konfident"
    }()

    let directory: String
    let port: Int
    let options: Options
    var smtpPort: Int
    private(set) var smtp: Process?
    private(set) var serve: Process?
    private var nginx: Process?
    private var fcgiwrap: Process?
    private var smsGatewaySink: Process?
    /// The SMS gateway sink's port (0 when there is none).
    private(set) var smsGatewayPort = 0
    private var stopped = false

    var database: String { directory + "/konfident.sqlite3" }
    var socket: String { directory + "/konfident.sock" }
    var mailbox: String { directory + "/smtp-sink" }
    var maildir: String { directory + "/maildir" }
    var sendmailOutput: String { directory + "/sendmail-out" }
    /// nginx's access log, in the `konfident` format of nginx/dev.conf.in (as nginx/konfident.conf).
    var accessLog: String { (try? String(contentsOfFile: directory + "/nginx-access.log", encoding: .utf8)) ?? "" }
    /// Where the SMS end up: the gateway sink's JSON lines, or the `file:` transport's.
    var smsOutput: String { directory + (options.smsGateway == nil ? "/sms.jsonl" : "/sms-gateway.jsonl") }

    /// Starts everything and registers the workspace `acme` at https://acme.localhost:PORT/
    /// with the administrator admin@acme.example.
    init(_ options: Options = Options()) throws {
        #expect(FileManager.default.isExecutableFile(atPath: Stack.binary),
                "build first: swift build (looked for \(Stack.binary))")
        self.options = options
        directory = try Self.temporaryDirectory()
        port = try FreePort.find()
        smtpPort = try FreePort.find()
        if options.smsGateway != nil { smsGatewayPort = try FreePort.find() }
        do {
            try start()
        } catch {
            stop()
            throw error
        }
    }

    private func start() throws {
        try run(["migrate"])
        try run(["workspace", "create", "acme", "--name", "Acme", "--url", url("acme", "/")])
        try run(["member", "add", "acme", "--method", "email", "--role", "administrator", "--email", "admin@acme.example"])
        if options.startSMTP { try startSMTP() }
        if let gateway = options.smsGateway {
            smsGatewaySink = try launch(Stack.root + "/scripts/sms-gateway-sink",
                                        ["\(smsGatewayPort)", gateway.user, gateway.password, smsOutput, "--fail", "\(gateway.failFirst)"],
                                        log: "sms-gateway.log", signalsUnblocked: true)
            try waitUntil("the SMS gateway sink listens") { FreePort.isListening(smsGatewayPort) }
        }
        try Self.script("tls-certificate", [directory + "/tls"])
        let binaryRelative = String(Stack.binary.dropFirst(Stack.root.count + 1))
        let config = try Self.script("nginx-config", [directory, "\(port)", socket, directory + "/fcgiwrap.sock", binaryRelative])
        try config.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        serve = try launch(Stack.binary, ["serve", "--socket", socket, "--socket-mode", "0660", "--threads", "4"],
                           log: "serve.log")
        if options.withCGI {
            // Its own process group: fcgiwrap forks workers, and those must end with it (they hold the
            // pipe through which Foundation learns that the launched process ended).
            fcgiwrap = try launch("/usr/sbin/fcgiwrap", ["-c", "2", "-s", "unix:" + directory + "/fcgiwrap.sock"], log: "fcgiwrap.log",
                                  signalsUnblocked: true, processGroup: true)
        }
        nginx = try launch("/usr/sbin/nginx", ["-c", directory + "/nginx.conf", "-p", directory], log: "nginx.log")
        try waitUntil("nginx and the responder answer") {
            (try? Browser(self).get("/static/konfident.css").status) == 200
                && FileManager.default.fileExists(atPath: socket)
        }
    }

    /// `https://HOST.localhost:PORT/PATH`
    func url(_ host: String, _ path: String) -> String {
        "https://\(host).localhost:\(port)\(path)"
    }

    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["KONFIDENT_DATABASE"] = database
        switch options.mail {
        case .smtp: environment["KONFIDENT_MAIL"] = "smtp://127.0.0.1:\(smtpPort)"
        case .maildir: environment["KONFIDENT_MAIL"] = "maildir:" + maildir
        case .sendmail: environment["KONFIDENT_MAIL"] = "sendmail:" + directory + "/fake-sendmail"
        }
        environment["KONFIDENT_MAIL_FROM"] = "Acme sign-in <signin@acme.example>"
        if let gateway = options.smsGateway {
            environment["KONFIDENT_SMS"] = "http://127.0.0.1:\(smsGatewayPort)/a1/sms"
            environment["KONFIDENT_SMS_USER"] = gateway.user
            environment["KONFIDENT_SMS_PASSWORD"] = gateway.servePassword ?? gateway.password
            environment["KONFIDENT_SMS_FROM"] = "Acme"
        } else {
            environment["KONFIDENT_SMS"] = "file:" + directory + "/sms.jsonl"
        }
        environment["KONFIDENT_RATE_LIMITS"] = options.rateLimits
        environment["KONFIDENT_LINK_TTL"] = options.linkTTL
        environment["KONFIDENT_SESSION_IDLE"] = options.sessionIdle
        environment["KONFIDENT_LOG_LEVEL"] = "debug"
        if let bankID = options.bankID {
            environment["KONFIDENT_BANKID"] = "simulator"
            environment["KONFIDENT_BANKID_SIMULATOR"] = "https://localhost:\(options.bankIDForeignCA ? bankID.foreignPort : bankID.port)/rp/v6.0/"
            environment["KONFIDENT_BANKID_SIMULATOR_APP"] = "https://localhost:\(bankID.appPort)/app"
            environment["KONFIDENT_BANKID_CERT"] = bankID.certificates + "/rp.pem"
            environment["KONFIDENT_BANKID_KEY"] = bankID.certificates + "/rp.key"
            environment["KONFIDENT_BANKID_CA"] = bankID.certificates + "/ca.pem"
        }
        return environment
    }

    /// Runs a `konfident` command; throws when it fails.
    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let result = try konfident(arguments)
        guard result.status == 0 else {
            throw HarnessError("konfident \(arguments.joined(separator: " ")) failed: \(result.error)")
        }
        return result.output
    }

    /// Runs a `konfident` command and returns its exit status and output.
    func konfident(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, output: String, error: String) {
        try Self.capture(Stack.binary, arguments, environment: environment.merging(extra) { $1 })
    }

    func startSMTP() throws {
        if options.mail == .sendmail {
            let script = "#!/bin/sh\n[ \"$1 $2\" = \"-t -i\" ] || exit 64\nmkdir -p \(sendmailOutput)\ncat > \(sendmailOutput)/$$.eml\n"
            try script.write(toFile: directory + "/fake-sendmail", atomically: true, encoding: .utf8)
            chmod(directory + "/fake-sendmail", 0o755)
        }
        smtp = try launch("/usr/bin/python3", ["-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(smtpPort)",
                                               "-c", "aiosmtpd.handlers.Mailbox", mailbox], log: "smtp.log",
                       signalsUnblocked: true)
        try waitUntil("the SMTP sink listens") { FreePort.isListening(smtpPort) }
    }

    func stopSMTP() {
        if let smtp { Self.end(smtp) }
        smtp = nil
    }

    /// SIGTERM, then SIGKILL after `patience` seconds: a child may inherit a mask that blocks SIGTERM.
    static func end(_ process: Process, patience: Double = 5) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(patience)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Sends SIGTERM to `serve` and returns its exit status and how long it took.
    func terminateServe() -> (status: Int32, seconds: Double) {
        guard let serve else { return (-1, 0) }
        let start = Date()
        kill(serve.processIdentifier, SIGTERM)
        serve.waitUntilExit()
        self.serve = nil
        return (serve.terminationStatus, Date().timeIntervalSince(start))
    }

    func log(_ name: String) -> String {
        (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? ""
    }

    func stop() {
        guard !stopped else { return }
        stopped = true
        if let fcgiwrap, fcgiwrap.isRunning { kill(-fcgiwrap.processIdentifier, SIGTERM) }
        for process in [nginx, serve, fcgiwrap, smtp, smsGatewaySink].compactMap({ $0 }) {
            Self.end(process)
        }
        if ProcessInfo.processInfo.environment["KONFIDENT_KEEP_TEST_FILES"] == nil {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    deinit { stop() }

    // MARK: - Processes

    /// Python that clears the signal mask (a child inherits the launching thread's, which may block
    /// SIGTERM: then only the SIGKILL after 5 s ends it), optionally starts a process group, then execs.
    private static let unblockingExec = """
        import os, signal, sys
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        if sys.argv[1] == "group": os.setpgid(0, 0)
        os.execv(sys.argv[2], sys.argv[2:])
        """

    private func launch(_ executable: String, _ arguments: [String], log: String,
                        signalsUnblocked: Bool = false, processGroup: Bool = false) throws -> Process {
        try Self.launch(executable, arguments, in: directory, environment: environment, log: log,
                        signalsUnblocked: signalsUnblocked, processGroup: processGroup)
    }

    /// Starts a background process in `directory`, its output in the file `log` there.
    static func launch(_ executable: String, _ arguments: [String], in directory: String,
                       environment: [String: String]? = nil, log: String,
                       signalsUnblocked: Bool = false, processGroup: Bool = false) throws -> Process {
        let process = Process()
        if signalsUnblocked {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = ["-c", Self.unblockingExec, processGroup ? "group" : "same", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        if let environment { process.environment = environment }
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        _ = FileManager.default.createFile(atPath: directory + "/" + log, contents: nil)
        let handle = FileHandle(forWritingAtPath: directory + "/" + log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func capture(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                        input: Data? = nil) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe()
        let errorFile = NSTemporaryDirectory() + "konfident-stderr-\(UInt32.random(in: 0...UInt32.max))"
        _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorFile) }
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: errorFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errorData = FileManager.default.contents(atPath: errorFile) ?? Data()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }

    @discardableResult
    static func script(_ name: String, _ arguments: [String]) throws -> String {
        let result = try capture(root + "/scripts/" + name, arguments)
        guard result.status == 0 else { throw HarnessError("scripts/\(name) failed: \(result.error)") }
        return result.output
    }

    static func temporaryDirectory() throws -> String {
        // Short paths: unix socket paths are limited to 107 bytes.
        let path = "/tmp/konfident-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` up to `timeout` seconds.
func waitUntil(_ what: String, timeout: Double = 15, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return }
        usleep(100_000)
    }
    throw HarnessError("timed out waiting until \(what)")
}

enum FreePort {
    static func find() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(descriptor, pointer, length) == 0 else { return -1 }
                return getsockname(descriptor, pointer, &length)
            }
        }
        guard bound == 0 else { throw HarnessError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func isListening(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
