import BankID
import FastCGI
import KonfidentCore
import KonfidentStore

/// Screen 7: sign-in with BankID (RP API v6.0, Secure start: the animated QR code or "Open BankID on
/// this device", never a typed personnummer alone), and the BankID step of an invitation by email.
///
/// An order belongs to the browser that started it (a cookie; only its hash is stored, and it keys
/// the sealing of the order's QR and autostart secrets). Whoever polls, the service is asked at most
/// every two seconds per order (`Store.claimCollect`). A new start or Cancel cancels the browser's
/// pending order at the service. An error answer ends the order with the RFA message of the
/// guidelines and Try again; so does a failed TLS handshake (a certificate problem does not heal by
/// asking again). Maintenance (which the guidelines let the RP try again) and a request that did not
/// reach the service or got no answer leave the order pending: the next collect asks again, and the
/// order ends with that failure's message only when collects have gone unanswered for
/// `BankIDOrder.unansweredLimit` seconds.
extension Application {
    private func bankIDSettings() throws -> BankIDSettings {
        guard let bankID = settings.bankID else {
            throw HTTPError(.unavailable(title: .bankIDUnavailableTitle, body: .bankIDUnavailable))
        }
        return bankID
    }

    /// The order this browser started, and the cookie secret that opens its sealed secrets.
    private func browserOrder(_ context: Context) throws -> (StoredBankIDOrder, String)? {
        try context.bound(.bankID, find: { try store.bankIDOrder(browserHash: $0, workspaceID: context.workspace.id) },
                          hash: \.browserHash)
    }

    /// `GET /_konfident/bankid`: the start form, the waiting screen, or the outcome of this browser's order.
    func bankIDPage(_ context: Context) throws -> Response {
        let bankID = try bankIDSettings()
        guard let (found, secret) = try browserOrder(context) else { return bankIDStartPage(context) }
        let stored = try advance(found, bankID.service, context)
        switch stored.order.status(at: context.now) {
        case .pending:
            return try bankIDWaitingPage(stored, secret: secret, bankID, context)
        case .complete:
            return try use(stored, context)
        case .failed:
            return bankIDEndedPage(stored, context)
        case .expired:
            return bankIDEndedPage(stored, message: RFA.rfa8.text(context.language), context)
        case .cancelled, .used:
            context.deleteCookie(.bankID)
            if stored.purpose == .invitation { return redirect(context.paths.welcome) }
            return bankIDStartPage(context)
        }
    }

    func bankIDStartPage(_ context: Context, personnummer: String = "", error: Text? = nil,
                         status: HTTPStatus = .ok) -> Response {
        let view = BankIDStartView(paths: context.paths, csrfToken: csrfToken(context), personnummer: personnummer,
                                   error: error, simulatorApp: settings.bankID?.simulatorApp)
        return html(context.page(Text.logInWithBankID.string(context.language), view.content(context.language),
                                 languageSwitch: context.paths.bankID), status: status)
    }

    private func bankIDWaitingPage(_ stored: StoredBankIDOrder, secret: String, _ bankID: BankIDSettings,
                                   _ context: Context) throws -> Response {
        guard let sealed = stored.sealed, let secrets = BankIDOrderSecrets(sealed: sealed, key, browserSecret: secret) else {
            throw HTTPError(.internalError)
        }
        let device = Self.device(context.request)
        let autostart = (device == .mobile ? "https://app.bankid.com/" : "bankid:///")
            + "?autostarttoken=\(secrets.autoStartToken)&redirect=null"
        let title = stored.purpose == .invitation ? Text.welcomeBankIDTitle : Text.logInWithBankID
        let view = BankIDWaitView(
            title: title.string(context.language), lead: Text.bankIDScanLead.string(context.language),
            qrCode: try qrCode(stored, secrets, context), autostartURL: autostart,
            message: pendingMessage(stored, device, context.language), paths: context.paths,
            csrfToken: csrfToken(context), simulatorApp: bankID.simulatorApp)
        let poll: HTML = " data-qr=\"\(context.paths.bankIDQR)\" data-status=\"\(context.paths.bankIDStatus)\" data-next=\"\(context.paths.bankID)\""
        return html(context.page(title.string(context.language), view.content(context.language), refresh: 1,
                                 script: "qr.js", mainAttributes: poll, languageSwitch: context.paths.bankID))
    }

    private func bankIDEndedPage(_ stored: StoredBankIDOrder, message: String? = nil, _ context: Context) -> Response {
        let title = stored.purpose == .invitation ? Text.welcomeBankIDTitle : Text.logInWithBankID
        return endedPage(title: title, message: message ?? endedMessage(stored, context.language), purpose: stored.purpose,
                         personnummer: stored.requiredPersonnummer, status: .ok, context)
    }

    /// An order that is over without a session (or never started): its message and Try again, which
    /// starts an order of the same kind with the same personnummer.
    private func endedPage(title: Text, message: String, purpose: BankIDOrder.Purpose, personnummer: String?,
                           status: HTTPStatus, _ context: Context) -> Response {
        let language = context.language
        let invitation = purpose == .invitation
        let view = BankIDEndedView(
            title: title.string(language), message: message,
            retryAction: invitation ? context.paths.welcomeBankID : context.paths.bankID, personnummer: personnummer,
            csrfToken: csrfToken(context),
            backLink: invitation ? (Text.backToInvitation.string(language), context.paths.welcome)
                                 : (Text.backToLogin.string(language), context.paths.home))
        return html(context.page(view.title, view.content(language), languageSwitch: context.paths.bankID,
                                 statusCode: status == .ok ? nil : status.code), status: status)
    }

    /// The QR code of this second: `bankid.{qrStartToken}.{seconds}.{HMAC}`, drawn as SVG.
    private func qrCode(_ stored: StoredBankIDOrder, _ secrets: BankIDOrderSecrets, _ context: Context) throws -> HTML {
        let payload = AnimatedQR.payload(startToken: secrets.qrStartToken, startSecret: secrets.qrStartSecret,
                                         seconds: stored.order.qrSeconds(at: context.now))
        do {
            return HTML(trusted: try QRCodeSVG.svg(payload, size: 240, label: Text.qrCodeLabel.string(context.language)))
        } catch {
            throw HTTPError(.internalError)
        }
    }

    /// `GET /_konfident/bankid/qr`: the SVG of this second's code for `qr.js`; 404 once the order is over.
    func bankIDQRCode(_ context: Context) throws -> Response {
        _ = try bankIDSettings()
        guard let (stored, secret) = try browserOrder(context), stored.order.status(at: context.now) == .pending,
              let sealed = stored.sealed, let secrets = BankIDOrderSecrets(sealed: sealed, key, browserSecret: secret)
        else { return Response(status: .notFound, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array("no pending order\n".utf8)) }
        let svg = try qrCode(stored, secrets, context)
        return Response(status: .ok, headers: [("Content-Type", "image/svg+xml")], body: svg.bytes)
    }

    /// `GET /_konfident/bankid/status` for `qr.js`: `{"state": "pending"|"complete"|"failed", "message": …}`.
    /// Collects when due; "complete" and "failed" send the page on to `/_konfident/bankid`, which shows
    /// the outcome.
    func bankIDStatus(_ context: Context) throws -> Response {
        let bankID = try bankIDSettings()
        var state = "failed", message = ""
        if let (found, _) = try browserOrder(context) {
            let stored = try advance(found, bankID.service, context)
            switch stored.order.status(at: context.now) {
            case .pending:
                state = "pending"
                message = pendingMessage(stored, Self.device(context.request), context.language)
            case .complete, .used:
                state = "complete"
            case .failed, .cancelled, .expired:
                message = endedMessage(stored, context.language)
            }
        }
        let json = "{\"state\":\"\(state)\",\"message\":\"\(Self.jsonEscaped(message))\"}"
        return Response(status: .ok, headers: [("Content-Type", "application/json")], body: Array(json.utf8))
    }

    /// `POST /_konfident/bankid`: a new sign-in order, with the personnummer if one was given.
    func startBankID(_ context: Context) throws -> Response {
        let bankID = try bankIDSettings()
        let form = try checkedForm(context)
        let typed = form[FormField.personnummer.rawValue] ?? ""
        var personnummer: Personnummer? = nil
        if !typed.allSatisfy({ $0 == " " || $0 == "\t" }) {
            do {
                personnummer = try Personnummer(parsing: typed, today: TimeFormat.civilDate(context.now))
            } catch {
                return bankIDStartPage(context, personnummer: String(typed.prefix(20)), error: .invalidPersonnummer,
                                       status: .badRequest)
            }
        }
        return try beginOrder(.signIn, invitationID: nil, personnummer: personnummer, bankID, context)
    }

    /// `POST /_konfident/welcome/bankid`: the BankID step of an invitation by email. The order requires
    /// the personnummer the invitation named, or the one the member types here.
    func startInvitationBankID(_ context: Context) throws -> Response {
        let bankID = try bankIDSettings()
        let form = try checkedForm(context)
        guard let stored = try browserInvitation(context), stored.invitation.awaitsBankID(at: context.now),
              let member = try store.member(id: stored.memberID) else { return redirect(context.paths.welcome) }
        let today = TimeFormat.civilDate(context.now)
        let personnummer: Personnummer
        if let known = member.personnummer, let parsed = try? Personnummer(parsing: known, today: today) {
            personnummer = parsed
        } else {
            let typed = form[FormField.personnummer.rawValue] ?? ""
            do {
                personnummer = try Personnummer(parsing: typed, today: today)
            } catch {
                let view = WelcomeBankIDView(workspaceName: context.workspace.name, knownPersonnummer: nil,
                                             personnummer: String(typed.prefix(20)), error: .invalidPersonnummer,
                                             paths: context.paths, csrfToken: csrfToken(context))
                return html(context.page(Text.welcomeBankIDTitle.string(context.language), view.content(context.language),
                                         languageSwitch: context.paths.welcome), status: .badRequest)
            }
        }
        return try beginOrder(.invitation, invitationID: stored.id, personnummer: personnummer, bankID, context)
    }

    /// Cancels the browser's pending order, counts the start, asks the service for a new order and
    /// binds it to this browser.
    private func beginOrder(_ purpose: BankIDOrder.Purpose, invitationID: Int64?, personnummer: Personnummer?,
                            _ bankID: BankIDSettings, _ context: Context) throws -> Response {
        if let (previous, _) = try browserOrder(context), previous.order.status(at: context.now) == .pending {
            try cancelOrder(previous, bankID.service, context)
        }
        let ip = context.request.remoteAddress
        do {
            try store.admitBankIDStart(workspaceID: context.workspace.id, policy: settings.rateLimits, ip: ip, at: context.now)
        } catch let hit as Store.RateLimitHit {
            throw tooManyRequests(hit, context)
        }
        let request = AuthRequest.forPerson(personnummer?.digits, endUserIp: ip,
                                            text: Text.logInTo(workspace: context.workspace.name).string(context.language))
        let answer: AuthResponse
        do {
            answer = try bankID.service.auth(request)
        } catch let error as RPError {
            logger.warning("BankID auth refused", metadata: ["errorCode": "\(error.errorCode)", "details": "\(error.details)"])
            return serviceFailure(UserMessage.forError(error.errorCode), alreadyInProgress: error.errorCode == .alreadyInProgress,
                                  purpose: purpose, personnummer: personnummer?.digits, context)
        } catch let error as RPTransportError {
            logger.error("BankID auth failed", metadata: ["error": "\(error)"])
            return serviceFailure(error.rfa, alreadyInProgress: false, purpose: purpose,
                                  personnummer: personnummer?.digits, context)
        }
        let secret = Base64URL.encode(random.bytes(32))
        let secrets = BankIDOrderSecrets(qrStartToken: answer.qrStartToken, qrStartSecret: answer.qrStartSecret,
                                         autoStartToken: answer.autoStartToken)
        _ = try store.recordBankIDOrder(NewBankIDOrder(
            workspaceID: context.workspace.id, browserHash: Secret.hash(secret), purpose: purpose,
            invitationID: invitationID, requiredPersonnummer: personnummer?.digits, orderRef: answer.orderRef,
            sealed: secrets.sealed(key, browserSecret: secret), ip: ip), at: context.now)
        context.setCookie(.bankID, secret, maxAge: BankIDOrder.lifetime + 600)
        return redirect(context.paths.bankID)
    }

    /// The service refused or could not be reached: the RFA message, Try again, and a status that says
    /// so (503 while the service is down or busy, 409 for an order already in progress).
    private func serviceFailure(_ rfa: RFA, alreadyInProgress: Bool, purpose: BankIDOrder.Purpose, personnummer: String?,
                                _ context: Context) -> Response {
        endedPage(title: alreadyInProgress ? .bankIDAlreadyInProgressTitle : .logInWithBankID, message: rfa.text(context.language),
                  purpose: purpose, personnummer: personnummer,
                  status: alreadyInProgress ? HTTPStatus(409, "Conflict") : .serviceUnavailable, context)
    }

    /// `POST /_konfident/bankid/cancel`.
    func cancelBankID(_ context: Context) throws -> Response {
        let bankID = try bankIDSettings()
        _ = try checkedForm(context)
        var purpose = BankIDOrder.Purpose.signIn
        if let (stored, _) = try browserOrder(context) {
            purpose = stored.purpose
            if stored.order.status(at: context.now) == .pending { try cancelOrder(stored, bankID.service, context) }
        }
        context.deleteCookie(.bankID)
        return redirect(purpose == .invitation ? context.paths.welcome : context.paths.home)
    }

    private func cancelOrder(_ stored: StoredBankIDOrder, _ service: any RelyingParty, _ context: Context) throws {
        do {
            try service.cancel(orderRef: stored.orderRef)
        } catch {
            // The order ends at the service by itself within three minutes; ours ends now.
            logger.notice("BankID cancel failed", metadata: ["error": "\(error)"])
        }
        try store.cancelBankIDOrder(id: stored.id, at: context.now)
    }

    /// Collects when the order is due (at most every two seconds, whoever asks) and returns it as it
    /// stands after that.
    private func advance(_ stored: StoredBankIDOrder, _ service: any RelyingParty, _ context: Context) throws -> StoredBankIDOrder {
        guard stored.order.isDueForCollect(at: context.now),
              try store.claimCollect(orderID: stored.id, at: context.now) else { return stored }
        let outcome: BankIDOrder.CollectOutcome
        do {
            let answer = try service.collect(orderRef: stored.orderRef)
            switch answer.status {
            case .pending:
                outcome = .pending(hint: answer.hintCode ?? "")
            case .failed:
                outcome = .failed(hint: answer.hintCode ?? "")
            case .complete:
                if let digits = answer.completionData?.user.personalNumber,
                   digits.utf8.count == 12, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
                    outcome = .complete(personnummer: digits)
                } else {
                    logger.error("BankID collect: complete without a usable personalNumber")
                    outcome = .error(code: RPErrorCode.internalError.rawValue)
                }
            }
        } catch let error as RPError {
            logger.warning("BankID collect refused", metadata: ["errorCode": "\(error.errorCode)", "details": "\(error.details)"])
            let code = error.errorCode.rawValue
            outcome = error.errorCode.isRetryable ? .unanswered(code: code) : .error(code: code)
        } catch let error as RPTransportError {
            logger.error("BankID collect failed", metadata: ["error": "\(error)"])
            let code = Self.transportFailure + error.kind.rawValue
            outcome = error.kind == .tls ? .error(code: code) : .unanswered(code: code)
        }
        return try store.recordCollect(orderID: stored.id, outcome, at: context.now)
    }

    /// A complete order: a session for the member with that personnummer, the "no access" page for
    /// anyone else; for an invitation, the proof of the personnummer and then Finish.
    private func use(_ stored: StoredBankIDOrder, _ context: Context) throws -> Response {
        context.deleteCookie(.bankID)
        if stored.purpose == .invitation {
            do {
                _ = try store.proveInvitationByBankID(orderID: stored.id, ip: context.request.remoteAddress, at: context.now)
            } catch let failure as BankIDProofFailure {
                switch failure {
                case .wrongPerson: return refusal(.bankIDWrongPerson, status: .forbidden, context)
                case .personnummerTaken: return refusal(.personnummerTaken, status: HTTPStatus(409, "Conflict"), context)
                case .invitation(.expired): throw HTTPError(.linkGone(reason: .linkExpired))
                case .invitation(.alreadyUsed): break
                case .invitation: throw HTTPError(.linkGone(reason: .invitationEnded))
                }
            }
            return redirect(context.paths.welcome)
        }
        let sessionSecret = Base64URL.encode(random.bytes(32))
        let result: BankIDSignInResult
        do {
            result = try store.completeBankIDSignIn(orderID: stored.id, sessionHash: Secret.hash(sessionSecret),
                                                    sessionLifetime: settings.sessionMaximum,
                                                    ip: context.request.remoteAddress, at: context.now)
        } catch is BankIDOrder.Failure {
            return redirect(context.paths.home)
        }
        switch result {
        case .signedIn:
            try endCurrentSession(context)
            context.setCookie(.session, sessionSecret, maxAge: settings.sessionMaximum)
            return redirect(context.paths.home)
        case .noAccess:
            let identity = stored.order.personnummer.map(Personnummer.masked(digits:)) ?? "—"
            return refusal(.noAccess(identity: identity), status: .forbidden, context)
        }
    }

    private func refusal(_ text: Text, status: HTTPStatus, _ context: Context) -> Response {
        let language = context.language
        let title = status == .forbidden ? Text.noAccessTitle.string(language) : Text.logInWithBankID.string(language)
        let view = MessageView(title: title, paragraphs: [text.string(language)],
                               backLink: (Text.backToLogin.string(language), context.paths.home))
        return html(context.page(title, view.content(), statusCode: status.code), status: status)
    }

    // MARK: - Messages

    private func pendingMessage(_ stored: StoredBankIDOrder, _ device: UserDevice, _ language: Language) -> String {
        let rfa = UserMessage.forCollect(status: .pending, hintCode: stored.order.hintCode ?? "outstandingTransaction",
                                         startMethod: .qrCode, device: device)
        return (rfa ?? .rfa21).text(language)
    }

    private func endedMessage(_ stored: StoredBankIDOrder, _ language: Language) -> String {
        let order = stored.order
        let rfa: RFA
        switch order.state {
        case .cancelled: rfa = .rfa3
        case .failed:
            if let code = order.errorCode {
                if code == "expired" {
                    rfa = .rfa8
                } else if code.hasPrefix(Self.transportFailure) {
                    rfa = RPTransportError.rfa(for: RPTransportError.Kind(rawValue: String(code.dropFirst(Self.transportFailure.count))) ?? .other)
                } else {
                    rfa = UserMessage.forError(RPErrorCode(code))
                }
            } else {
                rfa = UserMessage.forCollect(status: .failed, hintCode: order.hintCode, startMethod: .qrCode) ?? .rfa22
            }
        default: rfa = .rfa8
        }
        return rfa.text(language)
    }

    /// How an order ended by a transport failure records it: this prefix and the failure's kind.
    static let transportFailure = "transport-"

    /// A phone or tablet gets the https autostart link and the B variants of the messages.
    static func device(_ request: Request) -> UserDevice {
        let agent = request.header("User-Agent") ?? ""
        for marker in ["Mobi", "Android", "iPhone", "iPad"] where agent.contains(marker) { return .mobile }
        return .computer
    }

    static func jsonEscaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "<": out += "\\u003c"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
