import XCTest

/// `linkage init`: creates (or migrates) a register and reports its schema version.
final class InitCommandTests: LinkageCLITestCase {
    private func reportedVersion(_ stdout: String) -> Int? {
        guard let range = stdout.range(of: "schema version ") else { return nil }
        return Int(stdout[range.upperBound...].prefix { $0.isNumber })
    }

    func testInitCreatesTheRegisterAndPrintsItsSchemaVersion() throws {
        let result = try linkage("init", "--db", "new.db")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertTrue(fileExists("new.db"))
        XCTAssertTrue(result.stdout.contains("new.db"), "\(result)")
        let version = try XCTUnwrap(reportedVersion(result.stdout), "no schema version in:\n\(result)")
        XCTAssertGreaterThan(version, 0)
        let stored = try sqlite3("new.db", "PRAGMA user_version;").trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(stored, String(version), "the printed version should be the file's user_version")
    }

    func testInitMarksTheFileAsALinkageRegister() throws {
        XCTAssertEqual(try linkage("init", "--db", "new.db").exitCode, 0)
        let appID = try sqlite3("new.db", "PRAGMA application_id;").trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(appID, String(0x4C4B_4731), "application_id should be 'LKG1'")
    }

    func testInitTwiceSucceedsAndKeepsTheVersionAndData() throws {
        let first = try linkage("init", "--db", "new.db")
        XCTAssertEqual(first.exitCode, 0, "\(first)")
        _ = try sqlite3("new.db", "CREATE TABLE scratch(x); INSERT INTO scratch VALUES (7);")
        let second = try linkage("init", "--db", "new.db")
        XCTAssertEqual(second.exitCode, 0, "\(second)")
        XCTAssertEqual(reportedVersion(second.stdout), reportedVersion(first.stdout))
        XCTAssertEqual(try evaluate("return db.value('SELECT x FROM scratch')", db: "new.db"), "7\n")
    }

    func testInitAcceptsAnEmptyFile() throws {
        try write("empty.db", "")
        let result = try linkage("init", "--db", "empty.db")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertNotNil(reportedVersion(result.stdout), "\(result)")
    }
}
