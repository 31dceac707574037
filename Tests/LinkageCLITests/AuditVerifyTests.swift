import Foundation
import XCTest

/// `linkage audit --verify` and the sealed audit log, through the real binary; tampering through
/// the sqlite3 shell.
final class AuditVerifyTests: LinkageCLITestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try loadSmallRegister()
    }

    private func count(_ sql: String) throws -> Int {
        Int(try sqlite3("test.db", sql).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    func testAnIntactLogExitsZeroAndNamesItsHead() throws {
        _ = try evaluate("households:get(3):update{ income = 999 }")
        let entries = try count("SELECT count(*) FROM audit_change")
        let head = try sqlite3("test.db", "SELECT substr(hash, 1, 16) FROM audit_chain ORDER BY id DESC LIMIT 1")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let r = try linkage("--db", "test.db", "audit", "--verify")
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        XCTAssertEqual(r.stdout, "audit log intact: \(entries) entries, chain head \(head)\n")
    }

    func testATamperedEntryIsNamedAndExitsOne() throws {
        _ = try evaluate("households:get(3):update{ income = 999 }")
        let id = try count("SELECT max(id) FROM audit_change WHERE action = 'update'")
        try sqlite3("test.db", """
            DROP TRIGGER audit_change_is_append_only_update;
            UPDATE audit_change SET old = json_set(old, '$.income', 1.0) WHERE id = \(id);
            """)
        let r = try linkage("--db", "test.db", "audit", "--verify")
        XCTAssertEqual(r.exitCode, 1, "\(r)")
        XCTAssertTrue(r.stderr.contains("audit log broken at change \(id): the entry was altered"), r.stderr)
        XCTAssertEqual(r.stdout, "")
    }

    func testADeletedSessionIsNamed() throws {
        _ = try evaluate("households:get(3):update{ income = 999 }")
        let session = try count("SELECT max(id) FROM audit_session")
        let first = try count("SELECT first_change FROM audit_session WHERE id = \(session)")
        try sqlite3("test.db", "DROP TRIGGER audit_session_is_append_only_delete; DELETE FROM audit_session WHERE id = \(session);")
        let r = try linkage("--db", "test.db", "audit", "--verify")
        XCTAssertEqual(r.exitCode, 1, "\(r)")
        XCTAssertTrue(r.stderr.contains("broken at change \(first): session \(session) was rewritten or forged"), r.stderr)
    }

    func testChangesOutsideLinkageAreReportedUnsealedThenSealedByTheNextRunThatWrites() throws {
        try sqlite3("test.db", "UPDATE area SET name = '外改' WHERE id = 3;")
        let before = try linkage("--db", "test.db", "audit", "--verify")
        XCTAssertEqual(before.exitCode, 0, "\(before)")
        XCTAssertTrue(before.stdout.contains("; 1 later entries were written outside linkage and are not sealed yet"), before.stdout)
        _ = try evaluate("return households:count()")
        XCTAssertTrue(try linkage("--db", "test.db", "audit", "--verify").stdout.contains("not sealed yet"), "a run that only reads seals nothing")
        _ = try evaluate("households:get(3):update{ income = 999 }")
        let after = try linkage("--db", "test.db", "audit", "--verify")
        XCTAssertEqual(after.exitCode, 0, "\(after)")
        XCTAssertFalse(after.stdout.contains("not sealed"), after.stdout)
        let listing = try linkage("--db", "test.db", "audit", "--table", "area")
        XCTAssertTrue(listing.stdout.contains("outside linkage  update area 3  name: 大城街道 → 外改"), listing.stdout)
    }

    func testARunThatOnlyReadsWritesNoSession() throws {
        let sessions = try count("SELECT count(*) FROM audit_session")
        let chained = try count("SELECT count(*) FROM audit_chain")
        XCTAssertEqual(try evaluate("return households:count()"), "15\n")
        try write("look.lua", "print(db.value('SELECT count(*) FROM area'))")
        XCTAssertEqual(try linkage("--db", "test.db", "run", "look.lua").exitCode, 0)
        XCTAssertEqual(try count("SELECT count(*) FROM audit_session"), sessions)
        XCTAssertEqual(try count("SELECT count(*) FROM audit_chain"), chained)
    }

    func testADryRunListsItsChangesAndSealsNothing() throws {
        _ = try evaluate("db.exec('INSERT INTO survey (id, household_id, year, score) VALUES (1, 1, 2012, 80)')")
        let sessions = try count("SELECT count(*) FROM audit_session")
        let r = try linkage("--db", "test.db", "--dry-run", "-e", "db.exec('DELETE FROM survey WHERE id = 1')")
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        XCTAssertTrue(r.stdout.contains("survey: 0 inserted, 0 updated, 1 deleted"), r.stdout)
        XCTAssertEqual(try count("SELECT count(*) FROM audit_session"), sessions)
        XCTAssertEqual(try count("SELECT count(*) FROM survey WHERE id = 1"), 1)
    }

    /// The binary's connections run with recursive triggers, so REPLACE's deletes reach the log.
    func testReplaceDeletesAreAuditedThroughTheBinary() throws {
        _ = try evaluate("db.exec('INSERT INTO survey (id, household_id, year, score) VALUES (1, 1, 2012, 80), (2, 2, 2012, 65)')")
        _ = try evaluate("db.exec('UPDATE OR REPLACE survey SET id = 2 WHERE id = 1')")
        let listing = try linkage("--db", "test.db", "audit", "--table", "survey")
        XCTAssertTrue(listing.stdout.contains("delete survey 2  household_id=2, id=2, score=65, year=2012"), listing.stdout)
        XCTAssertEqual(try count("SELECT score FROM survey WHERE id = 2"), 80)
        XCTAssertEqual(try linkage("--db", "test.db", "audit", "--verify").exitCode, 0)
    }
}
