import XCTest

/// `linkage run SCRIPT ARGS...`: the script sees `...` and `arg` as under the lua program.
final class RunCommandTests: LinkageCLITestCase {
    private let argumentPrinter = """
        print(select('#', ...), ...)
        print(#arg, arg[0], arg[1], arg[2])
        print(arg[-1])
        """

    func testScriptSeesItsArgumentsAsVarargsAndArgTable() throws {
        try write("args.lua", argumentPrinter)
        let result = try linkage("--db", "test.db", "run", "args.lua", "a", "b")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertEqual(result.stdout, """
            2\ta\tb
            2\targs.lua\ta\tb
            run

            """)
        XCTAssertEqual(result.stderr, "")
    }

    func testArgMinusOneIsRunAndBelowItTheProgram() throws {
        try write("args.lua", "print(arg[-1]); print(arg[-2] ~= nil); print(arg[-3])")
        let result = try linkage("run", "args.lua", "--db", "test.db")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.first, "run", "\(result)")
        XCTAssertEqual(lines.dropFirst().first, "true", "arg[-2] should be the program:\n\(result)")
        XCTAssertEqual(lines.dropFirst(2).first, "nil", "\(result)")
    }

    func testScriptWithoutArgumentsHasEmptyArgTable() throws {
        try write("args.lua", argumentPrinter)
        let result = try linkage("--db", "test.db", "run", "args.lua")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertEqual(result.stdout, "0\n0\targs.lua\tnil\tnil\nrun\n")
    }

    func testArgumentsAfterDoubleDashReachTheScriptEvenIfTheyLookLikeOptions() throws {
        try write("args.lua", argumentPrinter)
        let result = try linkage("--db", "test.db", "run", "args.lua", "--", "--db", "x")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertEqual(result.stdout, """
            2\t--db\tx
            2\targs.lua\t--db\tx
            run

            """)
        XCTAssertFalse(fileExists("x"), "the script's --db x must not choose the register")
        XCTAssertTrue(fileExists("test.db"))
    }

    func testScriptReadsStandardInput() throws {
        try write("cat.lua", "io.write(io.read('a'))")
        let result = try linkage("--db", "test.db", "run", "cat.lua", stdin: "line one\nline two\n")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertEqual(result.stdout, "line one\nline two\n")
    }

    func testLargeOutputIsDeliveredWhole() throws {
        try write("many.lua", "for i = 1, 100000 do print(i) end")
        let result = try linkage("--db", "test.db", "run", "many.lua")
        XCTAssertEqual(result.exitCode, 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 100_000)
        XCTAssertEqual(lines.last, "100000")
    }
}
