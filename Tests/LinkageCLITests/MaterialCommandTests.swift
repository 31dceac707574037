import Foundation
import XCTest

/// `linkage card` and `linkage log`: contact cards and linkage logs from the real binary, in text,
/// Markdown, CSV and XLSX, masked unless --show-pii, with the register opened read-only.
final class MaterialCommandTests: SmallRegisterTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        // 李明 (太京镇人民政府, 镇长) links 户主1 (窝驼村) and 户主2 (石咀村), 张伟 (区财政局) 户主4 (窝驼村);
        // two units link 窝驼村.
        _ = try evaluate("""
            local c = cadres:get(1):update{ phone = '13912345678', title = '镇长' }
            c:link(households:get(1), '2012-03-01') c:link(households:get(2), '2012-03-01')
            cadres:get(3):link(households:get(4), '2012-03-01')
            units:get(2):link(villages:get(1), '2012-03-01') units:get(3):link(villages:get(1), '2012-03-01')
            db.exec("INSERT INTO visit (cadre_id, household_id, date, days, kind, note) VALUES (1, 1, '2012-04-01', 2, 'visit', '讲政策')")
            db.exec("INSERT INTO visit (cadre_id, household_id, date, days, kind) VALUES (1, 2, '2012-03-15', 0.5, 'talk')")
            db.exec("INSERT INTO visit (cadre_id, household_id, date, days, kind) VALUES (1, 1, '2011-12-01', 1, 'visit')")
            db.exec("INSERT INTO activity (action, cadre_id, household_id, date, title) VALUES ('schooling', 1, 2, '2012-05-03', '资助子女上学')")
            households:get(1):report_problem{ by = c, on = '2012-04-20', description = '饮水困难' }:escalate{ date = '2012-05-01' }
            """)
    }

    func testCardOfAUnitIsAlignedAndMasksPhonesUnlessShowPII() throws {
        let r = try linkage("--db", "test.db", "card", "--unit", "太京镇人民政府", "--as-of", "2012-06-30")
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        XCTAssertEqual(r.stdout, """
            联系卡 · 太京镇人民政府 · 2012-06-30

            乡镇    村      组  户主   联系干部  干部单位        职务  联系电话     联系起始    联系单位
            ------  ------  --  -----  --------  --------------  ----  -----------  ----------  ------------------
            太京镇  窝驼村      户主1  李明      太京镇人民政府  镇长  139****5678  2012-03-01  区教育局、区财政局
            太京镇  石咀村      户主2  李明      太京镇人民政府  镇长  139****5678  2012-03-01

            """)
        let shown = try linkage("--db", "test.db", "card", "--cadre", "1", "--as-of", "2012-06-30", "--show-pii", "--format", "csv")
        XCTAssertEqual(shown.stdout.components(separatedBy: "\r\n")[1], "太京镇,窝驼村,,户主1,李明,太京镇人民政府,镇长,13912345678,2012-03-01,区教育局、区财政局")
        // By township: every linked household there, whoever links it; by id for a unit.
        let town = try linkage("--db", "test.db", "card", "--township", "太京镇", "--as-of", "2012-06-30", "--format", "csv")
        XCTAssertEqual(town.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count - 1, 3, "\(town)")
        XCTAssertEqual(try linkage("--db", "test.db", "card", "--unit", "2", "--as-of", "2012-06-30", "--format", "csv").stdout,
                       "乡镇,村,组,户主,联系干部,干部单位,职务,联系电话,联系起始,联系单位\r\n太京镇,窝驼村,,户主4,张伟,区财政局,,,2012-03-01,区教育局、区财政局\r\n")
        XCTAssertEqual(try linkage("--db", "test.db", "card", "--cadre", "1", "--as-of", "2012-02-29", "--format", "csv").stdout,
                       "乡镇,村,组,户主,联系干部,干部单位,职务,联系电话,联系起始,联系单位\r\n", "no links yet")
    }

    func testLogOfACadreIsInDateOrderWithTotals() throws {
        let r = try linkage("--db", "test.db", "log", "--cadre", "1", "--year", "2012", "--format", "markdown")
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        XCTAssertEqual(r.stdout, """
            # 联村联户日志 · 李明（太京镇人民政府） · 2012年

            | 日期 | 干部 | 单位 | 类别 | 对象 | 村 | 乡镇 | 天数 | 内容 |
            | --- | --- | --- | --- | --- | --- | --- | ---: | --- |
            | 2012-03-15 | 李明 | 太京镇人民政府 | 谈心交流 | 户主2 | 石咀村 | 太京镇 | 0.5 |  |
            | 2012-04-01 | 李明 | 太京镇人民政府 | 入户走访 | 户主1 | 窝驼村 | 太京镇 | 2.0 | 讲政策 |
            | 2012-04-20 | 李明 | 太京镇人民政府 | 问题上报 | 户主1 | 窝驼村 | 太京镇 |  | 饮水困难（已上报协调） |
            | 2012-05-03 | 李明 | 太京镇人民政府 | 六项行动·助学助童 | 户主2 | 石咀村 | 太京镇 |  | 资助子女上学 |
            | 合计 |  |  | 入户走访 |  |  |  | 2.0 | 共 1 次 |
            | 合计 |  |  | 谈心交流 |  |  |  | 0.5 | 共 1 次 |
            | 合计 |  |  | 六项行动·助学助童 |  |  |  |  | 共 1 次 |
            | 合计 |  |  | 问题上报 |  |  |  |  | 共 1 件 |

            """)
        let older = try linkage("--db", "test.db", "log", "--unit", "太京镇人民政府", "--year", "2011", "--format", "csv")
        XCTAssertEqual(older.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty },
                       ["日期,干部,单位,类别,对象,村,乡镇,天数,内容", "2011-12-01,李明,太京镇人民政府,入户走访,户主1,窝驼村,太京镇,1.0,",
                        "合计,,,入户走访,,,,1.0,共 1 次"])
    }

    func testXLSXGoesToAFileMaskedUnlessShowPII() throws {
        let r = try linkage("--db", "test.db", "card", "--township", "太京镇", "--as-of", "2012-06-30", "-o", "卡.xlsx")
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        XCTAssertEqual(r.stderr, "wrote 3 rows to 卡.xlsx (xlsx)\n")
        var cells = try xlsxStrings("卡.xlsx")
        XCTAssertTrue(cells.contains("联系卡") && cells.contains("户主1") && cells.contains("139****5678"), "\(cells)")
        XCTAssertFalse(cells.contains("13912345678"))
        // --show-pii before the command works too, as with export.
        let pii = try linkage("--db", "test.db", "--show-pii", "card", "--cadre", "1", "--as-of", "2012-06-30", "-o", "pii.xlsx")
        XCTAssertEqual(pii.exitCode, 0, "\(pii)")
        cells = try xlsxStrings("pii.xlsx")
        XCTAssertTrue(cells.contains("13912345678"), "\(cells)")
        let log = try linkage("--db", "test.db", "log", "--cadre", "1", "--year", "2012", "-o", "日志.xlsx")
        XCTAssertEqual(log.stderr, "wrote 8 rows to 日志.xlsx (xlsx)\n", "\(log)")
        XCTAssertTrue(try xlsxStrings("日志.xlsx").contains("联村联户日志"))
        let text = try linkage("--db", "test.db", "log", "--cadre", "1", "--year", "2012", "-o", "log.txt")
        XCTAssertEqual(text.exitCode, 0, "\(text)")
        XCTAssertTrue(try String(contentsOf: path("log.txt"), encoding: .utf8).hasPrefix("联村联户日志 · 李明（太京镇人民政府） · 2012年\n\n日期"))
    }

    /// The sheet name and the text cells of an XLSX file (its workbook and shared strings).
    private func xlsxStrings(_ name: String) throws -> Set<String> {
        let script = """
            import re, sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            text = z.read('xl/workbook.xml').decode() + z.read('xl/sharedStrings.xml').decode()
            print('\\n'.join(re.findall(r'<t[^>]*>([^<]*)</t>', text) + re.findall(r'<sheet name="([^"]*)"', text)))
            """
        let r = try LinkageProcess.execute(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", script, path(name).path], in: directory,
                                           environment: ProcessInfo.processInfo.environment, stdin: nil, timeout: 30)
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        return Set(r.stdout.split(separator: "\n").map(String.init))
    }

    func testMistakesAreInputErrorsAndTheRegisterIsUnchanged() throws {
        let before = try bytes("test.db")
        let cases: [([String], String)] = [
            (["card", "--township", "太金镇"], "township = '太金镇': there is no area of that name in the register; did you mean '太京镇'?"),
            (["log", "--unit", "区财局"], "unit = '区财局': there is no unit of that name in the register; did you mean '区财政局'?"),
            (["card", "--cadre", "99"], "there is no cadre with id 99"),
            (["card"], "give one of --cadre ID, --unit NAME_OR_ID or --township NAME"),
            (["log", "--cadre", "1", "--township", "太京镇"], "give one of --cadre ID, --unit NAME_OR_ID or --township NAME"),
            (["card", "--cadre", "1", "--format", "pdf"], "unknown format 'pdf'; the formats are text, csv, json, markdown, xlsx"),
            (["card", "--cadre", "1", "--format", "xlsx"], "xlsx is a file format; give -o FILE.xlsx"),
            (["card", "--cadre", "1", "--as-of", "2012-02-30"], "--as-of must be a date written YYYY-MM-DD"),
            (["log", "--cadre", "1", "--year", "12"], "year must be between 1980 and 2100"),
            (["card", "--cadre", "1", "-o", "test.db"], "cannot write test.db: it is the register"),
            (["log", "--cadre", "1", "-o", "test.db-wal", "--format", "csv"], "a file SQLite keeps beside the register"),
        ]
        for (arguments, message) in cases {
            let r = try LinkageProcess.run(["--db", "test.db"] + arguments, in: directory, environment: nil, stdin: nil)
            XCTAssertEqual(r.exitCode, 2, "\(arguments): \(r)")
            XCTAssertTrue(r.stderr.contains(message), "\(arguments): \(r.stderr)")
        }
        XCTAssertEqual(try bytes("test.db"), before, "the register changed")
        XCTAssertFalse(fileExists("test.db-wal"), "nothing was written beside the register")
        let missing = try linkage("--db", "absent.db", "card", "--cadre", "1")
        XCTAssertEqual(missing.exitCode, 2, "\(missing)")
        XCTAssertFalse(fileExists("absent.db"), "a read-only command creates no register")
    }
}
