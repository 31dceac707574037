import Foundation
import GRDB
import XCTest
@testable import LinkageModel
@testable import LinkageExchange
@testable import LinkageSample

/// Contact cards (联系卡) and linkage logs (联村联户日志) of the sample district, checked against
/// counts written by hand in SQL.
final class MaterialsTests: XCTestCase {
    override class func tearDown() { SampleFixtures.release() }

    private let day = "2012-06-30"
    private let active = "l.start_date <= :day AND (l.end_date IS NULL OR l.end_date > :day)"

    func testContactCardsOfATownshipAUnitAndACadreAreTheirActiveLinks() throws {
        let f = try SampleFixtures.district()
        try f.register.queue.read { db in
            let area = try Int64.fetchOne(db, sql: "SELECT id FROM area WHERE name = '太京镇'")!
            let card = try ContactCard.make(db, for: try MaterialSubject.area(db, nameOrCode: "太京镇"), asOf: day)
            XCTAssertEqual(card.title, "联系卡 · 太京镇 · 2012-06-30")
            XCTAssertEqual(card.table.columns, ContactCard.columns)
            let inArea = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM link AS l JOIN household AS h ON h.id = l.household_id JOIN village AS v ON v.id = h.village_id
                WHERE v.area_id = :area AND l.cadre_id IS NOT NULL AND \(active)
                """, arguments: ["area": area, "day": day])!
            XCTAssertGreaterThan(inArea, 100)
            XCTAssertEqual(card.table.rows.count, inArea)
            XCTAssertTrue(card.table.rows.allSatisfy { $0[0] == .text("太京镇") })
            // By the area's code too.
            XCTAssertEqual(try ContactCard.make(db, for: try MaterialSubject.area(db, nameOrCode: "620502101"), asOf: day).table.rows.count, inArea)

            // The units of each village, as the card lists them, for one village.
            let row = card.table.rows[0]
            guard case .text(let village) = row[1] else { return XCTFail("\(row)") }
            let units = try String.fetchAll(db, sql: """
                SELECT DISTINCT u.name FROM link AS l JOIN unit AS u ON u.id = l.unit_id JOIN village AS v ON v.id = l.village_id
                WHERE v.name = :village AND v.area_id = :area AND \(active) ORDER BY u.name
                """, arguments: ["village": village, "area": area, "day": day])
            XCTAssertEqual(row[9], units.isEmpty ? .null : .text(units.joined(separator: "、")))

            // The unit with the most linked households, and one of its cadres.
            let unit = try Row.fetchOne(db, sql: """
                SELECT c.unit_id AS id, count(*) AS n FROM link AS l JOIN cadre AS c ON c.id = l.cadre_id
                WHERE l.household_id IS NOT NULL AND \(active) GROUP BY c.unit_id ORDER BY n DESC, c.unit_id LIMIT 1
                """, arguments: ["day": day])!
            let byUnit = try ContactCard.make(db, for: .unit(unit["id"]), asOf: day)
            XCTAssertEqual(byUnit.table.rows.count, unit["n"] as Int)
            let cadre = try Row.fetchOne(db, sql: """
                SELECT l.cadre_id AS id, count(*) AS n, c.name, c.phone FROM link AS l JOIN cadre AS c ON c.id = l.cadre_id
                WHERE l.household_id IS NOT NULL AND c.phone IS NOT NULL AND \(active) GROUP BY l.cadre_id ORDER BY n DESC, l.cadre_id LIMIT 1
                """, arguments: ["day": day])!
            let byCadre = try ContactCard.make(db, for: .cadre(cadre["id"]), asOf: day)
            XCTAssertEqual(byCadre.table.rows.count, cadre["n"] as Int)
            XCTAssertTrue(byCadre.table.rows.allSatisfy { $0[4] == .text(cadre["name"]) && $0[7] == .text(cadre["phone"]) })
            // Phones are kept for --show-pii and masked otherwise.
            let phone: String = cadre["phone"]
            XCTAssertFalse(byCadre.table.masked().rows.contains { $0[7] == .text(phone) })
            // Before any link began, no cards.
            XCTAssertEqual(try ContactCard.make(db, for: .cadre(cadre["id"]), asOf: "2011-12-31").table.rows.count, 0)
        }
    }

    func testLinkageLogOfAUnitAndATownshipCountsWhatWasDoneThatYear() throws {
        let f = try SampleFixtures.district()
        try f.register.queue.read { db in
            let unit = try Int64.fetchOne(db, sql: "SELECT unit_id FROM visit WHERE unit_id IS NOT NULL GROUP BY unit_id ORDER BY count(*) DESC, unit_id LIMIT 1")!
            let mine = "(x.cadre_id IN (SELECT id FROM cadre WHERE unit_id = :s) OR x.unit_id = :s)"
            try check(db, LinkageLog.make(db, for: .unit(unit), year: 2012), subject: unit, visits: mine, activities: mine,
                      problems: "(x.reported_by_cadre_id IN (SELECT id FROM cadre WHERE unit_id = :s) OR x.reported_by_unit_id = :s)")

            let area = try Int64.fetchOne(db, sql: "SELECT id FROM area WHERE name = '太京镇'")!
            let here = """
                (x.household_id IN (SELECT h.id FROM household AS h JOIN village AS v ON v.id = h.village_id WHERE v.area_id = :s)
                 OR x.village_id IN (SELECT id FROM village WHERE area_id = :s))
                """
            let log = try LinkageLog.make(db, for: .area(area), year: 2012)
            XCTAssertEqual(log.title, "联村联户日志 · 太京镇 · 2012年")
            try check(db, log, subject: area, visits: here, activities: here, problems: here)
            XCTAssertEqual(try LinkageLog.make(db, for: .area(area), year: 2011).table.rows.count, 0, "the sample's year is 2012")
        }
    }

    /// Entries and the totals of each kind against SQL over the same rows.
    private func check(_ db: Database, _ log: Material, subject: Int64, visits: String, activities: String, problems: String,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let year = "BETWEEN '2012-01-01' AND '2012-12-31'"
        func count(_ sql: String) throws -> Int { try Int.fetchOne(db, sql: sql, arguments: ["s": subject])! }
        func days(_ sql: String) throws -> Double { try Double.fetchOne(db, sql: sql, arguments: ["s": subject]) ?? 0 }
        let entries = try count("SELECT count(*) FROM visit AS x WHERE \(visits) AND x.date \(year)")
            + count("SELECT count(*) FROM activity AS x WHERE \(activities) AND x.date \(year)")
            + count("SELECT count(*) FROM problem AS x WHERE \(problems) AND x.reported_on \(year)")
        let rows = log.table.rows
        let dated = rows.filter { $0[0] != .text("合计") }
        XCTAssertGreaterThan(entries, 0, file: file, line: line)
        XCTAssertEqual(dated.count, entries, file: file, line: line)
        let dates = dated.map { Exporter.text($0[0]) }
        XCTAssertEqual(dates, dates.sorted(), "in date order", file: file, line: line)
        var totals: [String: (String, SQLValue)] = [:]
        for row in rows where row[0] == .text("合计") { totals[Exporter.text(row[3])] = (Exporter.text(row[8]), row[7]) }
        let kinds = [("入户走访", "x.kind = 'visit' AND x.household_id IS NOT NULL"), ("进村走访", "x.kind = 'visit' AND x.village_id IS NOT NULL"),
                     ("谈心交流", "x.kind = 'talk'"), ("集中宣讲", "x.kind = 'publicity'")]
        for (label, condition) in kinds {
            let n = try count("SELECT count(*) FROM visit AS x WHERE \(visits) AND \(condition) AND x.date \(year)")
            let d = try days("SELECT sum(days) FROM visit AS x WHERE \(visits) AND \(condition) AND x.date \(year)")
            if n == 0 { XCTAssertNil(totals[label], label, file: file, line: line); continue }
            XCTAssertEqual(totals[label]?.0, "共 \(n) 次", label, file: file, line: line)
            XCTAssertEqual(totals[label]?.1, .real(d), label, file: file, line: line)
        }
        for (action, word) in [("prosperity", "富民引领"), ("problem_solving", "破解难题"), ("schooling", "助学助童"),
                               ("industry", "产业扶贫"), ("stability", "维稳安民"), ("culture", "文化启智")] {
            let n = try count("SELECT count(*) FROM activity AS x WHERE \(activities) AND x.action = '\(action)' AND x.date \(year)")
            XCTAssertEqual(totals["六项行动·" + word]?.0, n == 0 ? nil : "共 \(n) 次", word, file: file, line: line)
        }
        let reported = try count("SELECT count(*) FROM problem AS x WHERE \(problems) AND x.reported_on \(year)")
        XCTAssertEqual(totals["问题上报"]?.0, reported == 0 ? nil : "共 \(reported) 件", file: file, line: line)
        XCTAssertEqual(rows.suffix(totals.count).map { Exporter.text($0[0]) }, Array(repeating: "合计", count: totals.count),
                       "the totals come last", file: file, line: line)
    }

    func testAnXLSXCardReadsBackAsWritten() throws {
        let f = try SampleFixtures.district()
        let card = try f.register.queue.read { db in try ContactCard.make(db, for: try MaterialSubject.area(db, nameOrCode: "大城街道"), asOf: day) }
        XCTAssertGreaterThan(card.table.rows.count, 0)
        let path = f.directory.appendingPathComponent("card.xlsx").path
        try Exporter.write(card.table, format: .xlsx, to: path, sheetName: "联系卡")
        let sheet = try XLSXReader.read(URL(fileURLWithPath: path))
        XCTAssertEqual(sheet.name, "联系卡")
        XCTAssertEqual(sheet.rows.count, card.table.rows.count + 1)
        XCTAssertEqual((0..<ContactCard.columns.count).map { sheet.rows[0].cells[$0]?.text ?? "" }, ContactCard.columns)
        for (r, row) in card.table.rows.enumerated() {
            XCTAssertEqual(row.indices.map { sheet.rows[r + 1].cells[$0]?.text ?? "" }, row.map(Exporter.text), "row \(r + 1)")
        }
    }

    func testUnknownNamesAreErrorsNamingTheNearest() throws {
        let f = try SampleFixtures.district()
        try f.register.queue.read { db in
            XCTAssertThrowsError(try MaterialSubject.area(db, nameOrCode: "太金镇")) { error in
                XCTAssertTrue("\(error)".contains("township = '太金镇': there is no area of that name in the register; did you mean '太京镇'"), "\(error)")
            }
            let unit = try String.fetchOne(db, sql: "SELECT name FROM unit WHERE name LIKE '区%局' ORDER BY id LIMIT 1")!
            let typo = String(unit.dropLast()) + "厅"
            XCTAssertThrowsError(try MaterialSubject.unit(db, nameOrID: typo)) { error in
                XCTAssertTrue("\(error)".contains("did you mean '\(unit)'"), "\(error)")
            }
            XCTAssertThrowsError(try MaterialSubject.unit(db, nameOrID: "999999")) { XCTAssertEqual("\($0)", "there is no unit with id 999999") }
            XCTAssertThrowsError(try MaterialSubject.cadre(db, id: 999999)) { XCTAssertEqual("\($0)", "there is no cadre with id 999999") }
            XCTAssertThrowsError(try MaterialSubject.area(db, nameOrCode: "620502999")) { XCTAssertTrue("\($0)".contains("no township or subdistrict with code")) }
            XCTAssertThrowsError(try LinkageLog.make(db, for: .cadre(1), year: 12)) { XCTAssertTrue("\($0)".contains("year must be between 1980 and 2100")) }
            XCTAssertThrowsError(try ContactCard.make(db, for: .cadre(1), asOf: "2012-6-30")) { XCTAssertTrue("\($0)".contains("as_of must be a date")) }
        }
    }

    func testAlignedTextCountsChineseAsTwoColumns() {
        let table = ExportTable(columns: ["名字", "n", "备注"], rows: [[.text("太京镇"), .integer(1), .text("a\nb")], [.text("ab"), .integer(22), .null]])
        XCTAssertEqual(Exporter.aligned(table), """
            名字     n  备注
            ------  --  ----
            太京镇   1  a b
            ab      22

            """)
    }
}
