import KonfidentCore
import KonfidentStore

/// Screen 8, the administrators' members page: the list with its actions, and the invite form.
struct MembersView {
    /// What the invite form held when it was refused, so nothing typed is lost.
    struct Draft {
        var method: LoginMethod = .email
        var email = ""
        var phone = ""
        var personnummer = ""
        var role: Role = .general
    }

    var members: [Member]
    var currentMemberID: Int64
    var paths: Paths
    var csrfToken: String
    var notice: Text?
    var error: Text?
    var draft = Draft()

    func content(_ language: Language) -> HTML {
        let noticeLine: HTML = notice.map { "<p class=\"success\" role=\"status\">\($0.string(language))</p>\n" } ?? .empty
        let errorLine = fieldError(error, id: "invite-error", language).line
        return """
            <h1>\(Text.members.string(language))</h1>
            <p class="lead">\(Text.membersLead.string(language))</p>
            \(noticeLine)<div class="table-scroll">
            <table class="members">
            <thead><tr><th scope="col">\(Text.memberLabel.string(language))</th><th scope="col">\(Text.phoneLabel.string(language))</th><th scope="col">\(Text.methodLabel.string(language))</th><th scope="col">\(Text.roleLabel.string(language))</th><th scope="col">\(Text.stateLabel.string(language))</th><th scope="col">\(Text.lastSignInLabel.string(language))</th><th scope="col"><span class="visually-hidden">\(Text.actionsLabel.string(language))</span></th></tr></thead>
            <tbody>
            \(members.map { row($0, language) })</tbody>
            </table>
            </div>
            <h2 id="invite">\(Text.inviteHeading.string(language))</h2>
            \(errorLine)\(inviteForm(language))
            """
    }

    private func row(_ member: Member, _ language: Language) -> HTML {
        let you: HTML = member.id == currentMemberID ? " <span class=\"hint\">\(Text.you.string(language))</span>" : .empty
        let lastSignIn = member.lastSignInAt.map(TimeFormat.local) ?? Text.never.string(language)
        var actions: [HTML] = []
        if member.state == .invited && member.email != nil {
            actions.append(actionForm(member, .resend, label: Text.resendInvitation.string(language), style: "link"))
        }
        if member.state != .revoked {
            let options: [HTML] = Role.allCases.map { role in
                "<option value=\"\(role.rawValue)\"\(role == member.role ? HTML(trusted: " selected") : .empty)>\(Text.role(role).string(language))</option>"
            }
            actions.append("""
                <form class="inline" method="post" action="\(paths.member(member.id, .role))">\(csrfField(csrfToken))<label class="visually-hidden" for="role-\(Int(member.id))">\(Text.roleLabel.string(language))</label><select id="role-\(Int(member.id))" name="\(FormField.role.rawValue)">\(options)</select> <button type="submit" class="link">\(Text.changeRole.string(language))</button></form>
                """)
            actions.append(actionForm(member, .revoke, label: Text.revoke.string(language), style: "link danger"))
        }
        return """
            <tr><td data-label="\(Text.memberLabel.string(language))">\(member.displayName)\(you)</td><td data-label="\(Text.phoneLabel.string(language))">\(member.phone.flatMap { try? PhoneNumber(parsing: $0) }?.masked ?? "—")</td><td data-label="\(Text.methodLabel.string(language))">\(Text.method(member.method).string(language))</td><td data-label="\(Text.roleLabel.string(language))">\(Text.role(member.role).string(language))</td><td data-label="\(Text.stateLabel.string(language))">\(Text.state(member.state).string(language))</td><td data-label="\(Text.lastSignInLabel.string(language))">\(lastSignIn)</td><td>\(actions)</td></tr>

            """
    }

    private func actionForm(_ member: Member, _ action: MemberAction, label: String, style: String) -> HTML {
        "<form class=\"inline\" method=\"post\" action=\"\(paths.member(member.id, action))\">\(csrfField(csrfToken))<button type=\"submit\" class=\"\(style)\">\(label)</button></form>"
    }

    private func inviteForm(_ language: Language) -> HTML {
        let methods: [HTML] = LoginMethod.allCases.map { method in
            "<option value=\"\(method.rawValue)\"\(method == draft.method ? HTML(trusted: " selected") : .empty)>\(Text.method(method).string(language))</option>"
        }
        let roles: [HTML] = Role.allCases.map { role in
            "<option value=\"\(role.rawValue)\"\(role == draft.role ? HTML(trusted: " selected") : .empty)>\(Text.role(role).string(language))</option>"
        }
        let invalid: HTML = error == nil ? .empty : " aria-describedby=\"invite-error\""
        return """
            <form method="post" action="\(paths.invite)" class="stack">
            \(csrfField(csrfToken))
            <label for="invite-method">\(Text.methodLabel.string(language))</label>
            <select id="invite-method" name="\(FormField.method.rawValue)">\(methods)</select>
            <label for="invite-email">\(Text.emailLabel.string(language))</label>
            <input id="invite-email" name="\(FormField.email.rawValue)" type="email" autocomplete="off" maxlength="254" value="\(draft.email)"\(invalid)>
            <p class="hint">\(Text.emailForMethodHint.string(language))</p>
            <label for="invite-phone">\(Text.phoneLabel.string(language))</label>
            <input id="invite-phone" name="\(FormField.phone.rawValue)" type="tel" autocomplete="off" inputmode="tel" maxlength="40" value="\(draft.phone)"\(invalid)>
            <p class="hint">\(Text.phoneHint.string(language))</p>
            <label for="invite-personnummer">\(Text.personnummerLabel.string(language))</label>
            <input id="invite-personnummer" name="\(FormField.personnummer.rawValue)" type="text" autocomplete="off" inputmode="numeric" maxlength="20" value="\(draft.personnummer)"\(invalid)>
            <p class="hint">\(Text.personnummerHint.string(language))</p>
            <label for="invite-role">\(Text.roleLabel.string(language))</label>
            <select id="invite-role" name="\(FormField.role.rawValue)">\(roles)</select>
            <button type="submit" class="primary">\(Text.invite.string(language))</button>
            </form>
            """
    }
}
