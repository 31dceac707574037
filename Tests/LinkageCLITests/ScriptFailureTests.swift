import XCTest

/// Exit codes and messages when the script or its command line is wrong: 1 the script failed,
/// 2 usage or input error.
final class ScriptFailureTests: LinkageCLITestCase {
    func testMissingScriptExitsWithTwo() throws {
        let result = try linkage("--db", "test.db", "run", "nope.lua")
        XCTAssertEqual(result.exitCode, 2, "\(result)")
        XCTAssertTrue(result.stderr.contains("no such file"), "\(result)")
        XCTAssertTrue(result.stderr.contains("nope.lua"), "\(result)")
    }

    func testSyntaxErrorExitsWithOneAndNamesFileAndLine() throws {
        try write("broken.lua", "local x = 1\nlocal y = = 2\n")
        let result = try linkage("--db", "test.db", "run", "broken.lua")
        XCTAssertEqual(result.exitCode, 1, "\(result)")
        XCTAssertTrue(result.stderr.contains("broken.lua:2:"), "expected file:line: in\n\(result)")
        XCTAssertEqual(result.stdout, "")
    }

    func testSyntaxErrorInChunkExitsWithOne() throws {
        let result = try linkage("--db", "test.db", "-e", "local = 3")
        XCTAssertEqual(result.exitCode, 1, "\(result)")
        XCTAssertTrue(result.stderr.contains(":1:"), "\(result)")
    }

    func testRuntimeErrorInNestedCallsExitsWithOneAndShowsTraceback() throws {
        try write("deep.lua", """
            local function innermost(n)
              error("gave up at depth " .. n)
            end
            local function middle(n)
              innermost(n + 1)
            end
            function outer()
              middle(1)
            end
            print("before")
            outer()
            print("never")
            """)
        let result = try linkage("--db", "test.db", "run", "deep.lua")
        XCTAssertEqual(result.exitCode, 1, "\(result)")
        XCTAssertEqual(result.stdout, "before\n", "output printed before the error is kept, nothing after")
        let err = result.stderr
        XCTAssertTrue(err.contains("deep.lua:2: gave up at depth 2"), "\(result)")
        XCTAssertTrue(err.contains("stack traceback"), "\(result)")
        for (line, name) in [(2, "innermost"), (5, "middle"), (8, "outer")] {
            XCTAssertTrue(err.contains("deep.lua:\(line):"), "traceback lacks deep.lua:\(line):\n\(result)")
            XCTAssertTrue(err.contains("'\(name)'"), "traceback lacks '\(name)':\n\(result)")
        }
        XCTAssertTrue(err.contains("deep.lua:11:"), "traceback lacks the main chunk's line:\n\(result)")
    }

    func testErrorWithNonStringValueExitsWithOne() throws {
        let result = try linkage("--db", "test.db", "-e", "error({code = 3})")
        XCTAssertEqual(result.exitCode, 1, "\(result)")
        XCTAssertFalse(result.stderr.isEmpty)
    }

    func testSwiftErrorCaughtByPcallLetsTheScriptContinue() throws {
        try write("caught.lua", """
            local ok, err = pcall(db.exec, "SELEC 1")
            print(ok)
            print(err)
            print("continued")
            """)
        let result = try linkage("--db", "test.db", "run", "caught.lua")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "false")
        XCTAssertTrue(lines.dropFirst().first?.contains(#"near "SELEC": syntax error"#) == true, "\(result)")
        XCTAssertEqual(lines.last, "continued")
        XCTAssertEqual(result.stderr, "")
    }

    func testUncaughtSQLSyntaxErrorExitsWithOneWithSQLiteMessage() throws {
        try write("bad.sql.lua", "db.exec('SELEC 1')\n")
        let result = try linkage("--db", "test.db", "run", "bad.sql.lua")
        XCTAssertEqual(result.exitCode, 1, "\(result)")
        XCTAssertTrue(result.stderr.contains(#"near "SELEC": syntax error"#), "\(result)")
        XCTAssertTrue(result.stderr.contains("bad.sql.lua:1:"), "the message should name the script line:\n\(result)")
    }

    func testUnknownOptionExitsWithTwo() throws {
        let result = try linkage("--no-such-option", "-e", "return 1")
        XCTAssertEqual(result.exitCode, 2, "\(result)")
        XCTAssertTrue(result.stderr.contains("--no-such-option"), "\(result)")
        XCTAssertFalse(fileExists("linkage.db"), "a usage error must not create a register")
    }

    func testUnknownOptionOfRunBeforeTheScriptExitsWithTwo() throws {
        try write("s.lua", "print('ran')")
        let result = try linkage("run", "--no-such-option", "s.lua", "--db", "test.db")
        XCTAssertEqual(result.exitCode, 2, "\(result)")
        XCTAssertEqual(result.stdout, "")
    }

    func testUnknownSubcommandExitsWithTwo() throws {
        let result = try linkage("frobnicate", "--db", "test.db")
        XCTAssertEqual(result.exitCode, 2, "\(result)")
        XCTAssertFalse(result.stderr.isEmpty)
    }

    func testMissingOptionValueExitsWithTwo() throws {
        let result = try linkage("-e")
        XCTAssertEqual(result.exitCode, 2, "\(result)")
    }

    func testHelpExitsWithZero() throws {
        let result = try linkage("--help")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertTrue(result.stdout.contains("run"), "\(result)")
    }
}
