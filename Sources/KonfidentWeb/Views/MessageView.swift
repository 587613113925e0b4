import KonfidentCore

/// A page that says one thing and offers the way back: error pages, used links, BankID unavailable.
struct MessageView {
    var title: String
    var paragraphs: [String]
    var backLink: (label: String, href: String)?

    func content() -> HTML {
        let body: [HTML] = paragraphs.map { "<p>\($0)</p>\n" }
        let back: HTML = backLink.map { "<p class=\"actions\"><a href=\"\($0.href)\">\($0.label)</a></p>" } ?? .empty
        return """
            <h1>\(title)</h1>
            \(body)\(back)
            """
    }
}
