import FoundationXML
import Testing
@testable import BankID

struct AnimatedQRTests {
    /// The vector of BankID's RP guidelines.
    @Test(arguments: [
        (0, "dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8"),
        (1, "949d559bf23403952a94d103e67743126381eda00f0b3cbddbf7c96b1adcbce2"),
        (2, "a9e5ec59cb4eee4ef4117150abc58fad7a85439a6a96ccbecc3668b41795b3f3"),
    ])
    func officialVector(seconds: Int, code: String) {
        let payload = AnimatedQR.payload(startToken: "67df3917-fa0d-44e5-b327-edcc928297f8",
                                         startSecret: "d28db9a7-4cde-429e-a983-359be676944c", seconds: seconds)
        #expect(payload == "bankid.67df3917-fa0d-44e5-b327-edcc928297f8.\(seconds).\(code)")
    }

    @Test func svgIsAWellFormedSquareWithModules() throws {
        let payload = AnimatedQR.payload(startToken: "67df3917-fa0d-44e5-b327-edcc928297f8",
                                         startSecret: "d28db9a7-4cde-429e-a983-359be676944c", seconds: 7)
        let rows = try QRCodeSVG.modules(payload)
        #expect(rows.count >= 21 && rows.count % 4 == 1)
        #expect(rows.allSatisfy { $0.count == rows.count })
        // Finder pattern in the top-left corner: a dark 7×7 ring.
        #expect(rows[0][0] && rows[0][6] && rows[6][0] && rows[6][6] && !rows[1][1] && rows[3][3])
        let svg = try QRCodeSVG.svg(payload, label: "QR <code>")
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("aria-label=\"QR &lt;code>\""))
        #expect(svg.contains("viewBox=\"0 0 \(rows.count + 8) \(rows.count + 8)\""))
        #expect(svg.hasSuffix("</svg>"))
        _ = try XMLDocument(xmlString: svg)
    }
}
