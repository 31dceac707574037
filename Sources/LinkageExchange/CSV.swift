import Foundation
import LinkageModel

/// One record of a CSV file: its fields and the line it starts on (counted from 1, as an editor
/// shows it; a quoted field may span lines).
public struct CSVRecord: Sendable, Equatable {
    public let line: Int
    public let fields: [String]
}

/// RFC 4180 CSV: fields separated by commas (or tabs, as Excel's "Unicode text" writes), quoted
/// with `"` when they hold a separator, a quote (doubled) or a line break; lines end with CRLF or LF.
public enum CSV {
    /// The separator a file uses: a tab when the first line has tabs and no commas, else a comma.
    public static func separator(of text: String) -> Unicode.Scalar {
        let firstLine = text.prefix { $0 != "\n" && $0 != "\r\n" && $0 != "\r" }
        return firstLine.contains("\t") && !firstLine.contains(",") ? "\t" : ","
    }

    /// Parses `text`. Blank lines are skipped; an unterminated quote is an error naming its line.
    public static func parse(_ text: String, separator: Unicode.Scalar = ",") throws -> [CSVRecord] {
        var records: [CSVRecord] = []
        try parse(text, separator: separator) { records.append($0) }
        return records
    }

    /// Parses `text`, handing each record on as it ends (a file's records need not all be held).
    public static func parse(_ text: String, separator: Unicode.Scalar = ",", each: (CSVRecord) throws -> Void) throws {
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1
        var recordLine = 1
        var quoted = false          // inside quotes
        var wasQuoted = false       // the current field was quoted
        var quoteLine = 0
        var atFieldStart = true
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil

        func endField() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
            wasQuoted = false
            atFieldStart = true
        }
        func endRecord() throws {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) { try each(CSVRecord(line: recordLine, fields: fields)) }
            fields = []
        }

        while let c = pending ?? scalars.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    let next = scalars.next()
                    if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                } else {
                    if c == "\n" { line += 1 }
                    if c == "\r" {
                        let next = scalars.next()
                        if next != "\n" { pending = next }
                        field.append("\r"); if next == "\n" { field.append("\n") }
                        line += 1
                        continue
                    }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where atFieldStart:
                quoted = true
                wasQuoted = true
                quoteLine = line
                atFieldStart = false
            case separator:
                endField()
            case "\n", "\r":
                if c == "\r" {
                    let next = scalars.next()
                    if next != "\n" { pending = next }
                }
                try endRecord()
                line += 1
                recordLine = line
            default:
                field.append(c)
                atFieldStart = false
            }
        }
        if quoted { throw ExchangeError("line \(quoteLine): a quoted field is never closed; a value with a quote inside needs it doubled (\"\")") }
        if !fields.isEmpty || !field.isEmpty || wasQuoted { try endRecord() }
    }

    /// One field, quoted when it must be.
    public static func field(_ s: String, separator: Character = ",") -> String {
        // One pass over the UTF-8 bytes: an export writes millions of cells, and Foundation's
        // String.contains per character class cost more than the query that made them.
        let sep = separator.asciiValue ?? UInt8(ascii: ",")
        let utf8 = s.utf8
        let needsQuotes = utf8.first == UInt8(ascii: " ") || utf8.last == UInt8(ascii: " ")
            || utf8.contains { $0 == sep || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        return needsQuotes ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// Records as CSV text with CRLF line ends (what Excel and RFC 4180 expect).
    public static func text(_ records: [[String]]) -> String {
        var out = ""
        for r in records {
            out += r.map { field($0) }.joined(separator: ",")
            out += "\r\n"
        }
        return out
    }
}
