import FastCGI
import KonfidentCore

/// CSRF protection (DESIGN §2): a token that is an HMAC over the pre-session cookie, plus a
/// cross-origin check by `Sec-Fetch-Site`, else by `Origin`. `Origin: null` alone (sent for forms
/// on no-referrer pages) is no reason to refuse: the token decides.
extension Application {
    func csrfToken(_ context: Context) -> String {
        Base64URL.encode(key.authenticate("csrf|" + context.preSession))
    }

    /// Parses the form of a POST and checks where it came from and its token.
    func checkedForm(_ context: Context) throws(HTTPError) -> URLEncodedForm {
        let request = context.request
        if let site = request.header("Sec-Fetch-Site")?.lowercased() {
            guard site == "same-origin" || site == "none" else { throw refuse(.crossSite, context) }
        } else if let origin = request.header("Origin")?.lowercased(), origin != "null" {
            guard origin == context.workspace.url.origin else { throw refuse(.crossSite, context) }
        }
        let mediaType = request.contentType.split(separator: ";").first.map { $0.lowercased() } ?? ""
        guard mediaType.trimmingCharacters() == "application/x-www-form-urlencoded" else { throw HTTPError(.badRequest) }
        let form: URLEncodedForm
        do {
            form = try URLEncodedForm(decoding: request.body, maximumFields: settings.maximumFormFields)
        } catch {
            throw HTTPError(.badRequest)
        }
        guard !context.preSessionIsNew, let token = form[FormField.csrf.rawValue],
              Secret.constantTimeEquals(token, csrfToken(context))
        else { throw refuse(.badCSRFToken, context) }
        return form
    }

    private func refuse(_ kind: HTTPError.Kind, _ context: Context) -> HTTPError {
        try? store.audit(.csrfRefused, outcome: kind == .crossSite ? "cross-site" : "token",
                         workspaceID: context.workspace.id, ip: context.request.remoteAddress, at: context.now)
        return HTTPError(kind)
    }
}

extension String {
    func trimmingCharacters() -> String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
