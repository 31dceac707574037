import Foundation
import XCTest

/// `export … --format xlsx` and `check -o FILE.xlsx` stream their rows through libxlsxwriter's
/// constant-memory mode. Read back with Debian's python3-openpyxl (scripts/setup.sh installs it),
/// the cells are those of the whole-table writer (Lua's export.xlsx, which lets libxlsxwriter hold
/// the sheet), PII masked alike; a query that fails part-way leaves no file.
final class StreamingXLSXExportTests: LinkageCLITestCase {
    /// What python3 with openpyxl prints as JSON; `cells(path)` gives a sheet's rows as
    /// [value, type] pairs, `meta(path)` its name, frozen pane, widths and header boldness.
    private func openpyxl(_ code: String, _ arguments: String...) throws -> Any {
        let script = """
            import json, sys, zipfile
            try:
                import openpyxl
            except ImportError:
                sys.exit("python3-openpyxl is missing; scripts/setup.sh installs it (apt-get install python3-openpyxl)")
            def cells(path):
                ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
                return [[[c.value, c.data_type] for c in r] for r in ws.iter_rows()]
            def meta(path):
                ws = openpyxl.load_workbook(path).worksheets[0]
                return {"name": ws.title, "frozen": ws.freeze_panes, "bold": all(c.font.b for c in ws[1]),
                        "widths": [ws.column_dimensions[k].width for k in sorted(ws.column_dimensions, key=lambda k: (len(k), k))],
                        "shared": "xl/sharedStrings.xml" in zipfile.ZipFile(path).namelist()}
            \(code)
            """
        let r = try LinkageProcess.execute(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", script] + arguments, in: directory,
                                           environment: LinkageProcess.cleanEnvironment, stdin: nil, timeout: 300)
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    }

    func testTheSampleDistrictStreamsToTheCellsOfTheWholeTableWriterMasked() throws {
        XCTAssertEqual(try linkage("--db", "d.db", "sample").exitCode, 0)
        let streamed = try linkage("--db", "d.db", "export", "household", "-o", "streamed.xlsx")
        XCTAssertEqual(streamed.exitCode, 0, "\(streamed)")
        XCTAssertTrue(streamed.stderr.hasPrefix("exported 7,790 rows") || streamed.stderr.hasPrefix("exported 7790 rows"), streamed.stderr)
        let whole = try linkage("--db", "d.db", "-e", #"print(export.xlsx(db.query("SELECT * FROM household ORDER BY rowid"), "whole.xlsx", { sheet = "household" }))"#)
        XCTAssertEqual(whole.exitCode, 0, "\(whole)")
        let result = try openpyxl("""
            a, b = cells(sys.argv[1]), cells(sys.argv[2])
            ids = [r[a[0].index(["resident_id", "s"])][0] for r in a[1:]]
            print(json.dumps({"rows": len(a), "same": a == b, "columns": [c[0] for c in a[0]],
                              "numbers": sum(1 for r in a[1:] for v, t in r if t == "n" and v is not None),
                              "masked": sum(1 for i in ids if i and i[6:14] == "********"), "ids": sum(1 for i in ids if i),
                              "a": meta(sys.argv[1]), "b": meta(sys.argv[2])}, ensure_ascii=False))
            """, path("streamed.xlsx").path, path("whole.xlsx").path) as! [String: Any]
        XCTAssertEqual(result["rows"] as? Int, 7_790 + 1, "a header and every household")
        XCTAssertEqual(result["same"] as? Bool, true, "every cell the same value and type as the whole-table writer's")
        XCTAssertGreaterThan(result["numbers"] as? Int ?? 0, 7_790, "numbers are numbers")
        XCTAssertEqual(result["masked"] as? Int, result["ids"] as? Int, "every resident ID masked unless --show-pii")
        XCTAssertGreaterThan(result["ids"] as? Int ?? 0, 7_000)
        let a = result["a"] as! [String: Any], b = result["b"] as! [String: Any]
        XCTAssertEqual(a["name"] as? String, "household")
        XCTAssertEqual(a["frozen"] as? String, "A2")
        XCTAssertEqual(a["bold"] as? Bool, true)
        XCTAssertEqual(a["widths"] as? [Double], b["widths"] as? [Double], "widths fit every row in both")
        XCTAssertEqual(a["shared"] as? Bool, false, "streamed: text inline, no shared table held in memory")
        XCTAssertEqual(b["shared"] as? Bool, true)
    }

    func testAnXLSXExportThatFailsPartWayLeavesNoFile() throws {
        try loadSmallRegister()
        try write("part.xlsx", "an old file")
        let r = try linkage("--db", "test.db", "export", "--sql", "SELECT id, CASE WHEN id > 5 THEN json('not json') ELSE id END AS x FROM household ORDER BY id", "-o", "part.xlsx")
        XCTAssertEqual(r.exitCode, 2, "\(r)")
        XCTAssertTrue(r.stderr.contains("malformed JSON"), r.stderr)
        XCTAssertFalse(fileExists("part.xlsx"), "no half-written export, as with CSV")
        let missing = try linkage("--db", "test.db", "export", "household", "-o", "no/such/dir/h.xlsx")
        XCTAssertEqual(missing.exitCode, 2, "\(missing)")
        XCTAssertTrue(missing.stderr.contains("cannot write no/such/dir/h.xlsx"), missing.stderr)
        let stdout = try linkage("--db", "test.db", "export", "household", "--format", "xlsx")
        XCTAssertEqual(stdout.exitCode, 2)
        XCTAssertTrue(stdout.stderr.contains("give -o FILE.xlsx"), stdout.stderr)
    }

    func testCheckFindingsStreamToXLSXAsTheyDoToJSON() throws {
        try loadSmallRegister()
        let x = try linkage("--db", "test.db", "check", "--as-of", "2012-06-30", "-o", "f.xlsx")
        let j = try linkage("--db", "test.db", "check", "--as-of", "2012-06-30", "-o", "f.json")
        XCTAssertEqual(x.exitCode, j.exitCode, "\(x)\n\(j)")
        XCTAssertEqual(x.stderr.replacingOccurrences(of: "f.xlsx", with: "f.json"), j.stderr)
        let result = try openpyxl("""
            rows = cells(sys.argv[1])
            found = json.load(open(sys.argv[2], encoding="utf-8"))
            header = [c[0] for c in rows[0]]
            # A cell read back as a whole number stands for an integer in JSON.
            same = [[v for v, t in r] == [f[k] for k in header] for r, f in zip(rows[1:], found)]
            print(json.dumps({"rows": len(rows) - 1, "json": len(found), "same": all(same), "name": meta(sys.argv[1])["name"]}))
            """, path("f.xlsx").path, path("f.json").path) as! [String: Any]
        XCTAssertGreaterThan(result["rows"] as? Int ?? 0, 0, "the small register has findings")
        XCTAssertEqual(result["rows"] as? Int, result["json"] as? Int)
        XCTAssertEqual(result["same"] as? Bool, true)
        XCTAssertEqual(result["name"] as? String, "findings")
    }
}
