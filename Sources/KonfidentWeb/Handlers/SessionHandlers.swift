import FastCGI
import KonfidentCore
import KonfidentStore

extension Application {
    /// `POST /_konfident/signout`: ends the session server-side and drops the cookie.
    func signOut(_ context: Context) throws -> Response {
        _ = try checkedForm(context)
        try endCurrentSession(context)
        context.deleteCookie(.session)
        return redirect(context.paths.home)
    }

    /// Ends the session this browser has, if any, on the server: sign out, and a new sign-in
    /// (which replaces it).
    func endCurrentSession(_ context: Context) throws {
        if let cookie = context.cookie(.session), Base64URL.isWellFormed(cookie, length: 43...43) {
            try store.endSession(hash: Secret.hash(cookie), ip: context.request.remoteAddress, at: context.now)
        }
    }

    /// `GET /_konfident/auth` for nginx `auth_request`: 204 with who is signed in, or 401.
    func authorize(_ context: Context) throws -> Response {
        guard let session = try context.session(store: store, settings: settings) else {
            return Response(status: .unauthorized)
        }
        // X-Konfident-Member names the member as the pages do (the masked personnummer for a
        // member without email, which members born the same day share); X-Konfident-Member-ID is
        // the member's number, unique in the installation and kept for life, for applications that
        // keep data per member.
        return Response(status: .noContent, headers: [
            ("X-Konfident-Member", session.member.displayName),
            ("X-Konfident-Role", session.member.role.rawValue),
            ("X-Konfident-Member-ID", String(session.member.id)),
        ])
    }
}
