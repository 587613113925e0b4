import KonfidentCore

/// Every sentence a page shows, in English and Swedish. A `switch` per language keeps
/// the two complete: a new text does not compile until both are written.
enum Text: Sendable {
    case languageName
    case logInTo(workspace: String)
    case loginLead
    case emailLabel
    case next
    case or
    case logInWithBankID
    case invalidEmail
    case checkInboxTitle
    case checkInboxLead
    case matchCodeHint
    case waiting
    case linkValidUntil(time: String)
    case noMessage
    case startAgain
    case attemptEnded
    case verifyTitle
    case verifyLead(workspace: String)
    case verifyCompare
    case workspaceLabel
    case requestedLabel
    case browserLabel
    case verifyIdentity
    case verifyNotYou
    case verificationCompleted
    case completedHere
    case completedElsewhere
    case stillMissing(LinkChannel)
    case channelStep(LinkChannel, done: Bool)
    case continueToWorkspace
    case linkGoneTitle
    case linkExpired
    case linkUsed
    case linkSuperseded
    case backToLogin
    case backToWorkspace
    case backToInvitation
    case signedInAs(name: String)
    case roleLabel
    case role(Role)
    case signOut
    case homeLead
    case bankIDUnavailableTitle
    case bankIDUnavailable
    case errorTitle(Int)
    case errorBody(Int)
    case tryAgainIn(minutes: Int64)
    case forbiddenCrossSite
    case forbiddenToken
    case unknownWorkspace
    case unknownWorkspaceBody
    case members
    case membersLead
    case inviteHeading
    case invite
    case methodLabel
    case method(LoginMethod)
    case phoneLabel
    case phoneHint
    case personnummerLabel
    case personnummerHint
    case emailForMethodHint
    case memberLabel
    case stateLabel
    case state(MemberState)
    case lastSignInLabel
    case never
    case actionsLabel
    case resendInvitation
    case revoke
    case changeRole
    case you
    case noticeInvited(name: String)
    case noticeInvitedWithoutMessage(name: String)
    case noticeResent
    case noticeRevoked
    case noticeRoleChanged
    case phoneMissingCountryCode
    case invalidPhone
    case invalidPersonnummer
    case emailRequired
    case phoneRequired
    case identityRequired
    case bankIDEmailUnavailable
    case duplicateMember
    case lastAdministrator
    case invitationTitle
    case invitationLead(inviter: String?, workspace: String)
    case invitedLabel
    case acceptInvitation
    case invitationSMSTitle
    case invitationSMSLead(workspace: String)
    case welcomeTitle
    case welcomeLead(workspace: String)
    case finish
    case welcomePendingTitle
    case welcomePendingLead
    case smsConfirmedElsewhere
    case invitationEnded
    case bankIDStartLead
    case personnummerOptionalLabel
    case personnummerOptionalHint
    case bankIDScanLead
    case qrCodeLabel
    case openBankIDHere
    case cancel
    case tryAgain
    case noAccessTitle
    case noAccess(identity: String)
    case simulatorNote
    case openSimulator
    case welcomeBankIDTitle
    case welcomeBankIDLead
    case welcomeBankIDKnown(masked: String)
    case continueWithBankID
    case bankIDWrongPerson
    case personnummerTaken
    case bankIDAlreadyInProgressTitle

    func string(_ language: Language) -> String {
        switch language {
        case .en: english
        case .sv: swedish
        }
    }

    private var english: String {
        switch self {
        case .languageName: "English"
        case let .logInTo(workspace): "Log in to \(workspace)"
        case .loginLead: "Enter your email address and we will send you a link to confirm that it is you."
        case .emailLabel: "Email address"
        case .next: "Next"
        case .or: "or"
        case .logInWithBankID: "Log in with BankID"
        case .invalidEmail: "That does not look like an email address. Check it and try again."
        case .checkInboxTitle: "Check your inbox"
        case .checkInboxLead: "If this address may sign in here, we have sent it a link. Open the link, on this device or another one."
        case .matchCodeHint: "The link page shows a code. Make sure it is the same as this one:"
        case .waiting: "Waiting for you to open the link…"
        case let .linkValidUntil(time): "The link works until \(time)."
        case .noMessage: "No message? Check the address and your spam folder, or start again."
        case .startAgain: "Start again"
        case .attemptEnded: "This sign-in has ended. Start again to get a new link."
        case .verifyTitle: "Verify your identity"
        case let .verifyLead(workspace): "Someone asked to sign in to \(workspace). If it was you, check the code and confirm."
        case .verifyCompare: "The waiting window should show this code:"
        case .workspaceLabel: "Workspace"
        case .requestedLabel: "Requested"
        case .browserLabel: "Browser"
        case .verifyIdentity: "Verify Identity"
        case .verifyNotYou: "If you did not ask to sign in, close this page. Nothing happens unless you press the button."
        case .verificationCompleted: "Verification completed"
        case .completedHere: "You are signed in."
        case .completedElsewhere: "The workspace is now open in the original window. You can close this page."
        case let .stillMissing(channel):
            channel == .sms ? "One more step: open the link we sent by SMS." : "One more step: open the link we sent by email."
        case let .channelStep(channel, done):
            (channel == .email ? "Email link: " : "SMS link: ") + (done ? "confirmed" : "waiting")
        case .continueToWorkspace: "Continue to the workspace"
        case .linkGoneTitle: "This link no longer works"
        case .linkExpired: "The link has expired. Links work for a short time only."
        case .linkUsed: "The link has already been used."
        case .linkSuperseded: "A newer link has been sent. Use the newest one."
        case .backToLogin: "Back to the login page"
        case .backToWorkspace: "Back to the workspace"
        case .backToInvitation: "Back to the invitation"
        case let .signedInAs(name): "Signed in as \(name)"
        case .roleLabel: "Role"
        case let .role(role):
            switch role {
            case .administrator: "Administrator"
            case .general: "General"
            case .limited: "Limited"
            }
        case .signOut: "Sign out"
        case .homeLead: "You are in. Your session ends after a while without activity, or when you sign out."
        case .bankIDUnavailableTitle: "BankID is not available"
        case .bankIDUnavailable: "This server is not set up for BankID yet. Log in with your email address instead, or ask your administrator."
        case let .errorTitle(code):
            switch code {
            case 400: "Bad request"
            case 403: "Not allowed"
            case 404: "Page not found"
            case 405: "Method not allowed"
            case 410: "This link no longer works"
            case 413: "Too much data"
            case 429: "Too many attempts"
            case 503: "Temporarily unavailable"
            default: "Something went wrong"
            }
        case let .tryAgainIn(minutes):
            "Please wait \(minutes == 1 ? "a minute" : "\(minutes) minutes") before you try again."
        case let .errorBody(code):
            switch code {
            case 400: "The request could not be understood. Go back and try again."
            case 403: "You are not allowed to do that here."
            case 404: "There is no page at this address."
            case 405: "This page cannot be used that way."
            case 410: "The link has expired or has already been used."
            case 413: "The request was larger than this server accepts."
            case 429: "Please wait a few minutes before you try again."
            case 503: "Please try again in a little while."
            default: "Something went wrong on our side. Please try again in a moment."
            }
        case .forbiddenCrossSite: "The form was sent from another site, so it was refused."
        case .forbiddenToken: "The form has expired or is missing its security token. Reload the page and try again. Cookies must be enabled."
        case .unknownWorkspace: "No workspace here"
        case .unknownWorkspaceBody: "There is no KONFIDENT workspace at this address. Check the address you were given."
        case .members: "Members"
        case .membersLead: "Invite people, re-send invitations, change roles and revoke access."
        case .inviteHeading: "Invite a member"
        case .invite: "Invite"
        case .methodLabel: "Login method"
        case let .method(method):
            switch method {
            case .email: "Email link"
            case .twoFactor: "Email + SMS (2FA)"
            case .bankid: "BankID"
            }
        case .phoneLabel: "Mobile number"
        case .phoneHint: "For Email + SMS: with the country code, e.g. +46 70 123 45 67."
        case .personnummerLabel: "Personnummer"
        case .personnummerHint: "For BankID: YYYYMMDD-NNNN."
        case .emailForMethodHint: "Needed for Email link and Email + SMS."
        case .memberLabel: "Member"
        case .stateLabel: "State"
        case let .state(state):
            switch state {
            case .invited: "Invited"
            case .active: "Active"
            case .revoked: "Revoked"
            }
        case .lastSignInLabel: "Last sign-in"
        case .never: "Never"
        case .actionsLabel: "Actions"
        case .resendInvitation: "Re-send invitation"
        case .revoke: "Revoke"
        case .changeRole: "Change role"
        case .you: "(you)"
        case let .noticeInvited(name): "Invitation sent to \(name)."
        case let .noticeInvitedWithoutMessage(name): "\(name) is invited and becomes active at their first BankID sign-in."
        case .noticeResent: "The invitation was sent again; the earlier link no longer works."
        case .noticeRevoked: "The member is revoked: their sessions have ended and their links no longer work."
        case .noticeRoleChanged: "The role was changed."
        case .phoneMissingCountryCode: "Add the country code to the mobile number, e.g. +46 70 123 45 67."
        case .invalidPhone: "That is not a mobile number. Write it with the country code, e.g. +46 70 123 45 67."
        case .invalidPersonnummer: "That is not a valid personnummer. Write it as YYYYMMDD-NNNN."
        case .emailRequired: "This login method needs an email address."
        case .phoneRequired: "Email + SMS needs a mobile number."
        case .identityRequired: "BankID needs a personnummer or an email address."
        case .bankIDEmailUnavailable: "Activating a BankID member by email needs BankID, which this server does not offer. Invite by personnummer only."
        case .duplicateMember: "There is already a member with that email address or personnummer."
        case .lastAdministrator: "The workspace must keep at least one active administrator."
        case .invitationTitle: "Accept the invitation"
        case let .invitationLead(inviter, workspace): "\(inviter ?? "An administrator") invited you to \(workspace)."
        case .invitedLabel: "Invited"
        case .acceptInvitation: "Accept invitation"
        case .invitationSMSTitle: "Confirm your mobile number"
        case let .invitationSMSLead(workspace): "This confirms the mobile number of your membership in \(workspace). Check that the first window shows this code:"
        case .welcomeTitle: "You're all set"
        case let .welcomeLead(workspace): "Your membership in \(workspace) is ready."
        case .finish: "Finish"
        case .welcomePendingTitle: "One more step"
        case .welcomePendingLead: "We have sent a link to your mobile number. Open it, on this device or another one; this page moves on by itself."
        case .smsConfirmedElsewhere: "Your mobile number is confirmed. Go back to the window where you accepted the invitation and press Finish."
        case .invitationEnded: "This invitation no longer works. Ask your administrator to send it again."
        case .bankIDStartLead: "Identify yourself with the BankID app, on this device or on your phone."
        case .personnummerOptionalLabel: "Personnummer (optional)"
        case .personnummerOptionalHint: "If you give it, only the BankID of that personnummer can be used. YYYYMMDD-NNNN."
        case .bankIDScanLead: "Start the BankID app on your phone and tap the QR code button. Point the camera at the QR code below."
        case .qrCodeLabel: "QR code for the BankID app"
        case .openBankIDHere: "Open BankID on this device"
        case .cancel: "Cancel"
        case .tryAgain: "Try again"
        case .noAccessTitle: "No access"
        case let .noAccess(identity): "You identified yourself with BankID as \(identity), but you have no access to this workspace. Ask an administrator of the workspace to invite you."
        case .simulatorNote: "Demo: BankID is simulated here. Open the simulated BankID app in another tab, paste the QR code's text or open the order, and approve."
        case .openSimulator: "Open the simulated BankID app"
        case .welcomeBankIDTitle: "Identify yourself with BankID"
        case .welcomeBankIDLead: "One step is left: identify yourself with BankID. From then on you log in with BankID."
        case let .welcomeBankIDKnown(masked): "Your invitation is for the personnummer \(masked)."
        case .continueWithBankID: "Continue with BankID"
        case .bankIDWrongPerson: "The BankID used does not belong to the personnummer of this invitation."
        case .personnummerTaken: "Another member of this workspace already has this personnummer. Ask your administrator."
        case .bankIDAlreadyInProgressTitle: "BankID is busy"
        }
    }

    private var swedish: String {
        switch self {
        case .languageName: "Svenska"
        case let .logInTo(workspace): "Logga in på \(workspace)"
        case .loginLead: "Ange din e-postadress så skickar vi en länk för att bekräfta att det är du."
        case .emailLabel: "E-postadress"
        case .next: "Nästa"
        case .or: "eller"
        case .logInWithBankID: "Logga in med BankID"
        case .invalidEmail: "Det ser inte ut som en e-postadress. Kontrollera den och försök igen."
        case .checkInboxTitle: "Kolla din inkorg"
        case .checkInboxLead: "Om adressen får logga in här har vi skickat en länk till den. Öppna länken, på den här enheten eller en annan."
        case .matchCodeHint: "Länksidan visar en kod. Kontrollera att den är samma som den här:"
        case .waiting: "Väntar på att du öppnar länken…"
        case let .linkValidUntil(time): "Länken fungerar till \(time)."
        case .noMessage: "Inget meddelande? Kontrollera adressen och skräpposten, eller börja om."
        case .startAgain: "Börja om"
        case .attemptEnded: "Inloggningen har avslutats. Börja om för att få en ny länk."
        case .verifyTitle: "Bekräfta din identitet"
        case let .verifyLead(workspace): "Någon vill logga in på \(workspace). Om det var du, kontrollera koden och bekräfta."
        case .verifyCompare: "Det väntande fönstret ska visa den här koden:"
        case .workspaceLabel: "Arbetsyta"
        case .requestedLabel: "Begärd"
        case .browserLabel: "Webbläsare"
        case .verifyIdentity: "Bekräfta identitet"
        case .verifyNotYou: "Om du inte har bett om att logga in kan du stänga sidan. Inget händer om du inte trycker på knappen."
        case .verificationCompleted: "Verifieringen är klar"
        case .completedHere: "Du är inloggad."
        case .completedElsewhere: "Arbetsytan är nu öppen i det ursprungliga fönstret. Du kan stänga den här sidan."
        case let .stillMissing(channel):
            channel == .sms ? "Ett steg kvar: öppna länken vi skickade med sms." : "Ett steg kvar: öppna länken vi skickade med e-post."
        case let .channelStep(channel, done):
            (channel == .email ? "E-postlänk: " : "Sms-länk: ") + (done ? "bekräftad" : "väntar")
        case .continueToWorkspace: "Fortsätt till arbetsytan"
        case .linkGoneTitle: "Länken fungerar inte längre"
        case .linkExpired: "Länken har gått ut. Länkar fungerar bara en kort stund."
        case .linkUsed: "Länken har redan använts."
        case .linkSuperseded: "En nyare länk har skickats. Använd den senaste."
        case .backToLogin: "Tillbaka till inloggningen"
        case .backToWorkspace: "Tillbaka till arbetsytan"
        case .backToInvitation: "Tillbaka till inbjudan"
        case let .signedInAs(name): "Inloggad som \(name)"
        case .roleLabel: "Roll"
        case let .role(role):
            switch role {
            case .administrator: "Administratör"
            case .general: "Allmän"
            case .limited: "Begränsad"
            }
        case .signOut: "Logga ut"
        case .homeLead: "Du är inne. Sessionen avslutas efter en stund utan aktivitet, eller när du loggar ut."
        case .bankIDUnavailableTitle: "BankID är inte tillgängligt"
        case .bankIDUnavailable: "Servern är inte konfigurerad för BankID ännu. Logga in med din e-postadress i stället, eller fråga din administratör."
        case let .errorTitle(code):
            switch code {
            case 400: "Felaktig begäran"
            case 403: "Inte tillåtet"
            case 404: "Sidan finns inte"
            case 405: "Metoden är inte tillåten"
            case 410: "Länken fungerar inte längre"
            case 413: "För mycket data"
            case 429: "För många försök"
            case 503: "Tillfälligt otillgänglig"
            default: "Något gick fel"
            }
        case let .tryAgainIn(minutes):
            "Vänta \(minutes == 1 ? "en minut" : "\(minutes) minuter") innan du försöker igen."
        case let .errorBody(code):
            switch code {
            case 400: "Begäran kunde inte tolkas. Gå tillbaka och försök igen."
            case 403: "Du får inte göra det här."
            case 404: "Det finns ingen sida på den här adressen."
            case 405: "Sidan kan inte användas på det sättet."
            case 410: "Länken har gått ut eller har redan använts."
            case 413: "Begäran var större än servern tar emot."
            case 429: "Vänta några minuter innan du försöker igen."
            case 503: "Försök igen om en liten stund."
            default: "Något gick fel hos oss. Försök igen om en stund."
            }
        case .forbiddenCrossSite: "Formuläret skickades från en annan webbplats och avvisades."
        case .forbiddenToken: "Formuläret har gått ut eller saknar sin säkerhetstoken. Ladda om sidan och försök igen. Kakor måste vara påslagna."
        case .unknownWorkspace: "Ingen arbetsyta här"
        case .unknownWorkspaceBody: "Det finns ingen KONFIDENT-arbetsyta på den här adressen. Kontrollera adressen du fick."
        case .members: "Medlemmar"
        case .membersLead: "Bjud in personer, skicka inbjudningar igen, byt roller och återkalla åtkomst."
        case .inviteHeading: "Bjud in en medlem"
        case .invite: "Bjud in"
        case .methodLabel: "Inloggningsmetod"
        case let .method(method):
            switch method {
            case .email: "E-postlänk"
            case .twoFactor: "E-post + sms (2FA)"
            case .bankid: "BankID"
            }
        case .phoneLabel: "Mobilnummer"
        case .phoneHint: "För e-post + sms: med landsnummer, t.ex. +46 70 123 45 67."
        case .personnummerLabel: "Personnummer"
        case .personnummerHint: "För BankID: ÅÅÅÅMMDD-NNNN."
        case .emailForMethodHint: "Behövs för e-postlänk och e-post + sms."
        case .memberLabel: "Medlem"
        case .stateLabel: "Status"
        case let .state(state):
            switch state {
            case .invited: "Inbjuden"
            case .active: "Aktiv"
            case .revoked: "Återkallad"
            }
        case .lastSignInLabel: "Senaste inloggning"
        case .never: "Aldrig"
        case .actionsLabel: "Åtgärder"
        case .resendInvitation: "Skicka inbjudan igen"
        case .revoke: "Återkalla"
        case .changeRole: "Byt roll"
        case .you: "(du)"
        case let .noticeInvited(name): "Inbjudan skickades till \(name)."
        case let .noticeInvitedWithoutMessage(name): "\(name) är inbjuden och blir aktiv vid första inloggningen med BankID."
        case .noticeResent: "Inbjudan skickades igen; den tidigare länken fungerar inte längre."
        case .noticeRevoked: "Medlemmen är återkallad: sessionerna har avslutats och länkarna fungerar inte längre."
        case .noticeRoleChanged: "Rollen ändrades."
        case .phoneMissingCountryCode: "Lägg till landsnumret i mobilnumret, t.ex. +46 70 123 45 67."
        case .invalidPhone: "Det är inget mobilnummer. Skriv det med landsnummer, t.ex. +46 70 123 45 67."
        case .invalidPersonnummer: "Det är inget giltigt personnummer. Skriv det som ÅÅÅÅMMDD-NNNN."
        case .emailRequired: "Den här inloggningsmetoden behöver en e-postadress."
        case .phoneRequired: "E-post + sms behöver ett mobilnummer."
        case .identityRequired: "BankID behöver ett personnummer eller en e-postadress."
        case .bankIDEmailUnavailable: "Att aktivera en BankID-medlem via e-post kräver BankID, som servern inte erbjuder. Bjud in med enbart personnummer."
        case .duplicateMember: "Det finns redan en medlem med den e-postadressen eller det personnumret."
        case .lastAdministrator: "Arbetsytan måste ha minst en aktiv administratör."
        case .invitationTitle: "Acceptera inbjudan"
        case let .invitationLead(inviter, workspace): "\(inviter ?? "En administratör") har bjudit in dig till \(workspace)."
        case .invitedLabel: "Inbjuden"
        case .acceptInvitation: "Acceptera inbjudan"
        case .invitationSMSTitle: "Bekräfta ditt mobilnummer"
        case let .invitationSMSLead(workspace): "Det här bekräftar mobilnumret för ditt medlemskap i \(workspace). Kontrollera att det första fönstret visar den här koden:"
        case .welcomeTitle: "Allt är klart"
        case let .welcomeLead(workspace): "Ditt medlemskap i \(workspace) är klart."
        case .finish: "Slutför"
        case .welcomePendingTitle: "Ett steg kvar"
        case .welcomePendingLead: "Vi har skickat en länk till ditt mobilnummer. Öppna den, på den här enheten eller en annan; sidan går vidare av sig själv."
        case .smsConfirmedElsewhere: "Ditt mobilnummer är bekräftat. Gå tillbaka till fönstret där du accepterade inbjudan och tryck på Slutför."
        case .invitationEnded: "Inbjudan fungerar inte längre. Be din administratör att skicka den igen."
        case .bankIDStartLead: "Legitimera dig med BankID-appen, på den här enheten eller i mobilen."
        case .personnummerOptionalLabel: "Personnummer (valfritt)"
        case .personnummerOptionalHint: "Om du anger det kan bara BankID för det personnumret användas. ÅÅÅÅMMDD-NNNN."
        case .bankIDScanLead: "Starta BankID-appen i mobilen och tryck på ikonen för QR-kod. Rikta kameran mot QR-koden här nedanför."
        case .qrCodeLabel: "QR-kod för BankID-appen"
        case .openBankIDHere: "Öppna BankID på den här enheten"
        case .cancel: "Avbryt"
        case .tryAgain: "Försök igen"
        case .noAccessTitle: "Ingen åtkomst"
        case let .noAccess(identity): "Du legitimerade dig med BankID som \(identity), men du har ingen åtkomst till den här arbetsytan. Be en administratör för arbetsytan att bjuda in dig."
        case .simulatorNote: "Demo: BankID är simulerat här. Öppna den simulerade BankID-appen i en annan flik, klistra in QR-kodens text eller öppna ordern, och godkänn."
        case .openSimulator: "Öppna den simulerade BankID-appen"
        case .welcomeBankIDTitle: "Legitimera dig med BankID"
        case .welcomeBankIDLead: "Ett steg återstår: legitimera dig med BankID. Därefter loggar du in med BankID."
        case let .welcomeBankIDKnown(masked): "Inbjudan gäller personnumret \(masked)."
        case .continueWithBankID: "Fortsätt med BankID"
        case .bankIDWrongPerson: "Det BankID som användes hör inte till personnumret i inbjudan."
        case .personnummerTaken: "En annan medlem av arbetsytan har redan det här personnumret. Fråga din administratör."
        case .bankIDAlreadyInProgressTitle: "BankID är upptaget"
        }
    }
}
