import Delivery
import FastCGI
import Foundation

/// CGI mode: the same `Application` answers one request. Messages wait in the outbox for
/// `konfident deliver` (cron); a request never sends mail itself.
enum CGIMode {
    static func run() {
        signal(SIGPIPE, SIG_IGN)
        let configuration: Configuration
        do {
            configuration = try Configuration(flags: ConfigurationFlags(), environment: ProcessInfo.processInfo.environment)
        } catch {
            respondUnavailable(error.description)
        }
        let wiring: Wiring
        do { wiring = try Wiring(configuration, connections: .single) } catch { respondUnavailable("\(error)") }
        CGI.run(responder: wiring.application())
        do { try wiring.store.close() } catch { wiring.logger.error("closing the database: \(error)") }
    }

    /// A configuration error in CGI mode: one line in the web server's error log, a 503 to the browser.
    static func respondUnavailable(_ message: String) -> Never {
        FileHandle.standardError.write(Data("konfident: \(message)\n".utf8))
        let body = "<!doctype html><html lang=\"en\"><title>Unavailable</title><h1>Temporarily unavailable</h1><p>The sign-in service is not configured correctly. The operator has been told in the server log.</p></html>"
        print("Status: 503 Service Unavailable\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\(body)", terminator: "")
        exit(0)
    }
}
