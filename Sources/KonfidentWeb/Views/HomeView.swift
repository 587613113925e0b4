import KonfidentCore

/// Screen 8: the workspace home of a signed-in member.
struct HomeView {
    var workspaceName: String
    var memberName: String
    var role: Role
    var paths: Paths
    var csrfToken: String

    func content(_ language: Language) -> HTML {
        """
        <h1>\(workspaceName)</h1>
        <p class="lead">\(Text.signedInAs(name: memberName).string(language))</p>
        <dl class="facts"><dt>\(Text.roleLabel.string(language))</dt><dd>\(Text.role(role).string(language))</dd></dl>
        \(role == .administrator ? HTML("<p><a class=\"button secondary\" href=\"\(paths.members)\">\(Text.members.string(language))</a></p>") : .empty)
        <p class="hint">\(Text.homeLead.string(language))</p>
        <form method="post" action="\(paths.signOut)" class="inline">
        \(csrfField(csrfToken))
        <button type="submit" class="secondary">\(Text.signOut.string(language))</button>
        </form>
        """
    }
}
