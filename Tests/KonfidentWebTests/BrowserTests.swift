import Testing
@testable import KonfidentWeb

@Suite struct BrowserTests {
    @Test(arguments: [
        ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox · Linux"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
         "Edge · Windows"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0",
         "Opera · Windows"),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
         "Safari · macOS"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
         "Safari · iOS"),
        ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
         "Chrome · Android"),
        ("MOZILLA/5.0 (X11; LINUX X86_64) CHROMIUM/120.0 SAFARI/537.36", "Chrome · Linux"),
        ("curl/8.5.0", "curl"),
        ("Wget/1.21 (linux-gnu)", "Linux"),
        ("", "—"),
        ("c", "—"),
        ("Åsa's own browser/1.0 ✓", "—"),
    ])
    func namesTheBrowserAndSystem(_ agent: String, _ expected: String) {
        #expect(Browser.describe(userAgent: agent) == expected)
    }
}
