import Foundation
import LinkageModel
import LuaBridge
import XCTest
@testable import LinkageScripting

/// Quotas held by link() and handover(), spare_quota against hand-written SQL, handovers with a
/// default successor, departure and cycles, and the history of a household. The small register:
/// 李明 (1) township_principal 1 village + 2 rural; 王芳 (2) township_other 1 rural, both of
/// 太京镇人民政府; 张伟 (3) department_principal 1 rural + 1 urban and 陈静 (5) department_other
/// 1 rural, both of 区财政局 (a department: 1 poor village); 刘老师 (4) a teacher.
final class QuotaLinkingTests: RegisterTestCase {
    override var usesFixture: Bool { true }

    private func links() throws -> [LuaValue] {
        try run("return links:count(), links:where{ end_date = { null = false } }:count(), db.value('SELECT count(*) FROM cadre WHERE left_on IS NOT NULL')")
    }

    func testSpareQuotaAgreesWithHandWrittenSQL() throws {
        try run("""
            cadres:get(1):link(households:get(1), '2012-03-01')
            cadres:get(1):link(villages:get(1), '2012-03-01')
            cadres:get(3):link(households:get(13), '2012-03-01')
            cadres:get(2):link(households:get(2), '2012-03-01'):close{ date = '2012-05-01', reason = '调离' }
            units:get(2):link(villages:get(2), '2012-03-01')
            """)
        for day in ["2012-02-01", "2012-04-01", "2012-06-30"] {
            for cadre in 1...5 {
                let got = try run("local q = cadres:get(\(cadre)):spare_quota('\(day)') return q.villages, q.rural_households, q.communities, q.urban_households")
                let want = try run("""
                    return db.query([[
                      SELECT max(0, q.villages - count(CASE WHEN v.kind = 'village' THEN 1 END)) AS v,
                             max(0, q.rural_households - count(CASE WHEN h.kind = 'rural' THEN 1 END)) AS r,
                             max(0, q.communities - count(CASE WHEN v.kind = 'community' THEN 1 END)) AS c,
                             max(0, q.urban_households - count(CASE WHEN h.kind = 'urban' THEN 1 END)) AS u
                      FROM cadre c JOIN quota_rule q ON q.role = c.role AND q.valid_from <= :d AND (q.valid_until IS NULL OR q.valid_until > :d)
                      LEFT JOIN link l ON l.cadre_id = c.id AND l.start_date <= :d AND (l.end_date IS NULL OR l.end_date > :d)
                      LEFT JOIN household h ON h.id = l.household_id LEFT JOIN village v ON v.id = l.village_id
                      WHERE c.id = :id AND c.excluded IS NULL GROUP BY c.id]], { d = '\(day)', id = \(cadre) })[1]
                    """)
                let row = want.first ?? .nil
                let expected: [LuaValue] = row == .nil ? [0, 0, 0, 0] : ["v", "r", "c", "u"].map { row[$0] }
                XCTAssertEqual(got, expected, "cadre \(cadre) on \(day)")
            }
        }
        XCTAssertEqual(try run("return units:get(2):spare_quota('2012-04-01').villages, units:get(3):spare_quota('2012-04-01').villages, units:get(1):spare_quota().villages"),
                       [0, 1, .number(.infinity)], "a department links one poor village; a township unit has no number")
        XCTAssertEqual(try run("local q = cadres:get(4):spare_quota() return q.rural_households"), [0], "a teacher has no places")
    }

    /// links:add{} is held to what link() is: quotas, household_cadres_max, who may link, one open
    /// link per pair; a link added with its end date is a record of the past, taken as it is.
    func testLinksAddIsHeldToTheQuotasAsLinkIs() throws {
        try run("links:add{ cadre = cadres:get(2), household = households:get(1), start_date = '2012-03-01' }")
        assertError("links:add{ cadre = cadres:get(2), household = households:get(2), start_date = '2012-03-01' }",
                    contains: "王芳 (cadre 2, township_other) would link 2 rural households on 2012-03-01, over the quota of 1")
        assertError("links:add{ cadre = cadres:get(2), household = households:get(2), start_date = '2012-03-01' }",
                    contains: "links:add takes no options: to link over a quota on purpose, use cadre:link or unit:link")
        assertError("links:add{ cadre = cadres:get(4), household = households:get(3), start_date = '2012-03-01' }", contains: "teacher")
        assertError("links:add{ cadre = cadres:get(2), household = households:get(1), start_date = '2012-04-01' }", contains: "already linked")
        XCTAssertEqual(try run("return links:count()"), [1], "nothing refused was written")
        try run("links:add{ cadre = cadres:get(2), household = households:get(2), start_date = '2011-03-01', end_date = '2011-12-31', end_reason = '调离' }")
        XCTAssertEqual(try run("return links:count()"), [2], "a past link is recorded as it is")
        try run("cadres:get(2):link(households:get(3), { since = '2012-03-01', allow_over_quota = true })")
        XCTAssertEqual(try run("return links:count()"), [3], "link() with the option still makes it")
    }

    func testAnOverQuotaLinkIsRefusedNamingTheRuleAndMadeWithTheOption() throws {
        try run("cadres:get(2):link(households:get(1), '2012-03-01')")
        assertError("cadres:get(2):link(households:get(2), '2012-03-01')",
                    contains: "王芳 (cadre 2, township_other) would link 2 rural households on 2012-03-01, over the quota of 1 (quota_rule 5 for township_other, in force from 2012-01-01")
        assertError("cadres:get(2):link(villages:get(1), '2012-03-01')", contains: "would link 1 village on 2012-03-01, over the quota of 0")
        assertError("units:get(2):link(villages:get(1), '2012-03-01') units:get(2):link(villages:get(2), '2012-03-01')",
                    contains: "区财政局 (unit 2, department) would link 2 poor villages on 2012-03-01, over the quota of 1 (unit_quota_rule")
        XCTAssertEqual(try run("return links:count()"), [1], "refused links are not made, nor the ones before them in the failed chunk")
        // Refused under pcall: the register is as it was, and the script goes on.
        XCTAssertEqual(try run("local ok = pcall(cadres:get(2).link, cadres:get(2), households:get(2), '2012-03-01') return ok, links:count()"), [false, 1])
        XCTAssertEqual(try run("return cadres:get(2):link(households:get(2), { since = '2012-03-01', allow_over_quota = true }).household_id, links:count()"), [2, 2])
    }

    func testAHouseholdTakesNoMoreCadresThanTheRuleSays() throws {
        try run("cadres:get(1):link(households:get(1), '2012-03-01') cadres:get(2):link(households:get(1), '2012-03-01')")
        assertError("cadres:get(5):link(households:get(1), '2012-03-01')",
                    contains: "户主1 (household 1) would have 3 cadres on 2012-03-01, over household_cadres_max = 2 (rule_setting")
        XCTAssertEqual(try run("return households:get(1):cadres('2012-03-01'):count()"), [2])
        XCTAssertEqual(try run("cadres:get(5):link(households:get(1), { since = '2012-03-01', allow_over_quota = true }) return households:get(1):cadres('2012-03-01'):count()"), [3])
        // The most is data: from 2013 it is 3, so a third cadre is fine then and a fourth is refused.
        try run("db.exec([[UPDATE rule_setting SET valid_until = '2013-01-01' WHERE name = 'household_cadres_max']]) db.exec([[INSERT INTO rule_setting (name, value, valid_from) VALUES ('household_cadres_max', 3, '2013-01-01')]])")
        assertError("cadres:get(3):link(households:get(1), '2013-03-01')", contains: "would have 4 cadres on 2013-03-01, over household_cadres_max = 3")
    }

    func testExcludedAndDepartedCadresStayRefused() throws {
        assertError("cadres:get(4):link(households:get(1), { since = '2012-03-01', allow_over_quota = true })", contains: "刘老师 (cadre 4) is a teacher")
        try run("cadres:get(5):update{ left_on = '2012-06-01' }")
        assertError("cadres:get(5):link(households:get(1), { since = '2012-07-01', allow_over_quota = true })", contains: "陈静 (cadre 5) left on 2012-06-01 and cannot take new links")
        XCTAssertEqual(try run("return cadres:get(5):link(households:get(1), '2012-05-01').start_date"), ["2012-05-01"], "before leaving, 陈静 could")
    }

    func testHandoverWithLeftAndTheDefaultSuccessor() throws {
        try run("cadres:get(3):link(households:get(1), '2012-03-01')")
        // 张伟's colleague in 区财政局 is 陈静, who has room for one rural household.
        XCTAssertEqual(try run("local moved, to = cadres:get(3):handover(nil, { date = '2012-09-01', reason = '调离', left = true }) return moved, to.name"),
                       [1, "陈静"])
        XCTAssertEqual(try run("local c = cadres:get(3) return c.left_on, cadres:eligible('2012-10-01'):where{ id = 3 }:count(), cadres:eligible('2012-08-31'):where{ id = 3 }:count()"),
                       ["2012-09-01", 0, 1])
        XCTAssertEqual(try run("return households:get(1):cadres('2012-09-01'):first().name, links:where{ successor = 5 }:count()"), ["陈静", 1])
        // left_on = a later day: still serving until then.
        try run("cadres:get(1):link(households:get(2), '2012-03-01')")
        XCTAssertEqual(try run("return (cadres:get(1):handover(cadres:get(2), { date = '2012-10-01', left_on = '2012-12-31' })), cadres:get(1).left_on"), [1, "2012-12-31"])
        assertError("cadres:get(5):handover(cadres:get(2), { date = '2012-11-01', left_on = '2012-10-01', allow_over_quota = true })",
                    contains: "left_on 2012-10-01 is before the handover on 2012-11-01")
    }

    func testHandoverChecksTheSuccessorsQuota() throws {
        try run("cadres:get(1):link(households:get(1), '2012-03-01') cadres:get(1):link(households:get(2), '2012-03-01')")
        let before = try links()
        assertError("cadres:get(1):handover(cadres:get(2), { date = '2012-09-01', reason = '调离' })",
                    contains: "李明 (cadre 1) cannot hand 2 links to cadre 2 on 2012-09-01: 王芳 (cadre 2, township_other) would link 2 rural households on 2012-09-01, over the quota of 1")
        XCTAssertEqual(try links(), before, "a refused handover ends nothing and starts nothing")
        // The default successor is checked the same way, and says it was chosen.
        assertError("cadres:get(1):handover(nil, { date = '2012-09-01', left = true })", contains: "the least-loaded eligible colleague in the same unit")
        XCTAssertEqual(try links(), before)
        XCTAssertEqual(try run("return (cadres:get(1):handover(cadres:get(2), { date = '2012-09-01', allow_over_quota = true }))"), [2])
    }

    func testHandoverToAnExcludedOrDepartedCadreIsRefused() throws {
        try run("cadres:get(3):link(households:get(1), '2012-03-01')")
        assertError("cadres:get(3):handover(cadres:get(4), { date = '2012-09-01' })", contains: "刘老师 (cadre 4) is a teacher")
        try run("cadres:get(5):update{ left_on = '2012-08-01' }")
        assertError("cadres:get(3):handover(cadres:get(5), { date = '2012-09-01' })", contains: "陈静 (cadre 5) left on 2012-08-01")
        assertError("cadres:get(3):handover(nil, { date = '2012-09-01' })", contains: "no eligible colleague of 张伟 in 区财政局 (unit 2) can take over on 2012-09-01")
        XCTAssertEqual(try run("return links:where{ end_date = { null = false } }:count()"), [0])
    }

    func testACycleOfSuccessorsIsRefused() throws {
        // 张伟 → 陈静 → 王芳 (each hands over and stays in service), then 王芳 → 张伟 closes the circle.
        try run("""
            cadres:get(3):link(households:get(1), '2012-03-01')
            cadres:get(3):handover(cadres:get(5), { date = '2012-04-01' })
            cadres:get(5):handover(cadres:get(2), { date = '2012-05-01' })
            """)
        assertError("cadres:get(2):handover(cadres:get(3), { date = '2012-06-01', allow_over_quota = true })",
                    contains: "张伟 (cadre 3) handed links to 陈静 (cadre 5), who handed them to 王芳 (cadre 2); handing 王芳's links to cadre 3 would make a cycle of successors (接替)")
        assertError("cadres:get(2):handover(cadres:get(5), { date = '2012-06-01' })",
                    contains: "陈静 (cadre 5) handed links to 王芳 (cadre 2); handing 王芳's links to cadre 5 would make a cycle")
        // Anyone outside the chain may take over.
        XCTAssertEqual(try run("return (cadres:get(2):handover(cadres:get(1), { date = '2012-06-01' }))"), [1])
    }

    func testHistorySaysWhoHeldAHouseholdFromWhenToWhenAndWhy() throws {
        try run("""
            cadres:get(3):link(households:get(1), '2012-03-01')
            cadres:get(3):handover(cadres:get(5), { date = '2012-07-01', reason = '疾病', left = true })
            units:get(2):link(villages:get(1), '2012-03-15')
            """)
        XCTAssertEqual(try run("""
            local h = households:get(1):history()
            return #h, h[1].linker, h[1].unit, h[1]['from'], h[1].to, h[1].reason, h[1].successor, h[2].linker, h[2]['from'], h[2].to, h[2].note
            """), [2, "张伟", "区财政局", "2012-03-01", "2012-07-01", "疾病", "陈静", "陈静", "2012-07-01", .nil, "接替 张伟"])
        XCTAssertEqual(try run("local v = villages:get(1):history() return #v, v[1].linker, v[1].linker_table"), [1, "区财政局", "unit"])
        // who held it on a day: record:cadres(date), which the history agrees with
        XCTAssertEqual(try run("return households:get(1):cadres('2012-06-30'):first().name, households:get(1):cadres('2012-07-01'):first().name"), ["张伟", "陈静"])
    }

    func testProposalsApplyAllOrNothing() throws {
        XCTAssertEqual(try run("""
            local p = assign.households{ as_of = '2012-03-01' }
            p[#p + 1] = { linker = cadres:get(4), target = households:get(12) }
            local ok, err = pcall(p.apply, p)
            return ok, err:find('entry ' .. #p .. ': 刘老师 (cadre 4) is a teacher', 1, true) ~= nil, links:count()
            """), [false, true, 0])
        assertError("local p = assign.households{ as_of = '2012-03-01' } p[1].linker = 'nobody' p:apply()",
                    contains: "entry 1: linker must be a record of cadre or unit; got string")
        assertError("local p = assign.households{ as_of = '2012-03-01' } p[2] = p[1] p:apply()", contains: "entries 1 and 2 are the same link")
        assertError("assign.households{ as_of = '2012-03-01', households = cadres }", contains: "households: give a query of households, not of cadres")
        assertError("assign.all{ when = '2012-03-01' }", contains: "assign.all: unknown option 'when'; the options are as_of, cadres, fill, households, open_units, units, villages")
        XCTAssertEqual(try run("return links:count()"), [0])
    }

    func testAProposalPrintsAsATableOfItsEntries() throws {
        let text = try ScriptEngine.with(register) { engine -> String in
            let values = try engine.evaluate("assign.households{ as_of = '2012-03-01' }")
            return try engine.show(values, RenderOptions(width: 200))
        }
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("linker") && lines[0].contains("target") && lines[0].contains("reason"), text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("cadre 1 李明") && $0.contains("household") && $0.contains("same township, least loaded (1 of 2)") }, text)
    }
}
