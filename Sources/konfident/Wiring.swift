import Delivery
import Foundation
import KonfidentCore
import KonfidentStore
import KonfidentWeb
import Logging

/// Builds the running parts from a configuration: the one builder for `serve`, CGI mode and the tools.
struct Wiring {
    let configuration: Configuration
    let store: Store
    let key: ServerKey
    let logger: Logger

    /// `connections`: `.single` for a process that answers one request or runs one command.
    init(_ configuration: Configuration, connections: Store.Connections = .pool) throws {
        self.configuration = configuration
        LoggingSetup.bootstrap(level: configuration.logLevel)
        var logger = Logger(label: "konfident")
        logger.logLevel = configuration.logLevel
        self.logger = logger
        guard FileManager.default.fileExists(atPath: configuration.databasePath) else {
            throw ConfigurationError(description: "KONFIDENT_DATABASE: \(configuration.databasePath) does not exist; run `konfident migrate` first")
        }
        store = try Store(path: configuration.databasePath, connections: connections)
        try store.checkSchema()
        key = try SecretFile.load(from: configuration.secretFilePath)
    }

    func application(messageQueued: @escaping @Sendable () -> Void = {}) -> Application {
        Application(store: store, key: key, settings: configuration.settings, logger: logger, messageQueued: messageQueued)
    }

    /// Loads libcurl now, on the main thread before any other starts (`Curl`); a missing one is
    /// logged, since only SMTP, the SMS gateway and BankID need it.
    func loadCurl() {
        if let problem = Curl.load() {
            logger.warning("\(problem): mail over SMTP, the SMS gateway and BankID fail until it is installed")
        }
    }

    func deliveryWorker() throws -> DeliveryWorker {
        DeliveryWorker(store: store, composer: MessageComposer(key: key, mailFrom: configuration.mailFrom),
                       mail: try configuration.mailTransport(), sms: try configuration.smsTransport(), logger: logger,
                       retention: configuration.retention)
    }
}

enum LoggingSetup {
    nonisolated(unsafe) private static var done = false

    /// Log lines go to standard error: the service manager's journal, or nginx's error log under CGI.
    static func bootstrap(level: Logger.Level) {
        guard !done else { return }
        done = true
        // Every log line carries a local time; without TZ, glibc looks at /etc/localtime again
        // (a stat) for each one, a system call per message the worker sends. Named explicitly it
        // is read once: a changed zone shows after a restart.
        if getenv("TZ") == nil { setenv("TZ", ":/etc/localtime", 1) }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

/// Prints one clear line on standard error and exits non-zero: how every command reports bad input.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("konfident: \(message)\n".utf8))
    exit(1)
}
