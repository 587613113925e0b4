// QuotedPrintable.encode/decode (RFC 2045 §6.7).
import Foundation
import KonfidentCore
import Testing
import TestSupport
@testable import Delivery

@Suite struct QuotedPrintableTests {
    /// The checks every encoded text must pass, whatever went in.
    static func checkWireForm(_ encoded: String, _ context: String) {
        let lines = crlfLines(encoded)
        for line in lines {
            let bytes = Array(line.utf8)
            #expect(bytes.count <= 76, "\(context): line of \(bytes.count): \(line)")
            #expect(bytes.allSatisfy { $0 == 32 || ($0 >= 33 && $0 <= 126) }, "\(context): byte outside printable ASCII")
            #expect(bytes.last != 32 && bytes.last != 9, "\(context): blank at the end of an encoded line")
            var index = 0
            while index < bytes.count {
                if bytes[index] == 61 && index != bytes.count - 1 {
                    let hex = Array("0123456789ABCDEF".utf8)
                    let ok = index + 2 < bytes.count && hex.contains(bytes[index + 1]) && hex.contains(bytes[index + 2])
                    #expect(ok, "\(context): '=' not followed by two upper-case hex digits in \(line)")
                    index += 3
                } else {
                    index += 1
                }
            }
        }
        #expect(!Array(encoded.utf8).enumerated().contains { offset, byte in
            let bytes = Array(encoded.utf8)
            return (byte == 10 && (offset == 0 || bytes[offset - 1] != 13)) || (byte == 13 && (offset + 1 == bytes.count || bytes[offset + 1] != 10))
        }, "\(context): bare CR or LF")
    }

    @Test(arguments: 1...200)
    func randomTextRoundTrips(seed: Int) throws {
        var generator = TextGenerator(seed: UInt64(seed))
        let link = generator.link()
        let text = generator.text(link: link)
        let encoded = QuotedPrintable.encode(text)
        Self.checkWireForm(encoded, "seed \(seed)")
        // An independent, strict decoder gives the text back, the link on its own line.
        let strict = try strictQuotedPrintableDecode(encoded)
        #expect(strict == text, "seed \(seed)")
        #expect(lfLines(strict).contains(link), "seed \(seed)")
        // The product's decoder too (hard line breaks are CRLF in the canonical form).
        let decoded = QuotedPrintable.decode(encoded)
        #expect(decoded.replacingOccurrences(of: "\r\n", with: "\n") == text, "seed \(seed)")
    }

    @Test(arguments: [
        ("", ""),
        ("plain", "plain"),
        ("a=b", "a=3Db"),
        ("trailing ", "trailing=20"),
        ("trailing\t", "trailing=09"),
        ("mid space", "mid space"),
        ("å", "=C3=A5"),
        ("two\nlines ", "two\r\nlines=20"),
        ("crlf\r\nline", "crlf\r\nline"),
        ("end\n", "end\r\n"),
        ("cr cr lf\r\r\nx", "cr cr lf=0D\r\nx"),
        ("end cr\r", "end cr=0D"),
        ("blank before crlf \r\nx", "blank before crlf=20\r\nx"),
        ("\n\n", "\r\n\r\n"),
    ])
    func knownEncodings(input: String, expected: String) {
        #expect(QuotedPrintable.encode(input) == expected)
    }

    @Test(arguments: [1, 74, 75, 76, 77, 150, 151, 300, 1000])
    func longLinesBreakSoftlyAndComeBack(length: Int) throws {
        for filler in ["a", "=", "é", " ", "😀", "a "] {
            let text = String(repeating: filler, count: length)
            let encoded = QuotedPrintable.encode(text)
            Self.checkWireForm(encoded, "\(length)×\(filler)")
            #expect(try strictQuotedPrintableDecode(encoded) == text, "\(length)×\(filler)")
            #expect(QuotedPrintable.decode(encoded) == text, "\(length)×\(filler)")
        }
    }

    @Test func decodeAcceptsLFSoftBreaksAndLowerCaseHex() {
        #expect(QuotedPrintable.decode("ab=\ncd") == "abcd")
        #expect(QuotedPrintable.decode("ab=\r\ncd") == "abcd")
        #expect(QuotedPrintable.decode("=c3=a5") == "å")
        #expect(QuotedPrintable.decode("=3D=3d") == "==")
    }

    @Test func decodeLeavesBrokenEscapesAlone() {
        #expect(QuotedPrintable.decode("100=") == "100=")
        #expect(QuotedPrintable.decode("a=Zb") == "a=Zb")
        #expect(QuotedPrintable.decode("a=4") == "a=4")
    }

    /// RFC 2045 §6.7 the plain way, line by line, to hold the encoder's single pass against.
    static func referenceEncode(_ bytes: [UInt8]) -> [UInt8] {
        var lines: [[UInt8]] = [[]]
        for byte in bytes {
            if byte == 10 {
                if lines[lines.count - 1].last == 13 { lines[lines.count - 1].removeLast() }
                lines.append([])
            } else {
                lines[lines.count - 1].append(byte)
            }
        }
        var out: [UInt8] = []
        for (number, line) in lines.enumerated() {
            if number > 0 { out += [13, 10] }
            var length = 0
            for (offset, byte) in line.enumerated() {
                let literal = (33...126).contains(byte) && byte != 61 || (byte == 32 && offset != line.count - 1)
                let piece = literal ? [byte] : Array(String(format: "=%02X", byte).utf8)
                if length + piece.count > 75 {
                    out += Array("=\r\n".utf8)
                    length = 0
                }
                out += piece
                length += piece.count
            }
        }
        return out
    }

    /// Hostile text: runs of CR, LF, blanks, "=", tabs, controls and UTF-8 of every length, cut
    /// anywhere. The encoder agrees with the reference byte for byte and passes the wire checks.
    @Test(arguments: 1...300)
    func hostileTextMatchesTheReference(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed))
        let pieces: [[UInt8]] = [[13], [10], [13, 10], [13, 13, 10], [32], [32, 13, 10], [9], [61], [0], [127], [255],
                                 Array("å".utf8), Array("😀".utf8), Array("abcdefghij".utf8), [32, 32, 32]]
        var bytes: [UInt8] = []
        for _ in 0..<Int(random.next() % 400) {
            let piece = pieces[Int(random.next() % UInt64(pieces.count))]
            bytes += random.next() % 4 == 0 ? Array(repeating: piece, count: Int(random.next() % 90)).flatMap { $0 } : piece
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let encoded = QuotedPrintable.encode(text)
        #expect(encoded == String(decoding: Self.referenceEncode(Array(text.utf8)), as: UTF8.self), "seed \(seed)")
        Self.checkWireForm(encoded, "seed \(seed)")
    }

    @Test func bareCarriageReturnIsEncoded() {
        let encoded = QuotedPrintable.encode("a\rb")
        #expect(encoded == "a=0Db")
        #expect(QuotedPrintable.decode(encoded) == "a\rb")
    }
}
