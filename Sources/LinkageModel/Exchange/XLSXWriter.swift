import CXlsxWriter
import Foundation

/// XLSX through libxlsxwriter: a bold header row, frozen so it stays in view, columns as wide as
/// their text (Chinese characters count double), numbers as numbers and text as text (so a
/// resident ID keeps its 18 characters).
public enum XLSXWriter {
    /// Widest a column is made, in character widths.
    static let maximumWidth = 60

    public static func write(_ table: ExportTable, to path: String, sheetName: String = "Sheet1") throws {
        guard let workbook = workbook_new(path) else { throw ExchangeError("cannot write \(path): libxlsxwriter could not start a workbook") }
        let name = cleanSheetName(sheetName)
        guard let sheet = workbook_add_worksheet(workbook, name) else {
            _ = workbook_close(workbook)
            throw ExchangeError("cannot write \(path): the sheet name '\(name)' is refused")
        }
        let bold = workbook_add_format(workbook)
        format_set_bold(bold)
        var failure: String?
        func check(_ error: lxw_error, row: Int, column: Int) {
            if error != LXW_NO_ERROR, failure == nil {
                failure = "cell \(XLSXSheet.columnName(column))\(row + 1): \(String(cString: lxw_strerror(error)))"
            }
        }
        var widths = table.columns.map { Exporter.displayWidth($0) }
        for (c, title) in table.columns.enumerated() {
            check(worksheet_write_string(sheet, 0, lxw_col_t(c), title, bold), row: 0, column: c)
        }
        for (r, row) in table.rows.enumerated() {
            let xr = lxw_row_t(r + 1)
            for (c, value) in row.enumerated() where c < table.columns.count {
                let xc = lxw_col_t(c)
                switch value {
                case .null: break
                case .integer(let i) where abs(i) < 1_000_000_000_000_000:
                    check(worksheet_write_number(sheet, xr, xc, Double(i), nil), row: r + 1, column: c)
                case .real(let d) where d.isFinite:
                    check(worksheet_write_number(sheet, xr, xc, d, nil), row: r + 1, column: c)
                default:
                    check(worksheet_write_string(sheet, xr, xc, Exporter.text(value), nil), row: r + 1, column: c)
                }
                let shown = Exporter.text(value).split(separator: "\n", omittingEmptySubsequences: false)
                    .map { Exporter.displayWidth(String($0)) }.max() ?? 0
                widths[c] = max(widths[c], shown)
            }
        }
        worksheet_freeze_panes(sheet, 1, 0)
        for (c, w) in widths.enumerated() {
            _ = worksheet_set_column(sheet, lxw_col_t(c), lxw_col_t(c), Double(min(maximumWidth, max(4, w + 2))), nil)
        }
        let closed = workbook_close(workbook)
        if let failure { throw ExchangeError("cannot write \(path): \(failure)") }
        guard closed == LXW_NO_ERROR else {
            throw ExchangeError("cannot write \(path): \(String(cString: lxw_strerror(closed)))")
        }
    }

    /// At most 31 characters, none of []:*?/\ (Excel's rules for a sheet's name).
    static func cleanSheetName(_ s: String) -> String {
        let cleaned = String(s.map { "[]:*?/\\".contains($0) ? "_" : $0 }.prefix(31))
        return cleaned.isEmpty ? "Sheet1" : cleaned
    }
}
