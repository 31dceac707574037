import XCTest

/// Which file is the register: `--db PATH`, else `$LINKAGE_DB`, else `./linkage.db`.
final class RegisterChoiceTests: LinkageCLITestCase {
    private func environment(linkageDB: String?) -> [String: String] {
        var env = LinkageProcess.cleanEnvironment
        env["LINKAGE_DB"] = linkageDB
        return env
    }

    func testDbOptionWinsOverEnvironment() throws {
        let result = try linkage("--db", "option.db", "-e", "return 1",
                                 environment: environment(linkageDB: "env.db"))
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertTrue(fileExists("option.db"))
        XCTAssertFalse(fileExists("env.db"))
        XCTAssertFalse(fileExists("linkage.db"))
    }

    func testEnvironmentIsUsedWithoutDbOption() throws {
        let result = try linkage("-e", "return 1", environment: environment(linkageDB: "env.db"))
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertTrue(fileExists("env.db"))
        XCTAssertFalse(fileExists("linkage.db"))
    }

    func testEnvironmentWithAbsolutePathIsUsedFromAnyDirectory() throws {
        let target = path("elsewhere.db").path
        let result = try linkage("init", environment: environment(linkageDB: target))
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertTrue(result.stdout.contains(target), "init should name the register:\n\(result)")
        XCTAssertTrue(fileExists("elsewhere.db"))
    }

    func testDefaultIsLinkageDbInTheWorkingDirectory() throws {
        let result = try linkage("-e", "return 1", environment: environment(linkageDB: nil))
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertTrue(fileExists("linkage.db"))
    }

    func testEmptyEnvironmentVariableFallsBackToDefault() throws {
        let result = try linkage("-e", "return 1", environment: environment(linkageDB: ""))
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertTrue(fileExists("linkage.db"))
    }

    func testRunUsesDbOptionGivenAfterTheSubcommand() throws {
        try write("s.lua", "return")
        let result = try linkage("run", "--db", "sub.db", "s.lua",
                                 environment: environment(linkageDB: "env.db"))
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertTrue(fileExists("sub.db"))
        XCTAssertFalse(fileExists("env.db"))
        XCTAssertFalse(fileExists("linkage.db"))
    }
}
