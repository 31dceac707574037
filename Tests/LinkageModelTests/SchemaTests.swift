import Foundation
import GRDB
import XCTest
@testable import LinkageModel

/// A new register file in its own temporary directory, removed when the fixture goes.
final class SchemaFixture {
    let directory: URL
    let path: String
    private(set) var register: Register!

    /// Creates the directory; opens a current register unless `open` is false.
    init(open: Bool = true) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("linkage-schema-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("register.db").path
        if open { register = try Register(path: path) }
    }

    func reopen() throws {
        try register?.queue.close()
        register = try Register(path: path)
    }

    deinit {
        try? register?.queue.close()
        try? FileManager.default.removeItem(at: directory)
    }

    func execute(_ sql: String, _ arguments: StatementArguments = []) throws {
        try register.queue.write { try $0.execute(sql: sql, arguments: arguments) }
    }

    func int(_ sql: String, _ arguments: StatementArguments = []) throws -> Int? {
        try register.queue.read { try Int.fetchOne($0, sql: sql, arguments: arguments) }
    }

    /// Ids 1 of each: a township 太京镇 with a poor village, a subdistrict 大城街道 with a community,
    /// a rural household (1) in the village and an urban household (2) in the community, a district
    /// department (unit 1) and the township government (unit 2), and cadres: 1 a department cadre,
    /// 2 an excluded teacher, 3 the township head.
    func seed() throws {
        try execute("""
            INSERT INTO area (id, code, name, kind) VALUES
                (1, '620502101', '太京镇', 'township'), (2, '620502001', '大城街道', 'subdistrict');
            INSERT INTO village (id, area_id, code, name, kind) VALUES
                (1, 1, '620502101201', '窝驼村', 'village'), (2, 2, '620502001001', '环城西路社区', 'community');
            INSERT INTO household (id, village_id, kind, head_name, resident_id, members, main_cause, income) VALUES
                (1, 1, 'rural', '王福', '34052419800101001X', 4, '因病', 1850),
                (2, 2, 'urban', '李秀英', '620502196505120026', 2, '缺劳力', 2400);
            INSERT INTO unit (id, name, kind, area_id) VALUES
                (1, '区教育局', 'department', NULL), (2, '太京镇人民政府', 'township', 1);
            INSERT INTO cadre (id, unit_id, name, role, excluded, title) VALUES
                (1, 1, '张伟', 'department_other', NULL, '科员'),
                (2, 1, '刘芳', NULL, 'teacher', '教师'),
                (3, 2, '赵强', 'township_principal', NULL, '镇长');
            """)
    }

    /// Runs `sql` and asserts that SQLite refuses it with `code` and a message containing `message`.
    func assertRefused(_ sql: String, _ arguments: StatementArguments = [], code: ResultCode,
                       message: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
        do {
            try execute(sql, arguments)
            XCTFail("accepted: \(sql)", file: file, line: line)
        } catch let error as DatabaseError {
            XCTAssertEqual(error.extendedResultCode, code, "\(sql): \(error)", file: file, line: line)
            if let message {
                XCTAssertTrue(error.message?.contains(message) == true,
                              "\(sql): message \(error.message ?? "nil") lacks \(message)", file: file, line: line)
            }
        } catch {
            XCTFail("\(sql): unexpected \(error)", file: file, line: line)
        }
    }
}

final class SchemaTests: XCTestCase {
    static let expectedTables = [
        "area", "village", "household", "unit", "cadre", "link", "visit", "activity", "problem",
        "problem_followup", "survey", "quota_rule", "unit_quota_rule", "visit_standard", "indicator",
        "indicator_value", "audit_session", "audit_change", "audit_chain", "action_minimum", "rule_setting",
        "assessment_rule", "excluded_category",
    ]

    private func userTables(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_schema
            WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'
            ORDER BY name
            """)
    }

    func testNewRegisterHasEveryTableOfTheSchema() throws {
        let f = try SchemaFixture()
        let tables = try f.register.queue.read(userTables)
        XCTAssertEqual(tables, Self.expectedTables.sorted())
        XCTAssertEqual(Schema.tables, Self.expectedTables)
    }

    func testNewRegisterIsAtTheCurrentVersionWithItsApplicationIDAndWAL() throws {
        let f = try SchemaFixture()
        XCTAssertEqual(Schema.currentVersion, 8)
        XCTAssertEqual(Schema.migrations.map(\.id), ["1-register", "2-rules", "3-audit", "4-audit-chain", "5-dated-rules", "6-assessment",
                                                     "7-excluded-categories", "8-activity-title-index"])
        XCTAssertEqual(try f.register.schemaVersion(), 8)
        try f.register.queue.read { db in
            XCTAssertEqual(try Int32.fetchOne(db, sql: "PRAGMA application_id"), Register.applicationID)
            XCTAssertEqual(try String.fetchOne(db, sql: "PRAGMA journal_mode"), "wal")
            XCTAssertEqual(try Int.fetchOne(db, sql: "PRAGMA foreign_keys"), 1)
        }
        try f.reopen()
        XCTAssertEqual(try f.register.schemaVersion(), 8, "reopening a current register changes nothing")
    }

    func testEveryTableIsStrictAndKeyedByIntegerID() throws {
        let f = try SchemaFixture()
        try f.register.queue.read { db in
            for table in try userTables(db) {
                let strict = try Int.fetchOne(db, sql: "SELECT strict FROM pragma_table_list WHERE name = ?",
                                              arguments: [table])
                XCTAssertEqual(strict, 1, "\(table) is STRICT")
                let keys = try Row.fetchAll(db, sql: "SELECT name, type FROM pragma_table_info(?) WHERE pk > 0",
                                            arguments: [table])
                XCTAssertEqual(keys.map { [$0["name"] as String, $0["type"] as String] }, [["id", "INTEGER"]],
                               "\(table) is keyed by id INTEGER PRIMARY KEY")
            }
        }
    }

    /// Every foreign-key column is the first column of an index, and SQLite uses it for `column = ?`
    /// (partial `IS NOT NULL` indexes included), so neither a lookup nor a parent's delete scans.
    func testEveryForeignKeyHasAnIndexStartingWithIt() throws {
        let f = try SchemaFixture()
        try f.register.queue.read { db in
            let foreignKeys = try Row.fetchAll(db, sql: """
                SELECT m.name AS tbl, k."from" AS col, k."table" AS parent
                FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) k
                WHERE m.type = 'table' ORDER BY 1, 2
                """)
            XCTAssertGreaterThanOrEqual(foreignKeys.count, 26, "every REFERENCES of the schema")
            for key in foreignKeys {
                let table: String = key["tbl"], column: String = key["col"]
                let leading = try String.fetchAll(db, sql: """
                    SELECT l.name FROM pragma_index_list(?) l JOIN pragma_index_info(l.name) i
                    WHERE i.seqno = 0 AND i.name = ?
                    """, arguments: [table, column])
                XCTAssertFalse(leading.isEmpty, "\(table).\(column) → \(key["parent"] as String) has no index starting with it")
                let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT id FROM \(table) WHERE \(column) = ?",
                                            arguments: [1]).map { $0["detail"] as String }.joined(separator: "; ")
                XCTAssertTrue(plan.contains("INDEX"), "\(table).\(column): \(plan)")
            }
        }
    }

    func testFiltersTheChecksNeedAreIndexed() throws {
        let f = try SchemaFixture()
        let wanted: [(String, [String])] = [
            ("household", ["kind"]), ("household", ["main_cause"]), ("household", ["exit_year"]),
            ("link", ["household_id", "end_date"]), ("link", ["cadre_id", "end_date"]),
            ("link", ["village_id", "end_date"]), ("link", ["unit_id", "end_date"]),
            ("visit", ["date"]), ("visit", ["household_id", "date"]), ("visit", ["village_id", "date"]),
            ("survey", ["household_id", "year"]),
        ]
        try f.register.queue.read { db in
            for (table, columns) in wanted {
                let indexes = try String.fetchAll(db, sql: "SELECT name FROM pragma_index_list(?)", arguments: [table])
                let found = try indexes.contains { index in
                    let cols = try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info(?) ORDER BY seqno",
                                                   arguments: [index])
                    return Array(cols.prefix(columns.count)) == columns
                }
                XCTAssertTrue(found, "an index on \(table)(\(columns.joined(separator: ", ")))")
            }
        }
    }

    /// A register made by a linkage that knew only step 1 opens, migrates to step 2 and keeps its rows.
    func testRegisterAtStepOneMigratesToCurrentWithRuleRows() throws {
        let f = try SchemaFixture(open: false)
        let old = try DatabaseQueue(path: f.path)
        try Register.migrator(upTo: 1).migrate(old)
        try old.write { db in
            try db.execute(sql: """
                INSERT INTO area (id, code, name, kind) VALUES (1, '620502101', '太京镇', 'township');
                INSERT INTO village (id, area_id, code, name, kind) VALUES (1, 1, '620502101201', '窝驼村', 'village');
                INSERT INTO household (village_id, kind, head_name, resident_id, members, main_cause)
                    VALUES (1, 'rural', '王福', '34052419800101001X', 4, '因病');
                """)
        }
        try old.read { db in
            XCTAssertEqual(try Int.fetchOne(db, sql: "PRAGMA user_version"), 1)
            XCTAssertEqual(try Int32.fetchOne(db, sql: "PRAGMA application_id"), Register.applicationID)
            XCTAssertFalse(try db.tableExists("quota_rule"))
            XCTAssertFalse(try db.tableExists("indicator"))
        }
        try old.close()

        try f.reopen()
        XCTAssertEqual(try f.register.schemaVersion(), Schema.currentVersion)
        XCTAssertEqual(try f.int("SELECT count(*) FROM quota_rule"), 9)
        XCTAssertEqual(try f.int("SELECT count(*) FROM unit_quota_rule"), 6)
        XCTAssertEqual(try f.int("SELECT count(*) FROM visit_standard"), 4)
        XCTAssertEqual(try f.int("SELECT count(*) FROM indicator WHERE group_name = '八通'"), 8)
        XCTAssertEqual(try f.int("SELECT count(*) FROM household WHERE head_name = '王福'"), 1)
        let tables = try f.register.queue.read(userTables)
        XCTAssertEqual(tables, Self.expectedTables.sorted())
    }

    private func documentation() throws -> String {
        let docs = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/schema.md")
        return try String(contentsOf: docs, encoding: .utf8)
    }

    /// Every ```sql block of docs/schema.md compiles against a current register.
    func testDocumentedSQLCompilesAgainstTheSchema() throws {
        let blocks = try documentation().components(separatedBy: "```sql\n").dropFirst()
            .map { $0.components(separatedBy: "```")[0] }
        XCTAssertGreaterThanOrEqual(blocks.count, 2)
        let f = try SchemaFixture()
        try f.register.queue.read { db in
            for block in blocks {
                let statements = try db.allStatements(sql: block)
                var count = 0
                while try statements.next() != nil { count += 1 }
                XCTAssertGreaterThan(count, 0, block)
            }
        }
    }

    /// docs/schema.md has a section per table that names every column.
    func testDocumentationDescribesEveryTableAndColumn() throws {
        let text = try documentation()
        let f = try SchemaFixture()
        try f.register.queue.read { db in
            for table in try userTables(db) {
                guard let start = text.range(of: "### `\(table)`") else {
                    XCTFail("docs/schema.md has no section \"### `\(table)`\"")
                    continue
                }
                let rest = text[start.upperBound...]
                let section = rest[..<(rest.range(of: "\n### ")?.lowerBound ?? rest.endIndex)]
                for column in try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table]) {
                    XCTAssertTrue(section.contains("`\(column)`"), "docs/schema.md: \(table).\(column) is not described")
                }
            }
            // The generated audit triggers are described once, by their pattern.
            XCTAssertTrue(text.contains("`audit_<table>_insert`"), "docs/schema.md: the audit triggers are not described")
            for trigger in try String.fetchAll(db, sql: "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name NOT GLOB 'audit_*_insert' AND name NOT GLOB 'audit_*_update' AND name NOT GLOB 'audit_*_delete'") {
                XCTAssertTrue(text.contains("`\(trigger)`"), "docs/schema.md: trigger \(trigger) is not described")
            }
        }
    }
}
