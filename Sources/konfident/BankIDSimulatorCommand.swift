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
        // Signals are taken by a sigwait below, never by a handler: block them before any thread starts.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        signal(SIGPIPE, SIG_IGN)

        let address: ListenAddress
        if let listen {
            guard socket == nil else { fail("--socket and --listen exclude each other") }
            guard let parsed = ListenAddress.tcp(parsing: listen) else { fail("--listen: expected HOST:PORT (got '\(listen)')") }
            address = parsed
        } else {
            guard let mode = UInt32(socketMode, radix: 8), mode <= 0o777 else { fail("--socket-mode: expected octal like 0660") }
            address = .unix(path: socket ?? "bankid-simulator.sock", mode: mode)
        }
        guard (1...64).contains(threads) else { fail("--threads: expected 1 to 64") }

        let server: FastCGIServer
        do {
            server = try FastCGIServer(address: address, responder: SimulatorResponder())
        } catch { fail("\(error)") }
        server.start(threadCount: threads)
        FileHandle.standardError.write(Data("konfident bankid-simulator: serving on \(address)\n".utf8))

        var received: Int32 = 0
        sigwait(&signals, &received)
        FileHandle.standardError.write(Data("konfident bankid-simulator: stopping (signal \(received))\n".utf8))
        let watchdog = Thread {
            Thread.sleep(forTimeInterval: 9)
            FileHandle.standardError.write(Data("konfident bankid-simulator: requests still running after 9 s; exiting\n".utf8))
            Foundation.exit(1)
        }
        watchdog.start()
        server.stop()
        throw ExitCode.success
    }
}
