import FastCGI
import KonfidentCore
@testable import KonfidentWeb
import Testing

/// The JSON of the waiting and welcome pages' polls, as `www/wait.js` parses it.
@Suite struct PollAnswerTests {
    @Test func listsTheMissingLinksInOrder() throws {
        let app = try TestApp().app
        let cases: [(String, [LinkChannel], String)] = [
            ("pending", [], #"{"state":"pending","missing":[]}"#),
            ("pending", [.sms], #"{"state":"pending","missing":["sms"]}"#),
            ("pending", [.email, .sms], #"{"state":"pending","missing":["email","sms"]}"#),
            ("cancelled", [], #"{"state":"cancelled","missing":[]}"#),
        ]
        for (state, missing, expected) in cases {
            let response = app.pollAnswer(state: state, missing: missing)
            #expect(response.status == .ok)
            #expect(String(decoding: response.body, as: UTF8.self) == expected)
            #expect(response.header("Content-Type") == "application/json")
        }
    }
}
