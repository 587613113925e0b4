import KonfidentCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Times shown on pages, in the server's local time zone (set `TZ` for the operator's zone).
enum TimeFormat {
    static func local(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        localtime_r(&time, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M %Z", &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The time of day with its zone ("21:45 UTC", "22:45 CET"): the reader's clock may be in
    /// another zone than the server's, as on the link page.
    static func clock(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        localtime_r(&time, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, "%H:%M %Z", &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension TimeFormat {
    /// The calendar date of `seconds` in the server's time zone (for personnummer centuries).
    static func civilDate(_ seconds: Int64) -> CivilDate {
        var time = time_t(seconds)
        var parts = tm()
        localtime_r(&time, &parts)
        return CivilDate(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday))
    }
}
