import Foundation
import GRDB
import XCTest
@testable import LinkageModel

/// Problems (问题上报) through the model: reported, escalated, followed up, closed; every mistake
/// refused with a message before SQLite sees it, and the register left as it was.
final class ProblemsTests: XCTestCase {
    private var directory: URL!
    private var register: Register!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("linkage-problems-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        register = try Register(path: directory.appendingPathComponent("test.db").path)
        try register.queue.write { db in
            try db.execute(sql: """
                INSERT INTO area (id, code, name, kind) VALUES (1, '620502101', '太京镇', 'township');
                INSERT INTO village (id, area_id, code, name, kind) VALUES (1, 1, '620502101201', '窝驼村', 'village');
                INSERT INTO household (id, village_id, kind, head_name, resident_id, main_cause, members)
                    VALUES (1, 1, 'rural', '户主1', '34052419800101001X', '因病', 3);
                INSERT INTO unit (id, name, kind) VALUES (1, '区财政局', 'department');
                INSERT INTO cadre (id, unit_id, name, role) VALUES (1, 1, '张伟', 'department_principal');
                """)
        }
    }

    override func tearDownWithError() throws {
        register = nil
        try? FileManager.default.removeItem(at: directory)
    }

    /// The problem rows and follow-ups, as text, to see that a refused step changed nothing.
    private func snapshot() throws -> String {
        try register.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM problem ORDER BY id").description
                + (try Row.fetchAll(db, sql: "SELECT * FROM problem_followup ORDER BY id").description)
        }
    }

    private func assertRefused(_ expected: String, file: StaticString = #filePath, line: UInt = #line,
                               _ step: (Database) throws -> Void) throws {
        let before = try snapshot()
        XCTAssertThrowsError(try register.queue.write(step), file: file, line: line) { error in
            XCTAssertTrue(error is QueryError, "not refused before SQLite: \(error)", file: file, line: line)
            XCTAssertTrue("\(error)".contains(expected), "\(error)", file: file, line: line)
        }
        XCTAssertEqual(try snapshot(), before, "a refused step changed the register", file: file, line: line)
    }

    func testLifeCycleFromReportToClosing() throws {
        let id = try register.queue.write { db in
            try Problems.report(db, by: .cadre(1), about: .household(1), on: "2012-05-01", description: "危房改造资金不足")
        }
        try register.queue.write { db in
            try Problems.escalate(db, problem: id, on: "2012-05-10")
            _ = try Problems.followUp(db, problem: id, on: "2012-05-10", note: "已报区扶贫办")
            _ = try Problems.followUp(db, problem: id, on: "2012-06-01", note: "资金已落实")
            try Problems.close(db, problem: id, on: "2012-06-20", resolution: "纳入危房改造计划")
        }
        let row = try register.queue.read { try Row.fetchOne($0, sql: "SELECT * FROM problem WHERE id = ?", arguments: [id])! }
        XCTAssertEqual(row["status"] as String, "closed")
        XCTAssertEqual(row["reported_by_cadre_id"] as Int64?, 1)
        XCTAssertEqual(row["household_id"] as Int64?, 1)
        XCTAssertEqual(row["escalated_on"] as String?, "2012-05-10", "a closed problem keeps its escalation")
        XCTAssertEqual(row["closed_on"] as String?, "2012-06-20")
        XCTAssertEqual(row["resolution"] as String?, "纳入危房改造计划")
        XCTAssertEqual(try register.queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM problem_followup WHERE problem_id = ?", arguments: [id]) }, 2)
        // A unit reports about a village and closes without escalating.
        try register.queue.write { db in
            let v = try Problems.report(db, by: .unit(1), about: .village(1), on: "2012-07-01", description: "村道未硬化")
            try Problems.close(db, problem: v, on: "2012-07-01", resolution: "已协调交通局")
        }
    }

    func testReportRefusesUnknownPartiesBadDatesAndEmptyText() throws {
        let cases: [(String, Linking.Linker, Linking.Target, String, String)] = [
            ("there is no cadre with id 9", .cadre(9), .household(1), "2012-05-01", "x"),
            ("there is no unit with id 9", .unit(9), .village(1), "2012-05-01", "x"),
            ("there is no household with id 9", .cadre(1), .household(9), "2012-05-01", "x"),
            ("there is no village with id 9", .cadre(1), .village(9), "2012-05-01", "x"),
            ("on must be a date written YYYY-MM-DD", .cadre(1), .household(1), "2012-02-30", "x"),
            ("description is empty", .cadre(1), .household(1), "2012-05-01", " \n "),
        ]
        for (message, reporter, target, date, text) in cases {
            try assertRefused(message) { db in _ = try Problems.report(db, by: reporter, about: target, on: date, description: text) }
        }
    }

    func testLaterStepsRefuseWhatTheLifeCycleForbids() throws {
        let id = try register.queue.write { db in
            try Problems.report(db, by: .cadre(1), about: .household(1), on: "2012-05-01", description: "饮水困难")
        }
        try assertRefused("there is no problem with id 99") { db in try Problems.escalate(db, problem: 99, on: "2012-05-02") }
        try assertRefused("there is no problem with id 99") { db in _ = try Problems.followUp(db, problem: 99, on: "2012-05-02", note: "x") }
        try assertRefused("there is no problem with id 99") { db in try Problems.close(db, problem: 99, on: "2012-05-02", resolution: "x") }
        try assertRefused("cannot be escalated before, on 2012-04-30") { db in try Problems.escalate(db, problem: id, on: "2012-04-30") }
        try assertRefused("cannot be followed up before, on 2012-04-30") { db in
            _ = try Problems.followUp(db, problem: id, on: "2012-04-30", note: "提前")
        }
        try assertRefused("note is empty") { db in _ = try Problems.followUp(db, problem: id, on: "2012-05-03", note: "") }
        try assertRefused("resolution is empty") { db in try Problems.close(db, problem: id, on: "2012-05-03", resolution: "  ") }
        try assertRefused("date must be a date written YYYY-MM-DD") { db in try Problems.close(db, problem: id, on: "2012/06/01", resolution: "x") }

        try register.queue.write { db in
            try Problems.escalate(db, problem: id, on: "2012-05-10")
            _ = try Problems.followUp(db, problem: id, on: "2012-06-01", note: "水利局已勘察")
        }
        try assertRefused("already escalated on 2012-05-10") { db in try Problems.escalate(db, problem: id, on: "2012-05-11") }
        try assertRefused("cannot be closed before, on 2012-05-09") { db in try Problems.close(db, problem: id, on: "2012-05-09", resolution: "x") }
        try assertRefused("followed up on 2012-06-01; it cannot close before, on 2012-05-20") { db in
            try Problems.close(db, problem: id, on: "2012-05-20", resolution: "x")
        }

        try register.queue.write { db in try Problems.close(db, problem: id, on: "2012-07-01", resolution: "修建水窖") }
        try assertRefused("already closed on 2012-07-01; a problem closes once") { db in
            try Problems.close(db, problem: id, on: "2012-08-01", resolution: "again")
        }
        try assertRefused("closed on 2012-07-01; a closed problem is not escalated") { db in try Problems.escalate(db, problem: id, on: "2012-08-01") }
        try assertRefused("closed on 2012-07-01; a follow-up on 2012-08-01 comes after it") { db in
            _ = try Problems.followUp(db, problem: id, on: "2012-08-01", note: "回访")
        }
        // A follow-up recorded late, dated before the closing, is fine.
        try register.queue.write { db in _ = try Problems.followUp(db, problem: id, on: "2012-06-15", note: "补记") }
    }
}
