import Foundation
import LinkageModel
import LuaBridge
import XCTest
@testable import LinkageScripting

/// check.all in Lua: the checks run at once on the engine's other connections (ParallelReads)
/// when the script has changed nothing, and on its own connection once it has, and give the
/// findings one connection running each check in turn gives.
final class CheckScriptTests: RegisterTestCase {
    override var usesFixture: Bool { true }

    /// Every finding as one line, in order.
    static let lines = """
        local function lines(f)
          local out = {}
          for i, x in ipairs(f) do
            out[i] = table.concat({ x.check, x.severity, x.subject, x.area or '', x.expected or '', x.actual or '', x.message, x.subject_table, tostring(x.subject_id) }, '|')
          end
          return table.concat(out, '\\n')
        end
        local function each(opts)
          local all = {}
          for _, name in ipairs(check.names()) do
            local o = { only = { name } }
            for k, v in pairs(opts) do o[k] = v end
            for _, x in ipairs(check.all(o)) do all[#all + 1] = x end
          end
          return all
        end

        """

    func testAllChecksAtOnceGiveEachChecksFindingsInTurn() throws {
        let r = try run(Self.lines + """
            local together, alone = check.all{ year = 2012, as_of = '2012-06-30' }, each{ year = 2012, as_of = '2012-06-30' }
            local errors = check.all{ year = 2012, as_of = '2012-06-30', severity = 'error' }
            local n = 0
            for _, x in ipairs(alone) do if x.severity == 'error' then n = n + 1 end end
            return #together, lines(together) == lines(alone), #errors, n, getmetatable(together[1]).__name, #check.all{ only = {} }
            """)
        guard case .integer(let total) = r[0] else { return XCTFail("\(r)") }
        XCTAssertGreaterThan(total, 21, "more than the errors: \(r)")
        XCTAssertEqual(Array(r[1...]), [.boolean(true), r[3], .integer(21), .string("linkage.finding"), .integer(0)])
    }

    func testAScriptsOwnChangesAreInItsChecks() throws {
        let r = try run("""
            local before = check.summary(check.all{ as_of = '2012-06-30', only = { 'coverage' } }).total
            cadres:get(1):link(households:get(3), '2012-03-01')
            local after = check.summary(check.all{ as_of = '2012-06-30' })
            return before, after.by_check.coverage
            """)
        guard case .integer(let before) = r[0] else { return XCTFail("\(r)") }
        XCTAssertEqual(r[1], .integer(before - 1), "household 3, linked in this transaction, is covered")
    }

    func testAnUnknownCheckIsNamed() throws {
        XCTAssertThrowsError(try run("return check.all{ only = { 'visit' } }")) { error in
            XCTAssertTrue("\(error)".contains("unknown check 'visit'; the checks are coverage, quotas, visits"), "\(error)")
        }
    }
}
