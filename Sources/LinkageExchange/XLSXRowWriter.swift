import Foundation
import LinkageModel

/// Writes rows as they are read into one sheet of an XLSX file, with RowWriter's contract
/// (`write(row)`, `finish()`): a bold header row, frozen so it stays in view, then one row at a
/// time through libxlsxwriter's constant-memory mode, so an export of a million households holds
/// one row, not the table. The file appears at `finish()`; a writer dropped before it (a query
/// that failed part-way) leaves no file.
public final class XLSXRowWriter: RowSink {
    /// Excel's last row: a sheet holds the header and 1,048,575 rows.
    public static let maximumRows = 1_048_575

    private let book: XLSXWorkbook
    private let sheet: XLSXWorksheet
    private let columns: Int
    private let mask: Bool
    public private(set) var rows = 0

    /// `mask`: resident IDs and mobile numbers in text masked (Privacy.mask), as linkage prints
    /// them. `constantMemory: false` lets libxlsxwriter hold the sheet (text in a shared table).
    public init(path: String, columns: [String], sheetName: String = "Sheet1", mask: Bool = false, constantMemory: Bool = true) throws {
        book = try XLSXWorkbook(path: path, constantMemory: constantMemory)
        sheet = try book.addSheet(sheetName)
        self.columns = columns.count
        self.mask = mask
        for (c, title) in columns.enumerated() {
            sheet.write(title, row: 0, column: c, style: .bold)
            sheet.fit(title, column: c)
        }
        sheet.freeze(rowsAbove: 1)
    }

    public func write(_ row: [SQLValue]) throws {
        guard rows < Self.maximumRows else {
            throw ExchangeError("cannot write \(book.path): a sheet holds at most \(Self.maximumRows) rows; export fewer (--sql with LIMIT, or CSV)")
        }
        rows += 1
        for (c, value) in row.prefix(columns).enumerated() {
            let value = mask ? Privacy.mask(value) : value
            sheet.write(value, row: rows, column: c)
            // Every row counts toward the widths: libxlsxwriter takes them when the file is
            // closed, and one column's widest text is all that is kept.
            sheet.fit(Exporter.text(value), column: c)
        }
    }

    /// Sets the column widths and writes the file.
    public func finish() throws {
        sheet.applyWidths()
        try book.close()
    }
}

/// What an export writes rows to, one at a time: RowWriter (CSV, JSON) or XLSXRowWriter.
public protocol RowSink: AnyObject {
    func write(_ row: [SQLValue]) throws
    func finish() throws
    /// Rows written so far.
    var rows: Int { get }
    /// A row straight from SQLite; a writer that has no faster way takes its values.
    func write(raw row: RawRow) throws
}

extension RowSink {
    public func write(raw row: RawRow) throws { try write(row.values) }
}
