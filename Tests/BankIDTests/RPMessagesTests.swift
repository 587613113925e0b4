import Foundation
import Testing
@testable import BankID
import TestSupport

struct RPMessagesTests {
    private func json(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    // MARK: encoding

    @Test func authRequestIsCompactWithV6FieldNames() {
        let request = AuthRequest.forPerson("199908072391", endUserIp: "192.0.2.7", text: "Logga in på Acme")
        #expect(json(RPJSON.encode(request))
            == #"{"endUserIp":"192.0.2.7","requirement":{"personalNumber":"199908072391"},"userVisibleData":"TG9nZ2EgaW4gcMOlIEFjbWU="}"#)
    }

    @Test func authRequestLeavesOutWhatIsNotSet() {
        #expect(json(RPJSON.encode(AuthRequest(endUserIp: "2001:db8::1"))) == #"{"endUserIp":"2001:db8::1"}"#)
        let withReturn = AuthRequest(endUserIp: "10.0.0.1", returnUrl: "https://acme.example/bankid?x=1")
        #expect(json(RPJSON.encode(withReturn))
            == #"{"endUserIp":"10.0.0.1","returnUrl":"https://acme.example/bankid?x=1"}"#)
        #expect(!json(RPJSON.encode(AuthRequest.forPerson(nil, endUserIp: "10.0.0.1"))).contains("requirement"))
    }

    @Test func collectAndCancelRequests() {
        #expect(json(RPJSON.encode(CollectRequest(orderRef: "131daac9-16c6-4618-beb0-365768f37288")))
            == #"{"orderRef":"131daac9-16c6-4618-beb0-365768f37288"}"#)
        #expect(json(RPJSON.encode(CancelRequest(orderRef: "a"))) == #"{"orderRef":"a"}"#)
        #expect(json(RPJSON.encode(CancelResponse())) == "{}")
    }

    @Test func errorEncodesCodeAsString() {
        #expect(json(RPJSON.encode(RPError(.maintenance, details: "Service in maintenance")))
            == #"{"details":"Service in maintenance","errorCode":"maintenance"}"#)
        #expect(json(RPJSON.encode(RPError(.unknown("newCode"), details: "")))
            == #"{"details":"","errorCode":"newCode"}"#)
    }

    // MARK: decoding real-shaped answers

    @Test func decodesAuthResponse() throws {
        let body = #"{"orderRef":"131daac9-16c6-4618-beb0-365768f37288","autoStartToken":"7c40b5c9-fa74-49cf-b98c-bfe651f9a7c6","qrStartToken":"67df3917-fa0d-44e5-b327-edcc928297f8","qrStartSecret":"d28db9a7-4cde-429e-a983-359be676944c"}"#
        let response = try RPJSON.decode(AuthResponse.self, from: body)
        #expect(response.orderRef == "131daac9-16c6-4618-beb0-365768f37288")
        #expect(response.autoStartToken == "7c40b5c9-fa74-49cf-b98c-bfe651f9a7c6")
        #expect(response.qrStartToken == "67df3917-fa0d-44e5-b327-edcc928297f8")
        #expect(response.qrStartSecret == "d28db9a7-4cde-429e-a983-359be676944c")
    }

    @Test func decodesCompleteCollect() throws {
        let body = """
        {"orderRef":"131daac9-16c6-4618-beb0-365768f37288","status":"complete","completionData":{
          "user":{"personalNumber":"190000000000","name":"Karl Karlsson","givenName":"Karl","surname":"Karlsson"},
          "device":{"ipAddress":"192.168.0.1","uhi":"OZvYM9VvyiAmG7NA5jU5zRGcQpkfTFjNTcI8Kc7y4ZQ"},
          "stepUp":{"mrtd":true},"bankIdIssueDate":"2020-02-01","signature":"PHNpZ25hdHVyZT4=","ocspResponse":"b2NzcA==",
          "risk":"low","someFutureField":{"nested":[1,2,3]}}}
        """
        let response = try RPJSON.decode(CollectResponse.self, from: body)
        #expect(response.status == .complete && response.isConsistent && response.hintCode == nil)
        let data = try #require(response.completionData)
        #expect(data.user == CompletionUser(personalNumber: "190000000000", name: "Karl Karlsson",
                                            givenName: "Karl", surname: "Karlsson"))
        #expect(data.device.ipAddress == "192.168.0.1")
        #expect(data.device.uhi == "OZvYM9VvyiAmG7NA5jU5zRGcQpkfTFjNTcI8Kc7y4ZQ")
        #expect(data.stepUp == CompletionStepUp(mrtd: true))
        #expect(data.bankIdIssueDate == "2020-02-01")
        #expect(data.signature == "PHNpZ25hdHVyZT4=" && data.ocspResponse == "b2NzcA==" && data.risk == "low")
    }

    @Test func decodesPendingAndFailedWithHints() throws {
        let pending = try RPJSON.decode(CollectResponse.self,
                                        from: #"{"orderRef":"x","status":"pending","hintCode":"outstandingTransaction"}"#)
        #expect(pending.hint == .outstandingTransaction && pending.isConsistent)
        let failed = try RPJSON.decode(CollectResponse.self,
                                       from: #"{"orderRef":"x","status":"failed","hintCode":"brandNewHint"}"#)
        #expect(failed.hint == .unknown("brandNewHint"))
        // completionData: null, as some proxies send it, reads as absent.
        let nulls = try RPJSON.decode(CollectResponse.self,
                                      from: #"{"orderRef":"x","status":"failed","hintCode":"userCancel","completionData":null}"#)
        #expect(nulls.hint == .userCancel && nulls.completionData == nil)
    }

    @Test func inconsistentCollectIsFlagged() {
        #expect(!CollectResponse(orderRef: "x", status: .complete).isConsistent)
        #expect(!CollectResponse(orderRef: "x", status: .pending).isConsistent)
    }

    @Test func decodesErrors() throws {
        let error = try RPJSON.decode(RPError.self, from: #"{"errorCode":"alreadyInProgress","details":"Order already in progress for pno"}"#)
        #expect(error == RPError(.alreadyInProgress, details: "Order already in progress for pno"))
        #expect(error.httpStatus == 400)
        let noDetails = try RPJSON.decode(RPError.self, from: #"{"errorCode":"maintenance"}"#)
        #expect(noDetails.errorCode == .maintenance && noDetails.details == "")
        #expect(try RPJSON.decode(RPError.self, from: #"{"errorCode":"xyz","details":"d"}"#).errorCode == .unknown("xyz"))
    }

    @Test(arguments: [
        ("alreadyInProgress", 400), ("invalidParameters", 400), ("unauthorized", 401), ("notFound", 404),
        ("methodNotAllowed", 405), ("requestTimeout", 408), ("unsupportedMediaType", 415),
        ("tooManyRequests", 429), ("internalError", 500), ("maintenance", 503), ("somethingNew", 400),
    ])
    func errorCodesRoundTripWithStatus(raw: String, status: Int) {
        let code = RPErrorCode(raw)
        #expect(code.rawValue == raw)
        #expect(code.httpStatus == status)
        if raw != "somethingNew" {
            #expect(code != .unknown(raw))
            #expect(RPErrorCode.forHTTPStatus(status) == code || status == 400)
        }
    }

    @Test func onlyMaintenanceIsRetryable() {
        #expect(RPErrorCode.maintenance.isRetryable)
        #expect(!RPErrorCode.requestTimeout.isRetryable && !RPErrorCode.internalError.isRetryable)
    }

    @Test func hintCodesRoundTrip() {
        for raw in ["outstandingTransaction", "noClient", "started", "userMrtd", "userCallConfirm", "userSign",
                    "expiredTransaction", "certificateErr", "userCancel", "cancelled", "startFailed",
                    "userDeclinedCall", "notSupportedByUserApp", "transactionRiskBlocked"] {
            #expect(HintCode(raw).rawValue == raw)
            #expect(HintCode(raw) != .unknown(raw))
        }
        #expect(HintCode("UserSign") == .unknown("UserSign"))
    }

    // MARK: RPAnswer

    @Test func answerReadsSuccessErrorsAndGarbage() {
        let ok = RPAnswer.read(CollectResponse.self, status: 200,
                               body: Array(#"{"orderRef":"a","status":"pending","hintCode":"userSign"}"#.utf8))
        #expect(ok == .success(.pending("a", .userSign)))
        let error = RPAnswer.read(CollectResponse.self, status: 400,
                                  body: Array(#"{"errorCode":"invalidParameters","details":"No such order"}"#.utf8))
        #expect(error == .failure(RPError(.invalidParameters, details: "No such order")))
        let html = RPAnswer.read(AuthResponse.self, status: 503, body: Array("<html>down</html>".utf8))
        #expect(html == .failure(RPError(.maintenance, details: "HTTP 503")))
        let badGateway = RPAnswer.read(AuthResponse.self, status: 502, body: [])
        #expect(badGateway == .failure(RPError(.internalError, details: "HTTP 502")))
        guard case .failure(let garbled) = RPAnswer.read(AuthResponse.self, status: 200, body: Array("{".utf8)) else {
            Issue.record("a 200 with a broken body must fail"); return
        }
        #expect(garbled.errorCode == .internalError)
    }

    // MARK: hostile input

    @Test(arguments: [
        "", "null", "[]", "{}", "\"x\"", "42", "{\"orderRef\":1,\"status\":\"pending\"}",
        "{\"orderRef\":\"a\",\"status\":\"PENDING\",\"hintCode\":\"userSign\"}",
        "{\"orderRef\":\"a\",\"status\":\"complete\",\"completionData\":{\"user\":{}}}",
        "{\"orderRef\":\"a\",\"status\":\"pending\",\"hintCode\":[\"userSign\"]}",
        "{\"orderRef\":\"a\"", "\u{FEFF}{", "{\"orderRef\":\"\\ud800\"}",
        "{\"errorCode\":null}", "{\"orderRef\":\"a\",\"status\":\"pending\",\"hintCode\":1e999}",
    ])
    func malformedCollectIsAnErrorNotACrash(body: String) {
        #expect(throws: RPDecodingError.self) { try RPJSON.decode(CollectResponse.self, from: body) }
    }

    @Test func deepNestingIsRefusedBeforeDecoding() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: RPDecodingError.tooDeep) { try RPJSON.decode(CollectResponse.self, from: deep) }
        let inObject = "{\"orderRef\":\"a\",\"x\":" + String(repeating: "{\"a\":", count: 40) + "1"
            + String(repeating: "}", count: 41)
        #expect(throws: RPDecodingError.tooDeep) { try RPJSON.decode(CollectResponse.self, from: inObject) }
        // Brackets inside strings do not count.
        let quoted = #"{"orderRef":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"{{{{{{{{{{{{{{{{{{{{{{{{{{{{{","status":"pending","hintCode":"started"}"#
        #expect((try? RPJSON.decode(CollectResponse.self, from: quoted))?.hint == .started)
    }

    @Test func oversizedBodyIsRefused() {
        let big = "{\"orderRef\":\"" + String(repeating: "a", count: RPJSON.maximumBytes) + "\"}"
        #expect(throws: RPDecodingError.tooLarge(big.utf8.count)) { try RPJSON.decode(CollectRequest.self, from: big) }
    }

    @Test func invalidUTF8IsAnError() {
        let bytes: [UInt8] = Array(#"{"orderRef":""#.utf8) + [0xff, 0xfe] + Array(#""}"#.utf8)
        #expect(throws: RPDecodingError.self) { try RPJSON.decode(CollectRequest.self, from: bytes) }
    }

    /// Seeded fuzzing: random bytes, and mutations of valid messages (flipped, dropped, duplicated
    /// bytes and JSON punctuation), must decode or throw, never crash; what decodes re-encodes and
    /// decodes to the same value.
    @Test(arguments: [1, 2, 3, 42, 2024] as [UInt64])
    func fuzz(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let seeds: [String] = [
            #"{"orderRef":"a","status":"pending","hintCode":"userSign"}"#,
            #"{"errorCode":"maintenance","details":"down"}"#,
            #"{"orderRef":"o","autoStartToken":"t","qrStartToken":"q","qrStartSecret":"s"}"#,
            RPJSON.encodeString(CollectResponse.complete("o", CompletionData(
                user: CompletionUser(personalNumber: "199908072391", name: "A B", givenName: "A", surname: "B"),
                device: CompletionDevice(ipAddress: "::1", uhi: "u"), bankIdIssueDate: "2020-01-01",
                signature: "c2ln", ocspResponse: "b2NzcA=="))),
        ]
        let alphabet = Array(#"{}[]":,\ 0123456789eE+-.tfnaul"#.utf8) + [0x00, 0x80, 0xc3, 0xff]
        var decoded = 0
        for round in 0..<1500 {
            var bytes: [UInt8]
            if round % 5 == 0 {
                bytes = (0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                bytes = Array(seeds[Int.random(in: 0..<seeds.count, using: &random)].utf8)
                for _ in 0..<Int.random(in: 1...4, using: &random) where !bytes.isEmpty {
                    let at = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0..<4, using: &random) {
                    case 0: bytes[at] = alphabet[Int.random(in: 0..<alphabet.count, using: &random)]
                    case 1: bytes.remove(at: at)
                    case 2: bytes.insert(alphabet[Int.random(in: 0..<alphabet.count, using: &random)], at: at)
                    default: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + 8)], at: at)
                    }
                }
            }
            if let value = try? RPJSON.decode(CollectResponse.self, from: bytes) {
                decoded += 1
                #expect(try RPJSON.decode(CollectResponse.self, from: RPJSON.encode(value)) == value)
            }
            if let value = try? RPJSON.decode(RPError.self, from: bytes) {
                #expect(try RPJSON.decode(RPError.self, from: RPJSON.encode(value)) == value)
            }
            _ = try? RPJSON.decode(AuthResponse.self, from: bytes)
            _ = try? RPJSON.decode(AuthRequest.self, from: bytes)
            _ = RPAnswer.read(CollectResponse.self, status: 200 + (round % 2) * 200, body: bytes)
        }
        // Some mutations leave valid JSON (e.g. a changed letter inside a string).
        #expect(decoded > 0)
    }
}
