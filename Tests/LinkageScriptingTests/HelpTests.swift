import Foundation
import LinkageModel
import LuaBridge
import XCTest
@testable import LinkageScripting

/// help() and docs/lua-api.md come from one catalog; every example in it runs.
final class HelpTests: RegisterTestCase {
    override var usesFixture: Bool { true }
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private struct Rollback: Error {}

    func testEveryExampleRuns() throws {
        for entry in HelpCatalog.entries {
            try ScriptEngine.with(register) { engine in
                do {
                    _ = try engine.runSession(audit: nil, dryRun: false) {
                        do { try engine.lua.run(entry.example, chunkName: "=example of \(entry.key)") } catch {
                            XCTFail("the example of \(entry.key) failed: \(error)")
                        }
                        throw Rollback() // each example starts from the same register
                    }
                } catch is Rollback {}
            }
        }
    }

    func testHelpFindsEntriesByNameCollectionFunctionAndRecord() throws {
        let out = try ScriptEngine.with(register) { engine -> [LuaValue] in
            try engine.lua.run("""
                local lines = {}
                local raw = print
                print = function(s) lines[#lines + 1] = s end
                help() help(households) help(households.where) help('db.exec') help(db.query) help(households:get(1))
                help(cadres:get(1).handover) help(linkage.as_of) help(42) help('nope')
                print = raw
                return lines
                """)
        }
        guard case .array(let lines) = out[0], lines.count == 10 else { return XCTFail("\(out)") }
        let text = lines.map { $0.stringValue ?? "" }
        XCTAssertTrue(text[0].contains("Linkage: Lua 5.4 over the linkage register"))
        XCTAssertTrue(text[1].contains("q:where{ field = value, ... }"), text[1])
        XCTAssertTrue(text[2].hasPrefix("q:where{ field = value, ... }"), text[2])
        XCTAssertTrue(text[3].hasPrefix("db.exec(sql, ...) --> changed rows"), text[3])
        XCTAssertTrue(text[4].hasPrefix("db.query(sql, ...)"), text[4])
        XCTAssertTrue(text[5].contains("A record is a Lua table"), text[5])
        XCTAssertTrue(text[6].hasPrefix("cadre:handover(successor"), text[6])
        XCTAssertTrue(text[7].hasPrefix("linkage.as_of(date)"), text[7])
        XCTAssertEqual(text[8], "no help for a number; try help()")
        XCTAssertEqual(text[9], "no help for 'nope'; try help()")
    }

    /// docs/lua-api.md is generated from the catalog. To regenerate:
    /// `LINKAGE_WRITE_DOCS=1 swift test --filter HelpTests`.
    func testDocsMatchTheCatalog() throws {
        let url = Self.root.appendingPathComponent("docs/lua-api.md")
        if ProcessInfo.processInfo.environment["LINKAGE_WRITE_DOCS"] == "1" {
            try HelpCatalog.markdown.write(to: url, atomically: true, encoding: .utf8)
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(text, HelpCatalog.markdown, "docs/lua-api.md is stale: LINKAGE_WRITE_DOCS=1 swift test --filter HelpTests")
    }
}
