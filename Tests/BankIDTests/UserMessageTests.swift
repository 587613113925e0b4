import KonfidentCore
import Testing
@testable import BankID

struct UserMessageTests {
    @Test func everyMessageHasBothLanguages() {
        for rfa in RFA.allCases {
            #expect(!rfa.text(.sv).isEmpty, "\(rfa) sv")
            #expect(!rfa.text(.en).isEmpty, "\(rfa) en")
        }
        #expect(RFA.texts.count == RFA.allCases.count)
    }

    @Test func guidelineTexts() {
        #expect(RFA.rfa1.text(.sv) == "Starta BankID-appen.")
        #expect(RFA.rfa1.text(.en) == "Start your BankID app.")
        #expect(RFA.rfa9.text(.sv) == "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under.")
        #expect(RFA.rfa9.text(.en) == "Enter your security code in the BankID app and select Identify or Sign.")
        #expect(RFA.rfa6.text(.en) == "Action cancelled.")
        #expect(RFA.rfa3.text(.sv) == "Åtgärden avbruten. Försök igen.")
        #expect(RFA.rfa5.text(.en) == "Internal error. Please try again.")
        #expect(RFA.rfa13.text(.sv) == "Försöker starta BankID-appen.")
        #expect(RFA.rfa21.text(.sv) == "Identifiering eller underskrift pågår.")
        #expect(RFA.rfa22.text(.en) == "Unknown error. Please try again.")
        #expect(RFA.rfa17B.text(.en).hasPrefix("Failed to scan the QR code."))
        #expect(RFA.rfa16.text(.en).hasPrefix("The BankID you are trying to use is blocked or too old."))
    }

    @Test(arguments: [
        // status, hint, start method, device, expected
        (CollectStatus.pending, "outstandingTransaction", StartMethod.qrCode, UserDevice.computer, RFA.rfa1),
        (.pending, "outstandingTransaction", .autostart, .mobile, .rfa13),
        (.pending, "noClient", .autostart, .computer, .rfa1),
        (.pending, "started", .autostart, .computer, .rfa15A),
        (.pending, "started", .autostart, .mobile, .rfa15B),
        (.pending, "userSign", .qrCode, .computer, .rfa9),
        (.pending, "userMrtd", .qrCode, .computer, .rfa23),
        (.pending, "userCallConfirm", .qrCode, .computer, .rfa21),
        (.pending, "somethingNew", .qrCode, .computer, .rfa21),
        (.failed, "userCancel", .qrCode, .computer, .rfa6),
        (.failed, "expiredTransaction", .qrCode, .computer, .rfa8),
        (.failed, "certificateErr", .autostart, .mobile, .rfa16),
        (.failed, "startFailed", .qrCode, .computer, .rfa17B),
        (.failed, "startFailed", .autostart, .mobile, .rfa17A),
        (.failed, "cancelled", .qrCode, .computer, .rfa3),
        (.failed, "somethingNew", .qrCode, .computer, .rfa22),
    ])
    func collectMapping(status: CollectStatus, hint: String, method: StartMethod, device: UserDevice, expected: RFA) {
        #expect(UserMessage.forCollect(status: status, hintCode: hint, startMethod: method, device: device) == expected)
    }

    @Test func missingHintAndCompleteAndInconsistent() {
        #expect(UserMessage.forCollect(status: .pending, hintCode: nil, startMethod: .qrCode) == .rfa21)
        #expect(UserMessage.forCollect(status: .failed, hintCode: nil, startMethod: .qrCode) == .rfa22)
        #expect(UserMessage.forCollect(status: .complete, hintCode: nil, startMethod: .qrCode) == nil)
        // A "complete" without completionData is broken: the generic error, never a sign-in.
        #expect(UserMessage.forCollect(CollectResponse(orderRef: "o", status: .complete), startMethod: .qrCode) == .rfa22)
        #expect(UserMessage.text(for: .pending("o", .userSign), startMethod: .qrCode, language: .sv)
            == "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under.")
        #expect(UserMessage.text(for: .failed("o", .userCancel), startMethod: .qrCode, language: .en) == "Action cancelled.")
    }

    @Test(arguments: [
        (RPErrorCode.alreadyInProgress, RFA.rfa4), (.requestTimeout, .rfa5), (.maintenance, .rfa5),
        (.internalError, .rfa5), (.tooManyRequests, .rfa5), (.invalidParameters, .rfa22), (.unauthorized, .rfa22),
        (.notFound, .rfa22), (.methodNotAllowed, .rfa22), (.unsupportedMediaType, .rfa22), (.unknown("x"), .rfa22),
    ])
    func errorMapping(code: RPErrorCode, expected: RFA) {
        #expect(UserMessage.forError(code) == expected)
        #expect(UserMessage.text(for: RPError(code, details: "secret detail"), language: .en) == expected.text(.en))
        #expect(!UserMessage.text(for: RPError(code, details: "secret detail"), language: .sv).contains("secret"))
    }

    @Test func relyingPartyFaults() {
        #expect(UserMessage.isRelyingPartyFault(.invalidParameters) && UserMessage.isRelyingPartyFault(.unauthorized))
        #expect(!UserMessage.isRelyingPartyFault(.maintenance) && !UserMessage.isRelyingPartyFault(.alreadyInProgress))
    }

    @Test func finalMessagesOfferRetry() {
        #expect(RFA.rfa6.isFinal && RFA.rfa8.isFinal && RFA.rfa17B.isFinal && RFA.rfa4.isFinal && RFA.rfa3.isFinal)
        #expect(!RFA.rfa1.isFinal && !RFA.rfa9.isFinal && !RFA.rfa21.isFinal)
    }
}
