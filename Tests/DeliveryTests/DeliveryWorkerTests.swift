// DeliveryWorker.deliverDue(): sending, retries with back-off, permanent failures, crashes.
import Foundation
import KonfidentCore
import KonfidentStore
import Logging
import Testing
import TestSupport
@testable import Delivery

let quietLogger = Logger(label: "konfident.delivery.test", factory: { _ in SwiftLogNoOpLogHandler() })

extension DeliveryFixture {
    func worker(mail: any MailTransport, sms: (any SMSTransport)? = nil, clock: TestClock, store: Store? = nil,
                maximumTries: Int = 12) -> DeliveryWorker {
        DeliveryWorker(store: store ?? self.store, composer: composer, mail: mail, sms: sms, clock: clock,
                       logger: quietLogger, maximumTries: maximumTries)
    }

    func status() throws -> OutboxStatus {
        let all = try store.outboxStatuses()
        try #require(all.count == 1)
        return all[0]
    }
}

@Suite struct DeliveryWorkerTests {
    static let now = DeliveryFixture.now

    @Test func backOffDoublesFromTwoSecondsUpToTenMinutes() {
        #expect((1...12).map { DeliveryWorker.backOff(afterTries: $0) } == [2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600, 600])
        var previous: Int64 = 0
        for tries in 0...1000 {
            let delay = DeliveryWorker.backOff(afterTries: tries)
            #expect(delay >= 2 && delay <= 600, "after \(tries) tries: \(delay)")
            #expect(delay >= previous)
            previous = delay
        }
        #expect(DeliveryWorker.backOff(afterTries: Int.max) == 600)
    }

    @Test func purgesOnceAnHourWhatRetentionNoLongerKeeps() throws {
        let fixture = try DeliveryFixture()
        try fixture.member("anna@example.se")
        let month: Int64 = 31 * 86_400
        let clock = TestClock(Self.now - month)
        let worker = fixture.worker(mail: RecordingMail(), clock: clock)
        let first = try fixture.startSignIn("anna@example.se", at: clock.now())
        #expect(worker.deliverDue() == 1)
        #expect(!worker.purgeIfDue())  // nothing is old yet: the next look is in an hour
        clock.advance(by: month)
        let second = try fixture.startSignIn("anna@example.se", at: Self.now - month + 1)
        let third = try fixture.startSignIn("anna@example.se", at: Self.now)
        #expect(!worker.purgeIfDue())
        #expect(try fixture.store.attempt(id: first.id) == nil)
        #expect(try fixture.store.attempt(id: second.id) == nil)
        #expect(try fixture.store.attempt(id: third.id) != nil)
        // The first mail went out and is gone; the second was never sent (no worker turn since)
        // and stays in the outbox, like the third.
        #expect(try fixture.states() == ["pending", "pending"])
        let fourth = try fixture.startSignIn("anna@example.se", at: Self.now - month + 2)
        try fixture.startSignIn("anna@example.se", at: Self.now)
        clock.advance(by: DeliveryWorker.purgeInterval - 1)
        worker.purgeIfDue()
        #expect(try fixture.store.attempt(id: fourth.id) != nil)
        clock.advance(by: 1)
        worker.purgeIfDue()
        #expect(try fixture.store.attempt(id: fourth.id) == nil)
    }

    @Test func aBacklogIsPurgedOverSeveralTurns() throws {
        let fixture = try DeliveryFixture()
        let clock = TestClock(Self.now)
        for index in 0..<(2 * Retention.batchSize + 1) {
            try fixture.startSignIn("stranger\(index)@example.se", at: Self.now - 31 * 86_400)
        }
        let worker = fixture.worker(mail: RecordingMail(), clock: clock)
        #expect(worker.purgeIfDue(rounds: 2))
        #expect(!worker.purgeIfDue(rounds: 2))
        #expect(!worker.purgeIfDue(rounds: 2))
    }

    @Test func dueMessageIsSentOnceAndMarkedSent() throws {
        let fixture = try DeliveryFixture()
        try fixture.member("anna@example.se")
        let attempt = try fixture.startSignIn("anna@example.se")
        let clock = TestClock(Self.now)
        let mail = RecordingMail()
        let worker = fixture.worker(mail: mail, clock: clock)
        #expect(worker.deliverDue() == 1)
        let status = try fixture.status()
        #expect(status.state == "sent")
        #expect(status.tries == 1)
        #expect(status.lastError == nil)
        #expect(mail.messages.count == 1)
        let sent = try #require(mail.messages.first)
        #expect(sent.to == "anna@example.se")
        #expect(sent.messageID.hasSuffix("@acme.localhost"))
        let link = try #require(linkLines(sent.text).first)
        let found = try fixture.store.attempt(link: try #require(SplitToken(parsing: String(link.split(separator: "/").last!))),
                                              workspaceID: fixture.workspace.id)
        #expect(found?.0.id == attempt.id)
        // Called again and again, later and later: nothing more goes out.
        for step in [0, 1, 2, 119, 120, 121, 600, 3600, 86_400] as [Int64] {
            clock.advance(by: step)
            #expect(worker.deliverDue() == 0)
        }
        #expect(mail.messages.count == 1)
        #expect(try fixture.states() == ["sent"])
    }

    @Test func rawTokenNeverReachesTheDatabase() throws {
        let fixture = try DeliveryFixture()
        try fixture.member("carl@example.se", method: .twoFactor, phone: "+46701234567")
        try fixture.startSignIn("carl@example.se")
        let clock = TestClock(Self.now)
        let mail = RecordingMail()
        let sms = RecordingSMS()
        let worker = fixture.worker(mail: mail, sms: sms, clock: clock)
        #expect(worker.deliverDue() == 2)
        let sentMail = try #require(mail.messages.first)
        let sentSMS = try #require(sms.messages.first)
        let tokens = [try #require(linkLines(sentMail.text).first),
                      try #require(lfLines(sentSMS.text).first { $0.hasPrefix("https://") })]
            .map { String($0.split(separator: "/").last!) }
        for file in [fixture.store.path, fixture.store.path + "-wal"] {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            for token in tokens {
                #expect(data.range(of: Data(token.utf8)) == nil, "the raw token is in \(file)")
            }
        }
    }

    @Test func temporaryFailureIsRetriedOnlyAfterTheBackOff() throws {
        let fixture = try DeliveryFixture()
        try fixture.member("anna@example.se")
        try fixture.startSignIn("anna@example.se")
        let clock = TestClock(Self.now)
        let mail = FlakyMail(failures: 3)
        let worker = fixture.worker(mail: mail, clock: clock)

        worker.deliverDue()
        #expect(mail.calls == 1)
        var status = try fixture.status()
        #expect(status.state == "pending")
        #expect(status.tries == 1)
        #expect(status.lastError?.contains("421") == true)

        // Each wait is the back-off after that many tries: 2, 4, 8 s; one second short, nothing happens.
        for (tries, delay) in [(1, Int64(2)), (2, 4), (3, 8)] {
            #expect(DeliveryWorker.backOff(afterTries: tries) == delay)
            clock.advance(by: delay - 1)
            worker.deliverDue()
            #expect(mail.calls == tries, "retried before the back-off of \(delay) s")
            clock.advance(by: 1)
            worker.deliverDue()
            #expect(mail.calls == tries + 1, "not retried when the back-off of \(delay) s was over")
        }
        status = try fixture.status()
        #expect(status.state == "sent")
        #expect(status.tries == 4)
        #expect(status.lastError == nil)
        #expect(mail.messages.count == 1)
        clock.advance(by: 3600)
        worker.deliverDue()
        #expect(mail.calls == 4)
    }

    @Test func temporaryFailuresGiveUpAfterTheMaximumTries() throws {
        let fixture = try DeliveryFixture()
        try fixture.member("anna@example.se")
        try fixture.startSignIn("anna@example.se")
        let clock = TestClock(Self.now)
        let mail = FlakyMail(failures: 1000)
        let worker = fixture.worker(mail: mail, clock: clock, maximumTries: 3)
        for _ in 0..<10 {
            worker.deliverDue()
            clock.advance(by: 20)
        }
        #expect(mail.calls == 3)
        let status = try fixture.status()
        #expect(status.state == "failed")
        #expect(status.tries == 3)
        #expect(status.lastError?.contains("421") == true)
    }

    @Test func permanentFailureEndsFailedWithTheError() throws {
        let fixture = try DeliveryFixture()
        try fixture.member("anna@example.se")
        try fixture.startSignIn("anna@example.se")
        let clock = TestClock(Self.now)
        let mail = RejectingMail()
        let worker = fixture.worker(mail: mail, clock: clock)
        #expect(worker.deliverDue() == 1)
        var status = try fixture.status()
        #expect(status.state == "failed")
        #expect(status.tries == 1)
        #expect(status.lastError?.contains("550 5.1.1 mailbox unavailable") == true)
        for _ in 0..<5 {
            clock.advance(by: 700)
            #expect(worker.deliverDue() == 0)
        }
        #expect(mail.calls == 1)
        status = try fixture.status()
        #expect(status.state == "failed")
    }

    /// What reaches the operator's log: one line for the messages of a batch that went out, with
    /// their ids; a line of its own for each message not sent, with the reason; never a link.
    @Test func theLogHasALinePerBatchSentAndPerMessageNotSent() throws {
        let fixture = try DeliveryFixture()
        try fixture.membersSigningIn(3)
        let log = RecordingLog()
        let worker = DeliveryWorker(store: fixture.store, composer: fixture.composer, mail: RecordingMail(), sms: nil,
                                    clock: TestClock(Self.now), logger: log.logger, maximumTries: 12)
        #expect(worker.deliverDue() == 3)
        let ids = try fixture.store.outboxStatuses().map(\.id)
        #expect(ids.count == 3)
        #expect(log.lines == ["info messages sent messages=\(ids.map(String.init).joined(separator: ","))"])

        // The next batch: one sent (a line of its own), one whose attempt expired (dropped).
        try fixture.member("late@example.se")
        try fixture.startSignIn("late@example.se", at: Self.now - 700)
        try fixture.member("on-time@example.se")
        try fixture.startSignIn("on-time@example.se")
        log.clear()
        #expect(worker.deliverDue() == 2)
        let statuses = try fixture.store.outboxStatuses().suffix(2)
        #expect(statuses.map(\.state) == ["dropped", "sent"])
        #expect(log.lines.count == 2)
        #expect(log.lines.first?.hasPrefix("info message not sent: attempt expired") == true)
        #expect(log.lines.first?.contains("message=\(statuses.first!.id)") == true)
        #expect(log.lines.last == "info message sent messages=\(statuses.last!.id)")
        #expect(!log.lines.joined().contains("/_konfident/verify/"))
    }

    @Test func messageIDsAreUniquePerMessageTryAndWorker() throws {
        let fixture = try DeliveryFixture()
        try fixture.membersSigningIn(3)
        let clock = TestClock(Self.now)
        let mail = FlakyMail(failures: 1)
        let worker = fixture.worker(mail: mail, clock: clock)
        worker.deliverDue()
        clock.advance(by: 10)
        worker.deliverDue()
        let ids = mail.messages.map(\.messageID)
        #expect(ids.count == 3)
        #expect(Set(ids).count == 3)
        // The first message failed once: its Message-ID names the second try.
        let statuses = try fixture.store.outboxStatuses()
        let first = try #require(ids.first { $0.hasPrefix("\(statuses[0].id).") })
        #expect(first.split(separator: ".")[2] == "2")
        #expect(ids.allSatisfy { $0.hasSuffix("@acme.localhost") })
        // Another worker (another process) salts its ids differently.
        #expect(fixture.worker(mail: mail, clock: clock).messageIDSalt != worker.messageIDSalt)
    }

    @Test func nothingIsFormattedForTheLogAboveInfo() throws {
        let fixture = try DeliveryFixture()
        try fixture.membersSigningIn(2)
        let log = RecordingLog(level: .warning)
        let worker = DeliveryWorker(store: fixture.store, composer: fixture.composer, mail: RecordingMail(), sms: nil,
                                    clock: TestClock(Self.now), logger: log.logger, maximumTries: 12)
        #expect(worker.deliverDue() == 2)
        #expect(log.lines.isEmpty)
    }

    @Test func claimedButUnfinishedMessageIsSentAgainOnlyAfterTheCrashDelay() throws {
        let fixture = try DeliveryFixture()
        try fixture.member("anna@example.se")
        try fixture.startSignIn("anna@example.se")
        // A worker claimed the message and died before it marked it.
        let claimed = try #require(try fixture.store.claimDueMessage(at: Self.now))
        #expect(claimed.tries == 1)
        #expect(try fixture.states() == ["sending"])

        let clock = TestClock(Self.now)
        let mail = RecordingMail()
        let worker = fixture.worker(mail: mail, clock: clock)
        #expect(worker.deliverDue() == 0)
        clock.advance(by: 119)
        #expect(worker.deliverDue() == 0)
        #expect(mail.messages.isEmpty)
        clock.advance(by: 1)
        #expect(worker.deliverDue() == 1)
        #expect(mail.messages.count == 1)
        let status = try fixture.status()
        #expect(status.state == "sent")
        #expect(status.tries == 2)
        clock.advance(by: 1000)
        #expect(worker.deliverDue() == 0)
        #expect(mail.messages.count == 1)
    }

    @Test func expiredAttemptIsDroppedNotSent() throws {
        let fixture = try DeliveryFixture()
        try fixture.member("anna@example.se")
        try fixture.startSignIn("anna@example.se")
        let clock = TestClock(Self.now + 600)
        let mail = RecordingMail()
        let worker = fixture.worker(mail: mail, clock: clock)
        #expect(worker.deliverDue() == 1)
        #expect(mail.messages.isEmpty)
        #expect(try fixture.states() == ["dropped"])
    }

    @Test func supersededAttemptsMailIsDroppedAndOnlyTheNewestSent() throws {
        let fixture = try DeliveryFixture()
        try fixture.member("anna@example.se")
        try fixture.startSignIn("anna@example.se")
        let newest = try fixture.startSignIn("anna@example.se", at: Self.now + 1)
        let clock = TestClock(Self.now + 2)
        let mail = RecordingMail()
        let worker = fixture.worker(mail: mail, clock: clock)
        #expect(worker.deliverDue() == 2)
        #expect(try fixture.states() == ["dropped", "sent"])
        #expect(mail.messages.count == 1)
        let sent = try #require(mail.messages.first)
        let link = try #require(linkLines(sent.text).first)
        let found = try fixture.store.attempt(link: try #require(SplitToken(parsing: String(link.split(separator: "/").last!))),
                                              workspaceID: fixture.workspace.id)
        #expect(found?.0.id == newest.id)
    }

    @Test func twoFactorSendsMailAndSMS() throws {
        let fixture = try DeliveryFixture()
        try fixture.member("carl@example.se", method: .twoFactor, phone: "+46701234567")
        try fixture.startSignIn("carl@example.se")
        let clock = TestClock(Self.now)
        let mail = RecordingMail()
        let sms = RecordingSMS()
        let worker = fixture.worker(mail: mail, sms: sms, clock: clock)
        #expect(worker.deliverDue() == 2)
        #expect(try fixture.states() == ["sent", "sent"])
        #expect(mail.messages.map(\.to) == ["carl@example.se"])
        #expect(sms.messages.map(\.to) == ["+46701234567"])
        #expect(lfLines(sms.messages.first?.text ?? "").last?.hasPrefix("@acme.localhost #") == true)
    }

    @Test func smsWithoutAnSMSTransportFailsForGood() throws {
        let fixture = try DeliveryFixture()
        try fixture.member("carl@example.se", method: .twoFactor, phone: "+46701234567")
        try fixture.startSignIn("carl@example.se")
        let clock = TestClock(Self.now)
        let mail = RecordingMail()
        let worker = fixture.worker(mail: mail, sms: nil, clock: clock)
        worker.deliverDue()
        let statuses = try fixture.store.outboxStatuses()
        #expect(statuses.map(\.state) == ["sent", "failed"])
        #expect(statuses.last?.lastError?.contains("SMS") == true)
        clock.advance(by: 3600)
        #expect(worker.deliverDue() == 0)
    }

    /// `serve` runs a worker and cron may run `konfident deliver --once` on the same database:
    /// each message goes out once.
    @Test func twoWorkersOnTheSameDatabaseSendEachMessageOnce() throws {
        let fixture = try DeliveryFixture()
        let count = 30
        try fixture.membersSigningIn(count)
        let otherStore = try Store(path: fixture.store.path)
        let clock = TestClock(Self.now)
        let mail = RecordingMail()
        let workers = [fixture.worker(mail: mail, clock: clock), fixture.worker(mail: mail, clock: clock, store: otherStore)]
        let handled = Mutex2<[Int]>([0, 0])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let count = workers[index].deliverDue()
            handled.withLock { $0[index] = count }
        }
        #expect(handled.withLock { $0.reduce(0, +) } == count)
        #expect(mail.messages.count == count)
        #expect(Set(mail.messages.map(\.to)).count == count)
        #expect(try fixture.states() == Array(repeating: "sent", count: count))
    }

    /// A batch that runs past its time budget hands back what it did not start: those messages
    /// are taken again at once, with no try counted and none sent twice.
    @Test func aSlowBatchHandsBackWhatItDidNotStart() throws {
        let fixture = try DeliveryFixture()
        let count = DeliveryWorker.batchSize + 2
        try fixture.membersSigningIn(count)
        let clock = TestClock(Self.now)
        let mail = SlowMail(clock: clock, firstTakes: DeliveryWorker.batchTimeBudget + 1)
        let worker = fixture.worker(mail: mail, clock: clock)
        #expect(worker.deliverDue() == count)
        #expect(mail.recipients.count == count)
        #expect(Set(mail.recipients).count == count)
        let statuses = try fixture.store.outboxStatuses()
        #expect(statuses.allSatisfy { $0.state == "sent" && $0.tries == 1 })
    }

    /// A worker told to stop finishes the message in hand and hands the rest of its batch back,
    /// due at once and with no try counted, instead of leaving it claimed for the crash delay.
    @Test func aStoppingWorkerHandsBackTheRestOfItsBatch() throws {
        let fixture = try DeliveryFixture()
        let count = DeliveryWorker.batchSize + 2
        try fixture.membersSigningIn(count)
        let clock = TestClock(Self.now)
        let mail = StoppingMail()
        let worker = fixture.worker(mail: mail, clock: clock)
        mail.worker = worker
        #expect(worker.deliverDue() == 1)
        let statuses = try fixture.store.outboxStatuses()
        #expect(statuses.filter { $0.state == "sent" }.count == 1)
        #expect(statuses.filter { $0.state == "pending" && $0.tries == 0 }.count == count - 1)
        #expect(try fixture.store.claimDueMessages(at: Self.now, limit: count).count == count - 1)
    }

    @Test(.timeLimit(.minutes(1)))
    func startedWorkerDeliversWhenWokenAndStops() throws {
        let fixture = try DeliveryFixture()
        try fixture.member("anna@example.se")
        let clock = TestClock(Self.now)
        let mail = RecordingMail()
        let worker = fixture.worker(mail: mail, clock: clock)
        worker.start()
        try fixture.startSignIn("anna@example.se")
        worker.wake()
        let deadline = Date().addingTimeInterval(10)
        while mail.messages.isEmpty && Date() < deadline { usleep(20_000) }
        worker.stop()
        #expect(mail.messages.count == 1)
        #expect(try fixture.states() == ["sent"])
    }

    /// With the clock standing still (so no checkpoint a second after the first), a WAL grown by
    /// 4000 frames is still checkpointed: the hot writer asks the worker (`Store.whenWALGrows`).
    /// Strangers' sign-ins write two or three frames each and queue no mail; 2500 of them stay
    /// below the 10 000 frames at which a commit checkpoints itself.
    @Test(.timeLimit(.minutes(1)))
    func aGrownWALIsCheckpointedByTheWorker() throws {
        let fixture = try DeliveryFixture()
        let worker = fixture.worker(mail: RecordingMail(), clock: TestClock(Self.now))
        let path = fixture.store.path
        worker.start()
        usleep(200_000)  // its first look, and the checkpoint of its first second
        let before = fileSize(path)
        for index in 0..<2_500 {
            try fixture.startSignIn("stranger-\(index)@example.se")
        }
        let deadline = Date().addingTimeInterval(10)
        while fileSize(path) == before && Date() < deadline { usleep(20_000) }
        worker.stop()
        #expect(fileSize(path) > before, "nothing was copied from the WAL into the database")
    }
}

/// A value behind a lock, for the concurrent test.
final class Mutex2<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}

/// Records; the first message takes `firstTakes` seconds of the test clock, the others none.
final class SlowMail: MailTransport, @unchecked Sendable {
    private let lock = NSLock()
    private let clock: TestClock
    private let firstTakes: Int64
    private var sent: [String] = []

    init(clock: TestClock, firstTakes: Int64) {
        self.clock = clock
        self.firstTakes = firstTakes
    }

    var recipients: [String] { lock.withLock { sent } }

    func send(_ message: MailMessage) throws {
        if recipients.isEmpty { clock.advance(by: firstTakes) }
        lock.withLock { sent.append(message.to) }
    }
}

/// Records, and stops its worker while it sends the first message.
final class StoppingMail: MailTransport, @unchecked Sendable {
    nonisolated(unsafe) weak var worker: DeliveryWorker?
    private let lock = NSLock()
    private var sent: [String] = []

    func send(_ message: MailMessage) throws {
        worker?.stop()
        lock.withLock { sent.append(message.to) }
    }
}

/// A log that keeps its lines as "LEVEL MESSAGE key=value …" (metadata sorted by key).
final class RecordingLog: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [String] = []
    let level: Logger.Level

    init(level: Logger.Level = .info) {
        self.level = level
    }

    var lines: [String] { lock.withLock { recorded } }
    func clear() { lock.withLock { recorded = [] } }

    var logger: Logger {
        Logger(label: "konfident.delivery.test") { _ in Handler(log: self, logLevel: self.level) }
    }

    struct Handler: LogHandler {
        let log: RecordingLog
        var logLevel: Logger.Level
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let pairs = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            let line = (["\(event.level) \(event.message)"] + pairs).joined(separator: " ")
            log.lock.withLock { log.recorded.append(line) }
        }
    }
}
