import Foundation
import Testing
@testable import BankID
import TestSupport

struct SimulatedOrdersTests {
    let t0 = Date(timeIntervalSince1970: 1_750_000_000)
    let member = "199908072391"
    let stranger = "201801012392"

    func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }

    func started(_ personalNumber: String? = nil, seed: UInt64 = 7,
                 sim: inout SimulatedOrders) throws -> AuthResponse {
        var random = SplitMix64(seed: seed)
        return try sim.auth(.forPerson(personalNumber, endUserIp: "192.0.2.10"), now: t0, random: &random).get()
    }

    func qr(_ auth: AuthResponse, _ seconds: Int) -> String {
        AnimatedQR.payload(startToken: auth.qrStartToken, startSecret: auth.qrStartSecret, seconds: seconds)
    }

    // MARK: auth

    @Test func authMakesDistinctUUIDTokensFromTheGenerator() throws {
        var sim = SimulatedOrders()
        let auth = try started(sim: &sim)
        let tokens = [auth.orderRef, auth.autoStartToken, auth.qrStartToken, auth.qrStartSecret]
        #expect(Set(tokens).count == 4)
        for token in tokens {
            #expect(token.count == 36)
            #expect(token.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
            #expect(Array(token)[14] == "4")  // version 4
        }
        // Same seed, same tokens: nothing random that was not passed in.
        var again = SimulatedOrders()
        #expect(try started(sim: &again) == auth)
    }

    @Test(arguments: ["", "1.2.3", "256.1.1.1", "01.2.3.4", "a.b.c.d", "1.2.3.4 ", "::g", "1:2:3:4:5:6:7:8:9", "1::2::3"])
    func authRefusesBadEndUserIp(ip: String) {
        var sim = SimulatedOrders()
        var random = SplitMix64(seed: 1)
        #expect(sim.auth(AuthRequest(endUserIp: ip), now: t0, random: &random)
            == .failure(RPError(.invalidParameters, details: "Invalid endUserIp")))
        #expect(sim.orders.isEmpty)
    }

    @Test(arguments: ["192.0.2.1", "0.0.0.0", "255.255.255.255", "::1", "2001:db8::7", "::ffff:192.0.2.1",
                      "fe80:0:0:0:0:0:0:1", "1:2:3:4:5:6:7::"])
    func authAcceptsIPs(ip: String) {
        var sim = SimulatedOrders()
        var random = SplitMix64(seed: 1)
        #expect((try? sim.auth(AuthRequest(endUserIp: ip), now: t0, random: &random).get()) != nil)
    }

    @Test(arguments: ["19990807239", "199908072392", "19990807239x", "9908072391", "1999-0807-2391"])
    func authRefusesBadPersonalNumber(pno: String) {
        var sim = SimulatedOrders()
        var random = SplitMix64(seed: 1)
        #expect(sim.auth(.forPerson(pno, endUserIp: "192.0.2.1"), now: t0, random: &random)
            == .failure(RPError(.invalidParameters, details: "Incorrect personalNumber")))
    }

    @Test func personalNumberCheck() {
        #expect(SimulatedOrders.isPersonalNumber("199908072391"))
        #expect(SimulatedOrders.isPersonalNumber("201801012392"))
        #expect(SimulatedOrders.isPersonalNumber("196801642395"))  // samordningsnummer
        #expect(!SimulatedOrders.isPersonalNumber("199908072390"))
        #expect(!SimulatedOrders.isPersonalNumber("١٩٩٩٠٨٠٧٢٣٩١"))
    }

    @Test func authValidatesVisibleData() {
        var sim = SimulatedOrders()
        var random = SplitMix64(seed: 1)
        var request = AuthRequest(endUserIp: "192.0.2.1", userVisibleData: "not base64!")
        #expect(sim.auth(request, now: t0, random: &random)
            == .failure(RPError(.invalidParameters, details: "Invalid userVisibleData")))
        request.userVisibleData = AuthRequest.visibleData(String(repeating: "x", count: 1200))  // 1600 chars
        #expect(sim.auth(request, now: t0, random: &random)
            == .failure(RPError(.invalidParameters, details: "Invalid userVisibleData")))
        request.userVisibleData = AuthRequest.visibleData("Logga in på Acme")
        request.userVisibleDataFormat = "html"
        #expect(sim.auth(request, now: t0, random: &random)
            == .failure(RPError(.invalidParameters, details: "Invalid userVisibleDataFormat")))
        request.userVisibleDataFormat = "simpleMarkdownV1"
        guard case .success(let auth) = sim.auth(request, now: t0, random: &random) else {
            Issue.record("valid request refused"); return
        }
        #expect(sim.orders[auth.orderRef]?.userVisibleText == "Logga in på Acme")
    }

    // MARK: the happy path

    @Test func qrOpenApproveComplete() throws {
        var sim = SimulatedOrders()
        let auth = try started(member, sim: &sim)
        #expect(sim.collect(orderRef: auth.orderRef, now: at(1)) == .success(.pending(auth.orderRef, .outstandingTransaction)))
        #expect(sim.openByQR(qr(auth, 4), now: at(4.6)) == .success(auth.orderRef))
        #expect(sim.collect(orderRef: auth.orderRef, now: at(6)) == .success(.pending(auth.orderRef, .userSign)))
        let data = try sim.approve(orderRef: auth.orderRef, personalNumber: member, now: at(8)).get()
        #expect(data.user.personalNumber == member)
        #expect(data.user.name == "\(data.user.givenName) \(data.user.surname)" && !data.user.givenName.isEmpty)
        #expect(data.device.ipAddress == "192.0.2.10")
        let answer = try sim.collect(orderRef: auth.orderRef, now: at(9)).get()
        #expect(answer == .complete(auth.orderRef, data))
        #expect(answer.isConsistent)
        #expect(UserMessage.forCollect(answer, startMethod: .qrCode) == nil)
        let signature = String(decoding: Data(base64Encoded: data.signature) ?? Data(), as: UTF8.self)
        #expect(signature.contains("<personalNumber>\(member)</personalNumber>"))
        // Collected once; again is invalidParameters.
        #expect(sim.collect(orderRef: auth.orderRef, now: at(10))
            == .failure(RPError(.invalidParameters, details: "Order already collected")))
    }

    @Test func autostartOpensToo() throws {
        var sim = SimulatedOrders()
        let auth = try started(sim: &sim)
        #expect(sim.openByAutostartToken("nope", now: at(1)) == .failure(.unknownOrder))
        #expect(sim.openByAutostartToken(auth.autoStartToken, now: at(1)) == .success(auth.orderRef))
        #expect(sim.openByAutostartToken(auth.autoStartToken, now: at(2)) == .failure(.alreadyOpened))
        #expect(sim.orders[auth.orderRef]?.phase == .opened(.autostart))
        #expect(sim.collect(orderRef: auth.orderRef, now: at(2)) == .success(.pending(auth.orderRef, .userSign)))
        // Without a requirement anybody may approve.
        let data = try sim.approve(orderRef: auth.orderRef, personalNumber: stranger, givenName: "Gus",
                                   surname: "Grönlund", deviceIp: "198.51.100.4", now: at(3)).get()
        #expect(data.user == CompletionUser(personalNumber: stranger, name: "Gus Grönlund", givenName: "Gus",
                                            surname: "Grönlund"))
        #expect(data.device.ipAddress == "198.51.100.4")
    }

    // MARK: QR verification

    @Test func qrMustVerifyAndBeFresh() throws {
        var sim = SimulatedOrders()
        let auth = try started(sim: &sim)
        #expect(sim.openByQR("bankid.x.1", now: at(1)) == .failure(.malformedQRCode))
        #expect(sim.openByQR("bankid.\(auth.qrStartToken).-1.\(String(repeating: "0", count: 64))", now: at(1))
            == .failure(.malformedQRCode))
        #expect(sim.openByQR("qrcode.\(auth.qrStartToken).1.\(String(repeating: "0", count: 64))", now: at(1))
            == .failure(.malformedQRCode))
        #expect(sim.openByQR(AnimatedQR.payload(startToken: "other", startSecret: auth.qrStartSecret, seconds: 1),
                             now: at(1)) == .failure(.unknownOrder))
        // Signed with the wrong secret, or a digit changed: forged.
        #expect(sim.openByQR(AnimatedQR.payload(startToken: auth.qrStartToken, startSecret: "guess", seconds: 1),
                             now: at(1)) == .failure(.qrCodeForged))
        var tampered = Array(qr(auth, 1))
        tampered[tampered.count - 1] = tampered.last == "0" ? "1" : "0"
        #expect(sim.openByQR(String(tampered), now: at(1)) == .failure(.qrCodeForged))
        // A photo 11 s old, or a code from the future: stale.
        #expect(sim.openByQR(qr(auth, 1), now: at(12.5)) == .failure(.qrCodeStale))
        #expect(sim.openByQR(qr(auth, 20), now: at(12.5)) == .failure(.qrCodeStale))
        #expect(sim.orders[auth.orderRef]?.phase == .waitingForApp)
        #expect(sim.openByQR(qr(auth, 3), now: at(12.5)) == .success(auth.orderRef))
        #expect(sim.openByQR(qr(auth, 12), now: at(12.5)) == .failure(.alreadyOpened))
    }

    // MARK: failures

    @Test func userCancel() throws {
        var sim = SimulatedOrders()
        let auth = try started(sim: &sim)
        _ = sim.openByQR(qr(auth, 0), now: at(0.5))
        #expect(sim.cancelByUser(orderRef: auth.orderRef, now: at(2)) == .success(auth.orderRef))
        #expect(sim.cancelByUser(orderRef: auth.orderRef, now: at(2)) == .failure(.orderNotPending))
        #expect(sim.approve(orderRef: auth.orderRef, personalNumber: member, now: at(3)) == .failure(.orderNotPending))
        let answer = try sim.collect(orderRef: auth.orderRef, now: at(3)).get()
        #expect(answer == .failed(auth.orderRef, .userCancel))
        #expect(UserMessage.forCollect(answer, startMethod: .qrCode) == .rfa6)
    }

    @Test func approveNeedsAnOpenedOrderAndAPersonnummer() throws {
        var sim = SimulatedOrders()
        let auth = try started(sim: &sim)
        #expect(sim.approve(orderRef: auth.orderRef, personalNumber: member, now: at(1)) == .failure(.notOpened))
        #expect(sim.approve(orderRef: "unknown", personalNumber: member, now: at(1)) == .failure(.unknownOrder))
        _ = sim.openByAutostartToken(auth.autoStartToken, now: at(1))
        #expect(sim.approve(orderRef: auth.orderRef, personalNumber: "12345", now: at(2)) == .failure(.invalidPersonalNumber))
        #expect(sim.orders[auth.orderRef]?.phase == .opened(.autostart))
    }

    @Test func wrongPersonFailsTheOrderWithCertificateErr() throws {
        var sim = SimulatedOrders()
        let auth = try started(member, sim: &sim)
        _ = sim.openByQR(qr(auth, 1), now: at(1))
        #expect(sim.approve(orderRef: auth.orderRef, personalNumber: stranger, now: at(2)) == .failure(.personalNumberMismatch))
        let answer = try sim.collect(orderRef: auth.orderRef, now: at(3)).get()
        #expect(answer == .failed(auth.orderRef, .certificateErr))
        #expect(UserMessage.forCollect(answer, startMethod: .qrCode) == .rfa16)
    }

    @Test func startFailedWhenNoAppOpensWithinTheWindow() throws {
        var sim = SimulatedOrders()
        let auth = try started(sim: &sim)
        #expect(sim.collect(orderRef: auth.orderRef, now: at(29.9)) == .success(.pending(auth.orderRef, .outstandingTransaction)))
        #expect(sim.openByQR(qr(auth, 30), now: at(30)) == .failure(.orderNotPending))
        let answer = try sim.collect(orderRef: auth.orderRef, now: at(31)).get()
        #expect(answer == .failed(auth.orderRef, .startFailed))
        #expect(UserMessage.forCollect(answer, startMethod: .qrCode) == .rfa17B)
        #expect(UserMessage.forCollect(answer, startMethod: .autostart) == .rfa17A)
    }

    @Test func expiredTransactionAfterThreeMinutes() throws {
        var sim = SimulatedOrders()
        let auth = try started(sim: &sim)
        _ = sim.openByQR(qr(auth, 10), now: at(10))
        #expect(sim.collect(orderRef: auth.orderRef, now: at(179)) == .success(.pending(auth.orderRef, .userSign)))
        #expect(sim.approve(orderRef: auth.orderRef, personalNumber: member, now: at(180)) == .failure(.orderNotPending))
        let answer = try sim.collect(orderRef: auth.orderRef, now: at(181)).get()
        #expect(answer == .failed(auth.orderRef, .expiredTransaction))
        #expect(UserMessage.forCollect(answer, startMethod: .qrCode) == .rfa8)
    }

    @Test func finishedOrdersAreForgottenAfterRetention() throws {
        var sim = SimulatedOrders()
        let completed = try started(member, seed: 1, sim: &sim)
        let failed = try started(stranger, seed: 2, sim: &sim)
        _ = sim.openByAutostartToken(completed.autoStartToken, now: at(1))
        _ = try sim.approve(orderRef: completed.orderRef, personalNumber: member, now: at(2)).get()
        _ = sim.cancelByUser(orderRef: failed.orderRef, now: at(2))
        // Complete: 3 minutes; failed: 5 minutes.
        #expect(sim.collect(orderRef: completed.orderRef, now: at(182)) == .failure(SimulatedOrders.noSuchOrder))
        #expect((try? sim.collect(orderRef: failed.orderRef, now: at(182)).get()) == .failed(failed.orderRef, .userCancel))
        #expect(sim.orders[failed.orderRef] != nil)
        _ = sim.pendingOrders(now: at(302))
        #expect(sim.orders.isEmpty)
    }

    // MARK: alreadyInProgress

    @Test func secondOrderForTheSamePersonCancelsBoth() throws {
        var sim = SimulatedOrders()
        let first = try started(member, seed: 1, sim: &sim)
        var random = SplitMix64(seed: 2)
        let second = sim.auth(.forPerson(member, endUserIp: "192.0.2.10"), now: at(5), random: &random)
        #expect(second == .failure(RPError(.alreadyInProgress, details: "Order already in progress for pno")))
        #expect(RPErrorCode.alreadyInProgress.httpStatus == 400)
        #expect(sim.orders.count == 1)
        let answer = try sim.collect(orderRef: first.orderRef, now: at(6)).get()
        #expect(answer == .failed(first.orderRef, .cancelled))
        #expect(UserMessage.forCollect(answer, startMethod: .qrCode) == .rfa3)
        #expect(UserMessage.forError(.alreadyInProgress) == .rfa4)
        // Now that nothing is pending for the person, a new order is accepted.
        var random3 = SplitMix64(seed: 3)
        #expect((try? sim.auth(.forPerson(member, endUserIp: "192.0.2.10"), now: at(7), random: &random3).get()) != nil)
    }

    @Test func ordersWithoutPersonalNumberNeverCollide() throws {
        var sim = SimulatedOrders()
        _ = try started(seed: 1, sim: &sim)
        _ = try started(seed: 2, sim: &sim)
        _ = try started(member, seed: 3, sim: &sim)
        _ = try started(stranger, seed: 4, sim: &sim)
        #expect(sim.pendingOrders(now: at(1)).count == 4)
    }

    // MARK: cancel, unknown orders, injected errors

    @Test func rpCancel() throws {
        var sim = SimulatedOrders()
        let auth = try started(member, sim: &sim)
        #expect(sim.cancel(orderRef: auth.orderRef, now: at(1)) == .success(CancelResponse()))
        #expect(sim.cancel(orderRef: auth.orderRef, now: at(2)) == .failure(SimulatedOrders.noSuchOrder))
        #expect(sim.collect(orderRef: auth.orderRef, now: at(2)) == .failure(SimulatedOrders.noSuchOrder))
        #expect(sim.openByQR(qr(auth, 2), now: at(2)) == .failure(.unknownOrder))
        // The person is free again.
        var random = SplitMix64(seed: 9)
        #expect((try? sim.auth(.forPerson(member, endUserIp: "192.0.2.10"), now: at(3), random: &random).get()) != nil)
    }

    @Test func cancelOfAFinishedOrderIsInvalid() throws {
        var sim = SimulatedOrders()
        let auth = try started(sim: &sim)
        _ = sim.cancelByUser(orderRef: auth.orderRef, now: at(1))
        #expect(sim.cancel(orderRef: auth.orderRef, now: at(2))
            == .failure(RPError(.invalidParameters, details: "Order is not pending")))
    }

    @Test func unknownOrderRef() {
        var sim = SimulatedOrders()
        #expect(sim.collect(orderRef: "131daac9-16c6-4618-beb0-365768f37288", now: t0)
            == .failure(RPError(.invalidParameters, details: "No such order")))
        #expect(sim.cancel(orderRef: "", now: t0) == .failure(RPError(.invalidParameters, details: "No such order")))
        #expect(sim.cancelByUser(orderRef: "x", now: t0) == .failure(.unknownOrder))
    }

    @Test(arguments: [RPErrorCode.maintenance, .internalError, .requestTimeout, .unauthorized, .tooManyRequests])
    func injectedErrorAnswersTheNextCallOnly(code: RPErrorCode) throws {
        var sim = SimulatedOrders()
        let auth = try started(sim: &sim)
        sim.injectError(code)
        #expect(sim.injectedError == code)
        guard case .failure(let error) = sim.collect(orderRef: auth.orderRef, now: at(1)) else {
            Issue.record("the injected error was not answered"); return
        }
        #expect(error.errorCode == code)
        #expect(error.httpStatus == code.httpStatus)
        #expect(sim.injectedError == nil)
        #expect(sim.collect(orderRef: auth.orderRef, now: at(2)) == .success(.pending(auth.orderRef, .outstandingTransaction)))
        // It also hits auth and cancel, without creating or cancelling anything.
        sim.injectError(code)
        var random = SplitMix64(seed: 5)
        #expect((try? sim.auth(.forPerson(nil, endUserIp: "192.0.2.1"), now: at(3), random: &random).get()) == nil)
        #expect(sim.orders.count == 1)
        sim.injectError(code)
        #expect((try? sim.cancel(orderRef: auth.orderRef, now: at(3)).get()) == nil)
        #expect(sim.orders[auth.orderRef]?.isPending == true)
    }

    @Test func maintenanceIs503AndRFA5() {
        var sim = SimulatedOrders()
        sim.injectError(.maintenance)
        var random = SplitMix64(seed: 1)
        let result = sim.auth(.forPerson(nil, endUserIp: "192.0.2.1"), now: t0, random: &random)
        guard case .failure(let error) = result else { Issue.record("no error"); return }
        #expect(error.httpStatus == 503)
        #expect(UserMessage.text(for: error, language: .en) == "Internal error. Please try again.")
        #expect(String(decoding: RPJSON.encode(error), as: UTF8.self)
            == #"{"details":"Service in maintenance","errorCode":"maintenance"}"#)
    }

    /// Seeded random walks over all the actions: the state machine never crashes, every collect answer
    /// is consistent and a pending order's hint follows its phase.
    @Test(arguments: [11, 12, 13] as [UInt64])
    func randomWalk(seed: UInt64) {
        var sim = SimulatedOrders()
        var random = SplitMix64(seed: seed)
        var refs: [String] = []
        var auths: [String: AuthResponse] = [:]
        var clock: TimeInterval = 0
        let people = ["199908072391", "201801012392", "196801642395"]
        for _ in 0..<600 {
            clock += Double(Int.random(in: 0...6, using: &random))
            let now = at(clock)
            let ref = refs.isEmpty ? "none" : refs[Int.random(in: 0..<refs.count, using: &random)]
            switch Int.random(in: 0..<8, using: &random) {
            case 0:
                let pno = Bool.random(using: &random) ? people[Int.random(in: 0..<3, using: &random)] : nil
                if case .success(let auth) = sim.auth(.forPerson(pno, endUserIp: "192.0.2.1"), now: now, random: &random) {
                    refs.append(auth.orderRef)
                    auths[auth.orderRef] = auth
                }
            case 1:
                if case .success(let answer) = sim.collect(orderRef: ref, now: now) {
                    #expect(answer.isConsistent)
                    #expect(answer.orderRef == ref)
                }
            case 2: _ = sim.cancel(orderRef: ref, now: now)
            case 3:
                if let auth = auths[ref], let order = sim.orders[ref] {
                    let age = Int(now.timeIntervalSince(order.created))
                    _ = sim.openByQR(qr(auth, max(0, age - Int.random(in: 0...3, using: &random))), now: now)
                }
            case 4: if let auth = auths[ref] { _ = sim.openByAutostartToken(auth.autoStartToken, now: now) }
            case 5: _ = sim.approve(orderRef: ref, personalNumber: people[Int.random(in: 0..<3, using: &random)], now: now)
            case 6: _ = sim.cancelByUser(orderRef: ref, now: now)
            default: if Int.random(in: 0..<10, using: &random) == 0 { sim.injectError(.maintenance) }
            }
            // At most one pending order per required personal number.
            let pending = sim.pendingOrders(now: now).compactMap(\.requiredPersonalNumber)
            #expect(Set(pending).count == pending.count)
        }
    }
}
