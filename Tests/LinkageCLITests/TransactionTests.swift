import XCTest

/// Each run is one transaction: a failing script changes nothing; `db.transaction` nests.
final class TransactionTests: LinkageCLITestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        // A table of the test's own, so the tests do not depend on the register's schema; made by
        // another program, since scripts may not change the register's schema.
        _ = try evaluate("return 1")
        _ = try sqlite3("test.db", "CREATE TABLE IF NOT EXISTS scratch(x NOT NULL UNIQUE);")
        _ = try evaluate("db.exec('INSERT INTO scratch(x) VALUES (?)', 'seed')")
    }

    private func contents(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        try evaluate("return db.value('SELECT count(*) FROM scratch') .. ':' .. db.value(\"SELECT group_concat(x, ',') FROM (SELECT x FROM scratch ORDER BY rowid)\")",
                     file: file, line: line)
    }

    func testSuccessfulScriptCommits() throws {
        try write("ok.lua", "db.exec('INSERT INTO scratch(x) VALUES (?)', 'one')")
        let result = try linkage("--db", "test.db", "run", "ok.lua")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertEqual(try contents(), "2:seed,one\n")
    }

    func testScriptThatFailsAfterInsertingChangesNothing() throws {
        XCTAssertEqual(try contents(), "1:seed\n")
        try write("fail.lua", """
            db.exec("INSERT INTO scratch(x) VALUES ('doomed')")
            assert(db.value("SELECT count(*) FROM scratch") == 2)
            error("changed my mind")
            """)
        let result = try linkage("--db", "test.db", "run", "fail.lua")
        XCTAssertEqual(result.exitCode, 1, "\(result)")
        XCTAssertTrue(result.stderr.contains("changed my mind"), "\(result)")
        XCTAssertEqual(try contents(), "1:seed\n")
    }

    func testChunkThatFailsAfterInsertingChangesNothing() throws {
        let result = try linkage("--db", "test.db",
                                 "-e", "db.exec(\"INSERT INTO scratch(x) VALUES ('doomed')\")",
                                 "-e", "error('x')")
        XCTAssertEqual(result.exitCode, 1, "\(result)")
        XCTAssertEqual(try contents(), "1:seed\n")
    }

    func testFailedNestedTransactionRollsBackOnlyItsPart() throws {
        try write("nested.lua", """
            db.exec("INSERT INTO scratch(x) VALUES ('before')")
            local ok, err = pcall(db.transaction, function()
              db.exec("INSERT INTO scratch(x) VALUES ('inside')")
              error('x')
            end)
            print(ok, err)
            print(db.value("SELECT count(*) FROM scratch WHERE x = 'inside'"))
            db.exec("INSERT INTO scratch(x) VALUES ('after')")
            """)
        let result = try linkage("--db", "test.db", "run", "nested.lua")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertEqual(result.stdout, "false\tnested.lua:4: x\n0\n")
        XCTAssertEqual(try contents(), "3:seed,before,after\n")
    }

    func testSuccessfulNestedTransactionReturnsItsResultsAndCommits() throws {
        try write("nested.lua", """
            print(db.transaction(function(a, b)
              db.exec("INSERT INTO scratch(x) VALUES (?)", a)
              return a, b
            end, 'p', 'q'))
            """)
        let result = try linkage("--db", "test.db", "run", "nested.lua")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertEqual(result.stdout, "p\tq\n")
        XCTAssertEqual(try contents(), "2:seed,p\n")
    }

    func testNotNullViolationExitsWithOneAndChangesNothing() throws {
        try write("null.lua", """
            db.exec("INSERT INTO scratch(x) VALUES ('fine')")
            db.exec("INSERT INTO scratch(x) VALUES (NULL)")
            """)
        let result = try linkage("--db", "test.db", "run", "null.lua")
        XCTAssertEqual(result.exitCode, 1, "\(result)")
        XCTAssertTrue(result.stderr.contains("NOT NULL constraint failed: scratch.x"), "\(result)")
        XCTAssertTrue(result.stderr.contains("null.lua:2:"), "\(result)")
        XCTAssertEqual(try contents(), "1:seed\n")
    }

    func testUniqueViolationExitsWithOneAndChangesNothing() throws {
        let result = try linkage("--db", "test.db", "-e", """
            db.exec("INSERT INTO scratch(x) VALUES ('new')"); db.exec("INSERT INTO scratch(x) VALUES ('seed')")
            """)
        XCTAssertEqual(result.exitCode, 1, "\(result)")
        XCTAssertTrue(result.stderr.contains("UNIQUE constraint failed: scratch.x"), "\(result)")
        XCTAssertEqual(try contents(), "1:seed\n")
    }

    func testConstraintViolationCaughtByPcallKeepsTheRest() throws {
        let result = try linkage("--db", "test.db", "-e", """
            local ok, err = pcall(db.exec, "INSERT INTO scratch(x) VALUES ('seed')")
            db.exec("INSERT INTO scratch(x) VALUES ('kept')")
            return ok
            """)
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertEqual(result.stdout, "false\n")
        XCTAssertEqual(try contents(), "2:seed,kept\n")
    }
}

/// `os.exit` settles the run's transaction before the process ends.
final class OsExitTests: LinkageCLITestCase {
    func testOsExitWithSuccessCommitsAndExitsZero() throws {
        _ = try evaluate("return 1")
        _ = try sqlite3("test.db", "CREATE TABLE s(x);")
        let result = try linkage("--db", "test.db", "-e", "db.exec('INSERT INTO s VALUES (1)') print('bye') os.exit(0)")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertEqual(result.stdout, "bye\n")
        XCTAssertEqual(try evaluate("return db.value('SELECT count(*) FROM s')"), "1\n")
    }

    func testOsExitWithFailureRollsBackAndKeepsTheCode() throws {
        _ = try evaluate("return 1")
        _ = try sqlite3("test.db", "CREATE TABLE s(x);")
        let result = try linkage("--db", "test.db", "-e", "db.exec('INSERT INTO s VALUES (1)') os.exit(3)")
        XCTAssertEqual(result.exitCode, 3, "\(result)")
        XCTAssertEqual(try evaluate("return db.value('SELECT count(*) FROM s')"), "0\n")
        XCTAssertEqual(try linkage("--db", "test.db", "-e", "os.exit(false)").exitCode, 1)
    }
}
