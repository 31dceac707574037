import Foundation
import XCTest

/// --timeout, --max-memory, --max-instructions and Ctrl-C stop a script, name what stopped it and
/// roll back everything it did, through the real binary.
final class ScriptLimitTests: SmallRegisterTestCase {
    private let update = "db.exec('UPDATE household SET members = 77')"

    private func assertStopped(_ flags: [String], _ code: String, exit: Int32 = 1, says text: String,
                               interruptAfter: Double? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try bytes("test.db")
        let r = try LinkageProcess.run(["--db", "test.db"] + flags + ["-e", code], in: directory, timeout: 60,
                                       interruptAfter: interruptAfter)
        XCTAssertEqual(r.exitCode, exit, "\(r)", file: file, line: line)
        XCTAssertTrue(r.stderr.contains(text), r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.contains("the run was rolled back and nothing was written"), r.stderr, file: file, line: line)
        XCTAssertEqual(try bytes("test.db"), before, "the register changed", file: file, line: line)
    }

    func testTimeoutStopsABusyLoopAndALongStatement() throws {
        try assertStopped(["--timeout", "0.3"], "\(update) while true do end", says: "time limit of 0.3 s reached (--timeout)")
        // pcall cannot swallow the stop.
        try assertStopped(["--timeout", "0.3"], "\(update) while true do pcall(function() while true do end end) end",
                          says: "time limit of 0.3 s reached")
        // A statement that runs inside SQLite is stopped too.
        try assertStopped(["--timeout", "0.3"], "\(update) return db.value('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n')",
                          says: "time limit of 0.3 s reached")
    }

    /// A stop inside linkage's own Lua (check.all runs in "(linkage rules)") is reported at the
    /// script's line that called it.
    func testAStopInsideLinkagesLuaNamesTheScriptsLine() throws {
        try assertStopped(["--max-instructions", "100"], "\(update)\nlocal findings = check.all{ year = 2012 }",
                          says: "instruction budget of 100 reached (--max-instructions) at (command line):2;")
    }

    func testMemoryLimitStopsAGrowingTable() throws {
        try assertStopped(["--max-memory", "16"], "\(update) local t = {} for i = 1, 1e9 do t[i] = tostring(i) end",
                          says: "memory limit of 16 MB was reached (--max-memory)")
    }

    /// Out of memory without --max-memory (the process's address space limited by ulimit -v): a
    /// message and exit 1, never a trap.
    func testRunningOutOfSystemMemoryIsAMessage() throws {
        let before = try bytes("test.db")
        let r = try LinkageProcess.execute(URL(fileURLWithPath: "/bin/bash"),
                                           ["-c", "ulimit -v 1500000; exec \"$0\" \"$@\"", try LinkageProcess.binary().path, "--db", "test.db",
                                            "-e", "\(update) local t = {} for i = 1, 1e9 do t[i] = i end"],
                                           in: directory, environment: LinkageProcess.cleanEnvironment, stdin: nil, timeout: 120)
        XCTAssertEqual(r.exitCode, 1, "\(r)")
        XCTAssertTrue(r.stderr.contains("not enough memory") && r.stderr.contains("nothing was written"), r.stderr)
        XCTAssertEqual(try bytes("test.db"), before)
    }

    func testInstructionBudgetStopsALoop() throws {
        try assertStopped(["--max-instructions", "100000"], "\(update) for i = 1, 1e12 do end",
                          says: "instruction budget of 100000 reached (--max-instructions)")
        XCTAssertEqual(try linkage("--db", "test.db", "--max-instructions", "100000", "-e", "return households:count() > 0").stdout, "true\n",
                       "a short script runs within the budget")
    }

    func testCtrlCInterruptsAndRollsBack() throws {
        try assertStopped([], "\(update) io.stderr:write('ready\\n') while true do end", exit: 130, says: "interrupted",
                          interruptAfter: 2.0)
    }

    func testLimitsMustBePositive() throws {
        for flags in [["--timeout", "0"], ["--max-memory", "-1"], ["--max-instructions", "0"]] {
            let r = try LinkageProcess.run(["--db", "test.db"] + flags + ["-e", "return 1"], in: directory)
            XCTAssertEqual(r.exitCode, 2, "\(r)")
        }
    }
}
