import Foundation
import GRDB
import XCTest
@testable import LinkageModel
@testable import LinkageExchange

/// The streamed writers: a row straight from SQLite (RawRow) writes the same CSV bytes as its
/// values do, and Markdown decides its alignment on a bounded window of rows.
final class StreamedExportTests: XCTestCase {
    /// Every kind of cell CSV treats specially: NULL, integers, reals, blobs, text to quote (comma,
    /// quote, line breaks, a space at either end), formulas to defuse, resident IDs and phones to
    /// mask, Chinese.
    static let cells = """
        SELECT NULL AS "a,b", 42 AS n, -7 AS neg, 2300.0 AS r, 0.5 AS half, 1e308 * 10 AS inf, x'00ff10' AS b, '' AS empty,
               '李家村' AS c, 'a,b' AS comma, 'say "hi"' AS quoted, 'two' || char(10) || 'lines' AS lf, 'cr' || char(13) AS cr,
               ' lead' AS lead, 'trail ' AS trail, '=1+2' AS formula, '-3号院' AS minus, '@x' AS at, char(9) || 'tab' AS tab,
               '=a,"b"' AS both, '身份证 34052419800101001X，电话 13812345678' AS pii, '620502198001010011' AS id
        UNION ALL SELECT 1, 2, 3, 4.25, 5, 6, x'', 'x', 'y', 'z', '', '', '', '', '', '', '', '', '', '', '', ''
        """

    private func csv(_ rows: (RowWriter) throws -> Void, columns: [String], format: RowWriter.Format, mask: Bool) throws -> String {
        var out = Data()
        let writer = RowWriter(format, columns: columns, mask: mask) { out.append($0) }
        try rows(writer)
        try writer.finish()
        return String(decoding: out, as: UTF8.self)
    }

    func testARawRowWritesTheSameCSVAsItsValues() throws {
        let db = try DatabaseQueue()
        try db.read { db in
            let table = try ExportTable.query(db, sql: Self.cells)
            for format in [RowWriter.Format.csv(bom: false, rawCells: false), .csv(bom: true, rawCells: true)] {
                for mask in [false, true] {
                    let fromValues = try csv({ w in for row in table.rows { try w.write(row) } }, columns: table.columns, format: format, mask: mask)
                    let fromRaw = try csv({ w in
                        try ExportTable.rawRows(db, sql: Self.cells, start: { XCTAssertEqual($0, table.columns) }) { try w.write(raw: $0) }
                    }, columns: table.columns, format: format, mask: mask)
                    XCTAssertEqual(fromRaw, fromValues, "\(format), mask \(mask)")
                }
            }
            let masked = try csv({ w in for row in table.rows { try w.write(row) } }, columns: table.columns, format: .csv(bom: false, rawCells: false), mask: true)
            XCTAssertTrue(masked.hasPrefix("\"a,b\",n,neg,r,half,inf,b,empty,c,comma,quoted,lf,cr,lead,trail,formula,minus,at,tab,both,pii,id\r\n"), masked)
            XCTAssertTrue(masked.contains(",42,-7,2300.0,0.5,,00ff10,,李家村,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",\" lead\",\"trail \",'=1+2,'-3号院,'@x,'\ttab,\"'=a,\"\"b\"\"\","), masked)
            XCTAssertTrue(masked.contains("身份证 340524********001X，电话 138****5678,620502********0011\r\n"), masked)
        }
    }

    /// JSON from a raw row is the same bytes as from its values (`Exporter.jsonValue`): every cell
    /// above, and the characters JSON escapes (backslash, control characters, U+2028 and U+2029).
    func testARawRowWritesTheSameJSONAsItsValues() throws {
        let db = try DatabaseQueue()
        let escapes = #"""
            SELECT 'a\b' AS "back\slash", char(1) || 'x' || char(31) AS ctl, 'line' || char(8232) || 'para' || char(8233) AS seps,
                   '"q"' AS "say ""q""", 1.5e-7 AS small, 12345678901234 AS big, NULL AS none, char(226) AS e2
            """#
        try db.read { db in
            for sql in [Self.cells, escapes] {
                let table = try ExportTable.query(db, sql: sql)
                for mask in [false, true] {
                    let fromValues = try csv({ w in for row in table.rows { try w.write(row) } }, columns: table.columns, format: .json, mask: mask)
                    let fromRaw = try csv({ w in try ExportTable.rawRows(db, sql: sql, start: { _ in }) { try w.write(raw: $0) } },
                                          columns: table.columns, format: .json, mask: mask)
                    XCTAssertEqual(fromRaw, fromValues, "mask \(mask)")
                }
            }
            let json = try csv({ w in try ExportTable.rawRows(db, sql: escapes, start: { _ in }) { try w.write(raw: $0) } },
                               columns: try ExportTable.query(db, sql: escapes).columns, format: .json, mask: false)
            XCTAssertTrue(json.contains(##""back\\slash": "a\\b", "ctl": "\u0001x\u001f", "seps": "line\u2028para\u2029""##), json)
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(json.utf8)))
            let none = try csv({ _ in }, columns: ["a"], format: .json, mask: false)
            XCTAssertEqual(none, "[]\n")
        }
    }

    func testARawRowWritesTheSameMarkdownAsItsValuesPastTheWindow() throws {
        let db = try DatabaseQueue()
        let sql = """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(RowWriter.alignmentWindow + 5))
            SELECT i, i * 0.5 AS half, CASE WHEN i % 7 = 0 THEN NULL ELSE 'a|b\\c' || char(13, 10) || 'd' || char(10) || 'e' || char(13) END AS t,
                   '电话 1381234' || printf('%04d', i) AS phone, x'0a' AS b FROM n
            """
        try db.read { db in
            let table = try ExportTable.query(db, sql: sql)
            for mask in [false, true] {
                let fromValues = try csv({ w in for row in table.rows { try w.write(row) } }, columns: table.columns, format: .markdown, mask: mask)
                let fromRaw = try csv({ w in try ExportTable.rawRows(db, sql: sql, start: { _ in }) { try w.write(raw: $0) } },
                                      columns: table.columns, format: .markdown, mask: mask)
                XCTAssertEqual(fromRaw, fromValues, "mask \(mask)")
                if !mask { XCTAssertEqual(fromValues, Exporter.markdown(table)) }
                let last = fromRaw.split(separator: "\n").last.map(String.init)
                XCTAssertEqual(last, mask ? "| 1005 | 502.5 | a\\|b\\\\c<br>d<br>e\r | 电话 138****1005 | 0a |" : "| 1005 | 502.5 | a\\|b\\\\c<br>d<br>e\r | 电话 13812341005 | 0a |")
            }
        }
    }

    func testMarkdownAlignsOnItsFirstWindowOfRowsAndStreamsTheRest() throws {
        let window = RowWriter.alignmentWindow
        // Column n holds numbers in the window and text after it; column t text from the start.
        var lines: [String] = []
        let writer = RowWriter(.markdown, columns: ["n", "t"]) { lines += String(decoding: $0, as: UTF8.self).split(separator: "\n").map(String.init) }
        for i in 0..<window { try writer.write([.integer(Int64(i)), .text("行\(i)")]) }
        try writer.write([.text("不是数"), .text("x|y")])
        try writer.finish()
        XCTAssertEqual(lines.prefix(3), ["| n | t |", "| ---: | --- |", "| 0 | 行0 |"])
        XCTAssertEqual(lines.last, "| 不是数 | x\\|y |")
        XCTAssertEqual(lines.count, window + 3)
        // A table within the window is aligned by all its rows, as a whole table is.
        let small = ExportTable(columns: ["n"], rows: [[.integer(1)], [.text("a")]])
        XCTAssertEqual(Exporter.markdown(small), "| n |\n| --- |\n| 1 |\n| a |\n")
    }

    /// The terminal's text table: sized on its first `window` rows and streamed; a later cell wider
    /// than its column is cut to it with "…"; a whole table (window of every row) is Exporter.text.
    func testTheTextTableIsSizedOnItsWindowAndStreamsTheRest() throws {
        let columns = ["subject", "n", "message"]
        let rows: [[SQLValue]] = [
            [.text("household 1 李明"), .integer(3), .text("short")],
            [.text("household 22 王芳"), .null, .text("two\nlines")],
            [.text("household 333 张三丰 身份证 34052419800101001X"), .real(2.5), .text(String(repeating: "长", count: 40))],
        ]
        let streamed = try csv({ w in for row in rows { try w.write(row) } }, columns: columns, format: .text(maxCell: 60, window: 2), mask: true)
        XCTAssertEqual(streamed, """
            subject            n  message
            -----------------  -  ---------
            household 1 李明   3  short
            household 22 王芳     two lines
            household 333 张…  …  长长长长…

            """)
        let whole = try csv({ w in for row in rows { try w.write(row) } }, columns: columns, format: .text(maxCell: 60, window: .max), mask: false)
        XCTAssertEqual(whole, Exporter.text(ExportTable(columns: columns, rows: rows)))
        XCTAssertTrue(whole.contains("household 333 张三丰 身份证 34052419800101001X  2.5  " + String(repeating: "长", count: 29) + "…\n"), whole)
        XCTAssertEqual(try csv({ _ in }, columns: columns, format: .text(maxCell: 60, window: 2), mask: false), "subject  n  message\n-------  -  -------\n")
    }
}
