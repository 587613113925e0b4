import KonfidentCore

/// The shell every page shares: header with the workspace name and the language switch, the card, the footer.
struct Page: Sendable {
    var title: String
    var language: Language
    var workspaceName: String?
    /// Absolute path of the workspace root ("/" or "/prefix/"), for the brand link and the language switch.
    var homePath: String
    /// Where the language switch points (a page that answers GET); the workspace root by default.
    var languageSwitchPath: String?
    var content: HTML
    var refreshSeconds: Int? = nil
    /// Where the refresh goes; the page itself when nil.
    var refreshTarget: String? = nil
    var script: String? = nil
    var mainAttributes: HTML = .empty
    var wide = false
    var statusCode: Int? = nil

    func render() -> HTML {
        let refresh: HTML = refreshSeconds.map { seconds in
            let target: HTML = refreshTarget.map { ";url=\($0)" } ?? .empty
            return "<meta http-equiv=\"refresh\" content=\"\(seconds)\(target)\">\n"
        } ?? .empty
        let scriptTag: HTML = script.map { "<script src=\"/static/\($0)\" defer></script>\n" } ?? .empty
        let switchPath = languageSwitchPath ?? homePath
        let brand = workspaceName ?? "KONFIDENT"
        let status: HTML = statusCode.map { "<p class=\"status-code\">\($0)</p>\n" } ?? .empty
        let wideClass: HTML = wide ? " wide" : .empty
        guard let template = Self.templates[language] ?? nil else {
            return Self.markup(language: language, refresh: refresh, title: title, scriptTag: scriptTag, homePath: homePath,
                               brand: brand, switchPath: switchPath, wide: wideClass, mainAttributes: mainAttributes,
                               status: status, content: content)
        }
        return template.render([refresh, HTML(escaping: title), scriptTag, HTML(escaping: homePath), HTML(escaping: brand),
                                HTML(escaping: switchPath), wideClass, mainAttributes, status, content])
    }

    /// The shell of each language, rendered once.
    private static let templates: [Language: HTMLTemplate?] = Dictionary(uniqueKeysWithValues: Language.allCases.map { language in
        (language, HTMLTemplate(slots: 10) { slot in
            markup(language: language, refresh: HTML(trusted: slot[0]), title: slot[1], scriptTag: HTML(trusted: slot[2]),
                   homePath: slot[3], brand: slot[4], switchPath: slot[5], wide: HTML(trusted: slot[6]),
                   mainAttributes: HTML(trusted: slot[7]), status: HTML(trusted: slot[8]), content: HTML(trusted: slot[9]))
        })
    })

    private static func markup(language: Language, refresh: HTML, title: String, scriptTag: HTML, homePath: String,
                               brand: String, switchPath: String, wide: HTML, mainAttributes: HTML, status: HTML,
                               content: HTML) -> HTML {
        let switcher: [HTML] = Language.allCases.map { option in
            let current: HTML = option == language ? " aria-current=\"true\"" : .empty
            return "<a href=\"\(switchPath)?lang=\(option.rawValue)\" lang=\"\(option.rawValue)\" hreflang=\"\(option.rawValue)\"\(current)>\(Text.languageName.string(option))</a>"
        }
        return """
            <!doctype html>
            <html lang="\(language.rawValue)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            \(refresh)<title>\(title) · KONFIDENT</title>
            <link rel="stylesheet" href="/static/konfident.css">
            <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
            \(scriptTag)</head>
            <body>
            <header class="site"><a class="brand" href="\(homePath)"><img src="/static/logo.svg" alt="" width="28" height="28"><span>\(brand)</span></a>
            <nav class="language" aria-label="Language / Språk">\(switcher)</nav></header>
            <main class="card\(wide)"\(mainAttributes)>
            \(status)\(content)
            </main>
            <footer class="site"><span>KONFIDENT</span></footer>
            </body>
            </html>

            """
    }
}

/// A form's error line (`role="alert"`, element id `id`) and the attributes that tie the field to it;
/// both empty without an error.
func fieldError(_ error: Text?, id: String, _ language: Language) -> (line: HTML, attributes: HTML) {
    guard let error else { return (.empty, .empty) }
    return ("<p class=\"error\" role=\"alert\" id=\"\(id)\">\(error.string(language))</p>\n",
            " aria-invalid=\"true\" aria-describedby=\"\(id)\"")
}

/// A hidden CSRF field; every form that changes state carries one.
func csrfField(_ token: String) -> HTML {
    "<input type=\"hidden\" name=\"\(FormField.csrf.rawValue)\" value=\"\(token)\">"
}
