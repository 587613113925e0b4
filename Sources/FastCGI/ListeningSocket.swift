#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where `serve` listens: a unix socket next to the database, or a TCP address.
public enum ListenAddress: Sendable, Equatable {
    case unix(path: String, mode: UInt32)
    case tcp(host: String, port: UInt16)

    /// Parses `HOST:PORT` (IPv4 or a name; `[::1]:9000` for IPv6).
    public static func tcp(parsing text: String) -> ListenAddress? {
        guard let colon = text.lastIndex(of: ":"),
              let port = UInt16(text[text.index(after: colon)...]), port > 0
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        return .tcp(host: host, port: port)
    }
}

public struct SocketError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ what: String, errno code: Int32? = nil) {
        if let code { description = "\(what): \(String(cString: strerror(code)))" } else { description = what }
    }
}

/// Opens the listening socket. A unix socket file left by a crashed server is replaced;
/// one that a live server still answers on is refused.
func openListeningSocket(_ address: ListenAddress, backlog: Int32 = 1024) throws(SocketError) -> Int32 {
    switch address {
    case let .unix(path, mode): return try openUnixSocket(path: path, mode: mode, backlog: backlog)
    case let .tcp(host, port): return try openTCPSocket(host: host, port: port, backlog: backlog)
    }
}

private func unixAddress(_ path: String) throws(SocketError) -> sockaddr_un {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard bytes.count < capacity else { throw SocketError("socket path longer than \(capacity - 1) bytes: \(path)") }
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
        buffer.copyBytes(from: bytes)
        buffer[bytes.count] = 0
    }
    return address
}

private func openUnixSocket(path: String, mode: UInt32, backlog: Int32) throws(SocketError) -> Int32 {
    var address = try unixAddress(path)
    let length = socklen_t(MemoryLayout<sockaddr_un>.size)
    var info = stat()
    if lstat(path, &info) == 0 {
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw SocketError("\(path) exists and is not a socket") }
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        let live = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, length) == 0 }
        }
        close(probe)
        if live { throw SocketError("another server is listening on \(path)") }
        unlink(path)
    }
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SocketError("socket", errno: errno) }
    // The socket file is created with the final mode straight away: no window in which
    // it is open to everybody, or closed to nginx. umask is process-wide: this runs at
    // start-up, before any other thread creates files.
    let previousMask = umask(~mode_t(mode) & 0o777)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    let bindErrno = errno
    umask(previousMask)
    guard bound == 0 else { close(fd); throw SocketError("bind \(path)", errno: bindErrno) }
    chmod(path, mode_t(mode))
    guard listen(fd, backlog) == 0 else { close(fd); throw SocketError("listen \(path)", errno: errno) }
    try makeNonBlocking(fd)
    return fd
}

private func openTCPSocket(host: String, port: UInt16, backlog: Int32) throws(SocketError) -> Int32 {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
    var result: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &result)
    guard status == 0, let first = result else {
        throw SocketError("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
    }
    defer { freeaddrinfo(result) }
    let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SocketError("socket", errno: errno) }
    var yes: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
        let code = errno
        close(fd)
        throw SocketError("bind \(host):\(port)", errno: code)
    }
    guard listen(fd, backlog) == 0 else { close(fd); throw SocketError("listen", errno: errno) }
    try makeNonBlocking(fd)
    return fd
}

/// A connection that closes before sending anything makes libfcgi loop back into `accept()`;
/// on a blocking socket that would hold the accept lock until the next request, so `stop()`
/// could not wake the thread. Non-blocking, `FCGX_Accept_r` returns and the thread polls again.
/// Accepted connections do not inherit the flag on Linux: request I/O stays blocking.
private func makeNonBlocking(_ fd: Int32) throws(SocketError) {
    let flags = fcntl(fd, F_GETFL)
    guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else {
        close(fd)
        throw SocketError("fcntl O_NONBLOCK", errno: errno)
    }
}
