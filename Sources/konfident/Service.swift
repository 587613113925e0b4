import FastCGI
import Foundation

/// What the long-running commands (`serve`, `bankid-simulator`, `deliver`) share: signals taken by
/// `sigwait` rather than a handler, the listening address from their flags, and a bounded stop.
enum Service {
    /// Blocks SIGTERM and SIGINT (taken later by `waitForStop`) and ignores SIGPIPE. Call it
    /// before any thread starts, so that no thread is ever interrupted by them.
    static func takeSignals() -> sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        signal(SIGPIPE, SIG_IGN)
        return signals
    }

    /// Waits for SIGTERM or SIGINT; returns which.
    static func waitForStop(_ signals: sigset_t) -> Int32 {
        var signals = signals
        var received: Int32 = 0
        sigwait(&signals, &received)
        return received
    }

    /// After a stop signal: a request that hangs must not keep the service from stopping.
    static func startWatchdog(name: String, seconds: Double = 9) {
        let watchdog = Thread {
            Thread.sleep(forTimeInterval: seconds)
            FileHandle.standardError.write(Data("\(name): requests still running after \(Int(seconds)) s; exiting\n".utf8))
            Foundation.exit(1)
        }
        watchdog.start()
    }

    /// `--socket PATH [--socket-mode MODE]` or `--listen HOST:PORT`; a bad value stops with one line.
    static func listenAddress(socket: String?, socketMode: String, listen: String?, defaultSocket: String) -> ListenAddress {
        if let listen {
            guard socket == nil else { fail("--socket and --listen exclude each other") }
            guard let parsed = ListenAddress.tcp(parsing: listen) else { fail("--listen: expected HOST:PORT (got '\(listen)')") }
            return parsed
        }
        guard let mode = UInt32(socketMode, radix: 8), mode <= 0o777 else { fail("--socket-mode: expected octal like 0660") }
        return .unix(path: socket ?? defaultSocket, mode: mode)
    }
}
