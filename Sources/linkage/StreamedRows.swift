import Foundation
import LinkageModel
import LinkageExchange

/// The writer a streamed `export` or `check` sends its rows to: CSV, JSON and Markdown go to `handle` (the
/// file `ReadOnlyOutput.stream` opened, or standard output); XLSX is written by libxlsxwriter to
/// `path` itself when finished, so ReadOnlyOutput's file only proves the path writable and is
/// removed if the query fails.
func streamedRows(_ format: ExportFormat, columns: [String], to handle: FileHandle, path: String?, sheetName: String,
                  mask: Bool, bom: Bool = false, rawCells: Bool = false) throws -> any RowSink {
    switch format {
    case .xlsx:
        guard let path else { throw Failure.input("xlsx is a file format; give -o FILE.xlsx") }
        return try XLSXRowWriter(path: path, columns: columns, sheetName: sheetName, mask: mask)
    case .json: return RowWriter(.json, columns: columns, mask: mask, to: handle)
    case .markdown: return RowWriter(.markdown, columns: columns, mask: mask, to: handle)
    case .csv: return RowWriter(.csv(bom: bom, rawCells: rawCells), columns: columns, mask: mask, to: handle)
    }
}
