import XCTest

/// Files that are not (or not yet) this linkage's register are refused with exit 2 and left
/// byte-identical.
final class RegisterRefusalTests: LinkageCLITestCase {
    /// Requires a refusal with exit code 2 whose message contains every string of `expected`,
    /// and the file byte-identical afterwards.
    private func assertRefused(
        _ name: String, mentioning expected: [String],
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let before = try bytes(name)
        for arguments in [["--db", name, "-e", "return 1"], ["init", "--db", name]] {
            let result = try LinkageProcess.run(arguments, in: directory)
            XCTAssertEqual(result.exitCode, 2, "linkage \(arguments):\n\(result)", file: file, line: line)
            XCTAssertEqual(result.stdout, "", file: file, line: line)
            for text in expected {
                XCTAssertTrue(result.stderr.contains(text), "stderr lacks \(text):\n\(result)", file: file, line: line)
            }
            XCTAssertEqual(try bytes(name), before, "\(name) changed", file: file, line: line)
            if let wal = try? bytes(name + "-wal") {
                XCTAssertEqual(wal.count, 0, "something was written to \(name)-wal", file: file, line: line)
            }
        }
    }

    func testDbInMissingDirectoryExitsWithTwoAndNamesTheDirectory() throws {
        let result = try linkage("--db", "no-such-dir/reg.db", "-e", "return 1")
        XCTAssertEqual(result.exitCode, 2, "\(result)")
        XCTAssertTrue(result.stderr.contains("no-such-dir"), "\(result)")
        XCTAssertTrue(result.stderr.contains("does not exist"), "\(result)")
        XCTAssertFalse(fileExists("no-such-dir"))
    }

    func testDirectoryAsDbExitsWithTwo() throws {
        try FileManager.default.createDirectory(at: path("adir"), withIntermediateDirectories: false)
        let result = try linkage("--db", "adir", "-e", "return 1")
        XCTAssertEqual(result.exitCode, 2, "\(result)")
        XCTAssertTrue(result.stderr.contains("directory"), "\(result)")
    }

    func testTextFileAsDbIsRefusedAndLeftByteIdentical() throws {
        try write("notes.txt", "These are my notes.\nThey are not a database.\n")
        try assertRefused("notes.txt", mentioning: ["notes.txt", "not an SQLite database"])
    }

    func testShortBinaryFileAsDbIsRefusedAndLeftByteIdentical() throws {
        try Data("SQLite format 3\0".utf8).write(to: path("truncated.db"))
        try assertRefused("truncated.db", mentioning: ["truncated.db"])
    }

    func testOtherApplicationsSQLiteFileIsRefusedAndLeftByteIdentical() throws {
        try sqlite3("other.db", "CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        try assertRefused("other.db", mentioning: ["other.db", "another application"])
        XCTAssertEqual(try sqlite3("other.db", "SELECT x FROM t;"), "1\n")
    }

    func testNewerRegisterIsRefusedAndLeftByteIdentical() throws {
        let created = try linkage("init", "--db", "future.db")
        XCTAssertEqual(created.exitCode, 0, "\(created)")
        try sqlite3("future.db", "PRAGMA user_version = 999; PRAGMA wal_checkpoint(TRUNCATE);")
        // The sqlite3 shell was the last connection: the WAL is checkpointed into the main file.
        if let wal = try? bytes("future.db-wal") { XCTAssertEqual(wal.count, 0) }
        XCTAssertEqual(try sqlite3("future.db", "PRAGMA user_version;"), "999\n")
        try assertRefused("future.db", mentioning: ["future.db", "newer", "999"])
    }

    /// A register that applied a schema step this linkage does not know comes from a newer (or
    /// another) linkage, whatever its version number says.
    func testRegisterWithAnUnknownMigrationIsRefusedAndLeftByteIdentical() throws {
        let created = try linkage("init", "--db", "future.db")
        XCTAssertEqual(created.exitCode, 0, "\(created)")
        try sqlite3("future.db", "INSERT INTO grdb_migrations (identifier) VALUES ('5-future'); PRAGMA wal_checkpoint(TRUNCATE);")
        if let wal = try? bytes("future.db-wal") { XCTAssertEqual(wal.count, 0) }
        try assertRefused("future.db", mentioning: ["future.db", "'5-future'", "newer"])
        let audit = try linkage("--db", "future.db", "audit")
        XCTAssertEqual(audit.exitCode, 2, "read-only commands refuse it too:\n\(audit)")
    }

    func testRunWithRefusedRegisterDoesNotRunTheScript() throws {
        try write("notes.txt", "not a database\n")
        try write("s.lua", "print('ran')")
        let before = try bytes("notes.txt")
        let result = try linkage("--db", "notes.txt", "run", "s.lua")
        XCTAssertEqual(result.exitCode, 2, "\(result)")
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(try bytes("notes.txt"), before)
    }
}
