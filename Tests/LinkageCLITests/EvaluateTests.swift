import XCTest

/// `linkage -e CODE`: runs the chunk and prints what it returns, as the lua REPL does.
final class EvaluateTests: LinkageCLITestCase {
    func testExpressionPrintsItsValue() throws {
        let result = try linkage("-e", "return 1 + 1", "--db", "test.db")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertEqual(result.stdout, "2\n")
        XCTAssertEqual(result.stderr, "")
    }

    func testBareExpressionWithoutReturnPrintsItsValue() throws {
        let result = try linkage("--db", "test.db", "-e", "2 * 21")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertEqual(result.stdout, "42\n")
    }

    func testSeveralValuesArePrintedTabSeparatedAsPrintDoes() throws {
        let result = try linkage("--db", "test.db", "-e", #"return 1, "a", nil"#)
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertEqual(result.stdout, "1\ta\tnil\n")
    }

    func testStatementPrintsNothing() throws {
        let result = try linkage("--db", "test.db", "-e", "x = 1")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr, "")
    }

    func testRepeatedChunksShareOneStateInOrder() throws {
        let result = try linkage("--db", "test.db", "-e", "x = 20", "-e", "x = x + 1", "-e", "return x * 2")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertEqual(result.stdout, "42\n")
    }

    func testPrintFromTheChunkGoesToStdout() throws {
        let result = try linkage("--db", "test.db", "-e", #"print("hello", 3)"#)
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertEqual(result.stdout, "hello\t3\n")
    }

    func testDbValueReadsFromTheRegister() throws {
        let result = try linkage("--db", "test.db", "-e", "return db.value('SELECT 6 * 7')")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertEqual(result.stdout, "42\n")
    }
}
