import Foundation
import XCTest

/// A script cannot escape linkage's transaction or the audit log, whatever SQL or Lua it runs:
/// each case of issue 7 that once escaped, through the real binary, against a real register.
final class ScriptContainmentTests: SmallRegisterTestCase {
    private func members() throws -> String {
        try evaluate("return db.value('SELECT group_concat(members) FROM (SELECT members FROM household ORDER BY id)')")
    }

    /// Runs `-e code` with `flags` and requires the exit code and the register byte for byte as before.
    @discardableResult
    private func assertUnchanged(_ code: String, flags: [String] = [], exit expected: Int32, stderr: String? = nil,
                                 file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        let before = try bytes("test.db")
        let result = try LinkageProcess.run(["--db", "test.db"] + flags + ["-e", code], in: directory)
        XCTAssertEqual(result.exitCode, expected, "\(result)", file: file, line: line)
        if let stderr { XCTAssertTrue(result.stderr.contains(stderr), result.stderr, file: file, line: line) }
        XCTAssertEqual(try bytes("test.db"), before, "the register changed: \(code)", file: file, line: line)
        let wal = fileExists("test.db-wal") ? try bytes("test.db-wal").count : 0
        XCTAssertEqual(wal, 0, "a WAL was left behind", file: file, line: line)
        return result
    }

    private let update = "db.exec('UPDATE household SET members = members + 1')"
    private let advice = "use db.transaction"

    func testDryRunWithOsExitWritesNothing() throws {
        for exit in ["os.exit(0)", "os.exit()", "os.exit(true)"] {
            let r = try assertUnchanged("\(update); \(exit)", flags: ["--dry-run"], exit: 0)
            XCTAssertTrue(r.stdout.contains("dry run: nothing was written") && r.stdout.contains("household: 0 inserted, "), r.stdout)
        }
    }

    func testScriptsCannotEndOrBeginTheTransaction() throws {
        for sql in ["COMMIT; BEGIN", "ROLLBACK", "END", "BEGIN", "/* hidden */ commit", "SAVEPOINT x", "RELEASE linkage_chunk_1",
                    "ROLLBACK TO linkage_1"] {
            try assertUnchanged("\(update); db.exec('\(sql)')", exit: 1, stderr: advice)
            try assertUnchanged("\(update); db.exec('\(sql)')", flags: ["--dry-run"], exit: 1, stderr: advice)
        }
        // Caught by pcall, the refusal still leaves the transaction linkage's: a later error undoes all.
        try assertUnchanged("pcall(db.exec, 'ROLLBACK'); \(update); error('boom')", exit: 1, stderr: "boom")
        try assertUnchanged("\(update); pcall(db.exec, 'COMMIT'); error('boom')", exit: 1, stderr: "boom")
        XCTAssertEqual(try sqlite3("test.db", "SELECT count(*) FROM audit_session WHERE closed_at IS NULL;"), "0\n")
    }

    func testATransactionEndedBySQLiteItselfRefusesLaterWrites() throws {
        // INSERT OR ROLLBACK that conflicts ends the transaction; the writes after it must not commit alone.
        let code = """
            db.exec('CREATE TEMP TABLE u(a UNIQUE)') db.exec('INSERT INTO u VALUES (1)') \(update)
            pcall(db.exec, 'INSERT OR ROLLBACK INTO u VALUES (1)')
            local ok, err = pcall(db.exec, 'UPDATE household SET members = 99')
            print(ok, err)
            """
        let r = try assertUnchanged(code, exit: 1, stderr: "ended early")
        XCTAssertTrue(r.stdout.contains("false") && r.stdout.contains("ended early"), r.stdout)
    }

    func testFinalizersRunInsideTheTransaction() throws {
        let gc = "setmetatable({}, { __gc = function() db.exec('UPDATE household SET members = 42 WHERE id = 1') end })"
        try assertUnchanged("\(gc); error('boom')", exit: 1, stderr: "boom")
        try assertUnchanged("\(gc); os.exit(2)", exit: 2)
        let dry = try assertUnchanged("local _ = \(gc)", flags: ["--dry-run"], exit: 0)
        XCTAssertTrue(dry.stdout.contains("members: 4 → 42") || dry.stdout.contains("→ 42"), dry.stdout)
        XCTAssertEqual(try linkage("--db", "test.db", "-e", "local _ = \(gc)").exitCode, 0)
        let m42 = try members()
        XCTAssertTrue(m42.hasPrefix("42,"), m42)
        XCTAssertEqual(try linkage("--db", "test.db", "-e", "local _ = \(gc.replacingOccurrences(of: "42", with: "43")); os.exit(0)").exitCode, 0)
        let m43 = try members()
        XCTAssertTrue(m43.hasPrefix("43,"), m43)
    }

    func testAFailedCommitIsAMessageAndExitOne() throws {
        let broken = "db.exec('PRAGMA defer_foreign_keys = ON') db.exec('UPDATE household SET village_id = 999999 WHERE id = 1')"
        try assertUnchanged(broken, exit: 1, stderr: "could not be committed (FOREIGN KEY constraint failed)")
        try assertUnchanged("\(broken) os.exit(0)", exit: 1, stderr: "could not be committed")
    }

    func testExitCodesOutsideTheShellsRangeAreErrors() throws {
        for code in ["256", "-1", "1e10"] {
            try assertUnchanged("\(update); os.exit(\(code))", exit: 1, stderr: "os.exit")
        }
        XCTAssertEqual(try linkage("--db", "test.db", "-e", "os.exit(255)").exitCode, 255)
    }

    func testScriptsCannotChangeTheSchema() throws {
        for sql in ["DROP TRIGGER audit_household_update", "DROP TRIGGER audit_change_is_append_only_delete",
                    "CREATE TABLE mine(x)", "ALTER TABLE household ADD COLUMN x", "CREATE INDEX i ON household(members)",
                    "DROP TABLE survey", "CREATE VIEW v AS SELECT 1", "DROP INDEX idx_audit_change_at",
                    "CREATE TEMP TRIGGER t AFTER UPDATE ON main.household BEGIN DELETE FROM audit_change; END",
                    "ATTACH 'other.db' AS o", "PRAGMA writable_schema = 1", "PRAGMA recursive_triggers = 0",
                    "PRAGMA foreign_keys = OFF", "PRAGMA user_version = 99", "VACUUM INTO 'copy.db'", "ANALYZE"] {
            try assertUnchanged("db.exec(\"\(sql)\")", exit: 1)
        }
        XCTAssertFalse(fileExists("other.db"))
        XCTAssertFalse(fileExists("copy.db"))
        // Scratch work in temporary tables and views stays possible, and reading pragmas too.
        XCTAssertEqual(try evaluate("""
            db.exec('CREATE TEMP TABLE t AS SELECT id FROM household') db.exec('CREATE TEMP VIEW v AS SELECT * FROM t')
            return db.value('SELECT count(*) FROM v') == households:count(), #db.query('PRAGMA table_info(household)') > 5,
              db.value('PRAGMA user_version') > 0
            """), "true\ttrue\ttrue\n")
    }

    func testScriptsCannotWriteTheAuditLog() throws {
        _ = try evaluate("households:get(1):update{ members = 5 }") // at least one session and change
        for sql in ["UPDATE audit_session SET os_user = 'someone'", "DELETE FROM audit_change",
                    "INSERT INTO audit_session (started_at, os_user, source) VALUES ('x', 'y', 'z')",
                    "WITH x AS (SELECT 1) DELETE FROM audit_change WHERE id IN (SELECT * FROM x)",
                    "UPDATE main.\\\"AUDIT_CHANGE\\\" SET old = NULL", "DELETE FROM grdb_migrations"] {
            try assertUnchanged("db.exec(\"\(sql)\")", exit: 1, stderr: "written by linkage alone")
        }
        // The same through the query API's raw fragments cannot write either: they are SELECT only.
        XCTAssertEqual(try evaluate("return db.value('SELECT count(*) > 0 FROM audit_change')"), "1\n", "reading the log is fine")
    }
}
