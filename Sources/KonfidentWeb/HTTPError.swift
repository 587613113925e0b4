import FastCGI

/// An error that carries its status and the page to show; `Application` renders it in one place.
struct HTTPError: Error, Sendable {
    enum Kind: Sendable, Equatable {
        case badRequest
        case crossSite
        case badCSRFToken
        case forbidden
        case notFound
        case unknownWorkspace
        case methodNotAllowed(allowed: [String])
        case contentTooLarge
        /// Over a rate limit; `retryAfter` seconds until its window ends.
        case tooManyRequests(retryAfter: Int64)
        case linkGone(reason: Text)
        case unavailable(title: Text, body: Text)
        case internalError
        /// A page for signed-in members, asked for by a signed-out browser: off to the login page.
        case signInRequired
    }

    let kind: Kind

    init(_ kind: Kind) {
        self.kind = kind
    }

    var status: HTTPStatus {
        switch kind {
        case .badRequest: .badRequest
        case .crossSite, .badCSRFToken, .forbidden: .forbidden
        case .notFound, .unknownWorkspace: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .contentTooLarge: .contentTooLarge
        case .tooManyRequests: .tooManyRequests
        case .linkGone: .gone
        case .unavailable: .serviceUnavailable
        case .internalError: .internalServerError
        case .signInRequired: .seeOther
        }
    }
}

extension Text: Equatable {
    static func == (lhs: Text, rhs: Text) -> Bool {
        lhs.string(.en) == rhs.string(.en)
    }
}
