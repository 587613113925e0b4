#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Time, passed in: handlers and state machines never read the clock themselves.
public protocol Clock: Sendable {
    /// Seconds since 1970.
    func now() -> Int64
}

/// Randomness, passed in, so tests can make it repeatable.
public protocol RandomSource: Sendable {
    func bytes(_ count: Int) -> [UInt8]
}

/// The wall clock.
public struct SystemClock: Clock {
    public init() {}
    public func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec)
    }
}

/// The operating system's cryptographically secure generator (getrandom on Linux).
public struct SystemRandom: RandomSource {
    public init() {}
    public func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        // One getrandom call per 256 bytes (getentropy), not one per 8 as the standard generator makes.
        let filled = out.withUnsafeMutableBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let chunk = min(256, buffer.count - offset)
                guard getentropy(buffer.baseAddress! + offset, chunk) == 0 else { return false }
                offset += chunk
            }
            return true
        }
        if filled { return out }
        var generator = SystemRandomNumberGenerator()
        var index = 0
        while index < count {
            var word = generator.next()
            for _ in 0..<8 where index < count {
                out[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return out
    }
}
