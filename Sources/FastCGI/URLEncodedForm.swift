/// `application/x-www-form-urlencoded` decoding, strict: a bad percent-escape, invalid UTF-8
/// or too many fields is an error, never a guess and never a crash.
public struct URLEncodedForm: Sendable, Equatable {
    public enum DecodingError: Error, Equatable, Sendable {
        case badEscape
        case invalidUTF8
        case tooManyFields(limit: Int)
    }

    /// Fields in the order they came; a name may repeat.
    public let fields: [(name: String, value: String)]

    public static func == (lhs: URLEncodedForm, rhs: URLEncodedForm) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    public init(fields: [(name: String, value: String)]) {
        self.fields = fields
    }

    public init(decoding bytes: [UInt8], maximumFields: Int = 64) throws(DecodingError) {
        var fields: [(name: String, value: String)] = []
        // Pairs between '&'s (empty ones skipped), each split at its first '='; by index, with no
        // array of pieces in between.
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "&") { end += 1 }
            if end > start {
                if fields.count == maximumFields { throw .tooManyFields(limit: maximumFields) }
                var equals = start
                while equals < end && bytes[equals] != UInt8(ascii: "=") { equals += 1 }
                if equals < end {
                    fields.append((try Self.decodeComponent(bytes[start..<equals]), try Self.decodeComponent(bytes[(equals + 1)..<end])))
                } else {
                    fields.append((try Self.decodeComponent(bytes[start..<end]), ""))
                }
            }
            start = end + 1
        }
        self.fields = fields
    }

    public init(decoding string: String, maximumFields: Int = 64) throws(DecodingError) {
        try self.init(decoding: Array(string.utf8), maximumFields: maximumFields)
    }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// Every value of `name`, in order.
    public func values(of name: String) -> [String] {
        fields.filter { $0.name == name }.map(\.value)
    }

    static func decodeComponent(_ bytes: ArraySlice<UInt8>) throws(DecodingError) -> String {
        // Most names and many values need no decoding: straight to a string.
        if !bytes.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) {
            guard let string = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8 }
            return string
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "+"):
                out.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                let first = bytes.index(after: index)
                guard first != bytes.endIndex else { throw .badEscape }
                let second = bytes.index(after: first)
                guard second != bytes.endIndex,
                      let high = hexValue(bytes[first]), let low = hexValue(bytes[second])
                else { throw .badEscape }
                out.append(high << 4 | low)
                index = second
            default:
                out.append(byte)
            }
            index = bytes.index(after: index)
        }
        guard let string = String(validating: out, as: UTF8.self) else { throw .invalidUTF8 }
        return string
    }

    /// Percent-encodes a component for a query string or form body.
    public static func encodeComponent(_ string: String) -> String {
        var out = ""
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(digits[Int(byte >> 4)])
                out.unicodeScalars.append(digits[Int(byte & 15)])
            }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
