import CXlsxWriter
import Foundation
import LinkageModel

/// A workbook written through libxlsxwriter, shared by the exports and the reports: the one place
/// that decides how a value becomes a cell (numbers as numbers, text as text, so a resident ID
/// keeps its 18 characters), how sheets are named and how wide columns are made.
/// The same cells give the same bytes: the creation time is fixed (libxlsxwriter already dates
/// the zip entries 1980-01-01), so a file can be compared with the one written before.
public final class XLSXWorkbook {
    /// What a cell looks like; each different one becomes one libxlsxwriter format.
    public struct Style: Hashable, Sendable {
        public var bold = false
        public var italic = false
        public var wrap = false
        public var fontSize: Double?
        /// Excel's number format, e.g. "#,##0" or "0.0%"; nil for General.
        public var numberFormat: String?
        public var verticalTop = false

        public init(bold: Bool = false, italic: Bool = false, wrap: Bool = false, fontSize: Double? = nil,
                    numberFormat: String? = nil, verticalTop: Bool = false) {
            self.bold = bold
            self.italic = italic
            self.wrap = wrap
            self.fontSize = fontSize
            self.numberFormat = numberFormat
            self.verticalTop = verticalTop
        }

        public static let plain = Style()
        public static let bold = Style(bold: true)
    }

    /// The creation time written in docProps/core.xml: 2000-01-01T00:00:00Z, so that the bytes
    /// depend on the cells alone (libxlsxwriter would write the current time).
    public static let created: time_t = 946_684_800

    public let path: String
    private var workbook: UnsafeMutablePointer<lxw_workbook>?
    private var formats: [Style: UnsafeMutablePointer<lxw_format>] = [:]
    private var sheetNames: Set<String> = []
    /// The first cell that libxlsxwriter refused, said when the workbook is closed.
    var failure: String?
    // libxlsxwriter keeps the pointers it is given until the workbook is closed.
    private let tmpdir: UnsafeMutablePointer<CChar>?

    /// `constantMemory`: libxlsxwriter keeps one row in memory and the rest in a temporary file
    /// (in TMPDIR), with text inline rather than in a shared table, so a sheet of a million rows
    /// takes no more memory than one of ten. Rows must then be written in order, top to bottom.
    public init(path: String, constantMemory: Bool = false) throws {
        self.path = path
        tmpdir = strdup(NSTemporaryDirectory())
        var options = lxw_workbook_options(constant_memory: constantMemory ? 1 : 0, tmpdir: tmpdir, use_zip64: 0)
        guard let workbook = workbook_new_opt(path, &options) else {
            free(tmpdir)
            throw ExchangeError("cannot write \(path): libxlsxwriter could not start a workbook")
        }
        self.workbook = workbook
        var properties = lxw_doc_properties()
        properties.created = Self.created
        _ = workbook_set_properties(workbook, &properties)
    }

    deinit {
        discard()
        free(tmpdir)
    }

    /// A new sheet, its name made one Excel takes (`sheetName`) and unlike those before it.
    public func addSheet(_ name: String) throws -> XLSXWorksheet {
        let unique = uniqueSheetName(Self.sheetName(name))
        guard let workbook, let sheet = workbook_add_worksheet(workbook, unique) else {
            throw ExchangeError("cannot write \(path): the sheet name '\(unique)' is refused")
        }
        sheetNames.insert(unique.lowercased())
        return XLSXWorksheet(sheet, name: unique, book: self)
    }

    /// The libxlsxwriter format of a style (nil for the plain one), made once a workbook.
    public func format(_ style: Style) -> UnsafeMutablePointer<lxw_format>? {
        guard style != .plain, let workbook else { return nil }
        if let made = formats[style] { return made }
        guard let format = workbook_add_format(workbook) else { return nil }
        if style.bold { format_set_bold(format) }
        if style.italic { format_set_italic(format) }
        if style.wrap { format_set_text_wrap(format) }
        if style.verticalTop { format_set_align(format, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue)) }
        if let size = style.fontSize { format_set_font_size(format, size) }
        if let numberFormat = style.numberFormat { format_set_num_format(format, numberFormat) }
        formats[style] = format
        return format
    }

    /// libxlsxwriter's workbook, for what this type does not wrap (charts).
    public var pointer: UnsafeMutablePointer<lxw_workbook>? { workbook }

    /// Writes the file; the first refused cell, or libxlsxwriter's own error, is thrown.
    public func close() throws {
        guard let workbook else { return }
        self.workbook = nil
        let closed = workbook_close(workbook)
        if let failure { throw ExchangeError("cannot write \(path): \(failure)") }
        guard closed == LXW_NO_ERROR else {
            throw ExchangeError("cannot write \(path): \(String(cString: lxw_strerror(closed)))")
        }
    }

    /// Lets the workbook go without writing the file (a query that failed part-way): its memory
    /// and temporary files are freed, and `path` is not touched.
    public func discard() {
        guard let workbook else { return }
        self.workbook = nil
        lxw_workbook_free(workbook)
    }

    func record(_ error: lxw_error, row: Int, column: Int, sheet: String) {
        if error != LXW_NO_ERROR, failure == nil {
            failure = "sheet \(sheet), cell \(XLSXSheet.columnName(column))\(row + 1): \(String(cString: lxw_strerror(error)))"
        }
    }

    /// At most 31 characters, none of []:*?/\, not beginning or ending with ' (Excel's rules for
    /// a sheet's name); "Sheet1" when nothing is left.
    public static func sheetName(_ s: String) -> String {
        var scalars = String.UnicodeScalarView(s.unicodeScalars.map { "[]:*?/\\".unicodeScalars.contains($0) ? "_" : $0 })
        while scalars.first == "'" { scalars.removeFirst() }
        // libxlsxwriter counts characters (code points), as Excel does for Chinese names.
        scalars = String.UnicodeScalarView(scalars.prefix(31))
        while scalars.last == "'" { scalars.removeLast() }
        let cleaned = String(scalars)
        return cleaned.isEmpty || cleaned.lowercased() == "history" ? "Sheet1" : cleaned
    }

    /// Excel takes no two sheets whose names differ only in case: "乡镇", "乡镇 (2)" …
    private func uniqueSheetName(_ name: String) -> String {
        var candidate = name
        var n = 2
        while sheetNames.contains(candidate.lowercased()) {
            let suffix = " (\(n))"
            candidate = String(String.UnicodeScalarView(name.unicodeScalars.prefix(31 - suffix.unicodeScalars.count))) + suffix
            n += 1
        }
        return candidate
    }
}

/// A sheet of an `XLSXWorkbook`: cells written by value, and the widths its columns need.
public final class XLSXWorksheet {
    /// Widest a column is made, in character widths.
    public static let maximumWidth = 60

    public let pointer: UnsafeMutablePointer<lxw_worksheet>
    public let name: String
    private unowned let book: XLSXWorkbook
    /// The widest text seen in each column, in character widths (Chinese counts two).
    public private(set) var widths: [Int] = []

    init(_ pointer: UnsafeMutablePointer<lxw_worksheet>, name: String, book: XLSXWorkbook) {
        self.pointer = pointer
        self.name = name
        self.book = book
    }

    /// A value as a cell: a number when it is one (integers up to 10^18, finite reals), text
    /// otherwise, nothing for NULL. `style` gives its look (a number format, bold).
    public func write(_ value: SQLValue, row: Int, column: Int, style: XLSXWorkbook.Style = .plain) {
        let (r, c) = (lxw_row_t(row), lxw_col_t(column))
        let format = book.format(style)
        switch value {
        case .null: return
        case .integer(let i) where abs(i) < 1_000_000_000_000_000:
            book.record(worksheet_write_number(pointer, r, c, Double(i), format), row: row, column: column, sheet: name)
        case .real(let d) where d.isFinite:
            book.record(worksheet_write_number(pointer, r, c, d, format), row: row, column: column, sheet: name)
        default:
            book.record(worksheet_write_string(pointer, r, c, Exporter.text(value), format), row: row, column: column, sheet: name)
        }
    }

    /// Text as a cell.
    public func write(_ text: String, row: Int, column: Int, style: XLSXWorkbook.Style = .plain) {
        book.record(worksheet_write_string(pointer, lxw_row_t(row), lxw_col_t(column), text, book.format(style)),
                    row: row, column: column, sheet: name)
    }

    /// Text across columns `first...last` of a row, wrapped, the row made tall enough for it.
    public func writeMerged(_ text: String, row: Int, columns: ClosedRange<Int>, style: XLSXWorkbook.Style = .plain) {
        var style = style
        style.wrap = true
        style.verticalTop = true
        if columns.count > 1 {
            book.record(worksheet_merge_range(pointer, lxw_row_t(row), lxw_col_t(columns.lowerBound), lxw_row_t(row),
                                              lxw_col_t(columns.upperBound), text, book.format(style)),
                        row: row, column: columns.lowerBound, sheet: name)
        } else {
            write(text, row: row, column: columns.lowerBound, style: style)
        }
        // Excel does not grow a merged row to its text: count the lines the text wraps to.
        let perLine = max(1, columns.map { width(of: $0) }.reduce(0, +))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { max(1, ($0.displayWidth + perLine - 1) / perLine) }.reduce(0, +)
        if lines > 1 { _ = worksheet_set_row(pointer, lxw_row_t(row), 15 * Double(lines), nil) }
    }

    /// Makes column `column` at least as wide as `text`'s longest line.
    public func fit(_ text: String, column: Int) {
        if widths.count <= column { widths += Array(repeating: 0, count: column + 1 - widths.count) }
        // Text is never wider than its UTF-8 bytes (a wide character takes three or more), so
        // most cells of a long export are passed over without measuring them: measuring every
        // Chinese cell took a fifth of a streamed export's time.
        guard text.utf8.count > widths[column], widths[column] < Self.maximumWidth else { return }
        let shown: Int
        if text.utf8.contains(0x0A) {
            shown = text.split(separator: "\n", omittingEmptySubsequences: false).map(\.displayWidth).max() ?? 0
        } else {
            shown = text.displayWidth
        }
        if shown > widths[column] { widths[column] = shown }
    }

    /// The width column `column` is given: its text and a margin, at least 4, at most 60.
    public func width(of column: Int) -> Int {
        guard column < widths.count else { return 9 }   // Excel's default, about 8.43 characters and padding
        return min(Self.maximumWidth, max(4, widths[column] + 2))
    }

    /// Sets the widths that `fit` found. libxlsxwriter writes them with the sheet when the
    /// workbook is closed, so this may come after the rows, even in constant-memory mode.
    public func applyWidths() {
        for c in widths.indices {
            _ = worksheet_set_column(pointer, lxw_col_t(c), lxw_col_t(c), Double(width(of: c)), nil)
        }
    }

    /// Rows above `row` stay in view.
    public func freeze(rowsAbove row: Int) {
        worksheet_freeze_panes(pointer, lxw_row_t(row), 0)
    }
}
