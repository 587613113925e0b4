import KonfidentCore

/// The "recommended user messages" (RFA1–RFA23) of BankID's Relying Party guidelines, in Swedish and
/// English, and the guidelines' rules for which one to show.
///
/// Sources: BankID Relying Party Guidelines (v3.x, chapter "Recommended User Messages", the table of
/// texts and of when to use them) and the v6.0 API reference pages for collect (hintCode: "Action by
/// RP") and errors (errorCode: "Action by RP"), www.bankid.com/utvecklare/guider/teknisk-integrationsguide
/// → graenssnittsbeskrivning/collect and …/felfall. RFA7, RFA10–RFA12 no longer exist.
public enum RFA: String, CaseIterable, Sendable {
    case rfa1 = "RFA1", rfa2 = "RFA2", rfa3 = "RFA3", rfa4 = "RFA4", rfa5 = "RFA5", rfa6 = "RFA6"
    case rfa8 = "RFA8", rfa9 = "RFA9", rfa13 = "RFA13"
    case rfa14A = "RFA14A", rfa14B = "RFA14B", rfa15A = "RFA15A", rfa15B = "RFA15B"
    case rfa16 = "RFA16", rfa17A = "RFA17A", rfa17B = "RFA17B", rfa18 = "RFA18"
    case rfa19 = "RFA19", rfa20 = "RFA20", rfa21 = "RFA21", rfa22 = "RFA22", rfa23 = "RFA23"

    /// The guideline text in `language`.
    public func text(_ language: Language) -> String {
        let pair = RFA.texts[self]!  // every case has an entry (tested)
        switch language {
        case .sv: return pair.sv
        case .en: return pair.en
        }
    }

    /// Whether the order is over when this message is shown (the page offers to try again).
    public var isFinal: Bool {
        switch self {
        case .rfa1, .rfa9, .rfa13, .rfa14A, .rfa14B, .rfa15A, .rfa15B, .rfa18, .rfa19, .rfa20, .rfa21, .rfa23:
            false
        case .rfa2, .rfa3, .rfa4, .rfa5, .rfa6, .rfa8, .rfa16, .rfa17A, .rfa17B, .rfa22:
            true
        }
    }

    static let texts: [RFA: (sv: String, en: String)] = [
        .rfa1: ("Starta BankID-appen.",
                "Start your BankID app."),
        .rfa2: ("Du har inte BankID-appen installerad. Kontakta din bank.",
                "The BankID app is not installed. Please contact your bank."),
        .rfa3: ("Åtgärden avbruten. Försök igen.",
                "Action cancelled. Please try again."),
        .rfa4: ("En identifiering eller underskrift för det här personnumret är redan påbörjad. Försök igen.",
                "An identification or signing for this personal number is already started. Please try again."),
        .rfa5: ("Internt tekniskt fel. Försök igen.",
                "Internal error. Please try again."),
        .rfa6: ("Åtgärden avbruten.",
                "Action cancelled."),
        .rfa8: ("BankID-appen svarar inte. Kontrollera att den är startad och att du har internetanslutning. "
                + "Om du inte har något giltigt BankID kan du skaffa ett hos din bank. Försök sedan igen.",
                "The BankID app is not responding. Please check that it’s started and that you have internet "
                + "access. If you don’t have a valid BankID you can get one from your bank. Try again."),
        .rfa9: ("Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under.",
                "Enter your security code in the BankID app and select Identify or Sign."),
        .rfa13: ("Försöker starta BankID-appen.",
                 "Trying to start your BankID app."),
        .rfa14A: ("Söker efter BankID, det kan ta en liten stund … Om det har gått några sekunder och inget BankID "
                  + "har hittats har du sannolikt inget BankID som går att använda för den aktuella "
                  + "identifieringen/underskriften i den här datorn. Om du har ett BankID-kort, sätt in det i "
                  + "kortläsaren. Om du inte har något BankID kan du skaffa ett hos din bank. Om du har ett "
                  + "BankID på en annan enhet kan du starta din BankID-app där.",
                  "Searching for BankID, it may take a little while … If a few seconds have passed and still no "
                  + "BankID has been found, you probably don’t have a BankID which can be used for this "
                  + "identification/signing on this computer. If you have a BankID card, please insert it into "
                  + "your card reader. If you don’t have a BankID you can get one from your bank. If you have a "
                  + "BankID on another device you can start the BankID app on that device."),
        .rfa14B: ("Söker efter BankID, det kan ta en liten stund … Om det har gått några sekunder och inget BankID "
                  + "har hittats har du sannolikt inget BankID som går att använda för den aktuella "
                  + "identifieringen/underskriften i den här enheten. Om du inte har något BankID kan du skaffa "
                  + "ett hos din bank. Om du har ett BankID på en annan enhet kan du starta din BankID-app där.",
                  "Searching for BankID, it may take a little while … If a few seconds have passed and still no "
                  + "BankID has been found, you probably don’t have a BankID which can be used for this "
                  + "identification/signing on this device. If you don’t have a BankID you can get one from your "
                  + "bank. If you have a BankID on another device you can start the BankID app on that device."),
        .rfa15A: ("Söker efter BankID, det kan ta en liten stund … Om det har gått några sekunder och inget BankID "
                  + "har hittats har du sannolikt inget BankID som går att använda för den aktuella "
                  + "identifieringen/underskriften i den här datorn. Om du har ett BankID-kort, sätt in det i "
                  + "kortläsaren. Om du inte har något BankID kan du skaffa ett hos din bank.",
                  "Searching for BankID:s, it may take a little while … If a few seconds have passed and still no "
                  + "BankID has been found, you probably don’t have a BankID which can be used for this "
                  + "identification/signing on this computer. If you have a BankID card, please insert it into "
                  + "your card reader. If you don’t have a BankID you can get one from your bank."),
        .rfa15B: ("Söker efter BankID, det kan ta en liten stund … Om det har gått några sekunder och inget BankID "
                  + "har hittats har du sannolikt inget BankID som går att använda för den aktuella "
                  + "identifieringen/underskriften i den här enheten. Om du inte har något BankID kan du skaffa "
                  + "ett hos din bank.",
                  "Searching for BankID, it may take a little while … If a few seconds have passed and still no "
                  + "BankID has been found, you probably don’t have a BankID which can be used for this "
                  + "identification/signing on this device. If you don’t have a BankID you can get one from your "
                  + "bank."),
        .rfa16: ("Det BankID du försöker använda är för gammalt eller spärrat. Använd ett annat BankID eller "
                 + "skaffa ett nytt hos din bank.",
                 "The BankID you are trying to use is blocked or too old. Please use another BankID or get a new "
                 + "one from your bank."),
        .rfa17A: ("BankID-appen verkar inte finnas i din dator eller mobil. Installera den och skaffa ett BankID "
                  + "hos din bank. Installera appen från din appbutik eller https://install.bankid.com",
                  "The BankID app couldn’t be found on your computer or mobile device. Please install it and get "
                  + "a BankID from your bank. Install the app from your app store or https://install.bankid.com"),
        .rfa17B: ("Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden. Kontrollera att "
                  + "BankID-appen är uppdaterad. Om du inte har BankID-appen måste du installera den och skaffa "
                  + "ett BankID hos din bank. Installera appen från din appbutik eller https://install.bankid.com",
                  "Failed to scan the QR code. Start the BankID app and scan the QR code. Check that the BankID "
                  + "app is up to date. If you don't have the BankID app, you need to install it and get a BankID "
                  + "from your bank. Install the app from your app store or https://install.bankid.com"),
        .rfa18: ("Starta BankID-appen.",
                 "Start the BankID app."),
        .rfa19: ("Vill du identifiera dig eller skriva under med BankID på den här datorn eller med ett Mobilt "
                 + "BankID?",
                 "Would you like to identify yourself or sign with a BankID on this computer, or with a Mobile "
                 + "BankID?"),
        .rfa20: ("Vill du identifiera dig eller skriva under med ett BankID på den här enheten eller med ett "
                 + "BankID på en annan enhet?",
                 "Do you want to identify yourself or sign with a BankID on this device or with a BankID on "
                 + "another device?"),
        .rfa21: ("Identifiering eller underskrift pågår.",
                 "Identification or signing in progress."),
        .rfa22: ("Okänt fel. Försök igen.",
                 "Unknown error. Please try again."),
        .rfa23: ("Fotografera och läs av din ID-handling med BankID-appen.",
                 "Process your machine-readable travel document using the BankID app."),
    ]
}

/// How the order was meant to be started on the user's side (Secure start: one of the two).
public enum StartMethod: String, Sendable, CaseIterable {
    /// The animated QR code, scanned from another device.
    case qrCode
    /// "Open BankID on this device": the autostart link on the same device.
    case autostart
}

/// The kind of device the user's browser runs on (RFA14/15 A is for a computer, B for a phone/tablet).
public enum UserDevice: String, Sendable, CaseIterable {
    case computer
    case mobile
}

/// The message to show for a collect answer or an RP error, as the guidelines prescribe.
public enum UserMessage {
    /// For a collect answer. `nil` for `complete` (the RP signs the user in and shows its own page).
    ///
    /// pending: outstandingTransaction → RFA13 when the RP started the app itself (autostart), else
    /// RFA1; noClient → RFA1; started → RFA15 (A on a computer, B on a mobile; RFA14 was for orders
    /// started with a typed personnummer, which Secure start no longer allows); userSign → RFA9;
    /// userMrtd → RFA23; any other (userCallConfirm, new codes) → RFA21.
    /// failed: userCancel → RFA6; expiredTransaction → RFA8; certificateErr → RFA16; startFailed →
    /// RFA17B when the QR code was offered, RFA17A for autostart; cancelled → RFA3; any other → RFA22.
    public static func forCollect(status: CollectStatus, hintCode: String?, startMethod: StartMethod,
                                  device: UserDevice = .computer) -> RFA? {
        let hint = hintCode.map(HintCode.init)
        switch status {
        case .complete:
            return nil
        case .pending:
            switch hint {
            case .outstandingTransaction: return startMethod == .autostart ? .rfa13 : .rfa1
            case .noClient: return .rfa1
            case .started: return device == .computer ? .rfa15A : .rfa15B
            case .userSign: return .rfa9
            case .userMrtd: return .rfa23
            default: return .rfa21
            }
        case .failed:
            switch hint {
            case .userCancel: return .rfa6
            case .expiredTransaction: return .rfa8
            case .certificateErr: return .rfa16
            case .startFailed: return startMethod == .qrCode ? .rfa17B : .rfa17A
            case .cancelled: return .rfa3
            default: return .rfa22
            }
        }
    }

    /// For a collect answer as decoded.
    public static func forCollect(_ response: CollectResponse, startMethod: StartMethod,
                                  device: UserDevice = .computer) -> RFA? {
        guard response.isConsistent else { return .rfa22 }
        return forCollect(status: response.status, hintCode: response.hintCode, startMethod: startMethod,
                          device: device)
    }

    /// For an error answer of auth, collect or cancel.
    ///
    /// alreadyInProgress → RFA4; requestTimeout, internalError → RFA5; maintenance → RFA5 (after the
    /// RP's own retries, the guidelines say "RP may try again"; the caller decides how often);
    /// tooManyRequests → RFA5 (a temporary condition on the RP's side, worth a later try). The codes
    /// that the guidelines call "an internal error within RP's system [that] must not be communicated
    /// to the user as a BankID error" (invalidParameters, unauthorized, notFound, methodNotAllowed,
    /// unsupportedMediaType) and unknown codes → RFA22, the generic "Unknown error. Please try again.".
    public static func forError(_ code: RPErrorCode) -> RFA {
        switch code {
        case .alreadyInProgress: .rfa4
        case .requestTimeout, .internalError, .maintenance, .tooManyRequests: .rfa5
        case .invalidParameters, .unauthorized, .notFound, .methodNotAllowed, .unsupportedMediaType, .unknown:
            .rfa22
        }
    }

    /// Whether the guidelines count the error as a fault in the RP's own system (log it as such; the
    /// user only sees the generic RFA22).
    public static func isRelyingPartyFault(_ code: RPErrorCode) -> Bool {
        switch code {
        case .invalidParameters, .unauthorized, .notFound, .methodNotAllowed, .unsupportedMediaType: true
        default: false
        }
    }

    /// The text for a collect answer in `language` (nil for complete).
    public static func text(for response: CollectResponse, startMethod: StartMethod, device: UserDevice = .computer,
                            language: Language) -> String? {
        forCollect(response, startMethod: startMethod, device: device)?.text(language)
    }

    /// The text for an error answer in `language`.
    public static func text(for error: RPError, language: Language) -> String {
        forError(error.errorCode).text(language)
    }
}
