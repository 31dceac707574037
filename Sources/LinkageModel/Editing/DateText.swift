import Foundation

/// Dates as the register stores them: TEXT 'YYYY-MM-DD'.
public enum DateText {
    /// Checks that `text` is a real calendar day in ISO form; the error names the field.
    public static func check(_ text: String, field: String) throws -> String {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              ResidentID.isRealDate(String(format: "%04d%02d%02d", y, m, d)) else {
            throw QueryError("\(field) must be a date written YYYY-MM-DD, such as 2012-03-01; got '\(text)'")
        }
        return text
    }

    /// Today in the local time zone.
    public static func today() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: Date())
    }
}
