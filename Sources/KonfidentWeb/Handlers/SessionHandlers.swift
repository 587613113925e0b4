import FastCGI
import KonfidentCore
import KonfidentStore

extension Application {
    /// `POST /_konfident/signout`: ends the session server-side and drops the cookie.
    func signOut(_ context: Context) throws -> Response {
        _ = try checkedForm(context)
        if let cookie = context.cookie(.session) {
            try store.endSession(hash: Secret.hash(cookie), ip: context.request.remoteAddress, at: context.now)
        }
        context.deleteCookie(.session)
        return redirect(context.paths.home)
    }

    /// `GET /_konfident/auth` for nginx `auth_request`: 204 with who is signed in, or 401.
    func authorize(_ context: Context) throws -> Response {
        guard let session = try context.session(store: store, settings: settings) else {
            return Response(status: .unauthorized)
        }
        return Response(status: .noContent, headers: [
            ("X-Konfident-Member", session.member.displayName),
            ("X-Konfident-Role", session.member.role.rawValue),
        ])
    }
}
