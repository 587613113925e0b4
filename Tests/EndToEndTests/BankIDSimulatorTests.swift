import BankID
import Foundation
import Testing

/// `konfident bankid-simulator` behind real nginx with mutual TLS (nginx/bankid-simulator.conf.in,
/// certificates from scripts/bankid-certificates), driven by the product's `RPClient`.
final class BankIDSimulatorStack {
    let directory: String
    let port: Int
    let appPort: Int
    let foreignPort: Int
    private var simulator: Process?
    private var nginx: Process?

    var certificates: String { directory + "/certs" }
    var socket: String { directory + "/bankid.sock" }

    init() throws {
        #expect(FileManager.default.isExecutableFile(atPath: Stack.binary),
                "build first: swift build (looked for \(Stack.binary))")
        directory = "/tmp/konfident-bankid-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory + "/nginx-temp", withIntermediateDirectories: true)
        port = try FreePort.find()
        appPort = try FreePort.find()
        foreignPort = try FreePort.find()
        do {
            try start()
        } catch {
            stop()
            throw error
        }
    }

    private func start() throws {
        try Stack.script("bankid-certificates", [certificates])
        let template = try String(contentsOfFile: Stack.root + "/nginx/bankid-simulator.conf.in", encoding: .utf8)
        var config = template
        for (placeholder, value) in [("@USER@", getuid() == 0 ? "user root root;" : ""), ("@STATE@", directory),
                                     ("@CERTS@", certificates), ("@PORT@", "\(port)"), ("@APP_PORT@", "\(appPort)"),
                                     ("@FOREIGN_PORT@", "\(foreignPort)"), ("@SOCKET@", socket)] {
            config = config.replacingOccurrences(of: placeholder, with: value)
        }
        try config.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        simulator = try launch(Stack.binary, ["bankid-simulator", "--socket", socket, "--socket-mode", "0660"],
                               log: "simulator.log")
        nginx = try launch("/usr/sbin/nginx", ["-c", directory + "/nginx.conf", "-p", directory], log: "nginx.log")
        try waitUntil("nginx and the simulator listen") {
            FileManager.default.fileExists(atPath: socket) && FreePort.isListening(port)
                && FreePort.isListening(appPort) && FreePort.isListening(foreignPort)
        }
    }

    /// The RP client as the product configures it, with the RP certificate and the test CA.
    func client(port: Int? = nil, certificate: String = "rp", ca: String = "ca") -> RPClient {
        RPClient(baseURL: "https://localhost:\(port ?? self.port)/rp/v6.0/", certificate: certificates + "/\(certificate).pem",
                 key: certificates + "/\(certificate).key", ca: certificates + "/\(ca).pem", timeout: 5)
    }

    /// curl against the simulator; returns the status and body. `clientCertificate` adds `--cert rp.pem`.
    func curl(_ path: String, port: Int? = nil, form: [(String, String)]? = nil, headers: [String] = [],
              data: String? = nil, clientCertificate: Bool = false) throws -> (status: Int, body: String) {
        var arguments = ["-sS", "--max-time", "10", "--cacert", certificates + "/ca.pem",
                         "-o", "-", "-w", "\n%{http_code}"]
        if clientCertificate { arguments += ["--cert", certificates + "/rp.pem", "--key", certificates + "/rp.key"] }
        for (name, value) in form ?? [] { arguments += ["--data-urlencode", "\(name)=\(value)"] }
        for header in headers { arguments += ["-H", header] }
        if let data { arguments += ["--data-binary", data] }
        arguments.append("https://localhost:\(port ?? appPort)\(path)")
        let result = try Stack.capture("/usr/bin/curl", arguments)
        guard let newline = result.output.lastIndex(of: "\n"), let status = Int(result.output[result.output.index(after: newline)...]) else {
            throw HarnessError("curl \(path): \(result.error)")
        }
        return (status, String(result.output[..<newline]))
    }

    func recordedAuthRequests() throws -> [SimulatorResponder.RecordedAuthRequest] {
        try RPJSON.decode([SimulatorResponder.RecordedAuthRequest].self, from: try curl("/app/requests.json").body)
    }

    func recordedCalls() throws -> [SimulatorResponder.RecordedCall] {
        try RPJSON.decode([SimulatorResponder.RecordedCall].self, from: try curl("/app/calls.json").body)
    }

    /// SIGTERM to the simulator: its exit status.
    func terminateSimulator() -> Int32 {
        guard let simulator else { return -1 }
        Stack.end(simulator, patience: 10)
        self.simulator = nil
        return simulator.terminationStatus
    }

    func log(_ name: String) -> String {
        (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? ""
    }

    func stop() {
        for process in [nginx, simulator].compactMap({ $0 }) { Stack.end(process) }
        nginx = nil
        simulator = nil
        if ProcessInfo.processInfo.environment["KONFIDENT_KEEP_TEST_FILES"] == nil {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    deinit { stop() }

    private func launch(_ executable: String, _ arguments: [String], log: String) throws -> Process {
        try Stack.launch(executable, arguments, in: directory, log: log)
    }
}

@Suite(.serialized)
struct BankIDSimulatorTests {
    let member = "199908072391"

    @Test func anOrderOverMutualTLSFromAuthToComplete() throws {
        let stack = try BankIDSimulatorStack()
        defer { stack.stop() }
        let client = stack.client()

        let order = try client.auth(.forPerson(member, endUserIp: "192.0.2.10", text: "Sign in to Acme"))
        #expect(try client.collect(orderRef: order.orderRef) == .pending(order.orderRef, .outstandingTransaction))

        // The phone app, through the page (no client certificate on the app port).
        let page = try stack.curl("/app")
        #expect(page.status == 200)
        #expect(page.body.contains(order.autoStartToken))
        let opened = try stack.curl("/app/open-autostart", form: [("autostarttoken", order.autoStartToken)])
        #expect(opened.status == 200, "\(opened.body)")
        #expect(try client.collect(orderRef: order.orderRef) == .pending(order.orderRef, .userSign))
        let approved = try stack.curl("/app/approve", form: [("orderRef", order.orderRef), ("personalNumber", member)])
        #expect(approved.status == 200, "\(approved.body)")

        let complete = try client.collect(orderRef: order.orderRef)
        #expect(complete.status == .complete)
        #expect(complete.completionData?.user.personalNumber == member)
        #expect(complete.completionData?.device.ipAddress == "192.0.2.10")

        // What the simulator saw: the exact Content-Type, the verified client certificate, the requirement.
        let recorded = try stack.recordedAuthRequests()
        #expect(recorded.count == 1)
        #expect(recorded.first?.contentType == "application/json")
        #expect(recorded.first?.clientVerify == "SUCCESS")
        #expect(recorded.first?.clientSubject?.contains("CN=KONFIDENT relying party") == true)
        #expect(recorded.first?.request?.requirement?.personalNumber == member)
        #expect(recorded.first?.request?.endUserIp == "192.0.2.10")
        #expect(try stack.recordedCalls().allSatisfy { $0.contentType == "application/json" && $0.status == 200 })

        // The RP's own cancel, and errors answered as RPError.
        let second = try client.auth(.forPerson(nil, endUserIp: "192.0.2.11"))
        try client.cancel(orderRef: second.orderRef)
        #expect(throws: RPError.self) { try client.collect(orderRef: second.orderRef) }
        #expect(stack.terminateSimulator() == 0)
        #expect(stack.log("simulator.log").contains("stopping"))
    }

    @Test func maintenanceAndAlreadyInProgressReachTheClientAsRPErrors() throws {
        let stack = try BankIDSimulatorStack()
        defer { stack.stop() }
        let client = stack.client()
        #expect(try stack.curl("/app/inject", form: [("errorCode", "maintenance")]).status == 200)
        do {
            _ = try client.auth(.forPerson(member, endUserIp: "192.0.2.10"))
            Issue.record("auth succeeded during maintenance")
        } catch let error as RPError {
            #expect(error.errorCode == .maintenance)
            #expect(error.httpStatus == 503)
        }
        let first = try client.auth(.forPerson(member, endUserIp: "192.0.2.10"))
        #expect(throws: RPError(.alreadyInProgress, details: "Order already in progress for pno")) {
            try client.auth(.forPerson(member, endUserIp: "192.0.2.10"))
        }
        #expect(try client.collect(orderRef: first.orderRef) == .failed(first.orderRef, .cancelled))
    }

    @Test func withoutTheRPCertificateNginxRefusesAndTheSimulatorSeesNothing() throws {
        let stack = try BankIDSimulatorStack()
        defer { stack.stop() }
        let body = #"{"endUserIp":"192.0.2.10"}"#
        let refused = try stack.curl("/rp/v6.0/auth", port: stack.port, headers: ["Content-Type: application/json"], data: body)
        #expect(refused.status == 400)
        #expect(refused.body.contains("No required SSL certificate"))
        #expect(try stack.recordedCalls().isEmpty)

        // The same request with the certificate gets through; a charset parameter is 415 from the simulator.
        let charset = try stack.curl("/rp/v6.0/auth", port: stack.port, headers: ["Content-Type: application/json; charset=utf-8"],
                                     data: body, clientCertificate: true)
        #expect(charset.status == 415)
        #expect(charset.body.contains("unsupportedMediaType"))
        let accepted = try stack.curl("/rp/v6.0/auth", port: stack.port, headers: ["Content-Type: application/json"],
                                      data: body, clientCertificate: true)
        #expect(accepted.status == 200)
        #expect(try stack.recordedCalls().map(\.status) == [415, 200])
        // The app port never reaches the RP API.
        #expect(try stack.curl("/rp/v6.0/auth", headers: ["Content-Type: application/json"], data: body).status == 404)
    }

    @Test func theClientRefusesAServerCertificateFromAnotherCA() throws {
        let stack = try BankIDSimulatorStack()
        defer { stack.stop() }
        do {
            _ = try stack.client(port: stack.foreignPort).auth(.forPerson(nil, endUserIp: "192.0.2.10"))
            Issue.record("the client accepted a server certificate from a foreign CA")
        } catch let error as RPTransportError {
            #expect(error.kind == .tls, "\(error)")
        }
        // Trusting the foreign CA instead: the simulator's own server is refused the same way.
        do {
            _ = try stack.client(ca: "foreign-ca").auth(.forPerson(nil, endUserIp: "192.0.2.10"))
            Issue.record("the client accepted a server certificate from a CA it was not given")
        } catch let error as RPTransportError {
            #expect(error.kind == .tls, "\(error)")
        }
        // Nothing closed on the port: a connect failure, not TLS.
        let closed = try FreePort.find()
        do {
            _ = try stack.client(port: closed).auth(.forPerson(nil, endUserIp: "192.0.2.10"))
            Issue.record("a closed port answered")
        } catch let error as RPTransportError {
            #expect(error.kind == .connect, "\(error)")
        }
        #expect(try stack.recordedCalls().isEmpty)
    }
}
