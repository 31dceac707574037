import Foundation
import XCTest
@testable import LinkageModel
@testable import LinkageExchange

/// Writes small XLSX files with python3's zipfile, cell by cell as the test says: shared or
/// inline strings, numbers, booleans, dates with a date style, blank rows and merged ranges.
enum XLSXFixture {
    /// A cell: ("s", text) shared string, ("i", text) inline string, ("n", "4") number,
    /// ("b", "1") boolean, ("d", "40969") a number with a date format.
    typealias Cell = (kind: String, value: String)

    static let script = #"""
import json, sys, zipfile
from xml.sax.saxutils import escape
spec = json.load(open(sys.argv[1], encoding="utf-8"))
shared, cells_xml = [], []
def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s
for number, cells in spec["rows"]:
    out = []
    for i, (kind, value) in enumerate(cells):
        if kind == "":
            continue
        ref = f"{col(i)}{number}"
        if kind == "s":
            shared.append(value)
            out.append(f'<c r="{ref}" t="s"><v>{len(shared) - 1}</v></c>')
        elif kind == "i":
            out.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
        elif kind == "b":
            out.append(f'<c r="{ref}" t="b"><v>{value}</v></c>')
        elif kind == "d":
            out.append(f'<c r="{ref}" s="1"><v>{value}</v></c>')
        else:
            out.append(f'<c r="{ref}"><v>{value}</v></c>')
    cells_xml.append(f'<row r="{number}">{"".join(out)}</row>')
merged = "".join(f'<mergeCell ref="{m}"/>' for m in spec.get("merged", []))
merged = f'<mergeCells count="{len(spec.get("merged", []))}">{merged}</mergeCells>' if merged else ""
ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
rns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/data.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>')
    z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {rns}><sheets><sheet name="名单" sheetId="1" r:id="rId7"/></sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/data.xml"/><Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>')
    z.writestr("xl/styles.xml", f'<?xml version="1.0" encoding="UTF-8"?><styleSheet {ns}><numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="176"/></cellXfs></styleSheet>')
    sst = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in shared)
    z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?><sst {ns} count="{len(shared)}" uniqueCount="{len(shared)}">{sst}</sst>')
    z.writestr("xl/worksheets/data.xml", f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>{"".join(cells_xml)}</sheetData>{merged}</worksheet>')
"""#

    /// Writes the workbook to `path`; `rows` are (row number, cells).
    static func write(_ path: String, rows: [(Int, [Cell])], merged: [String] = []) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let spec: [String: Any] = ["rows": rows.map { [$0.0, $0.1.map { [$0.kind, $0.value] }] as [Any] }, "merged": merged]
        let specPath = dir + "/fixture-spec.json", scriptPath = dir + "/fixture.py"
        try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: specPath))
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", scriptPath, specPath, path]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw ExchangeError("python3 could not write the XLSX fixture") }
    }
}

final class ExchangeXLSXTests: ExchangeTestCase {
    func testReadsSharedAndInlineStringsNumbersBooleansAndDates() throws {
        let file = path("cells.xlsx")
        try XLSXFixture.write(file, rows: [
            (1, [("s", "户主姓名"), ("i", "身份证号"), ("s", "家庭人口"), ("s", "不愁吃"), ("s", "日期")]),
            (2, [("s", "王五"), ("i", Self.h1), ("n", "4"), ("b", "1"), ("d", "40969")]),
            (3, [("i", "赵七 & 家"), ("", ""), ("n", "2.5"), ("b", "0"), ("n", "41000")]),
        ])
        let sheet = try XLSXReader.read(URL(fileURLWithPath: file))
        XCTAssertEqual(sheet.name, "名单")
        XCTAssertEqual(sheet.rows.map(\.number), [1, 2, 3])
        XCTAssertEqual(sheet.rows[1].cells[0], .text("王五"))
        XCTAssertEqual(sheet.rows[1].cells[1], .text(Self.h1))
        XCTAssertEqual(sheet.rows[1].cells[2], .number(4))
        XCTAssertEqual(sheet.rows[1].cells[3], .boolean(true))
        XCTAssertEqual(sheet.rows[1].cells[4], .text("2012-03-01"), "a number with a date format is a date")
        XCTAssertEqual(sheet.rows[2].cells[0], .text("赵七 & 家"))
        XCTAssertNil(sheet.rows[2].cells[1])
        XCTAssertEqual(sheet.rows[2].cells[4], .number(41000), "a number without a date format stays a number")
    }

    func testABlankRowIsSkippedAndAMergedHeaderIsReported() throws {
        let file = path("merged.xlsx")
        try XLSXFixture.write(file, rows: [
            (1, [("s", "户主"), ("", ""), ("s", "家庭人口")]),
            (2, [("s", "王五"), ("s", "x"), ("n", "4")]),
            (4, [("s", "赵七"), ("s", "y"), ("n", "3")]),
        ], merged: ["A1:B1"])
        let table = try InputTable.read(path: file)
        let (rows, problems) = try table.allRows()
        XCTAssertEqual(table.blankRows, [3])
        XCTAssertEqual(rows.map(\.line), [2, 4])
        XCTAssertEqual(problems.map(\.description),
                       ["\(file):1:A: header cells A1:B1 are merged — unmerge them and give each column its own header, one row high (a two-row or grouped header cannot be read)"])
    }

    func testMergedDataCellsStandForEveryCellTheyCover() throws {
        let file = path("vertical.xlsx")
        try XLSXFixture.write(file, rows: [
            (1, [("s", "乡镇"), ("s", "村名")]),
            (2, [("s", "玉泉镇"), ("s", "李家村")]),
            (3, [("", ""), ("s", "王家村")]),
        ], merged: ["A2:A3"])
        let table = try InputTable.read(path: file)
        let (rows, problems) = try table.allRows()
        XCTAssertTrue(problems.isEmpty)
        XCTAssertEqual(rows[1].cells, [.text("玉泉镇"), .text("王家村")])
    }

    func testHouseholdsImportFromXLSXWithNumbersAsNumbersAndIDsAsText() throws {
        try seedPlaces()
        let file = path("households.xlsx")
        try XLSXFixture.write(file, rows: [
            (1, [("s", "户主姓名"), ("s", "身份证号"), ("s", "村代码"), ("s", "主要致贫原因"), ("s", "家庭人口"), ("s", "人均纯收入"), ("s", "不愁吃")]),
            (2, [("s", "王五"), ("i", Self.h1), ("n", "620502100001"), ("s", "因病"), ("n", "4"), ("n", "2300.5"), ("b", "1")]),
            (4, [("s", "赵七"), ("s", Self.h2), ("s", "620502100002"), ("s", "缺水"), ("n", "3"), ("n", "1800"), ("s", "否")]),
        ])
        let report = try Importer.run(try InputTable.read(path: file), kind: .households, register: register, update: false, dryRun: false,
                                      audit: AuditSource(osUser: "tester", source: "import"))
        requireSuccess(report)
        XCTAssertEqual(report.inserted, 2)
        XCTAssertEqual(try register.queue.read { try Double.fetchOne($0, sql: "SELECT sum(income) FROM household") }, 4100.5)
    }

    func testAResidentIDStoredAsANumberIsExplained() throws {
        try seedPlaces()
        let file = path("number-id.xlsx")
        try XLSXFixture.write(file, rows: [
            (1, [("s", "户主姓名"), ("s", "身份证号"), ("s", "村代码"), ("s", "主要致贫原因"), ("s", "家庭人口")]),
            (2, [("s", "王五"), ("n", "6.20502197001010E+17"), ("s", "620502100001"), ("s", "因病"), ("n", "4")]),
        ])
        let report = try Importer.run(try InputTable.read(path: file), kind: .households, register: register, update: false, dryRun: false,
                                      audit: AuditSource(osUser: "tester", source: "import"))
        XCTAssertEqual(report.problems.count, 1)
        XCTAssertEqual(report.problems.first?.column, "B")
        XCTAssertTrue(report.problems.first?.text.contains("keeps only 15 of its digits — format the column as text") ?? false, "\(report.problems)")
    }

    func testOurWriterReadsBackAndFreezesTheHeader() throws {
        let file = path("out.xlsx")
        let table = ExportTable(columns: ["户主姓名", "resident_id", "members", "income", "note"],
                                rows: [[.text("王五"), .text(Self.h1), .integer(4), .real(2300.5), .null],
                                       [.text("欧阳长名字的户主"), .text(Self.h2), .integer(3), .real(0.25), .text("a\nb")]])
        try XLSXWriter.write(table, to: file, sheetName: "households")
        let sheet = try XLSXReader.read(URL(fileURLWithPath: file))
        XCTAssertEqual(sheet.name, "households")
        XCTAssertEqual(sheet.rows[0].cells[0], .text("户主姓名"))
        XCTAssertEqual(sheet.rows[1].cells[1], .text(Self.h1), "a resident ID is text")
        XCTAssertEqual(sheet.rows[1].cells[2], .number(4))
        XCTAssertEqual(sheet.rows[2].cells[3], .number(0.25))
        XCTAssertNil(sheet.rows[1].cells[4])
        XCTAssertEqual(sheet.rows[2].cells[4], .text("a\nb"))
    }

    func testAFileThatIsNotAWorkbookIsRefused() throws {
        let file = path("fake.xlsx")
        try Data("户主姓名,身份证号\n".utf8).write(to: URL(fileURLWithPath: file))
        XCTAssertThrowsError(try InputTable.read(path: file)) { error in
            XCTAssertTrue("\(error)".contains("is not an XLSX file"), "\(error)")
        }
    }
}
