import CQREncode

/// A QR code drawn by libqrencode as an SVG document: one `<path>` of the dark modules, a quiet
/// zone of four modules, crisp at any size.
public enum QRCodeSVG {
    public enum Failure: Error, Equatable {
        case encodingFailed
    }

    /// The modules of `text` (8-bit mode, error correction L as BankID's own codes), row by row.
    public static func modules(_ text: String) throws(Failure) -> [[Bool]] {
        guard let code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_L) else { throw .encodingFailed }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        var rows: [[Bool]] = []
        rows.reserveCapacity(width)
        for y in 0..<width {
            var row: [Bool] = []
            row.reserveCapacity(width)
            for x in 0..<width {
                row.append(code.pointee.data[y * width + x] & 1 == 1)
            }
            rows.append(row)
        }
        return rows
    }

    /// An SVG document of `text`, `size` CSS pixels wide, with an accessible label.
    public static func svg(_ text: String, size: Int = 240, label: String = "QR code") throws(Failure) -> String {
        let rows = try modules(text)
        let quiet = 4
        let extent = rows.count + 2 * quiet
        var path = ""
        path.reserveCapacity(rows.count * rows.count * 4)
        for (y, row) in rows.enumerated() {
            var x = 0
            while x < row.count {
                guard row[x] else { x += 1; continue }
                var run = 1
                while x + run < row.count && row[x + run] { run += 1 }
                path += "M\(x + quiet) \(y + quiet)h\(run)v1h-\(run)z"
                x += run
            }
        }
        let escapedLabel = label.replacingAll("&", "&amp;").replacingAll("<", "&lt;").replacingAll("\"", "&quot;")
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(extent) \(extent)" width="\(size)" height="\(size)" \
            shape-rendering="crispEdges" role="img" aria-label="\(escapedLabel)"><rect width="\(extent)" height="\(extent)" \
            fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }
}

extension String {
    func replacingAll(_ target: Character, _ replacement: String) -> String {
        var out = ""
        for character in self { if character == target { out += replacement } else { out.append(character) } }
        return out
    }
}
