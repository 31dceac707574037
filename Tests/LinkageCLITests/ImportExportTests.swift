import Foundation
import XCTest

/// `linkage import` and `linkage export` through the real binary, and the Lua `export` and
/// `import` tables. Exports are read back by readers the project did not write: python3's csv and
/// json modules, and Debian's xlsx2csv (scripts/setup.sh installs it).
final class ImportExportTests: LinkageCLITestCase {
    /// A valid resident ID from 17 digits (GB 11643, ISO 7064 MOD 11-2).
    static func id(_ first17: String) -> String {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(first17.map { Int(String($0))! }, weights).map(*).reduce(0, +)
        return first17 + String(Array("10X98765432")[sum % 11])
    }

    static let cadreID = id("34052419800101001")
    static let h1 = id("62050219700101001")
    static let h2 = id("62050219700101002")
    static let h3 = id("62050219700101003")
    static let h4 = id("62050219700101004")

    static let households = """
        户主姓名,身份证号,村代码,乡镇,联系电话,户属性,主要致贫原因,家庭人口,人均纯收入
        王五,\(h1),620502100001,,13912345678,低保户,因病,4,2300.5
        赵七,\(h2),王家村,玉泉镇,,一般贫困户,缺水,3,1800
        "欧阳, 长",\(h3),东关社区,,,,因残,2,

        """

    override func setUpWithError() throws {
        try super.setUpWithError()
        try importOK("areas", "代码,名称,类型\n620502100,玉泉镇,乡镇\n620502101,太京镇,乡镇\n620502001,大城街道,街道\n")
        try importOK("villages", "村代码,村名,乡镇\n620502100001,李家村,玉泉镇\n620502100002,王家村,\n620502101001,李家村,太京镇\n")
        try importOK("communities", "社区代码,社区名称\n620502001001,东关社区\n")
        try importOK("units", "单位名称,单位类型,乡镇\n玉泉镇政府,乡镇,玉泉镇\n区教育局,区直部门,\n")
        try importOK("cadres", "姓名,单位,身份证号,角色\n张三,玉泉镇政府,\(Self.cadreID),township_principal\n李四,区教育局,,department_other\n")
    }

    @discardableResult
    private func importOK(_ kind: String, _ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        try write("\(kind).csv", text)
        let result = try linkage("--db", "test.db", "import", kind, "\(kind).csv")
        XCTAssertEqual(result.exitCode, 0, "\(result)", file: file, line: line)
        return result
    }

    /// Runs an import that must fail with exit code 2 and leave the register byte-identical.
    @discardableResult
    private func importRefused(_ arguments: String..., file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        XCTAssertFalse(fileExists("test.db-wal"), "the register was closed cleanly", file: file, line: line)
        let before = try bytes("test.db")
        let result = try LinkageProcess.run(["--db", "test.db", "import"] + arguments, in: directory)
        XCTAssertEqual(result.exitCode, 2, "\(result)", file: file, line: line)
        XCTAssertTrue(result.stderr.contains("nothing was imported") || result.stderr.hasPrefix("linkage: "), "\(result)", file: file, line: line)
        XCTAssertEqual(try bytes("test.db"), before, "the register is byte-identical after a failed import", file: file, line: line)
        XCTAssertFalse(fileExists("test.db-wal"), file: file, line: line)
        return result
    }

    private func count(_ table: String) throws -> String {
        try sqlite3("test.db", "SELECT count(*) FROM \(table);").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: a reader the project did not write

    private func python(_ code: String, _ arguments: String...) throws -> String {
        let result = try LinkageProcess.execute(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", code] + arguments,
                                                in: directory, environment: LinkageProcess.cleanEnvironment, stdin: nil, timeout: 60)
        XCTAssertEqual(result.exitCode, 0, "python3 failed: \(result)")
        return result.stdout
    }

    /// The rows of a CSV file as python's csv module reads them.
    private func pythonCSV(_ name: String) throws -> [[String]] {
        let json = try python("""
            import csv, json, sys
            with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
                print(json.dumps(list(csv.reader(f)), ensure_ascii=False))
            """, name)
        return try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [[String]]
    }

    struct MissingTool: Error, CustomStringConvertible { let message: String; var description: String { message } }

    /// The rows of an XLSX file as Debian's xlsx2csv reads them.
    private func xlsx2csv(_ name: String) throws -> [[String]] {
        let tool = "/usr/bin/xlsx2csv"
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            throw MissingTool(message: "\(tool) is missing: the XLSX tests read exports with Debian's xlsx2csv; scripts/setup.sh installs it (apt-get install xlsx2csv)")
        }
        let result = try LinkageProcess.execute(URL(fileURLWithPath: tool), [name, name + ".csv"], in: directory,
                                                environment: LinkageProcess.cleanEnvironment, stdin: nil, timeout: 60)
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        return try pythonCSV(name + ".csv")
    }

    // MARK: import, then export read back

    /// 不联户类别 takes the labels of the register's excluded categories: 村医 is refused (where, and
    /// which categories there are) until a rule adds it, then imported as its code.
    func testExcludedCategoriesAreTheRegistersOwn() throws {
        try write("doctors.csv", "姓名,单位,不联户类别\n王老师,区教育局,教师\n孙医生,区教育局,村医\n")
        let refused = try importRefused("cadres", "doctors.csv")
        XCTAssertTrue(refused.stderr.contains("doctors.csv:3:3: 不联户类别 '村医' is not one of the values the register allows"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("logistics (government service/logistics staff/机关工勤人员)"), refused.stderr)
        XCTAssertEqual(try linkage("--db", "test.db", "rules", "set", "excluded", "category=village_doctor", "label=村医", "--from", "2013-01-01").exitCode, 0)
        try importOK("cadres", "姓名,单位,不联户类别\n王老师,区教育局,教师\n孙医生,区教育局,村医\n")
        XCTAssertEqual(try sqlite3("test.db", "SELECT name || ':' || excluded FROM cadre WHERE excluded IS NOT NULL ORDER BY id;"),
                       "王老师:teacher\n孙医生:village_doctor\n")
    }

    func testImportedHouseholdsExportAsCSVThatPythonReadsBackCellByCell() throws {
        let result = try importOK("households", Self.households)
        XCTAssertEqual(result.stdout, "households.csv: CSV, read as UTF-8, 3 rows\nimported 3 households from households.csv: 3 added, 0 updated, 0 unchanged\n")
        let export = try linkage("--db", "test.db", "export", "--sql",
                                 "SELECT head_name, resident_id, phone, members, income FROM household ORDER BY id", "-o", "out.csv", "--show-pii")
        XCTAssertEqual(export.exitCode, 0, "\(export)")
        XCTAssertEqual(try pythonCSV("out.csv"), [
            ["head_name", "resident_id", "phone", "members", "income"],
            ["王五", Self.h1, "13912345678", "4", "2300.5"],
            ["赵七", Self.h2, "", "3", "1800.0"],
            ["欧阳, 长", Self.h3, "", "2", ""],
        ])
        XCTAssertFalse(try bytes("out.csv").starts(with: [0xEF, 0xBB, 0xBF]), "no BOM unless asked")
    }

    func testExportMasksResidentIDsAndPhonesUnlessShowPII() throws {
        try importOK("households", Self.households)
        let masked = try linkage("--db", "test.db", "export", "households")
        XCTAssertEqual(masked.exitCode, 0, "\(masked)")
        XCTAssertFalse(masked.stdout.contains(Self.h1))
        XCTAssertTrue(masked.stdout.contains("620502********" + Self.h1.suffix(4)), masked.stdout)
        XCTAssertTrue(masked.stdout.contains("139****5678"), masked.stdout)
        let whole = try linkage("--db", "test.db", "export", "households", "--show-pii")
        XCTAssertTrue(whole.stdout.contains(Self.h1) && whole.stdout.contains("13912345678"), whole.stdout)
    }

    func testExportJSONIsAnArrayOfObjectsThatPythonReads() throws {
        try importOK("households", Self.households)
        XCTAssertEqual(try linkage("--db", "test.db", "export", "communities", "-o", "c.json").exitCode, 0)
        let json = try python("""
            import json, sys
            rows = json.load(open(sys.argv[1], encoding="utf-8"))
            print(json.dumps([[list(r.keys()), [r["code"], r["name"], r["poor"]]] for r in rows], ensure_ascii=False))
            """, "c.json")
        // A kind linkage import reads is exported in its columns: the area by name, the kind (fixed for communities) left out.
        XCTAssertEqual(json, "[[[\"id\", \"code\", \"name\", \"poor\", \"area\"], [\"620502001001\", \"东关社区\", 1]]]\n")
        let stdout = try linkage("--db", "test.db", "export", "households", "--format", "json")
        try Data(stdout.stdoutData).write(to: path("h.json"))
        XCTAssertEqual(try python("""
            import json, sys
            rows = json.load(open(sys.argv[1], encoding="utf-8"))
            print(rows[0]["income"], rows[2]["income"], rows[2]["head_name"], type(rows[0]["members"]).__name__)
            """, "h.json"), "2300.5 None 欧阳, 长 int\n")
    }

    func testExportXLSXReadsBackWithXlsx2csvAndHasAFrozenHeaderAndWideColumns() throws {
        try importOK("households", Self.households)
        let result = try linkage("--db", "test.db", "export", "--sql",
                                 "SELECT h.head_name AS 户主姓名, v.name AS 村, h.resident_id, h.members, h.income FROM household h JOIN village v ON v.id = h.village_id ORDER BY h.id",
                                 "-o", "h.xlsx", "--show-pii")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertEqual(result.stderr, "exported 3 rows to h.xlsx (xlsx)\n")
        XCTAssertEqual(try xlsx2csv("h.xlsx"), [
            ["户主姓名", "村", "resident_id", "members", "income"],
            ["王五", "李家村", Self.h1, "4", "2300.5"],
            ["赵七", "王家村", Self.h2, "3", "1800"],
            ["欧阳, 长", "东关社区", Self.h3, "2", ""],
        ])
        // The sheet's XML, read with python's zipfile: the first row frozen, widths by content.
        let sheet = try python("""
            import re, sys, zipfile
            xml = zipfile.ZipFile(sys.argv[1]).read("xl/worksheets/sheet1.xml").decode()
            pane = re.search(r'<pane [^>]*>', xml).group(0)
            print('ySplit="1"' in pane, 'state="frozen"' in pane)
            print(" ".join(re.findall(r'<col [^>]*width="([0-9.]+)"', xml)))
            """, "h.xlsx")
        let lines = sheet.split(separator: "\n")
        XCTAssertEqual(lines.first, "True True")
        let widths = lines.dropFirst().first!.split(separator: " ").map { Double($0)! }
        XCTAssertEqual(widths.count, 5)
        XCTAssertGreaterThanOrEqual(widths[0], 10, "户主姓名 is 4 Chinese characters: 8 wide")
        XCTAssertGreaterThanOrEqual(widths[1], 10, "东关社区 counts double")
        XCTAssertGreaterThanOrEqual(widths[2], 20, "an 18-character resident ID")
        XCTAssertLessThan(widths[3], widths[2])
    }

    func testExportMarkdownCSVWithBOMAndUsageErrors() throws {
        try importOK("households", Self.households)
        let md = try linkage("--db", "test.db", "export", "--sql", "SELECT name AS 村, code FROM village WHERE kind = 'village' ORDER BY code", "--format", "markdown")
        XCTAssertEqual(md.stdout, "| 村 | code |\n| --- | --- |\n| 李家村 | 620502100001 |\n| 王家村 | 620502100002 |\n| 李家村 | 620502101001 |\n")
        XCTAssertEqual(try linkage("--db", "test.db", "export", "areas", "-o", "a.csv", "--bom").exitCode, 0)
        XCTAssertTrue(try bytes("a.csv").starts(with: [0xEF, 0xBB, 0xBF]))
        XCTAssertEqual(try pythonCSV("a.csv")[1], ["1", "620502100", "玉泉镇", "township"])
        for (args, message) in [(["export"], "give a table"), (["export", "areas", "--format", "pdf"], "unknown format"),
                                (["export", "areas", "--format", "xlsx"], "give -o FILE.xlsx"),
                                (["export", "--sql", "DELETE FROM area"], "not statements that change"),
                                (["export", "nosuchtable"], "linkage: the query failed: no such table: nosuchtable\n")] {
            let r = try LinkageProcess.run(["--db", "test.db"] + args, in: directory)
            XCTAssertEqual(r.exitCode, 2, "\(args): \(r)")
            XCTAssertTrue(r.stderr.contains(message), "\(args): \(r)")
        }
        XCTAssertEqual(try count("area"), "3", "export --sql DELETE deleted nothing")
    }

    // MARK: Lua

    func testLuaExportFunctionsWriteTheSameFiles() throws {
        try importOK("households", Self.households)
        try write("export.lua", """
            assert(export.csv(households:where{ kind = "rural" }, "rural.csv") == 2)
            assert(export.xlsx(villages, "villages.xlsx", { sheet = "贫困村" }) == 3)
            local rows = db.query("SELECT name, code FROM village ORDER BY code")
            io.write(export.json(rows, { columns = { "code", "name" } }))
            export.markdown(households:list(), "h.md")
            assert(export.csv({}, "empty.csv", { columns = { "a" } }) == 0)
            """)
        let result = try linkage("--db", "test.db", "run", "export.lua", "--show-pii")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertTrue(result.stdout.hasPrefix("[\n  {\"code\": \"620502001001\", \"name\": \"东关社区\"},"), result.stdout)
        let rural = try pythonCSV("rural.csv")
        XCTAssertEqual(rural.count, 3)
        XCTAssertEqual(Array(rural[0].prefix(5)), ["id", "village_id", "kind", "head_name", "resident_id"])
        XCTAssertEqual(Array(rural[1].prefix(5)), ["1", "1", "rural", "王五", Self.h1])
        XCTAssertEqual(try xlsx2csv("villages.xlsx"), [
            ["id", "area_id", "code", "name", "kind", "poor"],
            ["1", "1", "620502100001", "李家村", "village", "1"],
            ["2", "1", "620502100002", "王家村", "village", "1"],
            ["3", "2", "620502101001", "李家村", "village", "1"],
        ])
        let md = String(decoding: try bytes("h.md"), as: UTF8.self)
        XCTAssertTrue(md.hasPrefix("| id | village_id | kind | head_name | resident_id | phone |"), md)
        XCTAssertTrue(md.contains("| 欧阳, 长 |"), md)
        XCTAssertEqual(try pythonCSV("empty.csv"), [["a"]])
    }

    func testLuaExportsAreMaskedUnlessTheRunShowsPII() throws {
        try importOK("households", Self.households)
        try write("m.lua", "export.csv(households, 'm.csv')")
        XCTAssertEqual(try linkage("--db", "test.db", "run", "m.lua").exitCode, 0)
        XCTAssertEqual(try pythonCSV("m.csv")[1][4], "620502********" + Self.h1.suffix(4))
    }

    func testLuaImportCheckReturnsTheProblemsOfARow() throws {
        try importOK("households", Self.households)
        try write("check.lua", """
            local p = import.check("households", { ["户主姓名"] = "孙九", ["身份证号"] = "620502197001010011",
              ["村代码"] = "620502100001", ["主要致贫原因"] = "病", ["家庭人口"] = 4 })
            for _, x in ipairs(p) do print(x.field .. ": " .. x.message) end
            print(#import.check("households", { head_name = "孙九", resident_id = "\(Self.h4)", village = "李家村",
              township = "玉泉镇", main_cause = "因病", members = 4 }))
            local dup = import.check("households", { head_name = "王五", resident_id = "\(Self.h1)", village = "620502100001",
              main_cause = "因病", members = 4 })
            print(dup[1].field, #import.check("households", { head_name = "王五", resident_id = "\(Self.h1)",
              village = "620502100001", main_cause = "因病", members = 4 }, { update = true }))
            print(pcall(import.check, "people", {}))
            """)
        let result = try linkage("--db", "test.db", "run", "check.lua")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("resident_id: 身份证号 '620502********0011': the check character is 1 but the first 17 digits give 4"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("main_cause: 主要致贫原因 '病' is not one of the values the register allows — write one of 因病"), lines[1])
        XCTAssertEqual(lines[2], "0")
        XCTAssertEqual(lines[3], "resident_id\t0")
        XCTAssertTrue(lines[4].hasPrefix("false\t") && lines[4].contains("the kinds are areas"), lines[4])
        XCTAssertEqual(try count("household"), "3", "checking writes nothing")
    }

    // MARK: bad input: one bad row and nothing is imported

    func testABrokenResidentIDIsReportedAndNothingIsImported() throws {
        try write("bad-id.csv", """
            户主姓名,身份证号,村代码,主要致贫原因,家庭人口
            孙九,\(Self.h4),620502100001,因病,4
            周十,620502197001010011,620502100001,因病,3

            """)
        let result = try importRefused("households", "bad-id.csv")
        XCTAssertEqual(result.stderr, """
            bad-id.csv:3:2: 身份证号 '620502********0011': the check character is 1 but the first 17 digits give 4; a digit is probably mistyped — check the 17 digits against the person's papers (the last character follows from them)
            linkage: bad-id.csv: 1 problem in 1 row; nothing was imported

            """)
        XCTAssertEqual(try count("household"), "0", "the good row was not imported either")
        XCTAssertTrue(try linkage("--db", "test.db", "import", "households", "bad-id.csv", "--show-pii").stderr.contains("'620502197001010011'"))
    }

    func testAMissingColumnIsReportedOnTheHeaderLine() throws {
        try write("no-id.csv", "户主姓名,村代码,主要致贫原因,家庭人口\n孙九,620502100001,因病,4\n")
        let result = try importRefused("households", "no-id.csv")
        XCTAssertTrue(result.stderr.hasPrefix("no-id.csv:1: missing column 户主身份证号 (resident_id) — add a column headed resident_id or 户主身份证号"), result.stderr)
    }

    func testAnUnknownVillageIsReportedAtItsCell() throws {
        try write("village.csv", "户主姓名,身份证号,村（社区）,乡镇,主要致贫原因,家庭人口\n孙九,\(Self.h4),张家村,玉泉镇,因病,4\n")
        let result = try importRefused("households", "village.csv")
        XCTAssertTrue(result.stderr.hasPrefix("village.csv:2:3: there is no village or community named '张家村' in 玉泉镇 in the register — "), result.stderr)
    }

    func testADuplicateHouseholdInTheFileAndInTheRegister() throws {
        try importOK("households", Self.households)
        try write("dup.csv", """
            户主姓名,身份证号,村代码,主要致贫原因,家庭人口
            孙九,\(Self.h4),620502100001,因病,4
            孙九,\(Self.h4),620502100001,因病,4
            王五,\(Self.h1),620502100001,因病,4

            """)
        let result = try importRefused("households", "dup.csv", "--show-pii")
        XCTAssertEqual(result.stderr.split(separator: "\n").map(String.init), [
            "dup.csv:3:2: resident ID \(Self.h4) is already on line 2 — one household per resident ID; keep one of the rows",
            "dup.csv:4:2: resident ID \(Self.h1) is already in the register (household 1) — run the import with --update to change that household to this row, or remove the row",
            "linkage: dup.csv: 2 problems in 2 rows; nothing was imported",
        ])
    }

    func testARaggedRow() throws {
        try write("ragged.csv", "户主姓名,身份证号,村代码,主要致贫原因,家庭人口\n孙九,\(Self.h4),620502100001,因病,4,多余\n")
        let result = try importRefused("households", "ragged.csv")
        XCTAssertTrue(result.stderr.hasPrefix("ragged.csv:2:6: the row has 6 fields but the header has 5 — a value with a comma inside must be in double quotes"), result.stderr)
    }

    func testAGB18030FileFromExcelImportsAndSaysSo() throws {
        let text = "户主姓名,身份证号,村代码,主要致贫原因,家庭人口\r\n孙九,\(Self.h4),620502100001,因病,4\r\n"
        let gb = try LinkageProcess.execute(URL(fileURLWithPath: "/usr/bin/iconv"), ["-f", "UTF-8", "-t", "GB18030"], in: directory,
                                            environment: LinkageProcess.cleanEnvironment, stdin: text, timeout: 30)
        XCTAssertEqual(gb.exitCode, 0)
        XCTAssertNotEqual(gb.stdoutData, Data(text.utf8))
        try gb.stdoutData.write(to: path("gb.csv"))
        let result = try linkage("--db", "test.db", "import", "households", "gb.csv")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertTrue(result.stdout.hasPrefix("gb.csv: CSV, read as GB18030, 1 row\n"), result.stdout)
        XCTAssertEqual(try sqlite3("test.db", "SELECT head_name || '/' || main_cause FROM household;"), "孙九/因病\n")
        // And a GB18030 file with a mistake is reported in Chinese all the same.
        let bad = try LinkageProcess.execute(URL(fileURLWithPath: "/usr/bin/iconv"), ["-f", "UTF-8", "-t", "GB18030"], in: directory,
                                             environment: LinkageProcess.cleanEnvironment, stdin: text.replacingOccurrences(of: "因病", with: "病"), timeout: 30)
        try bad.stdoutData.write(to: path("gb-bad.csv"))
        let refused = try importRefused("households", "gb-bad.csv", "--update")
        XCTAssertTrue(refused.stderr.hasPrefix("gb-bad.csv:2:4: 主要致贫原因 '病' is not one of the values"), refused.stderr)
    }

    func testBytesThatAreNoKnownEncodingAreRefused() throws {
        try Data([0x61, 0x2C, 0x81, 0x20, 0x0A]).write(to: path("binary.csv"))
        let result = try importRefused("households", "binary.csv")
        XCTAssertTrue(result.stderr.contains("neither UTF-8 nor GB18030"), result.stderr)
    }

    /// An XLSX file written by python3's zipfile: inline strings, numbers, a blank row, and
    /// optionally a merged header cell.
    private func writeXLSX(_ name: String, rows: [(Int, [Any])], merged: [String] = []) throws {
        try write("rows.json", String(decoding: try JSONSerialization.data(withJSONObject: ["rows": rows.map { [$0.0, $0.1] as [Any] }, "merged": merged]), as: UTF8.self))
        _ = try python(#"""
            import json, sys, zipfile
            from xml.sax.saxutils import escape
            spec = json.load(open("rows.json", encoding="utf-8"))
            def cell(ref, v):
                if isinstance(v, str):
                    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
                return f'<c r="{ref}"><v>{v}</v></c>'
            rows = "".join(f'<row r="{n}">' + "".join(cell(f"{chr(65 + i)}{n}", v) for i, v in enumerate(cells) if v is not None) + "</row>"
                           for n, cells in spec["rows"])
            merged = "".join(f'<mergeCell ref="{m}"/>' for m in spec["merged"])
            ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
                z.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
                z.writestr("xl/workbook.xml", f'<workbook {ns} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
                z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
                z.writestr("xl/worksheets/sheet1.xml", f'<worksheet {ns}><sheetData>{rows}</sheetData>' + (f'<mergeCells>{merged}</mergeCells>' if merged else "") + '</worksheet>')
            """#, name)
    }

    func testAnXLSXWithABlankRowImportsAndSaysWhichRowItSkipped() throws {
        try writeXLSX("h.xlsx", rows: [
            (1, ["户主姓名", "身份证号", "村代码", "主要致贫原因", "家庭人口"]),
            (2, ["孙九", Self.h4, "620502100001", "因病", 4]),
            (4, ["周十", Self.h3, 620502100002 as Int64, "缺水", 2]),
        ])
        let result = try linkage("--db", "test.db", "import", "households", "h.xlsx")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertEqual(result.stdout, "h.xlsx: XLSX, 2 rows; blank row 3 skipped\nimported 2 households from h.xlsx: 2 added, 0 updated, 0 unchanged\n")
        XCTAssertEqual(try sqlite3("test.db", "SELECT head_name, members FROM household ORDER BY id;"), "孙九|4\n周十|2\n")
    }

    func testAnXLSXWithAMergedHeaderIsRefusedClearly() throws {
        try writeXLSX("merged.xlsx", rows: [
            (1, ["户主", NSNull(), "村代码", "主要致贫原因", "家庭人口"]),
            (2, ["孙九", Self.h4, "620502100001", "因病", 4]),
        ], merged: ["A1:B1"])
        let result = try importRefused("households", "merged.xlsx")
        XCTAssertTrue(result.stderr.hasPrefix("merged.xlsx:1:A: header cells A1:B1 are merged — unmerge them and give each column its own header"), result.stderr)
    }

    func testAMissingFileAnEmptyFileAndAnUnknownKind() throws {
        XCTAssertEqual(try importRefused("households", "absent.csv").stderr, "linkage: cannot read absent.csv: no such file\n")
        try write("empty.csv", "")
        XCTAssertEqual(try importRefused("households", "empty.csv").stderr,
                       "linkage: empty.csv is empty: it needs a header row naming the columns and one row per record\n")
        try write("header.csv", "户主姓名,身份证号,村代码,主要致贫原因,家庭人口\n")
        XCTAssertTrue(try importRefused("households", "header.csv").stderr.hasPrefix("header.csv:1: the file has a header but no rows"))
        XCTAssertTrue(try importRefused("people", "header.csv").stderr.hasPrefix("linkage: cannot import 'people': the kinds are areas, villages"))
    }

    func testTheFirstFiftyProblemsArePrintedAndTheRestCounted() throws {
        var text = "户主姓名,身份证号,村代码,主要致贫原因,家庭人口\n"
        for i in 0..<60 { text += "户\(i),\(Self.h4),620502100001,因病,零\n" }
        try write("many.csv", text)
        let result = try importRefused("households", "many.csv")
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 52, result.stderr)
        XCTAssertTrue(lines[50].hasPrefix("… and "), String(lines[50]))
        XCTAssertTrue(lines[51].hasPrefix("linkage: many.csv: 60 problems in 60 rows"), String(lines[51]))
    }

    func testDryRunWritesNothingAndUpdateIsAudited() throws {
        try write("households.csv", Self.households)
        let before = try bytes("test.db")
        let dry = try linkage("--db", "test.db", "import", "households", "households.csv", "--dry-run")
        XCTAssertEqual(dry.exitCode, 0, "\(dry)")
        XCTAssertTrue(dry.stdout.contains("dry run: households.csv is valid; importing it would give households: 3 added, 0 updated, 0 unchanged; nothing was written"), dry.stdout)
        XCTAssertEqual(try bytes("test.db"), before)
        try importOK("households", Self.households)
        try write("changes.csv", "户主姓名,身份证号,村代码,主要致贫原因,家庭人口\n王五,\(Self.h1),620502100001,因病,5\n赵七,\(Self.h2),620502100002,缺水,3\n")
        let update = try linkage("--db", "test.db", "import", "households", "changes.csv", "--update")
        XCTAssertEqual(update.exitCode, 0, "\(update)")
        XCTAssertTrue(update.stdout.hasSuffix("imported 2 households from changes.csv: 0 added, 1 updated, 1 unchanged\n"), update.stdout)
        let audit = try linkage("--db", "test.db", "audit", "--table", "household")
        let updates = audit.stdout.split(separator: "\n").filter { $0.contains(" update household ") }
        XCTAssertEqual(updates.count, 1, audit.stdout)
        XCTAssertTrue(updates[0].contains("via import changes.csv") && updates[0].hasSuffix("members: 4 → 5"), String(updates[0]))
    }
}
