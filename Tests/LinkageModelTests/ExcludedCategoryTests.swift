import GRDB
import XCTest
@testable import LinkageModel

/// The categories of staff who do not link (教师、医务人员、企业职工、机关工勤人员) are dated rules
/// (excluded_category, schema step 7): a category added or ended from a day changes the link
/// refusals and the staff check from that day, with no change of code, and a v6 register migrates.
final class ExcludedCategoryTests: XCTestCase {
    private var f: SchemaFixture!
    private let excluded = try! RuleBook.kind("excluded")

    override func setUpWithError() throws {
        f = try SchemaFixture()
        try f.seed()
    }

    override func tearDownWithError() throws { f = nil }

    private func staff(on day: String) throws -> [[SQLValue]] {
        try f.register.queue.read { db in
            var rows: [[SQLValue]] = []
            try Checks.findings(db, [Checks.staff], try CheckPeriod(asOf: day)) { rows.append($0) }
            return rows
        }
    }

    private func mayLink(_ cadre: Int64, on day: String) throws -> String? {
        try f.register.queue.read { db in
            do { try Linking.checkMayLink(db, cadre: cadre, on: day); return nil } catch let e as QueryError { return e.message }
        }
    }

    private func eligible(on day: String) throws -> [Int64] {
        try f.register.queue.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM cadre AS c WHERE \(DomainFilter.eligibleCadre("c", on: "?1")) ORDER BY id", arguments: [day])
        }
    }

    private func addVillageDoctors(from day: String) throws {
        try f.register.queue.write { db in
            try RuleBook.set(db, excluded, key: ["category": .text("village_doctor")], values: ["label": .text("村医")], from: day)
        }
    }

    func testTheSeedsFourCategoriesAreInForceFrom2012() throws {
        try f.register.queue.read { db in
            let rows = try RuleBook.rows(db, excluded, on: "2012-06-30")
            XCTAssertEqual(rows.map { $0["category"] as String }, ["enterprise_staff", "logistics", "medical", "teacher"])
            XCTAssertEqual(rows.map { $0["label"] as String }, ["企业职工", "机关工勤人员", "医务人员", "教师"])
            XCTAssertEqual(try RuleBook.rows(db, excluded, on: "2011-12-31").count, 0)
        }
        XCTAssertEqual(try eligible(on: "2012-06-30"), [1, 3], "cadre 2 is a teacher")
        XCTAssertEqual(try eligible(on: "2011-06-30"), [1, 2, 3], "before the plan, no category is in force")
    }

    /// 村医 from 2013: a cadre recorded as one links in 2012, is refused from 2013 (by the model and
    /// by the schema's trigger), and a link held from 2012 is a staff finding from 2013 only.
    func testACategoryAddedFromADayRefusesLinksAndFindsHeldLinksFromThatDay() throws {
        f.assertRefused("INSERT INTO cadre (id, unit_id, name, excluded) VALUES (4, 1, '孙医生', 'village_doctor')",
                        code: .SQLITE_CONSTRAINT_TRIGGER, message: "unknown excluded category")
        try addVillageDoctors(from: "2013-01-01")
        try f.execute("INSERT INTO cadre (id, unit_id, name, excluded) VALUES (4, 1, '孙医生', 'village_doctor')")

        XCTAssertNil(try mayLink(4, on: "2012-12-31"))
        let refusal = try XCTUnwrap(try mayLink(4, on: "2013-01-01"))
        XCTAssertTrue(refusal.hasPrefix("孙医生 (cadre 4) is village_doctor (村医, excluded category village_doctor since 2013-01-01)"), refusal)
        XCTAssertEqual(try eligible(on: "2012-06-30"), [1, 3, 4])
        XCTAssertEqual(try eligible(on: "2013-06-30"), [1, 3])

        // The model's link: allowed before the category, refused from its first day.
        try f.register.queue.write { db in
            _ = try Linking.link(db, .cadre(4), to: .household(1), since: "2012-03-01")
            XCTAssertThrowsError(try Linking.link(db, .cadre(4), to: .household(2), since: "2013-03-01")) { error in
                XCTAssertTrue("\(error)".contains("is village_doctor (村医"), "\(error)")
            }
        }
        // The schema refuses the same without the model.
        f.assertRefused("INSERT INTO link (cadre_id, household_id, start_date) VALUES (4, 2, '2013-03-01')",
                        code: .SQLITE_CONSTRAINT_TRIGGER, message: "excluded cadre")
        try f.execute("INSERT INTO link (cadre_id, village_id, start_date, end_date, end_reason) VALUES (4, 1, '2012-04-01', '2012-10-01', '其他')")

        XCTAssertEqual(try staff(on: "2012-06-30").count, 0, "in 2012 a village doctor may link")
        let found = try staff(on: "2013-06-30")
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(found.first?[2], .text("cadre 4 孙医生"))
        XCTAssertTrue("\(found.first?[6] ?? .null)".contains("excluded staff (村医, village_doctor: an excluded category since 2013-01-01"), "\(found)")
    }

    /// Ending a category (teachers link from 2014) lifts the refusal and the finding from that
    /// day; 2013 keeps its rules.
    func testACategoryEndedOnADayExcludesNoOneFromThatDay() throws {
        XCTAssertNotNil(try mayLink(2, on: "2013-06-30"))
        try f.register.queue.write { db in try RuleBook.end(db, excluded, key: ["category": .text("teacher")], on: "2014-01-01") }
        XCTAssertNotNil(try mayLink(2, on: "2013-12-31"))
        XCTAssertNil(try mayLink(2, on: "2014-01-01"))
        XCTAssertEqual(try eligible(on: "2014-06-30"), [1, 2, 3])
        try f.execute("INSERT INTO link (cadre_id, household_id, start_date) VALUES (2, 1, '2014-02-01')")
        XCTAssertEqual(try staff(on: "2014-06-30").count, 0)
        // The category stays one a cadre may be recorded under: it ended, it was not removed.
        try f.execute("INSERT INTO cadre (unit_id, name, excluded) VALUES (1, '钱老师', 'teacher')")
        f.assertRefused("DELETE FROM excluded_category WHERE category = 'teacher'", code: .SQLITE_CONSTRAINT_TRIGGER,
                        message: "cadres are recorded under this excluded category")
    }

    func testACadreWithOpenLinksIsNotPutUnderACategoryInForceWhileTheyAreOpen() throws {
        try addVillageDoctors(from: "2013-01-01")
        try f.execute("INSERT INTO link (cadre_id, household_id, start_date) VALUES (1, 1, '2012-03-01')")
        f.assertRefused("UPDATE cadre SET role = NULL, excluded = 'village_doctor' WHERE id = 1", code: .SQLITE_CONSTRAINT_TRIGGER,
                        message: "end this cadre's open links first")
        try f.execute("UPDATE link SET end_date = '2012-12-01', end_reason = '其他' WHERE cadre_id = 1")
        try f.execute("UPDATE cadre SET role = NULL, excluded = 'village_doctor' WHERE id = 1")
        XCTAssertEqual(try staff(on: "2013-06-30").count, 0)
    }

    func testTheSchemaCatalogAndImportWordsComeFromTheRuleTable() throws {
        try addVillageDoctors(from: "2013-01-01")
        let schema = try f.register.queue.read { try SchemaCatalog($0) }
        XCTAssertEqual(schema["cadre"]?["excluded"]?.allowed,
                       ["teacher", "medical", "enterprise_staff", "logistics", "village_doctor"].map { SQLValue.text($0) })
        XCTAssertEqual(ImportValues.code(for: "村医", table: "cadre", column: "excluded", schema: schema), "village_doctor")
        XCTAssertEqual(ImportValues.code(for: "机关工勤人员", table: "cadre", column: "excluded", schema: schema), "logistics")
        XCTAssertEqual(ImportValues.code(for: "某某", table: "cadre", column: "excluded", schema: schema), "某某")
    }

    func testAnUnknownOrMalformedCategoryIsRefusedWithItsRule() throws {
        try f.register.queue.write { db in
            XCTAssertThrowsError(try RuleBook.set(db, excluded, key: ["category": .text("Village Doctor")], values: ["label": .text("村医")], from: "2013-01-01")) { error in
                XCTAssertTrue("\(error)".contains("cannot set the excluded rule for category = Village Doctor from 2013-01-01"), "\(error)")
            }
            XCTAssertThrowsError(try RuleBook.set(db, excluded, key: ["category": .text("village_doctor")], values: [:], from: "2013-01-01")) { error in
                XCTAssertTrue("\(error)".contains("give every number: label"), "\(error)")
            }
        }
        XCTAssertEqual(try f.int("SELECT count(*) FROM excluded_category"), 4, "a refused change leaves the rules as they were")
    }

    /// A register made at step 6 (the four words a CHECK) migrates: every row kept, cadre's CHECK
    /// replaced by the rule table, the audit chain intact, and a new category accepted.
    func testAVersion6RegisterMigratesKeepingItsRowsAndAuditChain() throws {
        let g = try SchemaFixture(open: false)
        let old = try DatabaseQueue(path: g.path, configuration: Register.configuration(busyTimeout: 5))
        try Register.migrator(upTo: 6).migrate(old)
        try old.inDatabase { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            let startedAt = try AuditLog.now(db), mark = try AuditLog.mark(db)
            try db.execute(sql: """
                INSERT INTO area (id, code, name, kind) VALUES (1, '620502101', '太京镇', 'township');
                INSERT INTO village (id, area_id, code, name, kind) VALUES (1, 1, '620502101201', '窝驼村', 'village');
                INSERT INTO household (id, village_id, kind, head_name, resident_id, members, main_cause) VALUES
                    (1, 1, 'rural', '王福', '34052419800101001X', 4, '因病');
                INSERT INTO unit (id, name, kind) VALUES (1, '区教育局', 'department');
                INSERT INTO cadre (id, unit_id, name, role, excluded) VALUES (1, 1, '张伟', 'department_other', NULL), (2, 1, '刘芳', NULL, 'teacher');
                INSERT INTO link (id, cadre_id, household_id, start_date) VALUES (1, 1, 1, '2012-03-01');
                INSERT INTO visit (cadre_id, household_id, date) VALUES (1, 1, '2012-04-01');
                """)
            try AuditLog.seal(db, source: AuditSource(osUser: "tester", source: "v6.lua"), startedAt: startedAt, after: mark)
            try db.execute(sql: "COMMIT")
            XCTAssertEqual(try Int.fetchOne(db, sql: "PRAGMA user_version"), 6)
            XCTAssertTrue(try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'cadre'")!.contains("excluded IN ('teacher'"))
        }
        let before = try old.read { db in try AuditLog.verify(db) }
        let changes = try old.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_change") }
        XCTAssertNil(before.broken)
        try old.close()

        try g.reopen()
        XCTAssertEqual(try g.register.schemaVersion(), Schema.currentVersion)
        try g.register.queue.read { db in
            XCTAssertEqual(try Row.fetchAll(db, sql: "SELECT id, name, role, excluded FROM cadre ORDER BY id").map { "\($0)" },
                           ["[id:1 name:\"张伟\" role:\"department_other\" excluded:NULL]", "[id:2 name:\"刘芳\" role:NULL excluded:\"teacher\"]"])
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT count(*) FROM link JOIN cadre ON cadre.id = link.cadre_id"), 1)
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT count(*) FROM visit"), 1)
            XCTAssertEqual(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count, 0)
            XCTAssertFalse(try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'cadre'")!.contains("excluded IN"))
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_change"), changes, "the migration's copies are not changes")
            let after = try AuditLog.verify(db)
            XCTAssertNil(after.broken)
            XCTAssertEqual(after.sealed, before.sealed)
            XCTAssertEqual(after.head, before.head)
            let triggers = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'cadre' ORDER BY name")
            XCTAssertEqual(triggers, ["audit_cadre_delete", "audit_cadre_insert", "audit_cadre_update", "cadre_excluded_only_without_open_links",
                                      "cadre_insert_excluded_is_a_category", "cadre_update_excluded_is_a_category"])
        }
        g.assertRefused("INSERT INTO link (cadre_id, household_id, start_date) VALUES (2, 1, '2012-05-01')", code: .SQLITE_CONSTRAINT_TRIGGER,
                        message: "教师、医务人员、企业职工、机关工勤人员")
        try g.register.queue.write { db in
            try RuleBook.set(db, excluded, key: ["category": .text("village_doctor")], values: ["label": .text("村医")], from: "2013-01-01")
            try db.execute(sql: "INSERT INTO cadre (unit_id, name, excluded) VALUES (1, '孙医生', 'village_doctor')")
        }
        XCTAssertGreaterThan(try g.int("SELECT count(*) FROM audit_change WHERE table_name IN ('excluded_category', 'cadre')") ?? 0, 0,
                             "changes after the migration are audited")
    }
}
