import Foundation
import LinkageModel
import LuaBridge
import XCTest
@testable import LinkageScripting

/// `report.*`: a report made in Lua, and a built-in one read and extended, rendered by the same
/// renderers as `linkage report`.
final class ReportModuleTests: RegisterTestCase {
    override var usesFixture: Bool { true }

    func testAReportFromQueriesFiguresAndAChart() throws {
        let path = directory.appendingPathComponent("r.html").path
        let out = try run("""
            local r = report.new{ title = '户数', subtitle = '按村' }
            r:section('村', { sheet = '村' })
            r:figure('households', households:count(), { format = 'integer', tone = 'good' })
            r:table(db.query('SELECT v.name AS village, count(h.id) AS households, avg(h.income) AS income FROM village v LEFT JOIN household h ON h.village_id = v.id GROUP BY v.id ORDER BY v.id'),
                    { formats = { income = 'decimal:0' }, totals = true })
            r:chart{ kind = 'bar', title = 'households by village', category = 'village', values = { 'households' },
                     rows = db.query('SELECT v.name AS village, count(h.id) AS households FROM village v LEFT JOIN household h ON h.village_id = v.id GROUP BY v.id ORDER BY v.id') }
            r:note('counted in SQL')
            r:write('\(path)')
            local t = r.sections[1].blocks[2]
            return r:markdown(), t.columns[1].name, t.columns[2].name, t.columns[3].name, t.totals[1], t.totals[2], households:count()
            """)
        let markdown = try XCTUnwrap(out[0].stringValue)
        XCTAssertTrue(markdown.hasPrefix("# 户数\n"), markdown)
        XCTAssertTrue(markdown.contains("- households: **"), markdown)
        XCTAssertTrue(markdown.contains("counted in SQL"), markdown)
        XCTAssertEqual(out[1...3].map { $0.stringValue }, ["village", "households", "income"], "the statement's column order")
        XCTAssertEqual(out[4], .string("合计"))
        XCTAssertEqual(out[5], out[6], "totals = true sums the numeric columns")
        let html = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(html.contains("<svg"), "the chart is drawn")
        XCTAssertTrue(html.contains("counted in SQL"))
    }

    func testABuiltInReportCanBeReadAndExtended() throws {
        let out = try run("""
            local r = report.builtin('coverage', { as_of = '2012-06-30' })
            r:section('Notes of the office'):text('checked by hand')
            local last = r.sections[#r.sections]
            return r.title, #r.sections, last.blocks[1].text, r:markdown():find('checked by hand', 1, true) ~= nil, #report.names
            """)
        XCTAssertEqual(out[0], .string("覆盖情况 Coverage"))
        XCTAssertEqual(out[1], .integer(4))
        XCTAssertEqual(out[2], .string("checked by hand"))
        XCTAssertEqual(out[3], .boolean(true))
        XCTAssertEqual(out[4], .integer(7))
    }

    func testMistakesAreErrorsAtTheScriptsLine() throws {
        assertError("local r = report.new{ title = 't' }\nr:figure('x', 1, { format = 'percentage' })", contains: "test:2: unknown format 'percentage'")
        assertError("report.new{}", contains: "test:1: report.new: give the report a title")
        assertError("report.builtin('coverag')", contains: "unknown report 'coverag'; the reports are overview, coverage")
        assertError("report.builtin('coverage', { area = '太金镇' })", contains: "太京镇")
        assertError("report.new{ title = 't' }:chart{ kind = 'pie' }", contains: "chart: kind is bar, stacked_bar or line")
        assertError("report.new{ title = 't' }:write('out.pdf')", contains: "cannot tell the format of out.pdf")
        assertError("report.new{ title = 't' }:table(42)", contains: "rows expected")
    }
}
