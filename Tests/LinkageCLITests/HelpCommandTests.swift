import Foundation
import XCTest

/// `linkage help [--markdown] [TOPIC]`: a subcommand's help, the Lua API's help on one name, and
/// the whole Lua API in Markdown, which is docs/lua-api.md.
final class HelpCommandTests: LinkageCLITestCase {
    func testMarkdownIsTheLuaAPIDocument() throws {
        let r = try linkage("help", "--markdown")
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        XCTAssertEqual(r.stdout, try String(contentsOf: root.appendingPathComponent("docs/lua-api.md"), encoding: .utf8))
    }

    func testATopicIsASubcommandOrANameOfTheLuaAPI() throws {
        let run = try linkage("help", "run")
        XCTAssertEqual(run.exitCode, 0, "\(run)")
        XCTAssertTrue(run.stdout.hasPrefix("OVERVIEW: Run a Lua script against the register"), "\(run)")
        let set = try linkage("help", "rules", "set")
        XCTAssertEqual(set.exitCode, 0, "\(set)")
        XCTAssertTrue(set.stdout.hasPrefix("OVERVIEW: Change a rule from a day on"), "\(set)")
        let all = try linkage("help")
        XCTAssertEqual(all.exitCode, 0, "\(all)")
        XCTAssertTrue(all.stdout.contains("SUBCOMMANDS:") && all.stdout.contains("stubs"), "\(all)")

        let query = try linkage("help", "db.query")
        XCTAssertEqual(query.exitCode, 0, "\(query)")
        XCTAssertTrue(query.stdout.hasPrefix("db.query(sql, ...) --> { row, ... }\n\nRuns a SELECT"), "\(query)")
        let households = try linkage("help", "households")
        XCTAssertEqual(households.exitCode, 0, "\(households)")
        XCTAssertTrue(households.stdout.contains("where"), "\(households)")
    }

    func testAnUnknownTopicIsAnInputError() throws {
        for topic in [["frobnicate"], ["run", "db.query"], ["--markdown", "run"]] {
            let r = try linkage(["help"] + topic)
            XCTAssertEqual(r.exitCode, 2, "\(topic): \(r)")
            XCTAssertTrue(r.stdout.isEmpty, "\(topic): \(r)")
        }
        XCTAssertTrue(try linkage("help", "frobnicate").stderr.contains("no help for 'frobnicate'"))
    }
}
