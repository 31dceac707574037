import Foundation
import GRDB
import LinkageModel

extension ExportTable {
    /// Streams the rows of a SELECT into the writer `make` gives for its columns, one row at a
    /// time, and finishes it.
    public static func stream(_ db: Database, sql: String, arguments: [SQLValue] = [], into make: ([String]) throws -> any RowSink) throws -> any RowSink {
        var writer: (any RowSink)?
        try rawRows(db, sql: sql, arguments: arguments, start: { writer = try make($0) }) { try writer!.write(raw: $0) }
        try writer!.finish()
        return writer!
    }
}

/// The formats of `linkage export` and of the Lua `export` functions.
public enum ExportFormat: String, CaseIterable, Sendable {
    case csv, json, markdown, xlsx

    /// The format a file name implies: .csv, .json, .md/.markdown, .xlsx.
    public init?(path: String) {
        switch (path as NSString).pathExtension.lowercased() {
        case "csv": self = .csv
        case "json": self = .json
        case "md", "markdown": self = .markdown
        case "xlsx": self = .xlsx
        default: return nil
        }
    }
}

public enum Exporter {
    /// A value as text in a cell of CSV or Markdown: integers as digits, reals as Swift prints
    /// them (2300.0, 0.5), NULL as nothing.
    static func text(_ v: SQLValue) -> String {
        switch v {
        case .null: return ""
        case .integer(let i): return String(i)
        case .real(let d): return d.isFinite ? String(d) : ""
        case .text(let s): return s
        case .blob(let b): return b.map { String(format: "%02x", $0) }.joined()
        }
    }

    /// CSV in UTF-8, a header row first, CRLF line ends; `bom` puts the byte-order mark Excel
    /// needs to read UTF-8. Text that a spreadsheet would run as a formula is defused
    /// (`defused`) unless `rawCells`; numbers are written as they are, negative ones included.
    public static func csv(_ table: ExportTable, bom: Bool = false, rawCells: Bool = false) -> Data {
        whole(table, .csv(bom: bom, rawCells: rawCells))
    }

    /// A table through RowWriter, into memory.
    static func whole(_ table: ExportTable, _ format: RowWriter.Format) -> Data {
        var out = Data()
        let writer = RowWriter(format, columns: table.columns) { out.append($0) }
        // An in-memory sink cannot fail.
        for row in table.rows { try! writer.write(row) }
        try! writer.finish()
        return out
    }

    /// Text beginning with `=`, `+`, `-`, `@`, a tab or a carriage return, with a single quote
    /// before it: a spreadsheet opening the CSV would otherwise take it for a formula and run it
    /// (CSV injection; OWASP's advice). The quote shows in the cell, the formula does not run.
    public static func defused(_ s: String) -> String {
        guard let first = s.utf8.first, formulaStarts.contains(first) else { return s }
        return "'" + s
    }

    /// The first bytes that make a spreadsheet run a cell as a formula: = + - @, a tab, a carriage return.
    static let formulaStarts: [UInt8] = Array("=+-@\t\r".utf8)

    /// `defused` undone: the text a CSV cell held before export put a quote before it, so that a
    /// file exported and imported back keeps `-3号院` as it was.
    public static func undefused(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard scalars.first == "'", let second = scalars.dropFirst().first, second.isASCII, formulaStarts.contains(UInt8(second.value)) else { return s }
        return String(s.dropFirst())
    }

    /// A JSON array of objects, one per row, keys in column order, numbers as numbers, NULL as null.
    public static func json(_ table: ExportTable) -> String {
        String(decoding: whole(table, .json), as: UTF8.self)
    }

    static func jsonValue(_ v: SQLValue) -> String {
        switch v {
        case .null: return "null"
        case .integer(let i): return String(i)
        case .real(let d): return d.isFinite ? String(d) : "null"
        case .text(let s): return jsonString(s)
        case .blob(let b): return jsonString(b.map { String(format: "%02x", $0) }.joined())
        }
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20 || u.value == 0x2028 || u.value == 0x2029: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// A Markdown (GitHub) table; numeric columns aligned right (decided on the first
    /// `RowWriter.alignmentWindow` rows), `|` escaped, line breaks as <br>.
    public static func markdown(_ table: ExportTable) -> String {
        String(decoding: whole(table, .markdown), as: UTF8.self)
    }

    /// A Markdown table's cell: `\` and `|` escaped, line breaks as <br>.
    static func markdownCell(_ s: String) -> String {
        // Most cells need no escape; looking at the bytes first spares them four copies.
        guard s.utf8.contains(where: { $0 == 0x5C || $0 == 0x7C || $0 == 0x0A }) else { return s }
        return s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\r\n", with: "<br>").replacingOccurrences(of: "\n", with: "<br>")
    }

    /// Which columns hold numbers only (and at least one): those are aligned right.
    static func numericColumns(_ table: ExportTable) -> [Bool] {
        table.columns.indices.map { i in
            table.rows.contains { $0[i] != .null } && table.rows.allSatisfy { row in
                switch row[i] { case .integer, .real, .null: return true; default: return false }
            }
        }
    }

    /// How wide text shows in a monospaced font or a spreadsheet (XLSX column widths): the code
    /// base's one width rule, `String.displayWidth` (Chinese characters count two).
    public static func displayWidth(_ s: String) -> Int { s.displayWidth }

    /// Writes `table` in `format` to `path`, unless `path` is (or would be) one of the files of
    /// `databases` (`ExportTarget.databaseFiles`): an export never writes over a register.
    public static func write(_ table: ExportTable, format: ExportFormat, to path: String, bom: Bool = false, rawCells: Bool = false,
                             sheetName: String = "Sheet1", protecting databases: [String] = []) throws {
        try ExportTarget.refuse(path, ifItIsAFileOf: databases)
        let data: Data
        switch format {
        case .csv: data = csv(table, bom: bom, rawCells: rawCells)
        case .json: data = Data(json(table).utf8)
        case .markdown: data = Data(markdown(table).utf8)
        case .xlsx: try XLSXWriter.write(table, to: path, sheetName: sheetName); return
        }
        do {
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw ExchangeError("cannot write \(path): \((error as NSError).localizedDescription)")
        }
    }
}

extension Exporter {
    /// An aligned plain-text table for a terminal: columns padded by display width (Chinese
    /// characters count two), cells cut at `maxCell` columns with "…".
    public static func text(_ table: ExportTable, maxCell: Int = 60) -> String {
        String(decoding: whole(table, .text(maxCell: maxCell, window: .max)), as: UTF8.self)
    }
}
