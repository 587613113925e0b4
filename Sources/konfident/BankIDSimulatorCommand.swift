import ArgumentParser
import BankID
import FastCGI
import Foundation

/// `konfident bankid-simulator`: a BankID RP API v6.0 service (`/rp/v6.0/auth|collect|cancel`) and a
/// page that plays the phone app (`/app`), as a FastCGI responder. nginx in front of it terminates TLS
/// and verifies the relying party's client certificate (`ssl_verify_client on`), passing
/// `SSL_CLIENT_VERIFY` and `SSL_CLIENT_S_DN` (nginx/bankid-simulator.conf.in).
struct BankIDSimulatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bankid-simulator",
        abstract: "Serve a simulated BankID RP API v6.0 (and its phone app page) over FastCGI.")

    @Option(help: "Unix socket to listen on (default: bankid-simulator.sock in the current folder)")
    var socket: String?
    @Option(name: .customLong("socket-mode"), help: "Permissions of the unix socket, octal")
    var socketMode: String = "0660"
    @Option(help: "TCP address HOST:PORT to listen on instead of a unix socket")
    var listen: String?
    @Option(help: "Request threads")
    var threads: Int = 4

    func run() throws {
        let signals = Service.takeSignals()
        let address = Service.listenAddress(socket: socket, socketMode: socketMode, listen: listen,
                                            defaultSocket: "bankid-simulator.sock")
        guard (1...64).contains(threads) else { fail("--threads: expected 1 to 64") }

        let server: FastCGIServer
        do {
            server = try FastCGIServer(address: address, responder: SimulatorResponder())
        } catch { fail("\(error)") }
        server.start(threadCount: threads)
        FileHandle.standardError.write(Data("konfident bankid-simulator: serving on \(address)\n".utf8))

        let received = Service.waitForStop(signals)
        FileHandle.standardError.write(Data("konfident bankid-simulator: stopping (signal \(received))\n".utf8))
        Service.startWatchdog(name: "konfident bankid-simulator")
        server.stop()
        throw ExitCode.success
    }
}
