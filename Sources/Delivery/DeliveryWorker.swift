import Foundation
import KonfidentCore
import KonfidentStore
import Logging

/// Sends what the outbox holds, with retries and exponential back-off. Runs as a thread inside
/// `serve`, or once from `konfident deliver --once` (cron, for CGI installations).
public final class DeliveryWorker: @unchecked Sendable {
    let store: Store
    let composer: MessageComposer
    let mail: any MailTransport
    let sms: (any SMSTransport)?
    let clock: any Clock
    let logger: Logger
    let maximumTries: Int
    private let condition = NSCondition()
    private var stopping = false
    private var woken = false
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)

    public init(store: Store, composer: MessageComposer, mail: any MailTransport, sms: (any SMSTransport)?,
                clock: any Clock = SystemClock(), logger: Logger, maximumTries: Int = 12) {
        self.store = store
        self.composer = composer
        self.mail = mail
        self.sms = sms
        self.clock = clock
        self.logger = logger
        self.maximumTries = maximumTries
    }

    /// Seconds before try number `tries + 1`: 2, 4, 8, … up to 10 minutes.
    public static func backOff(afterTries tries: Int) -> Int64 {
        min(600, Int64(1) << Int64(min(max(tries, 1), 10)))
    }

    /// Delivers every message that is due now; returns how many were handled.
    @discardableResult
    public func deliverDue() -> Int {
        var handled = 0
        while !isStopping {
            do {
                guard let message = try store.claimDueMessage(at: clock.now()) else { break }
                deliver(message)
                handled += 1
            } catch {
                logger.error("outbox unavailable", metadata: ["error": "\(error)"])
                break
            }
        }
        return handled
    }

    private func deliver(_ message: OutboxMessage) {
        let now = clock.now()
        let meta: Logger.Metadata = ["message": "\(message.id)", "kind": "\(message.kind)", "try": "\(message.tries)"]
        do {
            let messageID = "\(message.id).\(message.createdAt).\(UInt64.random(in: 0...UInt64.max))@\(MailMessage.domain(of: composer.mailFrom))"
            switch try composer.compose(message, store: store, now: now, messageID: messageID) {
            case let .drop(reason):
                try store.markDropped(messageID: message.id, reason: reason)
                logger.info("message not sent: \(reason)", metadata: meta)
            case let .mail(mailMessage):
                try mail.send(mailMessage)
                try store.markSent(messageID: message.id, gatewayID: nil, at: clock.now())
                logger.info("message sent", metadata: meta)
            case let .sms(to, text):
                guard let sms else { throw DeliveryError("no SMS transport configured", isTemporary: false) }
                let gatewayID = try sms.send(to: to, text: text)
                try store.markSent(messageID: message.id, gatewayID: gatewayID, at: clock.now())
                logger.info("message sent", metadata: meta)
            }
        } catch {
            let temporary = (error as? DeliveryError)?.isTemporary ?? true
            let retryAt: Int64? = temporary && message.tries < maximumTries
                ? clock.now() + Self.backOff(afterTries: message.tries) : nil
            try? store.markFailed(messageID: message.id, error: "\(error)", retryAt: retryAt)
            var failure = meta
            failure["error"] = "\(error)"
            if retryAt == nil {
                logger.error("delivery failed for good", metadata: failure)
            } else {
                logger.warning("delivery failed, will retry", metadata: failure)
            }
        }
    }

    /// Starts the worker thread: it delivers when woken and at least once a second.
    public func start() {
        let thread = Thread { [self] in
            while !isStopping {
                deliverDue()
                try? store.checkpoint()
                condition.lock()
                if !woken && !stopping { _ = condition.wait(until: Date(timeIntervalSinceNow: 1)) }
                woken = false
                condition.unlock()
            }
            finished.signal()
        }
        thread.name = "konfident-delivery"
        self.thread = thread
        thread.start()
    }

    /// A transaction queued a message.
    public func wake() {
        condition.lock()
        woken = true
        condition.signal()
        condition.unlock()
    }

    /// Finishes the message in hand, then returns.
    public func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
        if thread != nil { finished.wait() }
    }

    private var isStopping: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping
    }
}

extension MailMessage {
    static func domain(of address: String) -> String {
        let bare = bareAddress(address)
        if let at = bare.lastIndex(of: "@") { return String(bare[bare.index(after: at)...]) }
        return "konfident.invalid"
    }
}
