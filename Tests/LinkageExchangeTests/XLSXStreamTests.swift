import Foundation
import XCTest
@testable import LinkageModel
@testable import LinkageExchange

/// Worksheets read as a stream: rows handed on as they are scanned, across the pieces the sheet is
/// unpacked in and the batches an import holds, with every message as when a sheet was read whole.
final class XLSXStreamTests: ExchangeTestCase {
    /// A households sheet of `count` data rows (rows 2 …), inline strings as libxlsxwriter writes
    /// them in constant-memory mode; `cells(row)` may change a row's five cells (nil: none written).
    static func households(_ count: Int, merged: String = "", cells: (Int, [String?]) -> [String?] = { $1 }) -> Data {
        func c(_ ref: String, _ text: String?) -> String {
            guard let text else { return "" }
            if let n = Int(text), text.count < 10 { return #"<c r="\#(ref)"><v>\#(n)</v></c>"# }
            return #"<c r="\#(ref)" t="inlineStr"><is><t>\#(text)</t></is></c>"#
        }
        var xml = #"<row r="1">\#(c("A1", "户主姓名"))\#(c("B1", "身份证号"))\#(c("C1", "村代码"))\#(c("D1", "主要致贫原因"))\#(c("E1", "家庭人口"))</row>"#
        for i in 0..<count {
            let r = i + 2
            // Unique, valid IDs: born on day 1 … 28 of a month of 1970, a sequence number under 1000.
            let id = Self.id(String(format: "62050219700%d%02d%03d", 1 + i / 28_000, 1 + i / 1000 % 28, i % 1000))
            let values = cells(r, ["户主\(i)", id, "620502100001", "因病", "\(1 + i % 6)"])
            xml += #"<row r="\#(r)">"#
            for (k, v) in values.enumerated() { xml += c("\(XLSXSheet.columnName(k))\(r)", v) }
            xml += "</row>"
        }
        return TestWorkbook.zip(sheet: TestWorkbook.sheet(xml, merged: merged))
    }

    func importHouseholds(_ data: Data, name: String, dryRun: Bool = true) throws -> ImportReport {
        let file = path(name)
        try data.write(to: URL(fileURLWithPath: file))
        return try Importer.run(try InputTable.read(path: file), kind: .households, register: register, update: false, dryRun: dryRun,
                                audit: AuditSource(osUser: "tester", source: "import \(file)"))
    }

    func testABadCellNearTheEndIsNamedOnItsRowAndColumn() throws {
        try seedPlaces()
        // 25,000 rows: three batches of the import, and the sheet unpacked in many pieces.
        let data = Self.households(25_000) { r, cells in
            var cells = cells
            if r == 24_990 { cells[4] = "五口" }
            return cells
        }
        let report = try importHouseholds(data, name: "bad-near-end.xlsx")
        XCTAssertEqual(report.rows, 25_000)
        XCTAssertEqual(report.problems.count, 1, report.problems.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(report.problems.first?.line, 24_990)
        XCTAssertEqual(report.problems.first?.column, "E")
        XCTAssertTrue(report.problems.first?.description.hasPrefix(path("bad-near-end.xlsx") + ":24990:E: ") ?? false, "\(report.problems)")
        XCTAssertEqual(try count("household"), 0, "all or nothing")
    }

    func testDamageInTheLastRowRefusesTheFileBeforeAnyRowIsImported() throws {
        try seedPlaces()
        // The survey reads the whole sheet when it is opened: the import never begins. A reference
        // past Excel's last column, in the last row.
        let file = path("damaged.xlsx")
        var rows = ""
        for r in 1...12_001 { rows += #"<row r="\#(r)"><c r="A\#(r)" t="inlineStr"><is><t>x\#(r)</t></is></c></row>"# }
        rows = rows.replacingOccurrences(of: #"<c r="A12001""#, with: #"<c r="XFE12001""#)
        try TestWorkbook.zip(sheet: TestWorkbook.sheet(rows)).write(to: URL(fileURLWithPath: file))
        XCTAssertThrowsError(try InputTable.read(path: file)) { error in
            XCTAssertTrue("\(error)".contains("'XFE12001' in row 12001 is not a cell reference"), "\(error)")
        }
        XCTAssertEqual(try count("household"), 0)
    }

    func testAMergedRangeAcrossABatchBoundaryFillsEveryRow() throws {
        try seedPlaces()
        // Rows 9,995 … 10,010 share one village (C9995); the import's first batch ends at row 10,001.
        let data = Self.households(12_000, merged: #"<mergeCells count="1"><mergeCell ref="C9995:C10010"/></mergeCells>"#) { r, cells in
            var cells = cells
            if (9_996...10_010).contains(r) { cells[2] = nil }
            return cells
        }
        let file = path("merged.xlsx")
        try data.write(to: URL(fileURLWithPath: file))
        let (rows, problems) = try InputTable.read(path: file).allRows()
        XCTAssertTrue(problems.isEmpty)
        XCTAssertEqual(rows.count, 12_000)
        for r in rows where (9_995...10_010).contains(r.line) { XCTAssertEqual(r.cells[2].text, "620502100001", "row \(r.line)") }
        XCTAssertEqual(rows.first { $0.line == 10_011 }?.cells[2].text, "620502100001", "a row after the range keeps its own value")
        let report = try importHouseholds(data, name: "merged-import.xlsx", dryRun: false)
        requireSuccess(report)
        XCTAssertEqual(report.inserted, 12_000)
        XCTAssertEqual(try count("household"), 12_000)
    }

    func testMergedRangesFillInTheOrderWrittenAsWhenReadWhole() throws {
        // B2:C3 takes B2's value; A2:B4 fills B4 (empty) with A2's; C2:C4's first cell was filled by B2:C3.
        let rows = """
            <row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>b</t></is></c><c r="C1" t="inlineStr"><is><t>c</t></is></c></row>\
            <row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c></row>\
            <row r="3"><c r="A3"><v>5</v></c></row>\
            <row r="4"><c r="A4"><v>7</v></c></row>
            """
        let merged = #"<mergeCells><mergeCell ref="B2:C3"/><mergeCell ref="A2:B4"/><mergeCell ref="C2:C4"/></mergeCells>"#
        let data = TestWorkbook.zip(sheet: TestWorkbook.sheet(rows, merged: merged))
        let whole = try XLSXReader.read(data, file: "t.xlsx")
        let streamed = try InputTable.xlsx(data: data, file: "t.xlsx").allRows().rows
        XCTAssertEqual(streamed.map { $0.cells.map(\.text) }, whole.rows.dropFirst().map { r in (0..<3).map { r.cells[$0]?.text ?? "" } })
        XCTAssertEqual(streamed.map { $0.cells.map(\.text) }, [["1", "2", "2"], ["5", "2", "2"], ["7", "1", "2"]])
    }

    func testRowsOutOfOrderAreReadWholeAsBefore() throws {
        let rows = TestWorkbook.rows.replacingOccurrences(of: #"<row r="2">"#, with: #"<row r="4">"#)
            .replacingOccurrences(of: #"r="A2""#, with: #"r="A4""#).replacingOccurrences(of: #"r="B2""#, with: #"r="B4""#)
            .replacingOccurrences(of: #"r="C2""#, with: #"r="C4""#)
        let table = try InputTable.xlsx(data: TestWorkbook.zip(sheet: TestWorkbook.sheet(rows)), file: "t.xlsx")
        XCTAssertEqual(try table.allRows().rows.map(\.line), [3, 4])
        XCTAssertEqual(table.blankRows, [2])
    }

    func testASheetTooWideForABatchIsRefused() {
        // A header in XFD1 and 400 rows: a batch of them would hold 6.5 million cells.
        var rows = #"<row r="1"><c r="A1" t="inlineStr"><is><t>h</t></is></c><c r="XFD1" t="inlineStr"><is><t>far</t></is></c></row>"#
        for r in 2...401 { rows += #"<row r="\#(r)"><c r="A\#(r)"><v>1</v></c></row>"# }
        XCTAssertThrowsError(try InputTable.xlsx(data: TestWorkbook.zip(sheet: TestWorkbook.sheet(rows)), file: "t.xlsx")) { error in
            let m = "\(error)"
            XCTAssertTrue(m.contains("spans 401 rows by 16384 columns (to column XFD)") && m.contains("more than linkage holds at once (5000000 cells"), m)
        }
    }

    func testTheSheetIsNotHeldSoItsSizeIsBoundedByTheRatioAlone() throws {
        // A sheet far larger than the total allowed for the parts held in memory reads.
        var limits = XLSXLimits()
        limits.totalBytes = 4096
        let data = Self.households(2_000)
        let table = try InputTable.xlsx(.data(data), file: "t.xlsx", sheet: nil, limits: limits)
        XCTAssertEqual(try table.allRows().rows.count, 2_000)
    }
}

/// The scanner gives the same rows however the sheet's bytes are cut into pieces.
final class XMLStreamScannerTests: XCTestCase {
    func rows(_ xml: String, piece: Int) throws -> [[String]] {
        var out: [[String]] = []
        var scanner = XMLStreamScanner(handler: SheetRowHandler(shared: ["共享"], dateStyles: []) { _, cells in
            out.append(cells.map { $0.value.text })
        })
        let bytes = Array(xml.utf8)
        var at = 0
        while at < bytes.count {
            let end = min(bytes.count, at + piece)
            try bytes[at..<end].withUnsafeBufferPointer { try scanner.feed($0) }
            at = end
        }
        try scanner.finish()
        return out
    }

    func testEntitiesCDATACommentsAndLineEndsReadAlikeInAnyPieces() throws {
        let xml = "\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<!-- a comment -->"
            + #"<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>"#
            + #"<x:row r="1"><x:c r="A1" t='inlineStr'><x:is><x:t>a &amp; b &lt;c&gt; &#x4E2D;&#25991; &quot;q&apos;</x:t></x:is></x:c>"#
            + #"<x:c r="B1" t="inlineStr"><x:is><x:t><![CDATA[<raw> & ]]>x</x:t><x:rPh><x:t>ignored</x:t></x:rPh></x:is></x:c>"#
            + "<x:c r=\"C1\" t=\"str\"><x:v>line\r\none\rtwo</x:v></x:c><x:c r=\"D1\" t=\"s\"><x:v>0</x:v></x:c><x:c r=\"E1\"><x:v>-12.5</x:v></x:c></x:row>"
            + "</x:sheetData></x:worksheet>\n"
        let expected = [["a & b <c> 中文 \"q'", "<raw> & x", "line\none\ntwo", "共享", "-12.5"]]
        for piece in [1, 2, 3, 5, 7, 64, 1 << 20] {
            XCTAssertEqual(try rows(xml, piece: piece), expected, "pieces of \(piece) bytes")
        }
    }

    func testMalformedXMLIsRefusedWithItsLineAndColumn() {
        let cases: [(String, String)] = [
            (#"<worksheet><sheetData></worksheet>"#, "line 1, column 23: the XML is malformed (the closing tag </worksheet> where <sheetData> is open)"),
            ("<worksheet>\n<sheetData a=\"1\" a=\"2\"/></worksheet>", "line 2, column 18: the XML is malformed (the attribute a given twice)"),
            (#"<worksheet><sheetData><row><c t="inlineStr"><is><t>&bogus;</t></is></c></row></sheetData></worksheet>"#, "the entity &bogus; is not defined"),
            (#"<worksheet><v>&#0;</v></worksheet>"#, "the character reference &#0; is not a character XML allows"),
            (#"<worksheet/><worksheet/>"#, "a second root element"),
            (#"<worksheet a=1/>"#, "an attribute value without quotes"),
            ("x<worksheet/>", "text before the root element"),
            (#"<worksheet><sheetData>"#, "line 1: the XML ends before its elements are closed (the part is cut short)"),
            ("  ", "the part has no XML element"),
        ]
        for (xml, message) in cases {
            for piece in [1, 4, 1 << 20] {
                XCTAssertThrowsError(try rows(xml, piece: piece), xml) { error in
                    let m = (error as? XMLScanError)?.exchangeError(place: "t.xlsx: the sheet").message ?? "\(error)"
                    XCTAssertTrue(m.contains(message), "\(xml) in pieces of \(piece): \(m)")
                }
            }
        }
    }
}
