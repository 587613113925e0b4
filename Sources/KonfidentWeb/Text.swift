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
    case matchCodeLabel
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
    case signedInAs(name: String)
    case roleLabel
    case role(Role)
    case signOut
    case homeLead
    case bankIDUnavailableTitle
    case bankIDUnavailable
    case errorTitle(Int)
    case errorBody(Int)
    case forbiddenCrossSite
    case forbiddenToken
    case unknownWorkspace
    case unknownWorkspaceBody

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
        case .matchCodeLabel: "Match code"
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
        case .matchCodeLabel: "Kontrollkod"
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
        }
    }
}
