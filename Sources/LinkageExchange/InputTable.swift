import Foundation
import LinkageModel

/// A file to import, read into a header and rows of cells, whatever its format.
public struct InputTable: Sendable {
    public enum Format: String, Sendable { case csv = "CSV", xlsx = "XLSX" }

    public struct Row: Sendable {
        /// The line (CSV) or row number (XLSX) a person finds it on.
        public let line: Int
        public let cells: [CellValue]
    }

    /// The file's name as given on the command line, for messages.
    public let file: String
    public let format: Format
    /// How a CSV file's bytes were read; nil for XLSX.
    public let encoding: TextEncoding?
    public let headerLine: Int
    public let header: [String]
    public let rows: [Row]
    /// Problems found while reading (ragged rows, a merged header): reported with the others.
    public let problems: [ImportProblem]
    /// Blank rows skipped (XLSX).
    public let blankRows: [Int]
    /// The worksheet read, when it was named (`--sheet`).
    public var sheetName: String? = nil

    /// How a column is named in a message: its number in a CSV file, its letter in an XLSX file.
    public func columnLabel(_ index: Int) -> String {
        format == .xlsx ? XLSXSheet.columnName(index) : String(index + 1)
    }

    /// "read as GB18030", "XLSX sheet 'Sheet1'" …
    public var sourceDescription: String {
        switch format {
        case .csv: return "CSV, read as \(encoding?.rawValue ?? "UTF-8")"
        case .xlsx: return sheetName.map { "XLSX sheet '\(MessageText.quoted($0))'" } ?? "XLSX"
        }
    }

    /// Reads a CSV or XLSX file (by its extension, or by its first bytes when the extension says
    /// neither); `sheet` names the worksheet of a workbook (default: the first). A missing,
    /// unreadable or empty file is an `ExchangeError`, and so is a sheet named for a CSV file.
    public static func read(path: String, sheet: String? = nil) throws -> InputTable {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ExchangeError("cannot read \(path): no such file")
        }
        guard !isDir.boolValue else { throw ExchangeError("cannot read \(path): it is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ExchangeError("cannot read \(path): permission denied")
        }
        guard !data.isEmpty else {
            throw ExchangeError("\(path) is empty: it needs a header row naming the columns and one row per record")
        }
        let ext = (path as NSString).pathExtension.lowercased()
        let isZip = data.starts(with: [0x50, 0x4B, 0x03, 0x04])
        if ext == "xlsx" || ext == "xlsm" || (ext != "csv" && ext != "txt" && ext != "tsv" && isZip) {
            return try xlsx(data: data, file: path, sheet: sheet)
        }
        if ext == "xls" {
            throw ExchangeError("\(path) is an old Excel 97–2003 workbook (.xls); save it as .xlsx or as CSV")
        }
        if let sheet {
            throw ExchangeError("\(path) is a CSV file, which has no sheets; drop --sheet '\(MessageText.quoted(sheet))' (sheet = in Lua), or give the .xlsx workbook")
        }
        return try csv(data: data, file: path)
    }

    public static func csv(data: Data, file: String) throws -> InputTable {
        let (text, encoding) = try TextDecoding.decode(data)
        var head: CSVRecord?
        var header: [String] = []
        var problems: [ImportProblem] = []
        var rows: [Row] = []
        // Each record becomes a row as it is parsed: the records are not all held beside the rows.
        func add(_ r: CSVRecord) {
            var fields = r.fields
            if fields.count > header.count {
                let extra = fields[header.count...]
                if extra.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                    fields = Array(fields.prefix(header.count))
                } else {
                    problems.append(ImportProblem(file: file, line: r.line, column: String(header.count + 1), field: nil,
                        message: "the row has \(fields.count) fields but the header has \(header.count)",
                        hint: "a value with a comma inside must be in double quotes (\"a,b\"), or the header lacks a column"))
                    return
                }
            } else if fields.count < header.count {
                problems.append(ImportProblem(file: file, line: r.line, column: String(fields.count + 1), field: nil,
                    message: "the row has \(fields.count) field\(fields.count == 1 ? "" : "s") but the header has \(header.count)",
                    hint: "every row needs a value (or an empty place) for each of the \(header.count) columns; is a comma missing?"))
                return
            }
            rows.append(Row(line: r.line, cells: fields.map { $0.isEmpty ? .empty : .text(Exporter.undefused($0)) }))
        }
        do {
            try CSV.parse(text, separator: CSV.separator(of: text)) { r in
                if head == nil {
                    head = r
                    header = r.fields.map(cleanHeader)
                } else { add(r) }
            }
        } catch let e as ExchangeError {
            throw ExchangeError("\(file): \(e.message)")
        }
        guard let head else {
            throw ExchangeError("\(file) has no rows: it needs a header row naming the columns and one row per record")
        }
        return InputTable(file: file, format: .csv, encoding: encoding, headerLine: head.line, header: header,
                          rows: rows, problems: problems, blankRows: [])
    }

    public static func xlsx(path: String) throws -> InputTable {
        guard let data = FileManager.default.contents(atPath: path) else { throw ExchangeError("cannot read \(path)") }
        return try xlsx(data: data, file: path)
    }

    public static func xlsx(data: Data, file path: String, sheet name: String? = nil) throws -> InputTable {
        let sheet = try XLSXReader.read(data, file: path, sheet: name)
        guard let head = sheet.rows.first else {
            throw ExchangeError("\(path): the worksheet '\(MessageText.quoted(sheet.name))' is empty; it needs a header row naming the columns and one row per record")
        }
        var problems: [ImportProblem] = []
        for range in sheet.merged where range.firstRow <= head.number && range.lastRow >= head.number {
            problems.append(ImportProblem(file: path, line: head.number, column: XLSXSheet.columnName(range.firstColumn), field: nil,
                message: "header cells \(range) are merged",
                hint: "unmerge them and give each column its own header, one row high (a two-row or grouped header cannot be read)"))
        }
        let width = (sheet.rows.flatMap { $0.cells.keys }.max() ?? -1) + 1
        var header = (0..<width).map { head.cells[$0].map { cleanHeader($0.text) } ?? "" }
        // Trailing columns with neither a header nor any value are not columns.
        while let last = header.last, last.isEmpty,
              sheet.rows.allSatisfy({ $0.cells[header.count - 1]?.isEmpty ?? true }) { header.removeLast() }
        let rows = sheet.rows.dropFirst().map { r in
            Row(line: r.number, cells: (0..<header.count).map { r.cells[$0] ?? .empty })
        }
        var table = InputTable(file: path, format: .xlsx, encoding: nil, headerLine: head.number, header: header,
                               rows: rows, problems: problems, blankRows: sheet.blankRows)
        table.sheetName = name == nil ? nil : sheet.name
        return table
    }

    static func cleanHeader(_ s: String) -> String {
        s.replacingOccurrences(of: "\u{FEFF}", with: "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
