import FastCGI
import KonfidentCore
import KonfidentStore

/// A signed-in member, proved: handlers that need one take this, never an optional.
struct SignedIn {
    let session: StoredSession
    var member: Member { session.member }
}

extension Application {
    func signedIn(_ context: Context) throws -> SignedIn {
        guard let session = try context.session(store: store, settings: settings) else { throw HTTPError(.signInRequired) }
        return SignedIn(session: session)
    }

    /// An administrator of this workspace; other members get 403.
    func administrator(_ context: Context) throws -> SignedIn {
        let signedIn = try signedIn(context)
        guard signedIn.member.role == .administrator else { throw HTTPError(.forbidden) }
        return signedIn
    }

    /// Screen 8, the members page: `GET /_konfident/members`.
    func membersPage(_ context: Context) throws -> Response {
        let admin = try administrator(context)
        let notice: Text? = switch Context.queryValue(context.request, "notice") {
        case "resent": .noticeResent
        case "revoked": .noticeRevoked
        case "role": .noticeRoleChanged
        // The name comes from the store, never from the address: a crafted link cannot put words on this page.
        case "invited": try noticeMember(context).map { .noticeInvited(name: $0.displayName) }
        case "invited-bankid": try noticeMember(context).map { .noticeInvitedWithoutMessage(name: $0.displayName) }
        default: nil
        }
        return try renderMembers(context, admin, notice: notice)
    }

    private func noticeMember(_ context: Context) throws -> Member? {
        guard let text = Context.queryValue(context.request, "member"), text.utf8.count <= 18, let id = Int64(text),
              let member = try store.member(id: id), member.workspaceID == context.workspace.id else { return nil }
        return member
    }

    private func renderMembers(_ context: Context, _ admin: SignedIn, notice: Text? = nil, error: Text? = nil,
                               draft: MembersView.Draft = .init(), status: HTTPStatus = .ok) throws -> Response {
        let view = MembersView(members: try store.members(of: context.workspace), currentMemberID: admin.member.id,
                               paths: context.paths, csrfToken: csrfToken(context), notice: notice, error: error, draft: draft)
        return html(context.page(Text.members.string(context.language), view.content(context.language),
                                 languageSwitch: context.paths.members, wide: true), status: status)
    }

    /// The invite form: `POST /_konfident/members/invite`. Every field is validated at the edge;
    /// a refusal shows the page again with what was typed and what is wrong (400).
    func invite(_ context: Context) throws -> Response {
        let form = try checkedForm(context)
        let admin = try administrator(context)
        var draft = MembersView.Draft()
        draft.email = String((form[FormField.email.rawValue] ?? "").prefix(254))
        draft.phone = String((form[FormField.phone.rawValue] ?? "").prefix(40))
        draft.personnummer = String((form[FormField.personnummer.rawValue] ?? "").prefix(20))
        guard let method = LoginMethod(rawValue: form[FormField.method.rawValue] ?? ""),
              let role = Role(rawValue: form[FormField.role.rawValue] ?? "") else { throw HTTPError(.badRequest) }
        draft.method = method
        draft.role = role
        func refuse(_ text: Text, _ status: HTTPStatus = .badRequest) throws -> Response {
            try renderMembers(context, admin, error: text, draft: draft, status: status)
        }
        var email: EmailAddress? = nil
        if !draft.email.trimmingCharacters().isEmpty {
            do { email = try EmailAddress(parsing: draft.email) } catch { return try refuse(.invalidEmail) }
        }
        var phone: PhoneNumber? = nil
        if !draft.phone.trimmingCharacters().isEmpty {
            do { phone = try PhoneNumber(parsing: draft.phone) } catch {
                return try refuse(error == .missingCountryCode ? .phoneMissingCountryCode : .invalidPhone)
            }
        }
        var personnummer: Personnummer? = nil
        if !draft.personnummer.trimmingCharacters().isEmpty {
            do { personnummer = try Personnummer(parsing: draft.personnummer, today: TimeFormat.civilDate(context.now)) } catch {
                return try refuse(.invalidPersonnummer)
            }
        }
        let new = NewMember(email: email, phone: phone, personnummer: personnummer, method: method, role: role)
        do { try new.validate() } catch {
            switch error {
            case .emailRequired: return try refuse(.emailRequired)
            case .phoneRequired: return try refuse(.phoneRequired)
            case .identityRequired: return try refuse(.identityRequired)
            }
        }
        if method == .bankid && email != nil && !settings.bankIDConfigured { return try refuse(.bankIDEmailUnavailable) }
        let nonce = random.bytes(16)
        let request = InvitationRequest(workspace: context.workspace, member: new, invitedBy: admin.member,
                                        matchCode: MatchCode(randomBytes: random.bytes(3)), nonce: nonce,
                                        language: context.language, ip: context.request.remoteAddress,
                                        lifetime: settings.invitationLifetime)
        let member: Member
        do {
            (member, _) = try store.invite(request, at: context.now) { id, channel in
                Secret.hash(key.linkToken(purpose: .invitation, id: id, nonce: nonce, channel: channel))
            }
        } catch StoreError.duplicate {
            return try refuse(.duplicateMember, HTTPStatus(409, "Conflict"))
        }
        messageQueued()
        let notice = member.email == nil ? "invited-bankid" : "invited"
        return redirect(context.paths.members + "?notice=\(notice)&member=\(member.id)")
    }

    /// Re-send invitation, Revoke, Change role: `POST /_konfident/members/ID/ACTION`.
    func administer(memberID: Int64, action: MemberAction, _ context: Context) throws -> Response {
        let form = try checkedForm(context)
        let admin = try administrator(context)
        do {
            switch action {
            case .resend:
                let nonce = random.bytes(16)
                guard let member = try store.member(id: memberID), member.workspaceID == context.workspace.id else {
                    throw HTTPError(.notFound)
                }
                let request = InvitationRequest(
                    workspace: context.workspace,
                    member: NewMember(email: nil, phone: nil, personnummer: nil, method: member.method, role: member.role),
                    invitedBy: admin.member, matchCode: MatchCode(randomBytes: random.bytes(3)), nonce: nonce,
                    language: context.language, ip: context.request.remoteAddress, lifetime: settings.invitationLifetime)
                do {
                    _ = try store.resendInvitation(memberID: memberID, request: request, at: context.now) { id, channel in
                        Secret.hash(key.linkToken(purpose: .invitation, id: id, nonce: nonce, channel: channel))
                    }
                } catch StoreError.notFound {
                    throw HTTPError(.notFound)
                }
                messageQueued()
                return redirect(context.paths.members + "?notice=resent")
            case .revoke:
                try store.revokeMember(id: memberID, in: context.workspace, by: admin.member,
                                       ip: context.request.remoteAddress, at: context.now)
                if memberID == admin.member.id {
                    context.deleteCookie(.session)
                    return redirect(context.paths.home)
                }
                return redirect(context.paths.members + "?notice=revoked")
            case .role:
                guard let role = Role(rawValue: form[FormField.role.rawValue] ?? "") else { throw HTTPError(.badRequest) }
                try store.changeRole(of: memberID, to: role, in: context.workspace, by: admin.member,
                                     ip: context.request.remoteAddress, at: context.now)
                if memberID == admin.member.id && role != .administrator { return redirect(context.paths.home) }
                return redirect(context.paths.members + "?notice=role")
            }
        } catch AdministrationRefusal.lastAdministrator {
            return try renderMembers(context, admin, error: .lastAdministrator, status: HTTPStatus(409, "Conflict"))
        } catch AdministrationRefusal.notFound {
            throw HTTPError(.notFound)
        }
    }
}

extension Context {
    static func queryValue(_ request: Request, _ name: String) -> String? {
        guard !request.query.isEmpty, let form = try? URLEncodedForm(decoding: request.query, maximumFields: 16) else { return nil }
        return form[name]
    }
}
