import KonfidentCore

/// Screen 2: "check your inbox", the same for every address. It reloads itself until the attempt ends.
struct WaitView {
    var matchCode: String
    var validUntil: String
    var missing: [LinkChannel]
    var required: [LinkChannel]
    var paths: Paths
    var csrfToken: String

    func content(_ language: Language) -> HTML {
        // Steps appear only once a link was confirmed (2FA): before that the page must be the same
        // for members and non-members, whatever their method.
        let progressed = missing.count < required.count && required.count > 1
        let steps: HTML = progressed ? """
            <ul class="steps">\(required.map { channel -> HTML in
                let done = !missing.contains(channel)
                return "<li data-step=\"\(channel.rawValue)\" class=\"\(done ? "done" : "pending")\">\(Text.channelStep(channel, done: done).string(language))</li>"
            })</ul>

            """ : .empty
        guard let template = Self.templates[language] ?? nil else {
            return Self.markup(language, matchCode: matchCode, steps: steps, validUntil: validUntil,
                               cancelPath: paths.waitCancel, csrfField: csrfField(csrfToken))
        }
        return template.render([HTML(escaping: matchCode), steps, HTML(escaping: validUntil), HTML(escaping: paths.waitCancel),
                                csrfField(csrfToken)])
    }

    /// The page of each language, rendered once.
    private static let templates: [Language: HTMLTemplate?] = Dictionary(uniqueKeysWithValues: Language.allCases.map { language in
        (language, HTMLTemplate(slots: 5) { slot in
            markup(language, matchCode: slot[0], steps: HTML(trusted: slot[1]), validUntil: slot[2], cancelPath: slot[3],
                   csrfField: HTML(trusted: slot[4]))
        })
    })

    private static func markup(_ language: Language, matchCode: String, steps: HTML, validUntil: String,
                               cancelPath: String, csrfField: HTML) -> HTML {
        """
        <h1>\(Text.checkInboxTitle.string(language))</h1>
        <p class="lead">\(Text.checkInboxLead.string(language))</p>
        <p>\(Text.matchCodeHint.string(language))</p>
        <p class="match-code">\(matchCode)</p>
        \(steps)<div class="waiting" role="status"><span class="spinner" aria-hidden="true"></span> \(Text.waiting.string(language))</div>
        <p class="hint">\(Text.linkValidUntil(time: validUntil).string(language)) \(Text.noMessage.string(language))</p>
        <form method="post" action="\(cancelPath)" class="inline">
        \(csrfField)
        <button type="submit" class="link">\(Text.startAgain.string(language))</button>
        </form>
        """
    }
}
