import FastCGI
import Foundation

/// What the long-running commands (`serve`, `bankid-simulator`, `deliver`) share: signals taken by
/// `sigwait` rather than a handler, the listening address from their flags, and a bounded stop.
enum Service {
    /// A long-running process keeps the memory it frees (up to 32 MB) instead of handing it back
    /// to the kernel. glibc trims a thread's heap as soon as more than 128 KB lie free at its top:
    /// the delivery worker frees a batch of rendered mails at once, so under a burst every batch
    /// gave its pages back with `madvise` and faulted them in again for the next, about a system
    /// call and dozens of page faults per sign-in, more than half of Next's system time. The
    /// threshold for `mmap` is set with it (setting one stops glibc adjusting the other): blocks
    /// of a megabyte or more still come from and go back to the kernel.
    static func keepFreedMemory() {
        _ = glibcMallopt(mmapThreshold, 1 << 20)
        _ = glibcMallopt(trimThreshold, 32 << 20)
    }

    // glibc's mallopt(3) and its parameters M_TRIM_THRESHOLD and M_MMAP_THRESHOLD from <malloc.h>,
    // a header the Glibc module does not bring in.
    private static let trimThreshold: Int32 = -1
    private static let mmapThreshold: Int32 = -3

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

@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
