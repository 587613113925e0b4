import Foundation
import KonfidentCore
import KonfidentStore
import Logging

/// Sends what the outbox holds, with retries and exponential back-off, in batches: up to
/// `batchSize` messages claimed in one transaction and recorded in one when they are done. Runs
/// as a thread inside `serve`, or once from `konfident deliver --once` (cron, for CGI
/// installations). Between batches it keeps the store tidy: a checkpoint when the WAL grew long,
/// and once an hour the deletions of `Retention`.
public final class DeliveryWorker: @unchecked Sendable {
    let store: Store
    let composer: MessageComposer
    let mail: any MailTransport
    let sms: (any SMSTransport)?
    let clock: any Clock
    let logger: Logger
    let maximumTries: Int
    /// The right-hand side of the Message-IDs: the domain of the sender address.
    let messageIDDomain: String
    /// Drawn once per worker: with the message's id and try it makes each Message-ID unique
    /// (databases restored from a backup reuse ids) without a call to the kernel per message.
    let messageIDSalt = UInt64.random(in: 0...UInt64.max)
    private let condition = NSCondition()
    private var stopping = false
    private var woken = false
    /// True while the worker thread sleeps between looks at the outbox (guarded by `condition`).
    private var idle = false
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)
    /// A commit left the WAL long (`Store.whenWALGrows`; guarded by `condition`).
    private var checkpointWanted = false
    /// The time of the last checkpoint; the delivering thread's alone.
    private var lastCheckpoint: Int64 = 0
    /// What `purgeIfDue` deletes, and when it next looks; the delivering thread's alone.
    let retention: Retention
    private var nextPurge: Int64 = 0

    public init(store: Store, composer: MessageComposer, mail: any MailTransport, sms: (any SMSTransport)?,
                clock: any Clock = SystemClock(), logger: Logger, maximumTries: Int = 12,
                retention: Retention = Retention()) {
        self.store = store
        self.retention = retention
        self.composer = composer
        self.mail = mail
        self.sms = sms
        self.clock = clock
        self.logger = logger
        self.maximumTries = maximumTries
        messageIDDomain = MailMessage.domain(of: composer.mailFrom)
    }

    /// Seconds before try number `tries + 1`: 2, 4, 8, … up to 10 minutes.
    public static func backOff(afterTries tries: Int) -> Int64 {
        min(600, Int64(1) << Int64(min(max(tries, 1), 10)))
    }

    /// Messages claimed in one transaction, and recorded in one when they are done.
    public static let batchSize = 32
    /// Seconds after which a batch stops starting new messages and hands the rest back: with
    /// libcurl's 60 s limit on one transfer the batch stays well inside the 120 s after which a
    /// claimed message counts as crashed and another worker (cron's `deliver --once`) may take it.
    public static let batchTimeBudget: Int64 = 30
    /// Delivers every message that is due now; returns how many were handled.
    @discardableResult
    public func deliverDue() -> Int {
        var handled = 0
        while !isStopping {
            let batch: [OutboxMessage]
            do {
                batch = try store.claimDueMessages(at: clock.now(), limit: Self.batchSize)
            } catch {
                logger.error("outbox unavailable", metadata: ["error": "\(error)"])
                break
            }
            guard !batch.isEmpty else { break }
            let started = clock.now()
            var outcomes: [OutboxOutcome] = []
            outcomes.reserveCapacity(batch.count)
            for message in batch {
                if isStopping || clock.now() - started >= Self.batchTimeBudget {
                    outcomes.append(.released(messageID: message.id, at: clock.now()))
                } else {
                    outcomes.append(deliver(message))
                }
            }
            do {
                try store.record(outcomes)
            } catch {
                // The claimed messages are due again after the crash delay.
                logger.error("outbox unavailable", metadata: ["error": "\(error)"])
                break
            }
            logSent(outcomes)
            let done = outcomes.count { if case .released = $0 { false } else { true } }
            handled += done
            checkpointIfDue()
        }
        return handled
    }

    /// One line for the messages of a batch that went out, once they are recorded: a line of its
    /// own for each (formatted, written) cost a tenth of the worker's time under a burst of sign-ins.
    /// Messages not sent get a line each, with the reason.
    private func logSent(_ outcomes: [OutboxOutcome]) {
        guard logger.logLevel <= .info else { return }
        let sent = outcomes.compactMap { outcome -> Int64? in
            if case let .sent(id, _, _) = outcome { id } else { nil }
        }
        guard !sent.isEmpty else { return }
        logger.info(sent.count == 1 ? "message sent" : "messages sent",
                    metadata: ["messages": "\(sent.map(String.init).joined(separator: ","))"])
    }

    /// One message: composed, sent, and what became of it (recorded by the caller with its batch).
    private func deliver(_ message: OutboxMessage) -> OutboxOutcome {
        let now = clock.now()
        var meta: Logger.Metadata {
            ["message": "\(message.id)", "kind": "\(message.kind)", "try": "\(message.tries)"]
        }
        do {
            let messageID = "\(message.id).\(message.createdAt).\(message.tries).\(messageIDSalt)@\(messageIDDomain)"
            switch try composer.compose(message, store: store, now: now, messageID: messageID) {
            case let .drop(reason):
                logger.info("message not sent: \(reason)", metadata: meta)
                return .dropped(messageID: message.id, reason: reason)
            case let .mail(mailMessage):
                try mail.send(mailMessage)
                return .sent(messageID: message.id, gatewayID: nil, at: clock.now())
            case let .sms(to, text):
                guard let sms else { throw DeliveryError("no SMS transport configured", isTemporary: false) }
                let gatewayID = try sms.send(to: to, text: text)
                return .sent(messageID: message.id, gatewayID: gatewayID, at: clock.now())
            }
        } catch {
            let temporary = (error as? DeliveryError)?.isTemporary ?? true
            let retryAt: Int64? = temporary && message.tries < maximumTries
                ? clock.now() + Self.backOff(afterTries: message.tries) : nil
            var failure = meta
            failure["error"] = "\(error)"
            if retryAt == nil {
                logger.error("delivery failed for good", metadata: failure)
            } else {
                logger.warning("delivery failed, will retry", metadata: failure)
            }
            return .failed(messageID: message.id, error: "\(error)", retryAt: retryAt)
        }
    }

    /// Seconds between two looks for what `Retention` deletes.
    public static let purgeInterval: Int64 = 3_600
    /// Rounds of `Store.purge` in one turn of the worker, between two looks at the outbox: a
    /// backlog (the first purge of an old database) is deleted over several turns, and messages
    /// keep going out meanwhile.
    public static let purgeRoundsPerTurn = 20

    /// Deletes what `Retention` says is no longer needed, when an hour has passed since the last
    /// look; returns whether rows are left for the next turn. One log line for what a look deleted.
    @discardableResult
    public func purgeIfDue(rounds: Int = DeliveryWorker.purgeRoundsPerTurn) -> Bool {
        let now = clock.now()
        guard now >= nextPurge else { return false }
        var deleted = PurgeCounts()
        var more = false
        do {
            for _ in 0..<rounds where !isStopping {
                let round = try store.purge(retention, at: now)
                deleted += round
                more = round.total > 0
                if !more { break }
            }
        } catch {
            logger.error("purge failed", metadata: ["error": "\(error)"])
            more = false
        }
        if !more { nextPurge = now + Self.purgeInterval }
        if deleted.total > 0 {
            logger.info("purged", metadata: [
                "attempts": "\(deleted.attempts)", "messages": "\(deleted.messages)",
                "bankIDOrders": "\(deleted.bankIDOrders)", "sessions": "\(deleted.sessions)",
                "rateLimits": "\(deleted.rateLimits)", "auditEntries": "\(deleted.auditEntries)",
            ])
        }
        return more
    }

    /// A passive checkpoint when a commit left the WAL long (4000 frames, `Store.whenWALGrows`) or
    /// a second has passed since the last one: on the worker's thread, so that request threads
    /// neither wait for it nor find a WAL so long that their commit checkpoints itself.
    private func checkpointIfDue() {
        condition.lock()
        let wanted = checkpointWanted
        checkpointWanted = false
        condition.unlock()
        let now = clock.now()
        guard wanted || now != lastCheckpoint else { return }
        try? store.checkpoint()
        lastCheckpoint = now
    }

    /// `Store.whenWALGrows`: called by the thread whose commit left the WAL long, with the write
    /// connection's mutex held, so it only signals.
    private func walGrew() {
        condition.lock()
        checkpointWanted = true
        if idle { condition.signal() }
        condition.unlock()
    }

    /// Starts the worker thread: it delivers when woken and at least once a second, checkpoints
    /// the WAL when a commit left it long and at least once a second, and purges once an hour.
    public func start() {
        store.whenWALGrows { [weak self] in self?.walGrew() }
        let thread = Thread { [self] in
            while !isStopping {
                deliverDue()
                let purging = purgeIfDue()
                checkpointIfDue()
                condition.lock()
                if !woken && !stopping && !checkpointWanted && !purging {
                    idle = true
                    _ = condition.wait(until: Date(timeIntervalSinceNow: 1))
                    idle = false
                }
                if woken && !stopping {
                    // Woken by a queued message: a moment for others to join it in one batch. Under
                    // a burst of sign-ins a message each would mean a wake-up and two transactions
                    // each; a mail that leaves 50 ms later is not later for anybody.
                    let deadline = Date(timeIntervalSinceNow: Self.gatherDelay)
                    while !stopping && condition.wait(until: deadline) {}
                }
                woken = false
                condition.unlock()
            }
            finished.signal()
        }
        thread.name = "konfident-delivery"
        self.thread = thread
        thread.start()
    }

    /// Seconds the worker waits after a wake-up before it claims, so that a batch can fill.
    static let gatherDelay: TimeInterval = 0.05

    /// A transaction queued a message. Signals the worker only when it sleeps: while it gathers or
    /// delivers, it will look at the outbox anyway, and a signal for every Next would wake it for
    /// nothing.
    public func wake() {
        condition.lock()
        woken = true
        if idle { condition.signal() }
        condition.unlock()
    }

    /// Finishes the message in hand, hands the rest of its batch back to the outbox, then returns.
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
