import GRDB
import XCTest
@testable import LinkageModel

/// Every kind of constraint of the schema refuses what it should, and lets the right thing through.
final class SchemaConstraintTests: XCTestCase {
    private let check = ResultCode.SQLITE_CONSTRAINT_CHECK
    private let trigger = ResultCode.SQLITE_CONSTRAINT_TRIGGER

    private func seeded() throws -> SchemaFixture {
        let f = try SchemaFixture()
        try f.seed()
        return f
    }

    func testEnumerationsRefuseUnknownValues() throws {
        let f = try seeded()
        f.assertRefused("INSERT INTO area (code, name, kind) VALUES ('620502102', '藉口镇', 'town')", code: check,
                        message: "kind IN ('township', 'subdistrict')")
        f.assertRefused("INSERT INTO village (area_id, code, name, kind) VALUES (1, '620502101202', '某村', 'hamlet')", code: check)
        f.assertRefused("UPDATE household SET attribute = '贫困户' WHERE id = 1", code: check)
        f.assertRefused("UPDATE household SET main_cause = '因懒' WHERE id = 1", code: check)
        f.assertRefused("UPDATE household SET other_cause_1 = '缺钱' WHERE id = 1", code: check)
        f.assertRefused("UPDATE household SET kind = 'suburban' WHERE id = 1", code: check)
        f.assertRefused("INSERT INTO unit (name, kind) VALUES ('某公司', 'company')", code: check)
        f.assertRefused("UPDATE cadre SET role = 'township_head' WHERE id = 3", code: check)
        // cadre.excluded names a row of excluded_category (a trigger since step 7, not a CHECK).
        f.assertRefused("UPDATE cadre SET excluded = 'driver' WHERE id = 2", code: trigger, message: "unknown excluded category")
        f.assertRefused("UPDATE cadre SET sex = 'M' WHERE id = 1", code: check)
        f.assertRefused("""
            INSERT INTO link (cadre_id, household_id, start_date, end_date, end_reason)
            VALUES (1, 1, '2012-03-01', '2012-09-01', '调走')
            """, code: check)
        f.assertRefused("INSERT INTO visit (cadre_id, household_id, date, kind) VALUES (1, 1, '2012-04-01', 'call')", code: check)
        f.assertRefused("INSERT INTO activity (action, cadre_id, household_id, date, title) VALUES ('charity', 1, 1, '2012-04-01', '送温暖')", code: check)
        f.assertRefused("INSERT INTO problem (reported_by_cadre_id, household_id, reported_on, description, status) VALUES (1, 1, '2012-04-01', '饮水困难', 'pending')", code: check)
        // The enumerations as analysts write them are accepted.
        try f.execute("UPDATE household SET attribute = '低保贫困户', main_cause = '自身发展动力不足', other_cause_1 = '交通条件落后' WHERE id = 1")
    }

    func testBooleansAreZeroOrOne() throws {
        let f = try seeded()
        f.assertRefused("UPDATE village SET poor = 2 WHERE id = 1", code: check)
        for column in ["food_secure", "clothing_secure", "education_secured", "medical_secured", "housing_secured"] {
            f.assertRefused("UPDATE household SET \(column) = 2 WHERE id = 1", code: check)
            f.assertRefused("UPDATE household SET \(column) = -1 WHERE id = 1", code: check)
        }
        try f.execute("UPDATE household SET food_secure = 1, clothing_secure = 1 WHERE id = 1")
        XCTAssertEqual(try f.int("SELECT poor FROM village WHERE id = 1"), 1, "a village is poor by default")
    }

    func testStrictColumnsRefuseValuesOfAnotherType() throws {
        let f = try seeded()
        f.assertRefused("UPDATE household SET members = '四口' WHERE id = 1", code: .SQLITE_CONSTRAINT_DATATYPE)
        f.assertRefused("UPDATE household SET members = 0 WHERE id = 1", code: check)
        f.assertRefused("UPDATE household SET income = -1 WHERE id = 1", code: check)
        f.assertRefused("INSERT INTO survey (household_id, year, score) VALUES (1, 2012, 85.5)", code: .SQLITE_CONSTRAINT_DATATYPE)
    }

    func testDatesMustBeRealCalendarDatesWrittenYYYYMMDD() throws {
        let f = try seeded()
        for bad in ["2012-02-30", "2011-02-29", "2012-04-31", "2012/03/01", "2012-3-1", "20120301", "2012-03-01 10:00", "明天"] {
            f.assertRefused("INSERT INTO visit (cadre_id, household_id, date) VALUES (1, 1, ?)", [bad], code: check)
        }
        f.assertRefused("INSERT INTO link (cadre_id, household_id, start_date) VALUES (1, 1, '2012-13-01')", code: check)
        try f.execute("INSERT INTO visit (cadre_id, household_id, date, days) VALUES (1, 1, '2012-02-29', 2)")
        f.assertRefused("INSERT INTO visit (cadre_id, household_id, date, days) VALUES (1, 1, '2012-03-01', 0)", code: check)
    }

    func testDivisionCodesHaveTheirLengthAndDigitsOnly() throws {
        let f = try seeded()
        for bad in ["62050210", "6205021020", "62050210a", "620502 02"] {
            f.assertRefused("INSERT INTO area (code, name, kind) VALUES (?, '藉口镇', 'township')", [bad], code: check,
                            message: "length(code) = 9")
        }
        for bad in ["62050210120", "6205021012021", "62050210120X"] {
            f.assertRefused("INSERT INTO village (area_id, code, name, kind) VALUES (1, ?, '某村', 'village')", [bad], code: check,
                            message: "length(code) = 12")
        }
        f.assertRefused("INSERT INTO area (code, name, kind) VALUES ('620502101', '重复镇', 'township')",
                        code: .SQLITE_CONSTRAINT_UNIQUE)
        f.assertRefused("INSERT INTO village (area_id, code, name, kind) VALUES (1, '620502101299', '窝驼村', 'village')",
                        code: .SQLITE_CONSTRAINT_UNIQUE, message: "village.area_id, village.name")
    }

    func testResidentIDHasEighteenCharactersEndingInADigitOrUpperCaseX() throws {
        let f = try seeded()
        for bad in ["34052419800101001", "34052419800101001x", "3405241980010100XX", "340524198001010011 ", "34052419800101001Y"] {
            f.assertRefused("UPDATE household SET resident_id = ? WHERE id = 1", [bad], code: check)
            f.assertRefused("UPDATE cadre SET resident_id = ? WHERE id = 1", [bad], code: check)
        }
        f.assertRefused("UPDATE household SET resident_id = '620502196505120026' WHERE id = 1",
                        code: .SQLITE_CONSTRAINT_UNIQUE, message: "household.resident_id")
        try f.execute("UPDATE cadre SET resident_id = '620502198203150017' WHERE id = 1")
    }

    func testLinkHasExactlyOneLinkerAndOneTarget() throws {
        let f = try seeded()
        f.assertRefused("INSERT INTO link (unit_id, cadre_id, village_id, start_date) VALUES (1, 1, 1, '2012-03-01')",
                        code: check, message: "link_one_linker_unit_or_cadre")
        f.assertRefused("INSERT INTO link (village_id, start_date) VALUES (1, '2012-03-01')",
                        code: check, message: "link_one_linker_unit_or_cadre")
        f.assertRefused("INSERT INTO link (cadre_id, village_id, household_id, start_date) VALUES (1, 1, 1, '2012-03-01')",
                        code: check, message: "link_one_target_village_or_household")
        f.assertRefused("INSERT INTO link (unit_id, household_id, start_date) VALUES (1, 1, '2012-03-01')",
                        code: check, message: "link_unit_never_links_household")
        f.assertRefused("INSERT INTO link (cadre_id, household_id) VALUES (1, 1)", code: .SQLITE_CONSTRAINT_NOTNULL)
        try f.execute("INSERT INTO link (unit_id, village_id, start_date) VALUES (1, 1, '2012-03-01')")
        try f.execute("INSERT INTO link (cadre_id, household_id, start_date) VALUES (1, 1, '2012-03-01')")
        try f.execute("INSERT INTO link (cadre_id, village_id, start_date) VALUES (3, 1, '2012-03-01')")
    }

    func testVisitsActivitiesAndProblemsHaveExactlyOneActorAndOneTarget() throws {
        let f = try seeded()
        f.assertRefused("INSERT INTO visit (unit_id, cadre_id, village_id, date) VALUES (1, 1, 1, '2012-04-01')",
                        code: check, message: "visit_one_actor_unit_or_cadre")
        f.assertRefused("INSERT INTO visit (cadre_id, date) VALUES (1, '2012-04-01')",
                        code: check, message: "visit_one_target_village_or_household")
        f.assertRefused("INSERT INTO activity (action, unit_id, cadre_id, village_id, date, title) VALUES ('culture', 1, 1, 1, '2012-04-01', '送书')",
                        code: check, message: "activity_one_actor_unit_or_cadre")
        f.assertRefused("INSERT INTO problem (reported_by_cadre_id, reported_by_unit_id, village_id, reported_on, description) VALUES (1, 1, 1, '2012-04-01', '道路损毁')",
                        code: check, message: "problem_one_reporter_cadre_or_unit")
        try f.execute("INSERT INTO visit (unit_id, village_id, date, days, kind) VALUES (1, 1, '2012-04-01', 0.5, 'publicity')")
        try f.execute("INSERT INTO activity (action, unit_id, household_id, date, title) VALUES ('schooling', 1, 1, '2012-09-01', '资助子女上学')")
    }

    func testLinkEndDateReasonAndSuccessorGoTogether() throws {
        let f = try seeded()
        let insert = "INSERT INTO link (cadre_id, household_id, start_date, end_date, end_reason, successor_cadre_id) VALUES (1, 1, ?, ?, ?, ?)"
        f.assertRefused(insert, ["2012-03-01", "2012-09-01", nil, nil], code: check, message: "link_end_reason_exactly_when_ended")
        f.assertRefused(insert, ["2012-03-01", nil, "调离", nil], code: check, message: "link_end_reason_exactly_when_ended")
        f.assertRefused(insert, ["2012-03-01", "2012-02-01", "调离", nil], code: check, message: "link_ends_after_start")
        f.assertRefused(insert, ["2012-03-01", nil, nil, 3], code: check, message: "link_successor_only_when_ended")
        f.assertRefused(insert, ["2012-03-01", "2012-09-01", "调离", 1], code: check, message: "link_successor_is_another_cadre")
        try f.execute(insert, ["2012-03-01", "2012-09-01", "调离", 3])
        try f.execute(insert, ["2012-09-01", "2012-09-01", "其他", nil])
    }

    func testLinkToAMissingHouseholdFailsItsForeignKey() throws {
        let f = try seeded()
        f.assertRefused("INSERT INTO link (cadre_id, household_id, start_date) VALUES (1, 999, '2012-03-01')",
                        code: .SQLITE_CONSTRAINT_FOREIGNKEY)
        f.assertRefused("INSERT INTO link (cadre_id, household_id, start_date) VALUES (999, 1, '2012-03-01')",
                        code: .SQLITE_CONSTRAINT_FOREIGNKEY)
        f.assertRefused("INSERT INTO household (village_id, kind, head_name, resident_id, members, main_cause) VALUES (99, 'rural', '某', '620502197001010019', 1, '因灾')",
                        code: .SQLITE_CONSTRAINT_FOREIGNKEY)
        try f.execute("INSERT INTO visit (cadre_id, household_id, date) VALUES (1, 1, '2012-04-01')")
        f.assertRefused("DELETE FROM household WHERE id = 1", code: .SQLITE_CONSTRAINT_FOREIGNKEY)
    }

    func testExcludedCadreCannotLinkAndLinkedCadreCannotBecomeExcluded() throws {
        let f = try seeded()
        f.assertRefused("INSERT INTO link (cadre_id, household_id, start_date) VALUES (2, 1, '2012-03-01')",
                        code: trigger, message: "教师、医务人员、企业职工、机关工勤人员")
        f.assertRefused("INSERT INTO link (cadre_id, village_id, start_date) VALUES (2, 1, '2012-03-01')",
                        code: trigger, message: "excluded cadre")
        try f.execute("INSERT INTO link (cadre_id, household_id, start_date) VALUES (1, 1, '2012-03-01')")
        f.assertRefused("UPDATE cadre SET role = NULL, excluded = 'logistics' WHERE id = 1",
                        code: trigger, message: "end this cadre's open links first")
        try f.execute("UPDATE link SET end_date = '2012-06-30', end_reason = '其他' WHERE cadre_id = 1")
        try f.execute("UPDATE cadre SET role = NULL, excluded = 'logistics' WHERE id = 1")
    }

    func testCadreHasARoleOrIsExcludedNeverBothNorNeither() throws {
        let f = try seeded()
        f.assertRefused("INSERT INTO cadre (unit_id, name) VALUES (1, '某')", code: check, message: "cadre_role_or_excluded")
        f.assertRefused("INSERT INTO cadre (unit_id, name, role, excluded) VALUES (1, '某', 'department_other', 'medical')",
                        code: check, message: "cadre_role_or_excluded")
        try f.execute("INSERT INTO cadre (unit_id, name, excluded, sex) VALUES (1, '孙医生', 'medical', '女')")
    }

    func testLinksAreNeverDeletedAndNeverHandedOverInPlace() throws {
        let f = try seeded()
        try f.execute("INSERT INTO link (id, cadre_id, household_id, start_date) VALUES (1, 1, 1, '2012-03-01')")
        f.assertRefused("DELETE FROM link WHERE id = 1", code: trigger,
                        message: "links are never deleted; end them with an end date and reason")
        f.assertRefused("DELETE FROM link", code: trigger)
        f.assertRefused("UPDATE link SET cadre_id = 3 WHERE id = 1", code: trigger, message: "never changes who links")
        f.assertRefused("UPDATE link SET household_id = 2 WHERE id = 1", code: trigger)
        // The handover: end the link naming the successor, and link the successor.
        try f.execute("""
            UPDATE link SET end_date = '2012-09-01', end_reason = '调离', successor_cadre_id = 3 WHERE id = 1;
            INSERT INTO link (cadre_id, household_id, start_date) VALUES (3, 1, '2012-09-01');
            """)
        XCTAssertEqual(try f.int("SELECT count(*) FROM link WHERE household_id = 1"), 2)
        XCTAssertEqual(try f.int("SELECT cadre_id FROM link WHERE household_id = 1 AND end_date IS NULL"), 3)
    }

    func testOneOpenLinkPerLinkerAndTarget() throws {
        let f = try seeded()
        try f.execute("INSERT INTO link (cadre_id, household_id, start_date) VALUES (1, 1, '2012-03-01')")
        f.assertRefused("INSERT INTO link (cadre_id, household_id, start_date) VALUES (1, 1, '2012-04-01')",
                        code: .SQLITE_CONSTRAINT_UNIQUE)
        try f.execute("INSERT INTO link (unit_id, village_id, start_date) VALUES (1, 1, '2012-03-01')")
        f.assertRefused("INSERT INTO link (unit_id, village_id, start_date) VALUES (1, 1, '2012-03-02')",
                        code: .SQLITE_CONSTRAINT_UNIQUE)
        try f.execute("UPDATE link SET end_date = '2012-03-31', end_reason = '其他' WHERE cadre_id = 1")
        try f.execute("INSERT INTO link (cadre_id, household_id, start_date) VALUES (1, 1, '2012-04-01')")
    }

    func testVillagesMatchTheirAreaAndHouseholdsTheirVillage() throws {
        let f = try seeded()
        f.assertRefused("INSERT INTO village (area_id, code, name, kind) VALUES (2, '620502001201', '某村', 'village')",
                        code: trigger, message: "must be in a township")
        f.assertRefused("INSERT INTO village (area_id, code, name, kind) VALUES (1, '620502101002', '某社区', 'community')",
                        code: trigger, message: "must be in a subdistrict")
        f.assertRefused("INSERT INTO village (area_id, code, name, kind) VALUES (1, '620502102201', '某村', 'village')",
                        code: trigger, message: "must begin with the 9-digit code")
        f.assertRefused("UPDATE village SET area_id = 2 WHERE id = 1", code: trigger)
        f.assertRefused("UPDATE area SET kind = 'subdistrict' WHERE id = 1", code: trigger, message: "cannot change the kind")
        f.assertRefused("INSERT INTO household (village_id, kind, head_name, resident_id, members, main_cause) VALUES (2, 'rural', '某', '620502197001010019', 1, '因灾')",
                        code: trigger, message: "a rural household must be in a village")
        f.assertRefused("UPDATE household SET village_id = 1 WHERE id = 2", code: trigger, message: "an urban household must be in a community")
        f.assertRefused("INSERT INTO unit (name, kind, area_id) VALUES ('大城街道办事处', 'township', 2)", code: trigger)
        f.assertRefused("INSERT INTO unit (name, kind, area_id) VALUES ('区财政局', 'department', 1)",
                        code: check, message: "unit_area_only_for_township_or_subdistrict")
        f.assertRefused("INSERT INTO unit (name, kind, area_id) VALUES ('太京镇党委', 'township', 1)",
                        code: .SQLITE_CONSTRAINT_UNIQUE, message: "unit.area_id")
        try f.execute("INSERT INTO unit (name, kind, area_id) VALUES ('大城街道办事处', 'subdistrict', 2)")
    }

    func testRenumberingAnAreaRenumbersItsVillages() throws {
        let f = try seeded()
        try f.execute("UPDATE area SET code = '620502201' WHERE id = 1")
        let code = try f.register.queue.read { try String.fetchOne($0, sql: "SELECT code FROM village WHERE id = 1") }
        XCTAssertEqual(code, "620502201201")
    }

    func testHouseholdCausesAreDistinctAndInOrder() throws {
        let f = try seeded()
        f.assertRefused("UPDATE household SET other_cause_2 = '缺水' WHERE id = 1", code: check,
                        message: "household_other_causes_in_order")
        f.assertRefused("UPDATE household SET other_cause_1 = '因病' WHERE id = 1", code: check,
                        message: "household_causes_distinct")
        f.assertRefused("UPDATE household SET other_cause_1 = '缺水', other_cause_2 = '缺水' WHERE id = 1", code: check,
                        message: "household_causes_distinct")
        try f.execute("UPDATE household SET other_cause_1 = '缺水', other_cause_2 = '缺技术', exit_year = 2015 WHERE id = 1")
        f.assertRefused("UPDATE household SET exit_year = 15 WHERE id = 1", code: check)
    }

    func testProblemStatusAndDatesAgree() throws {
        let f = try seeded()
        let insert = """
            INSERT INTO problem (reported_by_cadre_id, household_id, reported_on, description, status, escalated_on, closed_on, resolution)
            VALUES (1, 1, '2012-04-01', '饮水困难', ?, ?, ?, ?)
            """
        f.assertRefused(insert, ["closed", nil, nil, "已解决"], code: check, message: "problem_closed_exactly_when_closed_on")
        f.assertRefused(insert, ["open", nil, "2012-05-01", nil], code: check)
        f.assertRefused(insert, ["open", "2012-04-10", nil, nil], code: check, message: "problem_open_has_no_escalation_or_closing")
        f.assertRefused(insert, ["escalated", nil, nil, nil], code: check, message: "problem_escalated_has_escalated_on")
        f.assertRefused(insert, ["closed", nil, "2012-03-01", "已解决"], code: check, message: "problem_dates_in_order")
        f.assertRefused(insert, ["closed", "2012-05-01", "2012-04-20", "已解决"], code: check, message: "problem_dates_in_order")
        try f.execute(insert, ["open", nil, nil, nil])
        try f.execute("UPDATE problem SET status = 'escalated', escalated_on = '2012-04-10' WHERE id = 1")
        try f.execute("INSERT INTO problem_followup (problem_id, date, note) VALUES (1, '2012-04-20', '水利局已勘察')")
        try f.execute("UPDATE problem SET status = 'closed', closed_on = '2012-06-01', resolution = '打井一眼' WHERE id = 1")
        f.assertRefused("INSERT INTO problem_followup (problem_id, date, note) VALUES (9, '2012-04-20', '无')",
                        code: .SQLITE_CONSTRAINT_FOREIGNKEY)
    }

    func testSurveyScoreIsZeroToHundredOncePerHouseholdAndYear() throws {
        let f = try seeded()
        f.assertRefused("INSERT INTO survey (household_id, year, score) VALUES (1, 2012, 101)", code: check)
        f.assertRefused("INSERT INTO survey (household_id, year, score) VALUES (1, 2012, -1)", code: check)
        try f.execute("INSERT INTO survey (household_id, year, score) VALUES (1, 2012, 100), (1, 2013, 0)")
        f.assertRefused("INSERT INTO survey (household_id, year, score) VALUES (1, 2012, 90)",
                        code: .SQLITE_CONSTRAINT_UNIQUE)
    }

    func testIndicatorValuesMatchTheIndicatorScopeAndType() throws {
        let f = try seeded()
        let insert = "INSERT INTO indicator_value (indicator_id, village_id, household_id, year, value) VALUES ((SELECT id FROM indicator WHERE code = ?), ?, ?, 2012, ?)"
        f.assertRefused(insert, ["road", 2, nil, 1], code: trigger, message: "must match the indicator's scope")
        f.assertRefused(insert, ["road", nil, 1, 1], code: trigger, message: "must match the indicator's scope")
        f.assertRefused(insert, ["service_strengthened", 1, nil, 1], code: trigger)
        f.assertRefused(insert, ["practical_skill", 1, nil, 1], code: trigger)
        f.assertRefused(insert, ["road", 1, nil, 0.5], code: trigger, message: "boolean indicator is 0 or 1")
        f.assertRefused(insert, ["road", 99, nil, 1], code: .SQLITE_CONSTRAINT_FOREIGNKEY)
        f.assertRefused(insert, ["road", 1, 1, 1], code: check, message: "indicator_value_one_place_village_or_household")
        try f.execute(insert, ["road", 1, nil, 1])
        try f.execute(insert, ["net_income", 1, nil, 2950.5])
        try f.execute(insert, ["service_strengthened", 2, nil, 0])
        try f.execute(insert, ["practical_skill", nil, 1, 1])
        f.assertRefused(insert, ["road", 1, nil, 0], code: .SQLITE_CONSTRAINT_UNIQUE)
        f.assertRefused("UPDATE indicator_value SET value = 2 WHERE village_id = 1 AND value = 1", code: trigger)
        f.assertRefused("UPDATE indicator SET scope = 'community' WHERE code = 'road'", code: trigger, message: "has values")
        try f.execute("UPDATE indicator SET name = '通硬化路' WHERE code = 'road'")
    }
}
