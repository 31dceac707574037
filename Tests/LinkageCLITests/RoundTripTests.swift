import Foundation
import XCTest

/// `linkage export KIND` then `linkage import KIND --update` through the real binary, on the sample
/// district: the unchanged file changes nothing, one edited cell changes exactly that field
/// (seen in `linkage audit`); files with only some columns; `--sheet`; `import.file` in a saved
/// script; the run's arguments in the audit log; suggestions for a mistyped township.
final class RoundTripTests: LinkageCLITestCase {
    /// A text field of each kind to edit, and its table.
    static let edits: [(kind: String, table: String, field: String)] = [
        ("areas", "area", "name"), ("villages", "village", "name"), ("communities", "village", "name"),
        ("units", "unit", "name"), ("cadres", "cadre", "title"), ("households", "household", "address"),
        ("links", "link", "note"), ("visits", "visit", "note"), ("activities", "activity", "detail"),
    ]

    private func sample(_ db: String = "s.db", scale: String = "100") throws {
        let r = try linkage("--db", db, "sample", "--scale", scale)
        XCTAssertEqual(r.exitCode, 0, "\(r)")
    }

    private func python(_ code: String, _ arguments: String...) throws -> String {
        let r = try LinkageProcess.execute(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", code] + arguments,
                                           in: directory, environment: LinkageProcess.cleanEnvironment, stdin: nil, timeout: 120)
        XCTAssertEqual(r.exitCode, 0, "python3 failed: \(r)")
        return r.stdout
    }

    /// Sets the cell of `field` in the first data row of an exported file to `value`, as a person
    /// would in Excel: a CSV rewritten by python's csv module, an XLSX sheet's cell replaced by an
    /// inline string (the rest of the workbook as linkage wrote it). Returns the row's id.
    private func edit(_ name: String, field: String, to value: String) throws -> Int64 {
        let id = try python("""
            import csv, re, sys, zipfile
            name, field, value = sys.argv[1], sys.argv[2], sys.argv[3]
            if name.endswith(".csv"):
                rows = list(csv.reader(open(name, encoding="utf-8-sig", newline="")))
                col = rows[0].index(field)
                rows[1][col] = value
                with open(name, "w", encoding="utf-8", newline="") as f:
                    csv.writer(f).writerows(rows)
                print(rows[1][0])
            else:
                z = zipfile.ZipFile(name)
                parts = {n: z.read(n) for n in z.namelist()}
                sheet = parts["xl/worksheets/sheet1.xml"].decode()
                shared = re.findall(r"<si>(.*?)</si>", parts.get("xl/sharedStrings.xml", b"").decode(), re.S)
                def text(cell):
                    m = re.search(r"<v>(.*?)</v>", cell)
                    if 't="s"' in cell: return re.sub(r"<[^>]+>", "", shared[int(m.group(1))])
                    m2 = re.search(r"<t[^>]*>(.*?)</t>", cell)
                    return m2.group(1) if m2 else (m.group(1) if m else "")
                cells = re.findall(r'<c r="([A-Z]+)1"[^>]*?(?:/>|>.*?</c>)', sheet)
                heads = [text(c) for c in re.findall(r'<c r="[A-Z]+1"[^>]*?(?:/>|>.*?</c>)', sheet)]
                letter = cells[heads.index(field)]
                id_cell = re.search(r'<c r="A2"[^>]*?(?:/>|>.*?</c>)', sheet).group(0)
                new = '<c r="%s2" t="inlineStr"><is><t>%s</t></is></c>' % (letter, value)
                old = re.search(r'<c r="%s2"[^>]*?(?:/>|>.*?</c>)' % letter, sheet)
                if old: sheet = sheet.replace(old.group(0), new, 1)
                else:
                    row = re.search(r'<row r="2"[^>]*>(.*?)</row>', sheet, re.S)
                    cs = re.findall(r'<c r="([A-Z]+)2"[^>]*?(?:/>|>.*?</c>)', row.group(1))
                    after = [c for c in cs if (len(c), c) > (len(letter), letter)]
                    if after:
                        anchor = re.search(r'<c r="%s2"' % after[0], sheet).start()
                        sheet = sheet[:anchor] + new + sheet[anchor:]
                    else:
                        sheet = sheet.replace(row.group(0), row.group(0).replace("</row>", new + "</row>"), 1)
                parts["xl/worksheets/sheet1.xml"] = sheet.encode()
                with zipfile.ZipFile(name, "w", zipfile.ZIP_DEFLATED) as out:
                    for n in z.namelist(): out.writestr(n, parts[n])
                print(int(float(text(id_cell))))
            """, name, field, value)
        return Int64(id.trimmingCharacters(in: .whitespacesAndNewlines))!
    }

    private func dump(_ db: String, _ table: String) throws -> [String] {
        try sqlite3(db, "SELECT * FROM \(table) ORDER BY id;").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    private func sessions(_ db: String) throws -> String {
        try sqlite3(db, "SELECT count(*) FROM audit_session;").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Every importable kind, CSV and XLSX: export, import the unchanged file (nothing changes, no
    /// audit session), edit one cell, import again (that field of that row, and nothing else).
    func testEveryKindRoundTripsInCSVAndXLSXAndOneEditedCellChangesExactlyThatField() throws {
        try sample()
        // Text a CSV export defuses ('-3号院) comes back as it was.
        try sqlite3("s.db", "UPDATE household SET address = '-3号院' WHERE id = 2; UPDATE visit SET note = '=1+2' WHERE id = 3;")
        for format in ["csv", "xlsx"] {
            for (kind, table, field) in Self.edits {
                let file = "\(kind).\(format)"
                let export = try linkage("--db", "s.db", "export", kind, "-o", file, "--show-pii")
                XCTAssertEqual(export.exitCode, 0, "\(export)")
                let before = try dump("s.db", table)
                let sessionsBefore = try sessions("s.db")
                let same = try linkage("--db", "s.db", "import", kind, file, "--update")
                XCTAssertEqual(same.exitCode, 0, "\(file): \(same)")
                XCTAssertTrue(same.stdout.contains(": 0 added, 0 updated, "), "\(file): \(same.stdout)")
                XCTAssertEqual(try dump("s.db", table), before, "\(file): the unchanged file changes nothing")
                XCTAssertEqual(try sessions("s.db"), sessionsBefore, "\(file): nothing changed, nothing audited")

                let value = "改过 \(kind) \(format)"
                let id = try edit(file, field: field, to: value)
                let edited = try linkage("--db", "s.db", "import", kind, file, "--update")
                XCTAssertEqual(edited.exitCode, 0, "\(file): \(edited)")
                XCTAssertTrue(edited.stdout.contains(": 0 added, 1 updated, "), "\(file): \(edited.stdout)")
                let after = try dump("s.db", table)
                XCTAssertEqual(after.count, before.count)
                let changed = zip(before, after).filter { $0 != $1 }
                XCTAssertEqual(changed.count, 1, "\(file): one row changed")
                if let (old, new) = changed.first {
                    let o = old.components(separatedBy: "|"), n = new.components(separatedBy: "|")
                    XCTAssertEqual(n.first, String(id))
                    let fields = zip(o, n).enumerated().filter { $0.element.0 != $0.element.1 }
                    XCTAssertEqual(fields.count, 1, "\(file): one field changed: \(old) → \(new)")
                    XCTAssertEqual(fields.first?.element.1, value)
                }
                let audit = try linkage("--db", "s.db", "audit", "--table", table)
                let last = audit.stdout.split(separator: "\n").last.map(String.init) ?? ""
                XCTAssertTrue(last.contains("via import \(file)  update \(table) \(id)  \(field): "), "\(file): \(last)")
                XCTAssertTrue(last.hasSuffix("→ \(value)"), "\(file): \(last)")
            }
        }
        XCTAssertEqual(try linkage("--db", "s.db", "audit", "--verify").exitCode, 0)
    }

    /// The district's 7,790 households, as the issue asks: export to XLSX, import back unchanged.
    func testTheSampleDistrictsHouseholdsRoundTripThroughXLSX() throws {
        try sample(scale: "district")
        XCTAssertEqual(try linkage("--db", "s.db", "export", "households", "-o", "h.xlsx", "--show-pii").exitCode, 0)
        let before = try dump("s.db", "household")
        let r = try linkage("--db", "s.db", "import", "households", "h.xlsx", "--update")
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        XCTAssertTrue(r.stdout.hasSuffix("imported 7790 households from h.xlsx: 0 added, 0 updated, 7790 unchanged\n"), r.stdout)
        XCTAssertEqual(try dump("s.db", "household"), before)
    }

    func testAMaskedExportIsRefusedAndNothingIsWritten() throws {
        try sample()
        XCTAssertEqual(try linkage("--db", "s.db", "export", "households", "-o", "h.csv").exitCode, 0)
        let before = try bytes("s.db")
        let r = try linkage("--db", "s.db", "import", "households", "h.csv", "--update")
        XCTAssertEqual(r.exitCode, 2, "\(r)")
        XCTAssertTrue(r.stderr.contains("h.csv:2:4: resident_id '620502********"), r.stderr)
        XCTAssertTrue(r.stderr.contains("is masked: linkage export hides resident IDs and phone numbers unless --show-pii, and a masked value is never written into the register — export again with --show-pii"), r.stderr)
        XCTAssertTrue(r.stderr.contains("nothing was imported"), r.stderr)
        XCTAssertEqual(try bytes("s.db"), before)
    }

    func testUpdateTakesAFileWithTheKeyAndOnlyTheColumnsToChange() throws {
        try sample()
        let id = try sqlite3("s.db", "SELECT resident_id FROM household WHERE id = 1;").trimmingCharacters(in: .whitespacesAndNewlines)
        let before = try dump("s.db", "household")
        try write("phones.csv", "户主身份证号,联系电话\n\(id),13900001111\n")
        let r = try linkage("--db", "s.db", "import", "households", "phones.csv", "--update")
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        XCTAssertTrue(r.stdout.hasSuffix("0 added, 1 updated, 0 unchanged\n"), r.stdout)
        let after = try dump("s.db", "household")
        XCTAssertEqual(Array(after.dropFirst()), Array(before.dropFirst()))
        XCTAssertEqual(try sqlite3("s.db", "SELECT phone FROM household WHERE id = 1;"), "13900001111\n")
        // By id, a cadre's title only; the rule across fields (a role or an excluded category) sees the whole row.
        try write("titles.csv", "id,职务\n1,新职务\n")
        let t = try linkage("--db", "s.db", "import", "cadres", "titles.csv", "--update")
        XCTAssertEqual(t.exitCode, 0, "\(t)")
        XCTAssertEqual(try sqlite3("s.db", "SELECT title FROM cadre WHERE id = 1;"), "新职务\n")
        // A row not in the register would be new, and a new household needs what the file lacks.
        let snapshot = try bytes("s.db")
        try write("new.csv", "身份证号,联系电话\n34052419800101001X,13900002222\n")
        let n = try linkage("--db", "s.db", "import", "households", "new.csv", "--update")
        XCTAssertEqual(n.exitCode, 2, "\(n)")
        XCTAssertTrue(n.stderr.contains("new.csv:2: resident ID 340524********001X is not in the register, and a new household needs columns the file lacks: 户主姓名 (head_name), 主要致贫原因 (main_cause), 家庭人口 (members), 村 (village)"), n.stderr)
        // An id that is not the register's.
        try write("ids.csv", "id,联系电话\n999999,13900002222\n")
        let i = try linkage("--db", "s.db", "import", "households", "ids.csv", "--update")
        XCTAssertEqual(i.exitCode, 2, "\(i)")
        XCTAssertTrue(i.stderr.contains("ids.csv:2:1: there is no household with id 999999 in the register — id names a row of the register the file was exported from"), i.stderr)
        // A community's row in a file of villages would turn it into a village: refused.
        let community = try sqlite3("s.db", "SELECT id FROM village WHERE kind = 'community' ORDER BY id LIMIT 1;").trimmingCharacters(in: .whitespacesAndNewlines)
        try write("names.csv", "id,名称\n\(community),新名\n")
        let k = try linkage("--db", "s.db", "import", "villages", "names.csv", "--update")
        XCTAssertEqual(k.exitCode, 2, "\(k)")
        XCTAssertTrue(k.stderr.contains("names.csv:2:1: id \(community) is a community in the register, not a village — import it with linkage import communities"), k.stderr)
        let afterRefusals = try bytes("s.db")
        XCTAssertEqual(try linkage("--db", "s.db", "import", "communities", "names.csv", "--update").exitCode, 0)
        XCTAssertEqual(try sqlite3("s.db", "SELECT name, kind FROM village WHERE id = \(community);"), "新名|community\n")
        // Without --update every required column is still needed.
        let plain = try linkage("--db", "s.db", "import", "households", "phones.csv")
        XCTAssertEqual(plain.exitCode, 2)
        XCTAssertTrue(plain.stderr.contains("missing column 户主姓名 (head_name)"), plain.stderr)
        XCTAssertEqual(snapshot, afterRefusals, "refused imports wrote nothing")
    }

    /// A workbook of two sheets: notes first, the list second.
    private func twoSheetWorkbook(_ name: String, rows: [[String]]) throws {
        let data = try JSONSerialization.data(withJSONObject: rows)
        _ = try python("""
            import json, sys, zipfile
            from xml.sax.saxutils import escape
            name, rows = sys.argv[1], json.loads(sys.argv[2])
            ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
            rns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
            def sheet(rows):
                out = []
                for i, row in enumerate(rows, 1):
                    cells = "".join('<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (chr(65 + j), i, escape(v)) for j, v in enumerate(row) if v != "")
                    out.append('<row r="%d">%s</row>' % (i, cells))
                return '<?xml version="1.0" encoding="UTF-8"?><worksheet %s><sheetData>%s</sheetData></worksheet>' % (ns, "".join(out))
            with zipfile.ZipFile(name, "w") as z:
                z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>')
                z.writestr("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8"?><workbook %s %s><sheets><sheet name="说明" sheetId="1" r:id="rId1"/><sheet name="名单" sheetId="2" r:id="rId2"/></sheets></workbook>' % (ns, rns))
                z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/></Relationships>')
                z.writestr("xl/worksheets/sheet1.xml", sheet([["本表为乡镇名单"]]))
                z.writestr("xl/worksheets/sheet2.xml", sheet(rows))
            """, name, String(decoding: data, as: UTF8.self))
    }

    func testSheetChoosesTheWorksheetAndANameNotInTheWorkbookNamesItsSheets() throws {
        try sample()
        try twoSheetWorkbook("areas.xlsx", rows: [["代码", "名称", "类型"], ["620502199", "新乡镇", "乡镇"]])
        let before = try bytes("s.db")
        let first = try linkage("--db", "s.db", "import", "areas", "areas.xlsx")
        XCTAssertEqual(first.exitCode, 2, "the first sheet is the default: \(first)")
        XCTAssertTrue(first.stderr.contains("areas.xlsx:1:A: unknown column '本表为乡镇名单' for areas"), first.stderr)
        let missing = try linkage("--db", "s.db", "import", "areas", "areas.xlsx", "--sheet", "乡镇")
        XCTAssertEqual(missing.exitCode, 2)
        XCTAssertEqual(missing.stderr, "linkage: areas.xlsx has no sheet '乡镇'; its sheets are '说明', '名单' — give one of them with --sheet (sheet = in Lua), as Excel shows it on the tab\n")
        try write("a.csv", "代码,名称,类型\n620502199,新乡镇,乡镇\n")
        let csv = try linkage("--db", "s.db", "import", "areas", "a.csv", "--sheet", "名单")
        XCTAssertEqual(csv.exitCode, 2)
        XCTAssertTrue(csv.stderr.contains("a.csv is a CSV file, which has no sheets"), csv.stderr)
        XCTAssertEqual(try bytes("s.db"), before)
        let r = try linkage("--db", "s.db", "import", "areas", "areas.xlsx", "--sheet", "名单")
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        XCTAssertEqual(r.stdout, "areas.xlsx: XLSX sheet '名单', 1 row\nimported 1 areas from areas.xlsx: 1 added, 0 updated, 0 unchanged\n")
        XCTAssertEqual(try sqlite3("s.db", "SELECT name FROM area WHERE code = '620502199';"), "新乡镇\n")
        let audit = try linkage("--db", "s.db", "audit", "--table", "area")
        XCTAssertTrue(audit.stdout.contains("via import areas.xlsx: linkage import areas areas.xlsx --sheet 名单\n"), audit.stdout)
    }

    func testAMistypedTownshipOrUnitSuggestsTheNearestNames() throws {
        try sample()
        try write("v.csv", "代码,名称,乡镇\n620502101999,新村,太金镇\n")
        let v = try linkage("--db", "s.db", "import", "villages", "v.csv")
        XCTAssertEqual(v.exitCode, 2)
        XCTAssertTrue(v.stderr.contains("v.csv:2:3: there is no township or subdistrict named '太金镇' in the register — did you mean 太京镇"), v.stderr)
        let unit = try sqlite3("s.db", "SELECT name FROM unit WHERE kind = 'department' ORDER BY id LIMIT 1;").trimmingCharacters(in: .whitespacesAndNewlines)
        let typo = String(unit.dropLast()) + "处"
        try write("c.csv", "姓名,单位,角色\n新人,\(typo),department_other\n")
        let c = try linkage("--db", "s.db", "import", "cadres", "c.csv")
        XCTAssertEqual(c.exitCode, 2)
        XCTAssertTrue(c.stderr.contains("c.csv:2:2: there is no unit named '\(typo)' in the register — did you mean "), c.stderr)
        XCTAssertTrue(c.stderr.contains(unit), c.stderr)
        // A village named with its township: the township's suggestion too.
        try write("h.csv", "户主姓名,身份证号,村,乡镇,主要致贫原因,家庭人口\n王五,34052419800101001X,某村,太金镇,因病,4\n")
        let h = try linkage("--db", "s.db", "import", "households", "h.csv")
        XCTAssertTrue(h.stderr.contains("its area '太金镇' is not in the register — fix the area column; did you mean 太京镇"), h.stderr)
    }

    // MARK: import.file

    func testImportFileInASavedScriptIsAuditedWithTheScriptsArguments() throws {
        try sample()
        let id = try sqlite3("s.db", "SELECT resident_id FROM household WHERE id = 2;").trimmingCharacters(in: .whitespacesAndNewlines)
        try write("edits.csv", "户主身份证号,家庭人口\n\(id),7\n")
        try write("bulk.lua", """
            local path = ...
            local r = import.file("households", path, { update = true })
            print(r.rows, r.added, r.updated, r.unchanged)
            """)
        let r = try linkage("--db", "s.db", "run", "bulk.lua", "edits.csv")
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        XCTAssertEqual(r.stdout, "1\t0\t1\t0\n")
        XCTAssertEqual(try sqlite3("s.db", "SELECT members FROM household WHERE id = 2;"), "7\n")
        XCTAssertEqual(try sqlite3("s.db", "SELECT source, command FROM audit_session ORDER BY id DESC LIMIT 1;"), "bulk.lua|linkage run bulk.lua edits.csv\n")
        let audit = try linkage("--db", "s.db", "audit", "--table", "household")
        let lines = audit.stdout.split(separator: "\n").suffix(2).map(String.init)
        XCTAssertTrue(lines.first?.hasSuffix("via bulk.lua: linkage run bulk.lua edits.csv") == true, audit.stdout)
        XCTAssertTrue(lines.last?.contains("via bulk.lua  update household 2  members: ") == true && lines.last?.hasSuffix("→ 7") == true, audit.stdout)
        XCTAssertEqual(try linkage("--db", "s.db", "audit", "--verify").exitCode, 0)
    }

    func testImportFileRaisesAtTheScriptsLineWithTheBadCellAndWritesNothing() throws {
        try sample()
        let ids = try sqlite3("s.db", "SELECT resident_id FROM household WHERE id IN (1, 2) ORDER BY id;").split(separator: "\n").map(String.init)
        try write("bad.csv", "户主身份证号,家庭人口\n\(ids[0]),5\n\(ids[1]),很多\n")
        try write("bad.lua", """
            db.exec("UPDATE area SET name = name || '改' WHERE id = 1")
            import.file("households", "bad.csv", { update = true })
            """)
        let before = try bytes("s.db")
        let members = try sqlite3("s.db", "SELECT members FROM household WHERE id = 1;")
        let r = try linkage("--db", "s.db", "run", "bad.lua")
        XCTAssertEqual(r.exitCode, 1, "\(r)")
        XCTAssertTrue(r.stderr.contains("bad.lua:2: import.file: bad.csv: 1 problem in 1 row; nothing was imported:\n  bad.csv:3:2: 家庭人口 '很多' is not a whole number — write digits only, such as 4"), r.stderr)
        XCTAssertEqual(try bytes("s.db"), before, "the script failed: the run rolled back")
        // Caught, the file's rows are undone and the script's own change stays.
        try write("caught.lua", """
            db.exec("UPDATE area SET name = name || '改' WHERE id = 1")
            local ok, err = pcall(import.file, "households", "bad.csv", { update = true })
            assert(not ok and err:find("bad.csv:3:2:", 1, true), err)
            """)
        let caught = try linkage("--db", "s.db", "run", "caught.lua")
        XCTAssertEqual(caught.exitCode, 0, "\(caught)")
        XCTAssertEqual(try sqlite3("s.db", "SELECT members FROM household WHERE id = 1;"), members, "the good row of the bad file was undone too")
        XCTAssertTrue(try sqlite3("s.db", "SELECT name FROM area WHERE id = 1;").hasSuffix("改\n"))
        XCTAssertEqual(try sqlite3("s.db", "SELECT count(*) FROM audit_change WHERE table_name = 'household' AND action = 'update';"), "0\n")
        // Wrong options are the script's mistake, at its line.
        try write("opts.lua", "import.file('households', 'bad.csv', { updte = true })\n")
        let opts = try linkage("--db", "s.db", "run", "opts.lua")
        XCTAssertTrue(opts.stderr.contains("opts.lua:1: bad argument #3 to 'import.file' (unknown option 'updte'; the options are dry_run, sheet, update)"), opts.stderr)
    }

    func testImportFileDryRunReturnsTheProblemsAndWritesNothing() throws {
        try sample()
        let ids = try sqlite3("s.db", "SELECT resident_id FROM household WHERE id IN (1, 2) ORDER BY id;").split(separator: "\n").map(String.init)
        try write("edits.csv", "户主身份证号,家庭人口\n\(ids[0]),5\n\(ids[1]),很多\n")
        try write("good.csv", "户主身份证号,家庭人口\n\(ids[0]),5\n")
        try write("check.lua", """
            local r = import.file("households", "edits.csv", { update = true, dry_run = true })
            print(#r.problems, r.problems[1].line, r.problems[1].column, r.problems[1].field)
            print(r.problems[1].text)
            local g = import.file("households", "good.csv", { update = true, dry_run = true })
            print(#g.problems, g.updated, g.dry_run)
            """)
        let before = try bytes("s.db")
        let r = try linkage("--db", "s.db", "run", "check.lua")
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        XCTAssertEqual(r.stdout, "1\t3\t2\tmembers\nedits.csv:3:2: 家庭人口 '很多' is not a whole number — write digits only, such as 4\n0\t1\ttrue\n")
        XCTAssertEqual(try bytes("s.db"), before)
    }
}
