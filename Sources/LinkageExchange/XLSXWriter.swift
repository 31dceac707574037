import Foundation
import LinkageModel

/// A whole table as XLSX, through XLSXRowWriter as a streamed export is, so both make the same
/// cells. The table is in memory already, so libxlsxwriter may hold the sheet too: its text then
/// goes into one shared table, which makes smaller files when values repeat (a village's name on
/// every household).
public enum XLSXWriter {
    public static func write(_ table: ExportTable, to path: String, sheetName: String = "Sheet1") throws {
        let writer = try XLSXRowWriter(path: path, columns: table.columns, sheetName: sheetName, constantMemory: false)
        for row in table.rows { try writer.write(row) }
        try writer.finish()
    }
}
