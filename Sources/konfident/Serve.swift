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
        let signals = Service.takeSignals()
        Service.keepFreedMemory()

        let configuration: Configuration
        do { configuration = try options.resolve() } catch { fail(error.description) }
        let address = Service.listenAddress(socket: socket, socketMode: socketMode, listen: listen,
                                            defaultSocket: configuration.databasePath + ".sock")
        let threadCount = threads ?? max(4, 2 * ProcessInfo.processInfo.activeProcessorCount)
        guard (1...256).contains(threadCount) else { fail("--threads: expected 1 to 256") }

        let wiring: Wiring
        let worker: DeliveryWorker
        do {
            wiring = try Wiring(configuration)
            worker = try wiring.deliveryWorker()
        } catch { fail("\(error)") }
        wiring.loadCurl()
        let application = wiring.application(messageQueued: { [worker] in worker.wake() })
        let server: FastCGIServer
        do {
            server = try FastCGIServer(address: address, responder: application)
        } catch { fail("\(error)") }
        worker.start()
        server.start(threadCount: threadCount)
        wiring.logger.info("serving", metadata: ["address": "\(address)", "threads": "\(threadCount)"])

        let received = Service.waitForStop(signals)
        wiring.logger.info("stopping", metadata: ["signal": "\(received)"])
        Service.startWatchdog(name: "konfident")
        server.stop()
        worker.stop()
        wiring.logger.info("stopped")
        throw ExitCode.success
    }
}
