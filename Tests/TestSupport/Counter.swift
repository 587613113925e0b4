import Foundation

/// A number several threads count up at once. Shared by the test targets.
public final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    public init() {}

    public var value: Int { lock.withLock { count } }

    public func add() {
        lock.withLock { count += 1 }
    }
}
