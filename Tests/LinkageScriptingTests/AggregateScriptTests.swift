import Foundation
import LinkageModel
import LuaBridge
import XCTest
@testable import LinkageScripting

/// group_by():aggregate{} and pivot{} from Lua, on the small register: 太京镇 has 8 rural
/// households (2 of each of four causes), 玉泉镇 4 (one each), 大城街道 3 urban (因残).
final class AggregateScriptTests: RegisterTestCase {
    override var usesFixture: Bool { true }

    func testAggregatePerTownshipAndCauseGivesRowsInTheOrderOfTheKeys() throws {
        let r = try run("""
            local r = households:group_by('township', 'main_cause'):aggregate{
              households = 'count', income = { 'avg', 'income' }, members = { 'sum', 'members' },
              villages = { 'count', 'village', distinct = true }, causes = { 'count_distinct', 'main_cause' } }
            local keys = {}
            for _, row in ipairs(r) do keys[#keys + 1] = row.township .. '/' .. row.main_cause end
            return #r, table.concat(keys, ' '), r[3].households, r[3].income, r[3].members, r[3].villages,
                   table.concat(getmetatable(r).__columns, ',')
            """)
        XCTAssertEqual(r[0], 9)
        XCTAssertEqual(r[1], "大城街道/因残 太京镇/因学 太京镇/因病 太京镇/缺技术 太京镇/缺资金 玉泉镇/因学 玉泉镇/因病 玉泉镇/缺技术 玉泉镇/缺资金")
        XCTAssertEqual(Array(r[2...6]), [2, 1450.0, 3, 2, "township,main_cause,causes,households,income,members,villages"])
    }

    func testWhereHavingOrderByAndLimitShapeTheGroups() throws {
        XCTAssertEqual(try run("""
            local q = households:where{ kind = 'rural' }:group_by('township')
            local all = q:aggregate{ n = 'count' }
            local big = q:having{ n = { gt = 4 } }:aggregate{ n = 'count' }
            local top = households:group_by('main_cause'):order_by('-n', 'main_cause'):limit(2):aggregate{ n = 'count', top = { 'max', 'income' } }
            return #all, #big, big[1].township, top[1].main_cause, top[1].n, top[2].main_cause, top[2].top
            """), [2, 1, "太京镇", "因学", 3, "因残", 4000.0])
        // No group_by: one row over the whole query.
        XCTAssertEqual(try run("local r = households:where{ kind = 'urban' }:aggregate{ n = 'count', income = { 'sum', 'income' } } return #r, r[1].n, r[1].income"),
                       [1, 3, 12000.0])
    }

    func testPivotTotalsAreTheSumsOfTheCells() throws {
        XCTAssertEqual(try run("""
            local t = households:pivot{ rows = 'township', columns = 'main_cause' }
            local columns = getmetatable(t).__columns
            assert(table.concat(columns, ',') == 'township,因学,因残,因病,缺技术,缺资金,合计', table.concat(columns, ','))
            assert(#t == 4 and t[4].township == '合计')
            for i = 2, #columns do
              local sum = 0
              for r = 1, #t - 1 do sum = sum + t[r][columns[i]] end
              assert(sum == t[#t][columns[i]], columns[i])
            end
            for r = 1, #t do
              local sum = 0
              for i = 2, #columns - 1 do sum = sum + t[r][columns[i]] end
              assert(sum == t[r]['合计'], t[r].township)
            end
            return t[4]['合计'], households:count(), t[2].township, t[2]['因病'], t[1]['因病']
            """), [15, 15, "太京镇", 2, 0])
        // Another value, and a total of averages over every row rather than an average of the cells.
        XCTAssertEqual(try run("""
            local t = households:where{ kind = 'rural' }:pivot{ rows = 'village.name', columns = 'kind', value = { 'avg', 'income' }, total = 'all' }
            return #t, t[#t]['village.name'], t[#t].all, t[#t].rural
            """), [4, "all", .number(1975.0), .number(1975.0)])
        let sums = try run("""
            local t = households:pivot{ rows = 'township', columns = 'main_cause', value = { 'sum', 'income' } }
            return t[#t]['合计'], households:sum('income'), t[2]['因病']
            """)
        XCTAssertEqual(sums, [.number(35700.0), .number(35700.0), .number(1150 + 1750)])
    }

    func testResultsPrintAsTablesExportAndTellTheirSQL() throws {
        let r = try run("""
            local t = households:pivot{ rows = 'township', columns = 'kind' }
            local shown = linkage._render({ n = 1, t }, { width = 200 })
            local md = export.markdown(t)
            local a = households:group_by('kind'):aggregate{ n = 'count' }
            local text, values = a:sql()
            local grouped = households:where{ kind = 'rural' }:group_by('kind'):sql{ n = 'count' }
            return shown, md, text, grouped, (t:sql())
            """)
        guard case .string(let shown) = r[0], case .string(let md) = r[1], case .string(let sql) = r[2],
              case .string(let grouped) = r[3], case .string(let pivotSQL) = r[4] else { return XCTFail("\(r)") }
        XCTAssertTrue(shown.split(separator: "\n")[0].hasPrefix("township"), shown)
        XCTAssertTrue(shown.contains("合计") && shown.contains("太京镇"), shown)
        XCTAssertTrue(md.hasPrefix("| township | rural | urban | 合计 |"), md)
        XCTAssertEqual(sql, "SELECT household.kind AS \"kind\", count(*) AS \"n\" FROM household GROUP BY 1 ORDER BY 1")
        XCTAssertEqual(grouped, "SELECT household.kind AS \"kind\", count(*) AS \"n\" FROM household WHERE household.kind = ? GROUP BY 1 ORDER BY 1  -- 'rural'")
        XCTAssertTrue(pivotSQL.hasPrefix("WITH g AS MATERIALIZED (SELECT j2_area.name AS _row, household.kind AS _col, count(*) AS _n FROM household"), pivotSQL)
    }

    func testAnUnknownFieldIsAnErrorAtTheScriptLineNamingTheNearest() throws {
        let mistakes: [(code: String, message: String)] = [
            ("local q = households\nreturn q:group_by('townshp')", "test:2: unknown field 'townshp' of households; did you mean township?"),
            ("local q = households:group_by('township')\n\nreturn q:aggregate{ n = { 'avg', 'incme' } }", "test:3: unknown field 'incme' of households; did you mean income?"),
            ("return households:pivot{ rows = 'township',\n columns = 'main_caus' }", "test:1: unknown field 'main_caus' of households; did you mean main_cause?"),
            ("return households:group_by('kind'):aggregate{ n = { 'median', 'income' } }", "n: unknown function 'median'; functions: count, count_distinct, sum, avg, min, max"),
            ("return households:group_by('kind'):aggregate{ n = { 'sum', 'head_name' } }", "n: sum of head_name, which is text"),
            ("return households:group_by('kind'):list()", "households:group_by('kind') gives its rows through aggregate{"),
            ("return households:having{ n = 1 }", "having{} filters groups: write it after group_by"),
            ("return households:pivot{ rows = 'township' }", "pivot{} needs rows = field and columns = field"),
            ("return households:group_by('kind'):order_by('income'):aggregate{ n = 'count' }", "order_by: 'income' is neither a group key nor an aggregate"),
        ]
        for m in mistakes { assertError(m.code, contains: m.message) }
    }

    func testGroupCountStillCountsLargestFirst() throws {
        XCTAssertEqual(try run("""
            local g = households:group_count('main_cause')
            return #g, g[1].main_cause, g[1].count, g[5].count
            """), [5, "因学", 3, 3])
    }
}
