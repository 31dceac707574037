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
        separator(ofUTF8: text.utf8)
    }

    /// The same for a text's UTF-8 bytes (a file's first chunk).
    static func separator(ofUTF8 bytes: some Sequence<UInt8>) -> Unicode.Scalar {
        var tab = false
        for b in bytes {
            if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") { break }
            if b == UInt8(ascii: ",") { return "," }
            if b == UInt8(ascii: "\t") { tab = true }
        }
        return tab ? "\t" : ","
    }

    /// Parses `text`. Blank lines are skipped; an unterminated quote is an error naming its line.
    public static func parse(_ text: String, separator: Unicode.Scalar = ",") throws -> [CSVRecord] {
        var records: [CSVRecord] = []
        try parse(text, separator: separator) { records.append($0) }
        return records
    }

    /// Parses `text`, handing each record on as it ends (a file's records need not all be held).
    public static func parse(_ text: String, separator: Unicode.Scalar = ",", each: (CSVRecord) throws -> Void) throws {
        var parser = CSVParser(separator: separator)
        var text = text
        try text.withUTF8 { try parser.feed($0, each: each) }
        try parser.finish(each: each)
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

/// The CSV parser, fed the UTF-8 bytes of a text piece by piece (``CSVFile`` feeds a file a chunk at
/// a time): a record, a quoted field or a CRLF may span pieces. It counts physical lines as an
/// editor does (LF, CRLF or a lone CR ends one), so a record's line is where it starts even after
/// a quoted field with line breaks inside. Separators, quotes and line breaks are ASCII, which
/// never occurs inside a multi-byte UTF-8 character, so the bytes are split without decoding.
struct CSVParser {
    private let separator: UInt8
    /// The physical line of the next byte.
    private(set) var line = 1
    private var recordLine = 1
    private var quoted = false          // inside quotes
    private var wasQuoted = false       // the current field was quoted
    private var quoteLine = 0
    private var atFieldStart = true
    /// The byte before the next one was a quote inside a quoted field: a doubled quote or the end.
    private var afterQuote = false
    /// The byte before the next one was a CR: an LF next belongs to it.
    private var afterCR = false
    private var field: [UInt8] = []
    private var fields: [String] = []

    init(separator: Unicode.Scalar = ",") {
        self.separator = UInt8(ascii: separator)
    }

    private mutating func endField() {
        fields.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
        wasQuoted = false
        atFieldStart = true
    }

    private mutating func endRecord(_ each: (CSVRecord) throws -> Void) throws {
        endField()
        let record = fields
        fields = []
        fields.reserveCapacity(record.count)
        if !(record.count == 1 && record[0].isEmpty) { try each(CSVRecord(line: recordLine, fields: record)) }
    }

    /// Appends `c` and the bytes from `i` up to the next `stop` or line break, and moves `i` there.
    private mutating func appendRun(_ c: UInt8, _ bytes: UnsafeBufferPointer<UInt8>, from i: inout Int, until stop: UInt8) {
        var j = i
        while j < bytes.count, bytes[j] != stop, bytes[j] != UInt8(ascii: "\n"), bytes[j] != UInt8(ascii: "\r") { j += 1 }
        field.append(c)
        field.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<j]))
        i = j
    }

    /// Parses the next bytes, handing on each record that ends in them.
    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, each: (CSVRecord) throws -> Void) throws {
        let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        let separator = self.separator
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            if afterCR {
                afterCR = false
                if c == lf {
                    if quoted { field.append(lf) }
                    continue
                }
            }
            if afterQuote {
                afterQuote = false
                if c == quote { field.append(quote); continue }
                quoted = false
            }
            if quoted {
                switch c {
                case quote: afterQuote = true
                case lf: field.append(c); line += 1
                case cr: field.append(c); line += 1; afterCR = true
                default:
                    // The run of ordinary bytes up to the next quote or line break, at once.
                    appendRun(c, bytes, from: &i, until: quote)
                }
                continue
            }
            switch c {
            case quote where atFieldStart:
                quoted = true
                wasQuoted = true
                quoteLine = line
                atFieldStart = false
            case separator:
                endField()
            case lf, cr:
                try endRecord(each)
                line += 1
                recordLine = line
                afterCR = c == cr
            default:
                // The run of ordinary bytes up to the next separator or line break, at once (a
                // quote inside an unquoted field is kept as it is).
                appendRun(c, bytes, from: &i, until: separator)
                atFieldStart = false
            }
        }
    }

    /// The end of the text: the last record, or the error of a quote never closed.
    mutating func finish(each: (CSVRecord) throws -> Void) throws {
        if afterQuote { afterQuote = false; quoted = false }
        afterCR = false
        if quoted { throw ExchangeError("line \(quoteLine): a quoted field is never closed; a value with a quote inside needs it doubled (\"\")") }
        if !fields.isEmpty || !field.isEmpty || wasQuoted { try endRecord(each) }
    }
}
