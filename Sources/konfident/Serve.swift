import ArgumentParser
import Delivery
import FastCGI
import Foundation

/// `konfident serve`: the FastCGI responder, with its delivery worker.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve FastCGI on a unix socket or a TCP address.")

    @Option(help: "Unix socket to listen on (default: next to the database, DATABASE.sock)")
    var socket: String?
    @Option(name: .customLong("socket-mode"), help: "Permissions of the unix socket, octal (default 0660: owner and group, e.g. www-data)")
    var socketMode: String = "0660"
    @Option(help: "TCP address HOST:PORT to listen on instead of a unix socket")
    var listen: String?
    @Option(help: "Request threads (default: 2 per core, at least 4)")
    var threads: Int?
    @OptionGroup var options: ConfigurationOptions

    func run() throws {
        // Signals are taken by a sigwait below, never by a handler: block them before any thread starts.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        signal(SIGPIPE, SIG_IGN)

        let configuration: Configuration
        do { configuration = try options.resolve() } catch { fail(error.description) }
        let address: ListenAddress
        if let listen {
            guard socket == nil else { fail("--socket and --listen exclude each other") }
            guard let parsed = ListenAddress.tcp(parsing: listen) else { fail("--listen: expected HOST:PORT (got '\(listen)')") }
            address = parsed
        } else {
            guard let mode = UInt32(socketMode, radix: 8), mode <= 0o777 else { fail("--socket-mode: expected octal like 0660") }
            address = .unix(path: socket ?? configuration.databasePath + ".sock", mode: mode)
        }
        let threadCount = threads ?? max(4, 2 * ProcessInfo.processInfo.activeProcessorCount)
        guard (1...256).contains(threadCount) else { fail("--threads: expected 1 to 256") }

        let wiring: Wiring
        let worker: DeliveryWorker
        do {
            wiring = try Wiring(configuration)
            worker = try wiring.deliveryWorker()
        } catch { fail("\(error)") }
        Curl.initialize()
        let application = wiring.application(messageQueued: { [worker] in worker.wake() })
        let server: FastCGIServer
        do {
            server = try FastCGIServer(address: address, responder: application)
        } catch { fail("\(error)") }
        worker.start()
        server.start(threadCount: threadCount)
        wiring.logger.info("serving", metadata: ["address": "\(address)", "threads": "\(threadCount)"])

        var received: Int32 = 0
        sigwait(&signals, &received)
        wiring.logger.info("stopping", metadata: ["signal": "\(received)"])
        // A watchdog: a request that hangs must not keep the service from stopping.
        let watchdog = Thread {
            Thread.sleep(forTimeInterval: 9)
            FileHandle.standardError.write(Data("konfident: requests still running after 9 s; exiting\n".utf8))
            Foundation.exit(1)
        }
        watchdog.start()
        server.stop()
        worker.stop()
        wiring.logger.info("stopped")
        throw ExitCode.success
    }
}
