import Foundation
import Testing

/// The operator's command line (DESIGN §3–4): bad input stops with one clear line and writes nothing.
@Suite(.serialized)
struct OperatorTests {
    @Test func memberAddRefusesBadValuesWithOneLineAndWritesNothing() throws {
        let stack = try Stack(.init(startSMTP: false))
        defer { stack.stop() }
        let count = { try stack.sql("SELECT count(*) FROM member") }
        #expect(try count() == "1")
        let base = ["member", "add", "acme"]
        let cases: [(arguments: [String], names: String, says: String?)] = [
            (["--method", "email", "--role", "general", "--email", "not-an-address"], "--email", nil),
            (["--method", "email", "--role", "general", "--email", "eve@@acme.example"], "--email", nil),
            (["--method", "2fa", "--role", "general", "--email", "eve@acme.example", "--phone", "0701234567"], "--phone", "country code"),
            (["--method", "2fa", "--role", "general", "--email", "eve@acme.example", "--phone", "+46 70 12"], "--phone", nil),
            (["--method", "bankid", "--role", "general", "--email", "eve@acme.example", "--personnummer", "199908072392"], "--personnummer", nil),
            (["--method", "bankid", "--role", "general", "--email", "eve@acme.example", "--personnummer", "19991307-2391"], "--personnummer", nil),
            (["--method", "sms", "--role", "general", "--email", "eve@acme.example"], "--method", nil),
            (["--method", "email", "--role", "boss", "--email", "eve@acme.example"], "--role", nil),
            (["--method", "2fa", "--role", "general", "--email", "eve@acme.example"], "--method", nil), // 2fa without a phone
        ]
        for (arguments, option, says) in cases {
            let result = try stack.konfident(base + arguments)
            let description = (base + arguments).joined(separator: " ")
            #expect(result.status != 0, "\(description) succeeded")
            let errorLines = lines(result.error)
            #expect(errorLines.count == 1, "\(description): stderr was \(result.error)")
            #expect(errorLines.first?.contains(option) == true, "\(description): \(result.error)")
            if let says {
                #expect(result.error.contains(says), "\(description): \(result.error)")
            }
            #expect(result.output.isEmpty)
            #expect(try count() == "1", "\(description) wrote a member")
        }

        // Nothing was written: the same address can be added now, once.
        let added = try stack.konfident(base + ["--method", "email", "--role", "general", "--email", "eve@acme.example"])
        #expect(added.status == 0, "\(added.error)")
        #expect(added.output.contains("eve@acme.example"))
        #expect(try count() == "2")
        let again = try stack.konfident(base + ["--method", "email", "--role", "limited", "--email", "Eve@ACME.example"])
        #expect(again.status != 0)
        #expect(lines(again.error).count == 1, "stderr was \(again.error)")
        #expect(again.error.contains("already exists"))
        #expect(try count() == "2")

        // The members added do sign in.
        let eve = Browser(stack)
        #expect(try eve.pressNext("eve@acme.example").status == 303)
        #expect(try stack.sql("SELECT count(*) FROM outbox WHERE recipient = 'eve@acme.example'") == "1")
    }

    @Test func memberAddOfAnExistingEmailIsAnError() throws {
        let stack = try Stack(.init(startSMTP: false))
        defer { stack.stop() }
        for address in ["admin@acme.example", "ADMIN@Acme.Example"] {
            let result = try stack.konfident(["member", "add", "acme", "--method", "email", "--role", "general", "--email", address])
            #expect(result.status != 0, "\(address) added twice")
            #expect(lines(result.error).count == 1, "stderr was \(result.error)")
            #expect(result.error.contains("already exists"))
        }
        let unknown = try stack.konfident(["member", "add", "nope", "--method", "email", "--role", "general", "--email", "x@acme.example"])
        #expect(unknown.status != 0)
        #expect(lines(unknown.error).count == 1)
        #expect(unknown.error.contains("nope"))
        #expect(try stack.sql("SELECT count(*) FROM member") == "1")
        #expect(try stack.sql("SELECT role FROM member") == "administrator")
    }

    @Test(arguments: [
        ("KONFIDENT_LINK_TTL", "10x"),
        ("KONFIDENT_RATE_LIMITS", "bogus"),
        ("KONFIDENT_MAIL", "ftp://x"),
        ("KONFIDENT_SMS", "http://sms.example.com/a1/sms"),
        ("KONFIDENT_SMS", "http://127.0.0.1.example.com/a1/sms"),
        ("KONFIDENT_SESSION_IDLE", "-5m"),
        ("KONFIDENT_BANKID", "http://appapi2.test.bankid.com/rp/v6.0/"),
        ("KONFIDENT_BANKID", "https://appapi2.test.bankid.com/rp/v5.1/"),
        ("KONFIDENT_RETENTION", "2h"),
        ("KONFIDENT_RETENTION", "forever"),
        ("KONFIDENT_AUDIT_RETENTION", "12h"),
        ("KONFIDENT_AUDIT_RETENTION", "never"),
    ])
    func serveRefusesABadSettingWithOneLineNamingIt(_ variable: String, _ value: String) throws {
        let stack = try Stack(.init(startSMTP: false))
        defer { stack.stop() }
        let socket = stack.directory + "/second.sock"
        let result = try stack.konfident(["serve", "--socket", socket], environment: [variable: value], timeout: 10)
        #expect(!result.timedOut, "serve started with \(variable)=\(value)")
        #expect(result.status != 0)
        let errorLines = lines(result.error)
        #expect(errorLines.count == 1, "stderr was \(result.error)")
        #expect(errorLines.first?.contains(variable) == true, "\(result.error)")
        #expect(errorLines.first?.contains(value) == true, "the line shows the bad value: \(result.error)")
        #expect(!FileManager.default.fileExists(atPath: socket))
        // The running server is untouched.
        #expect(try Browser(stack).get("/").status == 200)
    }

    @Test func bankIDWithoutItsCertificatesIsRefusedWithOneLine() throws {
        let stack = try Stack(.init(startSMTP: false))
        defer { stack.stop() }
        let socket = stack.directory + "/second.sock"
        for (environment, expected) in [
            (["KONFIDENT_BANKID": "simulator"], "KONFIDENT_BANKID_CERT: BankID needs the client certificate"),
            (["KONFIDENT_BANKID": "https://appapi2.test.bankid.com/rp/v6.0/", "KONFIDENT_BANKID_CERT": "/nonexistent/rp.pem"],
             "KONFIDENT_BANKID_CERT: cannot read /nonexistent/rp.pem"),
            (["KONFIDENT_BANKID": "simulator", "KONFIDENT_BANKID_SIMULATOR": "https://localhost:8444/"],
             "KONFIDENT_BANKID_SIMULATOR: expected"),
        ] {
            let result = try stack.konfident(["serve", "--socket", socket], environment: environment, timeout: 10)
            #expect(!result.timedOut)
            #expect(result.status != 0)
            #expect(lines(result.error).count == 1, "stderr was \(result.error)")
            #expect(result.error.contains(expected), "\(result.error)")
            #expect(!FileManager.default.fileExists(atPath: socket))
        }
    }

    @Test func aDatabaseFromANewerVersionIsRefused() throws {
        let stack = try Stack(.init(startSMTP: false))
        defer { stack.stop() }
        _ = try stack.sql("INSERT INTO grdb_migrations VALUES ('v999 future')")
        #expect(try stack.sql("SELECT count(*) FROM grdb_migrations WHERE identifier = 'v999 future'") == "1")

        let socket = stack.directory + "/second.sock"
        let serve = try stack.konfident(["serve", "--socket", socket], environment: [:], timeout: 10)
        #expect(!serve.timedOut, "serve started on a database from the future")
        #expect(serve.status != 0)
        #expect(lines(serve.error).count == 1, "stderr was \(serve.error)")
        #expect(serve.error.contains("newer version"), "\(serve.error)")
        #expect(serve.error.contains(stack.database))
        #expect(!FileManager.default.fileExists(atPath: socket))

        let migrate = try stack.konfident(["migrate"], environment: [:], timeout: 10)
        #expect(migrate.status != 0)
        #expect(lines(migrate.error).count == 1, "stderr was \(migrate.error)")
        #expect(migrate.error.contains("newer version"), "\(migrate.error)")
        // migrate did not touch the future's bookkeeping.
        #expect(try stack.sql("SELECT count(*) FROM grdb_migrations WHERE identifier = 'v999 future'") == "1")

        let add = try stack.konfident(["member", "add", "acme", "--method", "email", "--role", "general", "--email", "x@acme.example"])
        #expect(add.status != 0)
        #expect(add.error.contains("newer version"))
        #expect(try stack.sql("SELECT count(*) FROM member") == "1")
    }

    @Test func serveRefusesASocketALiveServerUses() throws {
        let stack = try Stack(.init(startSMTP: false))
        defer { stack.stop() }
        let result = try stack.konfident(["serve", "--socket", stack.socket], environment: [:], timeout: 10)
        #expect(!result.timedOut, "a second serve started on the same socket")
        #expect(result.status != 0)
        #expect(lines(result.error).count == 1, "stderr was \(result.error)")
        #expect(result.error.contains(stack.socket))
        #expect(result.error.contains("another server is listening"), "\(result.error)")
        // The live server still owns the socket and answers.
        #expect(FileManager.default.fileExists(atPath: stack.socket))
        #expect(stack.serve?.isRunning == true)
        let page = try Browser(stack).get("/")
        #expect(page.status == 200)
        #expect(page.body.contains("Log in to Acme"))
    }

    @Test func serveReplacesTheSocketFileOfACrashedServer() throws {
        let stack = try Stack(.init(startSMTP: false))
        defer { stack.stop() }
        let socket = stack.directory + "/stale.sock"
        // A socket file nobody listens on, as a killed server leaves it.
        _ = try Stack.capture("/usr/bin/python3", ["-c", "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])", socket])
        #expect(FileManager.default.fileExists(atPath: socket))
        let result = try stack.konfident(["serve", "--socket", socket, "--threads", "1"], environment: [:], timeout: 2)
        #expect(result.timedOut, "serve should have started and run until stopped: \(result.error)")
        #expect(result.status == 0, "serve stopped by SIGTERM exits 0: \(result.error)")
        #expect(result.error.contains("serving"), "\(result.error)")
        #expect(!result.error.contains("another server"))
    }
}
