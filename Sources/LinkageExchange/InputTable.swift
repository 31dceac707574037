import Foundation
import LinkageModel

/// A file to import: its header, and its rows of cells read on demand, whatever its format. A CSV
/// file is read as a stream (``CSVFile``): each pass over the rows (``forEachRow(_:problem:)``)
/// reads it again from the disk a chunk at a time, so no pass holds the file, its text or its rows.
/// An XLSX sheet is read as a stream too (``XLSXSheetStream``): each pass unpacks and scans the
/// sheet again, a piece at a time.
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
    /// Blank rows skipped (XLSX).
    public let blankRows: [Int]
    /// The worksheet read, when it was named (`--sheet`).
    public var sheetName: String? = nil
    private let source: Source

    private enum Source: Sendable {
        case csv(CSVFile)
        /// The rows, and the problems found while reading them (a merged header).
        case rows([Row], problems: [ImportProblem])
        /// A worksheet read as a stream, and the problems found in its header (merged cells).
        case xlsx(XLSXSheetStream, problems: [ImportProblem])
    }

    /// One pass over the rows after the header, in file order: each row, and in its place each
    /// problem found while reading (a CSV row whose fields do not match the header; a merged
    /// header cell of a sheet, first). A CSV file is read again from the disk; bytes that do not
    /// decode or a quote never closed are an `ExchangeError` naming the file and line.
    public func forEachRow(_ body: (Row) throws -> Void, problem: (ImportProblem) throws -> Void) throws {
        switch source {
        case .rows(let rows, let problems):
            for p in problems { try problem(p) }
            for r in rows { try body(r) }
        case .xlsx(let sheet, let problems):
            for p in problems { try problem(p) }
            try sheet.forEachRow({ number, cells in
                if number != headerLine { try body(Row(line: number, cells: Array(cells))) }
            }, count: header.count)
        case .csv(let csv):
            var atHeader = true
            let file = self.file, width = header.count
            try csv.records { r in
                if atHeader { atHeader = false; return }
                var fields = r.fields
                if fields.count > width {
                    let extra = fields[width...]
                    if extra.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                        fields = Array(fields.prefix(width))
                    } else {
                        return try problem(ImportProblem(file: file, line: r.line, column: String(width + 1), field: nil,
                            message: "the row has \(fields.count) fields but the header has \(width)",
                            hint: "a value with a comma inside must be in double quotes (\"a,b\"), or the header lacks a column"))
                    }
                } else if fields.count < width {
                    return try problem(ImportProblem(file: file, line: r.line, column: String(fields.count + 1), field: nil,
                        message: "the row has \(fields.count) field\(fields.count == 1 ? "" : "s") but the header has \(width)",
                        hint: "every row needs a value (or an empty place) for each of the \(width) columns; is a comma missing?"))
                }
                try body(Row(line: r.line, cells: fields.map { $0.isEmpty ? .empty : .text(Exporter.undefused($0)) }))
            }
        }
    }

    /// Every row and every problem of reading, held at once: for a small file or a test.
    public func allRows() throws -> (rows: [Row], problems: [ImportProblem]) {
        var rows: [Row] = [], problems: [ImportProblem] = []
        try forEachRow({ rows.append($0) }, problem: { problems.append($0) })
        return (rows, problems)
    }

    /// The columns with a value in some row (a pass over the rows).
    public func filledColumns() throws -> Set<Int> {
        if case .xlsx(let sheet, _) = source { return sheet.filled.filter { $0 < header.count } }
        var filled = Set<Int>()
        try forEachRow({ r in
            for (i, cell) in r.cells.enumerated() where !cell.isEmpty { filled.insert(i) }
        }, problem: { _ in })
        return filled
    }

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
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ExchangeError("cannot read \(path): permission denied")
        }
        let start = (try? handle.read(upToCount: 4)) ?? Data()
        try? handle.close()
        guard !start.isEmpty else {
            throw ExchangeError("\(path) is empty: it needs a header row naming the columns and one row per record")
        }
        let ext = (path as NSString).pathExtension.lowercased()
        let isZip = start.starts(with: [0x50, 0x4B, 0x03, 0x04])
        if ext == "xlsx" || ext == "xlsm" || (ext != "csv" && ext != "txt" && ext != "tsv" && isZip) {
            return try xlsx(.path(path), file: path, sheet: sheet)
        }
        if ext == "xls" {
            throw ExchangeError("\(path) is an old Excel 97–2003 workbook (.xls); save it as .xlsx or as CSV")
        }
        if let sheet {
            throw ExchangeError("\(path) is a CSV file, which has no sheets; drop --sheet '\(MessageText.quoted(sheet))' (sheet = in Lua), or give the .xlsx workbook")
        }
        return try csv(path: path)
    }

    /// A CSV file, opened as a stream: its encoding and separator are told and its header read;
    /// its rows are read by each pass (``forEachRow(_:problem:)``).
    public static func csv(path file: String) throws -> InputTable {
        let csv = try CSVFile(path: file)
        struct Found: Error { let head: CSVRecord }
        var head: CSVRecord?
        do {
            try csv.records { throw Found(head: $0) }
        } catch let found as Found {
            head = found.head
        }
        guard let head else {
            throw ExchangeError("\(file) has no rows: it needs a header row naming the columns and one row per record")
        }
        return InputTable(file: file, format: .csv, encoding: csv.encoding, headerLine: head.line, header: head.fields.map(cleanHeader),
                          blankRows: [], source: .csv(csv))
    }

    public static func xlsx(path: String) throws -> InputTable {
        try xlsx(.path(path), file: path, sheet: nil)
    }

    public static func xlsx(data: Data, file path: String, sheet name: String? = nil) throws -> InputTable {
        try xlsx(.data(data), file: path, sheet: name)
    }

    /// A worksheet, surveyed (``XLSXSheetStream/open(_:file:sheet:limits:)``) and then read as a
    /// stream by each pass; one whose rows are out of order is read whole.
    static func xlsx(_ input: XLSXArchive.Input, file path: String, sheet name: String?, limits: XLSXLimits = XLSXLimits()) throws -> InputTable {
        let stream = try XLSXSheetStream.open(input, file: path, sheet: name, limits: limits)
        if let whole = stream.whole { return try xlsx(whole, file: path, named: name != nil) }
        guard let head = stream.header else { throw empty(path, stream.sheetName) }
        let problems = mergedHeader(stream.merged, head: head.number, file: path)
        var header = head.cells.map { cleanHeader($0.text) }
        // Trailing columns with neither a header nor any value are not columns.
        while let last = header.last, last.isEmpty, !stream.filled.contains(header.count - 1) { header.removeLast() }
        // The rows an import holds at once, by the columns: a sheet far wider than its data is refused.
        let held = min(stream.rows.count, XLSXSheetStream.batchRows)
        if held * header.count > limits.cells {
            throw ExchangeError("\(path): \(stream.place.dropFirst(path.count + 2)) spans \(stream.rows.count) rows by \(header.count) columns (to column \(XLSXSheet.columnName(header.count - 1))), "
                + "more than linkage holds at once (\(limits.cells) cells: \(XLSXSheetStream.batchRows) rows of a batch by the columns); delete the columns that are not data, or split the sheet into several files")
        }
        var table = InputTable(file: path, format: .xlsx, encoding: nil, headerLine: head.number, header: header,
                               blankRows: stream.blankRows, source: .xlsx(stream, problems: problems))
        table.sheetName = name == nil ? nil : stream.sheetName
        return table
    }

    static func empty(_ path: String, _ sheet: String) -> ExchangeError {
        ExchangeError("\(path): the worksheet '\(MessageText.quoted(sheet))' is empty; it needs a header row naming the columns and one row per record")
    }

    /// A problem for each merged range that covers the header row.
    static func mergedHeader(_ merged: [XLSXSheet.Range], head: Int, file path: String) -> [ImportProblem] {
        merged.filter { $0.firstRow <= head && $0.lastRow >= head }.map { range in
            ImportProblem(file: path, line: head, column: XLSXSheet.columnName(range.firstColumn), field: nil,
                message: "header cells \(range) are merged",
                hint: "unmerge them and give each column its own header, one row high (a two-row or grouped header cannot be read)")
        }
    }

    /// A sheet read whole (its rows out of order): its rows held.
    static func xlsx(_ sheet: XLSXSheet, file path: String, named: Bool) throws -> InputTable {
        guard let head = sheet.rows.first else {
            throw empty(path, sheet.name)
        }
        let problems = mergedHeader(sheet.merged, head: head.number, file: path)
        let width = (sheet.rows.flatMap { $0.cells.keys }.max() ?? -1) + 1
        var header = (0..<width).map { head.cells[$0].map { cleanHeader($0.text) } ?? "" }
        // Trailing columns with neither a header nor any value are not columns.
        while let last = header.last, last.isEmpty,
              sheet.rows.allSatisfy({ $0.cells[header.count - 1]?.isEmpty ?? true }) { header.removeLast() }
        let rows = sheet.rows.dropFirst().map { r in
            Row(line: r.number, cells: (0..<header.count).map { r.cells[$0] ?? .empty })
        }
        var table = InputTable(file: path, format: .xlsx, encoding: nil, headerLine: head.number, header: header,
                               blankRows: sheet.blankRows, source: .rows(Array(rows), problems: problems))
        table.sheetName = named ? sheet.name : nil
        return table
    }

    static func cleanHeader(_ s: String) -> String {
        s.replacingOccurrences(of: "\u{FEFF}", with: "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
