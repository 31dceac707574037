import Foundation
import LinkageModel
import LuaBridge
import XCTest
@testable import LinkageScripting

/// The query API against a small register built by Fixtures/small-register.lua.
final class QueryAPITests: RegisterTestCase {
    override var usesFixture: Bool { true }

    // MARK: collections

    func testWhereWithEqualityOperatorsListsAndFragments() throws {
        XCTAssertEqual(try run("return households:count(), households:where{ kind = 'urban' }:count()"), [15, 3])
        XCTAssertEqual(try run("return households:where{ income = { gt = 2000, le = 2500 } }:count()"), [4])
        XCTAssertEqual(try run("return households:where{ main_cause = { ['in'] = { '因病', '因学' } } }:count()"), [6])
        XCTAssertEqual(try run("return households:where{ main_cause = { not_in = { '因病', '因学' } } }:count()"), [9])
        XCTAssertEqual(try run("return households:where{ head_name = { like = '居民%' } }:count()"), [3])
        XCTAssertEqual(try run("return households:where('income < ? AND members > ?', 1800, 2):count()"), [3])
        XCTAssertEqual(try run("return households:where{ exit_year = { lt = 2000 } }:count()"), [0])
    }

    /// ne and not_in keep rows whose field is NULL (SQL's IS NOT), as an analyst reads "not equal";
    /// { null = true/false } asks for IS NULL / IS NOT NULL, since Lua drops `f = nil`.
    func testNotEqualKeepsNullsAndNullHasATableForm() throws {
        try run("households:get(1):update{ phone = '13812345678' }")
        XCTAssertEqual(try run("""
            local all = households:count()
            return households:where{ phone = { ne = '13812345678' } }:count() == all - 1,
                   households:where{ phone = { not_in = { '13812345678' } } }:count() == all - 1,
                   households:where{ phone = { null = true } }:count() == all - 1,
                   households:where{ phone = { null = false } }:count(),
                   households:where{ phone = { ne = '13812345678' } }:sql():find('IS NOT') ~= nil
            """), [.boolean(true), .boolean(true), .boolean(true), .integer(1), .boolean(true)])
        XCTAssertThrowsError(try run("return households:where{ phone = { null = 'yes' } }:count()")) { error in
            XCTAssertTrue("\(error)".contains("null: give true (IS NULL) or false (IS NOT NULL)"), "\(error)")
        }
    }

    /// A place that does not exist is a mistake to be told about, with the nearest names — in a
    /// query and in a bulk update — not a query that quietly finds nothing.
    func testAnUnknownPlaceNameIsAnErrorNamingTheNearest() throws {
        for code in ["return households:where{ township = '太金镇' }:count()",
                     "return households:where{ township = '太金镇' }:update{ members = 1 }"] {
            XCTAssertThrowsError(try run(code), code) { error in
                XCTAssertTrue("\(error)".contains("township = '太金镇': there is no area of that name in the register; did you mean '太京镇'?"), "\(error)")
            }
        }
        XCTAssertThrowsError(try run("return households:where{ village = '没有村' }:count()")) { error in
            XCTAssertTrue("\(error)".contains("there is no village of that name"), "\(error)")
        }
        XCTAssertEqual(try run("return households:where{ township = '太京镇' }:count() > 0"), [.boolean(true)])
    }

    /// A misspelt name in a list, or after `ne`, would as quietly match nothing (or everything).
    func testAnUnknownPlaceNameInAListOrAfterNeIsAnErrorToo() throws {
        for code in ["return households:where{ township = { '太金镇', '太京镇' } }:count()",
                     "return households:where{ township = { not_in = { '太京镇', '太金镇' } } }:count()",
                     "return households:where{ township = { ne = '太金镇' } }:count()",
                     "return households:where{ township = { ne = '太金镇' } }:update{ members = 1 }"] {
            XCTAssertThrowsError(try run(code), code) { error in
                XCTAssertTrue("\(error)".contains("'太金镇': there is no area of that name in the register; did you mean '太京镇'?"), "\(code): \(error)")
            }
        }
        XCTAssertEqual(try run("return households:where{ township = { '太京镇', '大城街道' } }:count()"), [11])
        XCTAssertEqual(try run("return households:where{ township = { ne = '太京镇' } }:count() == households:count() - 8"), [.boolean(true)])
    }

    func testFiltersGoThroughRelations() throws {
        XCTAssertEqual(try run("return households:where{ township = '太京镇' }:count()"), [8])
        XCTAssertEqual(try run("return households:where{ ['village.name'] = '烟铺村' }:count()"), [4])
        XCTAssertEqual(try run("return households:where{ village = villages:find{ name = '窝驼村' } }:count()"), [4])
        XCTAssertEqual(try run("return households:where{ village = '620502101202' }:count()"), [4], "a relation compared with a code")
        XCTAssertEqual(try run("return households:where{ area = areas:find{ name = '大城街道' } }:count()"), [3])
        XCTAssertEqual(try run("return cadres:where{ unit_kind = 'department' }:count()"), [3])
    }

    func testQueriesAreValuesChainingDoesNotChangeTheOriginal() throws {
        XCTAssertEqual(try run("""
            local rural = households:where{ kind = 'rural' }
            local poorest = rural:order_by('income'):limit(2)
            return rural:count(), poorest:count(), #poorest:list(), households:count()
            """), [12, 2, 2, 15])
    }

    func testSQLShowsTheStatementAndItsBoundValues() throws {
        let r = try run("return households:where{ township = '太京镇', kind = 'rural' }:sql()")
        guard case .string(let sql) = r[0] else { return XCTFail("\(r)") }
        XCTAssertTrue(sql.hasPrefix("SELECT household.* FROM household JOIN village AS j1_village ON j1_village.id = household.village_id"), sql)
        XCTAssertTrue(sql.contains("-- 'rural', '太京镇'"), sql)
        XCTAssertEqual(r[1], ["rural", "太京镇"])
    }

    func testAggregatesPluckAndGroupCount() throws {
        XCTAssertEqual(try run("return households:where{ kind = 'urban' }:sum('income'), households:min('income'), households:max('members')"), [12000.0, 1150.0, 5])
        XCTAssertEqual(try run("return households:where{ kind = 'urban' }:avg('members')"), [2.0])
        XCTAssertEqual(try run("return households:order_by('-income', 'id'):limit(2):pluck('head_name')"), [["居民13", "居民14"]])
        let groups = try run("return households:group_count('township')")[0]
        XCTAssertEqual(groups[1]["township"], "太京镇")
        XCTAssertEqual(groups[1]["count"], 8)
        XCTAssertEqual(groups[3]["count"], 3)
        XCTAssertEqual(try run("return households:where{ kind = 'urban' }:exists(), households:where{ members = 99 }:exists()"), [true, false])
    }

    func testForLoopStreamsRecordsAndBreakingThenLoopingAgainStartsOver() throws {
        XCTAssertEqual(try run("""
            local n, first = 0
            for h in households:order_by('id') do n = n + 1 if n == 2 then break end end
            local q = households:where{ kind = 'urban' }
            for h in q do first = first or h.id end
            local again = 0
            for h in q do again = again + 1 end
            local each = 0
            for h in households:each() do each = each + 1 end
            return n, first, again, each
            """), [2, 13, 3, 15])
    }

    func testDomainFiltersWithAsOfDates() throws {
        try run("""
            local c = cadres:get(1)
            c:link(households:get(1), { since = '2012-03-01' })
            c:link(villages:get(1), { since = '2012-03-01' })
            units:get(2):link(communities:first(), '2012-04-01')
            """)
        XCTAssertEqual(try run("return households:linked('2012-03-01'):count(), households:unlinked('2012-02-28'):count()"), [1, 15])
        XCTAssertEqual(try run("return households:where{ linked = false }:count(), households:where{ linked = true }:count()"), [14, 1])
        XCTAssertEqual(try run("return villages:uncovered():count(), communities:uncovered('2012-03-15'):count(), communities:uncovered():count()"), [2, 1, 0])
        XCTAssertEqual(try run("return cadres:eligible():count(), links:active():count(), links:active('2012-01-01'):count()"), [4, 3, 0])
        XCTAssertEqual(try run("return households:uncovered():count(), households:where{ covered = false }:count()"), [14, 14])
        assertError("cadres:uncovered()", contains: "uncovered() is a filter of")
    }

    // MARK: records

    func testRecordsHaveFieldsRelationsAndMethods() throws {
        XCTAssertEqual(try run("local h = households:get(1) return h.head_name, h.village.name, h.village.area.name, h.village.area.code, tostring(h)"),
                       ["户主1", "窝驼村", "太京镇", "620502101", "household 1 户主1"])
        XCTAssertEqual(try run("local c = cadres:find{ name = '张伟' } return c.unit.name, c.role"), ["区财政局", "department_principal"])
        XCTAssertEqual(try run("return households:get(999)"), [.nil])
        assertError("return households:get(1).nope", contains: "unknown field 'nope' of household; valid: activities(), address")
    }

    func testReadingARelationInALoopReadsEachRelatedRecordOnce() throws {
        let reads = try ScriptEngine.with(register) { engine -> Int in
            try engine.lua.run("local s = '' for h in households do s = s .. h.village.name .. h.village.area.name end")
            return engine.queries.recordReads
        }
        XCTAssertEqual(reads, 4 + 3, "4 villages and 3 areas, not 15 households × 2")
    }

    func testAddValidatesFieldsAndNamesTheProblem() throws {
        let add = "households:add{ village = villages:get(1), kind = 'rural', head_name = '新户', resident_id = %@, main_cause = '因病', members = 3 }"
        XCTAssertEqual(try run("return " + add.replacingOccurrences(of: "%@", with: "'34052419800101001x'") + ".resident_id"), ["34052419800101001X"])
        assertError(add.replacingOccurrences(of: "%@", with: "'340524198001010011'"), contains: "resident_id '340524198001010011': the check character is 1 but the first 17 digits give X")
        assertError("households:add{ village = 1, kind = 'farm' }", contains: "kind must be one of rural, urban; got 'farm'")
        assertError("households:add{ village = 1, kind = 'rural' }", contains: "household needs head_name, resident_id, main_cause, members")
        assertError("households:add{ village = 1, members = 'three' }", contains: "members is a whole number, not 'three'")
        assertError("households:add{ colour = 'red' }", contains: "unknown field 'colour' of household; valid fields: id, village_id")
        assertError("households:add{ village = 999 }", contains: "village: there is no village with id 999")
        assertError("households:where{ nope = 1 }", contains: "test:1: unknown field 'nope' of households; valid fields:")
        assertError("households:where{ income = 'lots' }", contains: "income is a number, not 'lots'")
        XCTAssertEqual(try run("return communities:add{ area = 3, code = '620502001002', name = '新社区' }.kind"), ["community"], "the collection's scope is filled in")
    }

    func testRecordUpdateChecksAndRefreshes() throws {
        XCTAssertEqual(try run("local h = households:get(1) h:update{ income = 3000.5, food_secure = true } return h.income, h.food_secure"), [3000.5, 1])
        assertError("households:get(1):update{ attribute = '富裕户' }", contains: "attribute must be one of 一般贫困户, 低保户, 五保户, 低保贫困户")
    }

    func testInjectionIsStoredAsTextAndNothingIsDropped() throws {
        let evil = "'; DROP TABLE household; --"
        XCTAssertEqual(try run("local h = households:get(1) h:update{ address = [[\(evil)]] } return households:get(1).address, households:where{ address = [[\(evil)]] }:count()"),
                       [.string(evil), 1])
        XCTAssertEqual(try run("return households:count()"), [15])
    }

    // MARK: links, history, handover

    func testLinkingATeacherIsRefused() {
        assertError("cadres:find{ name = '刘老师' }:link(households:get(1))", contains: "test:1: 刘老师 (cadre 4) is a teacher")
    }

    func testEndingALinkTwiceIsRefused() throws {
        try run("cadres:get(2):link(households:get(3), '2012-03-01'):close{ date = '2012-06-01', reason = '调离' }")
        XCTAssertEqual(try run("local l = links:first() return l.end_date, l.end_reason"), ["2012-06-01", "调离"])
        assertError("links:first():close{ date = '2012-07-01', reason = '退休' }", contains: "already ended on 2012-06-01 (调离); a link ends once")
        assertError("links:first():update{ household_id = 5 }", contains: "test:1: a link never changes who links or what is linked")
        assertError("links:delete()", contains: "links are never deleted")
    }

    func testHandoverMovesEveryActiveLinkAndKeepsHistory() throws {
        try run("""
            local a, b = cadres:get(1), cadres:get(2)
            a:link(households:get(1), '2012-03-01')
            a:link(households:get(2), '2012-03-01')
            a:link(villages:get(1), '2012-03-01')
            """)
        // 王芳 (township_other) links 1 rural household by her quota: taking 李明's three is allowed on purpose.
        XCTAssertEqual(try run("return (cadres:get(1):handover(cadres:get(2), { date = '2012-09-01', reason = '调离', allow_over_quota = true }))"), [3])
        XCTAssertEqual(try run("""
            local a, b, h = cadres:get(1), cadres:get(2), households:get(1)
            return #a:households(), #b:households(), #a:households{ as_of = '2012-08-31' },
                   h:cadres('2012-08-31'):first().name, h:cadres('2012-09-01'):first().name,
                   links:where{ cadre = a, end_reason = '调离' }:count(), links:where{ successor = b }:count(),
                   #a:links{ as_of = '2012-05-01' }
            """), [0, 2, 2, "李明", "王芳", 3, 3, 3])
        assertError("cadres:get(2):handover(cadres:get(2), { date = '2012-10-01' })", contains: "cannot hand over to themselves")
        assertError("cadres:get(1):handover(cadres:get(3), { date = '2012-10-01', reason = '调离' })", contains: "holds no active links")
    }

    // MARK: bulk edits

    func testBulkUpdateIsOneStatementAndReturnsTheCount() throws {
        XCTAssertEqual(try run("return households:where{ township = '太京镇' }:update{ housing_secured = true }"), [8])
        XCTAssertEqual(try run("return households:where{ housing_secured = true }:count()"), [8])
        assertError("households:update{ kind = 'farm' }", contains: "kind must be one of rural, urban")
        XCTAssertEqual(try run("return households:where{ housing_secured = true }:count()"), [8], "a failed bulk edit changes nothing")
    }

    func testDeletingLinkedHouseholdsIsRefusedAndUnlinkedOnesGo() throws {
        try run("cadres:get(1):link(households:get(1), '2012-03-01')")
        assertError("households:where{ village = 1 }:delete()", contains: "cannot delete: 1 of these households have links")
        XCTAssertEqual(try run("return households:where{ village = 1 }:count()"), [4])
        XCTAssertEqual(try run("return households:where{ village = 2 }:delete(), households:count()"), [4, 11])
    }

    func testAScriptThatFailsHalfWayChangesNothing() throws {
        assertError("households:update{ income = 1 } cadres:get(1):link(households:get(1)) error('half way')", contains: "half way")
        XCTAssertEqual(try run("return households:where{ income = 1 }:count(), links:count()"), [0, 0])
    }
}
