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
        guard Self.isFormMediaType(request.contentType) else { throw HTTPError(.badRequest) }
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

    /// True when the media type of `Content-Type` (its first non-empty part before a `;`, without
    /// spaces and tabs around it) is `application/x-www-form-urlencoded`, in any case. On bytes:
    /// splitting and lowercasing made new strings on every POST.
    static func isFormMediaType(_ contentType: String) -> Bool {
        var contentType = contentType
        return contentType.withUTF8 { bytes in
            var start = 0
            var end = bytes.count
            while start < end && bytes[start] == UInt8(ascii: ";") { start += 1 }
            var semicolon = start
            while semicolon < end && bytes[semicolon] != UInt8(ascii: ";") { semicolon += 1 }
            end = semicolon
            while start < end && (bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t")) { start += 1 }
            while end > start && (bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t")) { end -= 1 }
            let expected = Self.formMediaType
            guard end - start == expected.count else { return false }
            for offset in 0..<expected.count {
                let byte = bytes[start + offset]
                if (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte) != expected[offset] { return false }
            }
            return true
        }
    }

    private static let formMediaType = Array("application/x-www-form-urlencoded".utf8)

    /// The error of a refused POST, audited (a few a minute per client address: `Store.auditRefusal`).
    /// `outcome` says what was wrong: `cross-site`, `token`, or `shown` (a link page's proof that
    /// the page was shown in this browser).
    func refuse(_ kind: HTTPError.Kind, _ context: Context, outcome: String? = nil) -> HTTPError {
        try? store.auditRefusal(.csrfRefused, outcome: outcome ?? (kind == .crossSite ? "cross-site" : "token"),
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
