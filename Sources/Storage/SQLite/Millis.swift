import Foundation

/// Dates as stored: whole Unix milliseconds in an INTEGER column.
///
/// Integers sort and compare exactly in SQL (unlike REAL seconds) and milliseconds are finer than
/// anything a client displays; a date read back equals the original once rounded to the millisecond.
enum Millis {
    static func encode(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func decode(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
