import GRDB
import XCTest
@testable import LinkageModel

/// Schema step 8 and the six actions' check: the check counts a year's activities per household
/// from the index alone, and matches titles with `instr` only where that means what LIKE means.
final class ActivityIndexTests: XCTestCase {
    func testTheActionsCheckReadsNoActivityRowOnlyItsIndex() throws {
        let f = try SchemaFixture()
        let plan = try f.register.queue.read { db -> [String] in
            let bound = try Checks.actions.statement(db, CheckPeriod(year: 2012))
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + bound.text,
                                    arguments: StatementArguments(bound.arguments.map(\.databaseValue))).map { $0["detail"] as String }
        }
        XCTAssertTrue(plan.contains { $0.contains("COVERING INDEX idx_activity_household_id") }, plan.joined(separator: "\n"))
    }

    func testATitlePatternBecomesInstrOnlyWhenItMeansTheSame() {
        XCTAssertEqual(Checks.titleMatches("%规划%"), "instr(a.title, '规划') > 0")
        XCTAssertEqual(Checks.titleMatches("%'规%"), "instr(a.title, '''规') > 0", "quoted as a literal")
        // LIKE is case-blind for ASCII letters, and _ and an inner % are wildcards
        for pattern in ["%plan%", "%it's%", "%规_划%", "%规%划%", "规划%", "%规划", "%", "%%"] {
            XCTAssertTrue(Checks.titleMatches(pattern).hasPrefix("a.title LIKE "), pattern)
        }
    }

    func testEveryTitlePatternMatchesWhatLIKEMatches() throws {
        let f = try SchemaFixture()
        let titles = ["制定发展规划", "发展规划书", "规X划", "plan", "PLAN 2012", "Plan", "技术培训", "it's", "'规划'", "规划", "x"]
        let patterns = ["%规划%", "%PLAN%", "%规_划%", "%规%划%", "规划%", "%技术%", "%it's%", "%'规%", "%x%"]
        try f.register.queue.read { db in
            for pattern in patterns {
                for title in titles {
                    let sql = "SELECT (\(Checks.titleMatches(pattern))) = (a.title LIKE ?) FROM (SELECT ? AS title) AS a"
                    XCTAssertEqual(try Bool.fetchOne(db, sql: sql, arguments: [pattern, title]), true, "\(pattern) on \(title)")
                }
            }
        }
    }

    func testAVersion7RegisterGainsTheIndexAndKeepsItsActivitiesAndAudit() throws {
        let f = try SchemaFixture(open: false)
        let old = try DatabaseQueue(path: f.path, configuration: Register.configuration(busyTimeout: 5))
        try Register.migrator(upTo: 7).migrate(old)
        try old.write { db in
            try db.execute(sql: """
                INSERT INTO area (id, code, name, kind) VALUES (1, '620502101', '太京镇', 'township');
                INSERT INTO village (id, area_id, code, name, kind) VALUES (1, 1, '620502101201', '窝驼村', 'village');
                INSERT INTO household (id, village_id, kind, head_name, resident_id, members, main_cause) VALUES
                    (1, 1, 'rural', '王福', '34052419800101001X', 4, '因病');
                INSERT INTO unit (id, name, kind) VALUES (1, '区农业局', 'department');
                INSERT INTO activity (action, unit_id, household_id, date, title) VALUES ('prosperity', 1, 1, '2012-04-01', '制定发展规划');
                """)
        }
        let changes = try old.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_change") }
        try old.close()

        try f.reopen()
        XCTAssertEqual(try f.register.schemaVersion(), 8)
        try f.register.queue.read { db in
            let index = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'idx_activity_household_id'")
            XCTAssertEqual(index?.contains("(household_id, date, action, title)"), true, index ?? "no index")
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT count(*) FROM activity INDEXED BY idx_activity_household_id WHERE household_id = 1"), 1)
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_change"), changes, "an index is not a change")
        }
    }
}
