import Foundation
import GRDB
import XCTest
@testable import LinkageModel

/// Schema step 4: sessions sealed at commit over a range of change ids, the hash chain and its
/// verification, REPLACE deletes in the log. Tampering is done by "another program": a plain GRDB
/// connection to the same file, which drops the append-only trigger it needs.
final class AuditChainTests: XCTestCase {
    private var f: SchemaFixture!
    /// The entries of the seed, written outside linkage: 1 … seeded.
    private var seeded: Int64 = 0

    override func setUpWithError() throws {
        f = try SchemaFixture()
        try f.seed()
        seeded = Int64(try f.int("SELECT count(*) FROM audit_change") ?? 0)
        XCTAssertGreaterThan(seeded, 5)
    }

    override func tearDownWithError() throws { f = nil }

    /// A linkage run: mark at the start of the transaction, seal just before COMMIT.
    @discardableResult
    private func run(_ source: String, _ sql: String) throws -> Int64 {
        try f.register.queue.inDatabase { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            let startedAt = try AuditLog.now(db), mark = try AuditLog.mark(db)
            try db.execute(sql: sql)
            try AuditLog.seal(db, source: AuditSource(osUser: "tester", source: source), startedAt: startedAt, after: mark)
            try db.execute(sql: "COMMIT")
            return mark
        }
    }

    /// Another program's connection: none of linkage's configuration.
    private func otherProgram(_ sql: String) throws {
        let other = try DatabaseQueue(path: f.path)
        try other.writeWithoutTransaction { try $0.execute(sql: sql) }
        try other.close()
    }

    private func verify() throws -> AuditVerification {
        try f.register.queue.read { try AuditLog.verify($0) }
    }

    private func assertBroken(at id: Int64, _ reason: AuditBreak.Reason, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try verify()
        XCTAssertEqual(result.broken?.changeID, id, "\(result)", file: file, line: line)
        XCTAssertEqual(result.broken?.reason, reason, "\(result)", file: file, line: line)
        XCTAssertEqual(result.sealed, Int(id) - 1, "the links before it hold", file: file, line: line)
    }

    /// Three sealed runs after the seed: changes seeded + 1, + 2, + 3 in sessions 1, 2, 3.
    private func threeRuns() throws {
        try run("a.lua", "UPDATE household SET income = 1900 WHERE id = 1")
        try run("b.lua", "UPDATE household SET income = 2500 WHERE id = 2")
        try run("c.lua", "UPDATE cadre SET title = '副镇长' WHERE id = 3")
        let result = try verify()
        XCTAssertTrue(result.intact, "\(result)")
        XCTAssertEqual(result.sealed, Int(seeded) + 3)
    }

    func testARunThatOnlyReadsWritesNothing() throws {
        try f.register.queue.inDatabase { db in
            let before = db.totalChangesCount
            try db.execute(sql: "BEGIN")
            let startedAt = try AuditLog.now(db), mark = try AuditLog.mark(db)
            XCTAssertEqual(mark, seeded)
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM household")
            try AuditLog.seal(db, source: AuditSource(osUser: "tester", source: "-e"), startedAt: startedAt, after: mark)
            try db.execute(sql: "COMMIT")
            XCTAssertEqual(db.totalChangesCount, before, "no row written, not even a session")
        }
        XCTAssertEqual(try f.int("SELECT count(*) FROM audit_session"), 0)
        XCTAssertEqual(try f.int("SELECT count(*) FROM audit_chain"), 0, "nothing chained until a run writes")
    }

    func testASessionCoversItsOwnRangeAndAnOpenSessionOfAnotherProgramTakesNoBlame() throws {
        // Another program leaves an open session behind; step 3's triggers would have blamed it.
        try otherProgram("INSERT INTO audit_session (started_at, os_user, source) VALUES ('2012-01-01T00:00:00Z', 'intruder', 'x.lua')")
        let mark = try run("fix.lua", """
            UPDATE household SET income = 1900 WHERE id = 1;
            UPDATE household SET members = 5 WHERE id = 2;
            """)
        try otherProgram("UPDATE area SET name = '外改' WHERE id = 2")
        let entries = try f.register.queue.read { try AuditLog.entries($0, after: mark) }
        XCTAssertEqual(entries.map(\.id), [seeded + 1, seeded + 2, seeded + 3])
        XCTAssertEqual(entries.map(\.source), ["fix.lua", "fix.lua", nil], "the run's changes are its own; the later one is outside linkage")
        XCTAssertEqual(entries.map(\.osUser), ["tester", "tester", nil])
        XCTAssertEqual(Set(entries.prefix(2).map(\.session)), [2], "the sealed session, not the open one (1)")
        let session = try f.register.queue.read { try Row.fetchOne($0, sql: "SELECT first_change, last_change, closed_at IS NOT NULL AS closed FROM audit_session WHERE id = 2") }
        XCTAssertEqual(session?["first_change"], seeded + 1)
        XCTAssertEqual(session?["last_change"], seeded + 2)
        XCTAssertEqual(session?["closed"], true)
        // The seed, written before any session, stays outside linkage.
        XCTAssertTrue(try f.register.queue.read { try AuditLog.entries($0, table: "area") }.allSatisfy { $0.osUser == nil })
    }

    func testEntriesAfterAMarkAreWhatARunChangedSoFar() throws {
        try f.register.queue.inDatabase { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            let mark = try AuditLog.mark(db)
            try db.execute(sql: "UPDATE household SET income = 1 WHERE id = 1; DELETE FROM cadre WHERE id = 2")
            let entries = try AuditLog.entries(db, after: mark)
            XCTAssertEqual(entries.map(\.action), ["update", "delete"])
            XCTAssertEqual(entries[1].changes.first { $0.field == "name" }?.old, .text("刘芳"))
            try db.execute(sql: "ROLLBACK")
        }
        XCTAssertEqual(try f.int("SELECT count(*) FROM audit_change"), Int(seeded), "the dry run's entries went with the rollback")
    }

    func testSealChainsChangesMadeOutsideLinkageAndVerifyCountsTheUnsealed() throws {
        try threeRuns()
        try otherProgram("UPDATE area SET name = '外改' WHERE id = 2; UPDATE area SET name = '又改' WHERE id = 2")
        var result = try verify()
        XCTAssertTrue(result.intact)
        XCTAssertEqual(result.unsealed, 2, "written outside linkage since the last seal")
        try run("d.lua", "UPDATE household SET members = 6 WHERE id = 1")
        result = try verify()
        XCTAssertTrue(result.intact, "\(result)")
        XCTAssertEqual(result.sealed, Int(seeded) + 6)
        XCTAssertEqual(result.unsealed, 0)
        XCTAssertEqual(result.head, try f.register.queue.read { try String.fetchOne($0, sql: "SELECT hash FROM audit_chain ORDER BY id DESC LIMIT 1") })
        let outside = try f.register.queue.read { try AuditLog.entries($0, table: "area") }.suffix(2)
        XCTAssertEqual(outside.map(\.session), [nil, nil], "sealed as outside linkage, not claimed by the next run")
    }

    func testAnAlteredEntryIsNamed() throws {
        try threeRuns()
        try otherProgram("""
            DROP TRIGGER audit_change_is_append_only_update;
            UPDATE audit_change SET new = json_object('income', 9999.0) WHERE id = \(seeded + 2)
            """)
        try assertBroken(at: seeded + 2, .entryAltered)
    }

    func testAnAlteredLastEntryIsNamed() throws {
        try threeRuns()
        try otherProgram("DROP TRIGGER audit_change_is_append_only_update; UPDATE audit_change SET at = '2000-01-01' WHERE id = \(seeded + 3)")
        try assertBroken(at: seeded + 3, .entryAltered)
    }

    func testADeletedEntryIsNamed() throws {
        try threeRuns()
        try otherProgram("DROP TRIGGER audit_change_is_append_only_delete; DELETE FROM audit_change WHERE id = 5")
        try assertBroken(at: 5, .entryDeleted)
    }

    func testADeletedLastEntryIsNamed() throws {
        try threeRuns()
        try otherProgram("DROP TRIGGER audit_change_is_append_only_delete; DELETE FROM audit_change WHERE id = \(seeded + 3)")
        try assertBroken(at: seeded + 3, .entryDeleted)
    }

    func testARewrittenSessionIsNamed() throws {
        try threeRuns()
        try otherProgram("DROP TRIGGER audit_session_is_append_only_update; UPDATE audit_session SET os_user = 'someone else' WHERE id = 2")
        try assertBroken(at: seeded + 2, .sessionRewritten(session: 2))
    }

    func testASessionStretchedOverAnotherProgramsChangeIsNamed() throws {
        try threeRuns()
        // Session 1 covers the change after the seed; claiming the seed's last change moves that
        // entry's attribution.
        try otherProgram("DROP TRIGGER audit_session_is_append_only_update; UPDATE audit_session SET first_change = \(seeded) WHERE id = 1")
        try assertBroken(at: seeded, .sessionRewritten(session: 1))
    }

    func testAForgedSessionIsNamed() throws {
        try threeRuns()
        try otherProgram("""
            INSERT INTO audit_session (id, started_at, os_user, source, closed_at, first_change, last_change)
            VALUES (9, '2012-01-01T00:00:00Z', 'boss', 'approved.lua', '2012-01-01T00:00:01Z', 3, 4)
            """)
        try assertBroken(at: 3, .sessionRewritten(session: 9))
    }

    func testAMissingChainRowIsNamed() throws {
        try threeRuns()
        try otherProgram("DROP TRIGGER audit_chain_is_append_only_delete; DELETE FROM audit_chain WHERE id = 7")
        try assertBroken(at: 7, .chainRowMissing)
    }

    func testAnAlteredChainRowIsNamed() throws {
        try threeRuns()
        try otherProgram("""
            DROP TRIGGER audit_chain_is_append_only_update;
            UPDATE audit_chain SET hash = (SELECT hash FROM audit_chain WHERE id = 3) WHERE id = 8
            """)
        try assertBroken(at: 8, .chainRowAltered)
    }

    func testTheLogRefusesChangesFromAnyone() throws {
        try threeRuns()
        for sql in ["UPDATE audit_session SET os_user = 'x'", "DELETE FROM audit_session",
                    "UPDATE audit_chain SET hash = 'x'", "DELETE FROM audit_chain"] {
            f.assertRefused(sql, code: .SQLITE_CONSTRAINT_TRIGGER, message: "append-only")
        }
    }

    func testAMarkFromBeforeTheLastSealIsRefused() throws {
        try threeRuns()
        XCTAssertThrowsError(try f.register.queue.write { db in
            try db.execute(sql: "UPDATE household SET income = 1 WHERE id = 1")
            try AuditLog.seal(db, source: AuditSource(osUser: "tester", source: "late.lua"), startedAt: "", after: seeded + 1)
        })
        XCTAssertTrue(try verify().intact)
    }

    /// Attribution is a seek in idx_audit_session_first_change per entry, never a scan of sessions.
    func testAttributionSeeksTheSessionIndex() throws {
        let plan = try f.register.queue.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + AuditChain.entriesSQL + " ORDER BY c.id").map { $0["detail"] as String }
        }
        XCTAssertTrue(plan.contains { $0.contains("idx_audit_session_first_change") }, "\(plan)")
        XCTAssertFalse(plan.contains { $0.hasPrefix("SCAN r") || $0.contains("SCAN audit_session") || $0.contains("TEMP B-TREE") }, "\(plan)")
    }

    func testReplaceDeletesAreAudited() throws {
        XCTAssertEqual(try f.int("PRAGMA recursive_triggers"), 1)
        try f.execute("INSERT INTO survey (id, household_id, year, score) VALUES (1, 1, 2012, 80), (2, 2, 2012, 65)")
        let mark = try run("replace.lua", """
            UPDATE OR REPLACE survey SET id = 2 WHERE id = 1;
            INSERT OR REPLACE INTO household (id, village_id, kind, head_name, resident_id, members, main_cause)
                VALUES (1, 1, 'rural', '王新', '34052419800101001X', 3, '因病');
            """)
        let entries = try f.register.queue.read { try AuditLog.entries($0, after: mark) }
        let deletes = entries.filter { $0.action == "delete" }
        XCTAssertEqual(deletes.map(\.table), ["survey", "household"])
        XCTAssertEqual(deletes[0].rowID, 2)
        XCTAssertEqual(deletes[0].changes.first { $0.field == "score" }?.old, .integer(65), "survey 2, removed by REPLACE")
        XCTAssertEqual(deletes[1].changes.first { $0.field == "head_name" }?.old, .text("王福"), "household 1 as it was")
        XCTAssertEqual(entries.last?.action, "insert")
        XCTAssertEqual(entries.last?.changes.first { $0.field == "head_name" }?.new, .text("王新"))
        XCTAssertTrue(try verify().intact)
    }

    /// A register of step 3 with sessions as step 3 wrote them migrates; its entries keep their
    /// session and are sealed by the migration.
    func testAStepThreeRegisterMigratesAndItsLogIsSealed() throws {
        let old = try SchemaFixture(open: false)
        let queue = try DatabaseQueue(path: old.path)
        try Register.migrator(upTo: 3).migrate(queue)
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO area (id, code, name, kind) VALUES (1, '620502101', '太京镇', 'township');
                INSERT INTO audit_session (started_at, os_user, source, source_sha256) VALUES ('2012-05-01T08:00:00.000Z', 'clerk', 'areas.lua', NULL);
                UPDATE area SET name = '太京' WHERE id = 1;
                UPDATE audit_session SET closed_at = '2012-05-01T08:00:01.000Z' WHERE id = 1;
                UPDATE area SET name = '太京镇' WHERE id = 1;
                """)
        }
        try queue.close()
        try old.reopen()
        try old.register.queue.read { db in
            let result = try AuditLog.verify(db)
            XCTAssertTrue(result.intact, "\(result)")
            XCTAssertEqual(result.sealed, 3)
            XCTAssertEqual(try AuditLog.entries(db).map(\.source), [nil, "areas.lua", nil])
        }
        let tamper = try DatabaseQueue(path: old.path)
        try tamper.write { try $0.execute(sql: "DROP TRIGGER audit_session_is_append_only_update; UPDATE audit_session SET source = 'other.lua'") }
        try tamper.close()
        let result = try old.register.queue.read { try AuditLog.verify($0) }
        XCTAssertEqual(result.broken?.changeID, 2)
        XCTAssertEqual(result.broken?.reason, .sessionRewritten(session: 1))
    }
}
