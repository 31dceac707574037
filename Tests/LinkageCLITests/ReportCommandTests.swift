import Foundation
import XCTest

/// `linkage report`: the built-in reports of a partly linked sample district as Markdown, HTML and
/// XLSX; the numbers are the checks' and the register's; the same day gives the same bytes.
final class ReportCommandTests: LinkageCLITestCase {
    private func sample() throws {
        let made = try linkage("sample", "--db", "d.db", "--linked", "partial")
        XCTAssertEqual(made.exitCode, 0, "\(made)")
    }

    /// The sheets of a workbook as JSON, read by openpyxl (python3-openpyxl, which scripts/setup.sh installs).
    private func sheets(_ name: String) throws -> [String: [[Any]]] {
        let script = """
            import json, sys, openpyxl
            wb = openpyxl.load_workbook(sys.argv[1])
            print(json.dumps({ws.title: [[c.value for c in r] for r in ws.iter_rows()] for ws in wb.worksheets}, ensure_ascii=False, default=str))
            """
        let r = try LinkageProcess.execute(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", script, path(name).path], in: directory,
                                           environment: LinkageProcess.cleanEnvironment, stdin: nil, timeout: 120)
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: [[Any]]] ?? [:]
    }

    func testReportsAgreeWithTheChecksInEveryFormatAndRepeatByteForByte() throws {
        try sample()
        let list = try linkage("--db", "d.db", "report")
        XCTAssertEqual(list.exitCode, 0)
        XCTAssertEqual(list.stdout.split(separator: "\n").map { String($0.split(separator: " ")[0]) },
                       ["overview", "coverage", "visits", "quotas", "outcomes", "problems", "assessment"])

        // the coverage findings the check lists are the ones the report counts
        let check = try linkage("--db", "d.db", "check", "--as-of", "2012-06-30", "--only", "coverage", "--format", "csv")
        let findings = check.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count - 1
        XCTAssertGreaterThan(findings, 0, "a partly linked district has uncovered households")
        let md = try linkage("--db", "d.db", "report", "coverage", "--as-of", "2012-06-30")
        XCTAssertEqual(md.exitCode, 0, "\(md)")
        XCTAssertTrue(md.stdout.hasPrefix("# 覆盖情况 Coverage\n"), md.stdout)
        XCTAssertTrue(md.stdout.contains("- coverage findings: **\(findings.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US"))))**"), md.stdout)

        // XLSX: a sheet per section, numbers as numbers, totals equal to the register's counts
        XCTAssertEqual(try linkage("--db", "d.db", "report", "coverage", "--as-of", "2012-06-30", "-o", "c.xlsx").exitCode, 0)
        let book = try sheets("c.xlsx")
        XCTAssertEqual(Set(book.keys), ["概要", "分乡镇", "未覆盖"])
        let households = Int(try sqlite3("d.db", "SELECT count(*) FROM household").trimmingCharacters(in: .whitespacesAndNewlines))!
        let totals = try XCTUnwrap(book["分乡镇"]?.first { ($0.first as? String) == "合计" })
        XCTAssertTrue(totals.contains { ($0 as? Int) == households }, "totals row \(totals) holds \(households) households as a number")

        // the visits workbook's headline is the visits check's count of links short
        let visits = try linkage("--db", "d.db", "check", "--as-of", "2012-06-30", "--only", "visits", "--format", "csv")
        let short = visits.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count - 1
        XCTAssertEqual(try linkage("--db", "d.db", "report", "visits", "--as-of", "2012-06-30", "-o", "v.xlsx").exitCode, 0)
        let headline = try XCTUnwrap(try sheets("v.xlsx")["概要"])
        XCTAssertTrue(headline.contains { ($0.first as? String) == "links short of the standard" && ($0.count > 1 ? $0[1] as? Int : nil) == short },
                      "\(headline) holds \(short) links short")

        // the samples of reports made in Lua
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let brief = try linkage("--db", "d.db", "run", "--read-only", root.appendingPathComponent("samples/reports/township_brief.lua").path,
                                "太京镇", "2012-06-30", "brief.html")
        XCTAssertEqual(brief.exitCode, 0, "\(brief)")
        XCTAssertTrue(String(decoding: try bytes("brief.html"), as: UTF8.self).contains("太京镇 联村联户简报"))
        let causes = try linkage("--db", "d.db", "run", "--read-only", root.appendingPathComponent("samples/reports/causes.lua").path, "causes.xlsx")
        XCTAssertEqual(causes.exitCode, 0, "\(causes)")
        let pivot = try XCTUnwrap(try sheets("causes.xlsx")["按乡镇"])
        XCTAssertTrue(pivot.contains { row in (row.first as? String) == "合计" && (row.last as? Int) == households },
                      "the cross-tab's grand total is every household")

        // the same register and day give the same bytes, in each format
        for file in ["a.html", "b.html", "a.xlsx", "b.xlsx", "a.md", "b.md"] {
            let r = try linkage("--db", "d.db", "report", "overview", "--as-of", "2012-06-30", "-o", file)
            XCTAssertEqual(r.exitCode, 0, "\(r)")
            XCTAssertTrue(r.stderr.contains("written to \(file)"), r.stderr)
        }
        XCTAssertEqual(try bytes("a.html"), try bytes("b.html"))
        XCTAssertEqual(try bytes("a.xlsx"), try bytes("b.xlsx"))
        XCTAssertEqual(try bytes("a.md"), try bytes("b.md"))
        // on one connection (--jobs 1), the same bytes as on every core
        XCTAssertEqual(try linkage("--db", "d.db", "report", "overview", "--as-of", "2012-06-30", "--jobs", "1", "-o", "c.md").exitCode, 0)
        XCTAssertEqual(try bytes("c.md"), try bytes("a.md"))
        let html = String(decoding: try bytes("a.html"), as: UTF8.self)
        XCTAssertFalse(html.contains("http://") || html.contains("https://"), "nothing loaded from the network")

        // one township
        let town = try linkage("--db", "d.db", "report", "coverage", "--as-of", "2012-06-30", "--area", "太京镇")
        XCTAssertEqual(town.exitCode, 0)
        XCTAssertTrue(town.stdout.contains("| 太京镇 |") && !town.stdout.contains("| 玉泉镇 |"), town.stdout)
    }

    func testMistakesExitTwoAndWriteNothing() throws {
        try sample()
        let before = try bytes("d.db")
        for (args, message) in [
            (["report", "coverag"], "unknown report 'coverag'; the reports are overview, coverage"),
            (["report", "coverage", "--area", "太金镇"], "太京镇"),
            (["report", "coverage", "--format", "xlsx"], "give -o FILE.xlsx"),
            (["report", "coverage", "-o", "r.pdf"], "cannot tell the format of r.pdf"),
            (["report", "coverage", "-o", "d.db"], "d.db"),
            (["report", "coverage", "--as-of", "2012-13-01"], "as_of must be a date"),
            (["report", "coverage", "-o", "missing/r.html"], "cannot write missing/r.html"),
        ] {
            let r = try LinkageProcess.run(["--db", "d.db"] + args, in: directory, environment: nil, stdin: nil)
            XCTAssertEqual(r.exitCode, 2, "\(args): \(r)")
            XCTAssertTrue(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
        XCTAssertEqual(try bytes("d.db"), before, "the register is as it was")
        XCTAssertFalse(fileExists("r.pdf"))
    }
}
