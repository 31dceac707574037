import Foundation
import GRDB
import XCTest
@testable import LinkageModel
@testable import LinkageExchange

/// A register in a temporary directory, filled by importing small CSV files, and helpers to
/// import more.
class ExchangeTestCase: XCTestCase {
    var directory: URL!
    var register: Register!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("linkage-exchange-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        register = try Register(path: path("register.db"))
    }

    override func tearDownWithError() throws {
        register = nil
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// A valid resident ID from 17 digits.
    static func id(_ first17: String) -> String {
        first17 + String(ResidentID.checkCharacter(for: first17.map { Int(String($0))! }))
    }

    @discardableResult
    func importCSV(_ kind: ImportKind, _ text: String, name: String? = nil, update: Bool = false, dryRun: Bool = false) throws -> ImportReport {
        let file = path(name ?? "\(kind.rawValue).csv")
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return try Importer.run(try InputTable.read(path: file), kind: kind, register: register, update: update, dryRun: dryRun,
                                audit: AuditSource(osUser: "tester", source: "import \(file)"))
    }

    func requireSuccess(_ report: ImportReport, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(report.succeeded, report.problems.map(\.description).joined(separator: "\n"), file: file, line: line)
    }

    func count(_ table: String) throws -> Int {
        try register.queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM \(table)") ?? 0 }
    }

    /// Two townships, a subdistrict, three villages (two named 李家村), a community, two units and
    /// three cadres (one a teacher).
    func seedPlaces() throws {
        requireSuccess(try importCSV(.areas, "代码,名称,类型\n620502100,玉泉镇,乡镇\n620502101,太京镇,township\n620502001,大城街道,街道\n"))
        requireSuccess(try importCSV(.villages, "村代码,村名,乡镇\n620502100001,李家村,玉泉镇\n620502100002,王家村,\n620502101001,李家村,太京镇\n"))
        requireSuccess(try importCSV(.communities, "code,name\n620502001001,东关社区\n"))
        requireSuccess(try importCSV(.units, "单位名称,单位类型,乡镇\n玉泉镇政府,乡镇,玉泉镇\n区教育局,区直部门,\n"))
        requireSuccess(try importCSV(.cadres, """
            姓名,单位,性别,身份证号,联系电话,角色,不联户类别
            张三,玉泉镇政府,男,\(Self.cadreID),13800001234,township_principal,
            李四,区教育局,女,,,department_other,
            赵六,区教育局,女,,,,教师

            """))
    }

    static let cadreID = id("34052419800101001")
    static let h1 = id("62050219700101001")
    static let h2 = id("62050219700101002")
    static let h3 = id("62050219700101003")
    static let h4 = id("62050219700101004")

    static let households = """
        户主姓名,身份证号,村代码,乡镇,联系电话,户属性,主要致贫原因,其他致贫原因1,家庭人口,人均纯收入,不愁吃,脱贫年份
        王五,\(h1),620502100001,,13912345678,低保户,因病,缺技术,4,2300.5,是,
        赵七,\(h2),王家村,玉泉镇,,一般贫困户,缺水,,3,"1,800",否,2015
        钱八,\(h3),东关社区,,,,因残,,2,,,

        """
}

final class ExchangeImportTests: ExchangeTestCase {
    func testEveryKindImportsFromChineseHeaders() throws {
        try seedPlaces()
        let report = try importCSV(.households, Self.households)
        requireSuccess(report)
        XCTAssertEqual(report.inserted, 3)
        try register.queue.read { db in
            let r = try Row.fetchOne(db, sql: "SELECT * FROM household WHERE resident_id = ?", arguments: [Self.h2])!
            XCTAssertEqual(r["head_name"] as String, "赵七")
            XCTAssertEqual(r["kind"] as String, "rural")
            XCTAssertEqual(r["income"] as Double, 1800)
            XCTAssertEqual(r["exit_year"] as Int, 2015)
            XCTAssertEqual(r["food_secure"] as Int, 0)
            let urban = try Row.fetchOne(db, sql: "SELECT kind, attribute FROM household WHERE resident_id = ?", arguments: [Self.h3])!
            XCTAssertEqual(urban["kind"] as String, "urban", "a household in a community is urban")
            XCTAssertEqual(urban["attribute"] as String, "一般贫困户", "the schema's default")
        }
        requireSuccess(try importCSV(.links, """
            干部身份证号,干部姓名,单位,户主身份证号,户主姓名,村代码,开始日期
            \(Self.cadreID),,,\(Self.h1),王五,,2012-03-01
            ,李四,区教育局,\(Self.h2),赵七,,2012/3/5
            ,,区教育局,,,620502100001,2012年3月1日

            """))
        requireSuccess(try importCSV(.visits, "干部身份证号,户主身份证号,日期,天数,类型,备注\n\(Self.cadreID),\(Self.h1),2012-04-01,1.5,走访,了解情况\n"))
        requireSuccess(try importCSV(.activities, "单位,村代码,行动,日期,标题,内容\n区教育局,620502100001,助学助童,2012-06-01,捐赠图书,200册\n"))
        XCTAssertEqual(try count("link"), 3)
        try register.queue.read { db in
            XCTAssertEqual(try String.fetchOne(db, sql: "SELECT start_date FROM link WHERE village_id IS NOT NULL"), "2012-03-01")
            XCTAssertEqual(try Double.fetchOne(db, sql: "SELECT days FROM visit"), 1.5)
            XCTAssertEqual(try String.fetchOne(db, sql: "SELECT action FROM activity"), "schooling")
        }
    }

    func testEnglishHeadersAreTheSchemasColumnNames() throws {
        try seedPlaces()
        requireSuccess(try importCSV(.households, """
            head_name,resident_id,village,main_cause,members,kind
            孙九,\(Self.h4),620502100002,缺技术,5,rural

            """))
        XCTAssertEqual(try count("household"), 1)
    }

    func testEachProblemNamesItsLineAndColumnAndSaysWhatWouldBeRight() throws {
        try seedPlaces()
        let report = try importCSV(.households, """
            户主姓名,身份证号,村代码,乡镇,主要致贫原因,家庭人口
            孙九,620502197001010011,620502100001,,因病,4
            周十,\(Self.h4),李家村,,病,四口
            吴一,\(Self.h3),张家村,玉泉镇,因学,2

            """, name: "bad.csv")
        XCTAssertFalse(report.succeeded)
        let lines = report.problems.map(\.description)
        XCTAssertTrue(lines.contains { $0.hasPrefix("\(path("bad.csv")):2:2: 身份证号 '620502197001010011': the check character is 1 but the first 17 digits give 4") && $0.contains(" — ") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("\(path("bad.csv")):3:3: 2 villages are named '李家村'") && $0.contains("add a column 乡镇") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("\(path("bad.csv")):3:5: 主要致贫原因 '病'") && $0.contains("write one of 因病") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("\(path("bad.csv")):3:6: 家庭人口 '四口' is not a whole number") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("\(path("bad.csv")):4:3: there is no village or community named '张家村' in 玉泉镇") }, "\(lines)")
        XCTAssertEqual(report.problems.count, 5, "\(lines)")
        XCTAssertEqual(try count("household"), 0, "one bad row and nothing is imported")
    }

    func testAMissingColumnIsReportedOnceNotPerRow() throws {
        try seedPlaces()
        let report = try importCSV(.households, "户主姓名,村代码,主要致贫原因,家庭人口\n王五,620502100001,因病,4\n赵七,620502100001,因病,3\n")
        XCTAssertEqual(report.problems.map(\.text), ["missing column 户主身份证号 (resident_id) — add a column headed resident_id or 户主身份证号; households need it"])
        XCTAssertEqual(report.problems.first?.line, 1)
    }

    func testUnknownAndRepeatedColumnsAreProblems() throws {
        try seedPlaces()
        let report = try importCSV(.households, "序号,户主姓名,身份证号,身份证号码,村代码,致贫原因,人口,爱好\n1,王五,\(Self.h1),\(Self.h1),620502100001,因病,4,读书\n")
        XCTAssertEqual(report.problems.count, 2, report.problems.map(\.description).joined(separator: "\n"))
        XCTAssertTrue(report.problems[0].text.hasPrefix("columns 3 ('身份证号') and 4 ('身份证号码') both give resident_id"))
        XCTAssertTrue(report.problems[1].text.hasPrefix("unknown column '爱好' for households"))
        XCTAssertEqual(report.problems[1].column, "8")
    }

    func testDuplicatesInTheFileAndAgainstTheRegister() throws {
        try seedPlaces()
        requireSuccess(try importCSV(.households, Self.households))
        let report = try importCSV(.households, """
            户主姓名,身份证号,村代码,主要致贫原因,家庭人口
            孙九,\(Self.h4),620502100001,因病,4
            孙九,\(Self.h4.lowercased()),620502100001,因病,4
            王五,\(Self.h1),620502100001,因病,4

            """, name: "dup.csv")
        let texts = report.problems.map(\.description)
        XCTAssertEqual(texts.count, 2, texts.joined(separator: "\n"))
        XCTAssertTrue(texts[0].hasPrefix("\(path("dup.csv")):3:2: resident ID \(Self.h4) is already on line 2 — one household per resident ID"), texts[0])
        XCTAssertTrue(texts[1].hasPrefix("\(path("dup.csv")):4:2: resident ID \(Self.h1) is already in the register (household 1) — run the import with --update"), texts[1])
        XCTAssertEqual(try count("household"), 3)
    }

    /// A file is checked as a set (keys, duplicates and the register's rows found by joins over a
    /// staging table) and written by one INSERT and one UPDATE: the problems are still each on
    /// its line and column, and the counts are the rows that changed.
    func testAFileIsCheckedAndWrittenAsASet() throws {
        try seedPlaces()
        let ids = (1...300).map { Self.id(String(format: "62050219700101%03d", $0)) }
        var rows = ["户主姓名,身份证号,村代码,主要致贫原因,家庭人口,人均纯收入"]
        for (i, id) in ids.enumerated() { rows.append("户\(i),\(id),\(i % 2 == 0 ? "620502100001" : "620502100002"),因病,\(i % 5 + 1),\(1000 + i)") }
        requireSuccess(try importCSV(.households, rows.joined(separator: "\n") + "\n", name: "many.csv"))
        XCTAssertEqual(try count("household"), 300)
        let audited = try register.queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM audit_change WHERE table_name = 'household' AND action = 'insert'") }
        XCTAssertEqual(audited, 300, "one audited insert per row")
        // In file order: the register's ids follow the lines.
        let first = try register.queue.read { try String.fetchOne($0, sql: "SELECT resident_id FROM household ORDER BY id LIMIT 1") }
        XCTAssertEqual(first, ids[0])

        // A second file: line 251 repeats line 2's resident ID, line 152 (keyed by id) gives a
        // resident ID that another row of the register has, and rows already there are problems
        // without --update.
        var again = ["id,户主姓名,身份证号,村代码,主要致贫原因,家庭人口"]
        again.append(",新户,\(Self.id("62050219800101001")),620502100001,因病,2")
        for k in 2...249 { again.append(",新户\(k),\(Self.id(String(format: "62050219800201%03d", k))),620502100001,因病,2") }
        again.append(",重复,\(Self.id("62050219800101001")),620502100001,因病,2")
        let report = try importCSV(.households, again.joined(separator: "\n") + "\n", name: "again.csv")
        XCTAssertEqual(report.problems.map(\.description), [
            "\(path("again.csv")):251:3: resident ID \(Self.id("62050219800101001")) is already on line 2 — one household per resident ID; keep one of the rows",
        ])
        var clash = ["id,户主姓名,身份证号,村代码,主要致贫原因,家庭人口"]
        clash.append("5,户4,\(ids[9]),620502100001,因病,1")
        let refused = try importCSV(.households, clash.joined(separator: "\n") + "\n", name: "clash.csv", update: true)
        XCTAssertEqual(refused.problems.count, 1, refused.problems.map(\.description).joined(separator: "\n"))
        XCTAssertTrue(refused.problems[0].description.hasPrefix("\(path("clash.csv")):2:3: resident ID \(ids[9]) already belongs to another row of the register"),
                      refused.problems[0].description)
        XCTAssertEqual(try count("household"), 300, "nothing was written")

        // --update: two rows change, the rest are unchanged, one is new.
        rows[1] = rows[1].replacingOccurrences(of: ",1000", with: ",1500")
        rows[2] = rows[2].replacingOccurrences(of: "户1,", with: "户一,")
        rows.append("新户,\(Self.id("62050219800101001")),620502100001,因病,2,")
        let updated = try importCSV(.households, rows.joined(separator: "\n") + "\n", name: "update.csv", update: true)
        requireSuccess(updated)
        XCTAssertEqual([updated.inserted, updated.updated, updated.unchanged], [1, 2, 298])
        let changed = try register.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT head_name, income FROM household WHERE resident_id IN (?, ?) ORDER BY id", arguments: [ids[0], ids[1]])
        }
        XCTAssertEqual(changed.map { $0["head_name"] as String }, ["户0", "户一"])
        XCTAssertEqual(changed.map { $0["income"] as Double }, [1500, 1001])
    }

    /// New open links are held to the quotas in force on their start date as link() holds them:
    /// a cadre over quota is a problem on the cadre's first row, and nothing is imported.
    func testLinksOverAQuotaAreRefusedLikeLink() throws {
        try seedPlaces()
        requireSuccess(try importCSV(.households, Self.households))
        let report = try importCSV(.links, """
            干部姓名,单位,户主身份证号,开始日期
            张三,玉泉镇政府,\(Self.h1),2012-03-01
            李四,区教育局,\(Self.h1),2012-03-01
            李四,区教育局,\(Self.h2),2012-03-01

            """, name: "links.csv")
        let texts = report.problems.map(\.description)
        XCTAssertEqual(texts.count, 1, texts.joined(separator: "\n"))
        XCTAssertTrue(texts.first?.hasPrefix("\(path("links.csv")):3:1: 李四 (cadre ") ?? false, texts.first ?? "")
        XCTAssertTrue(texts.first?.contains("would link 2 rural households on 2012-03-01, over the quota of 1") ?? false, texts.first ?? "")
        XCTAssertEqual(try count("link"), 0)
        // Within the quota, the same file without the third row imports.
        requireSuccess(try importCSV(.links, """
            干部姓名,单位,户主身份证号,开始日期
            张三,玉泉镇政府,\(Self.h1),2012-03-01
            李四,区教育局,\(Self.h1),2012-03-01

            """, name: "links.csv"))
        XCTAssertEqual(try count("link"), 2)
    }

    /// A link file's checks against the register run for the whole file at once, with the words
    /// of one row's: an open link of the same cadre and household (line 2), a cadre of an excluded
    /// category on a row with another problem (line 3: today's categories, as the date is wrong)
    /// and on a row without (line 4).
    func testLinkChecksAgainstTheRegisterRunAsASet() throws {
        try seedPlaces()
        requireSuccess(try importCSV(.households, Self.households))
        requireSuccess(try importCSV(.links, "干部姓名,单位,户主身份证号,开始日期\n张三,玉泉镇政府,\(Self.h1),2012-03-01\n", name: "first.csv"))
        let report = try importCSV(.links, """
            干部姓名,单位,户主身份证号,开始日期
            张三,玉泉镇政府,\(Self.h1),2012-05-01
            赵六,区教育局,\(Self.h2),2012-13-01
            赵六,区教育局,\(Self.h3),2012-03-01

            """, name: "links.csv")
        let texts = report.problems.map(\.description)
        XCTAssertEqual(texts.count, 4, texts.joined(separator: "\n"))
        guard texts.count == 4 else { return }
        XCTAssertEqual(texts[0], "\(path("links.csv")):2:4: already linked since 2012-03-01 (link 1) — a link is set once; end that link before linking again, or drop this row")
        XCTAssertTrue(texts[1].hasPrefix("\(path("links.csv")):3:1: 赵六 (cadre ") && texts[1].contains("teacher") && texts[1].hasSuffix(" — name another cadre"), texts[1])
        XCTAssertTrue(texts[2].hasPrefix("\(path("links.csv")):3:4: ") && texts[2].contains("is not a date"), texts[2])
        XCTAssertTrue(texts[3].hasPrefix("\(path("links.csv")):4:1: 赵六 (cadre ") && texts[3].contains("teacher") && texts[3].hasSuffix(" — name another cadre"), texts[3])
        XCTAssertEqual(try count("link"), 1, "nothing more was written")
    }

    func testARaggedRowIsReportedAndNothingIsImported() throws {
        try seedPlaces()
        let report = try importCSV(.households, "户主姓名,身份证号,村代码,主要致贫原因,家庭人口\n王五,\(Self.h1),620502100001,因病,4\n赵七,\(Self.h2),620502100001,因病\n")
        XCTAssertEqual(report.problems.map(\.description), [
            "\(path("households.csv")):3:5: the row has 4 fields but the header has 5 — every row needs a value (or an empty place) for each of the 5 columns; is a comma missing?",
        ])
        XCTAssertEqual(try count("household"), 0)
    }

    func testRulesAcrossFieldsAndOtherRows() throws {
        try seedPlaces()
        requireSuccess(try importCSV(.households, Self.households))
        let report = try importCSV(.links, """
            干部姓名,单位,户主身份证号,户主姓名,开始日期,结束日期,结束原因
            赵六,区教育局,\(Self.h3),钱八,2012-03-01,,
            李四,区教育局,\(Self.h3),王五,2012-03-01,2012-02-01,调离

            """)
        let texts = report.problems.map(\.text)
        XCTAssertEqual(texts.count, 3, texts.joined(separator: "\n"))
        XCTAssertTrue(texts[0].contains("赵六") && texts[0].contains("teacher"), texts[0])
        XCTAssertTrue(texts[1].contains("headed by 钱八, not 王五"), texts[1])
        XCTAssertTrue(texts[2].contains("ends on 2012-02-01, before it starts on 2012-03-01"), texts[2])
    }

    func testUpdateChangesOnlyTheFieldsThatDifferAndIsAudited() throws {
        try seedPlaces()
        requireSuccess(try importCSV(.households, Self.households))
        let report = try importCSV(.households, """
            户主姓名,身份证号,村代码,主要致贫原因,家庭人口,人均纯收入
            王五,\(Self.h1),620502100001,因病,5,2300.5
            赵七,\(Self.h2),620502100002,缺水,3,1800
            孙九,\(Self.h4),620502100002,缺水,1,

            """, name: "update.csv", update: true)
        requireSuccess(report)
        XCTAssertEqual([report.inserted, report.updated, report.unchanged], [1, 1, 1])
        try register.queue.read { db in
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT members FROM household WHERE resident_id = ?", arguments: [Self.h1]), 5)
            XCTAssertEqual(try String.fetchOne(db, sql: "SELECT phone FROM household WHERE resident_id = ?", arguments: [Self.h1]), "13912345678",
                           "a column the file does not give is left as it was")
            let entries = try AuditLog.entries(db, table: "household").filter { $0.source == "import \(path("update.csv"))" }
            XCTAssertEqual(entries.map(\.action), ["update", "insert"])
            XCTAssertEqual(entries[0].changes.map(\.field), ["members"])
            XCTAssertEqual(entries[0].osUser, "tester")
        }
    }

    /// A file without some columns: the rules across fields see the register's row with the file's
    /// changes, whether they find fault with the row's own values (line 3 of the first file, and
    /// the second file, where the register gives the cause the row leaves empty) or only with the
    /// register's values filled in (line 2: a main cause the register has as the other cause).
    func testUpdateChecksRulesOnTheRegistersRowWithTheFilesChanges() throws {
        try seedPlaces()
        requireSuccess(try importCSV(.households, Self.households))
        let refused = try importCSV(.households, """
            resident_id,main_cause,other_cause_1,other_cause_2
            \(Self.h1),缺技术,,
            \(Self.h2),缺水,,缺技术
            \(Self.h3),因残,,

            """, name: "causes.csv", update: true)
        let texts = refused.problems.map(\.description)
        XCTAssertEqual(texts.count, 2, texts.joined(separator: "\n"))
        XCTAssertTrue(texts.first?.hasPrefix("\(path("causes.csv")):2:3: ") ?? false, texts.first ?? "")
        XCTAssertTrue(texts.first?.contains("'缺技术' repeats") ?? false, texts.first ?? "")
        XCTAssertTrue(texts.last?.hasPrefix("\(path("causes.csv")):3:4: ") ?? false, texts.last ?? "")
        XCTAssertTrue(texts.last?.contains("is given but") ?? false, texts.last ?? "")
        let accepted = try importCSV(.households, """
            resident_id,main_cause,other_cause_1,other_cause_2
            \(Self.h1),因病,,缺水

            """, name: "causes.csv", update: true)
        requireSuccess(accepted)
        XCTAssertEqual([accepted.inserted, accepted.updated, accepted.unchanged], [0, 1, 0])
        let causes = try register.queue.read { try Row.fetchOne($0, sql: "SELECT other_cause_1, other_cause_2 FROM household WHERE resident_id = ?", arguments: [Self.h1]) }
        XCTAssertEqual(causes?["other_cause_1"] as String?, "缺技术")
        XCTAssertEqual(causes?["other_cause_2"] as String?, "缺水")
    }

    func testDryRunChecksEverythingAndWritesNothing() throws {
        try seedPlaces()
        let sessions = try count("audit_session")
        let report = try importCSV(.households, Self.households, dryRun: true)
        requireSuccess(report)
        XCTAssertEqual(report.inserted, 3)
        XCTAssertTrue(report.summary.hasPrefix("dry run:"))
        XCTAssertEqual(try count("household"), 0)
        XCTAssertEqual(try count("audit_session"), sessions, "no session is left behind")
    }

    func testTheRegistersOwnRefusalIsReportedOnItsRow() throws {
        try seedPlaces()
        // 620502001 is a subdistrict; a village code beginning with a township's in a subdistrict's file
        let report = try importCSV(.communities, "代码,名称,街道\n620502100009,新社区,大城街道\n", name: "c.csv")
        XCTAssertFalse(report.succeeded)
        XCTAssertEqual(report.problems.first?.line, 2)
        XCTAssertTrue(report.problems.first?.text.contains("does not begin with 620502001") ?? false, "\(report.problems)")
    }

    func testARowChecksAsScriptsCheckIt() throws {
        try seedPlaces()
        try register.queue.write { db in
            let schema = try SchemaCatalog(db)
            let good: [(String, CellValue)] = [("户主姓名", .text("王五")), ("身份证号", .text(Self.h1)), ("村代码", .text("620502100001")),
                                               ("主要致贫原因", .text("因病")), ("家庭人口", .integer(4))]
            XCTAssertTrue(try Importer.check(kind: .households, fields: good, db: db, schema: schema).isEmpty)
            let bad: [(String, CellValue)] = [("head_name", .text("王五")), ("resident_id", .text("620502197001010011")),
                                              ("village", .text("620502100001")), ("main_cause", .text("因病")), ("members", .number(0))]
            let problems = try Importer.check(kind: .households, fields: bad, db: db, schema: schema)
            XCTAssertEqual(problems.map(\.field), ["resident_id", "members"])
            XCTAssertTrue(problems[0].message.contains("the check character is 1") && problems[0].message.contains(" — "))
            XCTAssertEqual(try Importer.check(kind: .households, fields: [("爱好", .text("x"))], db: db, schema: schema).first?.field, "爱好")
        }
        XCTAssertEqual(try count("household"), 0, "checking writes nothing")
    }

    func testDocsListEveryAcceptedHeader() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/import-export.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let expected = try register.queue.read { try ImportValidator.headerReference($0) }
        let begin = "<!-- headers: begin -->\n", end = "<!-- headers: end -->"
        guard let b = text.range(of: begin), let e = text.range(of: end) else { return XCTFail("docs/import-export.md lacks the header markers") }
        let actual = String(text[b.upperBound..<e.lowerBound])
        if actual.trimmingCharacters(in: .newlines) != expected.trimmingCharacters(in: .newlines) {
            try? expected.write(toFile: "/tmp/import-export-headers.md", atomically: true, encoding: .utf8)
            XCTFail("docs/import-export.md's header tables differ from the importer's; the current text is in /tmp/import-export-headers.md")
        }
    }
}
