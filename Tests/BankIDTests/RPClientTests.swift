import Foundation
import Testing
@testable import BankID

/// RPClient failures that need no TLS server: every one is a thrown `RPTransportError` of the right kind.
struct RPClientTests {
    /// A listening socket that never accepts: TCP connects (the kernel's backlog), TLS never starts.
    final class SilentListener {
        let descriptor: Int32
        let port: Int

        init() throws {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    bind(descriptor, pointer, length) == 0 && listen(descriptor, 8) == 0
                        && getsockname(descriptor, pointer, &length) == 0
                }
            }
            guard ok else { close(descriptor); throw POSIXError(.EADDRNOTAVAIL) }
            self.descriptor = descriptor
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        deinit { close(descriptor) }
    }

    func client(_ url: String, timeout: TimeInterval = 5) -> RPClient {
        RPClient(baseURL: url, certificate: "/nonexistent/rp.pem", key: "/nonexistent/rp.key", ca: "/nonexistent/ca.pem",
                 timeout: timeout)
    }

    func transportError(_ body: () throws -> Void) -> RPTransportError? {
        do {
            try body()
            return nil
        } catch let error as RPTransportError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func aServerThatNeverAnswersIsATimeOut() throws {
        let listener = try SilentListener()
        let start = Date()
        let error = transportError {
            _ = try client("https://127.0.0.1:\(listener.port)/rp/v6.0/", timeout: 0.5).collect(orderRef: "x")
        }
        // A CA file that does not exist: libcurl gives up when TLS starts; a TLS set-up fault, never a hang.
        #expect(error?.kind == .tls, "\(String(describing: error))")
        #expect(error?.rfa == .rfa22)
        #expect(Date().timeIntervalSince(start) < 3)
    }

    @Test func aTimeOutWithUsableFilesIsKindTimeout() throws {
        let folder = NSTemporaryDirectory() + "rpclient-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path + "/scripts/bankid-certificates"
        let process = try Process.run(URL(fileURLWithPath: script), arguments: [folder])
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let listener = try SilentListener()
        let client = RPClient(baseURL: "https://localhost:\(listener.port)/rp/v6.0", certificate: folder + "/rp.pem",
                              key: folder + "/rp.key", ca: folder + "/ca.pem", timeout: 0.5)
        #expect(client.baseURL.hasSuffix("/rp/v6.0/"))
        let start = Date()
        let error = transportError { _ = try client.auth(.forPerson(nil, endUserIp: "192.0.2.1")) }
        #expect(error?.kind == .timeout, "\(String(describing: error))")
        #expect(error?.rfa == .rfa5)
        #expect(Date().timeIntervalSince(start) < 3)
    }

    @Test func aClosedPortIsAConnectError() throws {
        let port = try SilentListener().port  // bound, then closed again
        let error = transportError { try client("https://127.0.0.1:\(port)/rp/v6.0/").cancel(orderRef: "x") }
        #expect(error?.kind == .connect, "\(String(describing: error))")
        #expect(error?.rfa == .rfa5)
    }

    @Test func plainHTTPIsRefused() {
        let error = transportError { _ = try client("http://127.0.0.1:9/rp/v6.0/").collect(orderRef: "x") }
        #expect(error != nil)
        #expect(error?.kind == .other)
    }
}
