import Testing
@testable import KonfidentWeb

@Suite struct HTMLTests {
    @Test func interpolatedTextIsEscaped() {
        let hostile = "<script>alert(\"x\" + 'y')</script> & more"
        let html: HTML = "<p title=\"\(hostile)\">\(hostile)</p>"
        #expect(html.text == "<p title=\"&lt;script&gt;alert(&quot;x&quot; + &#39;y&#39;)&lt;/script&gt; &amp; more\">"
            + "&lt;script&gt;alert(&quot;x&quot; + &#39;y&#39;)&lt;/script&gt; &amp; more</p>")
        #expect(!html.text.contains("<script>"))
    }

    @Test func plainTextIsKeptAsIs() {
        let name = "Åsa Öberg — 100 % (ok)"
        let html: HTML = "<b>\(name)</b>"
        #expect(html.text == "<b>Åsa Öberg — 100 % (ok)</b>")
    }

    @Test func interpolatedHTMLIsKept() {
        let inner: HTML = "<em>\("a<b")</em>"
        let outer: HTML = "<p>\(inner)</p>"
        #expect(outer.text == "<p><em>a&lt;b</em></p>")
        let list: [HTML] = ["<li>1</li>", "<li>\("&")</li>"]
        let ul: HTML = "<ul>\(list)</ul>"
        #expect(ul.text == "<ul><li>1</li><li>&amp;</li></ul>")
    }

    @Test func integersAreInterpolatedAsDigits() {
        let html: HTML = "<meta content=\"\(3)\">"
        #expect(html.text == "<meta content=\"3\">")
    }

    @Test func trustedMarkupIsTheOnlyRawWay() {
        let raw = "<script src=\"/static/wait.js\"></script>"
        #expect(HTML(trusted: raw).text == raw)
        let html: HTML = "\(HTML(trusted: raw))\(raw)"
        #expect(html.text == raw + "&lt;script src=&quot;/static/wait.js&quot;&gt;&lt;/script&gt;")
        #expect((HTML(trusted: "<a>") + HTML(trusted: "</a>")).text == "<a></a>")
        #expect(HTML.empty.text.isEmpty)
        #expect(HTML(trusted: "<i>").description == "<i>")
    }

    @Test func escapesEveryByteThatMatters() {
        var out = ""
        HTML.escape("&<>\"'", into: &out)
        #expect(out == "&amp;&lt;&gt;&quot;&#39;")
    }
}
