import Foundation
import XCTest

/// `linkage stubs` writes a lua-language-server annotation file from the register's schema and
/// the help catalog: valid Lua, typed from the schema, the same bytes every time.
final class StubsCommandTests: LinkageCLITestCase {
    func testStubsAreValidTypedAndDeterministic() throws {
        XCTAssertEqual(try linkage("--db", "test.db", "init").exitCode, 0)
        let r = try linkage("--db", "test.db", "stubs", "-o", "linkage.d.lua")
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        let file = path("linkage.d.lua")
        let text = try String(contentsOf: file, encoding: .utf8)

        let luac = try LinkageProcess.execute(URL(fileURLWithPath: "/usr/bin/luac5.4"), ["-p", file.path], in: directory,
                                             environment: ProcessInfo.processInfo.environment, stdin: nil, timeout: 30)
        XCTAssertEqual(luac.exitCode, 0, "\(luac)")

        XCTAssertTrue(text.hasPrefix("---@meta"))
        let lines = text.split(separator: "\n").map(String.init)
        for line in ["---@class household", "---@field resident_id string", "---@field id integer",
                     "---@field village village?", "---@class households", "---@class households.filter",
                     "---@field township? string|table alias of village.area.name",
                     "---@field linked? boolean", "---@param filter households.filter|string", "---@return households",
                     "function households:where(filter, ...) end", "function households:unlinked(date) end",
                     "function household:cadres(date) end", "---@return cadres", "function cadre:handover(successor, opts) end",
                     "function db.query(sql, ...) end", "function export.csv(rows, path, opts) end",
                     "function import.check(kind, row) end", "function linkage.as_of(date) end"] {
            XCTAssertTrue(lines.contains { $0 == line || $0.hasPrefix(line + " ") }, "missing: \(line)") // a description may follow
        }
        // types from the schema: REAL, 0/1 columns, enumerations, NULL
        XCTAssertTrue(text.contains("---@field income number?"), "REAL column")
        XCTAssertTrue(text.contains("---@field housing_secured 0|1"), "0/1 column")
        XCTAssertTrue(text.contains("---@field kind \"rural\"|\"urban\""), "enumeration")
        XCTAssertFalse(text.contains("cadres:uncovered"), "a filter of villages and households on cadres")
        XCTAssertTrue(text.contains("function households:uncovered(date) end"), "the coverage check's uncovered households")
        // every statement is a stub: no line does anything but declare
        for line in lines where !line.hasPrefix("--") {
            XCTAssertTrue(line.hasPrefix("function ") && line.hasSuffix(" end") || line.hasSuffix(" = {}"), line)
        }

        let again = try linkage("--db", "test.db", "stubs")
        XCTAssertEqual(again.exitCode, 0, "\(again)")
        XCTAssertEqual(again.stdoutData, try Data(contentsOf: file), "two runs differ")
    }
}
