import Foundation
import LinkageModel
import LinkageReport
import XCTest

/// Reports written as XLSX and read back by readers the project did not write: Debian's
/// python3-openpyxl (cell types, number formats, panes, merges) and xlsx2csv, and python's zipfile
/// for the chart parts (openpyxl does not load charts). scripts/setup.sh installs them.
final class XLSXReportTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("xlsx-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    struct ToolFailed: Error, CustomStringConvertible { let description: String }

    /// Runs a program and returns its standard output; fails on a non-zero exit.
    func run(_ tool: String, _ arguments: [String]) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            throw ToolFailed(description: "\(tool) is missing; scripts/setup.sh installs it")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ToolFailed(description: "\(tool) failed: \(String(decoding: error, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// What python3 with openpyxl prints as JSON about the workbook at `file` (bound as `wb`).
    func openpyxl(_ file: String, _ code: String) throws -> Any {
        let script = """
            import json, sys, zipfile
            try:
                import openpyxl
            except ImportError:
                sys.exit("python3-openpyxl is missing; scripts/setup.sh installs it (apt-get install python3-openpyxl)")
            wb = openpyxl.load_workbook(sys.argv[1])
            z = zipfile.ZipFile(sys.argv[1])
            def cell(c):
                return [c.value, c.data_type, c.number_format, bool(c.font.b)]
            \(code)
            """
        let out = try run("/usr/bin/python3", ["-c", script, file])
        return try JSONSerialization.jsonObject(with: Data(out.utf8), options: [.fragmentsAllowed])
    }

    static let coverage = ReportTable(
        title: "乡镇覆盖",
        columns: [ReportColumn("乡镇", format: .text), ReportColumn("贫困户", format: .integer),
                  ReportColumn("覆盖率", format: .percent(places: 1)), ReportColumn("人均", format: .decimal(places: 2))],
        rows: [[.text("太京镇"), .integer(2329), .real(0.98249), .real(1234.5)],
               [.text("玉泉镇"), .integer(12_345), .real(1), .real(3.14159)]],
        totals: [.text("合计"), .integer(14_674), .real(0.99), .null],
        omitted: 3)

    static let report = Report(
        title: "联村联户报告", subtitle: "2012, as of 2012-06-30 · 秦州区",
        sections: [
            ReportSection(title: "概览", blocks: [
                .text("本报告按乡镇列出覆盖率与走访情况；数字来自登记册。"),
                .figures([KeyFigure("households covered", .real(0.982), format: .percent(places: 1), note: "2,273 of 2,329", tone: .good),
                          KeyFigure("贫困户", .integer(2329))]),
                .table(coverage),
            ]),
            ReportSection(title: "Visits: by month?", blocks: [
                .chart(ReportChart(.line, title: "走访", categories: ["1月", "2月", "3月"],
                                   series: [.init("2011", [10, 20, 30]), .init("2012", [12, 18, 33])], format: .integer)),
                .table(ReportTable(columns: [ReportColumn("month")], rows: [[.text("1月")]])),
            ]),
            ReportSection(title: "概览", sheetName: "一个很长很长很长很长很长很长很长很长很长很长很长很长的工作表名字还更长", blocks: [
                .chart(ReportChart(.stackedBar, title: "帮扶措施", categories: ["产业", "教育"],
                                   series: [.init("完成", [5, 7]), .init("未完成", [1, 2])])),
            ]),
            ReportSection(title: "村", blocks: [
                .chart(ReportChart(.bar, title: "贫困村", categories: (1...20).map { "村\($0)" },
                                   series: [.init("户数", (1...20).map(Double.init))])),
            ]),
        ],
        notes: ["覆盖率 = 有帮扶干部的贫困户 / 贫困户。"])

    func testASheetPerSectionNamedByExcelsRulesAndUnique() throws {
        let file = path("r.xlsx")
        try XLSXReport.write(Self.report, to: file)
        let names = try openpyxl(file, "print(json.dumps(wb.sheetnames, ensure_ascii=False))") as? [String]
        XCTAssertEqual(names, ["概览", "Visits_ by month_", "一个很长很长很长很长很长很长很长很长很长很长很长很长的工作表名", "村"])
        XCTAssertEqual(names?[2].count, 31, "cut to Excel's 31 characters")

        let twice = Report(title: "t", sections: [ReportSection(title: "Towns"), ReportSection(title: "towns"),
                                                   ReportSection(title: "x", sheetName: "'quoted'")])
        try XLSXReport.write(twice, to: path("twice.xlsx"))
        XCTAssertEqual(try openpyxl(path("twice.xlsx"), "print(json.dumps(wb.sheetnames))") as? [String], ["Towns", "towns (2)", "quoted"],
                       "Excel takes no two names that differ only in case, nor a name in quotes")
    }

    func testTablesKeepNumbersAsNumbersWithTheirFormatsAndTheFirstHeaderIsFrozen() throws {
        let file = path("r.xlsx")
        try XLSXReport.write(Self.report, to: file)
        let sheet = try openpyxl(file, """
            ws = wb["概览"]
            rows = [[cell(c) for c in r] for r in ws.iter_rows()]
            print(json.dumps({"rows": rows, "frozen": ws.freeze_panes, "merged": [str(m) for m in ws.merged_cells.ranges],
                              "widths": {k: v.width for k, v in ws.column_dimensions.items()}}, ensure_ascii=False))
            """) as! [String: Any]
        let rows = sheet["rows"] as! [[[Any]]]
        func row(startingWith text: String) -> [[Any]]? { rows.first { ($0.first?[0] as? String) == text } }
        XCTAssertEqual(rows[0][0][0] as? String, "概览")
        XCTAssertEqual(rows[0][0][3] as? Bool, true, "the section's title is bold")
        XCTAssertEqual(rows[1][0][0] as? String, "联村联户报告 · 2012, as of 2012-06-30 · 秦州区")

        let covered = try XCTUnwrap(row(startingWith: "households covered"))
        XCTAssertEqual(covered[1][0] as? Double, 0.982, "a percent stays the fraction")
        XCTAssertEqual(covered[1][1] as? String, "n")
        XCTAssertEqual(covered[1][2] as? String, "#,##0.0%")
        XCTAssertEqual(covered[2][0] as? String, "2,273 of 2,329")

        let header = try XCTUnwrap(rows.firstIndex { ($0.first?[0] as? String) == "乡镇" })
        XCTAssertEqual(rows[header - 1][0][0] as? String, "乡镇覆盖", "the table's title above its header")
        XCTAssertEqual(rows[header].prefix(4).map { $0[0] as? String }, ["乡镇", "贫困户", "覆盖率", "人均"])
        XCTAssertTrue(rows[header].prefix(4).allSatisfy { $0[3] as? Bool == true }, "a bold header")
        XCTAssertEqual(sheet["frozen"] as? String, "A\(header + 2)", "rows down to the first table's header stay in view")

        let first = rows[header + 1]
        XCTAssertEqual(first[1][0] as? Int, 2329)
        XCTAssertEqual(first[1][2] as? String, "#,##0")
        XCTAssertEqual(first[2][0] as? Double, 0.98249)
        XCTAssertEqual(first[2][2] as? String, "#,##0.0%")
        XCTAssertEqual(first[3][0] as? Double, 1234.5)
        XCTAssertEqual(first[3][2] as? String, "#,##0.00")
        XCTAssertEqual(first[3][1] as? String, "n", "numbers are numbers")
        let totals = rows[header + 3]
        XCTAssertEqual(totals[0][0] as? String, "合计")
        XCTAssertEqual(totals[1][0] as? Int, 14_674)
        XCTAssertTrue(totals.prefix(3).allSatisfy { $0[3] as? Bool == true }, "the totals row is bold")
        XCTAssertEqual(rows[header + 4][0][0] as? String, "3 more rows not shown")

        let merged = sheet["merged"] as! [String]
        XCTAssertEqual(merged.count, 1, "the text across the page: \(merged)")
        XCTAssertTrue(merged.contains { $0.hasPrefix("A4:") }, "\(merged)")
        XCTAssertEqual(rows[3][0][0] as? String, "本报告按乡镇列出覆盖率与走访情况；数字来自登记册。")
        let notes = try openpyxl(file, """
            ws = wb.worksheets[-1]
            print(json.dumps([ws.cell(row=ws.max_row, column=1).value, [str(m) for m in ws.merged_cells.ranges]], ensure_ascii=False))
            """) as! [Any]
        XCTAssertEqual(notes[0] as? String, "覆盖率 = 有帮扶干部的贫困户 / 贫困户。", "the notes end the last sheet")
        XCTAssertEqual((notes[1] as? [String])?.count, 1)

        let widths = sheet["widths"] as! [String: Double]
        XCTAssertGreaterThanOrEqual(widths["A"] ?? 0, 18, "'households covered' fits")
        XCTAssertGreaterThanOrEqual(widths["C"] ?? 0, 14, "'2,273 of 2,329' fits")
    }

    func testChartsAreNativeAndTheirSeriesReferToTheTableUnderThem() throws {
        let file = path("r.xlsx")
        try XLSXReport.write(Self.report, to: file)
        let charts = try openpyxl(file, """
            parts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
            import re
            out = []
            for n in parts:
                xml = z.read(n).decode()
                out.append({"kind": re.findall(r"<c:(barChart|lineChart)>", xml), "dir": re.findall(r'<c:barDir val="(\\w+)"', xml),
                            "grouping": re.findall(r'<c:grouping val="(\\w+)"', xml), "refs": re.findall(r"<c:f>([^<]*)</c:f>", xml),
                            "formats": re.findall(r'<c:numFmt formatCode="([^"]*)"', xml)})
            ws = wb["Visits_ by month_"]
            table = [[c.value for c in r] for r in ws.iter_rows(min_row=1, max_row=ws.max_row)]
            print(json.dumps({"charts": out, "visits": table, "frozen": ws.freeze_panes}, ensure_ascii=False))
            """) as! [String: Any]
        let list = charts["charts"] as! [[String: [String]]]
        XCTAssertEqual(list.count, 3, "one chart part per chart")
        let line = list[0]
        XCTAssertEqual(line["kind"], ["lineChart"])
        XCTAssertEqual(line["formats"]?.first, "#,##0", "the value axis in the chart's format")
        // The series name its header cell, the categories and the values of the table under the chart.
        let visits = charts["visits"] as! [[Any?]]
        let header = try XCTUnwrap(visits.firstIndex { ($0.count > 1 ? $0[1] as? String : nil) == "2011" })
        XCTAssertEqual(visits[header + 1].prefix(3).map { "\($0 ?? "")" }, ["1月", "10", "12"])
        let r = header + 1   // 1-based row of the header
        XCTAssertEqual(line["refs"], ["'Visits_ by month_'!$B$\(r)", "'Visits_ by month_'!$A$\(r + 1):$A$\(r + 3)", "'Visits_ by month_'!$B$\(r + 1):$B$\(r + 3)",
                                      "'Visits_ by month_'!$C$\(r)", "'Visits_ by month_'!$A$\(r + 1):$A$\(r + 3)", "'Visits_ by month_'!$C$\(r + 1):$C$\(r + 3)"])
        XCTAssertNil(charts["frozen"] as? String, "a table under a chart is not frozen: the chart would fill the window")
        XCTAssertEqual(list[1]["kind"], ["barChart"])
        XCTAssertEqual(list[1]["dir"], ["col"])
        XCTAssertEqual(list[1]["grouping"], ["stacked"])
        XCTAssertEqual(list[2]["dir"], ["bar"], "twenty categories as horizontal bars")
    }

    func testTheSameReportGivesTheSameBytes() throws {
        try XLSXReport.write(Self.report, to: path("a.xlsx"))
        Thread.sleep(forTimeInterval: 1.1)   // past a second: a clock-stamped file would differ now
        try XLSXReport.write(Self.report, to: path("b.xlsx"))
        let a = try Data(contentsOf: URL(fileURLWithPath: path("a.xlsx")))
        XCTAssertEqual(a, try Data(contentsOf: URL(fileURLWithPath: path("b.xlsx"))))
        var changed = Self.report
        changed.sections[0].blocks[0] = .text("another text")
        try XLSXReport.write(changed, to: path("c.xlsx"))
        XCTAssertNotEqual(a, try Data(contentsOf: URL(fileURLWithPath: path("c.xlsx"))), "the bytes follow the document")
    }

    func testXlsx2csvReadsEverySheet() throws {
        let file = path("r.xlsx")
        try XLSXReport.write(Self.report, to: file)
        // -a: every sheet, each after a line "-------- N - name".
        let text = try run("/usr/bin/xlsx2csv", ["-a", file])
        XCTAssertTrue(text.contains("- 概览\n"), text)
        XCTAssertTrue(text.contains("太京镇,2329,"), text)
        XCTAssertTrue(text.contains("合计,14674,"), text)
        XCTAssertTrue(text.contains("村20,20"), text)
    }
}
